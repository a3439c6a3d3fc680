"""The panel's "Kalendarz": a forum's moderator plans, changes and cancels meetings that the
chat shows and reminds of; a moderator of another forum changes nothing; an .ics file is
previewed and stored only when confirmed; each entry lists its reminders planned and sent."""

from __future__ import annotations

import io
import re
from datetime import datetime, timedelta
from typing import Any

from aiohttp.test_utils import TestClient
from sqlalchemy import func, select
from sqlmodel import col

from bots.app import App
from commands.calendar.dates import utc
from commands.clock import WARSAW, ManualClock
from store.calendar_models import Deadline, Event
from store.calendar_panel import CalendarUpload
from store.models import AuditLog, Delivery, Forum
from store.people import person_by_email
from tests.calendar_helpers import ADMIN, MEMBER, MODERATOR, Timeline, link_console, session_as
from tests.panel_helpers import panel_client, sign_in

__all__ = ["panel_client"]  # the fixture, imported for pytest

OTHER_MODERATOR = "m.gawron@skawina.example.pl"  # moderates ROZWOJ, not PZP
Client = TestClient[Any, Any]


def warsaw(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=WARSAW)


async def forum_id(app: App, key: str) -> int:
    async with app.db.session() as session:
        found = (await session.execute(select(Forum).where(col(Forum.key) == key))).scalars()
        forum = found.first()
        assert forum is not None and forum.id is not None
        return forum.id


async def count(app: App, model: type[Any]) -> int:
    async with app.db.session() as session:
        return int((await session.execute(select(func.count()).select_from(model)))
                   .scalar_one())


async def reminder_states(app: App, source: str) -> dict[str, int]:
    async with app.db.session() as session:
        rows = await session.execute(
            select(col(Delivery.state), func.count()).where(
                col(Delivery.source) == source, col(Delivery.kind) == "reminder")
            .group_by(col(Delivery.state)))
        return {state: int(n) for state, n in rows}


async def create_meeting(client: Client, app: App, csrf: str, **fields: str) -> Any:
    data = {"csrf": csrf, "forum": str(await forum_id(app, "PZP")),
            "title": "Narada w sprawie przetargu", "start_date": "2026-11-24",
            "start_time": "10:00", "end_time": "11:00", "location": "sala 5", **fields}
    return await client.post("/panel/kalendarz/wydarzenia/nowe", data=data,
                             allow_redirects=False)


async def upload_ics(client: Client, app: App, csrf: str) -> str:
    """Uploads :data:`ICS` for PZP; the preview's path."""
    uploaded = await client.post("/panel/kalendarz/import", data={
        "csrf": csrf, "forum": str(await forum_id(app, "PZP")),
        "file": _file(ICS.encode(), "posiedzenia.ics")}, allow_redirects=False)
    assert uploaded.status == 303
    return str(uploaded.headers["Location"])


async def test_a_moderator_plans_a_meeting_the_chat_shows_and_reminds_of(
        app: App, panel_client: Client) -> None:
    await link_console(app, MODERATOR, MEMBER)
    csrf = await sign_in(panel_client, app, MODERATOR)
    form = await (await panel_client.get("/panel/kalendarz/wydarzenia/nowe")).text()
    assert '<label for="k-start_date">Data rozpoczęcia</label>' in form
    assert 'id="k-start_date" name="start_date" type="date"' in form
    assert 'id="k-start_time" name="start_time" type="time"' in form
    assert "PZP — " in form and "ROZWOJ" not in form  # only the forums they moderate

    created = await create_meeting(panel_client, app, csrf)
    assert created.status == 303
    assert created.headers["Location"].startswith("/panel/kalendarz/wydarzenia/1?")
    shown = await (await panel_client.get(created.headers["Location"])).text()
    assert "Zapisano wydarzenie." in shown
    assert "Zaplanowane przypomnienia: 4, dla osób: 2." in shown  # what the outbox holds

    [agenda] = await session_as(app, MEMBER).say("/wydarzenia PZP")
    assert "10:00–11:00 Narada w sprawie przetargu [PZP] · sala 5" in agenda
    states = await reminder_states(app, "event:1")
    assert states == {"pending": 4}  # two linked people: a catch-up now and an hour before

    page = await (await panel_client.get("/panel/kalendarz/wydarzenia/1")).text()
    assert "Zapisano wydarzenie." not in page  # shown once
    assert "Zaplanowane przypomnienia:" not in page
    assert "wtorek, 24 listopada 2026, 10:00–11:00" in page
    assert "przypomnienie o spotkaniu (1 godz. przed)" in page
    assert "Jeszcze nic nie wysłano." in page

    listed = await (await panel_client.get("/panel/kalendarz")).text()
    assert 'href="/panel/kalendarz/wydarzenia/1">Narada w sprawie przetargu</a>' in listed
    assert "zaplanowane: 4, wysłane: 0" in listed

    async with app.db.session() as session:
        me = await person_by_email(session, MODERATOR)
        assert me is not None
        entry = (await session.execute(select(AuditLog).where(
            col(AuditLog.action) == "event.create"))).scalars().one()
    assert entry.actor == f"person:{me.id} via panel" and entry.target == "event:1"


