"""Recording inbound deliveries: each platform update is handled to the end exactly once.

A delivery is claimed (``done`` false) before the core handles it and marked done after.
A redelivery of a done update is a duplicate; of a claimed one it waits (``BUSY``: the
adapter answers so that the platform delivers it again) unless the claim is older than the
lease — then the handling that claimed it was cut short (the database went away mid-way)
and this delivery takes it over.
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from sqlalchemy import bindparam, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.expression import Executable
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from store.db import affected_rows, table_of
from store.models import ProcessedEvent, utcnow

LEASE = timedelta(seconds=30)
"""How long a claim holds off redeliveries: far longer than any handling takes."""


class Claim(StrEnum):
    """What a delivery found."""

    FIRST = "first"  # handle it
    DONE = "done"  # handled before: a duplicate
    BUSY = "busy"  # being handled right now (or just cut short): deliver again later


async def claim_delivery(session: AsyncSession, platform: str, event_id: str, *,
                         lease: timedelta = LEASE) -> Claim:
    """Claim ``(platform, event_id)`` for handling; the caller commits."""
    key = event_id[:200]
    now = utcnow()
    # One statement on the usual path (a first delivery): INSERT … ON CONFLICT DO NOTHING
    # RETURNING, instead of a savepoint around an insert that may fail.
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    inserted = await session.execute(_claim(dialect),
                                     {"b_platform": platform, "b_event_id": key, "b_at": now})
    if inserted.first() is not None:
        return Claim.FIRST
    row = await session.get(ProcessedEvent, (platform, key), populate_existing=True)
    if row is None:  # forgotten by housekeeping meanwhile: an old duplicate
        return Claim.DONE
    if row.done:
        return Claim.DONE
    if aware(row.at) > now - lease:
        return Claim.BUSY
    taken = await session.execute(
        update(ProcessedEvent)
        .where(col(ProcessedEvent.platform) == platform,
               col(ProcessedEvent.event_id) == key,
               col(ProcessedEvent.done).is_(False),
               col(ProcessedEvent.at) == row.at)
        .values(at=now)
        .execution_options(synchronize_session=False)
    )
    return Claim.FIRST if affected_rows(taken) == 1 else Claim.BUSY


async def finish_delivery(session: AsyncSession, platform: str, event_id: str) -> None:
    """The delivery was handled to the end; the caller commits."""
    await session.execute(_finish(), {"b_platform": platform, "b_event_id": event_id[:200]})


# The statements of every update are built once: building them and working out their cache
# keys cost more than running them (bench/throughput.py).
@functools.cache
def _claim(dialect: str) -> Executable:
    table = table_of(ProcessedEvent)
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return (insert(table)
            .values(platform=bindparam("b_platform", type_=table.c.platform.type),
                    event_id=bindparam("b_event_id", type_=table.c.event_id.type),
                    at=bindparam("b_at", type_=table.c.at.type), done=False)
            .on_conflict_do_nothing(index_elements=["platform", "event_id"])
            .returning(table.c.event_id))


@functools.cache
def _finish() -> Executable:
    table = table_of(ProcessedEvent)
    return (update(table)
            .where(table.c.platform == bindparam("b_platform", type_=table.c.platform.type),
                   table.c.event_id == bindparam("b_event_id", type_=table.c.event_id.type))
            .values(done=True))


def aware(moment: datetime) -> datetime:
    """SQLite gives naive datetimes back: they are UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
