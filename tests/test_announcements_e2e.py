"""Announcements end to end, as staff meet them on their phones: the real Telegram, Slack and
Teams adapters (python-telegram-bot, slack_sdk/Bolt, msal + our Connector client) against the
protocol-faithful fake servers, the real core, outbox and delivery worker, the real database
(SQLite and PostgreSQL) with the sample directory.

Every assertion is about what a platform received (text, notification flags, buttons, edits),
what it answered, or what the author can read in ``/raport``.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from sqlalchemy import select

from adapters.slack import SlackComponent
from adapters.slack.config import parse_config as slack_config
from adapters.teams.component import TeamsComponent
from adapters.teams.settings import parse_settings as teams_settings
from adapters.telegram import TelegramComponent
from adapters.telegram.config import parse_config as telegram_config
from commands.announcements.service import MAX_TEXT
from commands.ports import Messenger
from scheduler.delivery import DeliverySettings, DeliveryWorker
from store.db import Database
from store.models import Delivery, Gmina, Person
from tests.world import (
    ADMIN,
    ANNA,
    COORDINATOR,
    JOLANTA,
    RECIPIENTS,
    RENATA,
    SIGNING_SECRET,
    TEAMS_APP_ID,
    TEAMS_SECRET,
    TENANT,
    THE_OFFICE,
    TOMASZ,
    JSONDict,
    Staff,
    World,
    alerts,
    card_of,
    mail,
    slack_buttons,
    slack_command_in,
    slack_everything,
    slack_press_in,
    teams_buttons,
    teams_text,
    telegram_buttons,
    telegram_in_group,
    telegram_press_in_group,
    until,
)

# --- quiet and urgent ------------------------------------------------------------------------


async def test_quiet_and_urgent_copies_look_as_each_platform_promises(world: World) -> None:
    await world.link(*RECIPIENTS)
    # The office writes from Slack (linked on the way by the e-mail Slack vouches for).
    await world.announce(THE_OFFICE, f"ogloszenie {mail(*RECIPIENTS)}: Zebranie w czwartek.")
    await world.deliver()
    # Quiet: one copy per person, on the messenger their directory entry prefers (Renata:
    # "Telegram", Jolanta and Anna: "Teams…"), else the first they linked; no sound, no button.
    [renata_quiet] = world.on_telegram(RENATA)
    assert renata_quiet["disable_notification"] is True
    assert "Zebranie w czwartek." in renata_quiet["text"] and telegram_buttons(renata_quiet) == []
    assert world.on_slack(RENATA) == []  # Renata's second messenger stays silent
    for staff in (JOLANTA, ANNA, TOMASZ):  # Teams: no alert flag, no button
        [quiet] = world.on_teams(staff)
        assert not alerts(quiet) and teams_buttons(quiet) == []
        assert "Zebranie w czwartek." in teams_text(quiet)
    assert world.on_telegram(JOLANTA) == [] and world.on_slack(ANNA) == []

    await world.announce(THE_OFFICE, f"pilne {mail(*RECIPIENTS)}: Awaria EZD do 12:00.")
    await world.deliver()
    # Urgent: every messenger each person is on, loudest allowed, with "Potwierdzam".
    renata_urgent = world.on_telegram(RENATA)[-1]
    assert renata_urgent["disable_notification"] is False
    assert renata_urgent["text"].startswith("‼ PILNE\n\nAwaria EZD do 12:00.")
    assert telegram_buttons(renata_urgent) == ["Potwierdzam"]
    for staff in (RENATA, ANNA):  # Slack: a DM (the strongest Slack allows), no mention
        urgent_dm = world.on_slack(staff)[-1]
        assert "Awaria EZD do 12:00." in urgent_dm["text"]
        assert slack_buttons(urgent_dm) == ["Potwierdzam"]
        assert "<!" not in slack_everything(urgent_dm) and "<@" not in slack_everything(urgent_dm)
    assert all(m["channel"].startswith("D") for m in world.slack_fake.messages())  # DMs only
    for staff in (JOLANTA, ANNA, TOMASZ):  # Teams: the personal chat, with the alert flag
        urgent_card = world.on_teams(staff)[-1]
        assert alerts(urgent_card) and "Awaria EZD do 12:00." in teams_text(urgent_card)
        assert teams_buttons(urgent_card) == ["Potwierdzam"]
    assert world.on_telegram(JOLANTA)[-1]["disable_notification"] is False
    assert await world.outbox() == {"sent": 4 + 7}


# --- acknowledgements, re-pings, escalation ---------------------------------------------------


def number_of(author_copy: JSONDict) -> int:
    """The announcement's number, as its author's copy shows it ("Ogłoszenie nr 12 — …")."""
    match = re.search(r"Ogłoszenie nr (\d+) — wysłane", author_copy["text"])
    assert match is not None, author_copy["text"]
    return int(match.group(1))


async def test_acknowledging_on_telegram_counts_everywhere_and_stops_the_pings(
        world: World) -> None:
    await world.link(RENATA, JOLANTA)
    author_copy = await world.announce(THE_OFFICE,
                                       f"pilne {mail(RENATA, JOLANTA)}: Proszę o kontakt.")
    number = number_of(author_copy)  # the preview was replaced by the author's copy
    assert "potwierdzone: 0" in author_copy["text"] and slack_buttons(author_copy) == []
    await world.deliver()
    [copy] = world.on_telegram(RENATA)
    world.clock.advance(timedelta(seconds=20))  # she reads it a little later
    await world.telegram_press(RENATA, copy, "Potwierdzam")
    [answered] = world.tg.calls_to("answerCallbackQuery")
    assert answered.status == 200
    assert answered.params["text"] == f"Dziękuję — potwierdzono odbiór pilnego ogłoszenia nr " \
                                      f"{number}."
    # The author's copy on Slack (the author's messenger) was updated in place.
    [update] = world.slack_fake.calls_to("chat.update")
    assert update.status == 200 and update.params["ts"] == author_copy["ts"]
    [updated] = [m for m in world.on_slack(THE_OFFICE) if m["ts"] == author_copy["ts"]]
    assert "potwierdzone: 1" in updated["text"] and "edited" in updated
    # /raport on Slack shows it too: Renata acknowledged (on Telegram), Jolanta not yet.
    await world.slack_says(THE_OFFICE, f"raport {number}")
    report = world.on_slack(THE_OFFICE)[-1]["text"]
    assert "potwierdzone: 1" in report and "dostarczone: 2" in report
    assert "Jolanta Kołodziej — jeszcze nie potwierdził(a)" in report
    assert "Renata Nowak — jeszcze" not in report
    assert "Slack: dostarczone 1" in report and "Telegram: dostarczone 2" in report

    world.clock.advance(timedelta(minutes=16))
    assert await world.app.core.services.announcements.reping_round() == 1  # Jolanta only
    await world.deliver()
    assert [m["text"].split("\n")[0] for m in world.on_telegram(RENATA)] == [
        "‼ PILNE", "Dziękuję — potwierdzono odbiór pilnego ogłoszenia nr " + f"{number}."]
    assert len(world.on_slack(RENATA)) == 1  # no re-ping where she has not answered either
    reping = world.on_telegram(JOLANTA)[-1]
    assert reping["text"].startswith("‼ PILNE — przypomnienie, prosimy o potwierdzenie")
    assert telegram_buttons(reping) == ["Potwierdzam"] and not reping["disable_notification"]
    assert "przypomnienie" in teams_text(world.on_teams(JOLANTA)[-1])


async def test_unacknowledged_are_pinged_again_then_their_coordinator_is_told(
        world: World) -> None:
    await world.link(RENATA, COORDINATOR)
    author_copy = await world.announce(THE_OFFICE, f"pilne {mail(RENATA)}: Proszę o kontakt.")
    number = number_of(author_copy)
    await world.deliver()
    announcements = world.app.core.services.announcements
    world.clock.advance(timedelta(minutes=14))
    assert await announcements.reping_round() == 0  # 15 minutes have not passed yet
    for _ in range(2):  # the second and third (last) ping
        world.clock.advance(timedelta(minutes=2))
        assert await announcements.reping_round() == 1
        await world.deliver()
        world.clock.advance(timedelta(minutes=14))
    for shown in (world.on_telegram(RENATA), world.on_slack(RENATA)):
        assert len(shown) == 3  # three pings on each of her messengers, each acknowledgeable
    assert all(telegram_buttons(m) == ["Potwierdzam"] for m in world.on_telegram(RENATA))
    assert all(slack_buttons(m) == ["Potwierdzam"] for m in world.on_slack(RENATA))
    assert world.on_telegram(COORDINATOR) == []
    world.clock.advance(timedelta(minutes=2))
    assert await announcements.reping_round() == 1  # pings ran out: her coordinator is told
    await world.deliver()
    [told] = world.on_telegram(COORDINATOR)
    assert told["text"].startswith("Brak potwierdzenia pilnego ogłoszenia")
    assert f"Renata Nowak (Wieliczka) nie potwierdził(a) pilnego ogłoszenia nr {number}" \
        in told["text"]
    world.clock.advance(timedelta(hours=1))
    assert await announcements.reping_round() == 0  # nothing more after the escalation
    await world.deliver()
    assert len(world.on_telegram(RENATA)) == 3 and len(world.on_telegram(COORDINATOR)) == 1
    # Three pings are still one person reached on each messenger, not three deliveries.
    await world.slack_says(THE_OFFICE, f"raport {number}")
    report = world.on_slack(THE_OFFICE)[-1]["text"]
    assert "Telegram: dostarczone 1, w drodze 0, nieudane 0" in report
    assert "Slack: dostarczone 1, w drodze 0, nieudane 0" in report


async def test_the_report_says_who_blocked_the_bot_and_the_next_preview_counts_them(
        world: World) -> None:
    await world.link(RENATA, COORDINATOR)
    assert COORDINATOR.telegram is not None
    world.tg.block_chat(COORDINATOR.telegram)  # Telegram is her only messenger
    author_copy = await world.announce(THE_OFFICE, f"ogloszenie {mail(COORDINATOR)}, "
                                                   f"{mail(RENATA)}: Zmiana godzin pracy.")
    number = number_of(author_copy)
    await world.deliver()
    await world.slack_says(THE_OFFICE, f"raport {number}")
    report = world.on_slack(THE_OFFICE)[-1]["text"]
    assert "Wioletta Fraś — Telegram: zablokował(a) bota" in report
    # The next announcement knows she is linked but cut off, not "without a messenger".
    await world.slack_says(THE_OFFICE, f"ogloszenie {mail(COORDINATOR)}, {mail(RENATA)}: "
                                       "Druga zmiana.")
    preview = world.on_slack(THE_OFFICE)[-1]["text"]
    assert "bez komunikatora 0, nieosiągalni 1" in preview
    assert await world.slack_press(THE_OFFICE, world.on_slack(THE_OFFICE)[-1], "Wyślij") == 200
    await world.slack.drain()
    await world.slack_says(THE_OFFICE, f"raport {number + 1}")
    report = world.on_slack(THE_OFFICE)[-1]["text"]
    assert "Wioletta Fraś — Telegram: zablokował(a) bota" in report
    assert "brak połączonego komunikatora" not in report


async def test_the_authors_copy_of_a_normal_announcement_follows_its_delivery(
        world: World) -> None:
    await world.link(*RECIPIENTS)
    author_copy = await world.announce(THE_OFFICE, "ogloszenie gmina Wieliczka: Zebranie.")
    assert "dostarczone: 0" in author_copy["text"]
    await world.deliver()
    world.clock.advance(timedelta(seconds=16))
    assert await world.app.core.services.announcements.flush_author_copies() == 1
    shown = next(m for m in world.on_slack(THE_OFFICE) if m["ts"] == author_copy["ts"])
    assert "dostarczone: 4 · w drodze: 0" in shown["text"]
    world.clock.advance(timedelta(seconds=16))
    assert await world.app.core.services.announcements.flush_author_copies() == 0


async def test_a_burst_of_acknowledgements_edits_the_authors_copy_only_a_few_times(
        world: World) -> None:
    crowd = [s for s in await link_crowd(world) if s.telegram or s.slack][:20]
    assert len(crowd) == 20
    author_copy = await world.announce(
        THE_OFFICE, f"pilne {mail(*crowd)}: Ewakuacja budynku urzędu o 11:00.")
    await world.deliver()
    for staff in crowd:  # twenty people acknowledge within 40 seconds
        world.clock.advance(timedelta(seconds=2))
        if staff.telegram is not None:
            await world.telegram_press(staff, world.on_telegram(staff)[-1], "Potwierdzam")
        else:
            await world.slack_press(staff, world.on_slack(staff)[-1], "Potwierdzam")
            await world.slack.drain()
    during = len(world.slack_fake.calls_to("chat.update"))
    assert 1 <= during <= 3  # one edit per 15 s at most, not one per acknowledgement
    world.clock.advance(timedelta(seconds=15))
    await world.app.core.services.announcements.reping_round()  # the periodic job
    edits = world.slack_fake.calls_to("chat.update")
    assert len(edits) == during + 1 and all(e.status == 200 for e in edits)
    [final] = [m for m in world.on_slack(THE_OFFICE) if m["ts"] == author_copy["ts"]]
    assert "Odbiorcy: 20 · potwierdzone: 20 · dostarczone: 20" in final["text"]
    world.clock.advance(timedelta(minutes=1))
    await world.app.core.services.announcements.reping_round()
    assert len(world.slack_fake.calls_to("chat.update")) == during + 1  # nothing new to show


# --- never lost, never twice -------------------------------------------------------------------

CROWD_GMINY = "gmina Wieliczka, gmina Skawina, gmina Zabierzów"
# Everyone in these gminy is on one to three messengers (each of the seven combinations).
COMBINATIONS = ((1, 0, 0), (0, 1, 0), (0, 0, 1), (1, 1, 0), (1, 0, 1), (0, 1, 1), (1, 1, 1))


async def link_crowd(world: World) -> list[Staff]:
    """Link every sample person of :data:`CROWD_GMINY` on one to three messengers."""
    async with world.app.db.session() as session:
        people = (await session.execute(
            select(Person).join(Gmina, Gmina.id == Person.gmina_id)  # type: ignore[arg-type]
            .where(Gmina.name.in_(("Wieliczka", "Skawina", "Zabierzów")))  # type: ignore[attr-defined]
            .order_by(Person.id))).scalars().all()
    crowd = []
    for index, person in enumerate(people):
        on_telegram, on_slack, on_teams = COMBINATIONS[index % len(COMBINATIONS)]
        staff = Staff(str(person.email), person.name,
                      telegram=8000 + index if on_telegram else None,
                      slack=f"U0C{index:03d}" if on_slack else None,
                      teams=f"29:c{index:03d}" if on_teams else None)
        if staff.slack is not None:
            world.slack_fake.add_user(staff.slack, email=staff.email, real_name=staff.name)
        crowd.append(staff)
    await world.link(*crowd)
    return crowd


def copies_received(world: World, crowd: list[Staff]) -> Counter[tuple[str, str]]:
    """How many copies each of the crowd's accounts received, per messenger."""
    received: Counter[tuple[str, str]] = Counter()
    for staff in crowd:
        if staff.telegram is not None:
            received["telegram", staff.email] = len(world.on_telegram(staff))
        if staff.slack is not None:
            received["slack", staff.email] = len(world.on_slack(staff))
        if staff.teams is not None:
            received["teams", staff.email] = len(world.on_teams(staff))
    return received


