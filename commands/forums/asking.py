"""Asking a forum (``/pytanie KLUCZ treść``): the question is stored and posted, through the
outbox, into every group of the forum on every messenger."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from commands.clock import Clock
from commands.directory.language import Morphology
from commands.forums.archive import search_terms
from commands.forums.people import label
from commands.forums.searching import ArchiveSearch
from commands.model import OutboundMessage, Priority, message_to_json
from commands.texts import PLATFORM_NAMES, t
from store.db import Database
from store.forum_groups import live_groups
from store.forum_models import Question
from store.forum_questions import add_question
from store.models import Forum, Person
from store.outbox import NewDelivery, enqueue
from store.people import audit


@dataclass(frozen=True, slots=True)
class Asked:
    """What asking did: the question and where it went."""

    question: Question
    groups: int
    platforms: tuple[str, ...]


class Asking:
    """Questions asked to a forum."""

    def __init__(self, *, db: Database, clock: Clock, morphology: Morphology,
                 archive: ArchiveSearch) -> None:
        self._db = db
        self._clock = clock
        self._morphology = morphology
        self._archive = archive

    async def ask(self, *, asker: Person, forum: Forum, text: str, via: str) -> Asked:
        """Store the question and post it into every group of the forum."""
        now = self._clock.now()
        async with self._db.session() as session:
            question = await add_question(session, Question(
                forum_id=int(forum.id or 0), asker_id=asker.id, asked_via=via, text=text,
                created_at=now, updated_at=now,
                search_terms=search_terms(self._morphology, [text])))
            rows, platforms = await question_posts(session, question, forum, asker, now)
            await enqueue(session, rows)
            await self._archive.changed(session)
            await audit(session, actor=f"person:{asker.id}", action="forum.ask",
                        target=f"question:{question.id}", details={"forum": forum.key})
            await session.commit()
        return Asked(question, len(rows), platforms)


async def question_posts(session: AsyncSession, question: Question, forum: Forum,
                         asker: Person, now: datetime
                         ) -> tuple[list[NewDelivery], tuple[str, ...]]:
    """The question's posts into every live group of ``forum``, and the messengers they go
    to."""
    groups = await live_groups(session, int(forum.id or 0))
    author = await label(session, asker)
    message = OutboundMessage(
        title=t("pl", "q.post_title", id=question.id, forum=forum.name_pl),
        text=question.text,
        footer=t("pl", "q.post_footer", author=author,
                 via=PLATFORM_NAMES.get(question.asked_via, question.asked_via)),
        priority=Priority.NORMAL,
    )
    rows = [
        NewDelivery(
            dedupe_key=f"question:{question.id}:forum:{forum.id}:group:{group.id}",
            kind="relay", source=f"question:{question.id}", platform=group.platform,
            target=group.ref, payload=message_to_json(message), not_before=now,
        )
        for group in groups
    ]
    return rows, tuple(sorted({g.platform for g in groups}))