async def test_a_meeting_in_the_past_or_ending_before_it_starts_is_refused(
        app: App, panel_client: Client) -> None:
    csrf = await sign_in(panel_client, app, MODERATOR)
    past = await create_meeting(panel_client, app, csrf, start_date="2026-11-20")
    page = await past.text()
    assert past.status == 400
    assert "Ten termin już minął — podaj przyszły." in page
    assert 'aria-invalid="true" aria-describedby="k-start_date-error"' in page
    assert 'value="Narada w sprawie przetargu"' in page  # what was typed stays
    backwards = await create_meeting(panel_client, app, csrf, end_time="09:00")
    assert backwards.status == 400
    assert "Koniec musi być po początku." in await backwards.text()
    assert await count(app, Event) == 0


async def test_a_moderator_of_another_forum_gets_403_and_nothing_changes(
        app: App, panel_client: Client) -> None:
    csrf = await sign_in(panel_client, app, MODERATOR)
    assert (await create_meeting(panel_client, app, csrf)).status == 303
    panel_client.session.cookie_jar.clear()

    csrf = await sign_in(panel_client, app, OTHER_MODERATOR)
    form = await (await panel_client.get("/panel/kalendarz/wydarzenia/nowe")).text()
    assert "ROZWOJ — " in form and "PZP — " not in form
    assert (await create_meeting(panel_client, app, csrf, title="Obca narada")).status == 403
    edited = await panel_client.post("/panel/kalendarz/wydarzenia/1/edycja", data={
        "csrf": csrf, "title": "Przejęte", "start_date": "2026-11-25", "start_time": "12:00"})
    assert edited.status == 403
    cancelled = await panel_client.post("/panel/kalendarz/wydarzenia/1/odwolanie",
                                        data={"csrf": csrf})
    assert cancelled.status == 403
    assert (await panel_client.get("/panel/kalendarz/wydarzenia/1/edycja")).status == 403
    no_forum = await panel_client.post("/panel/kalendarz/terminy/nowy", data={
        "csrf": csrf, "forum": "", "title": "Sprawozdania", "due_date": "2026-12-15",
        "who": "Skawina"})
    assert no_forum.status == 403  # deadlines of no forum are for admins

    async with app.db.session() as session:
        event = await session.get(Event, 1)
        assert event is not None
        assert (event.title, event.status, event.sequence) == (
            "Narada w sprawie przetargu", "active", 0)
    assert await count(app, Event) == 1 and await count(app, Deadline) == 0
    page = await (await panel_client.get("/panel/kalendarz/wydarzenia/1")).text()
    assert "/panel/kalendarz/wydarzenia/1/edycja" not in page  # no buttons they cannot use


async def test_cancelling_tells_those_reminded_as_chat_does_and_drops_the_rest(
        app: App, panel_client: Client) -> None:
    await link_console(app, MODERATOR, MEMBER)
    csrf = await sign_in(panel_client, app, MODERATOR)
    await create_meeting(panel_client, app, csrf)
    timeline = Timeline(app)
    first = await timeline.run_until(warsaw(2026, 11, 23, 10, 1))
    assert [r.to for r in first if r.to == MEMBER] == [MEMBER]  # the catch-up reminder

    asked = await (await panel_client.get("/panel/kalendarz/wydarzenia/1/odwolanie")).text()
    assert "Odwołać wydarzenie „Narada w sprawie przetargu”?" in asked
    done = await panel_client.post("/panel/kalendarz/wydarzenia/1/odwolanie",
                                   data={"csrf": csrf})
    assert "Wydarzenie odwołane." in await done.text()
    assert await reminder_states(app, "event:1") == {"sent": 2, "cancelled": 2}

    later = [r for r in await timeline.run_until(warsaw(2026, 11, 24, 12)) if r.to == MEMBER]
    assert len(later) == 1  # the notice, as in chat; the "hour before" never comes
    assert later[0].text.startswith("Odwołane: Narada w sprawie przetargu")
    assert "wtorek, 24 listopada 2026, 10:00–11:00" in later[0].text
    [agenda] = await session_as(app, MEMBER).say("/wydarzenia PZP")
    assert "Narada" not in agenda

    await sign_in(panel_client, app, MODERATOR)  # a day later: the idle session has ended
    cancelled = await (await panel_client.get("/panel/kalendarz",
                                              params={"span": "cancelled"})).text()
    assert "Narada w sprawie przetargu" in cancelled
    upcoming = await (await panel_client.get("/panel/kalendarz")).text()
    assert "Narada w sprawie przetargu" not in upcoming


