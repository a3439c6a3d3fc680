"""The SQL of the panel's "Stan" page: the outbox's depth by state and by how long rows have
waited, what failed in the last 24 hours and why, and the rows now held back by a 429.

Each figure is one grouped query on the ``(state, not_before)`` index; nothing is loaded
row by row. The outbox keeps no time of failure: a failed row counts in "the last 24 hours"
when it fell due (``not_before``) in them — the worker tries a row once it is due, so a row
that failed today fell due today unless it waited more than a day for a messenger.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, func, literal, select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from store.models import Delivery, DeliveryState

WAITING = (DeliveryState.PENDING.value, DeliveryState.SENDING.value)
FAILED = (DeliveryState.FAILED.value, DeliveryState.DEAD.value, DeliveryState.MISSED.value)
# How long a waiting row has been due: (bucket name, due for at most this long).
AGE_BUCKETS: tuple[tuple[str, timedelta | None], ...] = (
    ("scheduled", None),  # not due yet
    ("5m", timedelta(minutes=5)),
    ("1h", timedelta(hours=1)),
    ("24h", timedelta(hours=24)),
    ("older", None),
)
RATE_LIMIT_REASONS = ("rate_limited",)


@dataclass(frozen=True, slots=True)
class AgeCount:
    """Waiting rows of one state in one age bucket."""

    state: str
    bucket: str
    count: int


@dataclass(frozen=True, slots=True)
class FailureCount:
    """Failed rows of one messenger with one reason in the last 24 hours."""

    platform: str
    state: str
    reason: str
    count: int


@dataclass(frozen=True, slots=True)
class Outbox:
    """The outbox now: rows by state, waiting rows by age, the oldest due row."""

    by_state: dict[str, int]
    by_age: list[AgeCount]
    oldest_due: datetime | None

    @property
    def total(self) -> int:
        """Every row."""
        return sum(self.by_state.values())

    def aged(self, state: str, bucket: str) -> int:
        """Waiting rows of ``state`` in ``bucket``."""
        return sum(a.count for a in self.by_age if a.state == state and a.bucket == bucket)


def _aware(moment: datetime | None, like: datetime) -> datetime | None:
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=like.tzinfo)  # SQLite gives naive UTC


async def outbox(session: AsyncSession, now: datetime) -> Outbox:
    """Rows by state (every state listed, 0 included) and waiting rows by age."""
    counts = {state.value: 0 for state in DeliveryState}
    oldest: datetime | None = None
    for state, count, first in await session.execute(
            select(col(Delivery.state), func.count(), func.min(col(Delivery.not_before)))
            .group_by(col(Delivery.state))):
        counts[str(state)] = int(count)
        if state == DeliveryState.PENDING.value:
            oldest = _aware(first, now)
    due = col(Delivery.not_before)
    bucket = case(
        (due > now, literal("scheduled")),
        (due >= now - timedelta(minutes=5), literal("5m")),
        (due >= now - timedelta(hours=1), literal("1h")),
        (due >= now - timedelta(hours=24), literal("24h")),
        else_=literal("older"),
    ).label("bucket")
    waiting = (select(col(Delivery.state).label("state"), bucket)
               .where(col(Delivery.state).in_(WAITING)).subquery())
    ages = [AgeCount(str(s), str(b), int(n)) for s, b, n in await session.execute(
        select(waiting.c.state, waiting.c.bucket, func.count())
        .group_by(waiting.c.state, waiting.c.bucket))]
    if oldest is not None and oldest > now:
        oldest = None  # nothing pending is due yet
    return Outbox(counts, ages, oldest)


async def failures(session: AsyncSession, now: datetime, *, hours: int = 24,
                   limit: int = 30) -> list[FailureCount]:
    """Failed, dead and missed rows that fell due in the last ``hours``, by messenger and
    reason, the most frequent first."""
    rows = await session.execute(
        select(col(Delivery.platform), col(Delivery.state), col(Delivery.reason), func.count())
        .where(col(Delivery.state).in_(FAILED),
               col(Delivery.not_before) >= now - timedelta(hours=hours),
               col(Delivery.not_before) <= now)
        .group_by(col(Delivery.platform), col(Delivery.state), col(Delivery.reason))
        .order_by(func.count().desc(), col(Delivery.platform), col(Delivery.reason))
        .limit(limit))
    return [FailureCount(str(p), str(s), str(r or ""), int(n)) for p, s, r, n in rows]


async def retrying(session: AsyncSession, *, limit: int = 30) -> list[FailureCount]:
    """Waiting rows that were tried and will be tried again, by messenger and last reason
    (a 429's rows show "rate_limited")."""
    rows = await session.execute(
        select(col(Delivery.platform), col(Delivery.state), col(Delivery.reason), func.count())
        .where(col(Delivery.state) == DeliveryState.PENDING.value, col(Delivery.reason) != "")
        .group_by(col(Delivery.platform), col(Delivery.state), col(Delivery.reason))
        .order_by(func.count().desc(), col(Delivery.platform), col(Delivery.reason))
        .limit(limit))
    return [FailureCount(str(p), str(s), str(r or ""), int(n)) for p, s, r, n in rows]


async def held_by_rate_limits(session: AsyncSession) -> dict[str, int]:
    """Rows now waiting out a messenger's 429, by messenger."""
    rows = await session.execute(
        select(col(Delivery.platform), func.count())
        .where(col(Delivery.state) == DeliveryState.PENDING.value,
               col(Delivery.reason).in_(RATE_LIMIT_REASONS))
        .group_by(col(Delivery.platform)))
    return {str(p): int(n) for p, n in rows}


__all__ = ["AGE_BUCKETS", "AgeCount", "FailureCount", "Outbox", "failures",
           "held_by_rate_limits", "outbox", "retrying"]
