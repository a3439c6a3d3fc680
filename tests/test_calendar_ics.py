"""Calendar files: an Outlook export imported (recurrence, exceptions, Teams link), exported
again as Outlook reads it, and imported back unchanged; unsupported parts are named."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import icalendar
import pytest
import recurring_ical_events

from bots import commands_cli
from bots.app import App
from bots.cli import _parser
from commands.clock import WARSAW
from tests.calendar_helpers import MEMBER, MODERATOR, Timeline, link_console, session_as

# What Outlook 2016+ writes for "Save as iCalendar" (Windows time zone names, CRLF, VALARM).
OUTLOOK = """BEGIN:VCALENDAR
PRODID:-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN
VERSION:2.0
METHOD:PUBLISH
X-MS-OLK-FORCEINSPECTOROPEN:TRUE
BEGIN:VTIMEZONE
TZID:Central European Standard Time
BEGIN:STANDARD
DTSTART:16011028T030000
RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:16010325T020000
RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
END:DAYLIGHT
END:VTIMEZONE
BEGIN:VEVENT
CATEGORIES:PZP
CLASS:PUBLIC
CREATED:20261101T090000Z
DESCRIPTION:Porządek obrad w załączniku.
DTEND;TZID="Central European Standard Time":20261201T120000
DTSTAMP:20261120T080000Z
DTSTART;TZID="Central European Standard Time":20261201T100000
EXDATE;TZID="Central European Standard Time":20270105T100000
LOCATION:Sala 101\\, ul. Basztowa 22
ORGANIZER;CN="Bartosz Urbański":mailto:b.urbanski@krakow.example.pl
ATTENDEE;CN="Renata Nowak";RSVP=TRUE:mailto:r.nowak@wieliczka.example.pl
RRULE:FREQ=MONTHLY;BYDAY=1TU
SEQUENCE:0
SUMMARY;LANGUAGE=pl:Posiedzenie Forum PZP
UID:040000008200E00074C5B7101A82E0080000000010B5D1B4F1C8DC01000000000000000010000000
X-MICROSOFT-SKYPETEAMSMEETINGURL:https://teams.microsoft.com/l/meetup-join/19%3ameeting_pzp
BEGIN:VALARM
TRIGGER:-PT15M
ACTION:DISPLAY
DESCRIPTION:Reminder
END:VALARM
END:VEVENT
BEGIN:VEVENT
CATEGORIES:PZP
DTEND;TZID="Central European Standard Time":20270203T130000
DTSTART;TZID="Central European Standard Time":20270203T110000
RECURRENCE-ID;TZID="Central European Standard Time":20270202T100000
SUMMARY;LANGUAGE=pl:Posiedzenie Forum PZP (przeniesione)
UID:040000008200E00074C5B7101A82E0080000000010B5D1B4F1C8DC01000000000000000010000000
SEQUENCE:1
END:VEVENT
BEGIN:VEVENT
DTSTART;VALUE=DATE:20261210
DTEND;VALUE=DATE:20261211
SUMMARY:Dzień otwarty Metropolii
UID:open-day-2026@smk.example.pl
END:VEVENT
BEGIN:VEVENT
CATEGORIES:PZP
DTSTART;TZID="Central European Standard Time":20261207T090000
DTEND;TZID="Central European Standard Time":20261207T100000
RDATE;TZID="Central European Standard Time":20261214T090000
SUMMARY:Konsultacje
UID:consultations@smk.example.pl
END:VEVENT
BEGIN:VEVENT
CATEGORIES:PZP
DTSTART;TZID="Central European Standard Time":20261208T090000
DTEND;TZID="Central European Standard Time":20261208T091500
RRULE:FREQ=HOURLY;COUNT=5
SUMMARY:Dyżur
UID:duty@smk.example.pl
END:VEVENT
BEGIN:VTODO
SUMMARY:Przygotować sprawozdanie
UID:todo@smk.example.pl
END:VTODO
END:VCALENDAR
""".replace("\n", "\r\n")

WINDOW = (datetime(2026, 11, 1, tzinfo=WARSAW), datetime(2027, 6, 1, tzinfo=WARSAW))


def warsaw(*args: int) -> datetime:
    return datetime(*args, tzinfo=WARSAW)


def meetings(data: bytes, uid_part: str) -> list[tuple[datetime, datetime, str]]:
    """Occurrences a calendar program shows for one event (Warsaw times)."""
    calendar = icalendar.Calendar.from_ical(data)
    found = []
    for component in recurring_ical_events.of(calendar).between(*WINDOW):
        if uid_part in str(component["UID"]):
            found.append((component["DTSTART"].dt.astimezone(WARSAW),
                          component["DTEND"].dt.astimezone(WARSAW), str(component["SUMMARY"])))
    return sorted(found)


async def lacznik(app: App, *argv: str, capsys: pytest.CaptureFixture[str]
                  ) -> tuple[int, str, str]:
    code = await commands_cli.events(app, _parser().parse_args(list(argv)))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def outlook_file(tmp_path: Path) -> Path:
    path = tmp_path / "kalendarz-forum.ics"
    path.write_bytes(OUTLOOK.encode())
    return path


async def test_an_outlook_export_is_imported_with_its_recurrence_and_exceptions(
        app: App, outlook_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    await link_console(app, MEMBER)
    code, out, err = await lacznik(app, "events", "import", str(outlook_file), capsys=capsys)
    assert code == 0
    assert "imported: 1 new, 0 updated, 0 unchanged, 0 cancelled" in out
    assert "\"Posiedzenie Forum PZP\" (2026-12-01)" in out
    assert "skipped 4 (the rest was imported):" in err
    assert "\"Dzień otwarty Metropolii\" (2026-12-10): no forum: give --forum KEY" in err
    assert "\"Konsultacje\" (2026-12-07): extra dates (RDATE) are not supported" in err
    assert "\"Dyżur\" (2026-12-08): recurrence 'FREQ=HOURLY;COUNT=5' is not supported" in err
    assert "VTODO \"Przygotować sprawozdanie\": tasks (VTODO) are not supported" in err
    assert "ignored: 1 × alarms (VALARM): Łącznik sends its own reminders" in err
    assert "ignored: 1 × attendee lists (ATTENDEE): invitees are the forum's members" in err

    [listed] = await session_as(app, MEMBER).say("/wydarzenia PZP")
    assert "wtorek, 1 grudnia 2026\n  10:00–12:00 Posiedzenie Forum PZP [PZP] · Sala 101, " \
           "ul. Basztowa 22" in listed
    assert "wtorek, 5 stycznia" not in listed  # EXDATE
    assert "środa, 3 lutego 2027\n  11:00–13:00 Posiedzenie Forum PZP (przeniesione)" in listed
    received = await Timeline(app).run_until(warsaw(2026, 11, 30, 9, 1))
    [reminder] = [r for r in received if r.at == warsaw(2026, 11, 30, 9)]
    assert "Link do spotkania: https://teams.microsoft.com/l/meetup-join/19%3ameeting_pzp" \
        in reminder.text
    [details] = await session_as(app, MODERATOR).say("/wydarzenie 1")
    assert "Organizator: Bartosz Urbański" in details  # ORGANIZER matched the directory


async def test_round_trip_through_our_export_changes_nothing(
        app: App, outlook_file: Path, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    await lacznik(app, "events", "import", str(outlook_file), capsys=capsys)
    exported = tmp_path / "export.ics"
    code, out, _ = await lacznik(app, "events", "export", str(exported), "--forum", "pzp",
                                 capsys=capsys)
    assert (code, out.strip()) == (0, f"{exported}: exported 2 calendar entries")
    data = exported.read_bytes()
    assert b"BEGIN:VTIMEZONE\r\nTZID:Europe/Warsaw" in data
    assert b"DTSTART;TZID=Europe/Warsaw:20261201T100000" in data
    uids = {str(c["UID"]) for c in icalendar.Calendar.from_ical(data).walk("VEVENT")}
    assert uids == {"040000008200E00074C5B7101A82E0080000000010B5D1B4F1C8DC010000000000000000"
                    "10000000"}  # the event keeps Outlook's UID
    assert b"METHOD:PUBLISH" in data and b"STATUS:CONFIRMED" in data
    # Outlook and phones expand it to exactly the meetings of the original file.
    uid = "040000008200E00074C5B7101A82E008"
    assert meetings(data, uid) == meetings(OUTLOOK.encode(), uid)
    assert meetings(data, uid)[:3] == [
        (warsaw(2026, 12, 1, 10), warsaw(2026, 12, 1, 12), "Posiedzenie Forum PZP"),
        (warsaw(2027, 2, 3, 11), warsaw(2027, 2, 3, 13), "Posiedzenie Forum PZP (przeniesione)"),
        (warsaw(2027, 3, 2, 10), warsaw(2027, 3, 2, 12), "Posiedzenie Forum PZP"),
    ]
    code, out, _ = await lacznik(app, "events", "import", str(exported), capsys=capsys)
    assert "imported: 0 new, 0 updated, 1 unchanged, 0 cancelled" in out

    moderator = session_as(app, MODERATOR)
    await moderator.say("/wydarzenie 1 zmień gdzie: sala 205")
    await lacznik(app, "events", "export", str(exported), capsys=capsys)
    changed = icalendar.Calendar.from_ical(exported.read_bytes())
    master = next(c for c in changed.walk("VEVENT") if c.get("RECURRENCE-ID") is None)
    assert (int(master["SEQUENCE"]), str(master["LOCATION"])) == (1, "sala 205")
    await moderator.say("/wydarzenie 1 odwołaj")
    await moderator.say("1")
    await lacznik(app, "events", "export", str(exported), capsys=capsys)
    cancelled = icalendar.Calendar.from_ical(exported.read_bytes())
    assert {str(c["STATUS"]) for c in cancelled.walk("VEVENT")} == {"CANCELLED"}


async def test_strict_refuses_the_whole_file_and_dry_run_writes_nothing(
        app: App, outlook_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = await lacznik(app, "events", "import", str(outlook_file), "--strict",
                                 capsys=capsys)
    assert code == 1 and "nothing imported (--strict): 4 part(s) cannot be imported" in err
    code, out, err = await lacznik(app, "events", "import", str(outlook_file), "--forum", "PZP",
                                   "--dry-run", capsys=capsys)
    assert code == 0 and "would import: 2 new" in out  # with --forum the open day fits PZP
    assert "skipped 3 (the rest would be imported)" in err
    [listed] = await session_as(app, MEMBER).say("/wydarzenia PZP")
    assert "Brak wydarzeń" in listed
    code, out, _ = await lacznik(app, "events", "import", str(outlook_file), "--forum", "PZP",
                                 capsys=capsys)
    [listed] = await session_as(app, MEMBER).say("/wydarzenia PZP")
    assert "czwartek, 10 grudnia 2026\n  cały dzień Dzień otwarty Metropolii [PZP]" in listed
    not_a_calendar = outlook_file.with_name("lista.ics")
    not_a_calendar.write_text("imię;nazwisko\nJan;Kowalski\n", encoding="utf-8")
    code, _, err = await lacznik(app, "events", "import", str(not_a_calendar), capsys=capsys)
    assert code == 1 and "nothing imported: not an iCalendar file" in err
    assert date(2026, 12, 10)  # the open day above is an all-day event


# Outlook puts the Teams join text, several lines of it, into DESCRIPTION (escaped as \n).
TEAMS_INVITE = """BEGIN:VCALENDAR
PRODID:-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN
VERSION:2.0
METHOD:PUBLISH
BEGIN:VEVENT
CATEGORIES:PZP
DESCRIPTION:Porządek obrad w załączniku\\; proszę o uwagi\\, do piątku.\\n\\n___
 _____________\\nSpotkanie w aplikacji Microsoft Teams\\nDołącz teraz: https:/
 /teams.microsoft.com/l/meetup-join/19%3ameeting_teams\\nIdentyfikator: 123 4
 56 789\\\\C
