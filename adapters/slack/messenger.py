"""Writing on Slack on the bot's own initiative: DMs, registered channels, edits, deletions.

Priority: Slack gives a bot no per-message notification control. QUIET and NORMAL messages
are posted without any mention (a DM still notifies as the person set it up); URGENT
messages meant for a person go to their DM, the strongest notification Slack allows a bot
(a push to the phone by default). ``<!channel>`` / ``<!here>`` are never used.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from adapters.slack.blocks import BLOCK_TEXT_BUDGET, render, render_one
from adapters.slack.sender import SlackSender
from adapters.slack.translate import personal_ref
from commands.model import (
    ConversationKind,
    ConversationRef,
    OutboundMessage,
    Platform,
    SentMessage,
)
from commands.ports import Capabilities, Unreachable
from commands.reachability import record_unreachable
from store.db import Database
from store.people import find_account

log = logging.getLogger(__name__)

CAPABILITIES = Capabilities(
    max_text_length=BLOCK_TEXT_BUDGET,  # longer texts are split over several messages
    buttons=True, threads=True, edit=True, delete=True,
    silent=False,  # no per-message control: a DM always notifies as the person chose
    alert=True,  # URGENT to a person: their DM
)


class SlackMessenger:
    """:class:`commands.ports.Messenger` for Slack.

    A personal reference may name the ``D…`` DM channel or just the user (``U…``, see
    :func:`personal_ref`); the DM is then opened with ``conversations.open`` and its id kept
    in the account's stored reference. Unreachable targets are recorded with the reason.
    """

    platform = Platform.SLACK
    capabilities = CAPABILITIES

    def __init__(self, *, sender: SlackSender, db: Database) -> None:
        self._sender = sender
        self.rate_limits = sender.rate_limits  # the 429s it waits out (counted by the root)
        self._db = db
        self._dms: dict[str, str] = {}  # user id -> DM channel id

    @staticmethod
    def person_ref(user_id: str, team_id: str | None) -> ConversationRef:
        """Where to DM a Slack user whose account has no stored reference yet."""
        return personal_ref(user_id, team_id)

    async def send(self, ref: ConversationRef, message: OutboundMessage) -> SentMessage:
        """Post ``message`` (several Slack messages if it is over the limits), in the thread
        of ``message.reply_to`` or of the reference, if any."""
        thread = message.reply_to or ref.thread_id
        try:
            channel = await self._channel(ref)
            first = ""
            for part in render(message):
                channel, ts = await self._sender.post(channel, part, thread_ts=thread)
                first = first or ts
        except Unreachable as exc:
            await self._record_unreachable(ref, exc.reason)
            raise
        resolved = ref if ref.conversation_id == channel else replace(ref, conversation_id=channel)
        return SentMessage(resolved, first)

    async def edit(self, sent: SentMessage, message: OutboundMessage) -> None:
        """``chat.update`` the message with what ``message`` looks like now."""
        ref = sent.conversation
        try:
            channel = await self._channel(ref)
            await self._sender.update(channel, sent.message_id, render_one(message))
        except Unreachable as exc:
            await self._record_unreachable(ref, exc.reason)
            raise

    async def delete(self, sent: SentMessage) -> None:
        """``chat.delete`` a message the bot sent (a relayed answer deleted at its source)."""
        ref = sent.conversation
        try:
            await self._sender.delete(await self._channel(ref), sent.message_id)
        except Unreachable as exc:
            await self._record_unreachable(ref, exc.reason)
            raise

    def remember_dm(self, user_id: str, channel: str) -> None:
        """A DM channel seen on the way in: no ``conversations.open`` needed for it later."""
        if channel.startswith("D"):
            self._dms[user_id] = channel

    async def _channel(self, ref: ConversationRef) -> str:
        if ref.kind != ConversationKind.PERSONAL or ref.conversation_id.startswith("D"):
            return ref.conversation_id
        user = ref.extra.get("user_id") or ref.conversation_id
        channel = self._dms.get(user)
        if channel is None:
            channel = await self._sender.open_dm(user)
            self._dms[user] = channel
            await self._store_dm(ref, user, channel)
        return channel

    async def _store_dm(self, ref: ConversationRef, user: str, channel: str) -> None:
        """Keep the DM's id in the account's private reference for the next proactive send."""
        stored = ConversationRef(Platform.SLACK, channel, ConversationKind.PERSONAL,
                                 tenant_id=ref.tenant_id, extra={"user_id": user})
        async with self._db.session() as session:
            account = await find_account(session, Platform.SLACK.value, ref.tenant_id or "", user)
            if account is not None and account.private_ref != stored.to_json():
                account.private_ref = stored.to_json()
                session.add(account)
            await session.commit()

    async def _record_unreachable(self, ref: ConversationRef, reason: str) -> None:
        if ref.kind == ConversationKind.PERSONAL:
            self._dms.pop(ref.extra.get("user_id") or ref.conversation_id, None)
        await record_unreachable(self._db, ref, reason)