async def test_changing_a_meeting_replans_its_reminders(app: App, panel_client: Client) -> None:
    await link_console(app, MODERATOR, MEMBER)
    csrf = await sign_in(panel_client, app, MODERATOR)
    await create_meeting(panel_client, app, csrf, start_date="2026-11-30")
    form = await (await panel_client.get("/panel/kalendarz/wydarzenia/1/edycja")).text()
    assert 'value="2026-11-30"' in form and 'value="10:00"' in form
    unchanged = await panel_client.post("/panel/kalendarz/wydarzenia/1/edycja", data={
        "csrf": csrf, "title": "Narada w sprawie przetargu", "start_date": "2026-11-30",
        "start_time": "10:00", "end_date": "2026-11-30", "end_time": "11:00",
        "location": "sala 5"})
    assert "Nic się nie zmieniło." in await unchanged.text()
    moved = await panel_client.post("/panel/kalendarz/wydarzenia/1/edycja", data={
        "csrf": csrf, "title": "Narada w sprawie przetargu", "start_date": "2026-12-01",
        "start_time": "12:00", "end_date": "2026-12-01", "end_time": "13:00",
        "location": "sala 7"})
    assert "Zapisano zmiany wydarzenia." in await moved.text()
    assert "Zaplanowane przypomnienia: 4, dla osób: 2." in await moved.text()
    [agenda] = await session_as(app, MEMBER).say("/wydarzenia PZP")
    assert "12:00–13:00 Narada w sprawie przetargu [PZP] · sala 7" in agenda
    received = [r for r in await Timeline(app).run_until(warsaw(2026, 12, 1, 12))
                if r.to == MEMBER]
    assert [r.at for r in received] == [warsaw(2026, 11, 30, 9), warsaw(2026, 12, 1, 11)]


async def test_a_meeting_nobody_can_be_reminded_of_is_said_as_a_warning_with_the_reason(
        app: App, panel_client: Client) -> None:
    csrf = await sign_in(panel_client, app, MODERATOR)  # nobody has linked a messenger
    created = await create_meeting(panel_client, app, csrf)
    page = await (await panel_client.get(created.headers["Location"])).text()
    assert "Zapisano wydarzenie." in page and "Zaplanowane przypomnienia" not in page
    warning = page[page.index('<div class="warning" role="alert" id="plan">'):]
    assert "Uwaga: nie zaplanowano żadnego przypomnienia." in warning
    assert re.search(r"Nikt z odbiorców \(osoby: [1-9]\d*\) nie ma połączonego komunikatora",
                     warning)
    assert await reminder_states(app, "event:1") == {}
    assert "Uwaga:" not in await (await panel_client.get("/panel/kalendarz/wydarzenia/1")).text()

    await link_console(app, MEMBER)  # reachable, but the meeting is months ahead
    later = await create_meeting(panel_client, app, csrf, start_date="2027-03-01")
    page = await (await panel_client.get(later.headers["Location"])).text()
    assert "Przypomnienia zostaną zaplanowane bliżej terminu." in page
    assert 'role="alert"' not in page


