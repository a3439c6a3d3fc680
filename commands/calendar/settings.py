"""The ``[reminders]`` configuration: offsets, quiet hours, grace period, planning horizon.

Validated here (the core may not import ``bots``); the composition root turns
:class:`SettingsError` into a configuration error naming the key.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any

from commands.calendar.quiet import QuietHours
from commands.clock import WARSAW
from store.calendar_models import QuietPreference

_OFFSET = re.compile(r"^(?:(\d+)\s*(d|h|min|m|w))(?:@(\d{1,2}):(\d{2}))?$")
_HHMM = re.compile(r"^(\d{1,2}):(\d{2})$")


class SettingsError(ValueError):
    """A bad value in ``[reminders]``; ``key`` names it."""

    def __init__(self, key: str, problem: str) -> None:
        super().__init__(f"{key}: {problem}")
        self.key = key
        self.problem = problem


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


_KEYS = ("meeting", "materials", "deadline", "quiet_hours", "quiet_weekends",
         "quiet_holidays", "grace_hours", "horizon_days", "plan_interval_minutes",
         "personal_time", "event_duration_minutes", "max_personal", "feed_base_url")
KEYS = _KEYS  # every accepted key (config.example.toml lists them; a test compares)


def parse_settings(raw: Mapping[str, Any] | None) -> ReminderSettings:
    """Validate the raw ``[reminders]`` table; raises :class:`SettingsError`."""
    raw = dict(raw or {})
    for key in raw:
        if key not in _KEYS:
            raise SettingsError(key, f"unknown key (known: {', '.join(_KEYS)})")
    defaults = ReminderSettings()
    values: dict[str, Any] = {}
    for key in ("meeting", "materials", "deadline"):
        if key in raw:
            values[key] = _offsets(key, raw[key])
    quiet = defaults.quiet
    if "quiet_hours" in raw:
        text = raw["quiet_hours"]
        parts = text.split("-") if isinstance(text, str) else []
        try:
            if len(parts) != 2:
                raise ValueError("x")
            quiet = QuietHours(_clock_time(parts[0]), _clock_time(parts[1]), quiet.weekends,
                               quiet.holidays)
        except ValueError:
            raise SettingsError("quiet_hours", "must look like \"20:00-07:00\" "
                                "(equal times: no nightly quiet hours)") from None
    weekends = _bool(raw, "quiet_weekends", quiet.weekends)
    holidays = _bool(raw, "quiet_holidays", quiet.holidays)
    values["quiet"] = QuietHours(quiet.start, quiet.end, weekends, holidays)
    values["grace"] = timedelta(hours=_number(raw, "grace_hours", 12, 0, 24 * 7))
    values["horizon"] = timedelta(days=_number(raw, "horizon_days", 62, 7, 400))
    values["plan_interval"] = timedelta(
        minutes=_number(raw, "plan_interval_minutes", 10, 1, 24 * 60))
    values["event_duration"] = timedelta(
        minutes=_number(raw, "event_duration_minutes", 120, 5, 24 * 60))
    values["max_personal"] = int(_number(raw, "max_personal", 100, 1, 10_000))
    if "personal_time" in raw:
        try:
            values["personal_time"] = _clock_time(str(raw["personal_time"]))
        except ValueError as exc:
            raise SettingsError("personal_time", str(exc)) from None
    url = raw.get("feed_base_url", "")
    if not isinstance(url, str) or (url and not re.match(r"^https?://[^\s/]+", url)):
        raise SettingsError("feed_base_url", "must be an http(s):// address or empty")
    values["feed_base_url"] = url.rstrip("/")
    return ReminderSettings(**values)


def _offsets(key: str, value: object) -> tuple[Offset, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise SettingsError(key, "must be a list of offsets, e.g. [\"1d@09:00\", \"1h\"]")
    try:
        offsets = tuple(Offset.parse(v) for v in value)
    except ValueError as exc:
        raise SettingsError(key, str(exc)) from None
    if len({o.label for o in offsets}) != len(offsets):
        raise SettingsError(key, "lists the same offset twice")
    return offsets


def _bool(raw: Mapping[str, Any], key: str, default: bool) -> bool:
    value = raw.get(key, default)
    if not isinstance(value, bool):
        raise SettingsError(key, "must be true or false")
    return value


def _number(raw: Mapping[str, Any], key: str, default: float, low: float, high: float) -> float:
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise SettingsError(key, f"must be a number from {low:g} to {high:g}")
    return float(value)


def with_preference(base: QuietHours, preference: QuietPreference | None) -> QuietHours:
    """The configured quiet hours with a person's own choices (``/cisza``) on top."""
    if preference is None:
        return base
    start = parse_clock_time(preference.quiet_start) if preference.quiet_start else base.start
    end = parse_clock_time(preference.quiet_end) if preference.quiet_end else base.end
    weekends = base.weekends if preference.weekends is None else preference.weekends
    return QuietHours(start, end, weekends, base.holidays)
