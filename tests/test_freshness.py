"""The freshness campaign as staff meet it: the office starts it, each person whose entry is
old gets it on their messenger (the real adapters against the fakes) with "Dane aktualne" /
"Popraw", and their answer updates the entry and the campaign's counters.

The panel's side (starting it from the page, the progress shown) is in
tests/test_panel_katalog.py.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select, update
from sqlmodel import col

from adapters.console.messenger import ConsoleMessenger
from bots.app import App
from commands.authz import Actor, actor
from commands.clock import WARSAW, ManualClock
from commands.directory.freshness import (
    ACTION_FRESH,
    NotAllowed,
    current_progress,
    start_campaign,
)
from commands.model import ActionInvoked, ConversationKind, ConversationRef, Platform, Sender
from store.freshness_models import FreshnessRequest
from store.models import Delivery, Person
from store.people import grants_of, link_account, person_by_email
from tests.world import (
    ADMIN,
    ANNA,
    COORDINATOR,
    RENATA,
    World,
    slack_buttons,
    teams_buttons,
    teams_text,
    telegram_buttons,
)

TODAY = date(2026, 11, 23)  # the tests' clock (tests/conftest.py)


async def _actor(world: World, email: str) -> Actor:
    async with world.app.db.session() as session:
        person = await person_by_email(session, email)
        assert person is not None and person.id is not None
        return actor(person.id, await grants_of(session, person.id))


async def _confirmed_on(world: World, email: str) -> date | None:
    async with world.app.db.session() as session:
        return await session.scalar(select(Person.confirmed_on).where(Person.email == email))


async def test_everyone_stale_gets_their_entry_with_both_buttons_and_answers_count(
        world: World) -> None:
    await world.link(RENATA, ANNA, COORDINATOR)
    async with world.app.db.session() as session:  # Anna reads the bot in English
        await session.execute(update(Person).where(Person.email == ANNA.email)
                              .values(language="en"))
        await session.commit()
    # Renata (confirmed 2025-12-09) and Anna (2025-10-18) are older than 6 months; the
    # coordinator (2026-07-15) is not.
    started = await start_campaign(world.app.core.services, await _actor(world, ADMIN),
                                   months=6)
    assert started.cutoff == date(2026, 5, 23)
    assert started.asked == 2  # the other stale sample people have no messenger
    assert started.unreachable > 0
    await world.deliver()

    [question] = world.on_telegram(RENATA)  # her entry prefers Telegram
    assert "Czy Twoje dane w katalogu są aktualne?" in question["text"]
    assert "Renata Nowak" in question["text"] and "2025-12-09" in question["text"]
    assert telegram_buttons(question) == ["Dane aktualne", "Popraw"]
    assert world.on_slack(RENATA) == []  # one messenger per person, like a quiet announcement
    assert world.on_telegram(COORDINATOR) == []
    [card] = world.on_teams(ANNA)  # her entry prefers Teams; she reads English
    assert teams_buttons(card) == ["Still correct", "Correct it"]
    assert "Is your directory entry still correct?" in teams_text(card)

    await world.telegram_press(RENATA, question, "Dane aktualne")
    assert await _confirmed_on(world, RENATA.email) == TODAY
    [answered] = world.on_telegram(RENATA)  # the question was replaced: no buttons left
    assert telegram_buttons(answered) == [] and TODAY.isoformat() in answered["text"]

    progress = await current_progress(world.app.core.services)
    assert progress is not None
    assert (progress.asked, progress.confirmed, progress.corrected, progress.no_answer) == (
        2, 1, 0, 1)


async def test_correct_it_asks_what_and_the_answer_edits_the_entry(world: World) -> None:
    await world.link(ANNA)
    async with world.app.db.session() as session:  # Anna on Slack only, for this test
        await session.execute(update(Person).where(Person.email == ANNA.email)
                              .values(preferred_contact="Slack"))
        await session.commit()
    await start_campaign(world.app.core.services, await _actor(world, ADMIN), months=6)
    await world.deliver()
    [question] = world.on_slack(ANNA)
    assert slack_buttons(question) == ["Dane aktualne", "Popraw"]
    assert await world.slack_press(ANNA, question, "Popraw") == 200
    await world.slack.drain()
    assert "Co poprawić?" in world.on_slack(ANNA)[-1]["text"]
    await world.slack_says(ANNA, "telefon +48 12 000 64 99")
    assert "Zapisane" in world.on_slack(ANNA)[-1]["text"]
    async with world.app.db.session() as session:
        anna = await person_by_email(session, ANNA.email)
    assert anna is not None and anna.phone == "+48 12 000 64 99" and anna.confirmed_on == TODAY
    progress = await current_progress(world.app.core.services)
    assert progress is not None and (progress.corrected, progress.confirmed) == (1, 0)
    assert progress.up_to_date == 1  # her correction confirmed the entry


async def test_only_admins_start_a_campaign_and_a_forged_button_does_nothing(
        world: World) -> None:
    with pytest.raises(NotAllowed):
        await start_campaign(world.app.core.services, await _actor(world, COORDINATOR.email),
                             months=6)
    assert await current_progress(world.app.core.services) is None
    await world.link(RENATA, COORDINATOR)
    await start_campaign(world.app.core.services, await _actor(world, ADMIN), months=6)
    await world.deliver()
    [question] = world.on_telegram(RENATA)
    # Someone else pressing Renata's button (e.g. a forwarded message) changes nothing.
    data = question["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    forged = {**question, "reply_markup": {"inline_keyboard": [[
        {"text": "Dane aktualne", "callback_data": data}]]}}
    await world.telegram_press(COORDINATOR, forged, "Dane aktualne")
    assert await _confirmed_on(world, RENATA.email) == date(2025, 12, 9)
    progress = await current_progress(world.app.core.services)
    assert progress is not None and progress.confirmed == 0


async def test_the_console_shows_the_question_and_its_buttons_work_there(app: App) -> None:
    """The local console: the question appears in its transcript with numbered buttons, and
    pressing "Dane aktualne" there confirms the entry (the console speaks as the admin)."""
    console = ConversationRef(Platform.CONSOLE, "console", ConversationKind.PERSONAL)
    async with app.db.session() as session:
        await session.execute(update(Person).where(Person.email == ADMIN)
                              .values(confirmed_on=date(2025, 1, 31)))
        admin = await person_by_email(session, ADMIN)
        assert admin is not None and admin.id is not None
        await link_account(session, platform="console", tenant_id="", external_id=ADMIN,
                           person_id=admin.id, private_ref=console.to_json())
        who = actor(admin.id, await grants_of(session, admin.id))
        await session.commit()
    app.directory.invalidate()
    started = await start_campaign(app.core.services, who, months=6)
    assert started.asked == 1
    await app.worker.run_once()
    messenger = app.messengers["console"]
    assert isinstance(messenger, ConsoleMessenger)
    [shown] = messenger.transcript
    assert "[1] Dane aktualne  [2] Popraw" in shown.text and "2025-01-31" in shown.text
    async with app.db.session() as session:
        [request_id] = (await session.scalars(select(FreshnessRequest.id))).all()
    reply = await app.core.handle(ActionInvoked(
        platform=Platform.CONSOLE, event_id="console-press", conversation=console,
        sender=Sender(Platform.CONSOLE, ADMIN, ADMIN), action=ACTION_FRESH,
        value=str(request_id)))
    assert TODAY.isoformat() in reply.notice
    async with app.db.session() as session:
        assert await session.scalar(select(Person.confirmed_on).where(
            Person.email == ADMIN)) == TODAY
    progress = await current_progress(app.core.services)
    assert progress is not None and progress.confirmed == 1


async def test_a_campaign_started_in_the_evening_waits_for_working_hours(
        app: App, clock: ManualClock) -> None:
    """Not urgent: like a normal announcement, the question is held over the quiet hours."""
    console = ConversationRef(Platform.CONSOLE, "console", ConversationKind.PERSONAL)
    async with app.db.session() as session:
        await session.execute(update(Person).where(Person.email == ADMIN)
                              .values(confirmed_on=None))
        admin = await person_by_email(session, ADMIN)
        assert admin is not None and admin.id is not None
        await link_account(session, platform="console", tenant_id="", external_id=ADMIN,
                           person_id=admin.id, private_ref=console.to_json())
        who = actor(admin.id, await grants_of(session, admin.id))
        await session.commit()
    clock.advance(timedelta(hours=11))  # Monday 21:00 in Warsaw
    assert (await start_campaign(app.core.services, who, months=6)).asked == 1
    assert await app.worker.run_once() == 0
    async with app.db.session() as session:
        [held] = (await session.scalars(select(Delivery.not_before).where(
            col(Delivery.source).startswith("freshness:")))).all()
    assert held.astimezone(WARSAW) == datetime(2026, 11, 24, 7, 0, tzinfo=WARSAW)
