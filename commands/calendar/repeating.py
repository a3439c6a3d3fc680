"""Repeating personal reminders: "/przypomnij codziennie o 8 sprawdzić pocztę", "w dni
robocze o 8:30 …", "w każdy poniedziałek o 9 …", "co miesiąc 10-go …", "co drugi piątek …",
and in English "every day at 8", "on weekdays at 8:30", "every Monday at 9", "monthly on the
10th", "every other Friday".

The repetition is read by :mod:`commands.calendar.recurrence` into an RFC 5545 rule, the time
of day by :func:`commands.calendar.when.time_of_day`; a phrase that starts like a repetition
but is not fully understood is refused, never guessed. Occurrences are expanded in Warsaw
time from the series' first occurrence, so "o 8" stays 8:00 across the DST changes; "w dni
robocze" also skips Polish public holidays.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from dateutil.rrule import rrulestr

from commands.calendar.dates import format_moment, format_time, utc
from commands.calendar.quiet import polish_holidays
from commands.calendar.recurrence import (
    RecurrenceError,
    check_rule,
    describe,
    is_recurrence_word,
    parse_recurrence,
    rule_fields,
)
from commands.calendar.when import time_of_day
from commands.clock import WARSAW
from commands.directory.language import fold
from commands.model import OutboundMessage, Priority
from commands.texts import t
from store.calendar_models import PersonalReminder

WORKDAYS = "MO,TU,WE,TH,FR"
_EVERY = {"co", "every", "each", "kazdy", "kazda", "kazde", "kazdego", "kazdej", "kazdym"}
# Words that make a phrase a repetition (not "w piątek", which is one Friday).
_REPEATING = _EVERY | {"codziennie", "daily", "weekly", "monthly", "yearly", "annually",
                       "fortnightly", "quarterly", "robocze", "roboczych", "roboczy",
                       "weekdays", "workdays"}
_TIME_CUES = {"o", "at", "godz", "godzinie"}
_TIME = re.compile(r"^\d{1,2}(?:[:.]\d{2})?$")
_CLOCK = re.compile(r"^\d{1,2}:\d{2}$")
_NOON = {("w", "poludnie"), ("at", "noon")}
_MARKERS = {"rano", "am", "pm", "wieczorem", "popoludniu"}
_MONTH_DAY = re.compile(r"^\d{1,2}(?:-?e?go|st|nd|rd|th)$")
_EXCEPT = {"oprocz", "procz", "poza", "except", "excluding", "wyjatkiem"}
_JOINERS = {"w", "we", "on", "the", "i", "and", "a", "of", "in"}


@dataclass(frozen=True, slots=True)
class Repeat:
    """A repeating reminder as typed: its rule, the time of day, and what to remind of."""

    rule: str
    at: time
    subject: str


def split_repeat(text: str, *, now: datetime, default_time: time) -> Repeat | None:
    """The repetition at the start (or else at the end) of ``text``, its time and the rest;
    None if ``text`` names no repetition (a one-off reminder). Raises
    :class:`RecurrenceError` or :class:`~commands.calendar.when.WhenError` for a repetition
    that cannot be used."""
    words = text.split()
    folded = [fold(w).strip(",;:!?") for w in words]
    found = _scan(folded, 0)
    start, end = 0, found[0]
    if not _repeats(folded, found[1]):
        for begin in range(1, len(folded)):  # "sprawdzić pocztę codziennie o 8"
            found = _scan(folded, begin)
            if found[0] == len(folded) and _repeats(folded, found[1]):
                start, end = begin, found[0]
                break
        else:
            opening = [w for w in folded[:2] if w not in _JOINERS][:1]
            if opening and opening[0] in _REPEATING - {"co"}:
                raise RecurrenceError("rep.unknown")  # "every blue moon": meant, not read
            return None
    _, rule_at, time_at = found
    time_text = " ".join(words[i] for i in time_at)
    lead_end, lead_rule, lead_time = _scan(folded, 0)
    if start and not time_at and lead_time and not lead_rule:  # "o 8 sprawdzić … codziennie"
        time_text = " ".join(words[i] for i in lead_time)
        words = [""] * lead_end + words[lead_end:]
    if end < len(folded) and folded[end] in _EXCEPT | {"z"} and (
            folded[end] != "z" or folded[end + 1:end + 2] == ["wyjatkiem"]):
        raise RecurrenceError("rep.unknown")  # "codziennie oprócz piątku": not a rule we keep
    rule = parse_recurrence(" ".join(words[i] for i in rule_at), now=now)
    check_rule(rule)
    if "COUNT" in rule_fields(rule) or "UNTIL" in rule_fields(rule):
        raise RecurrenceError("rep.unknown")
    at = time_of_day(time_text) if time_text else default_time
    subject = " ".join(w for w in words[:start] + words[end:] if w).strip(" ,:;-–—")
    return Repeat(rule, at, subject)


def _scan(words: list[str], index: int) -> tuple[int, list[int], list[int]]:
    """Read repetition and time words from ``index``: where they end, which are the rule's
    and which the time's. Joining words at the end are left to the text ("… w sprawie")."""
    rule_at: list[int] = []
    time_at: list[int] = []
    while index < len(words):
        word = words[index]
        following = words[index + 1] if index + 1 < len(words) else ""
        if (word, following) in _NOON:  # "w południe", "at noon"
            time_at += [index, index + 1]
            index += 2
            continue
        if word == "noon" or (word in _TIME_CUES and _TIME.match(following)) \
                or _CLOCK.match(word):
            taken = [index, index + 1] if word in _TIME_CUES and word != "noon" else [index]
            if index + len(taken) < len(words) and words[index + len(taken)] in _MARKERS:
                taken.append(index + len(taken))
            time_at += taken
            index += len(taken)
            continue
        if time_at and rule_at:  # "w każdy poniedziałek o 9 weekly report": the rest is text
            break
        if word.isdigit():  # "co 2 tygodnie", "10 go", "dnia 10"; else not ours
            counts = is_recurrence_word(following) and following not in _JOINERS
            if not (counts or following in ("go", "ego") or words[index - 1:index] == ["dnia"]):
                break
        elif not (_MONTH_DAY.match(word) or is_recurrence_word(word) or word in ("go", "ego")):
            break
        rule_at.append(index)
        index += 1
    while rule_at and rule_at[-1] == index - 1 and words[index - 1] in _JOINERS:
        rule_at.pop()
        index -= 1
    return index, rule_at, time_at


