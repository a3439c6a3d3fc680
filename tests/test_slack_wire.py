"""Slack's side of the wire without a database: payload samples in, Block Kit out (accepted by
the fake Slack's limit checks), the manifest, the configuration."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import date
from typing import Any
from urllib.parse import parse_qsl

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.blocks import (
    BLOCK_TEXT_BUDGET,
    MAX_BLOCKS,
    SECTION_TEXT_LIMIT,
    SlackMessage,
    render,
    render_one,
)
from adapters.slack.config import parse_config
from adapters.slack.manifest import BOT_SCOPES, build_manifest
from adapters.slack.proxy import proxy_for
from adapters.slack.sender import SlackSender
from adapters.slack.translate import (
    command_text,
    from_block_actions,
    from_command,
    from_event,
    plain_text,
    spoken_text,
)
from bots.config import ConfigError
from commands.model import (
    ActionInvoked,
    Attachment,
    Button,
    ButtonStyle,
    ContactCard,
    ConversationKind,
    MessageDeleted,
    MessageEdited,
    MessageReceived,
    OutboundMessage,
)
from commands.render import render_plain
from tests.fakes.slack_api import FakeSlackServer, load_payload

CORE_COMMANDS = {"start", "pomoc", "help", "kto", "who", "moje-dane", "me", "edytuj", "edit",
                 "forum", "pytanie"}


def _sample(name: str) -> dict[str, Any]:
    payload = load_payload(name)
    assert isinstance(payload, dict)
    return payload


def _card(number: int, **changes: Any) -> ContactCard:
    values: dict[str, Any] = {
        "name": f"Osoba {number}", "gmina": "Wieliczka", "position": "inspektor",
        "topics": ("gospodarka odpadami",), "email": f"o{number}@wieliczka.example.pl",
        "phone": "+48 12 000 12 34", "preferred_contact": "telefon", "notes": "PSZOK",
        "confirmed_on": date(2026, 10, 1),
    }
    return ContactCard(**(values | changes))


# --- payload samples → neutral events -------------------------------------------------------


def test_mention_sample_becomes_a_question_in_its_thread() -> None:
    inbound = from_event(_sample("event_callback_app_mention_rich_text.json"),
                         bot_user_id="U111")
    assert inbound is not None
    event = inbound.event
    assert isinstance(event, MessageReceived) and event.addressed
    assert event.text == "hey" and event.event_id == "Ev04SPP46R6J"
    assert event.conversation.kind == ConversationKind.CHANNEL
    assert event.conversation.thread_id == "1678252212.229129"  # the mention starts a thread
    assert inbound.route.thread_ts == "1678252212.229129"
    assert inbound.team_ids == {"T0G9PQBBK"}


def test_dm_thread_sample_is_personal_and_keeps_its_thread() -> None:
    inbound = from_event(_sample("event_callback_message_in_thread_im.json"), bot_user_id="W111")
    assert inbound is not None
    ref = inbound.event.conversation
    assert ref.kind == ConversationKind.PERSONAL and ref.conversation_id == "D111"
    assert ref.thread_id is None and ref.extra["user_id"] == "W222"  # stored for later sends
    assert inbound.route.thread_ts == "1726133698.626339"  # the answer goes into the thread


@pytest.mark.parametrize("sample", [
    "event_callback_message_rich_text.json",  # top-level channel chatter without a mention
    "event_callback_message_changed.json",  # an edit that does not say which message (no ts)
    "event_callback_message_from_bot.json",  # another app
    "url_verification.json",
])
def test_what_the_bot_does_not_act_on(sample: str) -> None:
    assert from_event(_sample(sample), bot_user_id="W111") is None


@pytest.mark.parametrize("sample", ["event_callback_message_in_thread_channel.json",
                                    "event_callback_message_thread_broadcast.json"])
def test_thread_replies_in_channels_go_to_the_core_unaddressed(sample: str) -> None:
    """The core takes them as answers when the thread is a forum question it relayed."""
    body = _sample(sample)
    inbound = from_event(body, bot_user_id="W111")
    assert inbound is not None and isinstance(inbound.event, MessageReceived)
    event = inbound.event
    assert not event.addressed and event.conversation.kind == ConversationKind.CHANNEL
    root = body["event"]["thread_ts"]
    assert event.conversation.thread_id == event.reply_to_message_id == root
    assert event.message_id == body["event"]["ts"]
    mentioned = {**body, "event": {**body["event"], "text": "<@W111> kto od dróg?"}}
    assert from_event(mentioned, bot_user_id="W111") is None  # app_mention answers it


def test_edits_and_deletions_go_to_the_core() -> None:
    body = _sample("event_callback_message_changed.json")
    body["event"]["message"]["ts"] = "1665102338.901939"
    inbound = from_event(body, bot_user_id="U-auth")
    assert inbound is not None and isinstance(inbound.event, MessageEdited)
    assert (inbound.event.message_id, inbound.event.text) == ("1665102338.901939",
                                                              "updated message")
    same = {**body, "event": {**body["event"], "previous_message": {
        **body["event"]["previous_message"], "text": "updated message"}}}
    assert from_event(same, bot_user_id="U-auth") is None  # an unfurl, not an edit
    deleted = {"type": "event_callback", "team_id": "T111", "event_id": "Ev9", "event": {
        "type": "message", "subtype": "message_deleted", "channel": "C111", "hidden": True,
        "deleted_ts": "1665102338.901939", "ts": "1665102400.000100",
        "previous_message": {"type": "message", "user": "U222", "text": "x",
                             "ts": "1665102338.901939", "thread_ts": "1665100000.000100"}}}
    gone = from_event(deleted, bot_user_id="U-auth")
    assert gone is not None and isinstance(gone.event, MessageDeleted)
    assert gone.event.message_id == "1665102338.901939"
    assert gone.event.conversation.thread_id == "1665100000.000100"


def test_shared_files_become_attachments() -> None:
    body = _sample("event_callback_message_in_thread_im.json")
    body["event"] |= {"subtype": "file_share", "files": [{
        "name": "uchwała.pdf", "mimetype": "application/pdf",
        "permalink": "https://gminy.slack.com/files/W222/F1/uchwala.pdf",
        "url_private": "https://files.slack.com/private"}]}
    inbound = from_event(body, bot_user_id="W111")
    assert inbound is not None and isinstance(inbound.event, MessageReceived)
    [attachment] = inbound.event.attachments
    assert attachment == Attachment("uchwała.pdf", "https://gminy.slack.com/files/W222/F1/"
                                    "uchwala.pdf", "application/pdf")


def test_socket_mode_mention_sample_is_the_same_event_as_over_http() -> None:
    envelope = _sample("socket_mode_envelope_app_mention.json")
    inbound = from_event(envelope["payload"], bot_user_id="U111")
    assert inbound is not None and inbound.event.event_id == "Ev111"
    assert isinstance(inbound.event, MessageReceived) and inbound.event.text == ""


def test_slash_command_sample_becomes_a_directory_question() -> None:
    body = dict(parse_qsl(str(load_payload("slash_command_bolt_test.txt")),
                          keep_blank_values=True))
    inbound = from_command(body, language="", is_command=CORE_COMMANDS.__contains__)
    assert inbound is not None
    event = inbound.event
    assert isinstance(event, MessageReceived)
    assert event.text == "/kto Hi" and event.event_id == "command:111.111.xxx"
    assert event.conversation.kind == ConversationKind.PERSONAL
    assert event.conversation.conversation_id == "W111"  # a private exchange with the user
    assert inbound.route.ephemeral and inbound.route.response_url


def test_slash_command_that_manages_the_channel_carries_the_channel() -> None:
    body = {"team_id": "T111", "user_id": "U1", "channel_id": "C0PZP", "trigger_id": "1.2",
            "command": "/kto", "text": "forum podlacz PZP", "response_url": "https://x"}
    inbound = from_command(body, language="", is_command=CORE_COMMANDS.__contains__,
                           acts_on_group={"forum"}.__contains__)
    assert inbound is not None and isinstance(inbound.event, MessageReceived)
    assert inbound.event.text == "/forum podlacz PZP"
    assert inbound.event.conversation.conversation_id == "C0PZP"
    assert inbound.event.conversation.kind == ConversationKind.CHANNEL
    assert inbound.route.ephemeral  # the answer is still only for the moderator
    asked = from_command({**body, "text": "odpady Wieliczka"}, language="",
                         is_command=CORE_COMMANDS.__contains__,
                         acts_on_group={"forum"}.__contains__)
    assert asked is not None and asked.event.conversation.conversation_id == "U1"


def test_button_samples_become_actions() -> None:
    inbound = from_block_actions(_sample("block_actions_message_button.json"))
    assert inbound is not None and isinstance(inbound.event, ActionInvoked)
    assert (inbound.event.action, inbound.event.value) == ("clicked", "")
    assert inbound.event.conversation.conversation_id == "C111"
    assert inbound.route.message_ts == "1678252213.679169" and not inbound.route.ephemeral
    assert inbound.event.event_id == "action:4916855695380.xxx.yyy"
    ephemeral = from_block_actions(_sample("block_actions_ephemeral_button.json"))
    assert ephemeral is not None and ephemeral.route.ephemeral
    assert ephemeral.event.conversation.kind == ConversationKind.PERSONAL


def test_slack_markup_becomes_what_the_person_typed() -> None:
    text = ("<@U0BOT> kto od <#C123|odpady> w <@U9|Ani>? &lt;b&gt; &amp; "
            "<mailto:a@b.pl|a@b.pl> <https://x.pl> <!here>")
    assert plain_text(text, bot_user_id="U0BOT") == (
        "kto od #odpady w @Ani? <b> & a@b.pl https://x.pl @here")


@pytest.mark.parametrize(("typed", "core_sees"), [
    ("start ABCD1234", "/start ABCD1234"),
    ("pomoc", "/pomoc"),
    ("moje-dane telefon +48 12 000 11 22", "/moje-dane telefon +48 12 000 11 22"),
    ("pomoc społeczna w Wieliczce", "pomoc społeczna w Wieliczce"),
    ("kto od śmieci w Wieliczce?", "kto od śmieci w Wieliczce?"),
    ("odpady Wieliczka", "odpady Wieliczka"),
    ("forum podlacz PZP", "/forum podlacz PZP"),
])
def test_core_commands_work_without_the_slash(typed: str, core_sees: str) -> None:
    assert spoken_text(typed, is_command=CORE_COMMANDS.__contains__) == core_sees


@pytest.mark.parametrize(("typed", "core_sees"), [
    ("odpady Wieliczka", "/kto odpady Wieliczka"),
    ("", "/kto"),
    ("start ABCD1234", "/start ABCD1234"),
    ("pomoc", "/pomoc"),
    ("pomoc społeczna Wieliczka", "/kto pomoc społeczna Wieliczka"),  # a topic, not help
    ("moje-dane telefon +48 12 000 11 22", "/moje-dane telefon +48 12 000 11 22"),
])
def test_slash_command_text_reaches_the_right_core_command(typed: str, core_sees: str) -> None:
    assert command_text(typed, is_command=CORE_COMMANDS.__contains__) == core_sees


# --- neutral messages → Block Kit -----------------------------------------------------------


@pytest.fixture
async def fake_slack(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeSlackServer]:
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    async with FakeSlackServer() as fake:
        yield fake


async def _post_all(fake: FakeSlackServer, message: OutboundMessage) -> list[dict[str, Any]]:
    client = AsyncWebClient(token=fake.bot_token, base_url=fake.api_url)
    for part in render(message):
        response = await client.chat_postMessage(channel="C111", **part.payload())
        assert response["ok"] and "warning" not in response.data  # type: ignore[operator]
    return fake.messages("C111")


async def test_sixty_cards_are_split_within_slacks_limits(fake_slack: FakeSlackServer) -> None:
    buttons = tuple(Button(f"Gmina {i}", "kto.g", str(i)) for i in range(30))
    message = OutboundMessage(title="Kontakty", cards=tuple(_card(i) for i in range(60)),
                              buttons=buttons, footer="Strona 1 z 1")
    posted = await _post_all(fake_slack, message)  # the fake refuses what Slack would refuse
    assert len(posted) > 1
    names = [b["text"]["text"] for m in posted for b in m["blocks"] if b.get("fields")]
    assert names == [f"*Osoba {i}* — Wieliczka" for i in range(60)]
    for part in posted:
        assert len(part["blocks"]) <= MAX_BLOCKS
        assert sum(len(json.dumps(b, ensure_ascii=False)) for b in part["blocks"]) < 3 * (
            BLOCK_TEXT_BUDGET)
    actions = [b for m in posted for b in m["blocks"] if b["type"] == "actions"]
    assert [len(b["elements"]) for b in actions] == [25, 5]  # at most 25 per actions block
    assert all(b in posted[-1]["blocks"] for b in actions)  # the buttons close the answer
    values = [e["value"] for b in actions for e in b["elements"]]
    assert values == [b.callback_data for b in buttons]


async def test_refused_blocks_degrade_to_the_text(fake_slack: FakeSlackServer) -> None:
    sender = SlackSender(client=AsyncWebClient(token=fake_slack.bot_token,
                                               base_url=fake_slack.api_url))
    too_many = SlackMessage(text="Anna Nowak — Wieliczka",
                            blocks=[{"type": "divider"}] * (MAX_BLOCKS + 1))
    channel, ts = await sender.post("C111", too_many)
    refused, accepted = fake_slack.calls_to("chat.postMessage")
    assert refused.response["error"] == "invalid_blocks" and accepted.response["ok"]
    [message] = fake_slack.messages("C111")
    assert (channel, ts) == ("C111", message["ts"]) and "blocks" not in message
    assert message["text"] == "Anna Nowak — Wieliczka"


def test_one_message_is_cut_with_an_ellipsis_but_keeps_its_buttons() -> None:
    message = OutboundMessage(cards=tuple(_card(i) for i in range(60)),
                              buttons=(Button("Dalej ›", "kto.p", "1:2:2:"),))
    single = render_one(message)
    assert len(single.blocks) <= MAX_BLOCKS
    assert single.blocks[-1]["type"] == "actions"
    assert single.blocks[-2]["elements"][0]["text"] == "…"


async def test_long_escaped_text_stays_under_the_section_limit(
    fake_slack: FakeSlackServer,
) -> None:
    text = "\n".join(f"wiersz {i}: a & b < c > d" * 3 for i in range(400))
    posted = await _post_all(fake_slack, OutboundMessage(text=text))
    sections = [b["text"]["text"] for m in posted for b in m["blocks"]]
    assert all(len(s) <= SECTION_TEXT_LIMIT for s in sections)
    rebuilt = "\n".join(sections).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    assert rebuilt.split() == text.split()  # nothing lost, nothing doubled


def test_fallback_text_is_the_plain_rendering_escaped() -> None:
    message = OutboundMessage(title="Odpady — Wieliczka", cards=(_card(1, notes="<!here> & co"),),
                              buttons=(Button("Dalej ›", "kto.p", "x", ButtonStyle.PRIMARY),))
    [part] = render(message)
    assert part.text == render_plain(message).replace("&", "&amp;").replace(
        "<", "&lt;").replace(">", "&gt;")
    button = part.blocks[-1]["elements"][0]
    assert button["style"] == "primary" and button["text"]["text"] == "Dalej ›"
    confirmation = part.blocks[-2]["elements"][0]["text"]
    assert confirmation == "Potwierdzono: 2026-10-01"


def test_attachments_are_links_and_replies_keep_their_text() -> None:
    message = OutboundMessage(text="Wzór w załączniku", attachments=(
        Attachment("wzór <umowy>.pdf", "https://gminy.slack.com/files/F1"),
        Attachment("skan.pdf", "javascript:alert(1)"),
    ))
    [part] = render(message)
    links = part.blocks[1]["text"]["text"]
    assert links == "📎 <https://gminy.slack.com/files/F1|wzór &lt;umowy&gt;.pdf>\n📎 skan.pdf"
    assert "https://gminy.slack.com/files/F1" in part.text  # notifications show the link too


def test_stale_card_says_so_and_odd_contacts_are_not_linked() -> None:
    card = _card(1, stale=True, email="nie-mail <x>", phone="wew. 12")
    [part] = render(OutboundMessage(cards=(card,)))
    fields = " ".join(f["text"] for f in part.blocks[0]["fields"])
    assert "mailto:" not in fields and "tel:" not in fields and "nie-mail &lt;x&gt;" in fields
    assert "⚠" in part.blocks[1]["elements"][0]["text"]


# --- manifest and configuration -------------------------------------------------------------


def test_manifest_for_http_mode() -> None:
    manifest = build_manifest({}, public_url="https://lacznik.example.pl/")
    url = "https://lacznik.example.pl/slack/events"
    assert manifest["oauth_config"]["scopes"]["bot"] == list(BOT_SCOPES)
    assert {"commands", "chat:write", "im:history", "im:write", "app_mentions:read",
            "users:read", "users:read.email", "channels:history",
            "groups:history"} == set(BOT_SCOPES)
    settings = manifest["settings"]
    assert settings["event_subscriptions"] == {"request_url": url, "bot_events": [
        "app_mention", "message.im", "message.channels", "message.groups"]}
    assert settings["interactivity"] == {"is_enabled": True, "request_url": url}
    assert settings["socket_mode_enabled"] is False
    commands = {c["command"]: c for c in manifest["features"]["slash_commands"]}
    assert set(commands) == {"/kto", "/who"}
    assert all(c["url"] == url and c["should_escape"] is False for c in commands.values())
    assert commands["/kto"]["usage_hint"].startswith("<temat> <gmina>")
    assert "start [kod]" in commands["/kto"]["usage_hint"]
    assert commands["/who"]["usage_hint"].startswith("<topic> <gmina>")
    assert manifest["features"]["bot_user"]["display_name"] == "Łącznik"
    assert manifest["features"]["app_home"]["messages_tab_enabled"] is True  # DMs
    assert len(manifest["display_information"]["description"]) <= 140
    json.dumps(manifest)  # what `lacznik slack manifest` writes


def test_manifest_for_socket_mode_with_renamed_commands() -> None:
    manifest = build_manifest({"mode": "socket", "commands": {"/kontakt": "pl"},
                               "app_name": "Łącznik SMK"}, public_url=None)
    settings = manifest["settings"]
    assert settings["socket_mode_enabled"] is True
    assert "request_url" not in settings["event_subscriptions"]
    assert settings["interactivity"] == {"is_enabled": True}
    [command] = manifest["features"]["slash_commands"]
    assert command["command"] == "/kontakt" and "url" not in command
    assert manifest["display_information"]["name"] == "Łącznik SMK"


def test_manifest_in_http_mode_needs_the_public_url() -> None:
    with pytest.raises(ConfigError) as raised:
        build_manifest({}, public_url=None)
    assert raised.value.key == "slack.public_url"


@pytest.mark.parametrize(("section", "key"), [
    ({}, "slack.bot_token"),
    ({"bot_token": "xoxb-1-2", "signing_secret": ""}, "slack.signing_secret"),
    ({"bot_token": "xoxb-1-2", "mode": "socket"}, "slack.app_token"),
    ({"bot_token": "xoxb-1-2", "signing_secret": "s" * 32, "mode": "webhook"}, "slack.mode"),
    ({"bot_token": "xoxb-1-2", "signing_secret": "s" * 32,
      "api_base_url": "http://slack.example.com/api/"}, "slack.api_base_url"),
    ({"bot_token": "xoxb-1-2", "signing_secret": "s" * 32, "commands": ["kto"]},
     "slack.commands"),
    ({"bot_token": "xoxb-1-2", "signing_secret": "s" * 32, "allowed_team_ids": ["acme"]},
     "slack.allowed_team_ids"),
    ({"bot_token": "xoxb-1-2", "signing_secret": "s" * 32, "tokn": "x"}, "slack.tokn"),
])
def test_bad_configuration_names_the_key(section: dict[str, Any], key: str) -> None:
    with pytest.raises(ConfigError) as raised:
        parse_config(section, env={})
    assert raised.value.key == key


def test_secrets_come_from_the_environment_and_never_show() -> None:
    config = parse_config({"commands": ["/kontakt"]}, env={
        "SLACK_BOT_TOKEN": "xoxb-123-secret", "SLACK_SIGNING_SECRET": "signing-secret-x"})
    assert config.bot_token == "xoxb-123-secret" and config.commands == {"/kontakt": ""}
    assert "secret" not in repr(config)
    assert config.api_base_url == "https://slack.com/api/"


def test_proxy_follows_no_proxy_and_never_takes_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.gmina.example:3128")
    monkeypatch.setenv("NO_PROXY", "hooks.slack.com")
    assert proxy_for("https://slack.com/api/") == "http://proxy.gmina.example:3128"
    assert proxy_for("https://hooks.slack.com/commands/T/1/x") is None
    assert proxy_for("http://127.0.0.1:8080/api/") is None
    assert proxy_for("https://slack.com/api/", "http://other:1") == "http://other:1"
