"""Time, injectable: the service uses the system clock, tests a clock they move by hand."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

WARSAW = ZoneInfo("Europe/Warsaw")


class Clock(Protocol):
    """Something that tells the time (timezone-aware UTC)."""

    def now(self) -> datetime:
        """The current moment."""
        ...

    async def sleep_until(self, moment: datetime) -> None:
        """Return once ``moment`` has come (at once if it has)."""
        ...


class SystemClock:
    """The real time."""

    def now(self) -> datetime:
        """The current moment, UTC."""
        return datetime.now(UTC)

    async def sleep_until(self, moment: datetime) -> None:
        """Sleep until ``moment``."""
        await asyncio.sleep(max(0.0, (moment - self.now()).total_seconds()))


class ManualClock:
    """A clock that stands still until moved; for tests and benchmarks."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("ManualClock needs a timezone-aware start")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        """The set moment."""
        return self._now

    async def sleep_until(self, moment: datetime) -> None:
        """Time travels: the clock jumps to ``moment`` (if it is ahead) at once, so code that
        waits for a due moment runs without real waiting."""
        if moment > self._now:
            self._now = moment.astimezone(UTC)
        await asyncio.sleep(0)

    def advance(self, delta: timedelta) -> None:
        """Move forward."""
        self._now += delta

    def set(self, moment: datetime) -> None:
        """Jump to ``moment``."""
        self._now = moment.astimezone(UTC)
