"""Teams activities → neutral events (pure functions, tested on the real payload samples)."""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from microsoft_agents.activity import Activity, AdaptiveCardInvokeValue
from microsoft_agents.activity.teams import TeamsChannelData
from pydantic import ValidationError

from commands.model import (
    ActionInvoked,
    Attachment,
    BotAdded,
    BotRemoved,
    ConversationKind,
    ConversationRef,
    MessageDeleted,
    MessageEdited,
    MessageReceived,
    Platform,
    Sender,
)
from commands.registry import CommandRegistry, command_key

EXECUTE_INVOKE = "adaptiveCard/action"
_MENTION = re.compile(r"(?:<at>|&lt;at&gt;)(.*?)(?:</at>|&lt;/at&gt;)", re.IGNORECASE | re.DOTALL)
_SPACES = re.compile(r"[ \t\u00a0\u200b]+")
_THREAD = ";messageid="
EDITED = frozenset({"editMessage", "undeleteMessage"})
DELETED = frozenset({"softDeleteMessage"})
CHANGE_EVENTS = EDITED | DELETED
"""``channelData.eventType`` of a person editing, deleting or restoring their message."""


@dataclass(frozen=True, slots=True)
class CommandWords:
    """Teams has no slash commands: the manifest's menu inserts ``kto``, ``pomoc``… as text.

    A first word that names a command becomes that command — when it is the whole message,
    or when the command takes arguments (so "pomoc społeczna w Skawinie" stays a question).
    """

    alone: frozenset[str]
    with_args: frozenset[str]

    @classmethod
    def from_registry(cls, registry: CommandRegistry) -> CommandWords:
        """Every command name, in both languages."""
        alone: set[str] = set()
        with_args: set[str] = set()
        for command in registry:
            takes_args = " " in command.usage_pl.strip()
            for name in command.names:
                alone.add(command_key(name))
                if takes_args:
                    with_args.add(command_key(name))
        return cls(frozenset(alone), frozenset(with_args))

    def as_command(self, text: str) -> str:
        """``kto odpady Wieliczka`` → ``/kto odpady Wieliczka``; anything else unchanged."""
        if not text or text.startswith("/"):
            return text
        head, _, rest = text.partition(" ")
        key = command_key(head)
        if (not rest.strip() and key in self.alone) or key in self.with_args:
            return "/" + text
        return text


@dataclass(frozen=True, slots=True)
class ChannelChange:
    """A channel of a team where the bot is installed was created, renamed or deleted."""

    channel_id: str
    name: str
    team_id: str
    active: bool


def channel_data(activity: Activity) -> TeamsChannelData:
    """Teams' ``channelData`` (tenant, team, channel, eventType), empty if unreadable."""
    try:
        return TeamsChannelData.model_validate(activity.channel_data or {})
    except ValidationError:
        return TeamsChannelData()


def tenant_of(activity: Activity) -> str:
    """The tenant the activity comes from (lower case), or "" if it names none."""
    data = channel_data(activity)
    tenant = (data.tenant.id if data.tenant else None) or (
        activity.conversation.tenant_id if activity.conversation else None
    )
    return (tenant or "").strip().lower()


def conversation_ref(activity: Activity, tenant_id: str) -> ConversationRef:
    """Where the activity happened, as a storable reference (a channel thread included)."""
    conversation = activity.conversation
    conversation_id = conversation.id if conversation and conversation.id else ""
    kind_name = (conversation.conversation_type or "") if conversation else ""
    data = channel_data(activity)
    extra: dict[str, str] = {}
    thread_id: str | None = None
    if kind_name == "channel" or (data.team is not None and kind_name != "groupChat"):
        kind = ConversationKind.CHANNEL
        conversation_id, _, thread = conversation_id.partition(_THREAD)
        thread_id = thread or None
        if data.team and data.team.id:
            extra["team_id"] = data.team.id
    elif kind_name == "groupChat" or (conversation is not None and conversation.is_group):
        kind = ConversationKind.GROUP
    else:
        kind = ConversationKind.PERSONAL
        if activity.from_property and activity.from_property.id:
            extra["user_id"] = activity.from_property.id
    return ConversationRef(
        platform=Platform.TEAMS,
        conversation_id=conversation_id,
        kind=kind,
        thread_id=thread_id,
        tenant_id=tenant_id or None,
        service_url=activity.service_url,
        extra=extra,
    )