async def test_an_ics_preview_stores_nothing_until_confirmed(
        app: App, panel_client: Client) -> None:
    await link_console(app, MODERATOR, MEMBER)
    csrf = await sign_in(panel_client, app, MODERATOR)
    ics = ICS.encode()
    uploaded = await panel_client.post("/panel/kalendarz/import", data={
        "csrf": csrf, "forum": str(await forum_id(app, "PZP")),
        "file": _file(ics, "posiedzenia.ics")}, allow_redirects=False)
    assert uploaded.status == 303
    preview_path = uploaded.headers["Location"]
    assert re.fullmatch(r"/panel/kalendarz/import/[A-Za-z0-9_-]{20,64}", preview_path)

    preview = await (await panel_client.get(preview_path)).text()
    assert "Zostaną dodane (1)" in preview
    assert "&#34;Posiedzenie Forum PZP&#34; (2026-12-01)" in preview  # escaped quotes
    assert "forum, którego nie moderujesz" in preview  # the ROZWOJ event is not theirs
    assert "brak tytułu (SUMMARY)" in preview
    assert "(2026-12-01) — wtorek, 1 grudnia 2026, 10:00–12:00" in preview  # Warsaw time
    assert await count(app, Event) == 0  # a preview stores no event, plans no reminder
    assert await count(app, Delivery) == 0

    refused = await panel_client.post(preview_path, data={})  # no CSRF token
    assert refused.status == 403 and await count(app, Event) == 0
    confirmed = await panel_client.post(preview_path, data={"csrf": csrf})
    assert "Dodano: 1" in await confirmed.text()
    async with app.db.session() as session:
        events = list((await session.execute(select(Event))).scalars())
    assert [(e.title, e.forum_id, e.source) for e in events] == [
        ("Posiedzenie Forum PZP", await forum_id(app, "PZP"), "ics:posiedzenia.ics")]
    assert (await reminder_states(app, f"event:{events[0].id}"))["pending"] > 0
    shown = await (await panel_client.get(f"/panel/kalendarz/wydarzenia/{events[0].id}")).text()
    assert "import z pliku posiedzenia.ics" in shown
    again = await panel_client.post(preview_path, data={"csrf": csrf})
    assert again.status == 404 and await count(app, Event) == 1  # the file is gone
    assert await count(app, CalendarUpload) == 0


async def test_a_preview_is_only_for_whoever_uploaded_it(app: App, panel_client: Client
                                                         ) -> None:
    csrf = await sign_in(panel_client, app, MODERATOR)
    path = await upload_ics(panel_client, app, csrf)
    panel_client.session.cookie_jar.clear()
    csrf = await sign_in(panel_client, app, ADMIN)
    assert (await panel_client.get(path)).status == 404
    assert (await panel_client.post(path, data={"csrf": csrf})).status == 404
    assert await count(app, Event) == 0

    junk = await panel_client.post("/panel/kalendarz/import", data={
        "csrf": csrf, "forum": "", "file": _file(b"not a calendar", "x.ics")})
    assert junk.status == 400
    assert "To nie jest plik kalendarza" in await junk.text()


async def test_reminders_planned_and_sent_are_listed_as_time_passes(
        app: App, panel_client: Client) -> None:
    await link_console(app, MODERATOR, MEMBER)
    csrf = await sign_in(panel_client, app, MODERATOR)
    await create_meeting(panel_client, app, csrf, start_date="2026-11-25")
    before = await (await panel_client.get("/panel/kalendarz/wydarzenia/1")).text()
    planned = _section(before, "Zaplanowane")
    assert "wtorek, 24 listopada 2026, 9:00" in planned  # the day before at 9:00
    assert "środa, 25 listopada 2026, 9:00" in planned  # an hour before
    assert "Jeszcze nic nie wysłano." in before

    await Timeline(app).run_until(warsaw(2026, 11, 24, 12))
    await sign_in(panel_client, app, MODERATOR)  # a day later: the idle session has ended
    after = await (await panel_client.get("/panel/kalendarz/wydarzenia/1")).text()
    sent = _section(after, "Wysłane")
    assert "przypomnienie o spotkaniu (1 dzień przed, o 9:00)" in sent
    cells = [re.sub(r"\s+", " ", c).strip()
             for c in re.findall(r"<td[^>]*>(.*?)</td>", sent, re.S)]
    assert cells[:6] == ["wtorek, 24 listopada 2026, 9:00",
                         "przypomnienie o spotkaniu (1 dzień przed, o 9:00)", "wysłane",
                         "2", "2", "wtorek, 24 listopada 2026, 9:00"]  # due, what, 2 people
    assert "środa, 25 listopada 2026, 9:00" in _section(after, "Zaplanowane")
    listed = await (await panel_client.get("/panel/kalendarz")).text()
    assert "zaplanowane: 2, wysłane: 2 (osoby: 2)" in listed


