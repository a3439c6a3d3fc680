"""Relayed answers changed after they went out: the copies of an edited answer are edited,
those of a deleted one removed, on each messenger that carries one.

Through the one way out (:class:`commands.ports.Outbound`): each change is an outbox row
(``relay-edit``, source ``answer-edit:<id>``), sent at once; a platform away at the time gets
it from the delivery worker when it is back, and a newer edit cancels an older one still
queued.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import replace

from commands.clock import Clock
from commands.model import ConversationRef, OutboundMessage
from commands.ports import DELETE, EDIT, Messenger, Outbound, OutboundKind, Outgoing, Planned
from commands.texts import PLATFORM_NAMES, t
from store.db import Database
from store.forum_models import Answer

log = logging.getLogger(__name__)

Copy = tuple[ConversationRef, str, OutboundMessage]
"""A sent copy of an answer: where it is, its platform message id, what it said."""


class AnswerRelay:
    """Edits and removes the sent copies of an answer on the messengers.

    ``outbound`` is the way out (the composition root hands it to ForumService). Without it,
    changes are not relayed (logged)."""

    def __init__(self, *, db: Database, clock: Clock, messengers: Mapping[str, Messenger],
                 outbound: Outbound | None = None) -> None:
        self._db = db
        self._clock = clock
        self._messengers = messengers
        self.outbound = outbound

    async def edit_copies(self, copies: list[Copy], answer: Answer) -> None:
        """Bring every sent copy of ``answer`` up to its current text."""
        await self._change(answer, [
            Planned(ref, Outgoing(with_text(original, answer), EDIT, message_id))
            for ref, message_id, original in copies if self._can(ref, "edit")])

    async def remove_copies(self, copies: list[Copy], answer: Answer) -> None:
        """Delete every sent copy of ``answer`` (or, where that is not possible, replace its
        text with a note that it was deleted)."""
        await self._change(answer, [
            Planned(ref, Outgoing(OutboundMessage(text=t(original.lang, "q.answer_deleted"),
                                                  lang=original.lang), DELETE, message_id))
            for ref, message_id, original in copies if self._can(ref, "delete")])

    def _can(self, ref: ConversationRef, change: str) -> bool:
        messenger = self._messengers.get(ref.platform.value)
        if messenger is None:
            return False
        capabilities = messenger.capabilities
        return capabilities.edit or (change == "delete" and capabilities.delete)

    async def _change(self, answer: Answer, planned: list[Planned]) -> None:
        if not planned:
            return
        if self.outbound is None:
            log.error("answer %s: copies not changed: no outbound path", answer.id)
            return
        await self.outbound.send_now(planned, kind=OutboundKind.RELAY_EDIT,
                                     key=str(answer.id), source=f"answer-edit:{answer.id}")


def with_text(copy: OutboundMessage, answer: Answer) -> OutboundMessage:
    """A copy of an answer brought up to its current text; title, footer, buttons,
    attachments, thread and language stay as they were."""
    if copy.buttons:  # the asker's copy: who answered is its footer
        return replace(copy, text=answer.text)
    header = t(copy.lang, "q.answer_by", author=answer.author_label,
               via=PLATFORM_NAMES.get(answer.platform, answer.platform))
    return replace(copy, text=f"{header}: {answer.text}")
