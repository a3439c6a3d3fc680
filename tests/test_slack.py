"""Łącznik on Slack as users meet it: the real slack_sdk / slack-bolt against the fake Slack,
signed requests on the service's HTTP route, and the real database with the sample directory.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import aiohttp
import pytest
from aiohttp import web
from sqlalchemy import func, select

from adapters.slack import SlackComponent, build_slack_component
from adapters.slack.translate import personal_ref
from bots.app import App
from commands.directory.importer import parse_rows
from commands.model import ConversationKind, ConversationRef, OutboundMessage, Platform
from commands.ports import Unreachable
from store.models import Conversation, MessengerAccount, ProcessedEvent
from store.people import (
    find_account,
    issue_link_code,
    link_account,
    person_by_email,
    remember_conversation,
    set_conversation_registered,
)
from tests.fakes.slack_api import FakeSlackServer, load_payload, sign

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
ASKER = "U0WIOLA"  # Wioletta Fraś, Wieliczka: in the sample directory
ASKER_EMAIL = "w.fras@wieliczka.example.pl"
STRANGER = "U0OBCY"  # a Slack account whose e-mail is not in the directory
TEAM = "T111"
CHANNEL = "C0FORUM"
PROXY_VARIABLES = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY",
                   "all_proxy")


@dataclass
class SlackWorld:
    """The app, the fake Slack and the adapter behind the service's HTTP route."""

    app: App
    fake: FakeSlackServer
    component: SlackComponent
    url: str
    http: aiohttp.ClientSession
    triggers: list[int] = field(default_factory=lambda: [0])

    async def post(self, body: str, *, content_type: str, timestamp: int | None = None,
                   secret: str = SECRET, headers: dict[str, str] | None = None,
                   signed: bool = True) -> tuple[int, str]:
        """A request as Slack sends it; returns the HTTP status and body Slack would get."""
        all_headers = {"Content-Type": content_type, **(headers or {})}
        if signed:
            all_headers |= sign(secret, body, timestamp)
        async with self.http.post(self.url, data=body.encode(), headers=all_headers) as resp:
            return resp.status, await resp.text()

    async def command(self, text: str, *, user: str = ASKER, team: str = TEAM,
                      command: str = "/kto", channel: str = "C111") -> tuple[int, str]:
        self.triggers[0] += 1
        body = urlencode({
            "token": "verification_token", "team_id": team, "team_domain": "gminy",
            "channel_id": channel, "channel_name": "random", "user_id": user,
            "user_name": "someone", "command": command, "text": text,
            "response_url": self.fake.response_url(channel=channel, user=user),
            "trigger_id": f"{self.triggers[0]}.111.abc", "api_app_id": "A111",
        })
        return await self.post(body, content_type="application/x-www-form-urlencoded")

    async def event(self, event: dict[str, Any], *, event_id: str, team: str = TEAM,
                    retry: int | None = None) -> tuple[int, str]:
        envelope = {
            "token": "verification_token", "team_id": team, "api_app_id": "A111",
            "event": event, "type": "event_callback", "event_id": event_id,
            "event_time": int(time.time()),
            "authorizations": [{"enterprise_id": None, "team_id": team, "user_id": "U0BOT",
                                "is_bot": True, "is_enterprise_install": False}],
        }
        headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"} \
            if retry else None
        return await self.post(json.dumps(envelope), content_type="application/json",
                               headers=headers)

    async def dm(self, text: str, *, user: str = ASKER, event_id: str = "Ev0DM1") -> None:
        ts = f"{time.time():.6f}"
        await self.event({"type": "message", "channel": self.fake.dm_channel(user),
                          "channel_type": "im", "user": user, "text": text, "ts": ts,
                          "event_ts": ts, "team": TEAM}, event_id=event_id)
        await self.component.drain()

    async def press(self, message: dict[str, Any], label: str, *, user: str = ASKER,
                    channel: str) -> tuple[int, str]:
        """Press the button called ``label`` on a message the fake Slack holds."""
        button = next(e for b in message["blocks"] if b["type"] == "actions"
                      for e in b["elements"] if e["text"]["text"] == label)
        self.triggers[0] += 1
        payload = {
            "type": "block_actions", "user": {"id": user, "team_id": TEAM},
            "api_app_id": "A111", "team": {"id": TEAM},
            "container": {"type": "message", "message_ts": message["ts"],
                          "channel_id": channel, "is_ephemeral": False},
            "trigger_id": f"{self.triggers[0]}.222.xyz", "channel": {"id": channel},
            "message": message, "state": {"values": {}},
            "response_url": self.fake.response_url(channel=channel, user=user,
                                                   message_ts=message["ts"]),
            "actions": [{**button, "block_id": "b", "action_ts": f"{time.time():.6f}"}],
        }
        body = "payload=" + quote(json.dumps(payload))
        return await self.post(body, content_type="application/x-www-form-urlencoded")


