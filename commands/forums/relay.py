"""Relayed answers changed after they went out: the copies of an edited answer are edited,
those of a deleted one removed, on each messenger that carries one.

A platform away at the time gets the change through the outbox (``relay-edit`` rows), which
does it when the platform is back; a newer edit cancels an older one still queued.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import replace

from commands.clock import Clock
from commands.model import ConversationRef, OutboundMessage, SentMessage
from commands.ports import DeliveryError, Messenger, Rejected, Unreachable
from commands.texts import PLATFORM_NAMES, t
from store.db import Database
from store.forum_models import Answer
from store.outbox import enqueue
from store.replies import DELETE, EDIT, Outgoing, rows_for

log = logging.getLogger(__name__)

Copy = tuple[ConversationRef, str, OutboundMessage]
"""A sent copy of an answer: where it is, its platform message id, what it said."""


class AnswerRelay:
    """Edits and removes the sent copies of an answer on the messengers."""

    def __init__(self, *, db: Database, clock: Clock,
                 messengers: Mapping[str, Messenger]) -> None:
        self._db = db
        self._clock = clock
        self._messengers = messengers

    async def edit_copies(self, copies: list[Copy], answer: Answer) -> None:
        """Bring every sent copy of ``answer`` up to its current text."""
        for ref, message_id, original in copies:
            await self._edit(ref, message_id, with_text(original, answer), int(answer.id or 0))

    async def remove_copies(self, copies: list[Copy], answer: Answer) -> None:
        """Delete every sent copy of ``answer`` (or, where that is not possible, replace its
        text with a note that it was deleted)."""
        for ref, message_id, original in copies:
            messenger = self._messengers.get(ref.platform.value)
            if messenger is None:
                continue
            sent = SentMessage(ref, message_id)
            gone = OutboundMessage(text=t(original.lang, "q.answer_deleted"), lang=original.lang)
            try:
                if messenger.capabilities.delete:
                    try:
                        await messenger.delete(sent)
                        continue
                    except Rejected:  # e.g. Telegram: a group message older than 48 hours
                        pass
                await messenger.edit(sent, gone)
            except (Rejected, Unreachable) as exc:
                log.info("answer %s: a copy was not removed (%s)", answer.id, exc.reason)
            except DeliveryError as exc:  # the platform is away: the outbox does it later
                log.info("answer %s: a copy not removed yet (%s)", answer.id, exc.reason)
                await self._later(ref, Outgoing(gone, DELETE, message_id), int(answer.id or 0))

    async def _edit(self, ref: ConversationRef, message_id: str,
                    message: OutboundMessage, answer_id: int) -> None:
        messenger = self._messengers.get(ref.platform.value)
        if messenger is None or not messenger.capabilities.edit:
            return
        try:
            await messenger.edit(SentMessage(ref, message_id), message)
        except (Rejected, Unreachable) as exc:
            log.info("a relayed copy was not edited (%s)", exc.reason)
        except DeliveryError as exc:  # the platform is away: the outbox does it later
            log.info("a relayed copy not edited yet (%s)", exc.reason)
            await self._later(ref, Outgoing(message, EDIT, message_id), answer_id)

    async def _later(self, ref: ConversationRef, item: Outgoing, answer_id: int) -> None:
        """An edit or deletion the platform did not take now: through the outbox, which does
        it when the platform is back (a newer edit cancels it)."""
        async with self._db.session() as session:
            await enqueue(session, rows_for(ref, [item], kind="relay-edit", key=str(answer_id),
                                            now=self._clock.now(),
                                            source=f"answer-edit:{answer_id}"))
            await session.commit()


def with_text(copy: OutboundMessage, answer: Answer) -> OutboundMessage:
    """A copy of an answer brought up to its current text; title, footer, buttons,
    attachments, thread and language stay as they were."""
    if copy.buttons:  # the asker's copy: who answered is its footer
        return replace(copy, text=answer.text)
    header = t(copy.lang, "q.answer_by", author=answer.author_label,
               via=PLATFORM_NAMES.get(answer.platform, answer.platform))
    return replace(copy, text=f"{header}: {answer.text}")
