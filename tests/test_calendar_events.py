"""Events through the messenger: a moderator plans forum meetings, members are reminded on
their messengers at the right Warsaw time, answer "Będę / Nie będę", and hear about changes."""

from __future__ import annotations

from datetime import datetime

import pytest

from bots.app import App
from commands.clock import WARSAW
from tests.calendar_helpers import (
    ADMIN,
    MEMBER,
    MODERATOR,
    Timeline,
    buttons_of_last_message_to,
    link_console,
    press,
    session_as,
)

MONTHLY = (
    "/wydarzenie nowe PZP Posiedzenie Forum PZP\n"
    "kiedy: 1 grudnia 10:00-12:00\n"
    "gdzie: sala 101, ul. Basztowa 22\n"
    "link: https://teams.microsoft.com/l/meetup-join/19%3ameeting_pzp\n"
    "materiały: https://smk.sharepoint.com/sites/pzp/porzadek.docx\n"
    "powtarzaj: pierwszy wtorek miesiąca"
)


def warsaw(*args: int) -> datetime:
    return datetime(*args, tzinfo=WARSAW)


async def test_a_monthly_meeting_reminds_at_nine_warsaw_time_across_dst(app: App) -> None:
    await link_console(app, MODERATOR, MEMBER)
    [created] = await session_as(app, MODERATOR).say(MONTHLY)
    assert "Zapisano wydarzenie #1" in created
    assert "Powtarza się: co miesiąc, w pierwszy wtorek" in created
    assert "wtorek, 1 grudnia · wtorek, 5 stycznia · wtorek, 2 lutego" in created

    received = await Timeline(app).run_until(warsaw(2027, 4, 7))
    to_member = [r for r in received if r.to == MEMBER]
    moments = [r.at for r in to_member]
    # Materials two days before — a Sunday, so at 7:00 on Monday, when quiet hours end —
    # then the day before at 9:00 and an hour before.
    assert moments[:3] == [warsaw(2026, 11, 30, 7), warsaw(2026, 11, 30, 9),
                           warsaw(2026, 12, 1, 9)]
    # The DST change (28 March 2027) moves nothing: the April meeting still at 9:00 local.
    assert moments[-3:] == [warsaw(2027, 4, 5, 7), warsaw(2027, 4, 5, 9),
                            warsaw(2027, 4, 6, 9)]
    assert all(m.utcoffset() == warsaw(2027, 4, 6).utcoffset() for m in moments[-3:])
    assert len(to_member) == 15  # five meetings (Dec–Apr), three reminders each, once each
    day_before = to_member[1].text
    assert day_before.startswith("Przypomnienie: Posiedzenie Forum PZP")
    assert "wtorek, 1 grudnia 2026, 10:00–12:00" in day_before
    assert "Miejsce: sala 101, ul. Basztowa 22" in day_before
    assert "Link do spotkania: https://teams.microsoft.com/l/meetup-join/" in day_before
    assert "• https://smk.sharepoint.com/sites/pzp/porzadek.docx" in day_before
    assert "[1] Będę  [2] Nie będę" in day_before
    assert to_member[0].text.startswith("Materiały na spotkanie: Posiedzenie Forum PZP")


