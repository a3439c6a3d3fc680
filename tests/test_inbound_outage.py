"""Issue 14.3: nothing is acknowledged that was not recorded.

The database really goes away: the app talks to PostgreSQL through a small TCP proxy that
cuts every connection and refuses new ones while "down". The real adapters (python-telegram-
bot, Bolt, our Bot Framework endpoint) run against the messenger fakes. While the database
is down, every endpoint answers so that its platform delivers the update again (Telegram
webhook 503, polling keeps its offset, Slack 503 for events, Teams 503); once it is back,
each update is answered exactly once — redeliveries included.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import aiohttp
import pytest
from aiohttp import web
from sqlalchemy import event, update
from sqlalchemy.engine import make_url

from adapters.slack import build_slack_component
from adapters.telegram import TelegramComponent, build_telegram_component
from bots.app import App, build_app
from bots.config import Config, DatabaseConfig
from bots.sample_data import load_sample_data
from commands.clock import ManualClock
from commands.directory.language import Morphology
from commands.texts import t
from store.db import Database
from store.inbound import Claim, claim_delivery, finish_delivery
from store.models import ProcessedEvent
from tests.conftest import POSTGRES_URL, _empty
from tests.fakes.slack_api import FakeSlackServer, sign
from tests.fakes.teams_auth import ChannelTokenIssuer, FakeEntraAuthority
from tests.fakes.teams_connector import FakeBotConnector
from tests.fakes.telegram_api import FakeTelegramServer
from tests.world import (
    JOLANTA,
    PROXY_VARIABLES,
    RENATA,
    SIGNING_SECRET,
    TEAM,
    TEAMS_APP_ID,
    TEAMS_BOT,
    TENANT,
    World,
    adapters,
    teams_chat,
    until,
)

QUESTION = "kto od śmieci w Wieliczce?"
ANSWER_START = "gospodarka odpadami — Wieliczka"


class DatabaseProxy:
    """TCP between the app and PostgreSQL. ``down()`` aborts every connection and closes
    new ones at once (what a crashed or unreachable server looks like to a client);
    ``up()`` forwards again."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.open = True
        self.port = 0
        self._server: asyncio.Server | None = None
        self._transports: set[asyncio.WriteTransport] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._client, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        self.down()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    def down(self) -> None:
        self.open = False
        for transport in list(self._transports):
            transport.abort()
        self._transports.clear()

    def up(self) -> None:
        self.open = True

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
                      ) -> None:
        if not self.open:
            writer.transport.abort()
            return
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.transport.abort()
            return
        pair = {writer.transport, upstream_writer.transport}
        self._transports |= pair
        await asyncio.gather(self._pipe(reader, upstream_writer),
                             self._pipe(upstream_reader, writer), return_exceptions=True)
        self._transports -= pair

    @staticmethod
    async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        finally:
            writer.transport.abort()


@pytest.fixture
async def proxied(postgres_schema: str, clock: ManualClock, morphology: Morphology
                  ) -> AsyncIterator[tuple[App, DatabaseProxy]]:
    """The app with the sample directory on PostgreSQL behind the proxy."""
    url = make_url(POSTGRES_URL)
    proxy = DatabaseProxy((url.host or "127.0.0.1", url.port or 5432))
    await proxy.start()
    proxied_url = url.set(host="127.0.0.1", port=proxy.port).render_as_string(False)
    db = Database(proxied_url, schema=postgres_schema)
    await _empty(db)
    app = build_app(Config(database=DatabaseConfig(url=proxied_url)), clock=clock, db=db,
                    morphology=morphology)
    await app.prepare(with_sample=False)
    await load_sample_data(app)
    app.directory.invalidate()
    try:
        yield app, proxy
    finally:
        proxy.up()
        await db.dispose()
        await proxy.stop()


def telegram_private(user_id: int, text: str, update_id: int) -> dict[str, Any]:
    return {"update_id": update_id, "message": {
        "message_id": update_id % 100_000, "date": int(time.time()),
        "chat": {"id": user_id, "type": "private", "first_name": "R"},
        "from": {"id": user_id, "is_bot": False, "first_name": "R", "language_code": "pl"},
        "text": text}}


SECRET = "outage-secret"


