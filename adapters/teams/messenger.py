"""Sending into Teams: replies, proactive messages, updates — within the rate limits.

Implements :class:`commands.ports.Messenger`. A personal message with ``Priority.URGENT``
carries ``channelData.notification.alert = true`` (the feed/banner notice, subject to the
user's settings) — the strongest a bot may ask for: bots cannot send Teams "important" or
"urgent" messages. Teams has no silent delivery either, so QUIET and NORMAL are the same.
"""

from __future__ import annotations

import copy
import logging
from dataclasses import replace
from functools import partial
from typing import Any

from microsoft_agents.activity import Activity, Attachment, ChannelAccount, ConversationParameters
from sqlalchemy import select
from sqlmodel import col

from adapters.ratelimit import RetryPolicy
from adapters.teams.cards import ADAPTIVE_CARD, DEFAULT_BUDGET, CardPart, render_parts, split_part
from adapters.teams.connector import ConnectorClient, MessageNotFound, MessageTooLarge
from adapters.teams.limits import TeamsLimits
from adapters.teams.settings import TeamsSettings
from adapters.teams.translate import wire_id
from commands.model import (
    ConversationKind,
    ConversationRef,
    OutboundMessage,
    Platform,
    Priority,
    SentMessage,
)
from commands.ports import Capabilities, Rejected, Unreachable
from commands.reachability import record_unreachable
from store.db import Database
from store.models import Conversation, MessengerAccount
from store.people import (
    accounts_of,
    find_account,
)

log = logging.getLogger(__name__)

NO_REFERENCE = "not reachable in Teams: no conversation reference"