async def test_a_429_storm_on_every_platform_loses_nothing_and_sends_nothing_twice(
        world: World) -> None:
    crowd = await link_crowd(world)
    await world.announce(THE_OFFICE, f"pilne {CROWD_GMINY}: Awaria zasilania w urzędach.")
    # The platforms enforce their published limits, and each answers a run of 429s.
    world.tg.enforce_limits = world.slack_fake.enforce_limits = True
    world.connector.enforce_rate_limits = True
    world.tg.fail_next("sendMessage", times=25, retry_after=1)
    world.slack_fake.fail_next("chat.postMessage", times=25, retry_after=1)
    world.connector.fail_next(times=25, status=429, retry_after=0.5)
    for _ in range(10):  # a row whose retries ran out waits in the outbox for a later round
        await world.deliver()
        if set(await world.outbox()) == {"sent"}:
            break
        world.clock.advance(timedelta(minutes=1))
    assert world.tg.ratelimited_count >= 25 and world.slack_fake.ratelimited_count >= 25
    assert world.connector.throttled_count >= 25
    received = copies_received(world, crowd)
    assert set(received.values()) == {1}, received  # every account once: none lost, none twice
    assert await world.outbox() == {"sent": len(received)}


@asynccontextmanager
async def second_instance(world: World, db: Database) -> AsyncIterator[dict[str, Messenger]]:
    """Another service instance's own adapters (own clients and limiters, its own database
    connection pool) sending to the same platforms: its messengers."""
    telegram = TelegramComponent(core=world.app.core, db=db, config=telegram_config(
        {"token": world.tg.token, "api_base_url": world.tg.url}))
    slack = SlackComponent(core=world.app.core, db=db, config=slack_config({
        "bot_token": world.slack_fake.bot_token, "signing_secret": SIGNING_SECRET,
        "api_base_url": world.slack_fake.api_url}))
    teams = TeamsComponent(app=world.app, settings=teams_settings({
        "app_id": TEAMS_APP_ID, "app_password": TEAMS_SECRET, "tenant_id": TENANT,
        "authority": world.teams.settings.authority}))
    await telegram.bot.initialize()  # sending only: no second poller
    await slack.start()
    await teams.start()
    try:
        yield {"telegram": telegram.messenger, "slack": slack.messenger,
               "teams": teams.messenger}
    finally:
        await telegram.bot.shutdown()
        await slack.stop()
        await teams.stop()


