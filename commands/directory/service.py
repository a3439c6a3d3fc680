"""The directory as the core uses it: a fresh index, questions in, answers out."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import date

from commands.clock import WARSAW, Clock
from commands.directory.answers import AnswerState, DirectoryAnswers
from commands.directory.index import DirectoryIndex, TopicMatcherCache
from commands.directory.language import Morphology
from commands.directory.matching import TopicDefinition
from commands.directory.query import DirectoryQuery, parse_query
from commands.directory.register import shipped_register
from commands.model import OutboundMessage
from commands.texts import t
from store.db import Database
from store.directory import directory_version, load_index_data


class DirectoryService:
    """Keeps an in-memory index in step with the database and answers from it.

    The database version is polled at most every ``refresh_seconds``, so several instances
    pick up each other's imports and edits quickly without a query on every question.
    """

    def __init__(
        self,
        *,
        db: Database,
        morphology: Morphology,
        thesaurus: list[TopicDefinition],
        clock: Clock,
        stale_after_months: int = 6,
        refresh_seconds: float = 2.0,
        on_rebuilt: Callable[[], object] | None = None,
    ) -> None:
        self._db = db
        # Called after the index was rebuilt because the directory changed (the composition
        # root settles the heap there: the old index's objects go, the new ones stay long).
        self._on_rebuilt = on_rebuilt
        self.morphology = morphology
        self.thesaurus = thesaurus
        self._clock = clock
        self._matchers = TopicMatcherCache(morphology, thesaurus)
        self.answers = DirectoryAnswers(stale_after_months=stale_after_months)
        self._refresh_seconds = refresh_seconds
        self._index: DirectoryIndex | None = None
        self._checked_at = 0.0
        self._lock = asyncio.Lock()

    def invalidate(self) -> None:
        """Reload on next use (after a write made by this instance)."""
        self._checked_at = 0.0

    @property
    def built(self) -> bool:
        """The in-memory index exists (built at start-up or by the first question)."""
        return self._index is not None

    async def index(self) -> DirectoryIndex:
        """The current index, reloaded if the directory changed."""
        if self._index is not None and time.monotonic() - self._checked_at < self._refresh_seconds:
            return self._index
        async with self._lock:
            if self._index is not None and (
                time.monotonic() - self._checked_at < self._refresh_seconds
            ):
                return self._index
            async with self._db.session() as session:
                version = await directory_version(session)
                if self._index is None or self._index.version != version:
                    if self._index is None:
                        # The country's register (read once per process): off the event loop,
                        # so the first question does not stall every other conversation.
                        await asyncio.to_thread(shipped_register)
                    previous = self._index
                    data = await load_index_data(session)
                    matcher = self._matchers.matcher(data.topics, data.synonyms)
                    self._index = DirectoryIndex(
                        data, topic_matcher=matcher, morphology=self.morphology,
                        related=self._matchers.related(data.topics),
                    )
                    if previous is not None and self._on_rebuilt is not None:
                        self._on_rebuilt()
            self._checked_at = time.monotonic()
            return self._index

    def today(self) -> date:
        """Today's date in Warsaw (staleness is counted in local days)."""
        return self._clock.now().astimezone(WARSAW).date()

    async def parse(self, text: str) -> DirectoryQuery:
        """Understand a question."""
        return parse_query(text, await self.index())

    async def ask(self, text: str, *, lang: str) -> list[OutboundMessage]:
        """Answer a question written by a person: a message per gmina it names (each pages
        on its own), and one naming the gminy the directory does not have."""
        index = await self.index()
        return self.answers.answer_all(index, parse_query(text, index), lang=lang,
                                       today=self.today())

    async def page(self, value: str, *, lang: str) -> OutboundMessage:
        """Answer a page or choice button."""
        try:
            state = AnswerState.decode(value)
        except ValueError:
            return OutboundMessage(text=t(lang, "error.stale_button"), lang=lang)
        return self.answers.page(await self.index(), state, lang=lang, today=self.today())