DTSTART;TZID=Europe/Warsaw:20261208T100000
DTEND;TZID=Europe/Warsaw:20261208T110000
SUMMARY:Konsultacje Teams
UID:teams-invite@smk.example.pl
END:VEVENT
END:VCALENDAR
""".replace("\n", "\r\n")
TEAMS_TEXT = ("Porządek obrad w załączniku; proszę o uwagi, do piątku.\n\n________________\n"
              "Spotkanie w aplikacji Microsoft Teams\nDołącz teraz: "
              "https://teams.microsoft.com/l/meetup-join/19%3ameeting_teams\n"
              "Identyfikator: 123 456 789\\C")


async def test_a_multi_line_description_survives_export_and_import(
        app: App, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    invite = tmp_path / "teams.ics"
    invite.write_bytes(TEAMS_INVITE.encode())
    code, out, _ = await lacznik(app, "events", "import", str(invite), capsys=capsys)
    assert code == 0 and "imported: 1 new" in out
    [details] = await session_as(app, MODERATOR).say("/wydarzenie 1")
    assert "Spotkanie w aplikacji Microsoft Teams" in details

    exported = tmp_path / "export.ics"
    code, out, err = await lacznik(app, "events", "export", str(exported), capsys=capsys)
    assert (code, err) == (0, "")
    [component] = icalendar.Calendar.from_ical(exported.read_bytes()).walk("VEVENT")
    assert str(component["DESCRIPTION"]).startswith(TEAMS_TEXT + "\n\n")
    code, out, _ = await lacznik(app, "events", "import", str(exported), capsys=capsys)
    assert "imported: 0 new, 0 updated, 1 unchanged, 0 cancelled" in out

    # A change elsewhere exported and imported back keeps the description whole.
    await session_as(app, MODERATOR).say("/wydarzenie 1 zmień gdzie: sala 205")
    await lacznik(app, "events", "export", str(exported), capsys=capsys)
    await session_as(app, MODERATOR).say("/wydarzenie 1 zmień gdzie: sala 101")
    code, out, _ = await lacznik(app, "events", "import", str(exported), capsys=capsys)
    assert "1 updated" in out
    await lacznik(app, "events", "export", str(exported), capsys=capsys)
    [again] = icalendar.Calendar.from_ical(exported.read_bytes()).walk("VEVENT")
    assert str(again["DESCRIPTION"]).startswith(TEAMS_TEXT + "\n\n")
    assert str(again["LOCATION"]) == "sala 205"
