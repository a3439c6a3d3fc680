"""The scheduler component: APScheduler drives time, the database holds the truth.

Jobs: the delivery worker every second (the outbox holds what is due and when) and at once
when this instance writes outbox rows (a forum answer's copies, an announcement), re-pings of
unacknowledged urgent announcements every minute, the authors' copies of announcements brought
up to date, nudges about unanswered forum questions, and
housekeeping of dedupe records. Every instance runs the same jobs; claims in the database make
sure each delivery is sent by exactly one of them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import timedelta

from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from commands.announcements.service import AnnouncementService
from commands.clock import Clock
from commands.forums.service import ForumService
from scheduler.delivery import DeliveryWorker
from store.db import Database
from store.people import forget_deliveries_before

log = logging.getLogger(__name__)


class SchedulerComponent:
    """Starts and stops the periodic jobs."""

    name = "scheduler"

    def __init__(self, *, db: Database, clock: Clock, worker: DeliveryWorker,
                 announcements: AnnouncementService, forums: ForumService,
                 tick_seconds: float = 1.0) -> None:
        self._db = db
        self._clock = clock
        self.worker = worker
        self._announcements = announcements
        self._forums = forums
        self._tick = tick_seconds
        self._scheduler: AsyncIOScheduler | None = None
        self._delivering = asyncio.Lock()
        self._wake: asyncio.Event | None = None
        self._wakeups: asyncio.Task[None] | None = None
        self._unlisten: Callable[[], None] | None = None

    def routes(self) -> list[web.RouteDef]:
        """No HTTP routes."""
        return []

    async def start(self) -> None:
        """Schedule the jobs on the running event loop."""
        scheduler = AsyncIOScheduler(timezone="UTC")
        # Two instances allowed so that APScheduler does not warn each second while a long
        # round (a fan-out paced by the platforms) runs; the second returns at once.
        scheduler.add_job(self._deliver, "interval", seconds=self._tick, id="deliveries",
                          max_instances=2, coalesce=True, misfire_grace_time=None)
        scheduler.add_job(self._reping, "interval", seconds=60, id="announcements.reping",
                          max_instances=1, coalesce=True)
        # the last acknowledgements of a burst show in the author's copy within this long
        every = self._announcements.settings.author_copy_every.total_seconds()
        scheduler.add_job(self._author_copies, "interval", seconds=max(1.0, every),
                          id="announcements.author_copies", max_instances=1, coalesce=True)
        scheduler.add_job(self._nudge, "interval", minutes=10, id="forums.nudge",
                          max_instances=1, coalesce=True)
        scheduler.add_job(self._housekeeping, "interval", hours=6, id="housekeeping",
                          max_instances=1, coalesce=True)
        scheduler.start()
        self._scheduler = scheduler
        self._wake = asyncio.Event()
        self._wakeups = asyncio.create_task(self._deliver_when_woken())
        self._unlisten = self._db.on_outbox_commit(self._woken)

    async def stop(self, grace: float = 10.0) -> None:
        """Stop scheduling. A delivery round in progress claims nothing more and gets
        ``grace`` seconds to finish the sends it started and record them (cancelling a send
        the platform already accepted would repeat it after the restart)."""
        self.worker.stop_claiming()
        if self._unlisten is not None:
            self._unlisten()
            self._unlisten = None
        if self._delivering.locked():
            try:
                async with asyncio.timeout(grace):
                    async with self._delivering:
                        pass
            except TimeoutError:
                log.warning("delivery round still busy after %.0f s; stopping it", grace)
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=False)  # cancels what still runs
            self._scheduler = None
        if self._wakeups is not None:
            self._wakeups.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._wakeups
            self._wakeups = None
        await self.worker.close()

    def _woken(self) -> None:
        # Called right after a commit that wrote outbox rows: without awaiting anything.
        self.worker.nudge()  # a round in progress looks at once
        if self._wake is not None:
            self._wake.set()  # and if none is, one starts

    async def _deliver_when_woken(self) -> None:
        """A delivery round as soon as rows are written, so that a forum answer or an
        announcement goes out now rather than at the next tick."""
        assert self._wake is not None
        while True:
            await self._wake.wait()
            try:
                async with self._delivering:  # after the round in progress, if any
                    self._wake.clear()
                    await self.worker.run_once()
            except Exception:
                log.exception("delivery round failed; the next tick retries")

    async def _deliver(self) -> None:
        if self._delivering.locked():  # the round in progress picks up what is due
            return
        try:
            async with self._delivering:
                await self.worker.run_once()
        except Exception:
            log.exception("delivery round failed; the next tick retries")

    async def _reping(self) -> None:
        try:
            await self._announcements.reping_round()
        except Exception:
            log.exception("re-ping round failed; the next one retries")

    async def _author_copies(self) -> None:
        try:
            await self._announcements.flush_author_copies()
        except Exception:
            log.exception("author-copy refresh failed; the next round retries")

    async def _nudge(self) -> None:
        try:
            await self._forums.nudge_round()
        except Exception:
            log.exception("unanswered-question round failed; the next one retries")

    async def _housekeeping(self) -> None:
        async with self._db.session() as session:
            removed = await forget_deliveries_before(
                session, self._clock.now() - timedelta(days=7)
            )
            await session.commit()
        log.info("housekeeping: %d old dedupe records removed", removed)
