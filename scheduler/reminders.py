"""The reminder planner component: keeps the outbox in step with the calendar over time.

Creating or changing an event plans its reminders at once; this pass adds what time brings —
occurrences of recurring events entering the planning horizon, the next occurrences of
repeating personal reminders ("codziennie o 8"), new forum members, newly
linked messengers, changed quiet hours — and holds reminders that fell due while the service
was down if it is now quiet time. Its first pass runs before the delivery worker starts.
Every instance may run it: outbox keys are unique and plans lock what they plan.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from commands.calendar.reminders import ReminderService

log = logging.getLogger(__name__)


class ReminderPlannerComponent:
    """Runs :meth:`ReminderService.plan_all` at start and then periodically."""

    name = "reminders"

    def __init__(self, *, reminders: ReminderService, interval: timedelta) -> None:
        self._reminders = reminders
        self._interval = interval
        self._scheduler: AsyncIOScheduler | None = None

    def routes(self) -> list[web.RouteDef]:
        """No HTTP routes."""
        return []

    async def start(self) -> None:
        """One pass now (before deliveries start), then every ``interval``."""
        await self.plan()
        scheduler = AsyncIOScheduler(timezone="UTC")
        scheduler.add_job(self.plan, "interval", seconds=self._interval.total_seconds(),
                          id="plan-reminders", max_instances=1, coalesce=True,
                          misfire_grace_time=None)
        scheduler.start()
        self._scheduler = scheduler

    async def stop(self) -> None:
        """Stop planning."""
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=False)
            self._scheduler = None

    async def plan(self) -> None:
        """One planning pass; a failure is logged and the next pass retries."""
        try:
            report = await self._reminders.plan_all()
        except Exception:
            log.exception("reminder planning failed; the next pass retries")
            return
        if report.inserted or report.retimed or report.cancelled:
            log.info("reminders planned: %d new, %d re-timed, %d cancelled", report.inserted,
                     report.retimed, report.cancelled)
