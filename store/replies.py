"""Replies, edits and deletions in the outbox: what an adapter could not hand to its platform
at once is written here and sent by the delivery worker when the platform is back.

A row's payload is the message as :func:`commands.model.message_to_json` writes it, with
three more keys that :func:`commands.model.message_from_json` ignores: ``op`` (``send``,
``edit`` or ``delete``), ``message_id`` (the platform's id of the message to edit or delete)
and ``asked_at`` (when the person asked: a reply older than ``[delivery]
reply_max_age_seconds`` is replaced by a notice).

Replies of one conversation go out in the order they were written: a reply row is claimed
only when no earlier reply row of its conversation is still pending or being sent
(:data:`REPLY_KIND`, see :mod:`store.outbox`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, cast
from uuid import uuid4

from sqlalchemy import func, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from commands.model import ConversationRef, OutboundMessage, SentMessage, message_to_json
from commands.ports import Messenger, Rejected
from store.db import Database
from store.models import Delivery, DeliveryState
from store.outbox import ORDERED_KIND, NewDelivery, conversation_key, enqueue


class AnswersInChain(Protocol):
    """A messenger whose ``send`` can answer a given message (Telegram, Teams): the hook an
    adapter sets with :attr:`Outgoing.reply_to` — only an adapter whose messenger is one."""

    async def send(self, ref: ConversationRef, message: OutboundMessage, *,
                   reply_to: str | None = None) -> SentMessage:
        """Send ``message`` into ``ref`` as an answer to ``reply_to``."""
        ...


REPLY_KIND = ORDERED_KIND  # an answer to a person's message or button press
SEND, EDIT, DELETE = "send", "edit", "delete"


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One thing to do on a platform: post ``message``, replace message ``message_id`` with
    it, or delete ``message_id`` (``message`` is then what replaces it where deleting is
    refused or impossible)."""

    message: OutboundMessage
    op: str = SEND
    message_id: str = ""
    reply_to: str = ""  # a platform hook: the message a send answers (see ``perform``)


@dataclass(frozen=True, slots=True)
class Envelope:
    """What a row's payload says besides the message."""

    op: str = SEND
    message_id: str = ""
    asked_at: datetime | None = None
    reply_to: str = ""


def payload_of(outgoing: Outgoing, *, asked_at: datetime | None = None) -> str:
    """The outbox payload of ``outgoing``."""
    data = json.loads(message_to_json(outgoing.message))
    data["op"] = outgoing.op
    data["message_id"] = outgoing.message_id
    if outgoing.reply_to:
        data["answer_to"] = outgoing.reply_to
    if asked_at is not None:
        data["asked_at"] = asked_at.isoformat()
    return json.dumps(data, ensure_ascii=False)


def envelope_of(payload: str) -> Envelope:
    """Read the keys :func:`payload_of` added (defaults for rows written without them)."""
    data = json.loads(payload)
    asked = data.get("asked_at")
    return Envelope(op=str(data.get("op") or SEND), message_id=str(data.get("message_id") or ""),
                    asked_at=datetime.fromisoformat(asked) if asked else None,
                    reply_to=str(data.get("answer_to") or ""))


def rows_for(ref: ConversationRef, items: list[Outgoing], *, kind: str, key: str,
             now: datetime, asked_at: datetime | None = None, account_id: int | None = None,
             source: str = "") -> list[NewDelivery]:
    """Outbox rows for ``items`` (in their order), due now; ``key`` makes them unique."""
    return [
        NewDelivery(dedupe_key=f"{kind}:{key}:{index}:{uuid4().hex}", kind=kind,
                    platform=ref.platform.value, target=ref.to_json(),
                    payload=payload_of(item, asked_at=asked_at), not_before=now,
                    source=source, account_id=account_id)
        for index, item in enumerate(items)
    ]


async def queue_replies(db: Database, ref: ConversationRef, items: list[Outgoing], *,
                        event_id: str, now: datetime) -> int:
    """Write ``items`` (the rest of a reply the platform did not take) to the outbox, in
    order; the commit wakes the worker. Returns the rows written."""
    if not items:
        return 0
    async with db.session() as session:
        written = await enqueue(session, rows_for(ref, items, kind=REPLY_KIND, key=event_id,
                                                  now=now, asked_at=now))
        await session.commit()
    return written


async def replies_waiting(db: Database, ref: ConversationRef) -> bool:
    """Whether replies to ``ref`` wait in the outbox (a newer one must queue behind them)."""
    async with db.session() as session:
        waiting = await session.scalar(
            select(func.count()).select_from(Delivery).where(
                Delivery.platform == ref.platform.value,  # type: ignore[arg-type]
                Delivery.conversation_key == conversation_key(ref.to_json()),  # type: ignore[arg-type]
                Delivery.kind == REPLY_KIND,  # type: ignore[arg-type]
                Delivery.state.in_(  # type: ignore[attr-defined]
                    (DeliveryState.PENDING.value, DeliveryState.SENDING.value)),
            ))
    return bool(waiting)


async def conversations_waiting(db: Database, platform: str) -> set[str]:
    """The keys of ``platform``'s conversations with replies waiting in the outbox (read once
    when an adapter starts answering: rows an earlier process queued)."""
    async with db.session() as session:
        keys = await session.scalars(
            select(Delivery.conversation_key).distinct().where(
                Delivery.platform == platform,  # type: ignore[arg-type]
                Delivery.kind == REPLY_KIND,  # type: ignore[arg-type]
                Delivery.state.in_(  # type: ignore[attr-defined]
                    (DeliveryState.PENDING.value, DeliveryState.SENDING.value)),
            ))
    return set(keys)


async def miss_older_replies(session: AsyncSession, *, platform: str, key: str,
                             asked_before: datetime, except_id: int) -> int:
    """A reply came too late and its conversation gets one notice instead: the other pending
    replies of that conversation that are as old are dropped with it (one notice, not one per
    reply). Returns how many."""
    rows = (await session.execute(
        select(Delivery.id, Delivery.payload).where(
            Delivery.platform == platform,  # type: ignore[arg-type]
            Delivery.conversation_key == key,  # type: ignore[arg-type]
            Delivery.kind == REPLY_KIND,  # type: ignore[arg-type]
            Delivery.state == DeliveryState.PENDING.value,  # type: ignore[arg-type]
            Delivery.id != except_id,  # type: ignore[arg-type]
        ))).all()
    old = []
    for row_id, payload in rows:
        asked = envelope_of(payload).asked_at
        if asked is not None and asked <= asked_before:
            old.append(row_id)
    if not old:
        return 0
    result = await session.execute(
        update(Delivery).where(Delivery.id.in_(old))  # type: ignore[union-attr]
        .values(state=DeliveryState.MISSED.value, reason="replaced by the late-reply notice"))
    await session.commit()
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


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