class TeamsMessenger:
    """Own-initiative and reply sending on Teams; errors are the neutral ``DeliveryError``s."""

    platform = Platform.TEAMS
    capabilities = Capabilities(
        max_text_length=DEFAULT_BUDGET // 4, buttons=True, threads=True, edit=True,
        silent=False, alert=True, delete=True,
    )

    def __init__(
        self,
        *,
        connector: ConnectorClient,
        limits: TeamsLimits,
        settings: TeamsSettings,
        db: Database,
        budget: int = DEFAULT_BUDGET,
    ) -> None:
        self._connector = connector
        self._limits = limits
        self.rate_limits = limits.watch  # the 429s it waits out (counted by the root)
        self._settings = settings
        self._db = db
        self._budget = budget

    def trying_once(self) -> TeamsMessenger:
        """This messenger (same connector and limits) without its own retries of failures:
        for replies, whose failures go to the outbox instead of holding the request."""
        view = copy.copy(self)
        view._limits = copy.copy(self._limits)  # shares the tenants' limiters
        view._limits._policy = RetryPolicy(max_attempts=1)  # 429s are still waited out
        return view

    # --- the Messenger port ------------------------------------------------------------------

    async def send(self, ref: ConversationRef, message: OutboundMessage, *,
                   reply_to: str | None = None) -> SentMessage:
        """Post ``message`` to a person's chat, a group chat, a channel (new thread) or a thread;
        ``reply_to`` answers that activity (a reply to someone's message).

        A failed delivery to a person or conversation that is gone (403/404) is recorded as
        unreachable with the reason, then raised as :class:`Unreachable`.
        """
        if ref.platform != Platform.TEAMS:
            raise Rejected("not a Teams conversation")
        if not ref.service_url:
            raise Unreachable(NO_REFERENCE)
        await self._connector.authorize()
        try:
            if ref.kind == ConversationKind.PERSONAL and not ref.conversation_id:
                ref = await self._open_personal_chat(ref)
            sent = await self.post(ref, message, reply_to=reply_to)
        except Unreachable as exc:
            await self._record_unreachable(ref, exc.reason)
            raise
        return sent[0]

    async def edit(self, sent: SentMessage, message: OutboundMessage) -> None:
        """Replace a message the bot sent (PUT); extra parts of a long message are appended."""
        await self.update(sent.conversation, sent.message_id, message)

    async def delete(self, sent: SentMessage) -> None:
        """Remove a message the bot sent; one that is already gone counts as removed."""
        ref = sent.conversation
        conversation = wire_id(ref)
        call = partial(self._connector.delete, ref.service_url or "", conversation,
                       sent.message_id)
        try:
            await self._limits.run(call, tenant_id=ref.tenant_id, conversation_id=conversation)
        except MessageNotFound:
            log.info("teams: message %s in %s was already gone", sent.message_id, ref.key)

    # --- used by the endpoint and the port ---------------------------------------------------

    async def post(
        self, ref: ConversationRef, message: OutboundMessage, *, reply_to: str | None = None
    ) -> list[SentMessage]:
        """Post a message (as one or more cards) into ``ref``; ``reply_to`` an activity id.

        ``message.reply_to`` answers an earlier post: in a channel that is its thread (the
        post is the thread's root), in a chat a reply to that activity.
        """
        if message.reply_to and not reply_to:
            if ref.kind == ConversationKind.CHANNEL and not ref.thread_id:
                ref = ref.in_thread(message.reply_to)
            elif ref.kind != ConversationKind.CHANNEL:
                reply_to = message.reply_to
        alert = message.priority == Priority.URGENT and ref.kind == ConversationKind.PERSONAL
        await self._connector.authorize()
        return await self._post_parts(ref, render_parts(message, budget=self._budget),
                                      reply_to=reply_to, alert=alert)

    async def update(self, ref: ConversationRef, activity_id: str, message: OutboundMessage
                     ) -> None:
        """Update the card ``activity_id`` in place with ``message``."""
        parts = render_parts(message, budget=self._budget)
        if not parts:
            return
        first, rest = parts[0], parts[1:]
        conversation = wire_id(ref)
        await self._connector.authorize()
        while True:
            call = partial(self._connector.update, ref.service_url or "", conversation,
                           activity_id, self._activity(first, ref, alert=False))
            try:
                await self._limits.run(call, tenant_id=ref.tenant_id,
                                       conversation_id=conversation)
                break
            except MessageTooLarge:
                smaller = self._smaller(first)
                first, rest = smaller[0], smaller[1:] + rest
        await self._post_parts(ref, rest, reply_to=None, alert=False)

    async def personal_ref(self, person_id: int) -> ConversationRef:
        """Where to write to a person privately; raises :class:`Unreachable` if nowhere.

        A linked account that never chatted privately gets a 1:1 chat created on the first
        send (Teams allows that when the app is installed for the user or their team).
        """
        async with self._db.session() as session:
            accounts = [
                a for a in await accounts_of(session, person_id)
                if a.platform == Platform.TEAMS.value
            ]
            accounts.sort(key=lambda a: (a.reachable, a.private_ref is not None, a.updated_at),
                          reverse=True)
            for account in accounts:
                if account.private_ref:
                    return ConversationRef.from_json(account.private_ref)
            for account in accounts:
                service_url = await _service_url_of_tenant(session, account.tenant_id)
                if service_url:
                    return ConversationRef(
                        platform=Platform.TEAMS, conversation_id="",
                        kind=ConversationKind.PERSONAL, tenant_id=account.tenant_id or None,
                        service_url=service_url, extra={"user_id": account.external_id},
                    )
        raise Unreachable(NO_REFERENCE)

    # --- internals -----------------------------------------------------------------------------

    def _activity(self, part: CardPart, ref: ConversationRef, *, alert: bool) -> Activity:
        data: dict[str, Any] = {}
        if ref.tenant_id:
            data["tenant"] = {"id": ref.tenant_id}
        if alert:
            data["notification"] = {"alert": True}
        activity = Activity(
            type="message",
            attachments=[Attachment(content_type=ADAPTIVE_CARD, content=part.card())],
            channel_data=data or None,
        )
        if part.summary:
            activity.summary = part.summary
        return activity

    async def _post_parts(
        self, ref: ConversationRef, parts: list[CardPart], *, reply_to: str | None, alert: bool
    ) -> list[SentMessage]:
        sent: list[SentMessage] = []
        queue = list(parts)
        while queue:
            part = queue.pop(0)
            try:
                if ref.kind == ConversationKind.CHANNEL and not ref.thread_id:
                    ref, activity_id = await self._new_thread(ref, part)
                else:
                    activity = self._activity(part, ref, alert=alert and not sent)
                    activity_id = await self._post_one(ref, activity, reply_to)
            except MessageTooLarge:
                queue[0:0] = self._smaller(part)
                continue
            sent.append(SentMessage(conversation=ref, message_id=activity_id))
        return sent

    async def _post_one(self, ref: ConversationRef, activity: Activity, reply_to: str | None
                        ) -> str:
        conversation = wire_id(ref)
        service_url = ref.service_url or ""
        if reply_to:
            call = partial(self._connector.reply, service_url, conversation, reply_to, activity)
        else:
            call = partial(self._connector.send, service_url, conversation, activity)
        return await self._limits.run(call, tenant_id=ref.tenant_id,
                                      conversation_id=conversation)

    async def _new_thread(self, ref: ConversationRef, part: CardPart
                          ) -> tuple[ConversationRef, str]:
        """A top-level post in a channel starts a thread: create it as a conversation."""
        activity = self._activity(part, ref, alert=False)
        parameters = ConversationParameters(
            is_group=True,
            bot=ChannelAccount(id=self._settings.bot_id),
            activity=activity,
            channel_data={"channel": {"id": ref.conversation_id},
                          **({"tenant": {"id": ref.tenant_id}} if ref.tenant_id else {})},
        )
        if ref.tenant_id:
            parameters.tenant_id = ref.tenant_id
        created = await self._limits.run(
            partial(self._connector.create_conversation, ref.service_url or "", parameters),
            tenant_id=ref.tenant_id, conversation_id=ref.conversation_id,
        )
        activity_id = created.activity_id or ""
        thread = (created.id or "").partition(";messageid=")[2] or activity_id
        return ref.in_thread(thread), activity_id

    async def _open_personal_chat(self, ref: ConversationRef) -> ConversationRef:
        """Create the 1:1 chat with a user and remember it on their account."""
        user_id = ref.extra.get("user_id", "")
        if not user_id or not ref.tenant_id:
            raise Unreachable(NO_REFERENCE)
        parameters = ConversationParameters(
            is_group=False,
            bot=ChannelAccount(id=self._settings.bot_id),
            members=[ChannelAccount(id=user_id)],
            tenant_id=ref.tenant_id,
            channel_data={"tenant": {"id": ref.tenant_id}},
        )
        created = await self._limits.run(
            partial(self._connector.create_conversation, ref.service_url or "", parameters),
            tenant_id=ref.tenant_id, conversation_id=user_id,
        )
        if not created.id:
            raise Unreachable(NO_REFERENCE)
        opened = replace(ref, conversation_id=created.id)
        async with self._db.session() as session:
            account = await find_account(session, Platform.TEAMS.value, ref.tenant_id, user_id)
            if account is not None:
                account.private_ref = opened.to_json()
                session.add(account)
            await session.commit()
        return opened

    def _smaller(self, part: CardPart) -> list[CardPart]:
        """After a 413: the same content in cards half the size (or give up)."""
        size = part.size()
        smaller = split_part(part, size // 2)
        if len(smaller) < 2:
            raise Rejected("message too large for Teams")
        log.info("teams: message over the size limit, split into %d parts", len(smaller))
        return smaller

    async def _record_unreachable(self, ref: ConversationRef, reason: str) -> None:
        if ref.kind == ConversationKind.PERSONAL and not ref.extra.get("user_id"):
            return  # a chat not opened yet: no account to mark by it
        await record_unreachable(self._db, ref, reason)


async def _service_url_of_tenant(session: Any, tenant_id: str) -> str | None:
    """A service URL the bot already talks to in ``tenant_id`` (it is per region)."""
    refs: list[str | None] = list(await session.scalars(
        select(col(Conversation.ref)).where(col(Conversation.platform) == Platform.TEAMS.value)
        .limit(200)))
    refs += list(await session.scalars(
        select(col(MessengerAccount.private_ref)).where(
            col(MessengerAccount.platform) == Platform.TEAMS.value,
            col(MessengerAccount.private_ref).is_not(None),
        ).limit(200)))
    for text in refs:
        if text is None:
            continue
        try:
            ref = ConversationRef.from_json(text)
        except (ValueError, KeyError):
            continue
        if (ref.tenant_id or "") == (tenant_id or "") and ref.service_url:
            return ref.service_url
    return None