async def test_two_instances_on_one_database_send_each_copy_once(world: World) -> None:
    crowd = await link_crowd(world)
    await world.announce(THE_OFFICE, f"pilne {CROWD_GMINY}: Ćwiczenia alarmowe o 11:00.")
    app = world.app
    other_db = Database(app.db.url.render_as_string(False), schema=app.db.schema)
    small = DeliverySettings(batch=6)  # small claims, so that both instances get a share
    try:
        async with second_instance(world, other_db) as messengers:
            first = DeliveryWorker(db=app.db, clock=app.clock, messengers=app.messengers,
                                   settings=small, worker_id="instance-a")
            second = DeliveryWorker(db=other_db, clock=app.clock, messengers=messengers,
                                    settings=small, worker_id="instance-b")
            by_first, by_second = await asyncio.gather(first.run_once(), second.run_once())
    finally:
        await other_db.dispose()
    received = copies_received(world, crowd)
    assert set(received.values()) == {1}, received  # every account once, by either instance
    assert by_first > 0 and by_second > 0 and by_first + by_second == len(received)
    assert await world.outbox() == {"sent": len(received)}


async def test_a_double_pressed_send_button_sends_once(world: World) -> None:
    await world.link(RENATA, ANNA)
    await world.slack_says(THE_OFFICE, f"pilne {mail(RENATA, ANNA)}: Test łączności.")
    preview = world.on_slack(THE_OFFICE)[-1]
    assert "Wysłać do 2 osób? Teams 1, Telegram 1, Slack 2, bez komunikatora 0" in \
        preview["text"]
    # Two presses at once (a double click, or Slack retrying): both are accepted…
    statuses = await asyncio.gather(world.slack_press(THE_OFFICE, preview, "Wyślij"),
                                    world.slack_press(THE_OFFICE, preview, "Wyślij"))
    assert statuses == [200, 200]
    await world.slack.drain()
    told, replaced = sorted(world.slack_fake.response_posts,
                            key=lambda post: bool(post.body.get("replace_original")))
    assert told.body["text"] == "To ogłoszenie zostało już wysłane."  # … one is told so,
    assert told.body["response_type"] == "ephemeral"
    assert replaced.body["text"].startswith("Ogłoszenie nr")  # … one replaced the preview
    await world.deliver()
    assert [len(world.on_telegram(RENATA)), len(world.on_slack(RENATA))] == [1, 1]
    assert [len(world.on_slack(ANNA)), len(world.on_teams(ANNA))] == [1, 1]
    assert await world.outbox() == {"sent": 4}