async def test_answers_are_recorded_and_the_organiser_sees_them(app: App) -> None:
    await link_console(app, MODERATOR, MEMBER, "p.sikora@skawina.example.pl")
    await session_as(app, MODERATOR).say(MONTHLY)
    await Timeline(app).run_until(warsaw(2026, 11, 30, 9, 1))
    [(yes_label, action, yes), (no_label, _, no)] = await buttons_of_last_message_to(app, MEMBER)
    assert (yes_label, no_label) == ("Będę", "Nie będę")
    [saved] = await press(app, MEMBER, action, yes)
    assert saved == ("Zapisano: będziesz na „Posiedzenie Forum PZP” "
                     "(wtorek, 1 grudnia 2026, 10:00–12:00).")
    await press(app, "p.sikora@skawina.example.pl", action, no)

    [details] = await session_as(app, MODERATOR).say("/wydarzenie 1")
    assert "Będę (1): Renata Nowak" in details
    assert "Nie będę (1): Paulina Sikora" in details
    assert "Przypomnienia: wysłane 6, czekające 3" in details  # 3 people × (2 sent, 1 to come)
    # Twelve PZP members have no messenger the bot can write to: the organiser sees who.
    assert "nie dostaną przypomnień: Anita Wilk, Damian Sawicki" in details
    [seen_by_member] = await session_as(app, MEMBER).say("/wydarzenie 1")
    assert "Twoja odpowiedź: Będę" in seen_by_member
    assert "Nie będę (1)" not in seen_by_member  # others' answers are for the organiser


async def test_cancelling_after_a_reminder_tells_those_reminded(app: App) -> None:
    await link_console(app, MODERATOR, MEMBER)
    moderator = session_as(app, MODERATOR)
    # Created on Monday at 10:00 for Tuesday 10:00: "the day before at 9:00" has passed, so
    # members get one catch-up reminder now instead of learning of it an hour before.
    [created] = await moderator.say("/wydarzenie nowe PZP Narada w sprawie przetargu; "
                                    "kiedy: jutro 10:00-11:00; gdzie: sala 5")
    assert "#1" in created
    timeline = Timeline(app)
    first = await timeline.run_until(warsaw(2026, 11, 23, 10, 1))
    assert [(r.to, r.at) for r in first if r.to == MEMBER] == [(MEMBER, warsaw(2026, 11, 23, 10))]

    [question] = await moderator.say("/wydarzenie 1 odwołaj")
    assert "Odwołać całe wydarzenie „Narada w sprawie przetargu”" in question
    [done] = await moderator.say("1")  # "Tak, odwołaj"
    assert "Odwołano „Narada w sprawie przetargu”. Powiadomienia dla osób, które dostały już " \
           "przypomnienie: 2." in done
    later = await timeline.run_until(warsaw(2026, 11, 24, 12))
    to_member = [r for r in later if r.to == MEMBER]
    assert len(to_member) == 1  # the notice; the "hour before" reminder never comes
    assert to_member[0].text.startswith("Odwołane: Narada w sprawie przetargu")
    assert "wtorek, 24 listopada 2026, 10:00–11:00" in to_member[0].text


async def test_moving_one_meeting_tells_those_reminded_and_retimes_the_rest(app: App) -> None:
    await link_console(app, MODERATOR, MEMBER)
    moderator = session_as(app, MODERATOR)
    await moderator.say(MONTHLY)
    timeline = Timeline(app)
    await timeline.run_until(warsaw(2026, 11, 30, 12))  # materials and day-before reminders
    [moved] = await moderator.say("/wydarzenie 1 przenieś 1 grudnia na 3 grudnia 12:00")
    assert "było wtorek, 1 grudnia 2026, 10:00–12:00, jest czwartek, 3 grudnia 2026, " \
           "12:00–14:00" in moved
    received = [r for r in await timeline.run_until(warsaw(2026, 12, 4)) if r.to == MEMBER]
    assert received[0].text.startswith("Zmiana: Posiedzenie Forum PZP")
    assert "czwartek, 3 grudnia 2026, 12:00–14:00" in received[0].text
    assert "• termin: wtorek, 1 grudnia 2026, 10:00–12:00 → czwartek, 3 grudnia 2026, " \
           "12:00–14:00" in received[0].text
    assert "• miejsce:" not in received[0].text  # the place did not change
    assert received[0].at == warsaw(2026, 11, 30, 12)
    # Nothing for the old time any more; the usual reminders for the new one.
    assert [r.at for r in received[1:]] == [warsaw(2026, 12, 1, 12), warsaw(2026, 12, 2, 9),
                                            warsaw(2026, 12, 3, 11)]
    assert "czwartek, 3 grudnia 2026, 12:00–14:00" in received[-1].text
    [plan] = await session_as(app, MEMBER).say("/plan")
    assert "czwartek, 3 grudnia" not in plan and "wtorek, 5 stycznia" in plan


