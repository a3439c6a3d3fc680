"""The outbox: rows written before anything is sent, claimed by workers, settled after sending.

Claiming is safe with several service instances on one PostgreSQL: ``FOR UPDATE SKIP LOCKED``
hands each due row to exactly one worker; a lease (``claimed_until``) returns rows of a worker
that died to the pool. SQLite has a single writer, so the same statement is atomic there.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import (
    ColumnElement,
    and_,
    bindparam,
    case,
    delete,
    exists,
    func,
    insert,
    null,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import aliased
from sqlalchemy.sql.expression import Executable
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from store.db import OUTBOX_WRITTEN, affected_rows, table_of
from store.models import Delivery, DeliveryState

ORDERED_KIND = "reply"  # rows of this kind go out one after another per conversation


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
    conversation_key: str = ""  # :func:`conversation_key` of ``target``, if already known


async def enqueue(session: AsyncSession, deliveries: list[NewDelivery]) -> int:
    """Insert deliveries, skipping any whose ``dedupe_key`` exists; returns rows inserted.

    ``INSERT … ON CONFLICT (dedupe_key) DO NOTHING RETURNING id``, all rows at once: on
    PostgreSQL as one statement over arrays, on SQLite as one executemany (SQLAlchemy compiles
    it once). Only rows really inserted come back, so the count is exact.
    """
    if not deliveries:
        return 0
    rows = [
        {
            "dedupe_key": d.dedupe_key[:300], "kind": d.kind, "source": d.source[:100],
            "person_id": d.person_id, "account_id": d.account_id, "platform": d.platform,
            "target": d.target, "conversation_key": conversation_key(d.target),
            "payload": d.payload, "state": DeliveryState.PENDING.value,
            "not_before": d.not_before, "useful_until": d.useful_until, "attempts": 0,
            "claimed_by": "", "message_id": "", "reason": "",
        }
        for d in deliveries
    ]
    dialect = session.bind.dialect.name if session.bind else "sqlite"
    if dialect == "postgresql":
        # One statement with one array per column: an executemany would send thousands of
        # placeholders that the driver parses one by one (most of a large fan-out's write).
        columns = {name: [row[name] for row in rows] for name in _ARRAY_COLUMNS}
        inserted = len((await session.execute(_ENQUEUE_PG, columns)).all())
    else:
        statement = (
            sqlite.insert(Delivery).values(created_at=func.now())
            .on_conflict_do_nothing(index_elements=["dedupe_key"])
            .returning(col(Delivery.id))
        )
        inserted = len((await session.execute(statement, rows)).all())
    if inserted:
        # the worker of this instance hears of the commit and sends what is due at once,
        # instead of at its next tick
        session.info[OUTBOX_WRITTEN] = True
    return inserted


async def insert_claimed(session: AsyncSession, deliveries: list[NewDelivery], *, worker: str,
                         until: datetime) -> list[int]:
    """Insert deliveries already claimed by ``worker`` until ``until`` (it sends them itself,
    at once; should it die, they return to the pool when the lease runs out); their ids, in
    the order given. Nobody is woken: nothing is pending."""
    if not deliveries:
        return []
    table = table_of(Delivery)
    rows = [
        {
            "dedupe_key": d.dedupe_key[:300], "kind": d.kind, "source": d.source[:100],
            "person_id": d.person_id, "account_id": d.account_id, "platform": d.platform,
            "target": d.target, "conversation_key": conversation_key(d.target),
            "payload": d.payload, "state": DeliveryState.SENDING.value,
            "not_before": d.not_before, "useful_until": d.useful_until, "attempts": 0,
            "claimed_by": worker, "claimed_until": until, "message_id": "", "reason": "",
            "created_at": d.not_before,
        }
        for d in deliveries
    ]
    if len(rows) == 1:  # the usual reply: one plain INSERT … RETURNING
        return [int((await session.execute(insert(table).values(rows[0])
                                           .returning(table.c.id))).scalar_one())]
    result = await session.execute(
        insert(table).returning(table.c.id, sort_by_parameter_order=True), rows)
    return [int(row_id) for row_id in result.scalars()]


_REPLY_COLUMNS = ("dedupe_key", "kind", "source", "person_id", "account_id", "platform", "target",
                  "conversation_key", "payload", "not_before", "useful_until", "attempts",
                  "message_id", "reason", "created_at")


@functools.cache
def _insert_reply() -> Executable:
    """The statement :func:`insert_replies` runs, built once: building it and working out its
    cache key were most of a reply's cost in the database (bench/throughput.py)."""
    table = table_of(Delivery)
    earlier = table.alias("earlier")
    waiting = exists().where(
        earlier.c.platform == bindparam("v_platform"),
        earlier.c.conversation_key == bindparam("v_conversation_key"),
        earlier.c.kind == ORDERED_KIND,
        or_(earlier.c.state == DeliveryState.PENDING.value,
            and_(earlier.c.state == DeliveryState.SENDING.value,
                 earlier.c.claimed_by != bindparam("worker"))),
    )
    behind = select(waiting.label("waiting")).subquery("behind")
    chosen = select(
        *(bindparam(f"v_{name}", type_=table.c[name].type) for name in _REPLY_COLUMNS),
        case((behind.c.waiting, DeliveryState.PENDING.value),
             else_=DeliveryState.SENDING.value),
        case((behind.c.waiting, ""), else_=bindparam("worker")),
        case((behind.c.waiting, null()),
             else_=bindparam("until", type_=table.c.claimed_until.type)),
    ).select_from(behind)
    return (insert(table)
            .from_select([*_REPLY_COLUMNS, "state", "claimed_by", "claimed_until"], chosen)
            .returning(table.c.id, table.c.state))