# --- who may send, and what may be in the text --------------------------------------------------


async def test_only_the_office_coordinators_and_moderators_may_announce(world: World) -> None:
    await world.link(RENATA, COORDINATOR, ANNA)
    await world.telegram_says(RENATA, "/pilne wszyscy: Jutro wolne!")
    [refused] = world.on_telegram(RENATA)
    assert "To polecenie jest dostępne tylko dla" in refused["text"]
    for beyond_her_gmina in ("/pilne gmina Skawina: Awaria.", "/ogloszenie wszyscy: Awaria."):
        await world.telegram_says(COORDINATOR, beyond_her_gmina)
        assert "Możesz wysyłać ogłoszenia tylko do swoich odbiorców" in \
            world.on_telegram(COORDINATOR)[-1]["text"]
    await world.telegram_says(COORDINATOR, "/pilne gmina Wieliczka: Awaria EZD.")
    assert world.on_telegram(COORDINATOR)[-1]["text"].startswith("Podgląd PILNEGO ogłoszenia")
    await world.deliver()
    assert await world.outbox() == {}  # nothing sent before a confirmation
    assert len(world.on_telegram(RENATA)) == 1 and world.on_slack(ANNA) == []
    assert world.on_teams(ANNA) == []


async def test_markup_and_mentions_in_the_text_reach_no_platform_as_markup(
        world: World) -> None:
    code = await world.link_code(ADMIN)  # the office links Telegram with an admin's code
    await world.telegram_says(THE_OFFICE, f"/start {code}")
    assert "połączone z wpisem" in world.on_telegram(THE_OFFICE)[-1]["text"]
    await world.link(RENATA, JOLANTA)
    text = "<!channel> <b>uwaga</b> @here <at>Ktoś</at> &amp; [klik](https://evil.example)"
    await world.telegram_says(THE_OFFICE, f"/pilne {RENATA.email}, {JOLANTA.email}: {text}")
    preview = world.on_telegram(THE_OFFICE)[-1]
    assert text in preview["text"]
    await world.telegram_press(THE_OFFICE, preview, "Wyślij")
    await world.deliver()
    for staff in (RENATA, JOLANTA):  # Telegram: shown literally, no entity over the text
        [copy] = world.on_telegram(staff)
        assert text in copy["text"]
        start = copy["text"].index(text)
        assert all(e["offset"] + e["length"] <= start or e["offset"] >= start + len(text)
                   for e in copy["entities"])
    [on_slack] = world.on_slack(RENATA)
    everything = slack_everything(on_slack)
    for smuggled in ("<!channel>", "<!here>", "<b>", "<at>", "<https://"):
        assert smuggled not in everything
    assert ("&lt;!channel&gt; &lt;b&gt;uwaga&lt;/b&gt; @here &lt;at&gt;Ktoś&lt;/at&gt; "
            "&amp;amp; [klik](https://evil.example)") in on_slack["text"]
    [on_teams] = world.on_teams(JOLANTA)
    assert text in teams_text(on_teams) and "entities" not in on_teams  # no mention entity
    runs = [r for b in card_of(on_teams)["body"] for r in b.get("inlines", [])]
    assert any(r["type"] == "TextRun" and r["text"] == text for r in runs)  # never markdown


