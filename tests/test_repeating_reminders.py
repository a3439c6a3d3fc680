"""Repeating personal reminders, as a person sets them in a messenger: "/przypomnij
codziennie o 8 …", "w dni robocze o 8:30 …", "w każdy poniedziałek o 9 …", "co miesiąc 10-go
…", "co drugi piątek …" (and in English), listed and cancelled with /przypomnienia, sent through
the outbox at the chosen Warsaw time across DST, once even with two instances."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from bots.app import App, build_app
from commands.clock import WARSAW
from tests.calendar_helpers import MEMBER, Timeline, link_console, session_as


def warsaw(*args: int) -> datetime:
    return datetime(*args, tzinfo=WARSAW)


@pytest.mark.parametrize(("start", "end", "switch"), [
    (warsaw(2027, 3, 25, 10), warsaw(2027, 3, 31, 12), 28),  # to summer time
    (warsaw(2026, 10, 22, 10), warsaw(2026, 10, 28, 12), 25),  # back to winter time
])
async def test_every_day_at_eight_stays_eight_across_the_dst_change(
        app: App, start: datetime, end: datetime, switch: int) -> None:
    app.clock.set(start)  # type: ignore[attr-defined]
    await link_console(app, MEMBER)
    me = session_as(app, MEMBER)
    [saved] = await me.say("/przypomnij codziennie o 8 sprawdzić pocztę")
    assert saved.startswith("Dobrze — przypomnę Ci „sprawdzić pocztę” codziennie, o 8:00. "
                            "Najbliższe: ")
    assert "[1] Odwołaj" in saved
    received = await Timeline(app).run_until(end)
    days = range(start.day + 1, end.day + 1)
    # Every day, weekends too: the person chose the time, as for a one-off reminder.
    assert [r.at.replace(tzinfo=None) for r in received] == [
        datetime(start.year, start.month, day, 8) for day in days]
    offsets = {r.at.day: r.at.utcoffset() for r in received}
    assert offsets[switch - 1] != offsets[switch + 1]  # 8:00 local, another hour in UTC
    assert all(r.text.startswith("Przypomnienie\n\nsprawdzić pocztę") for r in received)
    assert "Powtarza się codziennie, o 8:00. Odwołanie: /przypomnienia usuń 1" in \
        received[0].text


async def test_after_a_stop_only_the_occurrence_still_useful_goes_out_late(app: App) -> None:
    await link_console(app, MEMBER)  # Monday 23 November 2026, 10:00
    await session_as(app, MEMBER).say("/przypomnij codziennie o 8 sprawdzić pocztę")
    # The service is down from Monday until Thursday 9:00: Tuesday's and Wednesday's mornings
    # are gone (a daily reminder is useful until the evening, never past the next one).
    app.clock.set(warsaw(2026, 11, 26, 9))  # type: ignore[attr-defined]
    received = await Timeline(app).run_until(warsaw(2026, 11, 27, 12))
    assert [r.at for r in received] == [warsaw(2026, 11, 26, 9), warsaw(2026, 11, 27, 8)]
    assert "(z opóźnieniem — miało dotrzeć" in received[0].text
    assert "z opóźnieniem" not in received[1].text


async def test_working_days_skip_weekends_and_public_holidays(app: App) -> None:
    app.clock.set(warsaw(2026, 11, 10, 10))  # type: ignore[attr-defined]  # Tuesday
    await link_console(app, MEMBER)
    [saved] = await session_as(app, MEMBER).say("/przypomnij w dni robocze o 8:30 odprawa")
    # 11 November is Independence Day: the first working day is Thursday.
    assert saved.startswith("Dobrze — przypomnę Ci „odprawa” w dni robocze, o 8:30. "
                            "Najbliższe: czwartek, 12 listopada 2026, 8:30.")
    received = await Timeline(app).run_until(warsaw(2026, 11, 18, 12))
    assert [r.at for r in received] == [warsaw(2026, 11, d, 8, 30) for d in (12, 13, 16, 17, 18)]


async def test_weekly_fortnightly_and_monthly_listed_and_cancelled(app: App) -> None:
    await link_console(app, MEMBER)  # the clock: Monday 23 November 2026, 10:00
    me = session_as(app, MEMBER)
    await me.say("/przypomnij w każdy poniedziałek o 9 raport tygodniowy")
    [fortnightly] = await me.say("/przypomnij co drugi piątek o 10 lista płac")
    assert "Najbliższe: piątek, 27 listopada 2026, 10:00." in fortnightly
    [monthly] = await me.say("/przypomnij co miesiąc 10-go faktury")
    assert monthly.startswith("Dobrze — przypomnę Ci „faktury” co miesiąc, 10. dnia, o 9:00. "
                              "Najbliższe: czwartek, 10 grudnia 2026, 9:00.")
    await me.say("/przypomnij jutro o 12 zadzwonić do GOPS")  # a one-off one beside them
    [listed] = await me.say("/przypomnienia")
    assert listed.splitlines()[2:6] == [
        "#4 wtorek, 24 listopada 2026, 12:00 — zadzwonić do GOPS",
        "#2 co 2 tygodnie: piątek, o 10:00 (najbliższe: piątek, 27 listopada 2026, 10:00) "
        "— lista płac",
        "#1 co tydzień: poniedziałek, o 9:00 (najbliższe: poniedziałek, 30 listopada 2026, "
        "9:00) — raport tygodniowy",
        "#3 co miesiąc, 10. dnia, o 9:00 (najbliższe: czwartek, 10 grudnia 2026, 9:00) — "
        "faktury",
    ]
    timeline = Timeline(app)
    received = await timeline.run_until(warsaw(2026, 12, 12))
    assert [(r.at, r.text.splitlines()[2]) for r in received] == [
        (warsaw(2026, 11, 24, 12), "zadzwonić do GOPS"),
        (warsaw(2026, 11, 27, 10), "lista płac"),
        (warsaw(2026, 11, 30, 9), "raport tygodniowy"),
        (warsaw(2026, 12, 7, 9), "raport tygodniowy"),
        (warsaw(2026, 12, 10, 9), "faktury"),
        (warsaw(2026, 12, 11, 10), "lista płac"),
    ]
    [cancelled] = await me.say("/przypomnienia usuń 1")
    assert cancelled == ("Odwołano powtarzające się przypomnienie „raport tygodniowy” "
                         "(co tydzień: poniedziałek, o 9:00).")
    [plan] = await me.say("/plan")
    assert "10:00 🔔 lista płac (przypomnienie #2)" in plan  # the next occurrence
    assert "raport tygodniowy" not in plan
    [listed] = await me.say("/przypomnienia")
    assert "raport tygodniowy" not in listed
    assert "#2 co 2 tygodnie: piątek, o 10:00 (najbliższe: piątek, 25 grudnia 2026" in listed
    received = await timeline.run_until(warsaw(2026, 12, 26))
    assert [(r.at, r.text.splitlines()[2]) for r in received] == [
        (warsaw(2026, 12, 25, 10), "lista płac")]  # no Mondays any more


async def test_in_english(app: App) -> None:
    await link_console(app, MEMBER)
    me = session_as(app, MEMBER)
    me.lang = "en"
    await me.say("/me language en")
    [daily] = await me.say("/remind every day at 8 check the mailbox")
    assert daily.startswith("OK — I will remind you of “check the mailbox” every day, at 8:00. "
                            "Next: Tuesday, 24 November 2026, 8:00.")
    [weekdays] = await me.say("/remind on weekdays at 8:30 briefing")
    assert "“briefing” on working days, at 8:30" in weekdays
    [monday] = await me.say("/remind every Monday at 9 weekly report")
    assert "“weekly report” every week: Monday, at 9:00. Next: Monday, 30 November" in monday
    [tenth] = await me.say("/remind monthly on the 10th invoices")
    assert "“invoices” every month on day 10, at 9:00. Next: Thursday, 10 December" in tenth
    [friday] = await me.say("/remind every other Friday at 2 pm payroll")
    assert "“payroll” every 2 weeks: Friday, at 14:00. Next: Friday, 27 November" in friday
    [listed] = await me.say("/reminders")
    assert "#5 every 2 weeks: Friday, at 14:00 (next: Friday, 27 November 2026, 14:00) " \
        "— payroll" in listed


async def test_what_is_not_understood_is_refused_with_examples(app: App) -> None:
    await link_console(app, MEMBER)
    me = session_as(app, MEMBER)
    [unknown] = await me.say("/przypomnij co trzeci księżyc o 8 podlać kwiaty")
    assert unknown.startswith("Nie rozumiem, jak często przypominać, w „co trzeci księżyc o 8 "
                              "podlać kwiaty”.\nPrzykłady powtarzających się przypomnień:")
    assert "/przypomnij w dni robocze o 8:30 odprawa" in unknown
    [exception] = await me.say("/przypomnij codziennie oprócz piątku o 8 raport")
    assert exception.startswith("Nie rozumiem, jak często przypominać")
    [five] = await me.say("/przypomnij codziennie o 5 pociąg")
    assert five.startswith("Chodzi o 5:00 czy o 17:00?")
    assert "/przypomnij co miesiąc 10-go o 9 faktury" in five
    me.lang = "en"
    [english] = await me.say("/remind every blue moon at 8 water the plants")
    assert english.startswith("I don't understand how often to remind you in")
    assert "/remind every other Friday at 10 payroll" in english
    [none] = await session_as(app, MEMBER).say("/przypomnienia")
    assert none.startswith("Nie masz zaplanowanych przypomnień.")
    # Words that only look like a repetition stay one-off reminders.
    [one_off] = await session_as(app, MEMBER).say(
        "/przypomnij w piątek o 12 co tydzień ustalamy grafik")
    assert one_off.startswith("Dobrze — przypomnę Ci: piątek, 27 listopada 2026, 12:00. "
                              "„co tydzień ustalamy grafik”")


async def test_each_occurrence_goes_out_once_with_two_instances(app: App) -> None:
    await link_console(app, MEMBER)
    await session_as(app, MEMBER).say("/przypomnij codziennie o 8 sprawdzić pocztę")
    other = build_app(app.config, clock=app.clock, db=app.db, morphology=app.morphology)
    other.messengers["console"] = app.messengers["console"]
    instances = [app, other]
    console = Timeline(app).messenger
    arrivals: Counter[datetime] = Counter()
    for hour in range(0, 24 * 4, 2):  # both instances plan and send every two hours
        now = warsaw(2026, 11, 23, 10) + timedelta(hours=hour)
        app.clock.set(now)  # type: ignore[attr-defined]
        before = len(console.transcript)
        for instance in instances:
            assert instance.calendar is not None
            await instance.calendar.reminders.plan_all()
        for instance in instances:
            await instance.worker.run_once()
        arrivals[now.astimezone(UTC)] += len(console.transcript) - before
    assert +arrivals == Counter({warsaw(2026, 11, d, 8).astimezone(UTC): 1 for d in range(24, 28)})


async def test_noon_and_the_repetition_at_the_end(app: App) -> None:
    await link_console(app, MEMBER)
    me = session_as(app, MEMBER)
    [noon] = await me.say("/przypomnij w każdy piątek w południe raport z dowozów")
    assert noon.startswith("Dobrze — przypomnę Ci „raport z dowozów” co tydzień: piątek, "
                           "o 12:00. Najbliższe: piątek, 27 listopada 2026, 12:00.")
    [at_end] = await me.say("/przypomnij sprawdzić skrzynkę ePUAP codziennie o 7:45")
    assert at_end.startswith("Dobrze — przypomnę Ci „sprawdzić skrzynkę ePUAP” codziennie, "
                             "o 7:45. Najbliższe: wtorek, 24 listopada 2026, 7:45.")


@pytest.mark.parametrize(("typed", "rule", "at", "subject"), [
    ("codziennie o 8 sprawdzić pocztę", "FREQ=DAILY", "08:00", "sprawdzić pocztę"),
    ("w dni robocze o 8:30 odprawa", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "08:30", "odprawa"),
    ("w każdy poniedziałek o 9 raport", "FREQ=WEEKLY;BYDAY=MO", "09:00", "raport"),
    ("w każdy wtorek i czwartek o 7:45 basen", "FREQ=WEEKLY;BYDAY=TU,TH", "07:45", "basen"),
    ("co miesiąc 10-go faktury", "FREQ=MONTHLY;BYMONTHDAY=10", "09:00", "faktury"),
    ("10-go każdego miesiąca o 9 czynsz", "FREQ=MONTHLY;BYMONTHDAY=10", "09:00", "czynsz"),
    ("co kwartał 15-go sprawozdanie", "FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=15", "09:00",
     "sprawozdanie"),
    ("co drugi piątek o 10 lista płac", "FREQ=WEEKLY;INTERVAL=2;BYDAY=FR", "10:00",
     "lista płac"),
    ("co 2 tygodnie w środę o 14 narada", "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE", "14:00", "narada"),
    ("sprawdzić pocztę codziennie o 8", "FREQ=DAILY", "08:00", "sprawdzić pocztę"),
    ("o 8:30 odprawa w dni robocze", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "08:30", "odprawa"),
    ("zapłacić czynsz 10-go każdego miesiąca", "FREQ=MONTHLY;BYMONTHDAY=10", "09:00",
     "zapłacić czynsz"),
    ("every day at 8 check mail", "FREQ=DAILY", "08:00", "check mail"),
    ("on weekdays at 8:30 briefing", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "08:30", "briefing"),
    ("every Monday at 9 weekly report", "FREQ=WEEKLY;BYDAY=MO", "09:00", "weekly report"),
    ("monthly on the 10th invoices", "FREQ=MONTHLY;BYMONTHDAY=10", "09:00", "invoices"),
    ("every other Friday at 2 pm payroll", "FREQ=WEEKLY;INTERVAL=2;BYDAY=FR", "14:00",
     "payroll"),
])
def test_repetitions_as_people_write_them(typed: str, rule: str, at: str, subject: str) -> None:
    from datetime import time

    from commands.calendar.repeating import split_repeat

    repeat = split_repeat(typed, now=warsaw(2026, 11, 23, 10), default_time=time(9))
    assert repeat is not None
    assert (repeat.rule, f"{repeat.at:%H:%M}", repeat.subject) == (rule, at, subject)


@pytest.mark.parametrize("typed", [
    "jutro o 9 wysłać sprawozdanie", "w piątek o 12 co tydzień ustalamy grafik",
    "co mam zrobić jutro o 9", "za 2 godziny zadzwonić do GOPS",
])
def test_one_off_phrases_are_not_repetitions(typed: str) -> None:
    from datetime import time

    from commands.calendar.repeating import split_repeat

    assert split_repeat(typed, now=warsaw(2026, 11, 23, 10), default_time=time(9)) is None