async def test_bad_event_input_gets_a_clear_answer(app: App) -> None:
    moderator = session_as(app, MODERATOR)
    [no_forum] = await moderator.say("/wydarzenie nowe")
    assert "Każde wydarzenie należy do forum" in no_forum and "PZP" in no_forum
    [unknown] = await moderator.say("/wydarzenie nowe XYZ Spotkanie; kiedy: jutro 10:00")
    assert "Nie znam forum „XYZ”" in unknown
    [feb] = await moderator.say("/wydarzenie nowe PZP Spotkanie; kiedy: 31 lutego 10:00")
    assert "Nie ma dnia 31 lutego" in feb and "kiedy: 1 grudnia 10:00-12:00" in feb
    [past] = await moderator.say("/wydarzenie nowe PZP Spotkanie; kiedy: 2 listopada 2026 10:00")
    assert "Ten termin już minął (poniedziałek, 2 listopada 2026, 10:00)" in past
    [garbage] = await moderator.say("/wydarzenie nowe PZP Spotkanie; kiedy: po obiedzie")
    assert "Nie rozumiem terminu" in garbage
    [field] = await moderator.say("/wydarzenie nowe PZP Spotkanie; kiedy: jutro 10:00; "
                                  "sala: 5")
    assert "Nie znam pola „sala”" not in field  # "sala" is a known alias of "gdzie"
    [other_forum] = await moderator.say("/wydarzenie nowe EKO Spotkanie; kiedy: jutro 10:00")
    assert "tworzą i zmieniają jego moderatorzy" in other_forum  # not their forum
    [member] = await session_as(app, MEMBER).say("/wydarzenie nowe PZP X; kiedy: jutro 10:00")
    assert "tworzą i zmieniają jego moderatorzy" in member
    [admin] = await session_as(app, ADMIN).say("/wydarzenie nowe EKO Spotkanie EKO-TEAM; "
                                               "kiedy: 2 grudnia 13:00")
    assert "Zapisano wydarzenie" in admin  # admins manage every forum
    [shifted] = await moderator.say("/wydarzenie nowe PZP Sesja; kiedy: 2 grudnia 10:00; "
                                    "powtarzaj: pierwszy wtorek miesiąca")
    assert "Podany dzień (środa, 2 grudnia 2026) nie pasuje do reguły powtarzania — pierwsze " \
           "spotkanie: wtorek, 5 stycznia 2027." in shifted
    [bad_rule] = await moderator.say("/wydarzenie nowe PZP Sesja; kiedy: 2 grudnia 10:00; "
                                     "powtarzaj: co godzinę")
    assert bad_rule.startswith("Nie rozumiem, jak ma się powtarzać.")


async def test_a_change_notice_says_what_changed_and_nothing_else(app: App) -> None:
    await link_console(app, MODERATOR, MEMBER)
    moderator = session_as(app, MODERATOR)
    await moderator.say("/wydarzenie nowe PZP Narada; kiedy: jutro 10:00-11:00; gdzie: sala 5")
    timeline = Timeline(app)
    await timeline.run_until(warsaw(2026, 11, 23, 10, 1))  # the catch-up reminder

    await moderator.say("/wydarzenie 1 zmień gdzie: sala 205, ul. Basztowa 22")
    [place] = [r.text for r in await timeline.run_until(warsaw(2026, 11, 23, 10, 5))
               if r.to == MEMBER]
    assert place.startswith("Zmiana: Narada\n\nCo się zmieniło:\n"
                            "• miejsce: sala 5 → sala 205, ul. Basztowa 22\n")
    assert "termin:" not in place and "Wcześniej" not in place  # the time is the same

    await moderator.say("/wydarzenie 1 zmień tytuł: Narada przetargowa; kiedy: jutro "
                        "12:00-13:00; link: https://teams.microsoft.com/l/meetup-join/19%3ax")
    # Exactly one message: the notice, no catch-up reminder for the "new" meeting after it.
    [several] = [r.text for r in await timeline.run_until(warsaw(2026, 11, 23, 10, 10))
                 if r.to == MEMBER]
    assert "• termin: wtorek, 24 listopada 2026, 10:00–11:00 → wtorek, 24 listopada 2026, " \
           "12:00–13:00" in several
    assert "• tytuł: Narada → Narada przetargowa" in several
    assert "• link: — → https://teams.microsoft.com/l/meetup-join/19%3ax" in several
    assert "• miejsce" not in several

    await moderator.say("/wydarzenie 1 zmień gdzie: -")
    [cleared] = [r.text for r in await timeline.run_until(warsaw(2026, 11, 23, 10, 15))
                 if r.to == MEMBER]
    assert "• miejsce: sala 205, ul. Basztowa 22 → —" in cleared