async def test_an_admin_sets_a_deadline_for_gminy_and_a_moderator_may_not(
        app: App, panel_client: Client) -> None:
    csrf = await sign_in(panel_client, app, ADMIN)
    created = await panel_client.post("/panel/kalendarz/terminy/nowy", data={
        "csrf": csrf, "forum": "", "title": "Sprawozdania z konsultacji",
        "due_date": "2026-12-15", "due_time": "", "who": "Skawina, Wieliczka"},
        allow_redirects=False)
    assert created.status == 303
    page = await (await panel_client.get(created.headers["Location"])).text()
    assert "Skawina, Wieliczka" in page
    async with app.db.session() as session:
        deadline = await session.get(Deadline, 1)
    assert deadline is not None and deadline.forum_id is None
    assert utc(deadline.due_at) == warsaw(2026, 12, 15, 23, 59)  # by the end of the day
    edit = await (await panel_client.get("/panel/kalendarz/terminy/1/edycja")).text()
    assert '<label for="k-who">Dla kogo</label>' in edit  # shown, fixed as in chat
    assert 'name="who" type="text" value="Skawina, Wieliczka" readonly' in edit
    assert "Nie można zmienić po utworzeniu (tak jak w czacie)." in edit
    saved = await panel_client.post("/panel/kalendarz/terminy/1/edycja", data={
        "csrf": csrf, "title": "Sprawozdania z konsultacji", "due_date": "2026-12-16",
        "who": "Kraków"})
    assert "Zapisano zmiany terminu." in await saved.text()
    assert "Skawina, Wieliczka" in await (await panel_client.get("/panel/kalendarz/terminy/1")
                                         ).text()
    unknown = await panel_client.post("/panel/kalendarz/terminy/nowy", data={
        "csrf": csrf, "forum": "", "title": "X", "due_date": "2026-12-15",
        "who": "Atlantyda"})
    assert unknown.status == 400 and await count(app, Deadline) == 1
    [shown] = await session_as(app, ADMIN).say("/termin 1")
    assert "Sprawozdania z konsultacji" in shown


def _section(page: str, heading: str) -> str:
    """The part of a page under an ``<h3>`` until the next heading."""
    start = page.index(f">{heading}</h3>")
    end = page.find("<h3", start + 1)
    return page[start:end if end >= 0 else len(page)]


def _file(data: bytes, name: str) -> io.BytesIO:
    """A file field for ``client.post(data={...})``: aiohttp takes its name as the file's."""
    upload = io.BytesIO(data)
    upload.name = name  # read by aiohttp's FormData
    return upload


ICS = """BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//Test//PL\r
BEGIN:VEVENT\r
UID:pzp-2026-12@smk\r
DTSTAMP:20261120T120000Z\r
DTSTART;TZID=Europe/Warsaw:20261201T100000\r
DTEND;TZID=Europe/Warsaw:20261201T120000\r
SUMMARY:Posiedzenie Forum PZP\r
LOCATION:sala 101\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:rozwoj-2026-12@smk\r
DTSTAMP:20261120T120000Z\r
DTSTART;TZID=Europe/Warsaw:20261202T100000\r
DTEND;TZID=Europe/Warsaw:20261202T120000\r
SUMMARY:Posiedzenie Forum Rozwoju\r
CATEGORIES:ROZWOJ\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:untitled@smk\r
DTSTAMP:20261120T120000Z\r
DTSTART;TZID=Europe/Warsaw:20261203T100000\r
END:VEVENT\r
END:VCALENDAR\r
"""


async def test_an_english_speaker_gets_the_calendar_in_english(app: App, panel_client: Client
                                                               ) -> None:
    async with app.db.session() as session:
        me = await person_by_email(session, MODERATOR)
        assert me is not None
        me.language = "en"
        session.add(me)
        await session.commit()
    await link_console(app, MODERATOR, MEMBER)
    csrf = await sign_in(panel_client, app, MODERATOR)
    form = await (await panel_client.get("/panel/kalendarz/wydarzenia/nowe")).text()
    assert '<html lang="en">' in form
    assert '<label for="k-start_date">Start date</label>' in form
    await create_meeting(panel_client, app, csrf)
    page = await (await panel_client.get("/panel/kalendarz/wydarzenia/1")).text()
    assert "Tuesday, 24 November 2026, 10:00–11:00" in page
    assert "meeting reminder (1 h before)" in page


def test_every_reminder_state_and_offset_has_words_in_both_languages() -> None:
    from adapters.panel.texts import pt
    from store.models import DeliveryState

    for lang in ("pl", "en"):
        for state in DeliveryState:
            assert pt(lang, f"kalendarz.state.{state.value}") != f"kalendarz.state.{state}"
        for unit in ("d", "d1", "w", "w1", "h", "min"):
            assert pt(lang, f"kalendarz.offset.{unit}")


