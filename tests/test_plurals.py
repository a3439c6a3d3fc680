"""Counts and dates as people write them (issue 16, point 6): every counted text takes the CLDR
plural form of its number in Polish and English (1 osoba, 2 osoby, 5 osób, 22 osoby; 1 person,
2 people), dates read "wtorek, 8 grudnia", "7 grudnia 2026"."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import select

from adapters.console.adapter import ConsoleSession
from bots.app import App
from commands.calendar.dates import format_date, format_day
from commands.calendar.recurrence import describe
from commands.plurals import category
from commands.texts import plural_problems, t
from store.models import Person
from tests.calendar_helpers import ADMIN, MEMBER, MODERATOR, link_console, session_as

# "osoba" after a number, in the nominative, by the grammar's own rule (not Babel's).
NOUN = {"one": "osoba", "few": "osoby", "many": "osób"}


def polish_form(n: int) -> str:
    """1 → one; 2–4, 22–24, 102–104 … but not 12–14 → few; everything else → many."""
    if n == 1:
        return "one"
    if n % 10 in (2, 3, 4) and n % 100 not in (12, 13, 14):
        return "few"
    return "many"


# --- the helper over 0–130 ---------------------------------------------------------------------


def test_polish_and_english_forms_of_every_count_from_0_to_130() -> None:
    for n in range(131):
        assert category("pl", n) == polish_form(n), n
        assert category("en", n) == ("one" if n == 1 else "other"), n
        noun = NOUN[polish_form(n)]
        assert t("pl", "cal.deadline.recipients", count=n, gminy=0) == \
            f"Odbiorcy: {n} {noun} (wskazane gminy: 0).", n
        people = "person" if n == 1 else "people"
        assert t("en", "cal.deadline.recipients", count=n, gminy=0) == \
            f"Recipients: {n} {people} (gminy named: 0).", n
        if n:
            weeks = {"one": "co tydzień", "few": f"co {n} tygodnie",
                     "many": f"co {n} tygodni"}[polish_form(n)]
            assert describe(f"FREQ=WEEKLY;INTERVAL={n}", "pl") == weeks, n
            assert describe(f"FREQ=WEEKLY;INTERVAL={n}", "en") == (
                "every week" if n == 1 else f"every {n} weeks"), n


@pytest.mark.parametrize(("n", "polish", "english"), [
    (1, "1 osoba", "1 person"), (2, "2 osoby", "2 people"), (4, "4 osoby", "4 people"),
    (5, "5 osób", "5 people"), (12, "12 osób", "12 people"), (21, "21 osób", "21 people"),
    (22, "22 osoby", "22 people"), (112, "112 osób", "112 people"),
    (122, "122 osoby", "122 people"), (0, "0 osób", "0 people"),
])
def test_the_forms_people_write(n: int, polish: str, english: str) -> None:
    assert f"Odbiorcy: {polish} " in t("pl", "cal.deadline.recipients", count=n, gminy=1)
    assert f"Recipients: {english} " in t("en", "cal.deadline.recipients", count=n, gminy=1)


def test_repetitions_and_times_in_words() -> None:
    assert describe("FREQ=WEEKLY;COUNT=1", "pl") == "co tydzień, 1 raz"
    assert describe("FREQ=WEEKLY;COUNT=1", "en") == "every week, once"
    assert describe("FREQ=DAILY;INTERVAL=22;COUNT=3", "pl") == "co 22 dni, 3 razy"
    assert describe("FREQ=WEEKLY;COUNT=x", "pl") == "co tydzień"  # a calendar file's typo
    assert describe("FREQ=YEARLY;INTERVAL=22", "pl") == "co 22 lata"
    assert describe("FREQ=YEARLY;INTERVAL=12", "pl") == "co 12 lat"
    assert describe("FREQ=MONTHLY;INTERVAL=1;BYDAY=-1FR", "pl") == "co miesiąc, w ostatni piątek"
    assert describe("FREQ=MONTHLY;INTERVAL=24;BYDAY=1WE", "pl") == \
        "co 24 miesiące, w pierwszą środę"
    assert describe("FREQ=WEEKLY;UNTIL=20261231T225959Z", "pl") == \
        "co tydzień, do 31 grudnia 2026"
    assert describe("FREQ=WEEKLY;UNTIL=20261231T225959Z", "en") == \
        "every week, until 31 December 2026"


def test_dates_read_as_people_write_them() -> None:
    assert format_day("pl", date(2026, 12, 8), year=False) == "wtorek, 8 grudnia"
    assert format_day("pl", date(2026, 12, 17)) == "czwartek, 17 grudnia 2026"
    assert format_day("en", date(2026, 12, 8)) == "Tuesday, 8 December 2026"
    assert format_date("pl", date(2026, 12, 7)) == "7 grudnia 2026"
    assert format_date("pl", date(2027, 3, 1)) == "1 marca 2027"
    assert format_date("en", date(2026, 12, 7)) == "7 December 2026"


def test_every_counted_text_has_every_form_in_both_languages() -> None:
    assert plural_problems() == {}


# --- through the commands ----------------------------------------------------------------------


async def colleagues(app: App, n: int) -> list[str]:
    """``n`` e-mails of the sample directory, the admin not among them."""
    async with app.db.session() as session:
        emails = (await session.execute(
            select(Person.email).where(Person.email != ADMIN).order_by(Person.email).limit(n)
        )).scalars().all()
    assert len(emails) == n
    return [str(e) for e in emails]


@pytest.mark.parametrize(("n", "polish", "english"), [
    (1, "Wysłać do 1 osoby?", "Send to 1 person?"),
    (2, "Wysłać do 2 osób?", "Send to 2 people?"),
    (5, "Wysłać do 5 osób?", "Send to 5 people?"),
    (22, "Wysłać do 22 osób?", "Send to 22 people?"),
])
async def test_an_announcement_preview_counts_its_recipients(
        app: App, n: int, polish: str, english: str) -> None:
    audience = ", ".join(await colleagues(app, n))
    [preview] = await ConsoleSession(app.core, ADMIN).say(f"/ogloszenie {audience}: Zebranie.")
    assert polish in preview
    [preview] = await ConsoleSession(app.core, ADMIN, lang="en").say(
        f"/announce {audience}: Meeting.")
    assert english in preview


@pytest.mark.parametrize(("n", "polish", "english"), [
    (1, "Odbiorcy: 1 osoba ", "Recipients: 1 person "),
    (2, "Odbiorcy: 2 osoby ", "Recipients: 2 people "),
    (5, "Odbiorcy: 5 osób ", "Recipients: 5 people "),
    (22, "Odbiorcy: 22 osoby ", "Recipients: 22 people "),
])
async def test_a_deadline_counts_the_people_it_reminds(
        app: App, n: int, polish: str, english: str) -> None:
    admin = session_as(app, ADMIN)
    audience = ", ".join(await colleagues(app, n))
    [created] = await admin.say(f"/termin nowy; co: dane do raportu; do: 10 grudnia; "
                                f"kto: {audience}")
    assert "#1" in created, created
    [details] = await admin.say("/termin 1")
    assert polish in details
    assert "do: czwartek, 10 grudnia 2026, 23:59" in details
    [details] = await ConsoleSession(app.core, ADMIN, lang="en").say("/deadline 1")
    assert english in details


async def test_the_reminder_list_says_how_often_in_the_right_form(app: App) -> None:
    await link_console(app, MEMBER)  # the clock: Monday 23 November 2026, 10:00
    me = session_as(app, MEMBER)
    [weekly] = await me.say("/przypomnij w każdy piątek o 10 lista płac")
    assert "co tydzień: piątek, o 10:00" in weekly
    [fortnightly] = await me.say("/przypomnij co drugi piątek o 10 raport")
    assert "co 2 tygodnie: piątek, o 10:00" in fortnightly
    [listed] = await me.say("/przypomnienia")
    assert "co 2 tygodnie: piątek, o 10:00 (najbliższe: piątek, 27 listopada 2026, 10:00)" \
        in listed
    english = session_as(app, MEMBER)
    english.lang = "en"
    await english.say("/me language en")
    [listed] = await english.say("/reminders")
    assert "every 2 weeks: Friday, at 10:00 (next: Friday, 27 November 2026, 10:00)" in listed
    assert "every week: Friday, at 10:00" in listed


@pytest.mark.parametrize(("limit", "polish", "english"), [
    (1, "Masz już 1 zaplanowane przypomnienie", "You already have 1 reminder planned"),
    (2, "Masz już 2 zaplanowane przypomnienia", "You already have 2 reminders planned"),
    (5, "Masz już 5 zaplanowanych przypomnień", "You already have 5 reminders planned"),
])
async def test_a_full_reminder_list_names_its_limit(
        app: App, limit: int, polish: str, english: str) -> None:
    calendar = app.calendar
    assert calendar is not None
    calendar.settings = replace(calendar.settings, max_personal=limit)
    await link_console(app, MEMBER)
    me = session_as(app, MEMBER)
    for hour in range(9, 9 + limit):
        [saved] = await me.say(f"/przypomnij jutro o {hour} zadzwonić")
        assert saved.startswith("Dobrze"), saved
    [refused] = await me.say("/przypomnij jutro o 18 zadzwonić")
    assert refused.startswith(polish), refused
    [refused] = await me.say("/przypomnij codziennie o 8 sprawdzić pocztę")  # repeating too
    assert refused.startswith(polish), refused
    in_english = session_as(app, MEMBER)
    in_english.lang = "en"
    await in_english.say("/me language en")
    [refused] = await in_english.say("/remind tomorrow at 18 call the office")
    assert refused.startswith(english), refused


async def test_an_event_says_its_dates_without_and_with_the_year(app: App) -> None:
    moderator = session_as(app, MODERATOR)
    [created] = await moderator.say("/wydarzenie nowe PZP Dyżur; kiedy: 1 grudnia 10:00; "
                                    "powtarzaj: co tydzień do 22 grudnia")
    assert "Najbliższe terminy: wtorek, 1 grudnia · wtorek, 8 grudnia · wtorek, 15 grudnia" \
        in created
    assert "Powtarza się: co tydzień, do 22 grudnia 2026\n" in created  # not 2026-12-22
