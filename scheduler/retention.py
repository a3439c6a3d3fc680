"""Retention: a daily job deletes what the ``[retention]`` settings no longer keep.

- delivered outbox rows (sent, failed, dead, missed, cancelled) — except the forum's: those
  map replies in group threads to their question and go with the question;
- dedupe records of platform deliveries (``processedevent``);
- closed forum questions with their answers (0 = keep the archive for ever, the default);
- audit log entries.

Every instance may run it; deleting what another instance already deleted is harmless.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from aiohttp import web
from sqlalchemy import ColumnElement, Table, delete, exists, func, not_, or_, select, update
from sqlalchemy.orm import Mapped
from sqlmodel import SQLModel, col
from sqlmodel.ext.asyncio.session import AsyncSession

from commands.clock import Clock
from store.calendar_panel import forget_stale_uploads
from store.db import Database, affected_rows
from store.models import AuditLog, Delivery, DeliveryState, ProcessedEvent
from store.panel import forget_before as forget_panel_sign_ins
from store.sms_models import SmsReport

log = logging.getLogger(__name__)

FINAL_STATES = (DeliveryState.SENT, DeliveryState.FAILED, DeliveryState.DEAD,
                DeliveryState.MISSED, DeliveryState.CANCELLED)
FORUM_SOURCES = ("question", "answer")  # source prefixes of the forum's own outbox rows
DAY = 24 * 3600.0


@dataclass(frozen=True, slots=True)
class RetentionSettings:
    """Days each kind of record is kept; 0 keeps it for ever (where allowed)."""

    delivered_messages_days: int = 90
    processed_events_days: int = 7
    closed_questions_days: int = 0
    audit_log_days: int = 730


async def enforce(db: Database, now: datetime, settings: RetentionSettings) -> dict[str, int]:
    """Delete what is past its retention; returns the number of rows removed per kind.

    Each kind is its own transaction and the big tables go in batches: the first round on a
    database that has run for years must not hold SQLite's one write lock for long, or the
    messengers' updates meanwhile would be refused (and sent again) instead of recorded.
    """
    removed: dict[str, int] = {}
    if settings.closed_questions_days:
        async with db.session() as session:
            removed["closed_questions"] = await _closed_questions(
                session, now - timedelta(days=settings.closed_questions_days))
            await session.commit()
    if settings.delivered_messages_days:
        cutoff = now - timedelta(days=settings.delivered_messages_days)
        forum = or_(*(col(Delivery.source).like(f"{p}%")
                      for p in FORUM_SOURCES))
        removed["delivered_messages"] = await _in_batches(
            db, Delivery, col(Delivery.id),
            col(Delivery.state).in_([s.value for s in FINAL_STATES]),
            func.coalesce(col(Delivery.sent_at), col(Delivery.created_at)) < cutoff, not_(forum))
        # An SMS delivery report is kept as long as the outbox row of its SMS.
        removed["sms_reports"] = await _in_batches(
            db, SmsReport, col(SmsReport.id), col(SmsReport.received_at) < cutoff,
            ~exists().where(col(Delivery.platform) == "sms",
                            col(Delivery.message_id) == col(SmsReport.message_id)))
    if settings.processed_events_days:
        async with db.session() as session:  # a week of updates: small, one statement
            result = await session.execute(delete(ProcessedEvent).where(
                col(ProcessedEvent.at) < now - timedelta(days=settings.processed_events_days)))
            await session.commit()
        removed["processed_events"] = affected_rows(result)
    async with db.session() as session:
        # Sign-in links and panel sessions that cannot be used any more: a day's grace so a
        # person can still see in "Moje sesje" what just ended.
        removed["panel_sign_ins"] = await forget_panel_sign_ins(session, now - timedelta(days=1))
        # ICS files uploaded for a preview nobody confirmed (they may name people).
        removed["panel_uploads"] = await forget_stale_uploads(session, now=now)
        await session.commit()
    if settings.audit_log_days:
        removed["audit_log"] = await _in_batches(
            db, AuditLog, col(AuditLog.id),
            col(AuditLog.at) < now - timedelta(days=settings.audit_log_days))
    return removed


BATCH = 2000


async def _in_batches(db: Database, model: type[SQLModel], id_column: Mapped[int | None],
                      *conditions: ColumnElement[bool]) -> int:
    """Delete the rows of ``model`` meeting ``conditions``, ``BATCH`` rows a transaction."""
    total = 0
    while True:
        async with db.session() as session:
            ids = select(id_column).where(*conditions).limit(BATCH)
            result = await session.execute(delete(model).where(
                id_column.in_(ids.scalar_subquery())))
            await session.commit()
        count = affected_rows(result)
        total += count
        if count < BATCH:
            return total


async def _closed_questions(session: AsyncSession, cutoff: datetime) -> int:
    from store.forum_models import Answer, Question, question_sources

    ids = list((await session.execute(select(col(Question.id)).where(
        col(Question.state) == "closed", col(Question.updated_at) < cutoff)
    )).scalars())
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        answers = list((await session.execute(select(col(Answer.id)).where(
            col(Answer.question_id).in_(chunk)))).scalars())
        sources = question_sources(chunk)
        sources += [f"answer:{i}" for i in answers]
        for part in range(0, len(sources), 500):
            await session.execute(delete(Delivery).where(
                col(Delivery.source).in_(sources[part:part + 500])))
        await _detach(session, "answer", answers)
        await _detach(session, "question", chunk)
        await session.execute(delete(Answer).where(col(Answer.question_id).in_(chunk)))
        await session.execute(delete(Question).where(col(Question.id).in_(chunk)))
    return len(ids)


async def _detach(session: AsyncSession, target: str, ids: list[int]) -> None:
    """Rows of other tables that point at ``target`` rows about to go: a nullable reference
    is cleared, a required one goes with its row (features add such tables over time)."""
    if not ids:
        return
    tables: list[Table] = list(SQLModel.metadata.sorted_tables)
    for table in tables:
        if target == "question" and table.name == "answer":
            continue  # answers of these questions are deleted by the caller
        for fk in table.foreign_keys:
            if fk.column.table.name != target or table.name == target:
                continue
            column = fk.parent
            if column.nullable:
                await session.execute(update(table).where(column.in_(ids)).values(
                    {column.name: None}))
            else:
                await session.execute(delete(table).where(column.in_(ids)))


class RetentionComponent:
    """Runs :func:`enforce` shortly after start-up and then once a day."""

    name = "retention"

    def __init__(self, *, db: Database, clock: Clock, settings: RetentionSettings,
                 first_run_after: float = 300.0, every: float = DAY) -> None:
        self._db = db
        self._clock = clock
        self.settings = settings
        self._first = first_run_after
        self._every = every
        self._task: asyncio.Task[None] | None = None
        self.last_removed: dict[str, int] | None = None

    def routes(self) -> list[web.RouteDef]:
        """No HTTP routes."""
        return []

    async def start(self) -> None:
        """Begin the daily rounds."""
        self._task = asyncio.create_task(self._loop())

    async def stop(self) -> None:
        """Stop; a round in progress is rolled back and runs again next time."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def run_once(self) -> dict[str, int]:
        """One round now."""
        removed = await enforce(self._db, self._clock.now(), self.settings)
        self.last_removed = removed
        log.info("retention: removed %s", ", ".join(f"{k} {v}" for k, v in removed.items()))
        return removed

    async def _loop(self) -> None:
        await asyncio.sleep(self._first)
        while True:
            try:
                await self.run_once()
            except Exception:
                log.exception("retention round failed; the next one retries")
            await asyncio.sleep(self._every)