async def test_a_moderator_moves_and_cancels_their_forums_deadline(
        app: App, panel_client: Client) -> None:
    await link_console(app, MODERATOR, MEMBER)
    csrf = await sign_in(panel_client, app, MODERATOR)
    created = await panel_client.post("/panel/kalendarz/terminy/nowy", data={
        "csrf": csrf, "forum": str(await forum_id(app, "PZP")), "title": "Uwagi do SWZ",
        "due_date": "2026-11-27", "due_time": "12:00", "who": ""}, allow_redirects=False)
    assert created.headers["Location"].startswith("/panel/kalendarz/terminy/1?")
    assert (await reminder_states(app, "deadline:1")).get("pending", 0) > 0
    form = await (await panel_client.get("/panel/kalendarz/terminy/1/edycja")).text()
    assert 'value="2026-11-27"' in form and 'value="12:00"' in form
    moved = await panel_client.post("/panel/kalendarz/terminy/1/edycja", data={
        "csrf": csrf, "title": "Uwagi do SWZ", "due_date": "2026-12-04", "due_time": "12:00"})
    assert "Zapisano zmiany terminu." in await moved.text()
    [shown] = await session_as(app, MEMBER).say("/termin 1")
    assert "4 grudnia 2026" in shown

    done = await panel_client.post("/panel/kalendarz/terminy/1/odwolanie", data={"csrf": csrf})
    assert "Termin odwołany." in await done.text()
    states = await reminder_states(app, "deadline:1")
    assert "pending" not in states and states.get("cancelled", 0) > 0
    async with app.db.session() as session:
        deadline = await session.get(Deadline, 1)
        assert deadline is not None and deadline.status == "cancelled"
        actions = list((await session.execute(select(col(AuditLog.action)).where(
            col(AuditLog.target) == "deadline:1").order_by(col(AuditLog.id)))).scalars())
    assert actions == ["deadline.create", "deadline.change", "deadline.cancel"]


async def test_the_list_filters_by_kind_and_forum_and_pages_by_fifty(
        app: App, panel_client: Client) -> None:
    from commands.calendar.service import DeadlineDraft, EventDraft

    calendar = app.calendar
    assert calendar is not None
    async with app.db.session() as session:
        pzp = await session.get(Forum, await forum_id(app, "PZP"))
        rozwoj = await session.get(Forum, await forum_id(app, "ROZWOJ"))
    assert pzp is not None and rozwoj is not None
    for day in range(1, 53):  # 52 meetings of PZP, one a day from 1 December
        start = warsaw(2026, 12, 1, 10) + timedelta(days=day - 1)
        await calendar.create_event(forum=pzp, draft=EventDraft(
            title=f"Spotkanie {day:02d}", start=start, end=start.replace(hour=11)),
            organiser_id=None, actor="test")
    await calendar.create_event(forum=rozwoj, draft=EventDraft(
        title="Rozwój: warsztat", start=warsaw(2026, 11, 25, 10),
        end=warsaw(2026, 11, 25, 12)), organiser_id=None, actor="test")
    await calendar.create_deadline(forum=pzp, draft=DeadlineDraft(
        title="Uwagi do SWZ", due=warsaw(2026, 11, 26, 12)), organiser_id=None, actor="test")

    await sign_in(panel_client, app, OTHER_MODERATOR)
    first = await (await panel_client.get("/panel/kalendarz")).text()
    assert "Pozycji: 54" in first
    assert first.index("Rozwój: warsztat") < first.index("Uwagi do SWZ") < first.index(
        "Spotkanie 01")  # soonest first
    assert "Spotkanie 48" in first and "Spotkanie 49" not in first  # 50 on a page
    second = await (await panel_client.get("/panel/kalendarz", params={"page": "2"})).text()
    assert "Spotkanie 49" in second and "Spotkanie 52" in second and "Spotkanie 01" not in second

    deadlines = await (await panel_client.get("/panel/kalendarz",
                                              params={"kind": "deadline"})).text()
    assert "Pozycji: 1" in deadlines and "Uwagi do SWZ" in deadlines
    own = await (await panel_client.get("/panel/kalendarz",
                                        params={"forum": str(rozwoj.id)})).text()
    assert "Pozycji: 1" in own and "Rozwój: warsztat" in own
    past = await (await panel_client.get("/panel/kalendarz", params={"span": "past"})).text()
    assert "Pozycji: 0" in past