# --- urgent ones in the forums' groups -----------------------------------------------------------

PZP_CHAT = -1001700000001  # a Telegram supergroup of forum PZP
ODPADY_CHANNEL = "C0ODPADY"  # a Slack channel of forum ODPADY
STRANGER = Staff("nikt@example.com", "Nobody", telegram=7999)  # in the group, not linked


async def test_an_urgent_announcement_is_posted_in_the_forum_groups_where_each_acknowledges_for_themselves(  # noqa: E501
        world: World) -> None:
    await world.link(RENATA, JOLANTA, ANNA, COORDINATOR)
    await world.link(THE_OFFICE)
    await telegram_in_group(world, THE_OFFICE, PZP_CHAT, "/forum podlacz PZP",
                            title="Zamówienia publiczne SMK")
    assert "należy teraz do forum PZP" in world.tg.sent_messages(PZP_CHAT)[-1]["text"]
    await slack_command_in(world, THE_OFFICE, ODPADY_CHANNEL, "forum podlacz ODPADY")
    assert "należy teraz do forum ODPADY" in world.slack_fake.response_posts[-1].body["text"]

    text = "Awaria EZD <!channel> <b>do 12:00</b> @here"  # written on Telegram: kept as is
    await world.telegram_says(THE_OFFICE, f"/pilne forum PZP, forum ODPADY: {text}")
    preview = world.on_telegram(THE_OFFICE)[-1]
    assert "Post w grupach forów: 2 (Slack 1, Telegram 1)." in preview["text"]
    await world.telegram_press(THE_OFFICE, preview, "Wyślij")
    number = number_of(next(m for m in world.on_telegram(THE_OFFICE)
                            if m["message_id"] == preview["message_id"]))
    await world.deliver()

    # Telegram: one post in the group, with sound, the text shown literally, the button.
    [_linked, post] = world.tg.sent_messages(PZP_CHAT)
    assert post["disable_notification"] is False and post["text"].startswith("‼ PILNE")
    assert text in post["text"] and telegram_buttons(post) == ["Potwierdzam"]
    start = post["text"].index(text)
    assert all(e["offset"] + e["length"] <= start or e["offset"] >= start + len(text)
               for e in post["entities"])
    # Slack: one channel post, escaped, no mention of the channel smuggled in.
    [channel_post] = world.slack_fake.messages(ODPADY_CHANNEL)
    assert "<!" not in slack_everything(channel_post) and "<b>" not in slack_everything(
        channel_post)
    assert "&lt;!channel&gt;" in channel_post["text"]
    assert slack_buttons(channel_post) == ["Potwierdzam"]
    # The recipients' own copies went out as before (Renata: PZP, Jolanta: ODPADY).
    assert len(world.on_telegram(RENATA)) == 1 and len(world.on_slack(RENATA)) == 1
    assert len(world.on_telegram(JOLANTA)) == 1 and len(world.on_teams(JOLANTA)) == 1
    assert world.on_slack(ANNA) == [] and world.on_telegram(COORDINATOR) == []

    # In the Telegram group: a recipient, someone who is not one, someone not linked at all.
    await telegram_press_in_group(world, RENATA, post, "Potwierdzam")
    await telegram_press_in_group(world, COORDINATOR, post, "Potwierdzam")
    await telegram_press_in_group(world, STRANGER, post, "Potwierdzam", language="en")
    assert [c.params["text"] for c in world.tg.calls_to("answerCallbackQuery")[-3:]] == [
        f"Dziękuję — potwierdzono odbiór pilnego ogłoszenia nr {number}.",
        "To ogłoszenie nie było skierowane do Ciebie.",
        "I don't know who you are yet, so I can't take your acknowledgement. Link your "
        "account in a private chat with the bot.",
    ]  # each a toast only the presser sees
    # In the Slack channel: someone who is not a recipient, and Renata once more.
    await slack_press_in(world, ANNA, ODPADY_CHANNEL, channel_post, "Potwierdzam")
    await slack_press_in(world, RENATA, ODPADY_CHANNEL, channel_post, "Potwierdzam")
    answers = [(p.body["text"], p.body["response_type"])
               for p in world.slack_fake.response_posts[-2:]]
    assert answers == [("To ogłoszenie nie było skierowane do Ciebie.", "ephemeral"),
                       ("Już potwierdzone — dziękuję.", "ephemeral")]
    # Nothing of it was said in the groups.
    assert len(world.tg.sent_messages(PZP_CHAT)) == 2
    assert world.slack_fake.messages(ODPADY_CHANNEL) == [channel_post]

    await world.telegram_says(THE_OFFICE, f"/raport {number}")
    report = world.on_telegram(THE_OFFICE)[-1]["text"]
    assert "potwierdzone: 1" in report  # Renata, once, though she pressed in two places
    assert "Jolanta Kołodziej — jeszcze nie potwierdził(a)" in report
    assert "Posty w grupach forów:" in report
    assert "Telegram — Zamówienia publiczne SMK (forum PZP): wysłany" in report
    assert f"Slack — {ODPADY_CHANNEL} (forum ODPADY): wysłany" in report


