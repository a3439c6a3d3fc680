"""Recurrences as people write them ("pierwszy wtorek miesiąca", "co 2 tygodnie", "first
Tuesday of the month") turned into RFC 5545 rules, and rules described back in words."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

from dateutil.rrule import rrulestr

from commands.calendar.dates import format_date
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
_ORDINALS_PL = {
    **dict.fromkeys(("pierwszy", "pierwsza", "pierwsze"), 1),
    **dict.fromkeys(("drugi", "druga", "drugie"), 2),
    **dict.fromkeys(("trzeci", "trzecia", "trzecie"), 3),
    **dict.fromkeys(("czwarty", "czwarta", "czwarte"), 4),
    **dict.fromkeys(("piaty", "piata", "piate"), 5),
    **dict.fromkeys(("ostatni", "ostatnia", "ostatnie"), -1),
}
_ORDINALS_EN = {
    **dict.fromkeys(("first", "1st"), 1), **dict.fromkeys(("second", "2nd"), 2),
    **dict.fromkeys(("third", "3rd"), 3), **dict.fromkeys(("fourth", "4th"), 4),
    **dict.fromkeys(("fifth", "5th"), 5), "last": -1,
}
_NUMBERS = {"dwa": 2, "dwie": 2, "trzy": 3, "cztery": 4, "piec": 5, "szesc": 6,
            "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
_UNITS = {
    **dict.fromkeys(("dzien", "dni", "dnia", "day", "days", "codziennie", "daily"), "DAILY"),
    **dict.fromkeys(("tydzien", "tygodnie", "tygodni", "tygodniu", "tygodnia", "week", "weeks",
                     "weekly"), "WEEKLY"),
    **dict.fromkeys(("miesiac", "miesiace", "miesiecy", "miesiacu", "miesiaca", "month",
                     "months", "monthly"), "MONTHLY"),
    **dict.fromkeys(("rok", "lata", "lat", "roku", "year", "years", "yearly", "annually"),
                    "YEARLY"),
}
_EVERY = {"co", "every", "each", "kazdy", "kazda", "kazde", "kazdego", "kazdej", "kazdym"}
# Words that only join the others ("w każdy wtorek", "on the first Tuesday of the month").
_FILLERS = _EVERY | {"w", "we", "on", "the", "of", "a", "an", "in", "i", "and", "oraz", "raz",
                     "once", "per"}
_WORKDAYS = ("dni robocze", "dzien roboczy", "dni roboczych", "working days", "workdays",
             "weekdays", "weekday")
_SUPPORTED_FREQ = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
_NONE = {"nie", "brak", "-", "none", "no", "jednorazowo", "once"}


_QUARTERS = {"kwartal", "kwartaly", "kwartalu", "quarter", "quarterly"}
_OTHER_WORDS = _QUARTERS | {"robocze", "roboczy", "roboczych", "roboczym", "working",
                            "workdays", "weekdays", "weekday", "other", "fortnightly", "dnia"}


def is_recurrence_word(word: str) -> bool:
    """Whether a folded word can belong to a recurrence ("co", "drugi", "piątek", "dni")."""
    return word in _EVERY or word in _FILLERS or word in _UNITS or word in _WEEKDAY_WORDS \
        or word in _ORDINALS_PL or word in _ORDINALS_EN or word in _NUMBERS \
        or word in _OTHER_WORDS


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
            if index != len(words) - 1:  # "10 razy we wtorek": say it in one order
                raise RecurrenceError("rec.unknown")
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
    """Every word must be understood: a number or ordinal after "co"/"every" is an interval
    ("co drugi wtorek", "every other week"), one before a weekday of the month a position
    ("drugi wtorek miesiąca"); anything else is refused, never guessed."""
    text = " ".join(words)
    workdays = False
    for phrase in _WORKDAYS:
        if re.search(rf"\b{phrase}\b", text):
            workdays = True
            text = re.sub(rf"\b{phrase}\b", " ", text)
    words = text.split()
    units: set[str] = set()
    intervals: set[int] = set()
    weekdays: list[int] = []
    positions: list[tuple[int, int, bool]] = []  # (ordinal, weekday, after "co"/"every")
    month_days: list[int] = []
    nth_english = False
    index = 0
    while index < len(words):
        word = words[index]
        after_every = index > 0 and words[index - 1] in _EVERY
        following = words[index + 1] if index + 1 < len(words) else ""
        day_of_month = _month_day(word, following)
        if day_of_month:  # "10-go", "10th", "dnia 10": a day of the month
            month_days.append(day_of_month)
            index += 1 if following in ("go", "ego") or word == "dnia" else 0
        elif word == "fortnightly":
            units.add("WEEKLY")
            intervals.add(2)
        elif word in _QUARTERS:  # "co kwartał", "quarterly": every three months
            units.add("MONTHLY")
            intervals.add(3)
        elif word.isdigit() or word in _NUMBERS or (word == "other" and after_every):
            number = int(word) if word.isdigit() else _NUMBERS.get(word, 2)
            if number < 1 or not (following in _UNITS or following in _WEEKDAY_WORDS):
                raise RecurrenceError("rec.unknown")
            units.add(_UNITS.get(following, "WEEKLY"))  # "co dwie środy": every two weeks
            if following in _WEEKDAY_WORDS:
                weekdays.append(_WEEKDAY_WORDS[following])
            intervals.add(number)
            index += 1
        elif word in _ORDINALS_PL or word in _ORDINALS_EN:
            ordinal = _ORDINALS_PL.get(word) or _ORDINALS_EN[word]
            if following in _UNITS and after_every and ordinal > 1:  # "co drugi tydzień"
                units.add(_UNITS[following])
                intervals.add(ordinal)
            elif following in _WEEKDAY_WORDS:
                positions.append((ordinal, _WEEKDAY_WORDS[following], after_every))
                nth_english = nth_english or word in _ORDINALS_EN
            else:
                raise RecurrenceError("rec.unknown")
            index += 1
        elif word in _WEEKDAY_WORDS:
            weekdays.append(_WEEKDAY_WORDS[word])
        elif word in _UNITS:
            units.add(_UNITS[word])
        elif word not in _FILLERS:
            raise RecurrenceError("rec.unknown")
        index += 1
    every = any(w in _EVERY for w in words)
    if month_days:  # "co miesiąc 10-go", "monthly on the 10th", "10-go każdego miesiąca"
        if weekdays or positions or workdays or len(set(month_days)) > 1 or len(units) > 1 \
                or units - {"MONTHLY"} or len(intervals) > 1:
            raise RecurrenceError("rec.unknown")
        return ["FREQ=MONTHLY", *(f"INTERVAL={n}" for n in intervals if n > 1),
                f"BYMONTHDAY={month_days[0]}"]
    return _rule(units, intervals, weekdays, positions, workdays=workdays, every=every,
                 nth_english=nth_english)


def _month_day(word: str, following: str) -> int:
    """The day of the month a word names ("10" before "go", "10th", "dnia 10"), else 0."""
    match = re.match(r"^(\d{1,2})(st|nd|rd|th)?$", word)
    if match and (match[2] or following in ("go", "ego")):
        number = int(match[1])
    elif word == "dnia" and following.isdigit():
        number = int(following)
    else:
        return 0
    return number if 1 <= number <= 31 else 0


def _rule(units: set[str], intervals: set[int], weekdays: list[int],
          positions: list[tuple[int, int, bool]], *, workdays: bool, every: bool,
          nth_english: bool) -> list[str]:
    if len(units) > 1 or len(intervals) > 1 or len(positions) > 1:
        raise RecurrenceError("rec.unknown")
    unit = next(iter(units), "")
    interval = [f"INTERVAL={n}" for n in intervals if n > 1]
    if positions:
        ordinal, day, after_every = positions[0]
        if unit != "MONTHLY" and after_every and ordinal > 1:
            if nth_english:  # "every second Tuesday": every other one, or of the month?
                raise RecurrenceError("rec.ambiguous_nth")
            unit = "WEEKLY"  # "co drugi wtorek": every other Tuesday
            interval = [f"INTERVAL={ordinal}"]
            weekdays = [*weekdays, day]
        elif weekdays or workdays or unit not in ("MONTHLY", "") or not (
                unit or after_every):
            raise RecurrenceError("rec.unknown")  # "drugi wtorek" alone: of what?
        else:
            return ["FREQ=MONTHLY", *interval, f"BYDAY={ordinal}{_DAYS[day]}"]
    if workdays:
        if weekdays or unit not in ("WEEKLY", "DAILY", ""):
            raise RecurrenceError("rec.unknown")
        return ["FREQ=WEEKLY", *interval, "BYDAY=MO,TU,WE,TH,FR"]
    if weekdays:
        if unit not in ("WEEKLY", "") or not (unit or every):
            raise RecurrenceError("rec.unknown")  # "co miesiąc we wtorek": which Tuesday?
        return ["FREQ=WEEKLY", *interval,
                "BYDAY=" + ",".join(_DAYS[d] for d in sorted(set(weekdays)))]
    if not unit:
        raise RecurrenceError("rec.unknown")
    return [f"FREQ={unit}", *interval]


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
    if freq == "MONTHLY" and nth:
        day = _DAYS.index(nth[2])
        text = t(lang, "rec.monthly_nth", count=interval,
                 nth=t(lang, f"rec.ord.{nth[1]}.{_gender(day)}"),
                 weekday=t(lang, f"cal.weekday_acc.{day}"))
    elif freq in _SUPPORTED_FREQ and all(d in _DAYS for d in byday):
        text = t(lang, f"rec.{freq.lower()}", count=interval)  # "co tydzień", "co 2 tygodnie"
        if byday and byday != list(_DAYS[:5]):
            names = ", ".join(t(lang, f"cal.weekday.{_DAYS.index(d)}") for d in byday)
            text = t(lang, "rec.on_days", rule=text, days=names)
        elif byday:
            text = t(lang, "rec.workdays") if interval == 1 else t(
                lang, "rec.on_days", rule=text, days=t(lang, "rec.workdays"))
    else:
        return t(lang, "rec.raw", rule=rule)
    if fields.get("BYMONTHDAY", "").isdigit():
        text = t(lang, "rep.month_day", rule=text, day=int(fields["BYMONTHDAY"]))
    if fields.get("COUNT", "").isdigit():  # an imported calendar's rule may be malformed
        text = t(lang, "rec.count", rule=text, count=int(fields["COUNT"]))
    if "UNTIL" in fields:
        until = _until_date(fields["UNTIL"])
        if until is not None:
            text = t(lang, "rec.until", rule=text, date=format_date(lang, until))
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
