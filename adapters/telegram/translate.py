"""Raw Bot API updates (plain dicts, as Telegram sent them) → neutral inbound events.

Pure and tolerant: it reads only the fields it needs, so old or partial payloads (no
``from.is_bot``, no ``entities``) still work. Polling and the webhook both call
:func:`translate_update`, so both transports produce identical events.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from commands.model import (
    ActionInvoked,
    Attachment,
    BotAdded,
    BotRemoved,
    Button,
    ConversationKind,
    ConversationRef,
    InboundEvent,
    MessageEdited,
    MessageReceived,
    Platform,
    Sender,
)

__all__ = [
    "ALLOWED_UPDATES",
    "BotIdentity",
    "ChatMigration",
    "Translated",
    "UnusableUpdate",
    "callback_query_id",
    "translate_update",
]

ALLOWED_UPDATES = ("message", "edited_message", "callback_query", "my_chat_member")
"""The update kinds the bot acts on; passed explicitly (the setting is sticky server-side)."""

_PRESENT = frozenset({"member", "administrator", "creator", "restricted"})
_GONE = frozenset({"left", "kicked"})


class UnusableUpdate(ValueError):
    """The update lacks something every update of its kind must have."""


@dataclass(frozen=True, slots=True)
class BotIdentity:
    """Who the bot is (from ``getMe``): to spot commands, mentions and replies meant for it."""

    user_id: int
    username: str


@dataclass(frozen=True, slots=True)
class ChatMigration:
    """A basic group became a supergroup with a new chat id."""

    event_id: str
    old_chat_id: int
    new_chat_id: int


Translated = InboundEvent | ChatMigration


def translate_update(update: Mapping[str, Any], *, bot: BotIdentity) -> Translated | None:
    """The neutral event of one raw update, or None if the bot has nothing to do with it.

    Raises :class:`UnusableUpdate` if the update is malformed.
    """
    update_id = update.get("update_id")
    if not isinstance(update_id, int) or isinstance(update_id, bool):
        raise UnusableUpdate("no update_id")
    event_id = str(update_id)
    if "message" in update:
        return _message(event_id, update, _obj(update["message"], "message"), bot)
    if "callback_query" in update:
        return _callback(event_id, update, _obj(update["callback_query"], "callback_query"))
    if "my_chat_member" in update:
        return _membership(event_id, update, _obj(update["my_chat_member"], "my_chat_member"),
                           bot)
    if "edited_message" in update:
        return _edited(event_id, update, _obj(update["edited_message"], "edited_message"))
    return None  # channel posts, …: nothing to answer


def callback_query_id(event: InboundEvent) -> str | None:
    """The id to answer with ``answerCallbackQuery``, if the event is a button press."""
    query = event.raw.get("callback_query")
    return str(query["id"]) if isinstance(query, Mapping) and "id" in query else None


# --- kinds of update ---------------------------------------------------------------------------


def _message(event_id: str, update: Mapping[str, Any], msg: Mapping[str, Any],
             bot: BotIdentity) -> Translated | None:
    chat_id, kind, chat = _chat(msg)
    if "migrate_to_chat_id" in msg:
        return ChatMigration(event_id, chat_id, _int(msg["migrate_to_chat_id"], "migrate_to"))
    if "migrate_from_chat_id" in msg:
        return ChatMigration(event_id, _int(msg["migrate_from_chat_id"], "migrate_from"), chat_id)
    sender = _sender(msg.get("from"))
    conversation = _conversation(chat_id, kind, msg)
    raw = _raw(update, chat)
    members = msg.get("new_chat_members")
    if isinstance(members, list) and any(_is_me(m, bot) for m in members):
        return BotAdded(platform=Platform.TELEGRAM, event_id=event_id,
                        conversation=conversation, sender=sender, raw=raw)
    if _is_me(msg.get("left_chat_member"), bot):
        return BotRemoved(platform=Platform.TELEGRAM, event_id=event_id,
                          conversation=conversation, sender=sender, raw=raw)
    text = msg.get("text")
    if not isinstance(text, str):
        text = msg.get("caption")
    attachments = _attachments(msg)
    if not isinstance(text, str):
        if not attachments:
            return None  # a sticker, another service message
        text = ""  # a file without a caption (a forum answer can be just a file)
    personal = kind == ConversationKind.PERSONAL
    addressed = personal
    text = text.strip()
    if text.startswith("/"):
        command = _command(text, bot)
        if command is None:
            return None  # "/cmd@OtherBot": meant for another bot in the group
        text, addressed = command, True
    else:
        text, mentioned = _without_mention(text, bot)
        addressed = addressed or mentioned
    reply_to = msg.get("reply_to_message")
    reply_to_id: str | None = None
    # In a forum every message "replies" to its topic's creation message: that is no reply.
    if isinstance(reply_to, Mapping) and "forum_topic_created" not in reply_to:
        reply_to_id = str(reply_to.get("message_id", "")) or None
        addressed = addressed or _is_me(reply_to.get("from"), bot)
    return MessageReceived(
        platform=Platform.TELEGRAM, event_id=event_id, conversation=conversation, sender=sender,
        raw=raw, text=text, message_id=str(_int(msg.get("message_id"), "message_id")),
        reply_to_message_id=reply_to_id, addressed=addressed, attachments=attachments,
    )


def _attachments(msg: Mapping[str, Any]) -> tuple[Attachment, ...]:
    """Files in a message, by name: Telegram gives no public link (the bot would have to
    download them), so other messengers are told a file was there."""
    found = []
    document = msg.get("document")
    if isinstance(document, Mapping):
        found.append(Attachment(str(document.get("file_name") or "plik"), None,
                                str(document.get("mime_type") or "")))
    if isinstance(msg.get("photo"), list) and msg["photo"]:
        found.append(Attachment("zdjęcie.jpg", None, "image/jpeg"))
    return tuple(found)


def _edited(event_id: str, update: Mapping[str, Any], msg: Mapping[str, Any]
            ) -> MessageEdited | None:
    """An edit: it matters only for forum answers in groups (their mirrors follow)."""
    chat_id, kind, chat = _chat(msg)
    text = msg.get("text") if isinstance(msg.get("text"), str) else msg.get("caption")
    if kind == ConversationKind.PERSONAL or not isinstance(text, str):
        return None
    return MessageEdited(
        platform=Platform.TELEGRAM, event_id=event_id,
        conversation=_conversation(chat_id, kind, msg), sender=_sender(msg.get("from")),
        raw=_raw(update, chat), message_id=str(_int(msg.get("message_id"), "message_id")),
        text=text.strip(),
    )


def _callback(event_id: str, update: Mapping[str, Any], query: Mapping[str, Any]
              ) -> ActionInvoked:
    if not isinstance(query.get("id"), str):
        raise UnusableUpdate("callback_query without id")
    sender = _sender(query.get("from"))
    msg = query.get("message")
    message_id: str | None = None
    chat: Mapping[str, Any] = {}
    if isinstance(msg, Mapping) and isinstance(msg.get("chat"), Mapping):
        chat_id, kind, chat = _chat(msg)
        conversation = _conversation(chat_id, kind, msg)
        message_id = str(_int(msg.get("message_id"), "message_id"))
    else:
        # A button under an inline-mode message: no chat is known; answer privately.
        conversation = ConversationRef(Platform.TELEGRAM, sender.user_id,
                                       ConversationKind.PERSONAL)
    data = query.get("data")
    action, value = Button.parse(data) if isinstance(data, str) else ("", "")
    return ActionInvoked(
        platform=Platform.TELEGRAM, event_id=event_id, conversation=conversation, sender=sender,
        raw=_raw(update, chat), action=action, value=value, message_id=message_id,
    )


def _membership(event_id: str, update: Mapping[str, Any], change: Mapping[str, Any],
                bot: BotIdentity) -> InboundEvent | None:
    chat_id, kind, chat = _chat(change)
    new = _obj(change.get("new_chat_member"), "new_chat_member")
    old = change.get("old_chat_member")
    if not _is_me(new.get("user"), bot):
        return None
    status = new.get("status")
    before = old.get("status") if isinstance(old, Mapping) else "left"
    common: dict[str, Any] = {
        "platform": Platform.TELEGRAM, "event_id": event_id,
        "conversation": ConversationRef(Platform.TELEGRAM, str(chat_id), kind),
        "sender": _sender(change.get("from")), "raw": _raw(update, chat),
    }
    if status in _PRESENT and before not in _PRESENT:
        return BotAdded(**common)
    if status in _GONE and before not in _GONE:
        return BotRemoved(**common)
    return None  # promoted, restricted, …: still there


# --- pieces ------------------------------------------------------------------------------------


def _obj(value: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise UnusableUpdate(f"{what} is not an object")
    return value


def _int(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise UnusableUpdate(f"{what} is not an integer")
    return value


def _chat(holder: Mapping[str, Any]) -> tuple[int, ConversationKind, Mapping[str, Any]]:
    chat = _obj(holder.get("chat"), "chat")
    chat_id = _int(chat.get("id"), "chat.id")
    kind_name = chat.get("type") or ("private" if chat_id > 0 else "group")
    kind = {"private": ConversationKind.PERSONAL, "channel": ConversationKind.CHANNEL}.get(
        str(kind_name), ConversationKind.GROUP)
    return chat_id, kind, chat


def _conversation(chat_id: int, kind: ConversationKind, msg: Mapping[str, Any]
                  ) -> ConversationRef:
    """The chat, with the forum topic only for real topic messages (not reply chains)."""
    thread = msg.get("message_thread_id") if msg.get("is_topic_message") is True else None
    return ConversationRef(Platform.TELEGRAM, str(chat_id), kind,
                           thread_id=str(thread) if isinstance(thread, int) else None)


def _sender(user: Any) -> Sender:
    user = _obj(user, "from")
    names = [user.get("first_name"), user.get("last_name")]
    display = " ".join(n for n in names if isinstance(n, str) and n) or str(
        user.get("username") or "")
    locale = user.get("language_code")
    return Sender(
        Platform.TELEGRAM, str(_int(user.get("id"), "from.id")), display[:200],
        locale=locale if isinstance(locale, str) else None,
        is_bot=user.get("is_bot") is True,
    )


def _raw(update: Mapping[str, Any], chat: Mapping[str, Any]) -> dict[str, Any]:
    """The update, plus the chat title under ``title`` (the core stores it for groups)."""
    raw = dict(update)
    title = chat.get("title")
    if isinstance(title, str) and title:
        raw["title"] = title
    return raw


def _is_me(user: Any, bot: BotIdentity) -> bool:
    if not isinstance(user, Mapping):
        return False
    if user.get("id") == bot.user_id:
        return True
    name = user.get("username")
    return isinstance(name, str) and bool(name) and name.lower() == bot.username.lower()


def _command(text: str, bot: BotIdentity) -> str | None:
    """``/kto@ThisBot  a b`` → ``/kto a b``; None for a command addressed to another bot."""
    head, _, rest = text.partition(" ")
    first_line, newline, after = head.partition("\n")  # "/kto\nodpady" is "/kto odpady"
    if newline:
        head, rest = first_line, f"{after} {rest}"
    name, _, target = head[1:].partition("@")
    if target and target.lower() != bot.username.lower():
        return None
    rest = rest.strip()
    return f"/{name} {rest}" if rest else f"/{name}"


def _without_mention(text: str, bot: BotIdentity) -> tuple[str, bool]:
    """The text without ``@ThisBot``, and whether it was there."""
    if not bot.username:
        return text, False
    pattern = re.compile(rf"(?<![\w@])@{re.escape(bot.username)}\b", re.IGNORECASE)
    cleaned, count = pattern.subn(" ", text)
    return (" ".join(cleaned.split()), True) if count else (text, False)
