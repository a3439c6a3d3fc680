"""The ``[reminders]`` configuration: offsets, quiet hours, grace period, planning horizon.

Declared and validated here, by the calendar that reads it; errors name the key.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Annotated, Any

from pydantic import Field, ValidationInfo, field_validator

from commands.calendar.quiet import QuietHours
from commands.clock import WARSAW
from commands.config_schema import ConfigError, Problem, SectionSchema, read_section
from store.calendar_models import QuietPreference

_OFFSET = re.compile(r"^(?:(\d+)\s*(d|h|min|m|w))(?:@(\d{1,2}):(\d{2}))?$")
_HHMM = re.compile(r"^(\d{1,2}):(\d{2})$")
_QUIET_FORM = 'must look like "20:00-07:00" (equal times: no nightly quiet hours)'
_FEED_FORM = "must be an http(s):// address or empty"


@dataclass(frozen=True, slots=True)
class Offset:
    """How long before an event a reminder goes: ``2d``, ``1h``, ``30min``, or ``1d@09:00``
    (the day before, at 9:00 Warsaw time)."""

    label: str
    days: int = 0
    minutes: int = 0
    at: time | None = None

    @classmethod
    def parse(cls, text: str) -> Offset:
        """Read ``"1d@09:00"``; raises ValueError."""
        match = _OFFSET.match(text.strip().lower())
        if not match:
            raise ValueError(f"{text!r} is not an offset like \"2d\", \"1h\", \"30min\" or "
                             "\"1d@09:00\"")
        amount, unit, hour, minute = match.groups()
        value = int(amount)
        at = None
        if hour is not None:
            if unit not in ("d", "w"):
                raise ValueError(f"{text!r}: \"@HH:MM\" needs days, e.g. \"1d@09:00\"")
            at = _clock_time(f"{hour}:{minute}")
        days = value * 7 if unit == "w" else value if unit == "d" else 0
        minutes = value * 60 if unit == "h" else value if unit in ("m", "min") else 0
        if days == 0 and minutes == 0 and at is None:
            raise ValueError(f"{text!r} is no time before the event")
        label = text.strip().lower().replace(":", "").replace("@", "at")
        return cls(label=label, days=days, minutes=minutes, at=at)

    def due(self, start: datetime) -> datetime:
        """The reminder moment (UTC) for an occurrence starting at ``start``.

        Days count in Warsaw wall-clock time (two days before 10:00 is 10:00, whatever DST
        does in between); hours and minutes are real elapsed time.
        """
        local = start.astimezone(WARSAW)
        if self.days or self.at is not None:
            day = local.date() - timedelta(days=self.days)
            moment = datetime.combine(day, self.at or local.time().replace(tzinfo=None), WARSAW)
        else:
            moment = local
        return moment.astimezone(UTC) - timedelta(minutes=self.minutes)


def _clock_time(text: str) -> time:
    match = _HHMM.match(text.strip())
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise ValueError(f"{text!r} is not a time like \"07:00\"")
    return time(int(match[1]), int(match[2]))


def parse_clock_time(text: str) -> time:
    """``"7:00"`` → 07:00; raises ValueError."""
    return _clock_time(text)


@dataclass(frozen=True, slots=True)
class ReminderSettings:
    """Everything the calendar takes from configuration."""

    meeting: tuple[Offset, ...] = field(
        default_factory=lambda: (Offset.parse("1d@09:00"), Offset.parse("1h")))
    materials: tuple[Offset, ...] = field(default_factory=lambda: (Offset.parse("2d"),))
    deadline: tuple[Offset, ...] = field(
        default_factory=lambda: (Offset.parse("3d@09:00"), Offset.parse("1d@09:00")))
    quiet: QuietHours = field(default_factory=QuietHours)
    grace: timedelta = timedelta(hours=12)
    horizon: timedelta = timedelta(days=62)
    plan_interval: timedelta = timedelta(minutes=10)
    personal_time: time = time(9, 0)  # "/przypomnij w piątek" without a time
    event_duration: timedelta = timedelta(hours=2)  # an event given without its end
    max_personal: int = 100  # active personal reminders per person
    feed_base_url: str = ""  # public base of .ics addresses ("" = the server's own address)


def _number(low: float, high: float) -> Problem:
    return Problem(f"must be a number from {low:g} to {high:g}")


_OFFSETS = Problem('must be a list of offsets, e.g. ["1d@09:00", "1h"]')


class RemindersSection(SectionSchema):
    """``[reminders]`` as written in the file; :meth:`settings` is what the calendar runs
    with."""

    section = "reminders"
    checked_in = ("meeting", "materials", "deadline", "quiet_hours", "quiet_weekends",
                  "quiet_holidays", "grace_hours", "horizon_days", "plan_interval_minutes",
                  "event_duration_minutes", "max_personal", "personal_time", "feed_base_url")

    meeting: Annotated[list[str], _OFFSETS] = Field(
        default_factory=lambda: ["1d@09:00", "1h"])
    materials: Annotated[list[str], _OFFSETS] = Field(default_factory=lambda: ["2d"])
    deadline: Annotated[list[str], _OFFSETS] = Field(
        default_factory=lambda: ["3d@09:00", "1d@09:00"])
    quiet_hours: Annotated[str, Problem(_QUIET_FORM)] = ""
    quiet_weekends: bool = QuietHours().weekends
    quiet_holidays: bool = QuietHours().holidays
    grace_hours: Annotated[float, Field(ge=0, le=24 * 7), _number(0, 24 * 7)] = 12
    horizon_days: Annotated[float, Field(ge=7, le=400), _number(7, 400)] = 62
    plan_interval_minutes: Annotated[float, Field(ge=1, le=24 * 60), _number(1, 24 * 60)] = 10
    personal_time: Annotated[str, Problem('must be a time like "07:00"')] = "09:00"
    event_duration_minutes: Annotated[
        float, Field(ge=5, le=24 * 60), _number(5, 24 * 60)] = 120
    max_personal: Annotated[float, Field(ge=1, le=10_000), _number(1, 10_000)] = 100
    feed_base_url: Annotated[str, Problem(_FEED_FORM)] = ""

    @field_validator("meeting", "materials", "deadline")
    @classmethod
    def _offsets(cls, texts: list[str], info: ValidationInfo) -> list[str]:
        key = f"reminders.{info.field_name}"
        try:
            labels = [Offset.parse(text).label for text in texts]
        except ValueError as exc:
            raise ConfigError(key, str(exc)) from None
        if len(set(labels)) != len(labels):
            raise ConfigError(key, "lists the same offset twice")
        return texts

    @field_validator("quiet_hours")
    @classmethod
    def _quiet_hours(cls, text: str) -> str:
        parts = text.split("-")
        try:
            if len(parts) != 2:
                raise ValueError(text)
            _clock_time(parts[0]), _clock_time(parts[1])
        except ValueError:
            raise ConfigError("reminders.quiet_hours", _QUIET_FORM) from None
        return text

    @field_validator("personal_time", mode="before")
    @classmethod
    def _as_text(cls, value: object) -> str:
        # Read as text whatever it is: 9 is refused as '9' (not a time like "07:00").
        return value if isinstance(value, str) else str(value)

    @field_validator("personal_time")
    @classmethod
    def _personal_time(cls, text: str) -> str:
        try:
            _clock_time(text)
        except ValueError as exc:
            raise ConfigError("reminders.personal_time", str(exc)) from None
        return text

    @field_validator("feed_base_url")
    @classmethod
    def _feed_base_url(cls, url: str) -> str:
        if url and not re.match(r"^https?://[^\s/]+", url):
            raise ConfigError("reminders.feed_base_url", _FEED_FORM)
        return url.rstrip("/")

    def settings(self) -> ReminderSettings:
        """What the calendar runs with."""
        base = QuietHours()
        start, end = base.start, base.end
        if self.quiet_hours:
            first, last = self.quiet_hours.split("-")
            start, end = _clock_time(first), _clock_time(last)
        return ReminderSettings(
            meeting=tuple(Offset.parse(text) for text in self.meeting),
            materials=tuple(Offset.parse(text) for text in self.materials),
            deadline=tuple(Offset.parse(text) for text in self.deadline),
            quiet=QuietHours(start, end, self.quiet_weekends, self.quiet_holidays),
            grace=timedelta(hours=self.grace_hours),
            horizon=timedelta(days=self.horizon_days),
            plan_interval=timedelta(minutes=self.plan_interval_minutes),
            personal_time=_clock_time(self.personal_time),
            event_duration=timedelta(minutes=self.event_duration_minutes),
            max_personal=int(self.max_personal),
            feed_base_url=self.feed_base_url,
        )


def parse_settings(raw: Mapping[str, Any] | None) -> ReminderSettings:
    """Validate the raw ``[reminders]`` table; raises :class:`ConfigError` naming the key."""
    return read_section(RemindersSection, raw or {}).settings()


def with_preference(base: QuietHours, preference: QuietPreference | None) -> QuietHours:
    """The configured quiet hours with a person's own choices (``/cisza``) on top."""
    if preference is None:
        return base
    start = parse_clock_time(preference.quiet_start) if preference.quiet_start else base.start
    end = parse_clock_time(preference.quiet_end) if preference.quiet_end else base.end
    weekends = base.weekends if preference.weekends is None else preference.weekends
    return QuietHours(start, end, weekends, base.holidays)