async def test_a_meeting_moved_after_its_reminder_brings_one_notice_and_no_second_reminder(
        app: App) -> None:
    await link_console(app, MODERATOR, MEMBER)
    moderator = session_as(app, MODERATOR)
    await moderator.say("/wydarzenie nowe PZP Narada; kiedy: jutro 10:00-11:00; gdzie: sala 5")
    timeline = Timeline(app)
    [catch_up] = [r for r in await timeline.run_until(warsaw(2026, 11, 23, 10, 1))
                  if r.to == MEMBER]
    assert catch_up.text.startswith("Przypomnienie: Narada")

    app.clock.set(warsaw(2026, 11, 23, 15))  # type: ignore[attr-defined]
    await moderator.say("/wydarzenie 1 zmień kiedy: jutro 12:00-13:00")
    received = [r for r in await timeline.run_until(warsaw(2026, 11, 24, 10)) if r.to == MEMBER]
    [notice] = received  # exactly one message: the notice, no second "catch-up" reminder
    assert notice.text.startswith("Zmiana: Narada") and notice.at == warsaw(2026, 11, 23, 15)
    assert "• termin: wtorek, 24 listopada 2026, 10:00–11:00 → wtorek, 24 listopada 2026, " \
           "12:00–13:00" in notice.text

    # Those reminded before the time changed still hear of later changes.
    await moderator.say("/wydarzenie 1 zmień gdzie: sala 7")
    received = [r for r in await timeline.run_until(warsaw(2026, 11, 25)) if r.to == MEMBER]
    assert [(r.text.splitlines()[0], r.at) for r in received] == [
        ("Zmiana: Narada", warsaw(2026, 11, 24, 10)),
        ("Przypomnienie: Narada", warsaw(2026, 11, 24, 11)),  # an hour before the new time
    ]
    assert "• miejsce: sala 5 → sala 7" in received[0].text
    assert "12:00–13:00" in received[1].text


async def test_a_meeting_not_yet_reminded_and_moved_closer_gets_a_catch_up(app: App) -> None:
    await link_console(app, MODERATOR, MEMBER)
    moderator = session_as(app, MODERATOR)
    await moderator.say("/wydarzenie nowe PZP Narada; kiedy: 26 listopada 10:00-11:00")
    timeline = Timeline(app)
    assert [r for r in await timeline.run_until(warsaw(2026, 11, 23, 15))
            if r.to == MEMBER] == []
    # Moved to tomorrow: "the day before at 9:00" has passed and nobody has heard of it yet.
    await moderator.say("/wydarzenie 1 zmień kiedy: jutro 10:00-11:00")
    received = [r for r in await timeline.run_until(warsaw(2026, 11, 25)) if r.to == MEMBER]
    assert [(r.text.splitlines()[0], r.at) for r in received] == [
        ("Przypomnienie: Narada", warsaw(2026, 11, 23, 15)),
        ("Przypomnienie: Narada", warsaw(2026, 11, 24, 9)),
    ]