@dataclass
class Hook:
    """A Telegram adapter in webhook mode on the proxied app, served over HTTP."""

    app: App
    proxy: DatabaseProxy
    tg: FakeTelegramServer
    component: TelegramComponent
    url: str

    async def post(self, update: dict[str, Any]) -> int:
        """Telegram delivers ``update``; the HTTP status it got."""
        return (await self.tg.post_webhook(self.url, update, SECRET))[0]

    def answers(self, user: int) -> list[str]:
        return [m["text"] for m in self.tg.sent_messages(user)]


@pytest.fixture
async def hook(proxied: tuple[App, DatabaseProxy]) -> AsyncIterator[Hook]:
    app, proxy = proxied
    async with FakeTelegramServer() as tg:
        component = build_telegram_component(app, {
            "token": tg.token, "api_base_url": tg.url, "mode": "webhook",
            "webhook_url": "https://bot.example.org/telegram/webhook", "webhook_secret": SECRET})
        await component.start()
        server = web.Application()
        server.router.add_routes(component.routes())
        runner = web.AppRunner(server, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        await _link(app, RENATA.email, "telegram", "", str(RENATA.telegram))
        try:
            yield Hook(app, proxy, tg, component,
                       f"http://127.0.0.1:{runner.addresses[0][1]}/telegram/webhook")
        finally:
            proxy.up()
            await component.stop()
            await runner.cleanup()


async def test_telegram_webhook_answers_503_until_the_update_is_recorded(hook: Hook) -> None:
    user = int(RENATA.telegram or 0)
    question = telegram_private(user, QUESTION, 700_001)
    hook.proxy.down()
    for _ in range(2):  # Telegram tries, and tries again
        assert await hook.post(question) == 503
    await hook.component.drain()
    assert hook.answers(user) == []  # no "coś poszło nie tak" either
    hook.proxy.up()
    assert await hook.post(question) == 200
    assert await hook.post(question) == 200  # a late retry
    await hook.component.drain()
    [answer] = hook.answers(user)
    assert answer.startswith(ANSWER_START)


async def test_an_update_whose_handling_the_outage_cut_short_is_answered_once(
        hook: Hook) -> None:
    """The database goes away after the delivery was claimed, in the middle of handling it:
    503; redeliveries find the claim and wait (503) until it is stale, then take it over."""
    user = int(RENATA.telegram or 0)
    question = telegram_private(user, QUESTION, 700_002)
    engine = hook.app.db.engine.sync_engine

    def cut(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if "messengeraccount" in statement:  # identify, right after the claim committed
            hook.proxy.down()

    event.listen(engine, "before_cursor_execute", cut)
    try:
        assert await hook.post(question) == 503
    finally:
        event.remove(engine, "before_cursor_execute", cut)
    hook.proxy.up()
    async with hook.app.db.session() as session:  # claimed, not done: cut short indeed
        claim = await session.get(ProcessedEvent, ("telegram", "700002"))
        assert claim is not None and not claim.done
    assert await hook.post(question) == 503  # claimed a moment ago: maybe still running
    assert hook.answers(user) == []
    async with hook.app.db.session() as session:  # the lease runs out
        await session.execute(update(ProcessedEvent).values(
            at=datetime.now(UTC) - timedelta(minutes=1)))
        await session.commit()
    assert await hook.post(question) == 200
    assert await hook.post(question) == 200
    await hook.component.drain()
    [answer] = hook.answers(user)
    assert answer.startswith(ANSWER_START)


async def _link(app: App, email: str, platform: str, tenant: str, user: str) -> None:
    from store.people import link_account, person_by_email

    async with app.db.session() as session:
        person = await person_by_email(session, email)
        assert person is not None
        await link_account(session, platform=platform, tenant_id=tenant, external_id=user,
                           person_id=int(person.id or 0))
        await session.commit()


@pytest.fixture
async def outage_world(proxied: tuple[App, DatabaseProxy], entra: FakeEntraAuthority,
                       channel_issuer: ChannelTokenIssuer, monkeypatch: pytest.MonkeyPatch
                       ) -> AsyncIterator[tuple[World, DatabaseProxy]]:
    """The three adapters (Telegram polling, Slack HTTP, Teams HTTP) on the proxied app."""
    app, proxy = proxied
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", entra.ca_pem_path)
    async with FakeTelegramServer() as tg, FakeSlackServer() as slack_fake, \
            FakeBotConnector(entra) as connector, aiohttp.ClientSession() as http:
        telegram, slack, teams = adapters(app, tg, slack_fake, authority=entra.authority_base,
                                          issuer=channel_issuer)
        world = World(app, tg, telegram, slack_fake, slack, "", connector, teams, http,
                      issuer=channel_issuer, authority=entra.authority_base)
        world.enrol(RENATA, JOLANTA)
        await world._start()
        await world.link(RENATA, JOLANTA)
        try:
            yield world, proxy
        finally:
            proxy.up()
            await world._stop()


def slack_event(world: World, text: str, event_id: str) -> str:
    assert RENATA.slack is not None
    ts = f"{time.time():.6f}"
    return json.dumps({
        "token": "t", "team_id": TEAM, "api_app_id": "A111", "type": "event_callback",
        "event_id": event_id, "event_time": int(time.time()),
        "event": {"type": "message", "channel": world.slack_fake.dm_channel(RENATA.slack),
                  "channel_type": "im", "user": RENATA.slack, "text": text, "ts": ts,
                  "event_ts": ts, "team": TEAM}})


async def slack_post(world: World, body: str, content_type: str, retry: int = 0
                     ) -> tuple[int, str]:
    headers = {"Content-Type": content_type, **sign(SIGNING_SECRET, body)}
    if retry:
        headers |= {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_error"}
    async with world.http.post(world.slack_url, data=body.encode(), headers=headers) as resp:
        return resp.status, await resp.text()


def teams_personal(world: World, text: str, activity_id: str) -> dict[str, Any]:
    assert JOLANTA.teams is not None
    return {
        "type": "message", "id": activity_id, "channelId": "msteams",
        "serviceUrl": world.connector.service_url,
        "timestamp": datetime.now(UTC).isoformat(timespec="microseconds"),
        "from": {"id": JOLANTA.teams, "name": JOLANTA.name,
                 "aadObjectId": f"aad-{JOLANTA.teams[3:]}"},
        "recipient": {"id": TEAMS_BOT, "name": "Łącznik"},
        "conversation": {"id": teams_chat(JOLANTA), "conversationType": "personal",
                         "tenantId": TENANT},
        "channelData": {"tenant": {"id": TENANT}}, "textFormat": "plain", "text": text,
        "locale": "pl-PL",
    }


async def teams_post(world: World, activity: dict[str, Any]) -> int:
    assert world.issuer is not None
    token = world.issuer.mint(TEAMS_APP_ID, world.connector.service_url)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    async with world.http.post(world.teams_url, data=json.dumps(activity).encode(),
                               headers=headers) as response:
        return response.status


def answers(messages: list[dict[str, Any]], key: str = "text") -> list[str]:
    return [m[key] for m in messages if str(m.get(key, "")).startswith(ANSWER_START)]


async def test_every_endpoint_lets_its_platform_deliver_again_and_answers_once(
        outage_world: tuple[World, DatabaseProxy]) -> None:
    world, proxy = outage_world
    telegram_user = int(RENATA.telegram or 0)
    proxy.down()

    # Telegram polling: the update is fetched, not recorded, and the offset stays at it.
    world.tg.push_update(telegram_private(telegram_user, QUESTION, 800_001))
    await until(lambda: world.telegram.received >= 1, within=10)
    # Slack: an event is not acknowledged (503: Slack retries it); a slash command, which
    # Slack never sends again, is answered with a request to repeat it.
    event = slack_event(world, QUESTION, "EvOUTAGE1")
    assert (await slack_post(world, event, "application/json"))[0] == 503
    command = urlencode({
        "token": "t", "team_id": TEAM, "channel_id": world.slack_fake.dm_channel(
            RENATA.slack or ""), "user_id": RENATA.slack, "user_name": RENATA.name,
        "command": "/kto", "text": "odpady Wieliczka", "api_app_id": "A111",
        "response_url": world.slack_fake.response_url(
            channel=world.slack_fake.dm_channel(RENATA.slack or ""), user=RENATA.slack or ""),
        "trigger_id": "outage.1.x"})
    status, acked = await slack_post(world, command, "application/x-www-form-urlencoded")
    assert status == 200 and json.loads(acked)["text"] == t("pl", "sec.not_recorded")
    # Teams: 503, the Bot Connector delivers it again.
    activity = teams_personal(world, QUESTION, "1700000000001")
    assert await teams_post(world, activity) == 503
    await asyncio.sleep(1.0)  # the poller tries again meanwhile, and fails again
    await world.slack.drain()
    assert world.on_telegram(RENATA) == [] and world.on_slack(RENATA) == []
    assert world.on_teams(JOLANTA) == []

    proxy.up()
    # Telegram: the poller fetches the same update again and answers it, once.
    await until(lambda: bool(answers(world.on_telegram(RENATA))), within=40)
    await world.telegram.drain()
    # Slack retries the event; Teams redelivers the activity. Then duplicates come too.
    assert (await slack_post(world, event, "application/json", retry=1))[0] == 200
    assert (await slack_post(world, event, "application/json", retry=2))[0] == 200
    assert await teams_post(world, activity) == 200
    assert await teams_post(world, activity) == 200
    await world.slack.drain()
    await world.telegram.drain()
    assert len(answers(world.on_telegram(RENATA))) == 1
    assert len(answers(world.on_slack(RENATA))) == 1
    teams_answers = [a for a in world.on_teams(JOLANTA)
                     if ANSWER_START in json.dumps(a, ensure_ascii=False)]
    assert len(teams_answers) == 1


# --- the claim that lets a cut-short handling be taken over ---------------------------------


async def test_a_claim_cut_short_is_taken_over_after_its_lease(app: App) -> None:
    async with app.db.session() as session:
        assert await claim_delivery(session, "slack", "Ev1") == Claim.FIRST
        await session.commit()
    async with app.db.session() as session:  # a retry while the first is being handled
        assert await claim_delivery(session, "slack", "Ev1") == Claim.BUSY
        await session.commit()
    async with app.db.session() as session:  # the handling died with the database
        await session.execute(update(ProcessedEvent).values(
            at=datetime.now(UTC) - timedelta(minutes=5)))
        await session.commit()
    async with app.db.session() as session:
        assert await claim_delivery(session, "slack", "Ev1") == Claim.FIRST
        await finish_delivery(session, "slack", "Ev1")
        await session.commit()
    async with app.db.session() as session:
        assert await claim_delivery(session, "slack", "Ev1") == Claim.DONE


async def test_slack_socket_mode_acknowledges_an_event_only_once_it_is_recorded(
        proxied: tuple[App, DatabaseProxy], monkeypatch: pytest.MonkeyPatch) -> None:
    """Socket Mode: an event the database cannot record gets no ack (Slack sends the
    envelope again, ``retry_attempt`` 1); once it is back, it is acked and answered once."""
    app, proxy = proxied
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    async with FakeSlackServer() as fake:
        assert RENATA.slack is not None
        fake.add_user(RENATA.slack, email=RENATA.email, real_name=RENATA.name)
        component = build_slack_component(app, {
            "mode": "socket", "bot_token": fake.bot_token, "app_token": fake.app_token,
            "api_base_url": fake.api_url})
        await component.start()
        await _link(app, RENATA.email, "slack", TEAM, RENATA.slack)
        channel = fake.dm_channel(RENATA.slack)
        ts = f"{time.time():.6f}"
        payload = {"token": "t", "team_id": TEAM, "api_app_id": "A111",
                   "type": "event_callback", "event_id": "EvSOCKET1",
                   "event_time": int(time.time()),
                   "event": {"type": "message", "channel": channel, "channel_type": "im",
                             "user": RENATA.slack, "text": QUESTION, "ts": ts,
                             "event_ts": ts, "team": TEAM}}
        try:
            await fake.wait_for_socket()
            proxy.down()
            first = await fake.push_envelope({"type": "events_api", "payload": payload,
                                              "accepts_response_payload": False,
                                              "retry_attempt": 0, "retry_reason": ""})
            with pytest.raises(TimeoutError):
                await fake.wait_for_ack(first, timeout=2.0)
            proxy.up()
            for attempt in (1, 2):  # Slack's retries; the second comes after the answer
                again = await fake.push_envelope({
                    "type": "events_api", "payload": payload, "accepts_response_payload": False,
                    "retry_attempt": attempt, "retry_reason": "timeout"})
                await fake.wait_for_ack(again)
                await component.drain()
        finally:
            await component.stop()
        assert len(answers(fake.messages(channel))) == 1
