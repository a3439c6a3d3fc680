"""Slack payloads as neutral events: pure functions, the same for HTTP and Socket Mode.

Each translation also says where the answer goes (:class:`ReplyRoute`) and which workspaces
the payload names, so the adapter can refuse foreign ones before anything is processed.

Conversations: an @mention lives in its channel and thread; a DM is personal; a slash command
and a button on an ephemeral message are a private exchange with the user (the answer is
ephemeral, only they see it), so they are personal too, addressed by the user id. A personal
reference never carries a thread (the core stores it for messages sent later, which belong at
the top of the DM); the thread a DM was asked in is kept in the :class:`ReplyRoute`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from commands.model import (
    ActionInvoked,
    Attachment,
    Button,
    ConversationKind,
    ConversationRef,
    InboundEvent,
    MessageDeleted,
    MessageEdited,
    MessageReceived,
    Platform,
    Sender,
)

# Message subtypes that still carry a person's words; edits, joins, bot posts etc. do not.
_PERSON_SUBTYPES = frozenset({None, "thread_broadcast", "file_share"})
_MARKUP_RE = re.compile(r"<([^<>]*)>")
_START_RE = re.compile(r"start\s+(\S{4,64})", re.IGNORECASE)
# Command words that are commands only on their own ("/kto pomoc społeczna" is a question).
_ALONE_ONLY = frozenset({"pomoc", "help"})
_DIRECTORY_COMMAND = "kto"
# "kto od śmieci w Wieliczce?" in a DM is a question, as the core expects it.
_DIRECTORY_NAMES = frozenset({"kto", "who"})


@dataclass(frozen=True, slots=True)
class ReplyRoute:
    """Where the answers to one inbound payload go.

    ``ephemeral`` answers go through ``response_url`` and only the user sees them;
    otherwise they are posted into ``channel`` (in ``thread_ts`` if set). ``message_ts`` is
    the bot message whose button was pressed (for replacing it).
    """

    channel: str
    user_id: str
    thread_ts: str | None = None
    response_url: str | None = None
    ephemeral: bool = False
    message_ts: str | None = None


@dataclass(frozen=True, slots=True)
class Inbound:
    """A translated payload: the neutral event, its reply route and the workspaces named."""

    event: InboundEvent
    route: ReplyRoute
    team_ids: frozenset[str]


def plain_text(text: str, *, bot_user_id: str | None = None) -> str:
    """Slack's message markup as the plain text a person typed.

    Mentions of the bot disappear, other mentions and links become their labels, and the
    escaped ``&amp; &lt; &gt;`` become characters again (the core works on plain text; every
    answer is escaped again on the way out).
    """

    def label(match: re.Match[str]) -> str:
        inner = match.group(1)
        target, _, name = inner.partition("|")
        if target.startswith("@"):
            if bot_user_id and target[1:] == bot_user_id:
                return ""
            return "@" + (name or target[1:])
        if target.startswith("#"):
            return "#" + (name or target[1:])
        if target.startswith("!"):
            keyword = target[1:].split("^", 1)[0]
            return name or "@" + keyword
        return name or target.removeprefix("mailto:").removeprefix("tel:")

    text = _MARKUP_RE.sub(label, text)
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return re.sub(r"[ \t]{2,}", " ", text).strip()


def command_text(text: str, *, is_command: Callable[[str], bool]) -> str:
    """What a slash command means to the core.

    ``/kto odpady Wieliczka`` asks the directory; ``/kto start KOD``, ``/kto moje-dane`` or
    ``/kto pomoc`` reach the core's own commands, because Slack itself takes every message
    that starts with "/" as a slash command of some app.
    """
    words = text.strip()
    head, _, rest = words.partition(" ")
    name = head.lstrip("/").lower()
    if name and is_command(name) and not (name in _ALONE_ONLY and rest.strip()):
        return f"/{name} {rest.strip()}".rstrip()
    return f"/{_DIRECTORY_COMMAND} {words}".rstrip()


def spoken_text(text: str, *, is_command: Callable[[str], bool]) -> str:
    """A DM or a mention as the core reads it: ``start KOD``, ``pomoc``, ``moje-dane …`` or
    ``forum podlacz PZP`` work without the slash, which Slack would take for a slash command
    of some app; anything else is a question."""
    words = text.strip()
    match = _START_RE.fullmatch(words)
    if match:
        return f"/start {match.group(1)}"
    head, _, rest = words.partition(" ")
    name = head.lower()
    if (name and name not in _DIRECTORY_NAMES and is_command(name)
            and not (name in _ALONE_ONLY and rest.strip())):
        return f"/{name} {rest.strip()}".rstrip()
    return text


def kind_of(channel: str, channel_type: str | None = None) -> ConversationKind:
    """Slack ids say what a conversation is: ``D…`` a DM, others a channel or group DM."""
    if channel_type == "im" or (channel_type is None and channel.startswith("D")):
        return ConversationKind.PERSONAL
    if channel_type == "mpim":
        return ConversationKind.GROUP
    return ConversationKind.CHANNEL


def personal_ref(user_id: str, team_id: str | None) -> ConversationRef:
    """The private conversation with a user before its ``D…`` id is known."""
    return ConversationRef(Platform.SLACK, user_id, ConversationKind.PERSONAL,
                           tenant_id=team_id or None, extra={"user_id": user_id})


def from_command(
    body: Mapping[str, Any], *, language: str, is_command: Callable[[str], bool],
    acts_on_group: Callable[[str], bool] = lambda _name: False,
) -> Inbound | None:
    """A slash command (form fields as a dict). ``language`` is the command's language.

    The exchange is private (see the module), except for commands that act on the channel
    they are typed in (``/kto forum podlacz PZP``: ``acts_on_group``); those carry the
    channel's reference. The answer is ephemeral either way.
    """
    user_id, team_id = _s(body.get("user_id")), _s(body.get("team_id"))
    trigger, channel = _s(body.get("trigger_id")), _s(body.get("channel_id"))
    if not user_id or not trigger:
        return None
    text = command_text(plain_text(_s(body.get("text"))), is_command=is_command)
    name = text[1:].partition(" ")[0]
    if channel and kind_of(channel) != ConversationKind.PERSONAL and acts_on_group(name):
        conversation = _conversation(channel, kind_of(channel), team_id, user_id, None)
    else:
        conversation = personal_ref(user_id, team_id)
    sender = _sender(user_id, team_id, _s(body.get("user_name")), locale=language or None)
    event = MessageReceived(
        platform=Platform.SLACK, event_id=f"command:{trigger}", conversation=conversation,
        sender=sender, raw=body, text=text, addressed=True,
    )
    route = ReplyRoute(channel=channel, user_id=user_id,
                       response_url=_s(body.get("response_url")) or None, ephemeral=True)
    return Inbound(event, route, _teams(team_id))


def from_event(body: Mapping[str, Any], *, bot_user_id: str | None,
               is_command: Callable[[str], bool] = lambda _name: False) -> Inbound | None:
    """An Events API envelope (``event_callback``); None for what the bot does not act on.

    A mention or a DM is a question (``addressed``). A reply in a channel thread is passed on
    unaddressed: the core takes it as an answer when the thread is a forum question it
    relayed, and ignores it otherwise. Edits and deletions are passed on for the same reason.
    Top-level channel chatter, bots and the bot itself are dropped here.
    """
    event = body.get("event")
    if not isinstance(event, Mapping) or body.get("type") != "event_callback":
        return None
    subtype = event.get("subtype")
    if event.get("type") == "message" and subtype == "message_changed":
        return _edited(body, event, bot_user_id)
    if event.get("type") == "message" and subtype == "message_deleted":
        return _deleted(body, event, bot_user_id)
    user_id, channel = _s(event.get("user")), _s(event.get("channel"))
    if (not user_id or not channel or event.get("bot_id") or event.get("hidden")
            or user_id == bot_user_id or subtype not in _PERSON_SUBTYPES):
        return None
    raw_text = _s(event.get("text"))
    text = plain_text(raw_text, bot_user_id=bot_user_id)
    ts = _s(event.get("ts")) or None
    thread = _s(event.get("thread_ts")) or None
    kind = kind_of(channel, event.get("channel_type"))
    addressed = True
    if event.get("type") == "app_mention":
        if kind == ConversationKind.PERSONAL:
            return None  # DMs arrive as message.im; never answer twice
        thread = thread or ts  # answer a mention in its thread, starting one if needed
        text = spoken_text(text, is_command=is_command)
    elif event.get("type") != "message":
        return None
    elif kind == ConversationKind.PERSONAL:
        text = spoken_text(text, is_command=is_command)
    elif not thread or thread == ts:
        return None  # top-level channel chatter: the bot answers only when mentioned
    elif bot_user_id and f"<@{bot_user_id}" in raw_text:
        return None  # the same message arrives as app_mention: answer it once, as a question
    else:
        addressed = False  # a reply in a thread: maybe an answer to a relayed question
    team_id = _s(body.get("team_id"))
    inbound_event = MessageReceived(
        platform=Platform.SLACK, event_id=_event_id(body, channel, ts),
        conversation=_conversation(channel, kind, team_id, user_id, thread),
        sender=_sender(user_id, team_id), raw=body,
        text=text, message_id=ts, reply_to_message_id=thread if thread != ts else None,
        addressed=addressed, attachments=files_of(event),
    )
    route = ReplyRoute(channel=channel, user_id=user_id, thread_ts=thread)
    return Inbound(inbound_event, route, _teams(team_id, _user_team(event)))


def files_of(message: Mapping[str, Any]) -> tuple[Attachment, ...]:
    """Files shared with a message, as links people of the workspace can open."""
    files = message.get("files")
    if not isinstance(files, list):
        return ()
    return tuple(
        Attachment(name=_s(f.get("name")) or _s(f.get("title")) or "file",
                   url=_s(f.get("permalink")) or None, mime=_s(f.get("mimetype")))
        for f in files if isinstance(f, Mapping)
    )


def _edited(body: Mapping[str, Any], event: Mapping[str, Any],
            bot_user_id: str | None) -> Inbound | None:
    """``message_changed``: a person edited their message (not an unfurl or a thread count)."""
    message, previous = _mapping(event.get("message")), _mapping(event.get("previous_message"))
    user_id, channel, ts = _s(message.get("user")), _s(event.get("channel")), _s(message.get("ts"))
    if (not user_id or not channel or not ts or message.get("bot_id")
            or user_id == bot_user_id or message.get("subtype") not in _PERSON_SUBTYPES):
        return None
    text = plain_text(_s(message.get("text")), bot_user_id=bot_user_id)
    if previous and plain_text(_s(previous.get("text")), bot_user_id=bot_user_id) == text:
        return None
    team_id = _s(body.get("team_id"))
    thread = _s(message.get("thread_ts")) or None
    kind = kind_of(channel, event.get("channel_type"))
    edited = MessageEdited(
        platform=Platform.SLACK, event_id=_event_id(body, channel, ts),
        conversation=_conversation(channel, kind, team_id, user_id, thread),
        sender=_sender(user_id, team_id), raw=body,
        message_id=ts, text=text,
    )
    route = ReplyRoute(channel=channel, user_id=user_id, thread_ts=thread)
    return Inbound(edited, route, _teams(team_id, _user_team(message)))


def _deleted(body: Mapping[str, Any], event: Mapping[str, Any],
             bot_user_id: str | None) -> Inbound | None:
    """``message_deleted``: a person's message is gone."""
    previous = _mapping(event.get("previous_message"))
    user_id, channel = _s(previous.get("user")), _s(event.get("channel"))
    deleted = _s(event.get("deleted_ts")) or _s(previous.get("ts"))
    if not user_id or not channel or not deleted or previous.get("bot_id") or (
            user_id == bot_user_id):
        return None
    team_id = _s(body.get("team_id"))
    thread = _s(previous.get("thread_ts")) or None
    kind = kind_of(channel, event.get("channel_type"))
    gone = MessageDeleted(
        platform=Platform.SLACK, event_id=_event_id(body, channel, deleted),
        conversation=_conversation(channel, kind, team_id, user_id, thread),
        sender=_sender(user_id, team_id), raw=body,
        message_id=deleted,
    )
    route = ReplyRoute(channel=channel, user_id=user_id, thread_ts=thread)
    return Inbound(gone, route, _teams(team_id, _user_team(previous)))