async def test_one_meeting_of_a_weekly_series_is_cancelled_and_the_rest_stay(
        app: App, panel_client: Client) -> None:
    await link_console(app, MODERATOR, MEMBER)
    csrf = await sign_in(panel_client, app, MODERATOR)
    created = await create_meeting(panel_client, app, csrf, start_date="2026-11-30",
                                   repeat="co tydzień")
    assert created.status == 303
    page = await (await panel_client.get("/panel/kalendarz/wydarzenia/1")).text()
    assert "co tydzień" in page
    link = "/panel/kalendarz/wydarzenia/1/spotkania/202612070900/odwolanie"  # 7 Dec, 10:00
    assert f'href="{link}"' in page
    asked = await (await panel_client.get(link)).text()
    assert "poniedziałek, 7 grudnia 2026, 10:00–11:00" in asked
    done = await panel_client.post(link, data={"csrf": csrf})
    after = await done.text()
    assert "Spotkanie odwołane; pozostałe bez zmian." in after
    # the cancelled meeting stays in the list, struck through and said to be cancelled
    assert ('<del>poniedziałek, 7 grudnia 2026, 10:00–11:00</del> '
            '<span class="badge">odwołane</span>') in after
    assert "poniedziałek, 14 grudnia 2026, 10:00–11:00 — <a" in after
    assert f'href="{link}"' not in after

    [shown] = await session_as(app, MEMBER).say("/wydarzenia PZP")
    assert "poniedziałek, 30 listopada" in shown and "poniedziałek, 14 grudnia" in shown
    assert "7 grudnia" not in shown
    received = [r.text for r in await Timeline(app).run_until(warsaw(2026, 12, 15))
                if r.to == MEMBER]
    assert sum("30 listopada 2026" in text for text in received) == 2  # day before, hour before
    assert sum("14 grudnia 2026" in text for text in received) == 2
    assert not any("7 grudnia 2026" in text for text in received)
    csrf = await sign_in(panel_client, app, MODERATOR)  # weeks later: a new session
    assert (await panel_client.post(link, data={"csrf": csrf})).status == 404  # gone already


async def test_a_preview_left_for_half_an_hour_is_forgotten(app: App, panel_client: Client
                                                            ) -> None:
    csrf = await sign_in(panel_client, app, MODERATOR)
    path = await upload_ics(panel_client, app, csrf)
    assert await count(app, CalendarUpload) == 1
    clock = app.clock
    assert isinstance(clock, ManualClock)
    clock.advance(timedelta(minutes=31))
    late = await panel_client.post(path, data={"csrf": csrf})
    assert late.status == 404
    assert "Podgląd wygasł" in await late.text()
    assert await count(app, CalendarUpload) == 0 and await count(app, Event) == 0


async def _outsider(app: App) -> str:
    """Someone signed in to the panel who holds no role and belongs to no forum."""
    from store.models import ForumMember, Person
    from store.people import grants_of

    async with app.db.session() as session:
        members = set((await session.execute(select(col(ForumMember.person_id)))).scalars())
        people = (await session.execute(select(Person).order_by(col(Person.id)))).scalars()
        for person in people:
            if person.email and person.id not in members and not await grants_of(
                    session, int(person.id or 0)):
                return person.email
    raise AssertionError("the sample data has nobody outside every forum")


async def test_delivery_details_are_for_the_forums_moderators_and_the_organiser_only(
        app: App, panel_client: Client) -> None:
    """As "/wydarzenie N" and "/termin N" in chat: who has no messenger linked, whom a
    deadline names and how many got reminders show to those who manage the entry and its
    organiser; anyone else signed in sees the entry itself."""
    await link_console(app, MODERATOR, MEMBER)
    csrf = await sign_in(panel_client, app, MODERATOR)
    assert (await create_meeting(panel_client, app, csrf)).status == 303
    shown = await (await panel_client.get("/panel/kalendarz/wydarzenia/1")).text()
    assert "Bez przypomnień (brak połączonego komunikatora)" in shown
    assert "Przypomnienia" in shown and "Renata Nowak" not in shown  # linked: reminded
    unreachable = shown.split("Bez przypomnień (brak połączonego komunikatora)</h3>")[1]
    names = unreachable.split("<p>")[1].split("</p>")[0].split(", ")
    assert len(names) > 3
    panel_client.session.cookie_jar.clear()
    csrf = await sign_in(panel_client, app, ADMIN)
    made = await panel_client.post("/panel/kalendarz/terminy/nowy", data={
        "csrf": csrf, "forum": "", "title": "Wyjaśnienia do kontroli",
        "due_date": "2026-12-15", "due_time": "", "who": f"{MEMBER}, {MODERATOR}"},
        allow_redirects=False)
    assert made.status == 303
    deadline_path = made.headers["Location"].split("?")[0]
    as_admin = await (await panel_client.get(deadline_path)).text()
    assert "Dla kogo" in as_admin and "Bartosz Urbański, Renata Nowak" in as_admin

    outsider = await _outsider(app)
    await link_console(app, outsider)
    panel_client.session.cookie_jar.clear()
    await sign_in(panel_client, app, outsider)
    event = await (await panel_client.get("/panel/kalendarz/wydarzenia/1")).text()
    assert "Narada w sprawie przetargu" in event and "sala 5" in event
    assert "Bez przypomnień" not in event and "Przypomnienia" not in event
    assert not any(name in event for name in names)
    deadline = await (await panel_client.get(deadline_path)).text()
    assert "Wyjaśnienia do kontroli" in deadline and "15 grudnia 2026" in deadline
    assert "Dla kogo" not in deadline and "Renata Nowak" not in deadline
    assert "Osoby, które dostają przypomnienia" not in deadline
    assert "Bez przypomnień" not in deadline and "Przypomnienia" not in deadline
    listed = await (await panel_client.get("/panel/kalendarz")).text()
    assert "Narada w sprawie przetargu" in listed and "zaplanowane:" not in listed
    [chat] = await session_as(app, outsider).say("/wydarzenie 1")  # the chat says as little
    assert "Narada w sprawie przetargu" in chat and not any(name in chat for name in names)

    async with app.db.session() as session:  # an imported meeting names its organiser
        member = await person_by_email(session, MEMBER)
        row = await session.get(Event, 1)
        assert member is not None and row is not None
        row.organiser_id = member.id
        await session.commit()
    panel_client.session.cookie_jar.clear()
    await sign_in(panel_client, app, MEMBER)
    as_organiser = await (await panel_client.get("/panel/kalendarz/wydarzenia/1")).text()
    assert "Bez przypomnień (brak połączonego komunikatora)" in as_organiser
    assert "zaplanowane:" in await (await panel_client.get("/panel/kalendarz")).text()
    named = await (await panel_client.get(deadline_path)).text()  # named, but no organiser
    assert "Dla kogo" not in named and "Bartosz Urbański" not in named
    panel_client.session.cookie_jar.clear()
    await sign_in(panel_client, app, MODERATOR)
    still = await (await panel_client.get("/panel/kalendarz/wydarzenia/1")).text()
    assert "Bez przypomnień (brak połączonego komunikatora)" in still
    assert all(name in still for name in names)


