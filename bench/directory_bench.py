"""Directory figures: all 2,479 gminy × 14 topics (~35,000 entries).

Prints: import time, the core's answer time (p50/p99 over N questions written as people
write them: "kto od śmieci w Wieliczce?"), the same through the whole core pipeline (dedupe,
identity, database), and resident memory.

    .venv/bin/python bench/directory_bench.py                   # SQLite in a temp dir
    .venv/bin/python bench/directory_bench.py --database-url postgresql://postgres@127.0.0.1/test

Reads the TERYT register the product ships (commands/directory/data/gminy.csv).
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bots.app import build_app  # noqa: E402
from bots.config import Config, DatabaseConfig  # noqa: E402
from commands.directory.importer import parse_rows  # noqa: E402
from commands.model import (  # noqa: E402
    ConversationKind,
    ConversationRef,
    MessageReceived,
    Platform,
    Sender,
)

GMINY = REPO / "commands" / "directory" / "data" / "gminy.csv"
TOPICS = [
    ("gospodarka odpadami", "śmieci"), ("oświata", "szkoły"), ("zamówienia publiczne", "przetargi"),
    ("transport publiczny", "autobusy"), ("ochrona powietrza", "kopciuchy"),
    ("planowanie przestrzenne", "MPZP"), ("pomoc społeczna", "GOPS"), ("kultura", "kultura"),
    ("sport", "sport"), ("fundusze europejskie", "ZIT"), ("inwestycje", "inwestycje"),
    ("drogi", "drogi"), ("woda i kanalizacja", "kanalizacja"), ("promocja", "promocja"),
]
FIRST = ["Anna", "Jan", "Ewa", "Piotr", "Maria", "Tomasz", "Katarzyna", "Paweł", "Agnieszka"]
LAST = ["Nowak", "Kowalski", "Wiśniewska", "Wójcik", "Kamińska", "Lewandowski", "Zielińska"]


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0..100) of ``values``."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def write_directory(path: Path) -> list[dict[str, str]]:
    """A CSV with one person per gmina and topic."""
    with GMINY.open(encoding="utf-8") as handle:
        gminy = list(csv.DictReader(handle))
    rng = random.Random(7)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["gmina", "teryt", "kind", "powiat", "wojewodztwo", "topic", "name",
                         "position", "email", "phone", "preferred_contact", "confirmed_at"])
        for g in gminy:
            for t, (topic, _) in enumerate(TOPICS):
                writer.writerow([
                    g["name"], g["teryt"], g["kind"], g["powiat"], g["wojewodztwo"], topic,
                    f"{rng.choice(FIRST)} {rng.choice(LAST)}", f"inspektor ds. {topic}",
                    f"p{g['teryt']}.{t}@gmina.example.pl",
                    f"+48 12 000 {rng.randint(10, 99)} {rng.randint(10, 99)}", "e-mail",
                    "2026-06-01",
                ])
    return gminy


def rss_mb() -> float:
    """Current resident memory of this process."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def load(url: str, csv_path: Path) -> list[dict[str, str]]:
    """Import the whole country's directory; prints the import figures."""
    app = build_app(Config(database=DatabaseConfig(url=url)))
    await app.prepare(with_sample=False)
    gminy = write_directory(csv_path)
    started = time.perf_counter()
    parsed = parse_rows(csv_path)
    async with app.db.session() as session:
        summary = await app.importer.apply(session, parsed)
    print(f"import: {len(parsed.rows)} rows, {summary.people_added} people, "
          f"{summary.entries_added} entries, {summary.gminy_added} gminy in "
          f"{time.perf_counter() - started:.1f} s (peak memory of the import process "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB)")
    await app.close()
    return gminy


async def serve(url: str, count: int) -> None:
    """What a running service does: load the index, answer questions; prints the figures."""
    with GMINY.open(encoding="utf-8") as handle:
        gminy = list(csv.DictReader(handle))
    app = build_app(Config(database=DatabaseConfig(url=url)))
    started = time.perf_counter()
    index = await app.directory.index()
    print(f"index build: {time.perf_counter() - started:.2f} s "
          f"({len(index.persons)} people, {len(index.names)} gmina name forms)")
    rng = random.Random(11)
    questions = []
    for _ in range(count):
        g = rng.choice(gminy)
        forms = sorted(app.morphology.name_forms(g["name"]))
        loc = next((f for f in forms if f.endswith(("ie", "ach", "u", "y", "i"))), forms[0])
        questions.append(f"kto od {rng.choice(TOPICS)[1]} w {loc}?")
    for q in questions[:50]:  # warm the caches the way a running service would
        await app.directory.ask(q, lang="pl")
    core_times = []
    asked_back = answered = 0
    for q in questions:
        t0 = time.perf_counter()
        [answer, *_] = await app.directory.ask(q, lang="pl")
        core_times.append((time.perf_counter() - t0) * 1000)
        asked_back += bool(answer.buttons and not answer.cards)
        answered += bool(answer.cards)
    print(f"core answer ({len(questions)} questions): p50 {percentile(core_times, 50):.2f} ms, "
          f"p99 {percentile(core_times, 99):.2f} ms, max {max(core_times):.2f} ms; "
          f"{answered} answered with contacts, {asked_back} asked back which gmina")
    email = index.persons[next(iter(index.persons))].email or ""
    ref = ConversationRef(Platform.CONSOLE, "console", ConversationKind.PERSONAL)
    sender = Sender(Platform.CONSOLE, email, "bench")
    pipeline = []
    for i, q in enumerate(questions[:500]):
        event = MessageReceived(platform=Platform.CONSOLE, event_id=str(i), conversation=ref,
                                sender=sender, text=q)
        t0 = time.perf_counter()
        await app.core.handle(event)
        pipeline.append((time.perf_counter() - t0) * 1000)
    print(f"whole core pipeline incl. database (500): p50 {percentile(pipeline, 50):.2f} ms, "
          f"p99 {percentile(pipeline, 99):.2f} ms")
    print(f"resident memory of the serving process: {rss_mb():.0f} MB "
          f"(median answer {statistics.median(core_times):.2f} ms; {os.cpu_count()} cores)")
    await app.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url")
    parser.add_argument("--questions", type=int, default=2000)
    parser.add_argument("--serve", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        asyncio.run(serve(args.serve, args.questions))
        return
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/bench.db"
        asyncio.run(load(url, Path(tmp) / "all.csv"))
        # A fresh process measures the service's memory, not the import's.
        subprocess.run([sys.executable, __file__, "--serve", url, "--questions",
                        str(args.questions)], check=True)


if __name__ == "__main__":
    main()
