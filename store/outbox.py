"""The outbox: rows written before anything is sent, claimed by workers, settled after sending.

Claiming is safe with several service instances on one PostgreSQL: ``FOR UPDATE SKIP LOCKED``
hands each due row to exactly one worker; a lease (``claimed_until``) returns rows of a worker
that died to the pool. SQLite has a single writer, so the same statement is atomic there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel.ext.asyncio.session import AsyncSession

from commands.model import ConversationRef
from store.models import Delivery, DeliveryState


@dataclass(frozen=True, slots=True)
class NewDelivery:
    """A delivery to create. ``dedupe_key`` makes producing it twice harmless."""

    dedupe_key: str
    kind: str
    platform: str
    target: str
    payload: str
    not_before: datetime
    source: str = ""
    person_id: int | None = None
    account_id: int | None = None
    useful_until: datetime | None = None


async def enqueue(session: AsyncSession, deliveries: list[NewDelivery]) -> int:
    """Insert deliveries, skipping any whose ``dedupe_key`` exists; returns rows inserted."""
    if not deliveries:
        return 0
    rows = [
        {
            "dedupe_key": d.dedupe_key[:300], "kind": d.kind, "source": d.source[:100],
            "person_id": d.person_id, "account_id": d.account_id, "platform": d.platform,
            "target": d.target, "conversation_key": _conversation_key(d.target),
            "payload": d.payload, "state": DeliveryState.PENDING.value,
            "not_before": d.not_before, "useful_until": d.useful_until, "attempts": 0,
            "claimed_by": "", "message_id": "", "reason": "", "created_at": func.now(),
        }
        for d in deliveries
    ]
    dialect = session.bind.dialect.name if session.bind else "sqlite"
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    inserted = 0
    for start in range(0, len(rows), 500):
        statement = (
            insert(Delivery).values(rows[start : start + 500])
            .on_conflict_do_nothing(index_elements=["dedupe_key"])
            .returning(Delivery.id)  # only rows really inserted come back
        )
        result = await session.execute(statement)
        inserted += len(result.all())
    return inserted


async def claim_due(
    session: AsyncSession, *, now: datetime, worker: str, limit: int, lease: timedelta
) -> list[Delivery]:
    """Take up to ``limit`` due rows for ``worker`` (and rows whose lease ran out)."""
    due = or_(
        and_(Delivery.state == DeliveryState.PENDING.value, Delivery.not_before <= now),  # type: ignore[arg-type]
        and_(Delivery.state == DeliveryState.SENDING.value, Delivery.claimed_until < now),  # type: ignore[arg-type,operator]
    )
    chosen = (
        select(Delivery.id)
        .where(due)
        .order_by(Delivery.not_before, Delivery.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    result = await session.execute(
        update(Delivery)
        .where(Delivery.id.in_(chosen))  # type: ignore[union-attr]
        .values(state=DeliveryState.SENDING.value, claimed_by=worker,
                claimed_until=now + lease)
        .returning(Delivery)
    )
    claimed = list(result.scalars())
    await session.commit()
    return sorted(claimed, key=lambda d: (d.not_before, d.id or 0))


async def settle(
    session: AsyncSession,
    delivery_id: int,
    *,
    worker: str,
    state: DeliveryState,
    now: datetime,
    message_id: str = "",
    reason: str = "",
    not_before: datetime | None = None,
    attempts: int | None = None,
    target: str | None = None,
) -> bool:
    """Record the outcome of a send; only the worker holding the claim may. False if lost."""
    values: dict[str, object] = {"state": state.value, "reason": reason[:300]}
    if state == DeliveryState.SENT:
        values |= {"sent_at": now, "message_id": message_id[:300]}
    if not_before is not None:
        values["not_before"] = not_before
    if attempts is not None:
        values["attempts"] = attempts
    if target is not None:
        values["target"] = target
    if state != DeliveryState.SENDING:
        values |= {"claimed_by": "", "claimed_until": None}
    result = await session.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id, Delivery.claimed_by == worker)  # type: ignore[arg-type]
        .values(**values)
    )
    await session.commit()
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def cancel_pending(session: AsyncSession, *, source: str) -> int:
    """Cancel every not-yet-sent delivery of ``source`` (an event changed, a reminder was
    cancelled)."""
    result = await session.execute(
        update(Delivery)
        .where(Delivery.source == source,  # type: ignore[arg-type]
               Delivery.state == DeliveryState.PENDING.value)  # type: ignore[arg-type]
        .values(state=DeliveryState.CANCELLED.value)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def state_counts(session: AsyncSession, *, source: str) -> dict[str, int]:
    """How many deliveries of ``source`` are in each state."""
    rows = await session.execute(
        select(Delivery.state, func.count()).where(Delivery.source == source)  # type: ignore[arg-type]
        .group_by(Delivery.state)
    )
    return {str(state): int(count) for state, count in rows}


def _conversation_key(target: str) -> str:
    return ConversationRef.from_json(target).key[:400]
