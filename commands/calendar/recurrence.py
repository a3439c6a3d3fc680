"""Recurrences as people write them ("pierwszy wtorek miesiąca", "co 2 tygodnie", "first
Tuesday of the month") turned into RFC 5545 rules, and rules described back in words."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

from dateutil.rrule import rrulestr

from commands.calendar.when import WhenError, parse_when
from commands.clock import WARSAW
from commands.directory.language import fold
from commands.texts import t

_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_WEEKDAY_WORDS = {
    **dict.fromkeys(("poniedzialek", "poniedzialki", "monday", "mondays"), 0),
    **dict.fromkeys(("wtorek", "wtorki", "tuesday", "tuesdays"), 1),
    **dict.fromkeys(("sroda", "srode", "srody", "wednesday", "wednesdays"), 2),
    **dict.fromkeys(("czwartek", "czwartki", "thursday", "thursdays"), 3),
    **dict.fromkeys(("piatek", "piatki", "friday", "fridays"), 4),
    **dict.fromkeys(("sobota", "sobote", "soboty", "saturday", "saturdays"), 5),
    **dict.fromkeys(("niedziela", "niedziele", "niedziele", "sunday", "sundays"), 6),
}
_ORDINALS = {
    **dict.fromkeys(("pierwszy", "pierwsza", "first", "1st"), 1),
    **dict.fromkeys(("drugi", "druga", "second", "2nd"), 2),
    **dict.fromkeys(("trzeci", "trzecia", "third", "3rd"), 3),
    **dict.fromkeys(("czwarty", "czwarta", "fourth", "4th"), 4),
    **dict.fromkeys(("ostatni", "ostatnia", "last"), -1),
}
_SUPPORTED_FREQ = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
_NONE = {"nie", "brak", "-", "none", "no", "jednorazowo", "once"}


class RecurrenceError(ValueError):
    """The recurrence cannot be understood; ``key`` is a text key."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


def parse_recurrence(text: str, *, now: datetime) -> str:
    """An RRULE (without DTSTART) from words or from ``FREQ=…``; "" for "nie" (none)."""
    raw = text.strip()
    if fold(raw) in _NONE:
        return ""
    if raw.upper().startswith(("RRULE:", "FREQ=")):
        rule = raw.split(":", 1)[1] if raw.upper().startswith("RRULE:") else raw
        check_rule(rule)
        return rule.upper()
    words = re.findall(r"[^\W_]+", fold(raw))
    words, limit = _limit(words, raw, now)
    parts = _frequency(words)
    return ";".join(parts + limit)