def wire_id(ref: ConversationRef) -> str:
    """The conversation id to post to: a channel thread is ``channel;messageid=root``."""
    if ref.kind == ConversationKind.CHANNEL and ref.thread_id:
        return f"{ref.conversation_id}{_THREAD}{ref.thread_id}"
    return ref.conversation_id


def title_of(activity: Activity) -> str:
    """"Team › Channel" or the chat's name, for the conversation list admins see."""
    data = channel_data(activity)
    channel = (data.channel.name if data.channel else None) or (
        activity.conversation.name if activity.conversation else None
    )
    team = data.team.name if data.team else None
    return " › ".join(part for part in (team, channel) if part)


def sender_of(activity: Activity, tenant_id: str, *, email: str | None = None) -> Sender:
    """The account that sent the activity; ``email`` only as the Connector vouched for it.

    ``private_ref`` is the person's 1:1 chat with the bot, not opened yet: the messenger
    creates it on the first send (Teams allows it for members of a team that has the app),
    so someone who only ever wrote in a channel still gets their answers and reminders.
    """
    account = activity.from_property
    user_id = account.id if account and account.id else ""
    is_bot = user_id.startswith("28:") or bool(account and account.role == "bot")
    private_ref = None
    if user_id and not is_bot and tenant_id and activity.service_url:
        private_ref = ConversationRef(
            platform=Platform.TEAMS, conversation_id="", kind=ConversationKind.PERSONAL,
            tenant_id=tenant_id, service_url=activity.service_url, extra={"user_id": user_id},
        )
    return Sender(
        platform=Platform.TEAMS,
        user_id=user_id,
        display_name=(account.name or "") if account else "",
        tenant_id=tenant_id or None,
        locale=activity.locale,
        email=email,
        is_bot=is_bot,
        private_ref=private_ref,
    )


def message_text(activity: Activity) -> tuple[str, bool]:
    """The text with the bot's ``<at>`` mention removed (also when it arrives escaped),
    other mentions reduced to the name; and whether the bot was mentioned."""
    bot = activity.recipient
    bot_id = bot.id if bot else None
    bot_names = {bot.name.strip().lower()} if bot and bot.name else set()
    mentioned = False
    for mention in activity.get_mentions():
        if mention.mentioned and bot_id and mention.mentioned.id == bot_id:
            mentioned = True
            if mention.mentioned.name:
                bot_names.add(mention.mentioned.name.strip().lower())
            if mention.text:
                bot_names.add(_MENTION.sub(r"\1", mention.text).strip().lower())

    def replace(match: re.Match[str]) -> str:
        nonlocal mentioned
        name = html.unescape(match.group(1)).strip()
        if name.lower() in bot_names:
            mentioned = True
            return " "
        return f" {name} "

    text = _MENTION.sub(replace, activity.text or "")
    text = html.unescape(text)
    lines = [_SPACES.sub(" ", line).strip() for line in text.replace("\r", "").split("\n")]
    return "\n".join(line for line in lines if line).strip(), mentioned


def card_action(value: Any) -> tuple[str, str] | None:
    """``(action, value)`` from a pressed button's data; None if it is not a card action."""
    if not isinstance(value, Mapping):
        return None
    action = value.get("action") or value.get("verb") or ""
    argument = value.get("value", "")
    return str(action)[:100], "" if argument is None else str(argument)[:200]


def message_event(
    activity: Activity,
    ref: ConversationRef,
    sender: Sender,
    words: CommandWords,
    *,
    raw: Mapping[str, Any],
) -> MessageReceived | ActionInvoked:
    """A ``message``: typed text, a menu command, or an ``Action.Submit`` press.

    In a channel with the ``ChannelMessage.Read.Group`` permission Teams also delivers
    messages that do not mention the bot: they are passed on unaddressed (a reply in a
    thread may answer a forum question the bot relayed there), and are never read as a
    menu command — commands still need the mention.
    """
    text, mentioned = message_text(activity)
    pressed = card_action(activity.value) if activity.value is not None else None
    if pressed is not None and not text:
        return ActionInvoked(
            platform=Platform.TEAMS, event_id=activity.id or "", conversation=ref,
            sender=sender, raw=raw, action=pressed[0], value=pressed[1],
            message_id=activity.reply_to_id,
        )
    addressed = ref.kind == ConversationKind.PERSONAL or mentioned
    # Every channel message names its thread's root; a new post roots its own thread.
    root = ref.thread_id if ref.thread_id != activity.id else None
    return MessageReceived(
        platform=Platform.TEAMS, event_id=activity.id or "", conversation=ref, sender=sender,
        raw=raw, text=words.as_command(text) if addressed else text, message_id=activity.id,
        reply_to_message_id=activity.reply_to_id or root, addressed=addressed,
        attachments=files_of(activity),
    )