def _many_events(count: int) -> bytes:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Test//PL"]
    for number in range(count):
        day = 1 + number % 28
        lines += ["BEGIN:VEVENT", f"UID:many-{number}@example.pl",
                  f"DTSTART:202612{day:02d}T090000Z", f"DTEND:202612{day:02d}T100000Z",
                  f"SUMMARY:Spotkanie {number}", "RRULE:FREQ=DAILY;COUNT=300", "END:VEVENT"]
    return ("\r\n".join([*lines, "END:VCALENDAR"]) + "\r\n").encode()


async def test_an_ics_file_of_more_than_2000_events_is_refused_and_nothing_kept(
        app: App, panel_client: Client) -> None:
    csrf = await sign_in(panel_client, app, MODERATOR)
    refused = await panel_client.post("/panel/kalendarz/import", data={
        "csrf": csrf, "forum": str(await forum_id(app, "PZP")),
        "file": _file(_many_events(2001), "rok.ics")}, allow_redirects=False)
    assert refused.status == 400
    page = await refused.text()
    assert "W pliku jest za dużo wydarzeń: najwyżej 2000 w jednym pliku." in page
    assert 'aria-invalid="true"' in page  # the file field is marked
    assert await count(app, CalendarUpload) == 0 and await count(app, Event) == 0
    assert await count(app, Delivery) == 0


async def test_a_preview_opened_again_is_the_one_made_at_upload(
        app: App, panel_client: Client) -> None:
    """Reloading a preview compares the file with the calendar no more (a big file costs
    once); the confirm imports afresh."""
    await link_console(app, MODERATOR, MEMBER)
    csrf = await sign_in(panel_client, app, MODERATOR)
    pzp = str(await forum_id(app, "PZP"))
    first = await panel_client.post("/panel/kalendarz/import", data={
        "csrf": csrf, "forum": pzp, "file": _file(ICS.encode(), "posiedzenia.ics")},
        allow_redirects=False)
    second = await panel_client.post("/panel/kalendarz/import", data={
        "csrf": csrf, "forum": pzp, "file": _file(ICS.encode(), "posiedzenia.ics")},
        allow_redirects=False)
    done = await panel_client.post(second.headers["Location"], data={"csrf": csrf})
    assert "Dodano: 1" in await done.text() and await count(app, Event) == 1

    again = await (await panel_client.get(first.headers["Location"])).text()
    assert "Zostaną dodane (1)" in again  # as shown at upload, not compared again
    assert "forum, którego nie moderujesz" in again and "brak tytułu (SUMMARY)" in again
    confirmed = await panel_client.post(first.headers["Location"], data={"csrf": csrf})
    assert "Dodano: 1" not in await confirmed.text()  # the confirm sees it is there already
    assert await count(app, Event) == 1
