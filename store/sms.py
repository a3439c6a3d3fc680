"""SMS rows: people's mobile numbers, the provider's delivery reports, the states per
announcement.

``person.mobile`` (E.164, "" when none) is read and written through a light table clause,
so this module needs nothing of the ``Person`` model beyond the column the migration adds.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import column, select, table, update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from store.db import affected_rows
from store.models import Delivery, DeliveryState, utcnow
from store.sms_models import SmsReport

SMS = "sms"
_person = table("person", column("id"), column("mobile"))

# SMSAPI's report statuses (status_name) by what the author is told.
DELIVERED = {"DELIVERED"}
UNDELIVERED = {"UNDELIVERED", "FAILED", "REJECTED", "EXPIRED", "NOT_FOUND", "STOP"}


async def mobiles_of(session: AsyncSession, person_ids: Iterable[int]) -> dict[int, str]:
    """The mobile numbers (E.164) of those of ``person_ids`` who have one."""
    ids = list(person_ids)
    if not ids:
        return {}
    rows = await session.execute(
        select(_person.c.id, _person.c.mobile).where(_person.c.id.in_(ids),
                                                      _person.c.mobile != ""))
    return {int(pid): str(number) for pid, number in rows.all()}


async def set_mobile(session: AsyncSession, person_id: int, number: str) -> bool:
    """Store ``number`` (E.164, or "" to forget it) as the person's mobile number."""
    result = await session.execute(
        update(_person).where(_person.c.id == person_id).values(mobile=number))
    return affected_rows(result) == 1


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    """One report of the provider: message id, status code and name, when it happened."""

    message_id: str
    status: int
    status_name: str
    done_at: datetime | None


async def record_reports(session: AsyncSession, reports: Sequence[DeliveryReport]) -> int:
    """Keep the reports of SMS this service sent (others are ignored: the callback is not
    signed); a later report replaces an earlier one. Returns the reports kept."""
    ids = {r.message_id for r in reports if r.message_id}
    if not ids:
        return 0
    ours = set((await session.execute(
        select(col(Delivery.message_id)).where(col(Delivery.platform) == SMS,
                                               col(Delivery.message_id).in_(ids))
    )).scalars().all())
    known = {row.message_id: row for row in (await session.execute(
        select(SmsReport).where(col(SmsReport.message_id).in_(ours)))).scalars().all()}
    kept = 0
    for report in reports:
        if report.message_id not in ours:
            continue
        row = known.get(report.message_id)
        if row is None:
            row = known[report.message_id] = SmsReport(message_id=report.message_id)
        elif row.done_at and report.done_at and _naive(report.done_at) < _naive(row.done_at):
            continue  # an older report arriving late
        row.status, row.status_name = report.status, report.status_name[:20]
        row.done_at, row.received_at = report.done_at, utcnow()
        session.add(row)
        kept += 1
    return kept


async def sms_states(session: AsyncSession, source: str) -> dict[str, int]:
    """The SMS of ``source`` ("announcement:7") by state: ``delivered`` / ``undelivered``
    (the provider's report), ``sent`` (accepted, no final report yet), ``waiting`` (not sent
    yet), ``failed`` (refused), ``cancelled`` (acknowledged elsewhere first)."""
    rows = (await session.execute(
        select(col(Delivery.state), col(SmsReport.status_name))
        .select_from(Delivery)
        .outerjoin(SmsReport, col(SmsReport.message_id) == col(Delivery.message_id))
        .where(col(Delivery.source) == source, col(Delivery.platform) == SMS)
    )).all()
    states: Counter[str] = Counter()
    for state, status_name in rows:
        if state == DeliveryState.SENT.value:
            states["delivered" if status_name in DELIVERED
                   else "undelivered" if status_name in UNDELIVERED else "sent"] += 1
        elif state in (DeliveryState.FAILED.value, DeliveryState.DEAD.value,
                       DeliveryState.MISSED.value):
            states["failed"] += 1
        elif state == DeliveryState.CANCELLED.value:
            states["cancelled"] += 1
        else:
            states["waiting"] += 1
    return dict(states)


async def sms_sent_to(session: AsyncSession, source: str) -> dict[int, str]:
    """Person id → outbox state of the SMS copies of ``source`` (for the report's lines)."""
    rows = (await session.execute(
        select(col(Delivery.person_id), col(Delivery.state))
        .where(col(Delivery.source) == source, col(Delivery.platform) == SMS)
    )).all()
    return {int(pid): str(state) for pid, state in rows if pid is not None}


def _naive(moment: datetime) -> datetime:
    """UTC without a zone (SQLite gives times back without one)."""
    return moment if moment.tzinfo is None else moment.astimezone(UTC).replace(tzinfo=None)
