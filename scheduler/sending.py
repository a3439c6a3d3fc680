"""One outbox row done on a platform, and the conversion between rows and the neutral model.

Shared by the delivery worker (:mod:`scheduler.delivery`) and the immediate sending of
replies (:mod:`scheduler.outbound`): both do a row the same way.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol, cast
from uuid import uuid4

from commands.model import ConversationRef, OutboundMessage, SentMessage, message_to_data
from commands.ports import Messenger, Outgoing, Planned, Rejected
from store.outbox import NewDelivery
from store.replies import DELETE, EDIT, SEND, Envelope, payload_with_envelope


class AnswersInChain(Protocol):
    """A messenger whose ``send`` can answer a given message (Telegram, Teams): the hook an
    adapter sets with :attr:`Outgoing.reply_to` — only an adapter whose messenger is one."""

    async def send(self, ref: ConversationRef, message: OutboundMessage, *,
                   reply_to: str | None = None) -> SentMessage:
        """Send ``message`` into ``ref`` as an answer to ``reply_to``."""
        ...


def payload_of(item: Outgoing, *, asked_at: datetime | None = None) -> str:
    """The outbox payload of ``item``."""
    return payload_with_envelope(message_to_data(item.message),
                                 Envelope(item.op, item.message_id, asked_at, item.reply_to))


def stored_key(ref: ConversationRef) -> str:
    """The conversation's key as the outbox stores it (``store.outbox.conversation_key`` of
    the reference's JSON, without the JSON), cut to the column's length."""
    return ref.key[:400]


def rows_for(planned: list[Planned], *, kind: str, key: str, now: datetime,
             asked_at: datetime | None = None, account_id: int | None = None,
             source: str = "", person_id: int | None = None) -> list[NewDelivery]:
    """Outbox rows for ``planned`` (in their order), due now; ``key`` makes them unique."""
    return [
        NewDelivery(dedupe_key=f"{kind}:{key}:{index}:{uuid4().hex}", kind=kind,
                    platform=p.ref.platform.value, target=p.ref.to_json(),
                    conversation_key=stored_key(p.ref),
                    payload=payload_of(p.item, asked_at=asked_at), not_before=now,
                    source=source, account_id=account_id, person_id=person_id)
        for index, p in enumerate(planned)
    ]


async def perform(messenger: Messenger, ref: ConversationRef, message: OutboundMessage,
                  envelope: Envelope, *, resend: bool) -> str:
    """Do what the row says on the platform; the platform's id of the message concerned.

    An edit the platform refuses (too old, gone) is sent anew when ``resend`` (a reply: the
    person still gets the answer); a deletion it refuses replaces the text with ``message``.
    """
    if envelope.op == SEND:
        if envelope.reply_to:
            answering = cast(AnswersInChain, messenger)
            return (await answering.send(ref, message, reply_to=envelope.reply_to)).message_id
        return (await messenger.send(ref, message)).message_id
    original = SentMessage(ref, envelope.message_id)
    if envelope.op == DELETE and messenger.capabilities.delete:
        try:
            await messenger.delete(original)
            return envelope.message_id
        except Rejected:  # e.g. Telegram: a group message older than 48 hours
            pass
    if envelope.op in (EDIT, DELETE) and messenger.capabilities.edit:
        try:
            await messenger.edit(original, message)
            return envelope.message_id
        except Rejected:
            if not resend:
                raise
    if resend:
        return (await messenger.send(ref, message)).message_id
    raise Rejected(f"{envelope.op} is not possible here")
