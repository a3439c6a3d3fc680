"""Forum figures: archive search over 50,000 questions; answer → copies sent.

    .venv/bin/python bench/forum_bench.py [--questions 50000] [--answers 300]

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
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from adapters.console.messenger import ConsoleMessenger  # noqa: E402
from bots.app import build_app  # noqa: E402
from bots.config import Config, DatabaseConfig  # noqa: E402
from commands.directory.language import Morphology  # noqa: E402
from commands.forums.archive import ArchiveIndex, search_terms  # noqa: E402
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
    args = parser.parse_args()
    archive_figures(args.questions)
    asyncio.run(relay_figures(args.answers))


if __name__ == "__main__":
    main()
