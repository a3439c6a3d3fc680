"""The daily e-mail job: the digest of normal announcements (only with ``[email] digest =
true``) and the invitation reminders that are due (never new invitations: those are an
admin's ``lacznik invite``). A component of the service: once a day at ``at`` (Warsaw time,
07:00 by default), like the retention job."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime, time, timedelta

from aiohttp import web

from commands.calendar.dates import local
from commands.clock import WARSAW, Clock
from commands.invitations.campaign import InvitationCampaign
from commands.invitations.digest import DailyDigest
from store.invitations import Scope

log = logging.getLogger(__name__)


def seconds_until(now: datetime, at: time) -> float:
    """Seconds from ``now`` to the next ``at`` in Warsaw (today's if still ahead)."""
    today = local(now)
    due = datetime.combine(today.date(), at, tzinfo=WARSAW)
    if due <= today:
        due = datetime.combine(today.date() + timedelta(days=1), at, tzinfo=WARSAW)
    return max(0.0, (due - today).total_seconds())


class DailyEmailJob:
    """One run a day; either part may be absent (no ``[email]``: the job is not built)."""

    name = "daily-email"

    def __init__(self, *, clock: Clock, digest: DailyDigest | None,
                 campaign: InvitationCampaign | None, at: time = time(7, 0)) -> None:
        self._clock = clock
        self._digest = digest
        self._campaign = campaign
        self._at = at
        self._task: asyncio.Task[None] | None = None

    def routes(self) -> list[web.RouteDef]:
        """No HTTP routes (the opt-out page is :mod:`bots.invite_pages`)."""
        return []

    async def start(self) -> None:
        """Begin the daily rounds."""
        self._task = asyncio.create_task(self._loop(), name="daily-email")

    async def stop(self) -> None:
        """Stop; an e-mail being sent is recorded by the next run's lease (see the
        campaign)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def run_once(self) -> None:
        """Send the day's digests, then the due reminders; logs counts, never addresses."""
        # Each part on its own: a failing digest must not cost the reminders (or back).
        if self._digest is not None:
            try:
                done = await self._digest.run()
                log.info("daily digest: %d sent, %d failed", done.sent, done.failed)
            except Exception:
                log.exception("daily digest failed; tomorrow's run includes today's news")
        if self._campaign is not None:
            try:
                result = await self._campaign.run(Scope(everyone=True), reminders_only=True)
                log.info("invitation reminders: %d sent, %d to retry, %d refused",
                         result.reminded, result.retry, len(result.failed))
            except Exception:
                log.exception("invitation reminders failed; tomorrow's run sends them")

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(seconds_until(self._clock.now(), self._at))
            try:
                await self.run_once()
            except Exception:
                log.exception("daily e-mail round failed; the next one retries")
            await asyncio.sleep(60)  # past the minute, so one day is one round