# --- bad input: the longest text, someone else's copy --------------------------------------------


# 3,000 characters, many of which every format has to escape (and so lengthens).
LONGEST = ("Awaria <EZD> & sieci <!channel> — szczegóły na stronie. " * 60)[:MAX_TEXT - 1] + "."


async def send_longest(world: World, *recipients: Staff) -> None:
    """The office sends :data:`LONGEST` from Telegram (after one character too many)."""
    code = await world.link_code(ADMIN)
    await world.telegram_says(THE_OFFICE, f"/start {code}")
    emails = ", ".join(staff.email for staff in recipients)
    await world.telegram_says(THE_OFFICE, f"/pilne {emails}: {LONGEST}x")
    refused = world.on_telegram(THE_OFFICE)[-1]["text"]
    assert f"Ogłoszenie ma {MAX_TEXT + 1} znaków" in refused and f"({MAX_TEXT})" in refused
    await world.telegram_says(THE_OFFICE, f"/pilne {emails}: {LONGEST}")
    await world.telegram_press(THE_OFFICE, world.on_telegram(THE_OFFICE)[-1], "Wyślij")
    await world.deliver()


async def test_the_longest_allowed_text_arrives_whole_in_one_message(world: World) -> None:
    assert len(LONGEST) == MAX_TEXT
    await world.link(JOLANTA, TOMASZ)
    await send_longest(world, JOLANTA, TOMASZ)
    assert await world.outbox() == {"sent": 3}
    [copy] = world.on_telegram(JOLANTA)  # one message: the whole text and the button
    assert LONGEST in copy["text"] and telegram_buttons(copy) == ["Potwierdzam"]
    for staff in (JOLANTA, TOMASZ):
        [card] = world.on_teams(staff)
        assert LONGEST in teams_text(card) and teams_buttons(card) == ["Potwierdzam"]


