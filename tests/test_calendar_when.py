"""Dates as people write them, recurrences, quiet hours and offsets: no database needed."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from bots.app import reminder_settings
from bots.config import Config, ConfigError
from commands.calendar.planner import plan_reminders
from commands.calendar.quiet import QuietHours, polish_holidays
from commands.calendar.recurrence import RecurrenceError, describe, parse_recurrence
from commands.calendar.settings import Offset, parse_settings
from commands.calendar.when import WhenError, parse_when, split_when
from commands.clock import WARSAW

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=WARSAW)  # Monday
NINE = time(9, 0)


def warsaw(*args: int) -> datetime:
    return datetime(*args, tzinfo=WARSAW)


@pytest.mark.parametrize(("text", "moment", "rest"), [
    ("jutro o 9 wysłać sprawozdanie", warsaw(2026, 11, 24, 9, 0), "wysłać sprawozdanie"),
    ("za 2 godziny zadzwonić do GOPS", warsaw(2026, 11, 23, 12, 0), "zadzwonić do GOPS"),
    ("15 grudnia 10:00 posiedzenie forum", warsaw(2026, 12, 15, 10, 0), "posiedzenie forum"),
    ("w piątek", warsaw(2026, 11, 27, 9, 0), ""),
    ("pojutrze o 14", warsaw(2026, 11, 25, 14, 0), ""),
    ("w przyszły wtorek o 14:30 narada", warsaw(2026, 12, 1, 14, 30), "narada"),
    ("we wtorek o 8:15 przegląd", warsaw(2026, 11, 24, 8, 15), "przegląd"),
    ("1.12 o 8.30 odebrać dokumenty", warsaw(2026, 12, 1, 8, 30), "odebrać dokumenty"),
    ("za pół godziny herbata", warsaw(2026, 11, 23, 10, 30), "herbata"),
    ("za 3 dni raport", warsaw(2026, 11, 26, 9, 0), "raport"),
    ("o 8 wieczorem webinar", warsaw(2026, 11, 23, 20, 0), "webinar"),
    ("15 XII 2026 r. sesja rady", warsaw(2026, 12, 15, 9, 0), "sesja rady"),
    ("5 stycznia zamknięcie roku", warsaw(2027, 1, 5, 9, 0), "zamknięcie roku"),
    ("zadzwonić do GOPS jutro o 10", warsaw(2026, 11, 24, 10, 0), "zadzwonić do GOPS"),
    ("wysłać raport do piątku", warsaw(2026, 11, 27, 9, 0), "wysłać raport do piątku"),
    ("send the report by Friday", warsaw(2026, 11, 27, 9, 0), "send the report by Friday"),
    ("o 13.15 obiad", warsaw(2026, 11, 23, 13, 15), "obiad"),
    ("13.15 obiad", warsaw(2026, 11, 23, 13, 15), "obiad"),
    ("tomorrow at 9 send the report", warsaw(2026, 11, 24, 9, 0), "send the report"),
    ("in 2 hours call GOPS", warsaw(2026, 11, 23, 12, 0), "call GOPS"),
    ("next Tuesday 2:30 pm briefing", warsaw(2026, 12, 1, 14, 30), "briefing"),
    ("December 15 review", warsaw(2026, 12, 15, 9, 0), "review"),
    ("12/15 at 10:00 review", warsaw(2026, 12, 15, 10, 0), "review"),
])
def test_polish_and_english_moments_are_read_exactly(text: str, moment: datetime,
                                                     rest: str) -> None:
    when, subject = split_when(text, now=NOW, default_time=NINE)
    assert (when.start, subject) == (moment, rest)


@pytest.mark.parametrize(("text", "key"), [
    ("31 lutego wysłać", "when.no_such_day"),
    ("15.13.2026 coś", "when.no_such_month"),
    ("dziś o 8 zebranie", "when.past"),  # it is 10:00 already
    ("15.01.2020 stare", "when.past"),
    ("o 9 kawa", "when.past_time"),  # today's 9:00 is gone; no silent "tomorrow"
    ("o 5 pociąg", "when.ambiguous_hour"),  # 5:00 or 17:00 — never a guess
    ("03/04 x", "when.ambiguous_date"),  # 3 April or 4 March
    ("w przyszłym tygodniu zadzwonić", "when.which_day"),
    ("w piątek 3 grudnia narada", "when.weekday_mismatch"),  # 3 December is a Thursday
    ("jutro wieczorem", "when.which_time"),
    ("o 25 x", "when.bad_time"),
    ("13.13 o 10 coś", "when.no_such_month"),  # with a time after it, 13.13 is a date
    ("wczoraj o 9 zebranie", "when.past"),
    ("yesterday at 9 meeting", "when.past"),
    ("kiedyś zrobić porządek", "when.unparseable"),
    ("wysłać sprawozdanie", "when.unparseable"),
])
def test_unusable_moments_are_refused_with_a_reason(text: str, key: str) -> None:
    with pytest.raises(WhenError) as caught:
        split_when(text, now=NOW, default_time=NINE)
    assert caught.value.key == key


DECEMBER = datetime(2026, 12, 4, 10, 0, tzinfo=WARSAW)  # a Friday


@pytest.mark.parametrize(("text", "moment"), [
    ("15 stycznia zamknięcie roku", warsaw(2027, 1, 15, 9, 0)),
    ("w piątek 15 stycznia narada", warsaw(2027, 1, 15, 9, 0)),  # a Friday in 2027
    ("20 maja 10:00 sesja", warsaw(2027, 5, 20, 10, 0)),  # 5½ months ahead, 6½ back
    ("15.01 o 10 odbiór", warsaw(2027, 1, 15, 10, 0)),
    ("January 15 review", warsaw(2027, 1, 15, 9, 0)),
    ("5 grudnia o 10 kawa", warsaw(2026, 12, 5, 10, 0)),
])
def test_a_date_without_its_year_is_the_nearest_one(text: str, moment: datetime) -> None:
    assert split_when(text, now=DECEMBER, default_time=NINE)[0].start == moment


@pytest.mark.parametrize("text", [
    "1 grudnia 10:00 posiedzenie",  # three days ago, not next December
    "1.12 o 10 posiedzenie",
    "December 1 review",
    "15 października raport",
    "15 lipca sprawozdanie",  # 4½ months ago is nearer than 7½ ahead
])
def test_a_recent_date_without_its_year_is_in_the_past(text: str) -> None:
    with pytest.raises(WhenError) as caught:
        split_when(text, now=DECEMBER, default_time=NINE)
    assert caught.value.key == "when.past_date"


def test_event_times_take_ranges_and_whole_days() -> None:
    when = parse_when("1 grudnia 10:00-12:00", now=NOW)
    assert (when.start, when.end) == (warsaw(2026, 12, 1, 10), warsaw(2026, 12, 1, 12))
    assert parse_when("1 grudnia od 10 do 12", now=NOW).end == warsaw(2026, 12, 1, 12)
    day = parse_when("15 grudnia", now=NOW)
    assert (day.start, day.has_time) == (warsaw(2026, 12, 15, 0), False)
    with pytest.raises(WhenError) as caught:
        parse_when("1 grudnia 12:00-10:00", now=NOW)
    assert caught.value.key == "when.end_before_start"


@pytest.mark.parametrize(("text", "rule"), [
    ("pierwszy wtorek miesiąca", "FREQ=MONTHLY;BYDAY=1TU"),
    ("co miesiąc, w ostatni piątek", "FREQ=MONTHLY;BYDAY=-1FR"),
    ("co 2 tygodnie we wtorek", "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU"),
    ("codziennie do 30 czerwca 2027", "FREQ=DAILY;UNTIL=20270630T215959Z"),
    ("co miesiąc, 10 razy", "FREQ=MONTHLY;COUNT=10"),
    ("w dni robocze", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"),
    ("first Tuesday of the month", "FREQ=MONTHLY;BYDAY=1TU"),
    ("every 2 weeks", "FREQ=WEEKLY;INTERVAL=2"),
    ("nie", ""),
    # number words and ordinals after "co" / "every" are intervals
    ("co dwa tygodnie", "FREQ=WEEKLY;INTERVAL=2"),
    ("co drugi tydzień", "FREQ=WEEKLY;INTERVAL=2"),
    ("every other week", "FREQ=WEEKLY;INTERVAL=2"),
    ("every two weeks", "FREQ=WEEKLY;INTERVAL=2"),
    ("every second week", "FREQ=WEEKLY;INTERVAL=2"),
    ("fortnightly", "FREQ=WEEKLY;INTERVAL=2"),
    ("co cztery tygodnie, 6 razy", "FREQ=WEEKLY;INTERVAL=4;COUNT=6"),
    ("co drugi wtorek", "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU"),
    ("co drugą środę", "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE"),
    ("co dwie środy", "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE"),
    ("co trzeci czwartek", "FREQ=WEEKLY;INTERVAL=3;BYDAY=TH"),
    ("every other Tuesday", "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU"),
    ("co dwa tygodnie we wtorek i czwartek", "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH"),
    ("co dwa miesiące", "FREQ=MONTHLY;INTERVAL=2"),
    ("co trzy miesiące", "FREQ=MONTHLY;INTERVAL=3"),
    ("co trzeci miesiąc", "FREQ=MONTHLY;INTERVAL=3"),
    ("every three months", "FREQ=MONTHLY;INTERVAL=3"),
    ("co drugi dzień", "FREQ=DAILY;INTERVAL=2"),
    ("co 2 lata", "FREQ=YEARLY;INTERVAL=2"),
    # ... but a position in the month stays monthly
    ("drugi wtorek miesiąca", "FREQ=MONTHLY;BYDAY=2TU"),
    ("w drugi wtorek miesiąca", "FREQ=MONTHLY;BYDAY=2TU"),
    ("co drugi wtorek miesiąca", "FREQ=MONTHLY;BYDAY=2TU"),
    ("co pierwszy wtorek", "FREQ=MONTHLY;BYDAY=1TU"),  # "every first" can only be monthly
    ("second Tuesday of the month", "FREQ=MONTHLY;BYDAY=2TU"),
    ("every second Tuesday of the month", "FREQ=MONTHLY;BYDAY=2TU"),
    ("co dwa miesiące w pierwszy poniedziałek", "FREQ=MONTHLY;INTERVAL=2;BYDAY=1MO"),
    ("co tydzień", "FREQ=WEEKLY"),
    ("w każdy wtorek", "FREQ=WEEKLY;BYDAY=TU"),
    ("every Friday", "FREQ=WEEKLY;BYDAY=FR"),
    ("raz w tygodniu", "FREQ=WEEKLY"),
    ("każdego dnia", "FREQ=DAILY"),
    ("co roku", "FREQ=YEARLY"),
])
def test_recurrences_in_words_become_rules(text: str, rule: str) -> None:
    assert parse_recurrence(text, now=NOW) == rule


@pytest.mark.parametrize(("text", "key"), [
    ("every second Tuesday", "rec.ambiguous_nth"),  # every other one, or of the month?
    ("co jakiś czas", "rec.unknown"),
    ("co dwa i pół tygodnia", "rec.unknown"),
    ("dwa razy w tygodniu", "rec.unknown"),
    ("co drugi", "rec.unknown"),
    ("drugi tydzień", "rec.unknown"),
    ("co miesiąc we wtorek", "rec.unknown"),  # which Tuesday?
    ("pierwszy i trzeci wtorek miesiąca", "rec.unknown"),
    ("co tydzień co miesiąc", "rec.unknown"),
    ("codziennie we wtorek", "rec.unknown"),
    ("co miesiąc, 10 razy we wtorek", "rec.unknown"),
    ("co 0 tygodni", "rec.unknown"),
])
def test_recurrences_not_understood_are_refused(text: str, key: str) -> None:
    with pytest.raises(RecurrenceError) as caught:
        parse_recurrence(text, now=NOW)
    assert caught.value.key == key


def test_rules_are_described_back_in_both_languages() -> None:
    assert describe("FREQ=MONTHLY;BYDAY=1TU", "pl") == "co miesiąc, w pierwszy wtorek"
    assert describe("FREQ=MONTHLY;BYDAY=-1WE", "pl") == "co miesiąc, w ostatnią środę"
    assert describe("FREQ=MONTHLY;BYDAY=1TU", "en") == "every month on the first Tuesday"
    assert describe("FREQ=WEEKLY;INTERVAL=2;COUNT=5", "pl") == "co 2 tygodnie, 5 razy"
    assert describe("FREQ=MONTHLY;INTERVAL=2;BYDAY=1MO", "pl") == \
        "co 2 miesiące, w pierwszy poniedziałek"
    assert describe("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TU,WE,TH,FR", "en") == \
        "every 2 weeks: on working days"


@pytest.mark.parametrize(("rule", "text"), [
    ("FREQ=WEEKLY;INTERVAL=2", "co 2 tygodnie"),
    ("FREQ=WEEKLY;INTERVAL=4", "co 4 tygodnie"),
    ("FREQ=WEEKLY;INTERVAL=5", "co 5 tygodni"),
    ("FREQ=WEEKLY;INTERVAL=11", "co 11 tygodni"),
    ("FREQ=WEEKLY;INTERVAL=12", "co 12 tygodni"),
    ("FREQ=WEEKLY;INTERVAL=14", "co 14 tygodni"),
    ("FREQ=WEEKLY;INTERVAL=21", "co 21 tygodni"),
    ("FREQ=WEEKLY;INTERVAL=22", "co 22 tygodnie"),
    ("FREQ=WEEKLY;INTERVAL=24", "co 24 tygodnie"),
    ("FREQ=WEEKLY;INTERVAL=25", "co 25 tygodni"),
    ("FREQ=WEEKLY;INTERVAL=112", "co 112 tygodni"),
    ("FREQ=WEEKLY;INTERVAL=122", "co 122 tygodnie"),
    ("FREQ=DAILY;INTERVAL=3", "co 3 dni"),
    ("FREQ=DAILY;INTERVAL=5", "co 5 dni"),
    ("FREQ=MONTHLY;INTERVAL=3", "co 3 miesiące"),
    ("FREQ=MONTHLY;INTERVAL=6", "co 6 miesięcy"),
    ("FREQ=MONTHLY;INTERVAL=12", "co 12 miesięcy"),
    ("FREQ=MONTHLY;INTERVAL=23", "co 23 miesiące"),
    ("FREQ=YEARLY;INTERVAL=2", "co 2 lata"),
    ("FREQ=YEARLY;INTERVAL=5", "co 5 lat"),
    ("FREQ=MONTHLY;INTERVAL=5;BYDAY=1MO", "co 5 miesięcy, w pierwszy poniedziałek"),
    ("FREQ=MONTHLY;INTERVAL=2;BYDAY=1MO", "co 2 miesiące, w pierwszy poniedziałek"),
    ("FREQ=WEEKLY;INTERVAL=5;BYDAY=TU", "co 5 tygodni: wtorek"),
    ("FREQ=WEEKLY;INTERVAL=13;COUNT=4", "co 13 tygodni, 4 razy"),
])
def test_intervals_are_described_with_the_right_polish_plural(rule: str, text: str) -> None:
    assert describe(rule, "pl") == text


def test_an_interval_is_described_back_as_written() -> None:
    assert describe(parse_recurrence("co 5 tygodni", now=NOW), "pl") == "co 5 tygodni"
    assert describe("FREQ=WEEKLY;INTERVAL=5", "en") == "every 5 weeks"
    assert describe("FREQ=MONTHLY;INTERVAL=6", "en") == "every 6 months"


def test_quiet_hours_open_at_the_next_working_window() -> None:
    quiet = QuietHours()
    friday_evening = warsaw(2026, 11, 27, 21, 0)
    assert quiet.next_open(friday_evening) == warsaw(2026, 11, 30, 7, 0)  # Monday
    assert quiet.next_open(warsaw(2026, 11, 24, 6, 59)) == warsaw(2026, 11, 24, 7, 0)
    during_work = warsaw(2026, 11, 24, 13, 0)
    assert quiet.next_open(during_work) == during_work
    # 24–26 December are public holidays since 2025: Wigilia evening waits until Monday 28th.
    assert quiet.next_open(warsaw(2026, 12, 23, 20, 30)) == warsaw(2026, 12, 28, 7, 0)
    assert warsaw(2027, 5, 27).date() in polish_holidays(2027)  # Corpus Christi
    night_owl = QuietHours(time(23, 0), time(6, 0), weekends=False, holidays=False)
    assert night_owl.next_open(warsaw(2026, 11, 28, 22, 0)) == warsaw(2026, 11, 28, 22, 0)


def test_day_offsets_keep_the_wall_clock_across_dst() -> None:
    meeting = warsaw(2027, 3, 30, 10, 0)  # the Tuesday after the change to summer time
    assert Offset.parse("2d").due(meeting) == warsaw(2027, 3, 28, 10, 0)
    assert Offset.parse("1d@09:00").due(meeting) == warsaw(2027, 3, 29, 9, 0)
    assert Offset.parse("1h").due(meeting) == warsaw(2027, 3, 30, 9, 0)


def test_a_reminder_held_by_quiet_hours_past_the_event_is_dropped() -> None:
    monday_early = warsaw(2026, 11, 30, 6, 30).astimezone(UTC)
    planned = plan_reminders(
        start=monday_early, offsets=[("meeting", Offset.parse("1h")),
                                     ("meeting", Offset.parse("1d@09:00"))],
        quiet=QuietHours(), now=NOW, revision=NOW, grace=parse_settings({}).grace, known=False)
    # Sunday 9:00 and Monday 5:30 are quiet; both would open Monday 7:00, after the start.
    assert planned == []


def test_configuration_errors_name_the_key() -> None:
    with pytest.raises(ConfigError, match=r"\[reminders\] meeting"):
        reminder_settings(Config(extra={"reminders": {"meeting": ["1x"]}}))
    with pytest.raises(ConfigError, match=r"\[reminders\] quiet_hours"):
        reminder_settings(Config(extra={"reminders": {"quiet_hours": "20-7"}}))
    with pytest.raises(ConfigError, match=r"\[reminders\] colour"):
        reminder_settings(Config(extra={"reminders": {"colour": "red"}}))
    settings = reminder_settings(Config(extra={"reminders": {
        "meeting": ["2d@12:00", "30min"], "quiet_hours": "21:30-06:00", "quiet_weekends": False,
        "grace_hours": 2}}))
    assert [o.label for o in settings.meeting] == ["2dat1200", "30min"]
    assert (settings.quiet.start, settings.quiet.weekends) == (time(21, 30), False)