def _repeats(words: list[str], rule_at: list[int]) -> bool:
    """Whether the rule's words make a repetition: a word of repeating ("co", "każdy",
    "codziennie", "every") with something to repeat ("co drugi piątek", not "co mam")."""
    chosen = [words[i] for i in rule_at]
    content = [w for w in chosen if w not in _JOINERS | _EVERY]
    return bool(content) and any(w in _REPEATING for w in chosen)


# --- occurrences ------------------------------------------------------------------------------


def _workdays_only(rule: str) -> bool:
    fields = rule_fields(rule)
    return fields.get("FREQ") == "WEEKLY" and fields.get("BYDAY") == WORKDAYS and \
        fields.get("INTERVAL", "1") == "1"


def occurrences(rule: str, anchor: datetime, start: datetime, end: datetime
                ) -> list[datetime]:
    """Occurrences (UTC) from ``start`` to ``end`` inclusive of a series whose first
    occurrence is ``anchor``; the wall-clock time stays that of ``anchor`` in Warsaw."""
    first = utc(anchor).astimezone(WARSAW)
    found = rrulestr(rule, dtstart=first).between(
        utc(start).astimezone(WARSAW), utc(end).astimezone(WARSAW), inc=True)
    skip_holidays = _workdays_only(rule)
    return [moment.astimezone(UTC) for moment in found
            if not (skip_holidays and moment.date() in polish_holidays(moment.year))]


def next_after(rule: str, anchor: datetime, moment: datetime) -> datetime | None:
    """The first occurrence strictly after ``moment``."""
    first = utc(anchor).astimezone(WARSAW)
    series = rrulestr(rule, dtstart=first)
    skip_holidays = _workdays_only(rule)
    current = utc(moment).astimezone(WARSAW)
    for _ in range(400):  # holidays in a row are few; a rule that ends returns None
        found = series.after(current, inc=False)
        if found is None or not (skip_holidays and found.date() in polish_holidays(found.year)):
            return found.astimezone(UTC) if found is not None else None
        current = found
    return None


def first_occurrence(rule: str, at: time, now: datetime) -> datetime | None:
    """Where a new series starts: its first occurrence after ``now`` at ``at``."""
    today = utc(now).astimezone(WARSAW).date()
    start = datetime.combine(today, at, WARSAW)
    found = next_after(rule, start, start - timedelta(seconds=1))
    while found is not None and found <= now:
        found = next_after(rule, start, found)
    return found


# --- words ------------------------------------------------------------------------------------


def describe_repeat(lang: str, reminder: PersonalReminder) -> str:
    """"co tydzień: poniedziałek, o 9:00" / "every week: Monday, at 9:00"."""
    anchor = reminder.repeat_from or reminder.due_at
    return t(lang, "rep.rule_at", rule=describe(reminder.rrule, lang), time=format_time(anchor))


def next_text(lang: str, reminder: PersonalReminder, now: datetime) -> str:
    """When it comes next, in words."""
    anchor = reminder.repeat_from or reminder.due_at
    upcoming = next_after(reminder.rrule, anchor, now - timedelta(seconds=1))
    return format_moment(lang, upcoming) if upcoming else t(lang, "rep.no_more")


def repeating_message(lang: str, reminder: PersonalReminder) -> OutboundMessage:
    """What one occurrence says: the text, and how it repeats and is cancelled."""
    return OutboundMessage(
        title=t(lang, "cal.remind.personal"),
        text=reminder.text or t(lang, "cal.personal.no_text"),
        footer=t(lang, "rep.footer", rule=describe_repeat(lang, reminder), id=reminder.id),
        priority=Priority.NORMAL, lang=lang,
    )


__all__ = ["Repeat", "describe_repeat", "first_occurrence", "next_after", "next_text",
           "occurrences", "repeating_message", "split_repeat"]
