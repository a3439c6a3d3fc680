"""The archive as people search it: the index kept in step with the database, ``/szukaj``,
a forum's FAQ and promoting a question into it. An FAQ question shows its public wording
(curated in the office panel, :mod:`commands.forums.faq`) where it has one."""

from __future__ import annotations

import time

from sqlmodel.ext.asyncio.session import AsyncSession

from commands.directory.language import Morphology, tokens
from commands.directory.query import STOPWORDS
from commands.forums.archive import ArchiveIndex
from commands.forums.faq import public_view
from store.db import Database
from store.forum_models import Answer, Question
from store.forum_questions import (
    archive_rows,
    archive_version,
    bump_archive_version,
    faq_questions,
    first_answer,
    is_answered,
    own_question_ids,
    question_by_id,
    set_faq,
)
from store.forums import forum_by_id
from store.models import Forum, Person
from store.people import audit

RECHECK_SECONDS = 2.0  # how long an instance trusts its index before asking for the version


class ArchiveSearch:
    """The search index of every question, reloaded when any instance changed the archive."""

    def __init__(self, *, db: Database, morphology: Morphology) -> None:
        self._db = db
        self._morphology = morphology
        self._index = ArchiveIndex()
        self._version = -1
        self._checked_at = 0.0

    async def changed(self, session: AsyncSession) -> None:
        """A question or answer changed in ``session``: every instance reloads its index
        (this one at its next search)."""
        await bump_archive_version(session)
        self._checked_at = 0.0

    async def archive(self) -> ArchiveIndex:
        """The search index, reloaded when any instance changed the archive."""
        if time.monotonic() - self._checked_at < RECHECK_SECONDS:
            return self._index
        async with self._db.session() as session:
            version = await archive_version(session)
            if version != self._version:
                index = ArchiveIndex()
                for qid, forum_id, terms, state, faq in await archive_rows(session):
                    index.put(qid, forum_id, terms, answered=state == "answered", faq=faq)
                self._index, self._version = index, version
        self._checked_at = time.monotonic()
        return self._index

    def query_lemmas(self, text: str) -> list[set[str]]:
        """Alternative lemmas of each content word of a search."""
        words = [w for w in tokens(text) if len(w) >= 3 and w.lower() not in STOPWORDS]
        return [self._morphology.lemmas(w) - STOPWORDS for w in words[:12]]

    async def search(self, text: str, forums: set[int] | None, limit: int = 5, *,
                     asker_id: int | None = None) -> list[tuple[Question, Answer | None, str]]:
        """Best questions for ``text`` in ``forums`` and among ``asker_id``'s own (wherever
        they were moved), with their best answer and forum key."""
        async with self._db.session() as session:
            own = await own_question_ids(session, asker_id) if asker_id else set()
        hits = (await self.archive()).search(self.query_lemmas(text), forums, limit, also=own)
        results = []
        async with self._db.session() as session:
            for hit in hits:
                question = await question_by_id(session, hit.question_id)
                if question is None:
                    continue
                answer = await first_answer(session, question)
                forum = await forum_by_id(session, question.forum_id)
                results.append((*public_view(question, answer), forum.key if forum else ""))
        return results

    async def faq(self, forum: Forum) -> list[tuple[Question, Answer | None]]:
        """The forum's FAQ: promoted questions with their first answer."""
        async with self._db.session() as session:
            return [public_view(question, await first_answer(session, question))
                    for question in await faq_questions(session, int(forum.id or 0))]

    async def promote(self, question_id: int, *, by: Person) -> str:
        """Put an answered question into its forum's FAQ: "added", "unanswered", "unknown"."""
        async with self._db.session() as session:
            question = await question_by_id(session, question_id)
            if question is None:
                return "unknown"
            if not await is_answered(session, question):  # an FAQ entry without an answer
                return "unanswered"                       # helps nobody
            await set_faq(session, question)
            await self.changed(session)
            await audit(session, actor=f"person:{by.id}", action="forum.faq",
                        target=f"question:{question_id}")
            await session.commit()
        return "added"
