"""The Telegram translator on real update samples, the HTML renderer and the config section.

Pure functions, no server and no database: what the core will be told about each real payload,
and what Telegram will be sent for each neutral message.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from adapters.telegram.config import parse_config
from adapters.telegram.render import MAX_TEXT_LENGTH, render_message
from adapters.telegram.translate import (
    BotIdentity,
    ChatMigration,
    UnusableUpdate,
    callback_query_id,
    translate_update,
)
from bots.config import ConfigError
from commands.model import (
    ActionInvoked,
    BotAdded,
    BotRemoved,
    Button,
    ButtonStyle,
    ContactCard,
    ConversationKind,
    MessageReceived,
    OutboundMessage,
)
from tests.fakes.telegram_api import load_payload

ANY_BOT = BotIdentity(123456789, "LacznikTestBot")
TOKEN = "123456789:AAFakeTelegramTokenForTests_0123456789"


def sample(name: str) -> dict[str, Any]:
    """A sample as an Update with an id (bare messages wrapped, as Telegram would send them)."""
    data = load_payload(name)
    if name.endswith(".getUpdates.json"):
        data = data["result"][0]
    elif name.endswith(".message.json"):
        data = {"message": data}
    return {"update_id": 700, **data}


def test_private_text_is_an_addressed_message_from_a_person() -> None:
    event = translate_update(sample("private_text_message.json"), bot=ANY_BOT)
    assert isinstance(event, MessageReceived)
    assert (event.event_id, event.text, event.message_id, event.addressed) == (
        "306197398", "4", "154", True)
    assert event.conversation.kind == ConversationKind.PERSONAL
    assert event.conversation.conversation_id == "408258968"
    assert (event.sender.user_id, event.sender.locale, event.sender.is_bot) == (
        "408258968", "en", False)
    assert event.sender.email is None  # Telegram vouches for no e-mail


@pytest.mark.parametrize("name", [
    "docs_private_command_start.json",  # no entities, no from.is_bot (PTB cannot parse it)
    "private_command_start_with_entity.json",
    "docs_reply_message.json",
])
def test_private_start_command_in_every_sample_shape(name: str) -> None:
    event = translate_update(sample(name), bot=ANY_BOT)
    assert isinstance(event, MessageReceived)
    assert event.text == "/start" and event.addressed and not event.sender.is_bot


def test_command_for_this_bot_loses_the_suffix_and_other_bots_commands_are_ignored() -> None:
    update = sample("supergroup_command_at_botname.json")
    mine = translate_update(update, bot=BotIdentity(1, "SwantaBot"))  # case-insensitive
    assert isinstance(mine, MessageReceived)
    assert (mine.text, mine.addressed) == ("/start PingGroup", True)
    assert mine.conversation.kind == ConversationKind.GROUP
    assert mine.raw["title"] == "dv-ftp"  # the core stores group titles
    assert translate_update(update, bot=ANY_BOT) is None


def test_getupdates_and_webhook_bodies_translate_alike() -> None:
    polled = translate_update(sample("supergroup_command_at_botname.getUpdates.json"),
                              bot=BotIdentity(1, "swantabot"))
    pushed = translate_update(sample("supergroup_command_at_botname.json"),
                              bot=BotIdentity(1, "swantabot"))
    assert polled == pushed


def test_forum_topic_message_keeps_its_topic_and_is_no_reply() -> None:
    event = translate_update(sample("forum_topic_message.message.json"), bot=ANY_BOT)
    assert isinstance(event, MessageReceived)
    assert event.conversation.thread_id == "4"
    assert event.reply_to_message_id is None  # the topic's creation message is no reply
    assert not event.addressed  # plain chatter in a group


def test_reply_chain_in_an_ordinary_supergroup_is_no_topic() -> None:
    event = translate_update(sample("supergroup_command_reply_thread_no_topic.json"),
                             bot=ANY_BOT)
    assert isinstance(event, MessageReceived)
    assert event.conversation.thread_id is None  # message_thread_id without is_topic_message
    assert (event.text, event.reply_to_message_id, event.addressed) == ("/report", "134545",
                                                                        True)


def test_mention_and_reply_to_the_bot_address_it() -> None:
    update = sample("supergroup_reply_to_user_message.json")
    plain = translate_update(update, bot=ANY_BOT)
    assert isinstance(plain, MessageReceived) and not plain.addressed
    update["message"]["text"] = "@lacznikTESTbot kto od śmieci w Wieliczce?"
    mentioned = translate_update(update, bot=ANY_BOT)
    assert isinstance(mentioned, MessageReceived) and mentioned.addressed
    assert mentioned.text == "kto od śmieci w Wieliczce?"
    update["message"]["text"] = "a ty?"
    update["message"]["reply_to_message"]["from"] = {"id": 123456789, "is_bot": True,
                                                     "first_name": "Łącznik"}
    replied = translate_update(update, bot=ANY_BOT)
    assert isinstance(replied, MessageReceived) and replied.addressed


def test_hyphenated_command_and_newline_after_the_command() -> None:
    update = sample("private_command_start_with_entity.json")
    update["message"]["text"] = "/moje-dane@LacznikTestBot telefon +48 12 000 11 22"
    event = translate_update(update, bot=ANY_BOT)
    assert isinstance(event, MessageReceived)
    assert event.text == "/moje-dane telefon +48 12 000 11 22"
    update["message"]["text"] = "/kto\nodpady Wieliczka"
    event = translate_update(update, bot=ANY_BOT)
    assert isinstance(event, MessageReceived) and event.text == "/kto odpady Wieliczka"


def test_anonymous_group_admin_is_a_bot_sender() -> None:
    event = translate_update(sample("supergroup_anonymous_admin_message.message.json"),
                             bot=ANY_BOT)
    assert isinstance(event, MessageReceived) and event.sender.is_bot


def test_button_press_under_a_bot_message() -> None:
    update = sample("callback_query_inline_keyboard.json")
    update["callback_query"]["data"] = "kto.p|:18:2:"
    event = translate_update(update, bot=ANY_BOT)
    assert isinstance(event, ActionInvoked)
    assert (event.action, event.value, event.message_id) == ("kto.p", ":18:2:", "3572")
    assert event.conversation.conversation_id == "2"
    assert callback_query_id(event) == "4382bfdwdsb323b2d9"


def test_button_press_under_an_inline_message_goes_to_the_private_chat() -> None:
    event = translate_update(sample("docs_callback_query_inline_message.json"), bot=ANY_BOT)
    assert isinstance(event, ActionInvoked)
    assert event.conversation.kind == ConversationKind.PERSONAL
    assert event.conversation.conversation_id == "1111111" and event.message_id is None
    assert callback_query_id(event) == "4382bfdwdsb323b2d9"


@pytest.mark.parametrize(("name", "bot", "kind", "chat"), [
    ("my_chat_member_bot_added_to_group.json", BotIdentity(7172552019, "x"), BotAdded,
     "-4726613835"),
    ("my_chat_member_bot_added_to_forum_supergroup.json", BotIdentity(7172552019, "x"),
     BotAdded, "-1002162095988"),
    ("group_bot_added_new_chat_members.json", BotIdentity(1, "TestingRanBot"), BotAdded,
     "-10011869112345"),
    ("my_chat_member_private_bot_blocked.json", BotIdentity(1, "unBot"), BotRemoved, "0"),
])
def test_membership_changes_of_the_bot(name: str, bot: BotIdentity, kind: type, chat: str
                                       ) -> None:
    event = translate_update(sample(name), bot=bot)
    assert isinstance(event, kind)
    assert event.conversation.conversation_id == chat


def test_membership_changes_of_someone_else_are_not_the_bots() -> None:
    assert translate_update(sample("group_bot_added_new_chat_members.json"), bot=ANY_BOT) is None
    assert translate_update(sample("my_chat_member_bot_added_to_group.json"), bot=ANY_BOT) is None


@pytest.mark.parametrize("name", [
    "docs_edited_message.json", "forum_topic_created.message.json",
])
def test_private_edits_and_service_messages_need_no_answer(name: str) -> None:
    assert translate_update(sample(name), bot=ANY_BOT) is None


def test_formatted_private_text_arrives_as_plain_text() -> None:
    event = translate_update(sample("docs_message_with_entities.json"), bot=ANY_BOT)
    assert isinstance(event, MessageReceived)
    assert (event.text, event.addressed, event.sender.display_name) == (
        "Bold and italics", True, "Test Firstname Test Lastname")


def test_group_migration_service_messages() -> None:
    base = {"message_id": 9, "date": 1, "from": {"id": 5, "first_name": "A"}}
    old = {"update_id": 1, "message": {**base, "chat": {"id": -42, "type": "group"},
                                       "migrate_to_chat_id": -10042}}
    new = {"update_id": 2, "message": {**base, "chat": {"id": -10042, "type": "supergroup"},
                                       "migrate_from_chat_id": -42}}
    assert translate_update(old, bot=ANY_BOT) == ChatMigration("1", -42, -10042)
    assert translate_update(new, bot=ANY_BOT) == ChatMigration("2", -42, -10042)


@pytest.mark.parametrize("update", [
    {"message": {"chat": {"id": 1}, "text": "x"}},  # no update_id
    {"update_id": 3, "message": "not an object"},
    {"update_id": 3, "message": {"chat": {"id": "1"}, "text": "x", "message_id": 1,
                                 "from": {"id": 1}}},
    {"update_id": 3, "message": {"chat": {"id": 1}, "text": "x", "message_id": 1}},  # no from
    {"update_id": 3, "callback_query": {"from": {"id": 1}}},  # no id
])
def test_malformed_updates_are_unusable(update: dict[str, Any]) -> None:
    with pytest.raises(UnusableUpdate):
        translate_update(update, bot=ANY_BOT)


# --- rendering ---------------------------------------------------------------------------------

CARD = ContactCard(
    name="Jan <b>Nowak</b>", gmina="Wieliczka & okolice", position="inspektor <script>",
    topics=("odpady",), email="j.nowak@wieliczka.example.pl", phone="+48 12 000 61 82, 600 100 200",
    notes="A&B <i>", stale=True,
)


def test_cards_are_escaped_bold_and_tappable() -> None:
    [chunk] = render_message(OutboundMessage(title="Odpady — <Wieliczka>", cards=(CARD,)))
    assert "<b>Odpady — &lt;Wieliczka&gt;</b>" in chunk.html
    assert "<b>Jan &lt;b&gt;Nowak&lt;/b&gt; — Wieliczka &amp; okolice</b>" in chunk.html
    assert "inspektor &lt;script&gt;" in chunk.html and "A&amp;B &lt;i&gt;" in chunk.html
    assert ('<a href="mailto:j.nowak@wieliczka.example.pl">j.nowak@wieliczka.example.pl</a>'
            in chunk.html)
    assert '<a href="tel:+48120006182">+48 12 000 61 82</a>' in chunk.html
    assert '<a href="tel:600100200">600 100 200</a>' in chunk.html
    assert "<i>Nigdy niepotwierdzone ⚠ dane mogą być nieaktualne</i>" in chunk.html
    tags = re.findall(r"</?([a-z]+)", chunk.html)
    assert set(tags) <= {"b", "i", "a"}


def test_buttons_become_an_inline_keyboard_on_the_last_chunk() -> None:
    message = OutboundMessage(
        text="\n".join(f"wiersz {i} " + "x" * 90 for i in range(60)),
        buttons=(Button("‹ Wstecz", "kto.p", "1:2:1:"), Button("Dalej ›", "kto.p", "1:2:3:"),
                 Button("Czernichów (gmina wiejska, powiat krakowski)", "kto.g", "7::1:"),
                 Button("Dane są aktualne", "me.ok", "3", ButtonStyle.PRIMARY)),
    )
    chunks = render_message(message)
    assert len(chunks) == 2 and chunks[0].keyboard is None
    markup = chunks[1].keyboard
    assert markup is not None
    rows = [[(b.text, b.callback_data, b.style) for b in row] for row in markup.inline_keyboard]
    assert rows == [
        [("‹ Wstecz", "kto.p|1:2:1:", None), ("Dalej ›", "kto.p|1:2:3:", None)],
        [("Czernichów (gmina wiejska, powiat krakowski)", "kto.g|7::1:", None)],
        [("Dane są aktualne", "me.ok|3", "primary")],
    ]


def test_long_text_is_split_at_lines_within_the_limit() -> None:
    lines = [f"Linia {i}: " + "ż" * 60 for i in range(80)]  # ≈ 5500 characters
    chunks = render_message(OutboundMessage(text="\n".join(lines)))
    assert len(chunks) == 2
    assert all(len(c.html) <= MAX_TEXT_LENGTH for c in chunks)
    assert "\n".join(c.html for c in chunks).split("\n") == lines  # whole lines, none lost


def test_one_huge_line_is_split_at_spaces_and_astral_characters_count_double() -> None:
    word = "🏛" * 9 + " "  # 9 emoji = 18 UTF-16 units
    [first, *rest] = render_message(OutboundMessage(text=word * 500))
    assert rest
    for chunk in (first, *rest):
        assert len(chunk.html.encode("utf-16-le")) // 2 <= MAX_TEXT_LENGTH


def test_a_long_paragraph_after_a_title_does_not_leave_the_title_alone() -> None:
    """A forum answer or announcement of one long paragraph: the first message carries the
    title and as much of the text as fits, not the title by itself (a bare, loud message)."""
    text = " ".join(f"słowo{i}" for i in range(1200))  # ≈ 10,000 characters, one line
    chunks = render_message(OutboundMessage(title="Odpowiedź na Twoje pytanie nr 1", text=text,
                                            footer="Od: Anna Nowak"))
    assert len(chunks) == 3  # 10,000 characters need three messages, not four
    assert chunks[0].html.startswith("<b>Odpowiedź na Twoje pytanie nr 1</b>\n\nsłowo0 ")
    assert all(len(c.html.encode("utf-16-le")) // 2 <= MAX_TEXT_LENGTH for c in chunks)
    words = " ".join(c.html for c in chunks).replace("\n", " ").split()
    assert [w for w in words if w.startswith("słowo")] == text.split()  # cut between words


# --- configuration -----------------------------------------------------------------------------


def test_config_defaults_and_repr_without_secrets() -> None:
    config = parse_config({"token": TOKEN, "webhook_secret": "abc"})
    assert (config.mode, config.api_base_url, config.poll_timeout) == (
        "polling", "https://api.telegram.org", 30)
    assert config.bot_base_url == "https://api.telegram.org/bot"
    assert TOKEN not in repr(config) and "abc" not in repr(config)


@pytest.mark.parametrize(("section", "key"), [
    ({}, "telegram.token"),
    ({"token": "not-a-token"}, "telegram.token"),
    ({"token": TOKEN, "mode": "push"}, "telegram.mode"),
    ({"token": TOKEN, "mode": "webhook", "webhook_secret": "s"}, "telegram.webhook_url"),
    ({"token": TOKEN, "mode": "webhook", "webhook_url": "http://x.example/telegram/webhook",
      "webhook_secret": "s"}, "telegram.webhook_url"),
    ({"token": TOKEN, "mode": "webhook", "webhook_url": "https://x.example/telegram/webhook"},
     "telegram.webhook_secret"),
    ({"token": TOKEN, "webhook_secret": "spaces are not allowed"}, "telegram.webhook_secret"),
    ({"token": TOKEN, "api_base_url": "ftp://x"}, "telegram.api_base_url"),
    ({"token": TOKEN, "poll_timeout": 99}, "telegram.poll_timeout"),
    ({"token": TOKEN, "tokn": "x"}, "telegram.tokn"),
])
def test_config_errors_name_the_key(section: dict[str, Any], key: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(section)
    assert caught.value.key == key
    assert TOKEN not in str(caught.value)


def test_an_edit_in_a_group_becomes_an_edit_event_for_forum_answers() -> None:
    from commands.model import MessageEdited

    event = translate_update(load_payload("edited_message_text_supergroup.json"), bot=ANY_BOT)
    assert isinstance(event, MessageEdited)
    assert (event.message_id, event.text) == ("11", "Hello, modified")
    assert event.conversation.conversation_id == "-10011869112345"