async def test_the_longest_allowed_text_arrives_whole_on_slack(world: World) -> None:
    await world.link(ANNA)
    await send_longest(world, ANNA)
    assert await world.outbox() == {"sent": 2}
    [copy] = world.on_slack(ANNA)
    escaped = LONGEST.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    assert escaped in copy["text"] and slack_buttons(copy) == ["Potwierdzam"]
    assert "<!" not in slack_everything(copy)


async def test_pressing_someone_elses_copy_acknowledges_only_for_the_presser(
        world: World) -> None:
    await world.link(THE_OFFICE, RENATA, JOLANTA, COORDINATOR)
    await telegram_in_group(world, THE_OFFICE, PZP_CHAT, "/forum podlacz PZP")
    author_copy = await world.announce(THE_OFFICE,
                                       f"pilne {mail(RENATA, JOLANTA)}: Proszę o kontakt.")
    number = number_of(author_copy)
    await world.deliver()
    [renatas] = world.on_telegram(RENATA)
    shown = len(world.tg.sent_messages(PZP_CHAT))
    # Renata's copy where others can press it (forwarded into a group): the coordinator is no
    # recipient; Jolanta is one, and it counts for her alone — never for Renata.
    forwarded = {**renatas, "chat_id": PZP_CHAT}
    await telegram_press_in_group(world, COORDINATOR, forwarded, "Potwierdzam")
    await telegram_press_in_group(world, JOLANTA, forwarded, "Potwierdzam")
    assert [c.params["text"] for c in world.tg.calls_to("answerCallbackQuery")] == [
        "To ogłoszenie nie było skierowane do Ciebie.",
        f"Dziękuję — potwierdzono odbiór pilnego ogłoszenia nr {number}.",
    ]
    assert len(world.tg.sent_messages(PZP_CHAT)) == shown  # nothing said in the group
    await world.slack_says(THE_OFFICE, f"raport {number}")
    report = world.on_slack(THE_OFFICE)[-1]["text"]
    assert "potwierdzone: 1" in report
    assert "Renata Nowak — jeszcze nie potwierdził(a)" in report
    assert "Jolanta Kołodziej — jeszcze" not in report
    world.clock.advance(timedelta(minutes=16))
    assert await world.app.core.services.announcements.reping_round() == 1  # Renata only
    await world.deliver()
    assert len(world.on_telegram(RENATA)) == 2 and len(world.on_telegram(JOLANTA)) == 1


