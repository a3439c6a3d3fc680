"""Time, injectable: the service uses the system clock, tests a clock they move by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

WARSAW = ZoneInfo("Europe/Warsaw")


class Clock(Protocol):
    """Something that tells the time (timezone-aware UTC)."""

    def now(self) -> datetime:
        """The current moment."""
        ...


class SystemClock:
    """The real time."""

    def now(self) -> datetime:
        """The current moment, UTC."""
        return datetime.now(UTC)


class ManualClock:
    """A clock that stands still until moved; for tests and benchmarks."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("ManualClock needs a timezone-aware start")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        """The set moment."""
        return self._now

    def advance(self, delta: timedelta) -> None:
        """Move forward."""
        self._now += delta

    def set(self, moment: datetime) -> None:
        """Jump to ``moment``."""
        self._now = moment.astimezone(UTC)