async def insert_replies(session: AsyncSession, deliveries: list[NewDelivery], *,
                         worker: str, until: datetime) -> list[tuple[int, bool]]:
    """Insert reply rows (:data:`ORDERED_KIND`), each deciding in its own statement whether
    it is sent at once: claimed by ``worker`` until ``until`` (``sending``) unless earlier
    replies of its conversation wait — pending, or being sent by anyone but ``worker`` (this
    process sends its own in order) — in which case it is left ``pending`` behind them, for
    the worker, which keeps their order. ``(id, claimed)`` per row, in the order given.

    One ``INSERT … SELECT … RETURNING`` per row (a reply is mostly one row): the look for
    earlier replies rides in the insert, on the (platform, conversation_key) index, so that
    two instances answering one conversation cannot overtake each other.
    """
    statement = _insert_reply()
    decided: list[tuple[int, bool]] = []
    for d in deliveries:
        values = {
            "v_dedupe_key": d.dedupe_key[:300], "v_kind": d.kind, "v_source": d.source[:100],
            "v_person_id": d.person_id, "v_account_id": d.account_id, "v_platform": d.platform,
            "v_target": d.target,
            "v_conversation_key": d.conversation_key or conversation_key(d.target),
            "v_payload": d.payload, "v_not_before": d.not_before,
            "v_useful_until": d.useful_until, "v_attempts": 0, "v_message_id": "",
            "v_reason": "", "v_created_at": d.not_before, "worker": worker, "until": until,
        }
        row = (await session.execute(statement, values)).one()
        claimed = row.state == DeliveryState.SENDING.value
        if not claimed:  # the worker of this instance sends it in turn after the commit
            session.info[OUTBOX_WRITTEN] = True
        decided.append((int(row.id), claimed))
    return decided


async def retake_claims(session: AsyncSession, ids: list[int], *, worker: str,
                        until: datetime) -> set[int]:
    """Extend ``worker``'s lease of those of ``ids`` it still holds and return them (the
    others a worker took over when the lease ran out: they are no longer ``worker``'s to
    send). Rows locked right now are being taken by someone else: not returned."""
    held = await _extend_leases(session, ids, worker=worker, until=until)
    await session.commit()
    return held


_ARRAY_COLUMNS = {  # column: its PostgreSQL type, for the arrays of :func:`enqueue`
    "dedupe_key": "text", "kind": "text", "source": "text", "person_id": "integer",
    "account_id": "integer", "platform": "text", "target": "text", "conversation_key": "text",
    "payload": "text", "not_before": "timestamptz", "useful_until": "timestamptz",
}
_ENQUEUE_PG = text(
    "INSERT INTO delivery (" + ", ".join(_ARRAY_COLUMNS) + ", state, attempts, claimed_by,"
    " message_id, reason, created_at)"
    " SELECT " + ", ".join(f"new.{name}" for name in _ARRAY_COLUMNS)
    + f", '{DeliveryState.PENDING.value}', 0, '', '', '', now()"
    " FROM unnest(" + ", ".join(f"CAST(:{name} AS {kind}[])"
                                for name, kind in _ARRAY_COLUMNS.items())
    + ") AS new(" + ", ".join(_ARRAY_COLUMNS) + ")"
    " ON CONFLICT (dedupe_key) DO NOTHING RETURNING id"
)


