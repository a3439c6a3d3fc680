"""An answer edited or deleted where it was written: its copies follow (those still queued
are rewritten or cancelled here; those sent are changed on the messengers by
:mod:`commands.forums.relay`), and the archive's words are recomputed."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from commands.clock import Clock
from commands.directory.language import Morphology
from commands.forums.archive import search_terms
from commands.forums.relay import AnswerRelay, Copy, with_text
from commands.forums.searching import ArchiveSearch
from commands.model import (
    ConversationKind,
    ConversationRef,
    MessageDeleted,
    MessageEdited,
    message_from_json,
    message_to_json,
)
from store.db import Database
from store.forum_copies import pending_copies, rewrite_pending, sent_copies
from store.forum_questions import (
    answer_at,
    answer_texts,
    delete_answer,
    edit_answer,
    question_by_id,
    set_search_terms,
)
from store.outbox import cancel_pending


class AnswerChanges:
    """Edits and deletions of answers, followed everywhere the answer went."""

    def __init__(self, *, db: Database, clock: Clock, morphology: Morphology,
                 archive: ArchiveSearch, relay: AnswerRelay) -> None:
        self._db = db
        self._clock = clock
        self._morphology = morphology
        self._archive = archive
        self._relay = relay

    async def on_edit(self, event: MessageEdited) -> bool:
        """An answer was edited where it was written: edit its copies everywhere."""
        async with self._db.session() as session:
            answer = await answer_at(session, event.platform.value, event.conversation.key,
                                     event.message_id)
            if answer is None:
                return False
            await edit_answer(session, answer, event.text, self._clock.now())
            # Copies not sent yet go out with the new text (the worker reads the payload when
            # it claims a row); those sent are edited below.
            for row_id, payload in await pending_copies(session, int(answer.id or 0)):
                await rewrite_pending(session, row_id, message_to_json(
                    with_text(message_from_json(payload), answer)))
            copies = await _sent(session, int(answer.id or 0))
            # an earlier edit still waiting in the outbox must not overwrite this one
            await cancel_pending(session, source=f"answer-edit:{answer.id}")
            await self._reindex(session, answer.question_id)
            await session.commit()
        await self._relay.edit_copies(copies, answer)
        return True

    async def on_delete(self, event: MessageDeleted) -> bool:
        """An answer was deleted where it was written: remove its copies everywhere."""
        async with self._db.session() as session:
            answer = await answer_at(session, event.platform.value, event.conversation.key,
                                     event.message_id)
            if answer is None:
                return False
            await delete_answer(session, answer)
            await cancel_pending(session, source=f"answer:{answer.id}")  # never sent now
            await cancel_pending(session, source=f"answer-edit:{answer.id}")
            copies = await _sent(session, int(answer.id or 0))
            await self._reindex(session, answer.question_id)
            await session.commit()
        await self._relay.remove_copies(copies, answer)
        return True

    async def _reindex(self, session: AsyncSession, question_id: int) -> None:
        """Search words from the question and its answers as they are now (an edit or a
        deletion takes words away, so they are recomputed rather than added to)."""
        question = await question_by_id(session, question_id)
        if question is None:
            return
        answers = await answer_texts(session, question_id)
        await set_search_terms(session, question,
                               search_terms(self._morphology, [question.text, *answers]))
        await self._archive.changed(session)


async def _sent(session: AsyncSession, answer_id: int) -> list[Copy]:
    """The answer's copies sent, each where it is now."""
    copies = []
    for target, message_id, payload in await sent_copies(session, answer_id):
        ref, message = ConversationRef.from_json(target), message_from_json(payload)
        if message.reply_to and ref.kind == ConversationKind.CHANNEL and not ref.thread_id:
            # In a channel a reply lives in its root's thread (Slack, Teams); the outbox
            # keeps the target the copy was sent to, the thread is its reply_to.
            ref = ref.in_thread(message.reply_to)
        copies.append((ref, message_id, message))
    return copies
