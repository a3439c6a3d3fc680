"""Reply rows of the outbox, as the store sees them: platform strings, stored JSON, row ids.

A row's payload is a message as :func:`commands.model.message_to_json` writes it, with a few
more keys that :func:`commands.model.message_from_json` ignores
(:func:`payload_with_envelope`):
``op`` (``send``, ``edit`` or ``delete``), ``message_id`` (the platform's id of the message to
edit or delete), ``answer_to`` (the message a send answers in its chain) and ``asked_at``
(when the person asked: a reply older than ``[delivery] reply_max_age_seconds`` is replaced
by a notice). Turning messages into payloads and back is the delivery path's
(:mod:`scheduler.sending`); the store keeps to primitives.

Replies of one conversation go out in the order they were written: a reply row is claimed
only when no earlier reply row of its conversation is still pending or being sent
(:data:`REPLY_KIND`, see :mod:`store.outbox`: ``insert_replies`` and ``_in_turn``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from store.db import affected_rows
from store.models import Delivery, DeliveryState
from store.outbox import ORDERED_KIND

REPLY_KIND = ORDERED_KIND  # an answer to a person's message or button press
SEND, EDIT, DELETE = "send", "edit", "delete"


@dataclass(frozen=True, slots=True)
class Envelope:
    """What a row's payload says besides the message."""

    op: str = SEND
    message_id: str = ""
    asked_at: datetime | None = None
    reply_to: str = ""


def payload_with_envelope(message_data: dict[str, Any], envelope: Envelope) -> str:
    """The outbox payload from the message's data before it became JSON (one encoding, not
    three: this runs for every reply); ``message_data`` gets the envelope's keys."""
    data = message_data
    data["op"] = envelope.op
    data["message_id"] = envelope.message_id
    if envelope.reply_to:
        data["answer_to"] = envelope.reply_to
    if envelope.asked_at is not None:
        data["asked_at"] = envelope.asked_at.isoformat()
    return json.dumps(data, ensure_ascii=False)


def envelope_of(payload: str) -> Envelope:
    """Read the keys :func:`payload_with_envelope` added (defaults for rows written without
    them)."""
    data = json.loads(payload)
    asked = data.get("asked_at")
    return Envelope(op=str(data.get("op") or SEND), message_id=str(data.get("message_id") or ""),
                    asked_at=datetime.fromisoformat(asked) if asked else None,
                    reply_to=str(data.get("answer_to") or ""))


async def miss_older_replies(session: AsyncSession, *, platform: str, key: str,
                             asked_before: datetime, except_id: int) -> int:
    """A reply came too late and its conversation gets one notice instead: the other pending
    replies of that conversation that are as old are dropped with it (one notice, not one per
    reply). Returns how many."""
    rows = (await session.execute(
        select(col(Delivery.id), col(Delivery.payload)).where(
            col(Delivery.platform) == platform,
            col(Delivery.conversation_key) == key,
            col(Delivery.kind) == REPLY_KIND,
            col(Delivery.state) == DeliveryState.PENDING.value,
            col(Delivery.id) != except_id,
        ))).all()
    old = []
    for row_id, payload in rows:
        asked = envelope_of(payload).asked_at
        if asked is not None and asked <= asked_before:
            old.append(row_id)
    if not old:
        return 0
    result = await session.execute(
        update(Delivery).where(col(Delivery.id).in_(old))
        .values(state=DeliveryState.MISSED.value, reason="replaced by the late-reply notice"))
    await session.commit()
    return affected_rows(result)
