"""Moments in Warsaw: reading them back from the database and writing them for people.

Dates are written by CLDR (Babel) as people write them: "wtorek, 8 grudnia 2026",
"7 grudnia 2026"; English the British way ("Tuesday, 8 December 2026").
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from babel.dates import format_date as _babel_date

from commands.clock import WARSAW
from commands.plurals import locale
from commands.texts import t


def utc(moment: datetime) -> datetime:
    """Timezone-aware UTC; SQLite hands back naive UTC datetimes."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def local(moment: datetime) -> datetime:
    """The moment in Warsaw."""
    return utc(moment).astimezone(WARSAW)


def stamp(moment: datetime) -> str:
    """A compact, sortable UTC key: ``202612010900``."""
    return utc(moment).strftime("%Y%m%d%H%M")


def from_stamp(text: str) -> datetime:
    """Read back :func:`stamp`; raises ValueError."""
    return datetime.strptime(text, "%Y%m%d%H%M").replace(tzinfo=UTC)


def format_day(lang: str, day: date, *, year: bool = True) -> str:
    """"wtorek, 1 grudnia 2026" / "Tuesday, 1 December 2026"; without the year "wtorek,
    1 grudnia"."""
    # CLDR's "full" date is exactly this in both languages; its yearless skeleton drops the
    # comma in British English, so the pattern is spelled out.
    return _babel_date(day, "full" if year else "EEEE, d MMMM", locale=locale(lang))


def format_date(lang: str, day: date) -> str:
    """"7 grudnia 2026" / "7 December 2026"."""
    return _babel_date(day, "long", locale=locale(lang))


def format_time(moment: datetime) -> str:
    """"9:00"."""
    value = local(moment)
    return f"{value.hour}:{value.minute:02d}"


def format_moment(lang: str, moment: datetime) -> str:
    """"wtorek, 1 grudnia 2026, 10:00"."""
    return t(lang, "cal.moment", day=format_day(lang, local(moment).date()),
             time=format_time(moment))


def format_span(lang: str, start: datetime, end: datetime | None, *, all_day: bool = False,
                year: bool = True) -> str:
    """"wtorek, 1 grudnia 2026, 10:00–12:00"; several days and whole days too."""
    first = local(start)
    if all_day:
        last = local(end).date() if end is not None else first.date()
        days = (last - first.date()).days
        if days <= 1:
            return t(lang, "cal.all_day", day=format_day(lang, first.date(), year=year))
        return t(lang, "cal.days_span", first=format_day(lang, first.date(), year=year),
                 last=format_day(lang, date.fromordinal(last.toordinal() - 1), year=year))
    day = format_day(lang, first.date(), year=year)
    if end is None or utc(end) <= utc(start):
        return t(lang, "cal.moment", day=day, time=format_time(start))
    if local(end).date() == first.date():
        return t(lang, "cal.span", day=day, start=format_time(start), end=format_time(end))
    return t(lang, "cal.span_days", start=t(lang, "cal.moment", day=day, time=format_time(start)),
             end=format_moment(lang, end))
