"""Calendar feeds over HTTP: the secret address from /kalendarz serves an Outlook-ready .ics
that follows changes; wrong, revoked or no-longer-allowed addresses get 404."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import icalendar
import pytest
from multidict import CIMultiDict

from bots.app import App
from bots.calendar_feed import CalendarFeedComponent
from bots.config import Config, ServerConfig
from bots.service import Service
from store.calendar import forum_by_key
from store.models import ForumMember
from store.people import person_by_email
from tests.calendar_helpers import MEMBER, MODERATOR, session_as
from tests.test_calendar_ics import TEAMS_INVITE, TEAMS_TEXT, lacznik

URL = re.compile(r"http://\S+/calendar/[A-Za-z0-9_-]+\.ics")


@pytest.fixture
async def server(app: App) -> AsyncIterator[str]:
    """The service's HTTP server with the feed component, on a free port."""
    assert app.calendar is not None
    app.config = Config(database=app.config.database, server=ServerConfig(port=0),
                        extra=app.config.extra)
    service = Service(app, [CalendarFeedComponent(feeds=app.calendar.feeds)])
    await service.start()
    try:
        yield f"http://127.0.0.1:{service.port}"
    finally:
        await service.stop()


async def fetch(address: str, server: str, etag: str = ""
                ) -> tuple[int, bytes, CIMultiDict[str]]:
    path = address.split("/calendar/", 1)[1]
    headers = {"If-None-Match": etag} if etag else {}
    async with aiohttp.ClientSession() as client, client.get(
            f"{server}/calendar/{path}", headers=headers) as response:
        return response.status, await response.read(), response.headers.copy()


async def test_my_feed_follows_changes_and_cancellations(app: App, server: str) -> None:
    moderator = session_as(app, MODERATOR)
    await moderator.say("/wydarzenie nowe PZP Posiedzenie Forum PZP\nkiedy: 1 grudnia "
                        "10:00-12:00\npowtarzaj: pierwszy wtorek miesiąca\n"
                        "materiały: https://smk.sharepoint.com/pzp/porzadek.docx")
    await moderator.say("/termin nowy PZP; co: sprawozdanie; do: 15 grudnia 12:00")
    me = session_as(app, MEMBER)
    [issued] = await me.say("/kalendarz")
    assert "Twój prywatny kalendarz" in issued and "Z Internetu" in issued
    address = URL.search(issued).group(0)  # type: ignore[union-attr]

    status, body, headers = await fetch(address, server)
    assert status == 200 and headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert headers["Cache-Control"].startswith("private")
    calendar = icalendar.Calendar.from_ical(body)
    assert str(calendar["X-WR-CALNAME"]) == "Łącznik — Renata Nowak"
    [timezone] = calendar.walk("VTIMEZONE")
    assert str(timezone["TZID"]) == "Europe/Warsaw"
    event, deadline = sorted(calendar.walk("VEVENT"), key=lambda c: str(c["SUMMARY"]))
    assert str(event["RRULE"].to_ical(), "ascii") == "FREQ=MONTHLY;BYDAY=1TU"
    assert (int(event["SEQUENCE"]), str(event["STATUS"])) == (0, "CONFIRMED")
    assert "https://smk.sharepoint.com/pzp/porzadek.docx" in str(event["DESCRIPTION"])
    assert str(deadline["SUMMARY"]) == "Termin: sprawozdanie"
    unchanged = await fetch(address, server, etag=headers["ETag"])
    assert unchanged[0] == 304  # clients polling an unchanged feed download nothing

    await moderator.say("/wydarzenie 1 przenieś 5 stycznia na 12 stycznia 10:00")
    changed = icalendar.Calendar.from_ical((await fetch(address, server))[1])
    master, moved = sorted((c for c in changed.walk("VEVENT") if "RRULE" in c or
                            "RECURRENCE-ID" in c), key=lambda c: "RECURRENCE-ID" in c)
    assert int(master["SEQUENCE"]) == 1
    assert master["UID"] == moved["UID"] == event["UID"]  # same event for Outlook
    assert moved["DTSTART"].dt.isoformat() == "2027-01-12T10:00:00+01:00"

    await moderator.say("/wydarzenie 1 odwołaj")
    await moderator.say("1")
    gone = icalendar.Calendar.from_ical((await fetch(address, server))[1])
    assert {str(c["STATUS"]) for c in gone.walk("VEVENT") if c["UID"] == event["UID"]} == {
        "CANCELLED"}


async def test_addresses_are_secret_revocable_and_checked(app: App, server: str) -> None:
    me = session_as(app, MEMBER)
    [first] = await me.say("/kalendarz")
    old = URL.search(first).group(0)  # type: ignore[union-attr]
    [again] = await me.say("/kalendarz")
    assert "Masz już adres kalendarza" in again and URL.search(again) is None  # shown once
    [renewed] = await me.say("/kalendarz nowy")
    new = URL.search(renewed).group(0)  # type: ignore[union-attr]
    assert (await fetch(old, server))[0] == 404
    assert (await fetch(new, server))[0] == 200
    guessed = new.rsplit("/", 1)[0] + "/" + "A" * 43 + ".ics"
    assert (await fetch(guessed, server))[0] == 404

    [forum] = await me.say("/kalendarz PZP")
    assert "Kalendarz forum Forum Prawa Zamówień Publicznych" in forum
    forum_address = URL.search(forum).group(0)  # type: ignore[union-attr]
    assert (await fetch(forum_address, server))[0] == 200
    [not_member] = await me.say("/kalendarz EKO")
    assert "jest dla jego członków i moderatorów" in not_member
    async with app.db.session() as session:  # she leaves the forum: its feed stops for her
        pzp = await forum_by_key(session, "PZP")
        person = await person_by_email(session, MEMBER)
        member = await session.get(ForumMember, (pzp.id, person.id))  # type: ignore[union-attr]
        await session.delete(member)
        await session.commit()
    assert (await fetch(forum_address, server))[0] == 404


async def test_feeds_carry_a_multi_line_description_from_an_outlook_invite(
        app: App, server: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    invite = tmp_path / "teams.ics"
    invite.write_bytes(TEAMS_INVITE.encode())
    code, _, _ = await lacznik(app, "events", "import", str(invite), capsys=capsys)
    assert code == 0
    me = session_as(app, MEMBER)
    for command in ("/kalendarz", "/kalendarz PZP"):
        [issued] = await me.say(command)
        status, body, _ = await fetch(URL.search(issued).group(0), server)  # type: ignore[union-attr]
        assert status == 200, command
        [event] = icalendar.Calendar.from_ical(body).walk("VEVENT")
        assert str(event["DESCRIPTION"]).startswith(TEAMS_TEXT + "\n\n"), command
