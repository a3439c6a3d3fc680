"""The world the end-to-end tests run in: the real Telegram, Slack and Teams adapters
(python-telegram-bot, slack_sdk/Bolt, msal + our Connector client) against the
protocol-faithful fake servers, on the real app and database, with sample staff who use one
to three messengers, and helpers that read what each platform shows.

Registered as a pytest plugin in ``conftest.py``: the ``world`` and ``entra`` fixtures are
available to every test module.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import aiohttp
import pytest
from aiohttp import web
from sqlalchemy import func, select

from adapters.slack import SlackComponent, build_slack_component
from adapters.teams import build_teams_component
from adapters.teams.component import TeamsComponent
from adapters.telegram import TelegramComponent, build_telegram_component
from bots.app import App, build_app
from commands.clock import ManualClock
from commands.model import ConversationKind, ConversationRef, Platform
from store.models import Delivery
from store.people import issue_link_code, link_account, person_by_email
from tests.fakes.slack_api import FakeSlackServer, sign
from tests.fakes.teams_auth import ChannelTokenIssuer, FakeEntraAuthority
from tests.fakes.teams_connector import FakeBotConnector
from tests.fakes.telegram_api import FakeTelegramServer

JSONDict = dict[str, Any]

ADMIN = "m.zawadzka-hejmo@metropoliakrakowska.example.pl"  # the association office (admin)
TEAM = "T111"  # the Slack workspace of the fake
TENANT = "50612dbb-0237-4969-b378-8d42590f9c00"
TEAMS_APP_ID = "6f0c3c2e-3a43-4c1e-9d7a-0b5e6d1f2a31"
TEAMS_SECRET = "not-a-real-secret-" + "y" * 12
SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
PROXY_VARIABLES = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY",
                   "all_proxy")
ADAPTIVE = "application/vnd.microsoft.card.adaptive"
TEAMS_BOT = f"28:{TEAMS_APP_ID}"
TEAMS_BOT_NAME = "Łącznik"
TEAMS_TEAM = "19:smk-forums@thread.tacv2"  # the association's team, one channel per forum


@dataclass(frozen=True)
class Staff:
    """A sample person and the messenger accounts they use (None: not on that messenger)."""

    email: str
    name: str
    telegram: int | None = None
    slack: str | None = None
    teams: str | None = None


THE_OFFICE = Staff(ADMIN, "Magdalena Zawadzka-Hejmo", telegram=7000, slack="U0ZAWADZKA")
RENATA = Staff("r.nowak@wieliczka.example.pl", "Renata Nowak", telegram=7001, slack="U0RNOWAK")
JOLANTA = Staff("j.kolodziej@wieliczka.example.pl", "Jolanta Kołodziej", telegram=7002,
                teams="29:jkolodziej")
ANNA = Staff("a.hajduk@wieliczka.example.pl", "Anna Hajduk", slack="U0AHAJDUK",
             teams="29:ahajduk")
TOMASZ = Staff("t.kaczmarek@wieliczka.example.pl", "Tomasz Kaczmarek", teams="29:tkaczmarek")
COORDINATOR = Staff("w.fras@wieliczka.example.pl", "Wioletta Fraś", telegram=7009)
RECIPIENTS = (RENATA, JOLANTA, ANNA, TOMASZ)
EVERYONE = (THE_OFFICE, COORDINATOR, *RECIPIENTS)


# --- the world: three fake platforms and the three running adapters -----------------------


async def until(check: Callable[[], bool], within: float = 5.0) -> None:
    """Wait for ``check()`` (adapters work in their own tasks)."""
    deadline = time.monotonic() + within
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError(f"not within {within}s")
        await asyncio.sleep(0.005)


@dataclass
class World:
    """The app with Telegram, Slack and Teams running against their fakes.

    Slack events and Teams activities reach the app over HTTP (signed as the platforms sign
    them); Telegram updates through the adapter's long polling.
    """

    app: App
    tg: FakeTelegramServer
    telegram: TelegramComponent
    slack_fake: FakeSlackServer
    slack: SlackComponent
    slack_url: str
    connector: FakeBotConnector
    teams: TeamsComponent
    http: aiohttp.ClientSession
    issuer: ChannelTokenIssuer | None = None  # signs inbound Teams activities
    authority: str = ""  # Entra, for the Teams bot's own tokens
    teams_url: str = ""
    runner: web.AppRunner | None = None

    # --- accounts ---------------------------------------------------------------------------

    async def link(self, *people: Staff) -> None:
        """Link accounts with the private conversation each adapter stores after a first
        exchange (Telegram: the user's chat; Slack: the ``D…`` DM; Teams: the 1:1 chat)."""
        async with self.app.db.session() as session:
            for staff in people:
                person = await person_by_email(session, staff.email)
                assert person is not None and person.id is not None, staff.email
                for platform, tenant, user, ref in self._refs(staff):
                    await link_account(session, platform=platform, tenant_id=tenant,
                                       external_id=user, person_id=person.id,
                                       private_ref=ref.to_json())
            await session.commit()

    def _refs(self, staff: Staff) -> Iterator[tuple[str, str, str, ConversationRef]]:
        if staff.telegram is not None:
            yield "telegram", "", str(staff.telegram), ConversationRef(
                Platform.TELEGRAM, str(staff.telegram), ConversationKind.PERSONAL)
        if staff.slack is not None:
            yield "slack", TEAM, staff.slack, ConversationRef(
                Platform.SLACK, self.slack_fake.dm_channel(staff.slack),
                ConversationKind.PERSONAL, tenant_id=TEAM, extra={"user_id": staff.slack})
        if staff.teams is not None:
            yield "teams", TENANT, staff.teams, ConversationRef(
                Platform.TEAMS, teams_chat(staff), ConversationKind.PERSONAL, tenant_id=TENANT,
                service_url=self.connector.service_url, extra={"user_id": staff.teams})

    async def link_code(self, email: str) -> str:
        """A link code an administrator gave this person."""
        async with self.app.db.session() as session:
            person = await person_by_email(session, email)
            assert person is not None and person.id is not None
            code = await issue_link_code(session, person.id, platform="telegram",
                                         valid_for=timedelta(hours=1), now=self.app.clock.now())
            await session.commit()
        return code

    # --- Telegram ---------------------------------------------------------------------------

    async def telegram_says(self, staff: Staff, text: str) -> None:
        """A private message from ``staff`` to the bot, handled and answered."""
        assert staff.telegram is not None
        user = {"id": staff.telegram, "is_bot": False, "first_name": staff.name.split()[0],
                "language_code": "pl"}
        entities = ([{"offset": 0, "length": len(text.split()[0]), "type": "bot_command"}]
                    if text.startswith("/") else [])
        await self._telegram_update({"message": {
            "message_id": int(time.monotonic_ns() % 1_000_000_000), "date": int(time.time()),
            "chat": {"id": staff.telegram, "type": "private", "first_name": user["first_name"]},
            "from": user, "text": text, "entities": entities,
        }})

    async def telegram_press(self, staff: Staff, message: JSONDict, label: str) -> None:
        """``staff`` presses the inline button ``label`` under a message the bot sent."""
        assert staff.telegram is not None
        [data] = [b["callback_data"] for row in message["reply_markup"]["inline_keyboard"]
                  for b in row if b["text"] == label]
        await self._telegram_update({"callback_query": {
            "id": f"q{time.monotonic_ns()}", "chat_instance": "1", "data": data,
            "from": {"id": staff.telegram, "is_bot": False, "first_name": "X"},
            "message": {"message_id": message["message_id"], "date": message["date"],
                        "chat": {"id": staff.telegram, "type": "private", "first_name": "X"},
                        "from": {"id": self.tg.bot_id, "is_bot": True, "first_name": "Ł"},
                        "text": message["text"]},
        }})

    async def _telegram_update(self, update: JSONDict) -> None:
        before = self.telegram.received
        self.tg.push_update(update)
        await until(lambda: self.telegram.received > before)
        await self.telegram.drain()

    def on_telegram(self, staff: Staff) -> list[JSONDict]:
        """What ``staff`` sees in the bot's chat on Telegram (after edits)."""
        assert staff.telegram is not None
        return self.tg.sent_messages(staff.telegram)

    # --- Slack ------------------------------------------------------------------------------

    async def slack_says(self, staff: Staff, text: str) -> None:
        """A DM from ``staff`` to the bot (the Events API, signed), handled and answered."""
        assert staff.slack is not None
        ts = f"{time.time():.6f}"
        event = {"type": "message", "channel": self.slack_fake.dm_channel(staff.slack),
                 "channel_type": "im", "user": staff.slack, "text": text, "ts": ts,
                 "event_ts": ts, "team": TEAM}
        envelope = {"token": "t", "team_id": TEAM, "api_app_id": "A111", "event": event,
                    "type": "event_callback", "event_id": f"Ev{time.monotonic_ns()}",
                    "event_time": int(time.time())}
        assert await self._slack_post(json.dumps(envelope), "application/json") == 200
        await self.slack.drain()

    async def slack_press(self, staff: Staff, message: JSONDict, label: str) -> int:
        """``staff`` presses ``label`` on a message in their DM; the HTTP status Slack got."""
        assert staff.slack is not None
        channel = self.slack_fake.dm_channel(staff.slack)
        button = next(e for b in message["blocks"] if b["type"] == "actions"
                      for e in b["elements"] if e["text"]["text"] == label)
        trigger = f"{time.monotonic_ns()}.1.x"
        payload = {
            "type": "block_actions", "user": {"id": staff.slack, "team_id": TEAM},
            "api_app_id": "A111", "team": {"id": TEAM}, "trigger_id": trigger,
            "container": {"type": "message", "message_ts": message["ts"],
                          "channel_id": channel, "is_ephemeral": False},
            "channel": {"id": channel}, "message": message, "state": {"values": {}},
            "response_url": self.slack_fake.response_url(channel=channel, user=staff.slack,
                                                         message_ts=message["ts"]),
            "actions": [{**button, "block_id": "b", "action_ts": f"{time.time():.6f}"}],
        }
        return await self._slack_post("payload=" + quote(json.dumps(payload)),
                                      "application/x-www-form-urlencoded")

    async def _slack_post(self, body: str, content_type: str) -> int:
        headers = {"Content-Type": content_type, **sign(SIGNING_SECRET, body)}
        async with self.http.post(self.slack_url, data=body.encode(), headers=headers) as resp:
            return resp.status

    def on_slack(self, staff: Staff) -> list[JSONDict]:
        """What ``staff`` sees in their DM with the bot on Slack (after edits)."""
        assert staff.slack is not None
        return self.slack_fake.messages(self.slack_fake.dm_channel(staff.slack))

    # --- Teams ------------------------------------------------------------------------------

    def on_teams(self, staff: Staff) -> list[JSONDict]:
        """The activities in ``staff``'s 1:1 chat with the bot on Teams (after updates)."""
        return self.connector.activities(teams_chat(staff))

    def teams_opened(self, staff: Staff) -> list[JSONDict]:
        """The activities in the 1:1 chat the bot opened itself with a Teams user who never
        wrote to it privately (Teams gives the chat its id on creation)."""
        chat = self.connector.personal_chats.get(staff.teams or "")
        return self.connector.activities(chat) if chat else []

    # --- people on the platforms -------------------------------------------------------------

    def enrol(self, *people: Staff) -> None:
        """Make people members of the Slack workspace and of the Teams tenant, so that the
        platforms vouch for their e-mails (the sample staff are members from the start)."""
        for staff in people:
            if staff.slack is not None:
                self.slack_fake.add_user(staff.slack, email=staff.email, real_name=staff.name)
            if staff.teams is not None:
                self.connector.add_member(staff.teams, name=staff.name, email=staff.email,
                                          aad_object_id=f"aad-{staff.teams[3:]}",
                                          tenant_id=TENANT)

    # --- Telegram groups ---------------------------------------------------------------------

    async def telegram_group_says(self, staff: Staff, chat_id: int, text: str, *,
                                  reply_to: JSONDict | None = None,
                                  title: str = "Grupa") -> JSONDict:
        """``staff`` writes in the Telegram supergroup ``chat_id``, optionally replying to a
        message there (one the bot sent, as :meth:`on_telegram_group` shows it); handled and
        answered. Returns the message as Telegram delivered it."""
        assert staff.telegram is not None
        chat = {"id": chat_id, "type": "supergroup", "title": title}
        message: JSONDict = {
            "message_id": int(time.monotonic_ns() % 1_000_000_000), "date": int(time.time()),
            "chat": chat, "from": self._telegram_user(staff), "text": text,
        }
        if text.startswith("/"):
            message["entities"] = [{"offset": 0, "length": len(text.split()[0]),
                                    "type": "bot_command"}]
        if reply_to is not None:
            message["reply_to_message"] = self._telegram_original(reply_to, chat)
        await self._telegram_update({"message": message})
        return message

    async def telegram_group_edits(self, staff: Staff, message: JSONDict, text: str) -> None:
        """``staff`` edits their message ``message`` (an ``edited_message`` update)."""
        edited = {**message, "text": text, "edit_date": int(time.time()) + 1}
        await self._telegram_update({"edited_message": edited})

    def on_telegram_group(self, chat_id: int) -> list[JSONDict]:
        """The bot's messages in a Telegram group, as members see them now."""
        return self.tg.sent_messages(chat_id)

    def _telegram_user(self, staff: Staff) -> JSONDict:
        return {"id": staff.telegram, "is_bot": False, "first_name": staff.name.split()[0],
                "last_name": staff.name.split(maxsplit=1)[-1], "language_code": "pl"}

    def _telegram_original(self, message: JSONDict, chat: JSONDict) -> JSONDict:
        """The ``reply_to_message`` Telegram attaches: the bot's message or a person's."""
        if "chat_id" not in message:
            return message  # a person's message, as delivered
        return {"message_id": message["message_id"], "date": message["date"], "chat": chat,
                "from": {"id": self.tg.bot_id, "is_bot": True, "first_name": "Łącznik",
                         "username": self.tg.username},
                "text": message["text"]}

    # --- Slack channels ----------------------------------------------------------------------

    async def slack_channel_says(self, staff: Staff, channel: str, text: str, *,
                                 thread_ts: str | None = None, mention: bool = False) -> str:
        """``staff`` writes in a Slack channel (in a thread, or mentioning the bot: then it
        arrives as ``app_mention``); handled and answered. Returns the message's ``ts``."""
        assert staff.slack is not None
        ts = self._slack_ts()
        event: JSONDict = {"type": "app_mention" if mention else "message", "channel": channel,
                           "channel_type": "channel", "user": staff.slack, "ts": ts,
                           "event_ts": ts, "team": TEAM,
                           "text": f"<@{self.slack_fake.bot_user_id}> {text}" if mention
                           else text}
        if thread_ts:
            event |= {"thread_ts": thread_ts, "parent_user_id": self.slack_fake.bot_user_id}
        await self._slack_event(event)
        return ts

    async def slack_channel_edits(self, staff: Staff, channel: str, ts: str, text: str, *,
                                  before: str, thread_ts: str | None = None) -> None:
        """``staff`` edits their message ``ts`` (``message_changed``)."""
        original = {"type": "message", "user": staff.slack, "text": before, "ts": ts,
                    "team": TEAM, **({"thread_ts": thread_ts} if thread_ts else {})}
        now = self._slack_ts()
        await self._slack_event({
            "type": "message", "subtype": "message_changed", "hidden": True,
            "channel": channel, "channel_type": "channel", "ts": now, "event_ts": now,
            "message": {**original, "text": text, "edited": {"user": staff.slack, "ts": now}},
            "previous_message": original,
        })

    async def slack_channel_deletes(self, staff: Staff, channel: str, ts: str, *, text: str,
                                    thread_ts: str | None = None) -> None:
        """``staff`` deletes their message ``ts`` (``message_deleted``)."""
        original = {"type": "message", "user": staff.slack, "text": text, "ts": ts,
                    "team": TEAM, **({"thread_ts": thread_ts} if thread_ts else {})}
        now = self._slack_ts()
        await self._slack_event({
            "type": "message", "subtype": "message_deleted", "hidden": True,
            "channel": channel, "channel_type": "channel", "ts": now, "event_ts": now,
            "deleted_ts": ts, "previous_message": original,
        })

    def on_slack_channel(self, channel: str, *, thread_ts: str | None = None
                         ) -> list[JSONDict]:
        """The bot's messages in a Slack channel (only those in one thread, if given)."""
        return [m for m in self.slack_fake.messages(channel)
                if thread_ts is None or m.get("thread_ts") == thread_ts]

    async def _slack_event(self, event: JSONDict) -> None:
        envelope = {"token": "t", "team_id": TEAM, "api_app_id": "A111", "event": event,
                    "type": "event_callback", "event_id": f"Ev{time.monotonic_ns()}",
                    "event_time": int(time.time())}
        assert await self._slack_post(json.dumps(envelope), "application/json") == 200
        await self.slack.drain()

    @staticmethod
    def _slack_ts() -> str:
        return f"{time.time():.6f}"

    # --- Teams channels ----------------------------------------------------------------------

    async def teams_channel_says(self, staff: Staff, channel: str, text: str, *,
                                 thread: str | None = None, mention: bool = False) -> str:
        """``staff`` posts in a Teams channel of the association's team — a new post, or a
        reply in the thread rooted at ``thread`` — mentioning the bot or not (only a mention
        is a command; replies in threads reach the bot thanks to the app's RSC permission).
        Signed by the channel, handled and answered; returns the message's activity id."""
        activity_id = str(time.time_ns() // 1000)  # Teams' ids are numbers; ours are longer
        activity = self._teams_activity("message", staff, channel, activity_id,
                                        thread=thread or activity_id)
        if mention:
            tag = f"<at>{TEAMS_BOT_NAME}</at>"
            activity["text"] = f"{tag} {text}"
            activity["entities"] = [{"type": "mention", "text": tag,
                                     "mentioned": {"id": TEAMS_BOT, "name": TEAMS_BOT_NAME}}]
        else:
            activity["text"] = text
        await self.teams_post(activity)
        return activity_id

    async def teams_channel_edits(self, staff: Staff, channel: str, activity_id: str,
                                  text: str, *, thread: str) -> None:
        """``staff`` edits their channel message (``messageUpdate`` / ``editMessage``)."""
        activity = self._teams_activity("messageUpdate", staff, channel, activity_id,
                                        thread=thread, event="editMessage")
        activity["text"] = text
        await self.teams_post(activity)

    async def teams_channel_deletes(self, staff: Staff, channel: str, activity_id: str, *,
                                    thread: str) -> None:
        """``staff`` deletes their channel message (``messageDelete`` / ``softDeleteMessage``)."""
        await self.teams_post(self._teams_activity("messageDelete", staff, channel,
                                                   activity_id, thread=thread,
                                                   event="softDeleteMessage"))

    async def teams_post(self, activity: JSONDict) -> None:
        """POST an activity to the bot as the Bot Connector does (with a channel JWT)."""
        assert self.issuer is not None
        token = self.issuer.mint(TEAMS_APP_ID, self.connector.service_url)
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        async with self.http.post(self.teams_url, data=json.dumps(activity).encode(),
                                  headers=headers) as response:
            assert response.status == 200, await response.text()

    def on_teams_channel(self, channel: str) -> dict[str, list[JSONDict]]:
        """The bot's activities in a Teams channel: each thread (by its root id) with the
        activities in it, oldest first."""
        prefix = f"{channel};messageid="
        return {conversation.removeprefix(prefix): self.connector.activities(conversation)
                for conversation in self.connector.conversation_ids()
                if conversation.startswith(prefix)}

    def _teams_activity(self, kind: str, staff: Staff, channel: str, activity_id: str, *,
                        thread: str, event: str | None = None) -> JSONDict:
        assert staff.teams is not None
        data: JSONDict = {"teamsChannelId": channel, "teamsTeamId": TEAMS_TEAM,
                          "channel": {"id": channel}, "team": {"id": TEAMS_TEAM},
                          "tenant": {"id": TENANT}}
        if event:
            data["eventType"] = event
        return {
            "type": kind, "id": activity_id, "channelId": "msteams",
            "serviceUrl": self.connector.service_url,
            "timestamp": datetime.now(UTC).isoformat(timespec="microseconds"),
            "from": {"id": staff.teams, "name": staff.name,
                     "aadObjectId": f"aad-{staff.teams[3:]}"},
            "recipient": {"id": TEAMS_BOT, "name": TEAMS_BOT_NAME},
            "conversation": {"id": f"{channel};messageid={thread}", "isGroup": True,
                             "conversationType": "channel", "tenantId": TENANT},
            "channelData": data, "textFormat": "plain", "locale": "pl-PL",
        }

    # --- a restart ---------------------------------------------------------------------------

    async def restart(self) -> None:
        """Stop the service and start a new one on the same database: a new app (core,
        services, delivery worker) and new adapters, against the same platforms."""
        await self._stop()
        self.app = build_app(self.app.config, clock=self.app.clock, db=self.app.db,
                             morphology=self.app.morphology)
        self.telegram, self.slack, self.teams = adapters(
            self.app, self.tg, self.slack_fake, authority=self.authority, issuer=self.issuer)
        await self._start()

    async def _start(self) -> None:
        """Serve Slack's and Teams' HTTP endpoints; start the three adapters."""
        routes = web.Application()
        routes.router.add_routes(self.slack.routes())
        routes.router.add_routes(self.teams.routes())
        self.runner = web.AppRunner(routes, access_log=None)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", 0).start()
        base = f"http://127.0.0.1:{self.runner.addresses[0][1]}"
        self.slack_url, self.teams_url = f"{base}/slack/events", f"{base}/api/messages"
        for component in (self.telegram, self.slack, self.teams):
            await component.start()

    async def _stop(self) -> None:
        for component in (self.telegram, self.slack, self.teams):
            await component.stop()
        if self.runner is not None:
            await self.runner.cleanup()
            self.runner = None

    # --- time and the outbox ----------------------------------------------------------------

    @property
    def clock(self) -> ManualClock:
        """The app's injected clock."""
        assert isinstance(self.app.clock, ManualClock)
        return self.app.clock

    async def deliver(self) -> int:
        """One delivery round of the worker (what the scheduler runs every second)."""
        return await self.app.worker.run_once()

    async def outbox(self) -> Counter[str]:
        """How many outbox rows are in each state."""
        async with self.app.db.session() as session:
            rows = await session.execute(select(Delivery.state, func.count())
                                         .group_by(Delivery.state))
            return Counter({str(state): int(count) for state, count in rows})

    async def announce(self, author: Staff, text: str) -> JSONDict:
        """``author`` writes an announcement command in their Slack DM and presses
        "Wyślij" on the preview; returns the author's copy as Slack shows it."""
        await self.slack_says(author, text)
        preview = self.on_slack(author)[-1]
        assert await self.slack_press(author, preview, "Wyślij") == 200
        await self.slack.drain()
        return next(m for m in self.on_slack(author) if m["ts"] == preview["ts"])


def teams_chat(staff: Staff) -> str:
    """The id of the bot's 1:1 chat with a Teams user."""
    assert staff.teams is not None
    return "a:1" + staff.teams.removeprefix("29:")


@pytest.fixture(scope="module")
def entra() -> Iterator[FakeEntraAuthority]:
    """Entra ID for the Teams bot's own tokens (HTTPS, a throw-away CA)."""
    with FakeEntraAuthority() as fake:
        fake.register_app(TEAMS_APP_ID, TEAMS_SECRET, tenant_id=TENANT)
        yield fake


def adapters(app: App, tg: FakeTelegramServer, slack_fake: FakeSlackServer, *,
             authority: str, issuer: ChannelTokenIssuer | None
             ) -> tuple[TelegramComponent, SlackComponent, TeamsComponent]:
    """The three adapters of ``app``, configured for the fakes (not started)."""
    telegram = build_telegram_component(app, {"token": tg.token, "api_base_url": tg.url})
    slack = build_slack_component(app, {"bot_token": slack_fake.bot_token,
                                         "signing_secret": SIGNING_SECRET,
                                         "api_base_url": slack_fake.api_url})
    section = {"app_id": TEAMS_APP_ID, "app_password": TEAMS_SECRET, "tenant_id": TENANT,
               "authority": authority}
    if issuer is not None:
        section["openid_metadata_url"] = issuer.openid_metadata_url
    return telegram, slack, build_teams_component(app, section)


@pytest.fixture(scope="module")
def channel_issuer() -> Iterator[ChannelTokenIssuer]:
    """The Bot Framework channel that signs inbound Teams activities."""
    with ChannelTokenIssuer() as fake:
        yield fake


@pytest.fixture
async def world(app: App, entra: FakeEntraAuthority, channel_issuer: ChannelTokenIssuer,
                monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[World]:
    """Telegram (polling), Slack (HTTP events) and Teams (HTTP activities) running on
    ``app``."""
    for name in PROXY_VARIABLES:  # slack_sdk ignores NO_PROXY: keep loopback calls direct
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", entra.ca_pem_path)  # msal trusts the fake CA
    async with FakeTelegramServer() as tg, FakeSlackServer() as slack_fake, \
            FakeBotConnector(entra) as connector, aiohttp.ClientSession() as http:
        telegram, slack, teams = adapters(app, tg, slack_fake, authority=entra.authority_base,
                                          issuer=channel_issuer)
        world = World(app, tg, telegram, slack_fake, slack, "", connector, teams, http,
                      issuer=channel_issuer, authority=entra.authority_base)
        world.enrol(*EVERYONE)  # the workspace's and the tenant's members
        await world._start()
        try:
            yield world
        finally:
            await world._stop()


# --- helpers on what the platforms show ----------------------------------------------------


def telegram_buttons(message: JSONDict) -> list[str]:
    """The labels of a Telegram message's inline keyboard."""
    markup = message.get("reply_markup") or {}
    return [b["text"] for row in markup.get("inline_keyboard", []) for b in row]


def slack_buttons(message: JSONDict) -> list[str]:
    """The labels of a Slack message's buttons."""
    return [e["text"]["text"] for b in message.get("blocks", []) if b["type"] == "actions"
            for e in b["elements"]]


def card_of(activity: JSONDict) -> JSONDict:
    """The Adaptive Card of a Teams activity."""
    [attachment] = activity["attachments"]
    assert attachment["contentType"] == ADAPTIVE
    return dict(attachment["content"])


def teams_text(activity: JSONDict) -> str:
    """Everything a Teams card shows as text (its TextRuns and TextBlocks)."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") in ("TextRun", "TextBlock") and isinstance(node.get("text"), str):
                found.append(node["text"])
            for key, value in node.items():
                if key != "fallback":
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(card_of(activity).get("body", []))
    return "\n".join(found)


def teams_buttons(activity: JSONDict) -> list[str]:
    """The titles of a Teams card's buttons."""
    return [a["title"] for block in card_of(activity).get("body", [])
            if block.get("type") == "ActionSet" for a in block["actions"]]


def alerts(activity: JSONDict) -> bool:
    """Whether a Teams activity asks for a feed/banner alert."""
    return bool(((activity.get("channelData") or {}).get("notification") or {}).get("alert"))


def slack_everything(message: JSONDict) -> str:
    """A Slack message's text and blocks as one string (where a mention could hide)."""
    return json.dumps({"text": message.get("text"), "blocks": message.get("blocks")},
                      ensure_ascii=False)


def mail(*people: Staff) -> str:
    """E-mail addresses as Slack delivers them in a message (auto-linked)."""
    return ", ".join(f"<mailto:{p.email}|{p.email}>" for p in people)




# --- groups and channels (e.g. a forum's groups) -------------------------------------------


async def telegram_in_group(world: World, staff: Staff, chat_id: int, text: str, *,
                            title: str = "Grupa") -> None:
    """``staff`` writes ``text`` in the Telegram supergroup ``chat_id``; handled, answered."""
    assert staff.telegram is not None
    user = {"id": staff.telegram, "is_bot": False, "first_name": staff.name.split()[0],
            "language_code": "pl"}
    entities = ([{"offset": 0, "length": len(text.split()[0]), "type": "bot_command"}]
                if text.startswith("/") else [])
    await world._telegram_update({"message": {
        "message_id": int(time.monotonic_ns() % 1_000_000_000), "date": int(time.time()),
        "chat": {"id": chat_id, "type": "supergroup", "title": title},
        "from": user, "text": text, "entities": entities,
    }})


async def telegram_press_in_group(world: World, staff: Staff, message: JSONDict, label: str,
                                  *, language: str = "pl") -> None:
    """``staff`` presses ``label`` under a message the bot posted in a group."""
    assert staff.telegram is not None
    [data] = [b["callback_data"] for row in message["reply_markup"]["inline_keyboard"]
              for b in row if b["text"] == label]
    await world._telegram_update({"callback_query": {
        "id": f"q{time.monotonic_ns()}", "chat_instance": "2", "data": data,
        "from": {"id": staff.telegram, "is_bot": False, "first_name": "X",
                 "language_code": language},
        "message": {"message_id": message["message_id"], "date": message["date"],
                    "chat": {"id": message["chat_id"], "type": "supergroup", "title": "Grupa"},
                    "from": {"id": world.tg.bot_id, "is_bot": True, "first_name": "Ł"},
                    "text": message["text"]},
    }})


async def slack_command_in(world: World, staff: Staff, channel: str, text: str) -> None:
    """``staff`` types ``/kto <text>`` in a Slack channel; handled and answered."""
    from urllib.parse import urlencode

    assert staff.slack is not None
    body = urlencode({
        "token": "t", "team_id": TEAM, "team_domain": "gminy", "channel_id": channel,
        "channel_name": "kanal", "user_id": staff.slack, "user_name": staff.name,
        "command": "/kto", "text": text, "api_app_id": "A111",
        "response_url": world.slack_fake.response_url(channel=channel, user=staff.slack),
        "trigger_id": f"{time.monotonic_ns()}.1.x",
    })
    assert await world._slack_post(body, "application/x-www-form-urlencoded") == 200
    await world.slack.drain()


async def slack_press_in(world: World, staff: Staff, channel: str, message: JSONDict,
                         label: str) -> None:
    """``staff`` presses ``label`` on a bot message in a Slack channel; handled, answered."""
    assert staff.slack is not None
    button = next(e for b in message["blocks"] if b["type"] == "actions"
                  for e in b["elements"] if e["text"]["text"] == label)
    payload = {
        "type": "block_actions", "user": {"id": staff.slack, "team_id": TEAM},
        "api_app_id": "A111", "team": {"id": TEAM}, "trigger_id": f"{time.monotonic_ns()}.1.x",
        "container": {"type": "message", "message_ts": message["ts"], "channel_id": channel,
                      "is_ephemeral": False},
        "channel": {"id": channel}, "message": message, "state": {"values": {}},
        "response_url": world.slack_fake.response_url(channel=channel, user=staff.slack,
                                                      message_ts=message["ts"]),
        "actions": [{**button, "block_id": "b", "action_ts": f"{time.time():.6f}"}],
    }
    assert await world._slack_post("payload=" + quote(json.dumps(payload)),
                                   "application/x-www-form-urlencoded") == 200
    await world.slack.drain()