async def test_a_catch_up_held_by_quiet_hours_still_comes(app: App) -> None:
    await link_console(app, MODERATOR, MEMBER)
    app.clock.set(warsaw(2026, 11, 23, 21))  # type: ignore[attr-defined]
    await session_as(app, MODERATOR).say("/wydarzenie nowe PZP Narada; kiedy: jutro 10:00-11:00")
    received = [r for r in await Timeline(app).run_until(warsaw(2026, 11, 25)) if r.to == MEMBER]
    # The catch-up waits for the morning (the next planning pass used to cancel it), then
    # the hour-before reminder.
    assert [r.at for r in received] == [warsaw(2026, 11, 24, 7), warsaw(2026, 11, 24, 9)]


async def test_cancelling_a_meeting_after_its_time_changed_tells_those_reminded(
        app: App) -> None:
    await link_console(app, MODERATOR, MEMBER)
    moderator = session_as(app, MODERATOR)
    await moderator.say("/wydarzenie nowe PZP Narada; kiedy: jutro 10:00-11:00")
    timeline = Timeline(app)
    await timeline.run_until(warsaw(2026, 11, 23, 10, 1))  # the catch-up reminder
    await moderator.say("/wydarzenie 1 zmień kiedy: jutro 12:00-13:00")
    await timeline.run_until(warsaw(2026, 11, 23, 10, 2))  # the notice
    await moderator.say("/wydarzenie 1 odwołaj")
    await moderator.say("1")
    received = [r for r in await timeline.run_until(warsaw(2026, 11, 25)) if r.to == MEMBER]
    assert [r.text.splitlines()[0] for r in received] == ["Odwołane: Narada"]


@pytest.mark.parametrize(("change", "hour_before", "shown"), [
    ("/wydarzenie 1 przenieś 1 grudnia na 1 grudnia 12:00", 11, "12:00–14:00"),  # one meeting
    ("/wydarzenie 1 zmień kiedy: 1 grudnia 13:00-15:00", 12, "13:00–15:00"),  # the series
])
async def test_a_series_meeting_moved_after_its_reminder_brings_one_notice_only(
        app: App, change: str, hour_before: int, shown: str) -> None:
    await link_console(app, MODERATOR, MEMBER)
    moderator = session_as(app, MODERATOR)
    await moderator.say(MONTHLY)
    timeline = Timeline(app)
    await timeline.run_until(warsaw(2026, 11, 30, 12))  # materials and day-before reminders

    await moderator.say(change)
    received = [r for r in await timeline.run_until(warsaw(2026, 12, 2)) if r.to == MEMBER]
    assert [(r.text.splitlines()[0], r.at) for r in received] == [
        ("Zmiana: Posiedzenie Forum PZP", warsaw(2026, 11, 30, 12)),
        ("Przypomnienie: Posiedzenie Forum PZP", warsaw(2026, 12, 1, hour_before)),
    ]
    assert shown in received[1].text


async def test_an_event_on_a_recent_date_without_a_year_is_refused(app: App) -> None:
    app.clock.set(warsaw(2026, 12, 4, 10))  # type: ignore[attr-defined]
    moderator = session_as(app, MODERATOR)
    [past] = await moderator.say("/wydarzenie nowe PZP Posiedzenie; kiedy: 1 grudnia 10:00")
    assert past.startswith("1 grudnia już minął (wtorek, 1 grudnia 2026). Jeśli chodzi o "
                           "przyszły rok, dopisz go: „1 grudnia 2027”.")
    [deadline] = await moderator.say("/termin nowy PZP; co: sprawozdanie; do: 30 listopada")
    assert deadline.startswith("30 listopada już minął (poniedziałek, 30 listopada 2026).")
    [january] = await moderator.say("/wydarzenie nowe PZP Posiedzenie; kiedy: 12 stycznia 10:00")
    assert "wtorek, 12 stycznia 2027, 10:00–12:00" in january
    [listed] = await session_as(app, MEMBER).say("/wydarzenia PZP")
    assert "grudnia" not in listed and "12 stycznia 2027" in listed


