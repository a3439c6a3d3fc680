"""Forum figures: archive search quality and speed; answer → copies sent.

    .venv/bin/python bench/forum_bench.py [--questions 50000] [--answers 300] [--quality-only]

0. Search quality: the searches of ``bench/data/archive_queries.txt`` (as staff type them:
   inflected, a word of the same family, without Polish letters) over the realistic archive
   of ``bench/data/archive_questions.txt``, through the service's own query reading; recall@5
   per kind, with word families (now) and with exact lemmas only (before), and the misses.
1. The archive index with N questions written from municipal vocabulary (lemmatised as the
   service does when a question is written): p50/p99 of /szukaj-style queries in inflected
   forms, restricted to a member's forums.
2. The relay path on SQLite, as the running service takes it: an answer arriving in one group's
   thread (handed to the core as an adapter does once the request is verified) → outbox →
   the scheduler's delivery worker (real clock, its one-second tick running) → the asker's
   copy and the mirror in the other group handed to the messenger (an in-process messenger,
   so no rate-limit waits; each adapter's own loopback send time is in the *_latency
   benches).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from adapters.console.messenger import ConsoleMessenger  # noqa: E402
from bots.app import build_app  # noqa: E402
from bots.config import Config, DatabaseConfig  # noqa: E402
from commands.directory.language import Morphology  # noqa: E402
from commands.forums.archive import ArchiveIndex, search_terms  # noqa: E402
from commands.forums.service import ForumService  # noqa: E402
from commands.model import (  # noqa: E402
    ConversationKind,
    ConversationRef,
    MessageReceived,
    OutboundMessage,
    Platform,
    Sender,
    SentMessage,
)
from scheduler.runner import SchedulerComponent  # noqa: E402
from store.models import MessengerAccount, Person  # noqa: E402

WORDS = """klauzula waloryzacyjna wzór umowa przetarg zamówienie publiczny odpad segregacja
opłata harmonogram odbiór szkoła przedszkole dowóz uczeń autobus rozkład przystanek droga
remont zima odśnieżanie dotacja wniosek fundusz program strategia plan zagospodarowanie
warunki zabudowa decyzja podatek nieruchomość dzierżawa umowa najem lokal mieszkanie pomoc
świadczenie rodzina senior opieka kultura biblioteka impreza sport boisko hala basen promocja
turystyka powietrze piec kocioł wymiana kontrola straż mandat woda kanalizacja ścieki taryfa
energia fotowoltaika oświetlenie inwestycja projekt kosztorys wykonawca gwarancja kara
termin sprawozdanie raport ankieta dane RODO inspektor system elektroniczny dokument""".split()
QUERIES = ["klauzul waloryzacyjnych", "wzoru umowy na odbiór odpadów", "harmonogramu odbioru",
           "dowozów uczniów", "wymiany pieców", "taryfy za wodę", "przetargu na remont drogi",
           "sprawozdania z gospodarki odpadami", "dotacji na fotowoltaikę", "warunków zabudowy"]


DATA = REPO / "bench" / "data"


@dataclass(frozen=True)
class SearchCase:
    """One search and the archive questions that answer it."""

    query: str
    kind: str
    expected: frozenset[int]


@dataclass(frozen=True)
class ArchiveQuestion:
    """One question of the realistic archive, with its answer's gist."""

    id: int
    forum: str
    text: str
    answer: str


def _rows(path: Path) -> list[list[str]]:
    return [line.split("|", 2) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]


def load_search_set() -> tuple[list[ArchiveQuestion], list[SearchCase]]:
    """The realistic archive (the questions the searches want, among 2,000 background ones)
    and the searches over it (``bench/data``)."""
    questions = []
    for number, forum, text in (_rows(DATA / "archive_questions.txt")
                                + _rows(DATA / "archive_background.txt")):
        question, _, answer = text.partition(" || ")
        questions.append(ArchiveQuestion(int(number), forum, question.strip(), answer.strip()))
    cases = [SearchCase(query.strip(), kind.strip(),
                        frozenset(int(n) for n in ids.split(",")))
             for ids, kind, query in _rows(DATA / "archive_queries.txt")]
    return questions, cases


def search_quality(morphology: Morphology, *, relatives: bool
                   ) -> tuple[dict[str, tuple[int, float]], list[tuple[SearchCase, list[int]]]]:
    """Recall@5 per kind (and "all"): kind → (searches, recall), and the missed searches
    with the five ids found. The queries are read as ``/szukaj`` reads them."""
    questions, cases = load_search_set()
    forums = {name: n for n, name in enumerate(sorted({q.forum for q in questions}), 1)}
    index = ArchiveIndex(relatives=relatives)
    for q in questions:
        index.put(q.id, forums[q.forum], search_terms(morphology, [q.text, q.answer]),
                  answered=bool(q.answer), faq=False)
    reader = ForumService(db=None, clock=None, morphology=morphology,  # type: ignore[arg-type]
                          messengers={})  # only its query reading is used
    found: dict[str, list[float]] = defaultdict(list)
    misses = []
    for case in cases:
        top = [hit.question_id for hit in index.search(reader.query_lemmas(case.query), None)]
        recall = len(case.expected & set(top)) / len(case.expected)
        found[case.kind].append(recall)
        found["all"].append(recall)
        if recall < 1:
            misses.append((case, top))
    return {kind: (len(v), sum(v) / len(v)) for kind, v in found.items()}, misses