def _conversation(channel: str, kind: ConversationKind, team_id: str, user_id: str,
                  thread: str | None) -> ConversationRef:
    personal = kind == ConversationKind.PERSONAL
    return ConversationRef(Platform.SLACK, channel, kind, thread_id=None if personal else thread,
                           tenant_id=team_id or None,
                           extra={"user_id": user_id} if personal else {})


def _event_id(body: Mapping[str, Any], channel: str, ts: str | None) -> str:
    return _s(body.get("event_id")) or f"event:{channel}:{ts}"


def _user_team(message: Mapping[str, Any]) -> str:
    return _s(message.get("user_team")) or _s(message.get("team"))


def from_block_actions(body: Mapping[str, Any]) -> Inbound | None:
    """A button press (``block_actions``); None when it carries no button value."""
    actions = body.get("actions")
    user = body.get("user")
    if not isinstance(actions, list) or not actions or not isinstance(user, Mapping):
        return None
    pressed = actions[0]
    value = _s(pressed.get("value")) if isinstance(pressed, Mapping) else ""
    user_id = _s(user.get("id"))
    if not value or not user_id:
        return None
    team_id = _s(_mapping(body.get("team")).get("id"))
    container = _mapping(body.get("container"))
    message = _mapping(body.get("message"))
    channel = _s(container.get("channel_id")) or _s(_mapping(body.get("channel")).get("id"))
    message_ts = _s(container.get("message_ts")) or _s(message.get("ts")) or None
    ephemeral = bool(container.get("is_ephemeral")) or not message
    if ephemeral or not channel:
        ref = personal_ref(user_id, team_id)
        thread = None
    else:
        thread = _s(message.get("thread_ts")) or None
        ref = _conversation(channel, kind_of(channel), team_id, user_id, thread)
    action, argument = Button.parse(value)
    trigger = _s(body.get("trigger_id")) or f"{pressed.get('action_ts')}:{user_id}"
    sender = _sender(user_id, team_id, _s(user.get("name")))
    event = ActionInvoked(platform=Platform.SLACK, event_id=f"action:{trigger}",
                          conversation=ref, sender=sender, raw=body, action=action,
                          value=argument, message_id=message_ts)
    route = ReplyRoute(channel=channel, user_id=user_id, thread_ts=thread,
                       response_url=_s(body.get("response_url")) or None, ephemeral=ephemeral,
                       message_ts=message_ts)
    return Inbound(event, route, _teams(team_id, _s(user.get("team_id"))))


def _sender(user_id: str, team_id: str, name: str = "", *, locale: str | None = None
            ) -> Sender:
    """A Slack user. Slack lets a bot open a DM with anyone in the workspace, so the user is
    reachable privately (for reminders, announcements, forum answers) also after writing
    only in a channel: ``private_ref`` is the DM to be opened by user id."""
    return Sender(Platform.SLACK, user_id, name, tenant_id=team_id or None, locale=locale,
                  private_ref=personal_ref(user_id, team_id))


def _teams(*ids: str | None) -> frozenset[str]:
    return frozenset(i for i in ids if i)


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _s(value: object) -> str:
    return value if isinstance(value, str) else ""