async def test_every_other_week_meets_every_other_week(app: App) -> None:
    moderator = session_as(app, MODERATOR)
    [created] = await moderator.say("/wydarzenie nowe PZP Dyżur; kiedy: 1 grudnia 10:00; "
                                    "powtarzaj: co drugi wtorek")
    assert "Powtarza się: co 2 tygodnie: wtorek" in created
    assert "Najbliższe terminy: wtorek, 1 grudnia · wtorek, 15 grudnia · wtorek, 29 grudnia" \
        in created
    [listed] = await session_as(app, MEMBER).say("/wydarzenia PZP")
    assert "wtorek, 15 grudnia 2026" in listed and "wtorek, 8 grudnia 2026" not in listed
    [changed] = await moderator.say("/wydarzenie 1 zmień powtarzaj: co dwa miesiące")
    assert "co 2 miesiące" in (await moderator.say("/wydarzenie 1"))[0], changed
    [vague] = await moderator.say("/wydarzenie 1 zmień powtarzaj: co jakiś czas")
    assert vague.startswith("Nie rozumiem, jak ma się powtarzać.")
    assert "Przykłady: „powtarzaj: pierwszy wtorek miesiąca”" in vague  # never a guess
    [ambiguous] = await session_as(app, MODERATOR).say(
        "/wydarzenie 1 zmień powtarzaj: every second Tuesday")
    assert "„co drugi wtorek” albo „drugi wtorek miesiąca”" in ambiguous


async def test_events_lists_mine_a_forums_and_english(app: App) -> None:
    moderator = session_as(app, MODERATOR)
    await moderator.say(MONTHLY)
    await session_as(app, ADMIN).say("/wydarzenie nowe EKO Spotkanie EKO-TEAM; "
                                     "kiedy: 2 grudnia 13:00")
    [mine] = await session_as(app, MEMBER).say("/wydarzenia")
    assert "Twoje nadchodzące wydarzenia" in mine
    assert "wtorek, 1 grudnia 2026\n  10:00–12:00 Posiedzenie Forum PZP [PZP] · sala 101" in mine
    assert "EKO-TEAM" not in mine
    [eko] = await session_as(app, MEMBER).say("/wydarzenia eko")
    assert "13:00–15:00 Spotkanie EKO-TEAM [EKO]" in eko  # two hours unless told otherwise
    english = session_as(app, MEMBER)
    english.lang = "en"
    await english.say("/moje-dane język en")
    [listed] = await english.say("/events")
    assert "Your upcoming events" in listed and "Tuesday, 1 December 2026" in listed


async def test_answers_given_before_a_meetings_time_changed_are_kept(app: App) -> None:
    await link_console(app, MODERATOR, MEMBER, "p.sikora@skawina.example.pl")
    moderator = session_as(app, MODERATOR)
    await moderator.say("/wydarzenie nowe PZP Narada; kiedy: jutro 10:00-11:00; gdzie: sala 5")
    await Timeline(app).run_until(warsaw(2026, 11, 23, 10, 1))  # the catch-up reminder
    [(_, action, yes), (_, _, no)] = await buttons_of_last_message_to(app, MEMBER)
    await press(app, MEMBER, action, yes)
    await press(app, "p.sikora@skawina.example.pl", action, no)

    await moderator.say("/wydarzenie 1 zmień kiedy: 25 listopada 12:00-13:00")
    [details] = await moderator.say("/wydarzenie 1")
    assert "Odpowiedzi na spotkanie środa, 25 listopada 2026, 12:00–13:00:" in details
    assert "Będę (1): Renata Nowak" in details
    assert "Nie będę (1): Paulina Sikora" in details
    [seen_by_member] = await session_as(app, MEMBER).say("/wydarzenie 1")
    assert "Twoja odpowiedź: Będę" in seen_by_member