def quality_figures(morphology: Morphology, *, show_misses: bool = True) -> None:
    questions, cases = load_search_set()
    print(f"search quality: {len(cases)} searches over a realistic archive of "
          f"{len(questions)} questions (bench/data), recall@5")
    before, missed_before = search_quality(morphology, relatives=False)
    after, misses = search_quality(morphology, relatives=True)
    for kind in sorted(after, key=lambda k: (k == "all", k)):
        count, recall = after[kind]
        print(f"  {kind:<10} {count:>4} searches: exact lemmas only {before[kind][1]:6.1%}"
              f"  ->  with word families {recall:6.1%}")
    if show_misses:
        for case, top in missed_before:
            print(f"  miss before ({case.kind}): {case.query!r} wants {sorted(case.expected)}, "
                  f"top 5 {top}")
        for case, top in misses:
            print(f"  miss ({case.kind}): {case.query!r} wants {sorted(case.expected)}, "
                  f"top 5 {top}")


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0..100)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def archive_figures(count: int) -> None:
    morphology = Morphology()
    rng = random.Random(5)
    index = ArchiveIndex()
    started = time.perf_counter()
    for qid in range(1, count + 1):
        text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 20)))
        index.put(qid, rng.randint(1, 10), search_terms(morphology, [text]),
                  answered=rng.random() < 0.7, faq=False)
    print(f"archive: {count} questions indexed in {time.perf_counter() - started:.1f} s "
          "(lemmatising included; the service stores lemmas once, when a question is written)")
    member_forums = {1, 2, 3}
    times = []
    for i in range(2000):
        query = QUERIES[i % len(QUERIES)]
        t0 = time.perf_counter()
        words = [morphology.lemmas(w) for w in query.split() if len(w) >= 3]
        hits = index.search(words, member_forums, limit=5)
        times.append((time.perf_counter() - t0) * 1000)
        assert hits, query
    print(f"search (2000 queries, inflected forms, 3 of 10 forums): p50 "
          f"{percentile(times, 50):.2f} ms, p99 {percentile(times, 99):.2f} ms")


async def relay_figures(answers: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        app = build_app(Config(database=DatabaseConfig(url=f"sqlite:///{tmp}/forum.db")))
        await app.prepare()
        console = Arrivals()
        app.messengers["console"] = console
        admin = "m.zawadzka-hejmo@metropoliakrakowska.example.pl"
        asker, expert = "r.nowak@wieliczka.example.pl", "p.sikora@skawina.example.pl"
        async with app.db.session() as session:
            person = (await session.exec(Person.__table__.select().where(  # type: ignore[attr-defined]
                Person.email == asker))).first()
            ref = ConversationRef(Platform.CONSOLE, "asker", ConversationKind.PERSONAL)
            session.add(MessengerAccount(platform="console", external_id=asker,
                                         person_id=person.id, private_ref=ref.to_json()))
            await session.commit()
        groups = [ConversationRef(Platform.CONSOLE, f"g{i}", ConversationKind.GROUP)
                  for i in (1, 2)]
        sender = Sender(Platform.CONSOLE, admin)
        for n, group in enumerate(groups):
            await app.core.handle(MessageReceived(platform=Platform.CONSOLE, event_id=f"l{n}",
                                                  conversation=group, sender=sender,
                                                  text="/forum podlacz PZP"))
        asked = MessageReceived(platform=Platform.CONSOLE, event_id="q",
                                conversation=ref, sender=Sender(Platform.CONSOLE, asker),
                                text="/pytanie PZP Czy ktoś ma wzór klauzuli waloryzacyjnej?")
        await app.core.handle(asked)
        await app.worker.run_once()
        post = next(d.message_id for d in console.transcript
                    if d.conversation.conversation_id == "g1")
        services = app.core.services
        scheduler = SchedulerComponent(db=app.db, clock=app.clock, worker=app.worker,
                                       announcements=services.announcements,
                                       forums=services.forums)
        await scheduler.start()
        times = []
        for i in range(answers):
            before = len(console.transcript)
            answer = MessageReceived(platform=Platform.CONSOLE, event_id=f"a{i}",
                                     conversation=groups[0],
                                     sender=Sender(Platform.CONSOLE, expert), text=f"Wzór {i}",
                                     addressed=False, reply_to_message_id=post,
                                     message_id=f"m{i}")
            t0 = time.perf_counter()
            await app.core.handle(answer)
            await console.until(before + 2)
            times.append((time.perf_counter() - t0) * 1000)
            # answers come one at a time, as people write them, not back to back
            await asyncio.sleep(random.uniform(0.01, 0.2))
        await scheduler.stop()
        print(f"relay (SQLite, {answers} answers, through the running scheduler): answer "
              f"received -> asker's copy and mirror sent: p50 {percentile(times, 50):.1f} ms, "
              f"p99 {percentile(times, 99):.1f} ms")
        await app.close()


class Arrivals(ConsoleMessenger):
    """The console messenger, telling the bench when messages arrive."""

    def __init__(self) -> None:
        super().__init__()
        self.arrived = asyncio.Event()

    async def send(self, ref: ConversationRef, message: OutboundMessage) -> SentMessage:
        sent = await super().send(ref, message)
        self.arrived.set()
        return sent

    async def until(self, count: int) -> None:
        """Wait until the transcript holds ``count`` messages."""
        async with asyncio.timeout(10):
            while len(self.transcript) < count:
                self.arrived.clear()
                await self.arrived.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--questions", type=int, default=50_000)
    parser.add_argument("--answers", type=int, default=300)
    parser.add_argument("--quality-only", action="store_true",
                        help="only the search quality figures (a few seconds)")
    args = parser.parse_args()
    quality_figures(Morphology())
    if args.quality_only:
        return
    archive_figures(args.questions)
    asyncio.run(relay_figures(args.answers))


if __name__ == "__main__":
    main()