def _limit(words: list[str], raw: str, now: datetime) -> tuple[list[str], list[str]]:
    """Cut "do 30 czerwca 2027" / "until …" / "10 razy" off the end."""
    for index, word in enumerate(words):
        if word in ("razy", "times") and index > 0 and words[index - 1].isdigit():
            return words[: index - 1], [f"COUNT={int(words[index - 1])}"]
        if word in ("do", "until", "till"):
            tail = re.split(r"\b(?:do|until|till)\b", raw, maxsplit=1, flags=re.IGNORECASE)
            try:
                last = parse_when(tail[-1], now=now)
            except WhenError:
                raise RecurrenceError("rec.bad_until") from None
            end = datetime.combine(last.start.date(), time(23, 59, 59), WARSAW)
            return words[:index], ["UNTIL=" + end.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")]
    return words, []


def _frequency(words: list[str]) -> list[str]:
    text = " ".join(words)
    weekdays = [_WEEKDAY_WORDS[w] for w in words if w in _WEEKDAY_WORDS]
    ordinal = next((_ORDINALS[w] for w in words if w in _ORDINALS), None)
    interval = next((int(w) for w in words if w.isdigit()), None)
    monthly = any(w.startswith(("miesiac", "month")) for w in words)
    if ordinal is not None and weekdays and (monthly or "every" in words or "co" in words
                                             or "kazdy" in words or "kazda" in words):
        if len(weekdays) != 1:
            raise RecurrenceError("rec.unknown")
        return ["FREQ=MONTHLY", f"BYDAY={ordinal}{_DAYS[weekdays[0]]}"]
    if re.search(r"\b(codziennie|daily|every day|kazdego dnia)\b", text):
        return ["FREQ=DAILY"]
    if re.search(r"\b(dni robocze|dzien roboczy|weekdays|every weekday|working days)\b", text):
        return ["FREQ=WEEKLY", "BYDAY=MO,TU,WE,TH,FR"]
    if re.search(r"\b(tydzien|tygodnie|tygodni|weekly|week|weeks|co tydzien)\b", text) or (
            weekdays and ("co" in words or "every" in words or "kazdy" in words
                          or "kazda" in words)):
        parts = ["FREQ=WEEKLY"]
        if interval and interval > 1:
            parts.append(f"INTERVAL={interval}")
        if weekdays:
            parts.append("BYDAY=" + ",".join(_DAYS[d] for d in sorted(set(weekdays))))
        return parts
    if monthly or "monthly" in words:
        return ["FREQ=MONTHLY"] + ([f"INTERVAL={interval}"] if interval and interval > 1
                                   else [])
    if re.search(r"\b(rok|roku|yearly|annually|year)\b", text):
        return ["FREQ=YEARLY"]
    raise RecurrenceError("rec.unknown")


def check_rule(rule: str) -> None:
    """Refuse rules we do not send reminders for (more often than daily, unreadable)."""
    fields = rule_fields(rule)
    if fields.get("FREQ") not in _SUPPORTED_FREQ:
        raise RecurrenceError("rec.unsupported", rule=rule[:80])
    try:
        rrulestr(rule, dtstart=datetime(2026, 1, 1, tzinfo=WARSAW))
    except (ValueError, TypeError):
        raise RecurrenceError("rec.unsupported", rule=rule[:80]) from None


def rule_fields(rule: str) -> dict[str, str]:
    """``"FREQ=MONTHLY;BYDAY=1TU"`` → ``{"FREQ": "MONTHLY", "BYDAY": "1TU"}``."""
    fields: dict[str, str] = {}
    for part in rule.upper().split(";"):
        key, _, value = part.partition("=")
        if key:
            fields[key.strip()] = value.strip()
    return fields


def first_on_or_after(rule: str, start: datetime) -> datetime | None:
    """The first occurrence of ``rule`` at or after ``start`` (keeping its Warsaw time)."""
    local = start.astimezone(WARSAW)
    found = rrulestr(rule, dtstart=local).after(local - timedelta(seconds=1), inc=True)
    return found.astimezone(UTC) if found is not None else None


def describe(rule: str, lang: str) -> str:
    """The rule in words ("co miesiąc, w pierwszy wtorek"); unusual rules as they are."""
    if not rule:
        return ""
    fields = rule_fields(rule)
    freq = fields.get("FREQ", "")
    interval = int(fields.get("INTERVAL", "1") or 1)
    byday = [d for d in fields.get("BYDAY", "").split(",") if d]
    text = ""
    nth = re.match(r"^(-?\d)([A-Z]{2})$", byday[0]) if len(byday) == 1 else None
    if freq == "MONTHLY" and nth and interval == 1:
        day = _DAYS.index(nth[2])
        text = t(lang, "rec.monthly_nth", nth=t(lang, f"rec.ord.{nth[1]}.{_gender(day)}"),
                 weekday=t(lang, f"cal.weekday_acc.{day}"))
    elif freq in _SUPPORTED_FREQ and all(d in _DAYS for d in byday):
        key = f"rec.{freq.lower()}" + ("" if interval == 1 else "_n")
        text = t(lang, key, n=interval)
        if byday and byday != list(_DAYS[:5]):
            names = ", ".join(t(lang, f"cal.weekday.{_DAYS.index(d)}") for d in byday)
            text = t(lang, "rec.on_days", rule=text, days=names)
        elif byday:
            text = t(lang, "rec.workdays")
    else:
        return t(lang, "rec.raw", rule=rule)
    if "COUNT" in fields:
        text = t(lang, "rec.count", rule=text, count=fields["COUNT"])
    if "UNTIL" in fields:
        until = _until_date(fields["UNTIL"])
        if until is not None:
            text = t(lang, "rec.until", rule=text, date=until.isoformat())
    return text


def _gender(weekday: int) -> str:
    return "f" if weekday in (2, 5, 6) else "m"  # środa, sobota, niedziela


def _until_date(value: str) -> date | None:
    match = re.match(r"^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})(Z?))?$", value)
    if not match:
        return None
    day = date(int(match[1]), int(match[2]), int(match[3]))
    if match[4] is None or not match[7]:
        return day
    moment = datetime(day.year, day.month, day.day, int(match[4]), int(match[5]),
                      int(match[6]), tzinfo=UTC)
    return moment.astimezone(WARSAW).date()