async def claim_due(
    session: AsyncSession, *, now: datetime, worker: str, limit: int, lease: timedelta
) -> list[Delivery]:
    """Take up to ``limit`` due rows for ``worker`` (and rows whose lease ran out)."""
    due = or_(
        and_(col(Delivery.state) == DeliveryState.PENDING.value, col(Delivery.not_before) <= now),
        and_(col(Delivery.state) == DeliveryState.SENDING.value, col(Delivery.claimed_until) < now),
    )
    chosen = (
        select(col(Delivery.id))
        .where(due, _in_turn())
        .order_by(col(Delivery.not_before), col(Delivery.id))
        .limit(limit)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    result = await session.execute(
        update(Delivery)
        .where(col(Delivery.id).in_(chosen))
        .values(state=DeliveryState.SENDING.value, claimed_by=worker,
                claimed_until=now + lease)
        .returning(Delivery)
    )
    claimed = list(result.scalars())
    await session.commit()
    return sorted(claimed, key=lambda d: (d.not_before, d.id or 0))


async def read_due(session: AsyncSession, *, until: datetime, limit: int,
                   after_id: int = 0) -> list[Delivery]:
    """Pending rows due by ``until`` with ids above ``after_id`` (a page; pass the last id to
    get the next), without claiming them: a worker reads ahead what falls due in a moment,
    then claims it with :func:`claim_ids` when it does."""
    result = await session.execute(
        select(Delivery)
        .where(col(Delivery.state) == DeliveryState.PENDING.value,
               col(Delivery.not_before) <= until,
               col(Delivery.id) > after_id)
        .order_by(col(Delivery.id))
        .limit(limit)
    )
    return list(result.scalars())


class ClaimedRow(Protocol):
    """What :func:`claim_ids` returns of each row: its content as of the claim."""

    id: int
    platform: str
    target: str
    payload: str
    account_id: int | None
    not_before: datetime
    useful_until: datetime | None
    attempts: int


async def claim_ids(
    session: AsyncSession, ids: list[int], *, now: datetime, worker: str, lease: timedelta
) -> dict[int, ClaimedRow]:
    """Claim those of ``ids`` that are still pending and due; returns them by id, with their
    content as it is now (an event edited since the row was read changed its payload). Rows
    cancelled since they were read, or taken by another worker, are not claimed."""
    if not ids:
        return {}
    chosen = (
        select(col(Delivery.id))
        .where(col(Delivery.id).in_(ids),
               col(Delivery.state) == DeliveryState.PENDING.value,
               col(Delivery.not_before) <= now,
               _in_turn())
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    table = table_of(Delivery)
    result = await session.execute(
        update(table).where(table.c.id.in_(chosen))
        .values(state=DeliveryState.SENDING.value, claimed_by=worker, claimed_until=now + lease)
        .returning(table.c.id, table.c.platform, table.c.target, table.c.payload,
                   table.c.account_id, table.c.not_before, table.c.useful_until,
                   table.c.attempts)
    )
    claimed: dict[int, ClaimedRow] = {int(row.id): row for row in result}
    await session.commit()
    return claimed


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
        .where(col(Delivery.id) == delivery_id, col(Delivery.claimed_by) == worker)
        .values(**values)
    )
    await session.commit()
    return bool(affected_rows(result))


async def settle_sent(
    session: AsyncSession, sent: list[tuple[int, str]], *, worker: str, now: datetime
) -> int:
    """Record many accepted sends at once (``(row id, platform message id)`` pairs) in one
    executemany statement and one commit: a group commit. Rows another worker has taken over
    in the meantime are left alone, as in :func:`settle`; returns how many were recorded."""
    if not sent:
        return 0
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        # One statement for the whole group (two arrays joined to the rows), instead of one
        # UPDATE per row: the group's commit, and with it the window in which a crash could
        # repeat these sends, stays a millisecond or two.
        result = await session.execute(_SETTLE_SENT_PG, {
            "ids": [row_id for row_id, _ in sent],
            "platform_ids": [message_id[:300] for _, message_id in sent],
            "now": now, "worker": worker, "sent": DeliveryState.SENT.value,
        })
    else:  # SQLite: executemany is a loop in C over one prepared statement
        table = table_of(Delivery)
        result = await session.execute(
            update(table)
            .where(table.c.id == bindparam("row_id"), table.c.claimed_by == worker)
            .values(state=DeliveryState.SENT.value, sent_at=now,
                    message_id=bindparam("platform_id"), reason="", claimed_by="",
                    claimed_until=None),
            [{"row_id": row_id, "platform_id": message_id[:300]}
             for row_id, message_id in sent],
        )
    await session.commit()
    return affected_rows(result)


async def forget_sent(session: AsyncSession, ids: list[int], *, worker: str) -> int:
    """Remove rows ``worker`` holds that were sent at once by the process that wrote them
    (a reply: it leaves no row behind once the platform took it); one statement and one
    commit for the group. Rows another worker took over meanwhile stay. Returns how many."""
    if not ids:
        return 0
    result = await session.execute(_forget_sent(), {"ids": ids, "worker": worker})
    await session.commit()
    return affected_rows(result)


@functools.cache
def _forget_sent() -> Executable:
    # Built once: it runs after every reply.
    table = table_of(Delivery)
    return delete(table).where(table.c.id.in_(bindparam("ids", expanding=True)),
                               table.c.claimed_by == bindparam("worker"))


_SETTLE_SENT_PG = text(
    "UPDATE delivery SET state = :sent, sent_at = :now, message_id = accepted.platform_id,"
    " reason = '', claimed_by = '', claimed_until = NULL"
    " FROM unnest(CAST(:ids AS bigint[]), CAST(:platform_ids AS text[]))"
    " AS accepted(id, platform_id)"
    " WHERE delivery.id = accepted.id AND delivery.claimed_by = :worker"
)


async def renew_claims(session: AsyncSession, ids: list[int], *, worker: str,
                       until: datetime) -> int:
    """Extend the lease of the rows ``ids`` that ``worker`` still holds (it is alive and
    working on them); returns how many. A worker that dies stops renewing, so its rows
    return soon; rows it gave up on (a failed round) are not in ``ids`` and return too.

    Rows locked right now are skipped: they are being settled by this very worker.
    """
    renewed = await _extend_leases(session, ids, worker=worker, until=until)
    await session.commit()
    return len(renewed)


async def _extend_leases(session: AsyncSession, ids: list[int], *, worker: str,
                         until: datetime) -> set[int]:
    """Move the lease of those of ``ids`` that ``worker`` still holds (sending, not locked
    by anyone right now) to ``until``; returns their ids. In chunks of 1000 ids."""
    held: set[int] = set()
    table = table_of(Delivery)
    for start in range(0, len(ids), 1000):
        chosen = (
            select(col(Delivery.id))
            .where(col(Delivery.id).in_(ids[start:start + 1000]),
                   col(Delivery.claimed_by) == worker,
                   col(Delivery.state) == DeliveryState.SENDING.value)
            .with_for_update(skip_locked=True)
            .scalar_subquery()
        )
        result = await session.execute(
            update(table).where(table.c.id.in_(chosen)).values(claimed_until=until)
            .returning(table.c.id))
        held |= {int(row_id) for row_id in result.scalars()}
    return held


async def next_due(session: AsyncSession) -> datetime | None:
    """When the earliest pending row falls due (None: nothing pending)."""
    moment = await session.scalar(
        select(func.min(col(Delivery.not_before)))
        .where(col(Delivery.state) == DeliveryState.PENDING.value)
    )
    return moment


async def cancel_pending(session: AsyncSession, *, source: str) -> int:
    """Cancel every not-yet-sent delivery of ``source`` (an event changed, a reminder was
    cancelled)."""
    result = await session.execute(
        update(Delivery)
        .where(col(Delivery.source) == source,
               col(Delivery.state) == DeliveryState.PENDING.value)
        .values(state=DeliveryState.CANCELLED.value)
    )
    return affected_rows(result)


async def state_counts(session: AsyncSession, *, source: str) -> dict[str, int]:
    """How many deliveries of ``source`` are in each state."""
    rows = await session.execute(
        select(col(Delivery.state), func.count()).where(col(Delivery.source) == source)
        .group_by(col(Delivery.state))
    )
    return {str(state): int(count) for state, count in rows}


def conversation_key(target: str) -> str:
    """The key under which rows of the conversation ``target`` (stored JSON of a
    conversation reference) are grouped: the reference's own ``key`` (platform, tenant,
    conversation — not the thread)."""
    data = json.loads(target)
    return f"{data['platform']}:{data.get('tenant_id') or ''}:{data['conversation_id']}"[:400]


def _in_turn() -> ColumnElement[bool]:
    """A reply goes out only after the earlier replies of its conversation: none of them is
    still pending or being sent (other kinds are not held back)."""
    earlier = aliased(Delivery)
    return or_(
        col(Delivery.kind) != ORDERED_KIND,
        ~exists().where(
            col(earlier.platform) == col(Delivery.platform),
            col(earlier.conversation_key) == col(Delivery.conversation_key),
            col(earlier.kind) == ORDERED_KIND,
            col(earlier.id) < col(Delivery.id),
            col(earlier.state).in_(
                (DeliveryState.PENDING.value, DeliveryState.SENDING.value)),
        ),
    )
