"""The one way a reply leaves an adapter: straight to the platform, or through the outbox.

A reply (an answer to a person's message or button press) is handed to the platform at once,
tried once: the happy path costs no database write and no added latency. What the platform
does not take (5xx, timeouts, a reset connection) is written to the outbox, in order, and the
delivery worker sends it when the platform is back — or, once it is older than ``[delivery]
reply_max_age_seconds``, tells the person instead. While replies of a conversation wait
there, newer ones queue behind them, so a conversation's answers never overtake each other.

The platform hooks stay with the adapters: what they pass here is already in the form the
messenger sends (a Telegram quote is the message's ``reply_to``, a Slack thread the
reference's thread, a button's message the ``message_id`` of an edit).
"""

from __future__ import annotations

import logging

from commands.clock import Clock
from commands.model import ConversationRef
from commands.ports import DeliveryError, Messenger, Rejected, Unreachable
from store.db import Database
from store.replies import (
    Envelope,
    Outgoing,
    conversations_waiting,
    perform,
    queue_replies,
    replies_waiting,
)

log = logging.getLogger(__name__)


class ReplyPath:
    """Sends replies through ``messenger`` (one that does not retry by itself: a failure
    goes to the outbox rather than holding the next update of the chat for seconds)."""

    def __init__(self, *, db: Database, clock: Clock, messenger: Messenger) -> None:
        self._db = db
        self._clock = clock
        self._messenger = messenger
        # Conversations that may have replies waiting in the outbox: those this process queued
        # for, and those with rows queued before it started (read once, at the first reply).
        # Only these need a look before a reply goes straight out: the happy path reads
        # nothing.
        self._queued: set[str] = set()
        self._loaded = False

    async def deliver(self, ref: ConversationRef, items: list[Outgoing], *,
                      event_id: str) -> None:
        """Send ``items`` in order; whatever the platform does not take now goes out later."""
        if not items:
            return
        if await self._behind_queue(ref):
            await self._queue(ref, items, event_id=event_id)
            return
        for index, item in enumerate(items):
            try:
                await perform(self._messenger, ref, item.message,
                              Envelope(item.op, item.message_id, reply_to=item.reply_to),
                              resend=True)
            except Unreachable as exc:  # blocked, left: nobody to answer (the messenger
                log.info("%s reply to %s not delivered: %s",  # has recorded it)
                         ref.platform.value, ref.conversation_id, exc.reason)
                return
            except Rejected as exc:  # this message cannot be sent; the next ones may
                log.warning("%s reply to %s refused: %s", ref.platform.value,
                            ref.conversation_id, exc.reason)
            except (DeliveryError, TimeoutError, OSError) as exc:
                log.info("%s reply to %s not taken now (%s): queued in the outbox",
                         ref.platform.value, ref.conversation_id,
                         getattr(exc, "reason", type(exc).__name__))
                await self._queue(ref, items[index:], event_id=event_id)
                return

    async def _behind_queue(self, ref: ConversationRef) -> bool:
        key = ref.key
        if not self._loaded:
            try:
                self._queued |= await conversations_waiting(self._db, ref.platform.value)
                self._loaded = True
            except Exception:  # the database is away: look again at the next reply
                log.warning("could not look for queued replies", exc_info=True)
        if key not in self._queued:
            return False
        try:
            waiting = await replies_waiting(self._db, ref)
        except Exception:  # the database is away: do not block the answer on it
            log.warning("could not look for queued replies of %s", ref.conversation_id,
                        exc_info=True)
            return False
        if not waiting:
            self._queued.discard(key)
        return waiting

    async def _queue(self, ref: ConversationRef, items: list[Outgoing], *,
                     event_id: str) -> None:
        try:
            await queue_replies(self._db, ref, items, event_id=event_id,
                                now=self._clock.now())
        except Exception:
            log.error("%d replies to %s lost: neither the platform nor the database took "
                      "them", len(items), ref.conversation_id, exc_info=True)
            return
        self._queued.add(ref.key)