# --- a crash in the middle of the fan-out -------------------------------------------------------


async def test_a_crash_in_the_middle_of_the_fan_out_loses_nothing(world: World) -> None:
    crowd = await link_crowd(world)
    await world.announce(THE_OFFICE, f"pilne {CROWD_GMINY}: Awaria wodociągu, komunikat 1.")
    copies = sum((await world.outbox()).values())
    # The platforms enforce their limits, so the fan-out takes a while; kill it half-way.
    world.tg.enforce_limits = world.slack_fake.enforce_limits = True
    world.connector.enforce_rate_limits = True
    first = asyncio.create_task(world.deliver())
    await until(lambda: sum(copies_received(world, crowd).values()) >= copies // 2, within=60)
    first.cancel()  # kill -9: what it had claimed stays leased to a process that is gone
    with contextlib.suppress(asyncio.CancelledError):
        await first
    at_the_kill = await world.outbox()
    assert at_the_kill["sent"] < copies  # rows were still claimed or waiting when it died
    async with world.app.db.session() as session:
        recorded = set((await session.execute(
            select(Delivery.platform, Person.email)
            .join(Person, Person.id == Delivery.person_id)  # type: ignore[arg-type]
            .where(Delivery.state == "sent"))).all())
    # The restarted service (its own adapters and database connections) takes over after the
    # lease (5 minutes) and sends the rest.
    world.clock.advance(timedelta(minutes=6))
    app = world.app
    other_db = Database(app.db.url.render_as_string(False), schema=app.db.schema)
    try:
        async with second_instance(world, other_db) as messengers:
            restarted = DeliveryWorker(db=other_db, clock=app.clock, messengers=messengers,
                                       worker_id="restarted")
            await restarted.run_once()
    finally:
        await other_db.dispose()
    received = copies_received(world, crowd)
    assert len(received) == copies and min(received.values()) == 1  # nobody lost
    assert all(received[copy] == 1 for copy in recorded)  # what was recorded: never again
    # A repeat is possible only for a message a platform accepted just before the kill,
    # before the outbox recorded it (the documented window): never more than were in flight.
    assert sum(received.values()) - copies <= at_the_kill["sending"]
    assert await world.outbox() == {"sent": copies}