def change_event(
    activity: Activity, ref: ConversationRef, sender: Sender, *, raw: Mapping[str, Any]
) -> MessageEdited | MessageDeleted | None:
    """``messageUpdate`` / ``messageDelete``: a person edited, restored or deleted a message.

    The changed message is the activity's own ``id``. Every change gets its own event id
    (an edit and a later edit of the same message are two events; a redelivery is one).
    """
    if not activity.id:
        return None
    event = channel_data(activity).event_type or ""
    kind = activity.type
    text, _mentioned = message_text(activity)
    moment = activity.timestamp.isoformat() if activity.timestamp else hashlib.sha256(
        text.encode()).hexdigest()[:16]
    event_id = f"{event or kind}:{activity.id}:{moment}"
    if event in DELETED or (kind == "messageDelete" and not event):
        return MessageDeleted(platform=Platform.TEAMS, event_id=event_id, conversation=ref,
                              sender=sender, raw=raw, message_id=activity.id)
    if event in EDITED or (kind == "messageUpdate" and not event):
        return MessageEdited(platform=Platform.TEAMS, event_id=event_id, conversation=ref,
                             sender=sender, raw=raw, message_id=activity.id, text=text)
    return None


def files_of(activity: Activity) -> tuple[Attachment, ...]:
    """Files and images sent with a message (not the HTML copy of the text, not cards)."""
    files: list[Attachment] = []
    for attachment in activity.attachments or []:
        kind = attachment.content_type or ""
        if kind.startswith("text/") or kind.startswith("application/vnd.microsoft.card"):
            continue
        content = attachment.content if isinstance(attachment.content, Mapping) else {}
        url = content.get("downloadUrl") or attachment.content_url
        files.append(Attachment(
            name=str(attachment.name or content.get("name") or kind)[:200],
            url=str(url) if url else None,
            mime=str(content.get("fileType") or kind)[:100],
        ))
    return tuple(files)


def execute_event(
    activity: Activity, ref: ConversationRef, sender: Sender, *, raw: Mapping[str, Any]
) -> ActionInvoked | None:
    """An ``Action.Execute`` press (invoke ``adaptiveCard/action``); None if unreadable."""
    try:
        invoke = AdaptiveCardInvokeValue.model_validate(activity.value or {})
    except ValidationError:
        return None
    if invoke.action is None:
        return None
    data = dict(invoke.action.data or {})
    if invoke.action.verb and "action" not in data:
        data["action"] = invoke.action.verb
    pressed = card_action(data)
    if pressed is None:
        return None
    return ActionInvoked(
        platform=Platform.TEAMS, event_id=activity.id or "", conversation=ref, sender=sender,
        raw=raw, action=pressed[0], value=pressed[1], message_id=activity.reply_to_id,
    )


def membership_event(
    activity: Activity, ref: ConversationRef, sender: Sender, *, raw: Mapping[str, Any]
) -> BotAdded | BotRemoved | None:
    """``conversationUpdate``: the bot itself was added to or removed from a conversation."""
    bot_id = activity.recipient.id if activity.recipient else None
    if not bot_id:
        return None
    personal = ref.kind == ConversationKind.PERSONAL

    def is_bot(member_id: str | None) -> bool:
        # Only this bot can join a person's chat with it; elsewhere match the exact id.
        return member_id == bot_id or (personal and (member_id or "").startswith("28:"))

    added = any(is_bot(m.id) for m in activity.members_added or [])
    removed = any(is_bot(m.id) for m in activity.members_removed or [])
    if not (added or removed):
        return None
    kind = BotAdded if added else BotRemoved
    return kind(platform=Platform.TEAMS, event_id=activity.id or "",
                conversation=ref.in_thread(None), sender=sender, raw=raw)


def channel_change(activity: Activity) -> ChannelChange | None:
    """``conversationUpdate`` events about a team's channels."""
    data = channel_data(activity)
    event = data.event_type or ""
    if event not in ("channelCreated", "channelRenamed", "channelRestored", "channelDeleted"):
        return None
    if data.channel is None or not data.channel.id:
        return None
    team = data.team.name if data.team and data.team.name else ""
    name = " › ".join(p for p in (team, data.channel.name or "") if p)
    return ChannelChange(
        channel_id=data.channel.id, name=name, team_id=data.team.id if data.team else "",
        active=event != "channelDeleted",
    )
