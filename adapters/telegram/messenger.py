"""Sending to Telegram: the core's :class:`commands.ports.Messenger` over python-telegram-bot.

Every call goes through the shared per-chat rate limiter; a 429 pauses only its chat. Platform
errors are translated once (``errors.py``); a blocked bot marks the account unreachable and a
migrated group is moved in the store and the message re-sent to its new id.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable, Hashable
from typing import TypeVar

from telegram import Bot, LinkPreviewOptions, Message, ReplyParameters
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError

from adapters.ratelimit import KeyedRateLimiter, RetryPolicy, Window, call_with_limits
from adapters.telegram.bookkeeping import GONE_REASONS, chat_gone, chat_migrated
from adapters.telegram.errors import delivery_error, is_not_modified
from adapters.telegram.render import MAX_TEXT_LENGTH, RenderedChunk, render_message
from commands.model import (
    ConversationRef,
    OutboundMessage,
    Platform,
    Priority,
    SentMessage,
)
from commands.ports import Capabilities, Moved, Rejected, Unreachable
from store.db import Database

__all__ = ["TelegramMessenger", "telegram_limiter"]

log = logging.getLogger(__name__)
T = TypeVar("T")

_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


def telegram_limiter(*, per_second: int = 30, per_chat_in_3s: int = 3) -> KeyedRateLimiter:
    """Telegram's flood limits: ≈1 message/s per chat (short bursts allowed: ``per_chat_in_3s``
    in any 3 s, ``[telegram] chat_messages_per_three_seconds``), 20/min per group,
    ``per_second`` overall (evenly spaced)."""

    def per_chat(key: Hashable) -> tuple[Window, ...]:
        # 3 in 3 s by default: ≤ 1/s on average, and a reply split in 3 is not held back.
        chat = (Window(per_chat_in_3s, 3.0),)
        if isinstance(key, str) or (isinstance(key, int) and key < 0):
            return (*chat, Window(20, 61.0))  # groups, supergroups, channels
        return chat

    # Overall, calls are spaced evenly, 2 % under the limit. Telegram counts arrivals in any
    # second: a train of `per_second` calls booked at once reaches it spread out by the event
    # loop and overlaps the next train (429s and idle gaps, about 10 % lost at 30/s); evenly
    # spaced calls need only a small margin for that jitter, and a call the busy event loop
    # wakes more than that margin (20 ms of a second) late is booked once more.
    return KeyedRateLimiter(per_key=per_chat, overall=(Window(1, 1.02 / per_second),),
                            late_after=0.02)


class TelegramMessenger:
    """Own-initiative and reply sending to Telegram chats and forum topics."""

    platform = Platform.TELEGRAM
    # Telegram has nothing louder than a normal notification: URGENT gets that (with sound).
    capabilities = Capabilities(max_text_length=MAX_TEXT_LENGTH, buttons=True, threads=True,
                                edit=True, silent=True, alert=True, delete=True)

    def __init__(self, *, bot: Bot, db: Database, limiter: KeyedRateLimiter,
                 policy: RetryPolicy | None = None) -> None:
        self._bot = bot
        self._db = db
        self._limiter = limiter
        self.rate_limits = limiter.watch  # the 429s it waits out, for whoever counts them
        # A reply is never given up for 429s alone: each one waits Telegram's retry_after.
        self._policy = policy or RetryPolicy(max_rate_limited=100)

    async def send(self, ref: ConversationRef, message: OutboundMessage, *,
                   reply_to: str | None = None) -> SentMessage:
        """Deliver ``message`` (split if long) into ``ref`` and its topic; the id returned is
        the last chunk's, the one carrying the buttons. ``reply_to`` quotes a message."""
        chunks = render_message(message)
        if not chunks:
            raise Rejected("empty")
        reply_to = reply_to or message.reply_to  # a forum answer mirrored into its thread
        quiet = message.priority == Priority.QUIET
        try:
            return await self._send_chunks(ref, chunks, quiet=quiet, reply_to=reply_to)
        except Moved as moved:
            await chat_migrated(self._db, ref.conversation_id, moved.new_ref.conversation_id)
            return await self._send_chunks(moved.new_ref, chunks, quiet=quiet, reply_to=None)

    async def edit(self, sent: SentMessage, message: OutboundMessage) -> None:
        """Replace a message the bot sent; what does not fit in it follows as new messages."""
        ref = sent.conversation
        chunks = render_message(message)
        if not chunks:
            raise Rejected("empty")
        first = chunks[0]

        async def edit() -> None:
            try:
                await self._bot.edit_message_text(
                    first.html, chat_id=_chat_id(ref), message_id=int(sent.message_id),
                    parse_mode=ParseMode.HTML, reply_markup=first.keyboard,
                    link_preview_options=_NO_PREVIEW,
                )
            except TelegramError as exc:
                if not is_not_modified(exc):
                    raise

        await self._limited(ref, edit)
        if len(chunks) > 1:
            await self._send_chunks(ref, chunks[1:], quiet=True, reply_to=None)

    async def delete(self, sent: SentMessage) -> None:
        """Remove a message the bot sent. Telegram refuses for messages older than 48 hours
        in groups (:class:`Rejected`: the caller then replaces the text instead); one that is
        already gone counts as removed."""
        ref = sent.conversation

        async def delete() -> None:
            try:
                await self._bot.delete_message(_chat_id(ref), int(sent.message_id))
            except BadRequest as exc:
                if "message to delete not found" not in exc.message.lower():
                    raise

        await self._limited(ref, delete)

    async def leave(self, ref: ConversationRef) -> None:
        """Leave a group (an unregistered one); it is then recorded as inactive."""
        with contextlib.suppress(Unreachable):  # already out: _limited recorded it
            await self._limited(ref, lambda: self._bot.leave_chat(_chat_id(ref)))
        await chat_gone(self._db, ref.in_thread(None), "left")

    async def _send_chunks(self, ref: ConversationRef, chunks: list[RenderedChunk], *,
                           quiet: bool, reply_to: str | None) -> SentMessage:
        thread = int(ref.thread_id) if ref.thread_id else None
        last: Message | None = None
        for index, chunk in enumerate(chunks):
            quote = (ReplyParameters(int(reply_to), allow_sending_without_reply=True)
                     if reply_to and index == 0 else None)

            def call(chunk: RenderedChunk = chunk, quote: ReplyParameters | None = quote
                     ) -> Awaitable[Message]:
                return self._bot.send_message(
                    _chat_id(ref), chunk.html, parse_mode=ParseMode.HTML,
                    reply_markup=chunk.keyboard, message_thread_id=thread,
                    disable_notification=quiet, reply_parameters=quote,
                    link_preview_options=_NO_PREVIEW,
                )

            last = await self._limited(ref, call)
        assert last is not None
        return SentMessage(ref, str(last.message_id))

    async def _limited(self, ref: ConversationRef, call: Callable[[], Awaitable[T]]) -> T:
        """One API call within the chat's limits, errors translated; unreachable recorded."""

        async def attempt() -> T:
            try:
                return await call()
            except TelegramError as exc:
                raise delivery_error(exc, ref) from exc

        try:
            return await call_with_limits(attempt, limiter=self._limiter, key=_chat_id(ref),
                                          policy=self._policy)
        except Unreachable as exc:
            if exc.reason in GONE_REASONS:
                await chat_gone(self._db, ref.in_thread(None), exc.reason)
            raise


def _chat_id(ref: ConversationRef) -> int | str:
    """Chat ids are integers; ``@channelname`` stays text."""
    conversation = ref.conversation_id
    return int(conversation) if conversation.lstrip("-").isdigit() else conversation