def _no_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    # slack_sdk reads HTTPS_PROXY and ignores NO_PROXY: keep loopback calls direct.
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)


def _add_people(fake: FakeSlackServer) -> None:
    fake.add_user(ASKER, email=ASKER_EMAIL.upper(), real_name="Wioletta Fraś")
    fake.add_user(STRANGER, email="obcy@example.com", real_name="Ktoś Obcy")


@pytest.fixture
async def slack(app: App, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[SlackWorld]:
    """The Slack adapter mounted on an aiohttp server like the service mounts it."""
    _no_proxies(monkeypatch)
    async with FakeSlackServer() as fake:
        _add_people(fake)
        component = build_slack_component(app, {
            "bot_token": fake.bot_token, "signing_secret": SECRET, "api_base_url": fake.api_url,
        })
        application = web.Application(client_max_size=2 * 1024 * 1024)
        application.router.add_routes(component.routes())
        runner = web.AppRunner(application, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        await component.start()
        try:
            async with aiohttp.ClientSession() as http:
                yield SlackWorld(app, fake, component, f"http://127.0.0.1:{port}/slack/events",
                                 http)
        finally:
            await component.stop()
            await runner.cleanup()


async def _register(app: App, channel: str) -> None:
    ref = ConversationRef(Platform.SLACK, channel, ConversationKind.CHANNEL, tenant_id=TEAM)
    async with app.db.session() as session:
        await remember_conversation(session, platform="slack", key=ref.key, kind="channel",
                                    ref=ref.to_json())
        await set_conversation_registered(session, platform="slack", key=ref.key,
                                          registered=True)
        await session.commit()


async def _count(app: App, model: type) -> int:
    async with app.db.session() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


def _all_text(body: Any) -> str:
    """Every piece of text of a message, blocks included."""
    return json.dumps(body, ensure_ascii=False)


# --- asking ---------------------------------------------------------------------------------


async def test_slash_command_is_acked_at_once_and_answered_privately(slack: SlackWorld) -> None:
    status, ack = await slack.command("odpady Wieliczka")
    assert (status, ack) == (200, "")  # the ack carries nothing: the answer follows
    await slack.component.drain()
    [answer] = slack.fake.response_posts
    body = answer.body
    assert answer.status == 200 and body["response_type"] == "ephemeral"
    assert "Jolanta Kołodziej" in body["text"]  # mobile push shows only `text`
    card = next(b for b in body["blocks"] if "Jolanta" in b.get("text", {}).get("text", ""))
    fields = " ".join(f["text"] for f in card["fields"])
    assert "<mailto:j.kolodziej@wieliczka.example.pl|j.kolodziej@wieliczka.example.pl>" in fields
    assert slack.fake.messages() == []  # nothing posted where others would see it
    # Wioletta was linked by her verified e-mail (Slack reported it in capitals).
    async with slack.app.db.session() as session:
        account = await find_account(session, "slack", TEAM, ASKER)
        person = await person_by_email(session, ASKER_EMAIL)
    assert account is not None and person is not None and account.person_id == person.id


async def test_english_command_and_core_commands_without_a_slash_command_of_their_own(
    slack: SlackWorld,
) -> None:
    await slack.command("pomoc")
    await slack.component.drain()
    help_answer = slack.fake.response_posts[-1]
    assert "/moje-dane" in help_answer.body["text"]
    assert "W Slacku poprzedź polecenie nazwą /kto (np. /kto moje-dane)" in help_answer.body[
        "text"]
    await slack.dm("moje-dane")
    [entry] = slack.fake.messages(slack.fake.dm_channel(ASKER))
    assert "Twoje dane w katalogu" in entry["text"] and "Wioletta Fraś" in entry["text"]
    await slack.command("waste Wieliczka", command="/who")
    await slack.component.drain()
    english = slack.fake.response_posts[-1].body["text"]
    assert "Jolanta Kołodziej" in english and "Position" in english


async def test_mention_is_answered_in_its_thread(slack: SlackWorld) -> None:
    await _register(slack.app, CHANNEL)
    sample = load_payload("event_callback_app_mention_rich_text.json")
    assert isinstance(sample, dict)
    event = {**sample["event"], "user": ASKER, "team": TEAM, "channel": CHANNEL,
             "ts": "1700000100.000200",
             "thread_ts": "1700000000.000100",
             "text": f"<@{slack.fake.bot_user_id}> kto od śmieci w Wieliczce?"}
    status, _ = await slack.event(event, event_id="Ev0MENTION")
    await slack.component.drain()
    assert status == 200
    [reply] = slack.fake.messages(CHANNEL)
    assert reply["thread_ts"] == "1700000000.000100"
    assert "Jolanta Kołodziej" in reply["text"]
    # Linked by e-mail on the way; reminders can reach her in a DM later.
    async with slack.app.db.session() as session:
        account = await find_account(session, "slack", TEAM, ASKER)
    assert account is not None and account.private_ref is not None
    assert ConversationRef.from_json(account.private_ref).conversation_id == ASKER
    # Outside a thread, the answer starts one under the question.
    event = {"type": "app_mention", "user": ASKER, "channel": CHANNEL, "team": TEAM,
             "ts": "1700000200.000300", "text": f"<@{slack.fake.bot_user_id}> odpady Wieliczka"}
    await slack.event(event, event_id="Ev0MENTION2")
    await slack.component.drain()
    assert slack.fake.messages(CHANNEL)[-1]["thread_ts"] == "1700000200.000300"


async def test_dm_question_is_answered_in_the_dm(slack: SlackWorld) -> None:
    dm = slack.fake.dm_channel(ASKER)
    await slack.dm("kto od śmieci w Wieliczce?")
    [reply] = slack.fake.messages(dm)
    assert "Jolanta Kołodziej" in reply["text"] and "thread_ts" not in reply
    assert "<tel:+48120006182|+48 12 000 61 82>" in _all_text(reply["blocks"])
    await slack.event({"type": "message", "channel": dm, "channel_type": "im", "user": ASKER,
                       "text": "a oświata?", "ts": "1700000900.000200", "team": TEAM,
                       "thread_ts": reply["ts"]}, event_id="Ev0DMTHREAD")
    await slack.component.drain()
    assert slack.fake.messages(dm)[-1]["thread_ts"] == reply["ts"]  # asked in a thread
    async with slack.app.db.session() as session:
        account = await find_account(session, "slack", TEAM, ASKER)
    assert account is not None and account.private_ref is not None
    stored = ConversationRef.from_json(account.private_ref)
    assert (stored.conversation_id, stored.thread_id) == (dm, None)  # later sends: top level


async def test_button_press_pages_by_replacing_the_message(slack: SlackWorld) -> None:
    dm = slack.fake.dm_channel(ASKER)
    await slack.dm("kontakty Wieliczka")
    [first] = slack.fake.messages(dm)
    assert "Strona 1 z 3" in first["text"]
    status, ack = await slack.press(first, "Dalej ›", channel=dm)
    await slack.component.drain()
    assert (status, ack) == (200, "")
    [paged] = slack.fake.messages(dm)  # the same message, replaced: no new one
    assert paged["ts"] == first["ts"] and "edited" in paged
    assert "Strona 2 z 3" in paged["text"] and paged["text"] != first["text"]
    assert slack.fake.response_posts[-1].body["replace_original"] is True
    # A button the core no longer knows (from an older version) gets a private notice.
    actions = next(b for b in paged["blocks"] if b["type"] == "actions")
    actions["elements"][0]["value"] = "stara.akcja|1"
    await slack.press(paged, actions["elements"][0]["text"]["text"], channel=dm)
    await slack.component.drain()
    notice = slack.fake.response_posts[-1].body
    assert "nieaktualny" in notice["text"] and notice["response_type"] == "ephemeral"
    assert notice["replace_original"] is False
    assert slack.fake.messages(dm)[0]["text"] == paged["text"]


async def test_paging_an_ephemeral_answer_replaces_it(slack: SlackWorld) -> None:
    await slack.command("Wieliczka")
    await slack.component.drain()
    [answer] = slack.fake.response_posts
    assert "Strona 1 z 3" in answer.body["text"]
    button = next(e for b in answer.body["blocks"] if b["type"] == "actions"
                  for e in b["elements"] if e["text"]["text"] == "Dalej ›")
    payload = {
        "type": "block_actions", "user": {"id": ASKER, "team_id": TEAM}, "team": {"id": TEAM},
        "container": {"type": "message", "message_ts": "1700000500.000100",
                      "channel_id": "C111", "is_ephemeral": True},
        "trigger_id": "77.77.ephemeral", "channel": {"id": "C111"},
        "response_url": slack.fake.response_url(channel="C111", user=ASKER),
        "actions": [{**button, "block_id": "b", "action_ts": "1700000501.000100"}],
    }
    status, _ = await slack.post("payload=" + quote(json.dumps(payload)),
                                 content_type="application/x-www-form-urlencoded")
    await slack.component.drain()
    assert status == 200
    paged = slack.fake.response_posts[-1].body
    assert paged["replace_original"] is True and paged["response_type"] == "ephemeral"
    assert "Strona 2 z 3" in paged["text"]
    assert slack.fake.messages() == []  # still only the asker sees it


async def test_unregistered_channel_is_told_until_an_admin_registers_it(
    slack: SlackWorld,
) -> None:
    mention = {"type": "app_mention", "user": ASKER, "channel": "C0NEW", "team": TEAM,
               "ts": "1700000600.000100", "text": "<@U0BOT> odpady Wieliczka"}
    await slack.event(mention, event_id="Ev0NEW1")
    await slack.component.drain()
    [told] = slack.fake.messages("C0NEW")  # why it cannot help here, and no directory data
    assert "nie jest zarejestrowana" in told["text"] and "+48" not in told["text"]
    async with slack.app.db.session() as session:  # stored for an admin to register
        stored = (await session.execute(select(Conversation).where(
            Conversation.conversation_key == f"slack:{TEAM}:C0NEW"))).scalars().one()  # type: ignore[arg-type]
        assert stored.registered is False
        await set_conversation_registered(session, platform="slack",
                                          key=stored.conversation_key, registered=True)
        await session.commit()
    await slack.event({**mention, "ts": "1700000700.000100"}, event_id="Ev0NEW2")
    await slack.component.drain()
    assert "Jolanta Kołodziej" in slack.fake.messages("C0NEW")[-1]["text"]


async def test_unlinked_user_gets_the_explanation_then_links_with_a_code(
    slack: SlackWorld,
) -> None:
    await slack.command("odpady Wieliczka", user=STRANGER)
    await slack.component.drain()
    [answer] = slack.fake.response_posts
    text = answer.body["text"]
    assert "Nie znam jeszcze tego konta" in text
    assert "/kto start KOD" in text  # how to send a link code in Slack
    assert "@wieliczka" not in text and "+48" not in text
    # With a code from an administrator, sent as DM text, the account is linked.
    async with slack.app.db.session() as session:
        person = await person_by_email(session, "j.kolodziej@wieliczka.example.pl")
        assert person is not None
        code = await issue_link_code(session, int(person.id or 0), valid_for=timedelta(hours=1),
                                     now=slack.app.clock.now())
        await session.commit()
    await slack.dm(f"start {code}", user=STRANGER)
    [reply] = slack.fake.messages(slack.fake.dm_channel(STRANGER))
    assert "połączone" in reply["text"] and "Jolanta Kołodziej" in reply["text"]


async def test_forum_question_is_posted_in_slack_and_a_thread_reply_is_relayed_back(
    slack: SlackWorld,
) -> None:
    fake = slack.fake
    moderator, asker, expert = "U0URBAN", "U0RNOWAK", "U0SIKORA"
    fake.add_user(moderator, email="b.urbanski@krakow.example.pl", real_name="Bartosz Urbański")
    fake.add_user(asker, email="r.nowak@wieliczka.example.pl", real_name="Renata Nowak")
    fake.add_user(expert, email="p.sikora@skawina.example.pl", real_name="P. Sikora")
    # The PZP moderator links the channel to the forum with the slash command, in the channel.
    await slack.command("forum podlacz PZP", user=moderator, channel="C0PZP")
    await slack.component.drain()
    assert "należy teraz do forum PZP" in fake.response_posts[-1].body["text"]
    # A member asks from her DM, without a slash; the outbox posts it into the channel.
    await slack.dm("pytanie PZP Czy ktoś ma wzór umowy na odbiór odpadów?", user=asker,
                   event_id="Ev0ASK")
    await slack.app.worker.run_once()
    [post] = fake.messages("C0PZP")
    assert "Czy ktoś ma wzór umowy" in post["text"]
    # An expert answers in the post's thread (no mention): the answer reaches the asker's DM.
    await slack.event({"type": "message", "channel": "C0PZP", "channel_type": "channel",
                       "user": expert, "text": "Mamy wzór, podeślę.", "ts": "1700001000.000100",
                       "thread_ts": post["ts"], "team": TEAM}, event_id="Ev0ANSWER")
    await slack.component.drain()
    await slack.app.worker.run_once()
    answer = fake.messages(fake.dm_channel(asker))[-1]
    assert "Mamy wzór, podeślę." in answer["text"] and "Odpowiedź na Twoje pytanie" in answer[
        "text"]


# --- who may ask, and what is not processed -------------------------------------------------


async def test_forged_or_stale_requests_get_401_and_nothing_happens(slack: SlackWorld) -> None:
    body = urlencode({"team_id": TEAM, "user_id": ASKER, "command": "/kto", "text": "odpady",
                      "channel_id": "C111", "trigger_id": "9.9.9",
                      "response_url": slack.fake.response_url()})
    form = "application/x-www-form-urlencoded"
    vector = str(load_payload("slash_command_docs_example.txt"))  # Slack's own, from 2018
    attempts: dict[str, tuple[str, dict[str, Any]]] = {
        "wrong secret": (body, {"secret": "not-the-signing-secret"}),
        "stale": (body, {"timestamp": int(time.time()) - 6 * 60}),
        "from the future": (body, {"timestamp": int(time.time()) + 6 * 60}),
        "unsigned": (body, {"signed": False}),
        "tampered": (body.replace("odpady", "kanalizacja"),
                     {"signed": False, "headers": sign(SECRET, body)}),
        "replayed": (vector, {"signed": False, "headers": {
            "X-Slack-Request-Timestamp": "1531420618", "X-Slack-Signature":
            "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"}}),
        "garbage timestamp": (body, {"signed": False, "headers": {
            "X-Slack-Request-Timestamp": "teraz", "X-Slack-Signature": "v0=00"}}),
    }
    for forgery, (content, options) in attempts.items():
        status, _ = await slack.post(content, content_type=form, **options)
        assert status == 401, forgery
    await slack.component.drain()
    assert slack.fake.response_posts == [] and slack.fake.calls_to("users.info") == []
    assert await _count(slack.app, ProcessedEvent) == 0


async def test_retries_are_processed_once_and_bots_not_at_all(slack: SlackWorld) -> None:
    dm = slack.fake.dm_channel(ASKER)
    event = {"type": "message", "channel": dm, "channel_type": "im", "user": ASKER,
             "text": "kto od śmieci w Wieliczce?", "ts": "1700000300.000100", "team": TEAM}
    first = await slack.event(event, event_id="Ev0RETRY")
    again = await slack.event(event, event_id="Ev0RETRY", retry=1)
    await slack.component.drain()
    assert first[0] == again[0] == 200
    assert len(slack.fake.messages(dm)) == 1
    own = {"type": "message", "channel": dm, "channel_type": "im", "ts": "1700000400.000100",
           "user": slack.fake.bot_user_id, "bot_id": slack.fake.bot_id, "text": "Cześć"}
    await slack.event(own, event_id="Ev0OWN")
    other = load_payload("event_callback_message_from_bot.json")
    edit = load_payload("event_callback_message_changed.json")
    assert isinstance(other, dict) and isinstance(edit, dict)
    for body in (other, edit):
        status, _ = await slack.post(json.dumps({**body, "team_id": TEAM}),
                                     content_type="application/json")
        assert status == 200
    await slack.component.drain()
    assert len(slack.fake.messages(dm)) == 1 and slack.fake.messages("C111") == []
    assert await _count(slack.app, ProcessedEvent) == 1  # only the person's question


async def test_foreign_workspace_is_refused(slack: SlackWorld) -> None:
    status, ack = await slack.command("odpady Wieliczka", team="T0OTHER")
    await slack.component.drain()
    assert status == 200 and "nie jest podłączony do Łącznika" in json.loads(ack)["text"]
    assert slack.fake.response_posts == [] and slack.fake.calls_to("users.info") == []
    mention = {"type": "app_mention", "user": ASKER, "channel": CHANNEL, "ts": "1.2",
               "text": "<@U0BOT> odpady Wieliczka", "user_team": "T0OTHER"}
    status, _ = await slack.event(mention, event_id="Ev0FOREIGN")
    await slack.component.drain()
    assert status == 200 and slack.fake.messages() == []
    assert await _count(slack.app, ProcessedEvent) == 0


async def test_url_verification_and_unparseable_payloads(slack: SlackWorld) -> None:
    sample = load_payload("url_verification.json")
    assert isinstance(sample, dict)
    status, answer = await slack.post(json.dumps(sample), content_type="application/json")
    assert status == 200 and json.loads(answer)["challenge"] == sample["challenge"]
    # What the bot cannot use is logged and answered 200, so Slack does not retry it.
    for body, content_type in (("{not json", "application/json"),
                               ("payload=%7Bbroken", "application/x-www-form-urlencoded"),
                               (json.dumps({"type": "something_new"}), "application/json")):
        status, _ = await slack.post(body, content_type=content_type)
        assert status == 200
    await slack.component.drain()
    assert slack.fake.messages() == [] and slack.fake.response_posts == []


# --- what it writes -------------------------------------------------------------------------


async def test_directory_text_cannot_smuggle_mentions(slack: SlackWorld, tmp_path: Path) -> None:
    csv_file = tmp_path / "extra.csv"
    csv_file.write_text(
        "gmina,teryt,topic,name,position,email,phone,notes\n"
        "Wieliczka,1219053,pszczelarstwo,Ewa <@U0ADMIN> Pszczoła,inspektor <!here>,"
        "e.pszczola@wieliczka.example.pl,+48 12 000 11 22,\"dzwoń <!channel> & <https://x.pl|tu>\"\n",
        encoding="utf-8")
    async with slack.app.db.session() as session:
        await slack.app.importer.apply(session, parse_rows(csv_file), source="sample")
    slack.app.directory.invalidate()
    await slack.dm("kto od pszczelarstwa w Wieliczce? <!everyone>")
    [reply] = slack.fake.messages(slack.fake.dm_channel(ASKER))
    everything = _all_text({"text": reply["text"], "blocks": reply["blocks"]})
    for smuggled in ("<!channel>", "<!here>", "<@U0ADMIN>", "<https://x.pl|tu>", "<!everyone>"):
        assert smuggled not in everything
    assert "&lt;!channel&gt; &amp; &lt;https://x.pl|tu&gt;" in everything
    assert "*Ewa &lt;@U0ADMIN&gt; Pszczoła*" in everything  # bold name, escaped
    assert "<tel:+48120001122|+48 12 000 11 22>" in everything


async def test_proactive_dm_then_edit_and_delete(slack: SlackWorld) -> None:
    async with slack.app.db.session() as session:
        person = await person_by_email(session, ASKER_EMAIL)
        assert person is not None
        await link_account(session, platform="slack", tenant_id=TEAM, external_id=ASKER,
                           person_id=int(person.id or 0))
        await session.commit()
    messenger = slack.component.messenger
    assert slack.app.messengers["slack"] is messenger  # reminders and announcements use it
    sent = await messenger.send(messenger.person_ref(ASKER, TEAM),
                                OutboundMessage(title="Przypomnienie", text="Forum jutro 10:00"))
    dm = slack.fake.dm_channel(ASKER)
    assert sent.conversation.conversation_id == dm
    assert len(slack.fake.calls_to("conversations.open")) == 1
    await messenger.edit(sent, OutboundMessage(title="Przypomnienie", text="Forum jutro 12:00"))
    [message] = slack.fake.messages(dm)
    assert "12:00" in message["text"] and "edited" in message
    async with slack.app.db.session() as session:
        account = await find_account(session, "slack", TEAM, ASKER)
    assert account is not None and account.private_ref is not None
    assert ConversationRef.from_json(account.private_ref).conversation_id == dm
    await messenger.delete(sent)  # e.g. a relayed answer its author deleted
    assert slack.fake.messages(dm) == []


async def test_unreachable_channel_and_person_are_recorded(slack: SlackWorld) -> None:
    await _register(slack.app, "C0GONE")
    slack.fake.set_channel_state("C0GONE", "is_archived")
    ref = ConversationRef(Platform.SLACK, "C0GONE", ConversationKind.CHANNEL, tenant_id=TEAM)
    with pytest.raises(Unreachable) as raised:
        await slack.component.messenger.send(ref, OutboundMessage(text="Ogłoszenie"))
    assert raised.value.reason == "is_archived"
    slack.fake.add_user("U0GONE", email="gone@example.com", real_name="Gone", deleted=True)
    async with slack.app.db.session() as session:
        await link_account(session, platform="slack", tenant_id=TEAM, external_id="U0GONE",
                           person_id=1)
        await session.commit()
    with pytest.raises(Unreachable):
        await slack.component.messenger.send(personal_ref("U0GONE", TEAM),
                                             OutboundMessage(text="Pilne"))
    async with slack.app.db.session() as session:
        stored = (await session.execute(select(Conversation).where(
            Conversation.conversation_key == ref.key))).scalars().one()  # type: ignore[arg-type]
        account = (await session.execute(select(MessengerAccount).where(
            MessengerAccount.external_id == "U0GONE"))).scalars().one()  # type: ignore[arg-type]
    assert stored.active is False
    assert account.reachable is False and account.unreachable_reason == "account_inactive"


async def test_429_in_a_burst_loses_nothing_and_stalls_no_other_channel(
    slack: SlackWorld,
) -> None:
    slack.fake.fail_next("chat.postMessage", channel="C0BUSY", retry_after=1)
    messenger = slack.component.messenger
    delivered: dict[str, float] = {}

    async def burst(channel: str) -> None:
        ref = ConversationRef(Platform.SLACK, channel, ConversationKind.CHANNEL, tenant_id=TEAM)
        for number in (1, 2):  # the first to C0BUSY meets a 429 with Retry-After: 1
            await messenger.send(ref, OutboundMessage(text=f"{channel} nr {number}"))
        delivered[channel] = time.monotonic()

    start = time.monotonic()
    await asyncio.gather(burst("C0BUSY"), burst("C0CALM"))
    for channel in ("C0BUSY", "C0CALM"):
        assert [m["text"] for m in slack.fake.messages(channel)] == [
            f"{channel} nr {n}" for n in (1, 2)]
    assert slack.fake.ratelimited_count == 1
    assert delivered["C0CALM"] - start < 0.9 <= delivered["C0BUSY"] - start  # Retry-After: 1


# --- Socket Mode ----------------------------------------------------------------------------


async def test_socket_mode_gives_the_same_answer_as_http(
    slack: SlackWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    await slack.command("odpady Wieliczka")
    await slack.component.drain()
    [over_http] = slack.fake.response_posts
    fake = slack.fake
    component = build_slack_component(slack.app, {
        "mode": "socket", "bot_token": fake.bot_token, "app_token": fake.app_token,
        "api_base_url": fake.api_url,
    })
    assert component.routes() == []
    await component.start()
    try:
        await fake.wait_for_socket()
        envelope = load_payload("socket_mode_envelope_slash_command.json")
        assert isinstance(envelope, dict)
        payload = {**envelope["payload"], "command": "/kto", "text": "odpady Wieliczka",
                   "user_id": ASKER, "team_id": TEAM, "trigger_id": "socket.1",
                   "response_url": fake.response_url(user=ASKER)}
        envelope_id = await fake.push_envelope({"type": "slash_commands", "payload": payload,
                                                "accepts_response_payload": True})
        ack = await fake.wait_for_ack(envelope_id)
        await fake.wait_for_responses(2)
        await component.drain()
        # Slack asks clients to reconnect now and then; nothing is lost meanwhile.
        await fake.send_disconnect()
        again = await fake.push_envelope({"type": "slash_commands", "payload": {
            **payload, "trigger_id": "socket.2"}, "accepts_response_payload": True})
        await fake.wait_for_ack(again)
        await fake.wait_for_responses(3)
        await component.drain()
    finally:
        await component.stop()
    assert "payload" not in ack or not ack["payload"]  # acked at once, answered later
    over_socket = fake.response_posts[1]
    assert over_socket.body == over_http.body
