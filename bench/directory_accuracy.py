"""How often the directory answers a question right: accuracy per kind of question, and the misses.

The evaluation set (``bench/data/directory_eval.jsonl``, ~2,150 questions) and its directory
(``bench/data/directory_eval_staff.csv``: 300 gminy of the register, one person per gmina and
topic) are written by ``bench/data/make_directory_eval.py``. The directory is imported into a
real database (SQLite in a temp dir, or ``--database-url``) and every question goes through
the parser and the answers the bot sends. A question is right when:

- unique / qualified / english: one answer, with the gmina's person for the topic, nobody of
  another gmina, no asking back;
- ambiguous: asked back, with a button for every candidate gmina and nobody named;
- unknown: the gmina's name is said and nobody is named;
- several: every gmina named gets its person for the topic, nobody of another gmina.

    .venv/bin/python bench/directory_accuracy.py [--misses 30] [--kind unique]

``tests/test_directory_accuracy.py`` holds the floor this reaches.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from commands.directory.answers import ACTION_GMINA, AnswerState  # noqa: E402
from commands.directory.importer import parse_rows  # noqa: E402
from commands.directory.index import DirectoryIndex  # noqa: E402
from commands.directory.query import parse_query  # noqa: E402
from commands.model import OutboundMessage  # noqa: E402

DATA = REPO / "bench" / "data"
STAFF = DATA / "directory_eval_staff.csv"
QUESTIONS = DATA / "directory_eval.jsonl"
KINDS = ("unique", "ambiguous", "unknown", "several", "qualified", "english")
TODAY = date(2026, 12, 7)


@dataclass
class Result:
    """Questions asked and missed, per kind."""

    asked: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    misses: dict[str, list[tuple[str, str]]] = field(default_factory=lambda: defaultdict(list))

    def accuracy(self, kind: str) -> float:
        """Share of ``kind`` questions answered right (0..1)."""
        asked = self.asked.get(kind, 0)
        return 1 - len(self.misses.get(kind, ())) / asked if asked else 0.0


def load_questions(path: Path = QUESTIONS) -> list[dict[str, object]]:
    """The evaluation questions."""
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


async def import_directory(app: object) -> None:
    """Import the evaluation directory into ``app``'s database (a ``bots.app.App``)."""
    async with app.db.session() as session:  # type: ignore[attr-defined]
        await app.importer.apply(session, parse_rows(STAFF))  # type: ignore[attr-defined]
    app.directory.invalidate()  # type: ignore[attr-defined]


def _teryt_of_card(email: str) -> tuple[str, str]:
    """(topic key, TERYT) of an evaluation person from their e-mail."""
    local = email.split("@", 1)[0]
    key, _, teryt = local.rpartition(".")
    return key, teryt


def judge(question: dict[str, object], messages: list[OutboundMessage],
          index: DirectoryIndex) -> str | None:
    """Why the answer is wrong (None: right)."""
    kind, topic = question["kind"], question["topic"]
    expect = list(question["expect"])  # type: ignore[call-overload]
    named = [_teryt_of_card(card.email) for m in messages for card in m.cards]
    asked_back = [
        {index.gminy[AnswerState.decode(b.value).gmina_id].teryt  # type: ignore[index]
         for b in m.buttons if b.action == ACTION_GMINA}
        for m in messages if any(b.action == ACTION_GMINA for b in m.buttons)
    ]
    said = " ".join(m.text + " " + m.title for m in messages)
    if kind == "ambiguous":
        if named:
            return f"named {sorted({t for _, t in named})} instead of asking back"
        if asked_back != [set(expect)]:
            return f"asked back {asked_back or 'nothing'}: {said[:120]!r}"
        return None
    if kind == "unknown":
        if named or asked_back:
            return f"named {sorted({t for _, t in named})} / asked back {asked_back}"
        return None if expect[0] in said else f"did not name the gmina: {said[:120]!r}"
    if asked_back:
        return f"asked back {asked_back}"
    wrong = sorted({t for _, t in named} - set(expect))
    if wrong:
        return f"named people of {wrong}"
    missing = [t for t in expect if (topic, t) not in named]
    if missing:
        return f"no {topic} person of {missing}: {said[:120]!r}"
    return None


async def evaluate(app: object, questions: list[dict[str, object]]) -> Result:
    """Ask every question of the set through ``app``'s directory; the results per kind."""
    directory = app.directory  # type: ignore[attr-defined]
    index = await directory.index()
    result = Result()
    for question in questions:
        text, lang = str(question["q"]), str(question["lang"])
        messages = directory.answers.answer_all(index, parse_query(text, index), lang=lang,
                                                today=TODAY)
        kind = str(question["kind"])
        result.asked[kind] += 1
        why = judge(question, messages, index)
        if why is not None:
            result.misses[kind].append((text, why))
    return result


async def run(url: str, misses: int, only: str | None) -> None:
    from bots.app import build_app
    from bots.config import Config, DatabaseConfig

    app = build_app(Config(database=DatabaseConfig(url=url)))
    await app.prepare(with_sample=False)
    started = time.perf_counter()
    await import_directory(app)
    imported = time.perf_counter() - started
    questions = [q for q in load_questions() if only is None or q["kind"] == only]
    started = time.perf_counter()
    result = await evaluate(app, questions)
    elapsed = time.perf_counter() - started
    print(f"directory: 300 gminy imported in {imported:.1f} s; {len(questions)} questions in "
          f"{elapsed:.1f} s ({elapsed / max(1, len(questions)) * 1000:.2f} ms each)")
    for kind in KINDS:
        if result.asked.get(kind):
            print(f"  {kind:10} {result.accuracy(kind) * 100:6.1f} %  "
                  f"({result.asked[kind] - len(result.misses[kind])}/{result.asked[kind]})")
    for kind in KINDS:
        for text, why in result.misses.get(kind, [])[:misses]:
            print(f"MISS {kind}: {text!r} — {why}")
    await app.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url")
    parser.add_argument("--misses", type=int, default=30, help="misses listed per kind")
    parser.add_argument("--kind", choices=KINDS)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/accuracy.db"
        asyncio.run(run(url, args.misses, args.kind))


if __name__ == "__main__":
    main()
