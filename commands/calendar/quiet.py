"""Quiet hours: when a non-urgent reminder may reach a person, in Warsaw time.

The default is 20:00–7:00 plus weekends and Polish public holidays. A reminder due inside
quiet time waits for the start of the next working window.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache

from dateutil.easter import easter

from commands.clock import WARSAW

_DAY_START = time(0, 0)


@lru_cache(maxsize=64)
def polish_holidays(year: int) -> frozenset[date]:
    """Statutory days off work in Poland (ustawa o dniach wolnych od pracy, with Wigilia
    from 2025)."""
    sunday = easter(year)
    days = {
        date(year, 1, 1), date(year, 1, 6), sunday, sunday + timedelta(days=1),
        date(year, 5, 1), date(year, 5, 3), sunday + timedelta(days=49),
        sunday + timedelta(days=60), date(year, 8, 15), date(year, 11, 1),
        date(year, 11, 11), date(year, 12, 25), date(year, 12, 26),
    }
    if year >= 2025:
        days.add(date(year, 12, 24))
    return frozenset(days)


@dataclass(frozen=True, slots=True)
class QuietHours:
    """Quiet from ``start`` to ``end`` every day (over midnight if ``start`` > ``end``),
    all day on weekends and holidays if asked. ``start == end`` means no nightly quiet."""

    start: time = time(20, 0)
    end: time = time(7, 0)
    weekends: bool = True
    holidays: bool = True

    def working_day(self, day: date) -> bool:
        """Not a weekend or holiday (as far as these quiet hours care)."""
        if self.weekends and day.weekday() >= 5:
            return False
        return not (self.holidays and day in polish_holidays(day.year))

    def _open_intervals(self) -> list[tuple[time, time | None]]:
        """Open windows of a working day; ``None`` as the end means midnight."""
        if self.start == self.end:
            return [(_DAY_START, None)]
        if self.start > self.end:  # quiet over midnight: open in the middle of the day
            return [(self.end, self.start)]
        windows: list[tuple[time, time | None]] = []
        if self.start > _DAY_START:
            windows.append((_DAY_START, self.start))
        windows.append((self.end, None))
        return windows

    def is_quiet(self, moment: datetime) -> bool:
        """Whether ``moment`` falls in quiet time."""
        return self.next_open(moment) != moment.astimezone(UTC)

    def next_open(self, moment: datetime) -> datetime:
        """``moment`` itself if it is in a working window, else the start of the next one
        (UTC)."""
        local = moment.astimezone(WARSAW)
        day = local.date()
        for _ in range(40):  # long holiday stretches included
            if self.working_day(day):
                for opens, closes in self._open_intervals():
                    start = datetime.combine(day, opens, WARSAW)
                    end = (datetime.combine(day, closes, WARSAW) if closes is not None
                           else datetime.combine(day + timedelta(days=1), _DAY_START, WARSAW))
                    if day == local.date() and local >= end:
                        continue
                    return max(start, local).astimezone(UTC) if day == local.date() \
                        else start.astimezone(UTC)
            day += timedelta(days=1)
        return local.astimezone(UTC)  # nothing is ever open: do not hold reminders forever

