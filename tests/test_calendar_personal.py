"""Personal reminders, /plan and quiet hours, as a person uses them in a messenger."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from bots import commands_cli
from bots.app import App
from commands.clock import WARSAW
from tests.calendar_helpers import MEMBER, MODERATOR, Timeline, link_console, session_as


def warsaw(*args: int) -> datetime:
    return datetime(*args, tzinfo=WARSAW)


async def test_a_personal_reminder_in_polish_arrives_at_nine_tomorrow(app: App) -> None:
    await link_console(app, MEMBER)
    me = session_as(app, MEMBER)
    [saved] = await me.say("/przypomnij jutro o 9 wysłać sprawozdanie")
    assert saved.startswith("Dobrze — przypomnę Ci: wtorek, 24 listopada 2026, 9:00. "
                            "„wysłać sprawozdanie”")
    assert "[1] Odwołaj" in saved
    received = await Timeline(app).run_until(warsaw(2026, 11, 25))
    assert [(r.at, r.to) for r in received] == [(warsaw(2026, 11, 24, 9), MEMBER)]
    assert received[0].text.startswith("Przypomnienie\n\nwysłać sprawozdanie")


async def test_more_ways_of_saying_when_and_listing_and_cancelling(app: App) -> None:
    await link_console(app, MEMBER)
    me = session_as(app, MEMBER)
    await me.say("/przypomnij za 2 godziny zadzwonić do GOPS")
    await me.say("/przypomnij 15 grudnia 10:00 posiedzenie forum")
    await me.say("/przypomnij w piątek")
    [listed] = await me.say("/przypomnienia")
    assert listed.splitlines()[2:5] == [
        "#1 poniedziałek, 23 listopada 2026, 12:00 — zadzwonić do GOPS",
        "#3 piątek, 27 listopada 2026, 9:00 — (bez opisu)",
        "#2 wtorek, 15 grudnia 2026, 10:00 — posiedzenie forum",
    ]
    [cancelled] = await me.say("2")  # the second "Odwołaj" button: reminder #3
    assert cancelled == ("Odwołano przypomnienie „(bez opisu)” "
                         "(piątek, 27 listopada 2026, 9:00).")
    [plan] = await me.say("/plan")
    assert "12:00 🔔 zadzwonić do GOPS (przypomnienie #1)" in plan
    assert "piątek, 27 listopada" not in plan
    received = await Timeline(app).run_until(warsaw(2026, 11, 28))
    assert [r.at for r in received] == [warsaw(2026, 11, 23, 12)]


async def test_unusable_dates_get_an_example_and_nothing_is_saved(app: App) -> None:
    me = session_as(app, MEMBER)
    [garbage] = await me.say("/przypomnij kiedyś posprzątać biurko")
    assert garbage.startswith("Nie rozumiem terminu w „kiedyś posprzątać biurko”.")
    assert "/przypomnij jutro o 9 wysłać sprawozdanie" in garbage
    [february] = await me.say("/przypomnij 31 lutego zapłacić")
    assert february.startswith("Nie ma dnia 31 lutego — sprawdź datę.")
    [past] = await me.say("/przypomnij dziś o 8 kawa")
    assert past.startswith("Ten termin już minął (poniedziałek, 23 listopada 2026, 8:00)")
    [five] = await me.say("/przypomnij jutro o 5 pociąg")
    assert five.startswith("Chodzi o 5:00 czy o 17:00?")
    [yesterday] = await me.say("/przypomnij wczoraj o 9 kawa")
    assert yesterday.startswith("Ten termin już minął (niedziela, 22 listopada 2026, 9:00)")
    [month] = await me.say("/przypomnij 13.13 o 10 coś")
    assert month.startswith("Nie ma miesiąca 13")
    [empty] = await me.say("/przypomnienia")
    assert empty.startswith("Nie masz zaplanowanych przypomnień.")


async def test_a_recent_date_without_a_year_is_refused_not_moved_to_next_year(
        app: App) -> None:
    app.clock.set(warsaw(2026, 12, 4, 10))  # type: ignore[attr-defined]
    me = session_as(app, MEMBER)
    [past] = await me.say("/przypomnij 1 grudnia 10:00 zadzwonić do GOPS")
    assert past.startswith("1 grudnia już minął (wtorek, 1 grudnia 2026). Jeśli chodzi o "
                           "przyszły rok, dopisz go: „1 grudnia 2027”.")
    [next_january] = await me.say("/przypomnij 15 stycznia zamknięcie roku")
    assert next_january.startswith("Dobrze — przypomnę Ci: piątek, 15 stycznia 2027, 9:00.")
    [listed] = await me.say("/przypomnienia")
    assert "GOPS" not in listed and "zamknięcie roku" in listed
    [by_friday] = await me.say("/przypomnij wysłać raport do piątku")
    assert by_friday.startswith("Dobrze — przypomnę Ci: piątek, 11 grudnia 2026, 9:00. "
                                "„wysłać raport do piątku”")


async def test_english_and_a_warning_without_a_messenger(app: App) -> None:
    me = session_as(app, MEMBER)  # no messenger account linked yet
    me.lang = "en"
    await me.say("/me language en")
    [saved] = await me.say("/remind tomorrow at 2:30 pm call the mayor's office")
    assert saved.startswith("OK — I will remind you: Tuesday, 24 November 2026, 14:30. "
                            "“call the mayor's office”")
    assert "you have no linked messenger" in saved
    [details] = await session_as(app, MEMBER).say("/reminders")
    assert "#1 Tuesday, 24 November 2026, 14:30 — call the mayor's office" in details
    # Linking a messenger later is enough: the next planning pass sends it there.
    await link_console(app, MEMBER)
    received = await Timeline(app).run_until(warsaw(2026, 11, 24, 15))
    assert [(r.at, r.text.splitlines()[0]) for r in received] == [
        (warsaw(2026, 11, 24, 14, 30), "Reminder")]


async def test_own_quiet_hours_move_meeting_reminders(app: App) -> None:
    await link_console(app, MODERATOR, MEMBER)
    me = session_as(app, MEMBER)
    [shown] = await me.say("/cisza")
    assert shown.startswith("Twoje godziny ciszy: 20:00–7:00, a także weekendy i święta.")
    [saved] = await me.say("/cisza 10:00-12:00")
    assert saved.startswith("Zapisane. Godziny ciszy: 10:00–12:00")
    # A meeting on Wednesday 13:00: "the day before at 9:00" is fine, "an hour before" (12:00)
    # is no longer quiet for me but 9:00–… is; the moderator keeps the defaults.
    await session_as(app, MODERATOR).say("/wydarzenie nowe PZP Narada; kiedy: 25 listopada "
                                         "11:30-12:30")
    received = await Timeline(app).run_until(warsaw(2026, 11, 26))
    mine = [r.at for r in received if r.to == MEMBER]
    theirs = [r.at for r in received if r.to == MODERATOR]
    assert theirs == [warsaw(2026, 11, 24, 9), warsaw(2026, 11, 25, 10, 30)]
    # 10:30 is quiet for me and opens at 12:00 — after the 11:30 start: dropped, not late.
    assert mine == [warsaw(2026, 11, 24, 9)]


async def test_the_console_of_lacznik_run_shows_reminders(
        app: App, capsys: pytest.CaptureFixture[str]) -> None:
    await commands_cli._console_reminders(app, MEMBER, reachable=True)  # the console opens
    await session_as(app, MEMBER).say("/przypomnij za 2 godziny zadzwonić do GOPS")
    app.clock.advance(timedelta(hours=2))  # type: ignore[attr-defined]
    assert app.calendar is not None
    await app.calendar.reminders.plan_all()
    await app.worker.run_once()
    assert "Przypomnienie\n\nzadzwonić do GOPS" in capsys.readouterr().out
    await commands_cli._console_reminders(app, MEMBER, reachable=False)  # Ctrl-D
    [saved] = await session_as(app, MEMBER).say("/przypomnij jutro o 9 raport")
    assert "nie masz połączonego komunikatora" in saved
