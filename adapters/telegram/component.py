"""The running Telegram adapter: start-up, polling or webhook, and answering updates."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Hashable, Mapping
from dataclasses import replace as dataclass_replace
from functools import partial
from typing import Any, TypeVar

from aiohttp import web
from telegram import Bot
from telegram.error import BadRequest, InvalidToken, NetworkError, TelegramError
from telegram.request import HTTPXRequest

from adapters.lifecycle import DOWN, Health, StartupError
from adapters.ratelimit import RetryPolicy
from adapters.telegram.bookkeeping import chat_back, chat_gone, chat_migrated
from adapters.telegram.config import TelegramConfig
from adapters.telegram.dispatch import OrderedDispatcher
from adapters.telegram.menu import MENU_LANGUAGES, command_menu
from adapters.telegram.messenger import TelegramMessenger, telegram_limiter
from adapters.telegram.polling import Poller
from adapters.telegram.redaction import LogRedaction
from adapters.telegram.translate import (
    ALLOWED_UPDATES,
    BotIdentity,
    ChatMigration,
    Translated,
    UnusableUpdate,
    callback_query_id,
    translate_update,
)
from adapters.telegram.transport import AiohttpRequest
from adapters.telegram.webhook import WebhookReceiver
from commands.config_schema import setting_name
from commands.context import Reply
from commands.core import Core
from commands.model import (
    ActionInvoked,
    BotAdded,
    BotRemoved,
    ConversationKind,
    InboundEvent,
    MessageReceived,
    Platform,
)
from commands.ports import EDIT, Outbound, OutboundKind, Outgoing, Planned
from store.availability import is_outage
from store.db import Database

__all__ = ["TelegramComponent"]

log = logging.getLogger(__name__)
T = TypeVar("T")

_CORE_CONCURRENCY = 8  # events in the core at once (each holds a database connection)
_STARTUP_ATTEMPTS = 5


class TelegramComponent:
    """Telegram for the service: ``start()`` registers the menu and begins polling (or sets
    the webhook); every update is translated, handed to the core and its reply delivered."""

    name = "telegram"

    def __init__(self, *, core: Core, db: Database, config: TelegramConfig,
                 bot: Bot | None = None) -> None:
        self._core = core
        self._db = db
        self._config = config
        self._redaction = LogRedaction(config.token)
        self.bot = bot or Bot(
            config.token, base_url=config.bot_base_url,
            request=AiohttpRequest(connection_pool_size=64, read_timeout=15.0),
            get_updates_request=HTTPXRequest(connection_pool_size=2,
                                             read_timeout=config.poll_timeout + 10.0),
        )
        limiter = telegram_limiter(per_second=config.max_messages_per_second,
                                   per_chat_in_3s=config.chat_messages_per_three_seconds)
        self.messenger = TelegramMessenger(bot=self.bot, db=db, limiter=limiter)
        # Replies: outbox rows sent at once through a messenger that tries once (429s still
        # waited out); what Telegram does not take, the delivery worker sends later.
        self._outbound = _outbound_of(core)
        self._outbound.register(Platform.TELEGRAM.value, TelegramMessenger(
            bot=self.bot, db=db, limiter=limiter,
            policy=RetryPolicy(max_attempts=1, max_rate_limited=100)))
        self.identity: BotIdentity | None = None
        self.received = 0  # raw updates taken so far, usable or not (a figure for monitoring)
        # Two stages, each in order per chat: the core records an update (the webhook and
        # the poller wait for that, not for the reply), then its reply is sent.
        self._dispatcher = OrderedDispatcher[_Taken](handle=self._process)
        self._replies = OrderedDispatcher[tuple[InboundEvent, Reply]](handle=self._answer_with)
        self._in_core = asyncio.Semaphore(_CORE_CONCURRENCY)
        self._poller = Poller(bot=self.bot, timeout=config.poll_timeout,
                              allowed_updates=ALLOWED_UPDATES, deliver=self.receive,
                              room=self._room)
        self._poll_task: asyncio.Task[None] | None = None
        self._webhook = (WebhookReceiver(secret=config.webhook_secret, accept=self.receive)
                         if config.mode == "webhook" else None)

    # --- life cycle --------------------------------------------------------------------------

    def routes(self) -> list[web.RouteDef]:
        """``POST /telegram/webhook`` in webhook mode; nothing when polling."""
        return self._webhook.routes() if self._webhook else []

    async def start(self) -> None:
        """Learn who the bot is, register the menu, then poll or set the webhook.

        Raises :class:`StartupError` naming the setting to check; the service then retries
        in the background, so a second call must work (it does: nothing is half-open)."""
        try:
            await self._start()
        except InvalidToken:
            raise StartupError("telegram.token", "Telegram does not accept this token "
                               "(see @BotFather)") from None
        except BadRequest as exc:  # a NetworkError subclass in PTB: check it first
            key = "telegram.webhook_url" if self._webhook is not None else "telegram.token"
            raise StartupError(key, f"Telegram refused: {self._redacted(exc)}") from None
        except NetworkError as exc:
            raise StartupError("telegram.api_base_url",
                               f"the Telegram Bot API at {self._config.api_base_url} is not "
                               f"reachable ({self._redacted(exc)})") from None

    def _redacted(self, exc: Exception) -> str:
        lines = str(exc).strip().splitlines() or [type(exc).__name__]
        return lines[0].replace(self._config.token, "<token>")[:200]

    def health(self) -> Health | None:
        """Down when polling has stopped for good (the token was revoked)."""
        task = self._poll_task
        if task is not None and task.done() and not task.cancelled() and task.exception():
            return Health(DOWN, check=setting_name("telegram.token"),
                          problem="polling stopped: Telegram no longer accepts the token")
        return None

    async def _start(self) -> None:
        # getMe once: when it fails the service retries start() with its own backoff.
        await self.bot.initialize()
        me = self.bot.bot
        configured = self._config.bot_username
        if configured and configured.lower() != (me.username or "").lower():
            log.warning("telegram.bot_username %s differs from getMe's %s; using getMe's",
                        configured, me.username)
        self.identity = BotIdentity(me.id, me.username or configured)
        await self._register_menu()
        allowed = list(ALLOWED_UPDATES)
        if self._webhook is not None:
            await _retrying(lambda: self.bot.set_webhook(
                self._config.webhook_url, secret_token=self._config.webhook_secret,
                allowed_updates=allowed))
            log.info("telegram bot @%s: webhook set", me.username)
        else:
            # getUpdates fails while a webhook is set; pending updates are kept.
            await _retrying(lambda: self.bot.delete_webhook(drop_pending_updates=False))
            self._poll_task = asyncio.create_task(self._poller.run(), name="telegram-polling")
            log.info("telegram bot @%s: polling", me.username)

    async def stop(self) -> None:
        """Stop fetching, finish what was received, confirm it, close the client."""
        if self._poll_task is not None:
            self._poll_task.cancel()
            await asyncio.gather(self._poll_task, return_exceptions=True)
            self._poll_task = None
        await self.drain()
        if self._webhook is None:
            await self._poller.confirm()
        try:
            await self.bot.shutdown()
        finally:
            self._redaction.remove()

    async def _register_menu(self) -> None:
        registry = self._core.registry
        for lang, code in MENU_LANGUAGES:
            try:
                await _retrying(partial(self.bot.set_my_commands, command_menu(registry, lang),
                                        language_code=code or None))
            except BadRequest as exc:  # the bot works without a menu: say so and go on
                log.warning("telegram menu (%s) not registered: %s", code or "default", exc)

    # --- inbound -----------------------------------------------------------------------------

    async def receive(self, update: Mapping[str, Any]) -> bool:
        """Take one raw update (from polling or the webhook) and wait until it is recorded:
        True once the core has handled it (its reply follows) or it needs nothing; False if
        the bot is not ready or the database could not record it — then Telegram must deliver
        it again (the webhook answers 503, the poller keeps its offset)."""
        if self.identity is None:
            return False
        self.received += 1
        update_id = update.get("update_id")
        try:
            event = translate_update(update, bot=self.identity)
        except UnusableUpdate as exc:
            log.warning("telegram update %s skipped: %s", update_id, exc)
            return True
        except Exception:  # a payload shape nobody foresaw must not stop the bot
            log.exception("telegram update %s skipped: translation failed", update_id)
            return True
        if event is None:
            log.debug("telegram update %s: nothing to do", update_id)
            return True
        recorded: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._dispatcher.submit(_order_key(event), (event, recorded))
        return await recorded

    async def drain(self) -> None:
        """Wait until every update received so far has been answered (tests, shutdown)."""
        while self._dispatcher.pending or self._replies.pending:
            await self._dispatcher.drain()
            await self._replies.drain()

    async def _room(self) -> None:
        await self._dispatcher.room()
        await self._replies.room()

    async def _process(self, item: _Taken) -> None:
        """The core's stage: record the update (bookkeeping, dedupe, the handler's writes)."""
        event, recorded = item
        try:
            if isinstance(event, ChatMigration):
                await chat_migrated(self._db, event.old_chat_id, event.new_chat_id)
                _settle(recorded, True)
                return
            await self._record(event)
            async with self._in_core:
                reply = await self._core.handle_recorded(event, plan=partial(_plan, event))
        except Exception as exc:
            if not is_outage(exc):
                _settle(recorded, True)  # a bug: logged; redelivery would not help
                raise
            log.warning("telegram update %s not recorded (database unavailable); Telegram "
                        "delivers it again", event.event_id if isinstance(
                            event, InboundEvent) else "migration")
            _settle(recorded, False)
            return
        _settle(recorded, True)
        self._replies.submit(_order_key(event), (event, reply))

    async def _answer_with(self, item: tuple[InboundEvent, Reply]) -> None:
        await self._deliver(*item)

    async def _deliver(self, event: InboundEvent, reply: Reply) -> None:
        ref = event.conversation
        query_id = callback_query_id(event)
        if query_id is not None:  # first, so the button stops spinning
            # Not an outbox row: Telegram accepts a callback answer only within seconds of
            # the press, as part of answering it.
            await self._answer(query_id, reply.notice)
        if reply.staged is not None:  # recorded with the update: send now
            await self._outbound.send_staged(reply.staged)
        else:  # an update the core did not record (no id): recorded and sent here
            await self._outbound.send_now(_plan(event, reply), kind=OutboundKind.REPLY,
                                          key=event.event_id)
        if reply.leave:
            await self.messenger.leave(ref)
            log.info("telegram: left unregistered chat %s", ref.conversation_id)

    async def _answer(self, query_id: str, notice: str) -> None:
        try:
            await self.bot.answer_callback_query(query_id, text=notice[:200] or None)
        except TelegramError as exc:  # too late or answered before (a redelivery)
            log.info("telegram callback query not answered: %s", type(exc).__name__)

    async def _record(self, event: InboundEvent) -> None:
        """What membership changes mean for the store."""
        ref = event.conversation
        personal = ref.kind == ConversationKind.PERSONAL
        if isinstance(event, BotRemoved):
            await chat_gone(self._db, ref, "blocked" if personal else "removed")
        elif isinstance(event, BotAdded) and personal:
            await chat_back(self._db, event.sender.user_id)


def _plan(event: InboundEvent, reply: Reply) -> list[Planned]:
    """Telegram's hooks of the way out: a page turned edits the pressed message (sent anew
    if too old to edit); a group answer quotes the question."""
    ref = event.conversation
    items: list[Outgoing] = []
    messages = list(reply.messages)
    if isinstance(event, ActionInvoked) and reply.replace and event.message_id and messages:
        items.append(Outgoing(messages.pop(0), EDIT, event.message_id))
    quote = (event.message_id if isinstance(event, MessageReceived)
             and ref.kind != ConversationKind.PERSONAL else None)
    for message in messages:
        if quote and not message.reply_to:
            message = dataclass_replace(message, reply_to=quote)
        items.append(Outgoing(message))
        quote = None
    return [Planned(ref, item) for item in items]


def _outbound_of(core: Core) -> Outbound:
    """The way out the composition root gave the core."""
    outbound = core.services.outbound
    if outbound is None:
        raise RuntimeError("the core has no outbound path (Services.outbound)")
    return outbound


_Taken = tuple[Translated, "asyncio.Future[bool]"]
"""An update on its way through the core, with the future its receiver waits on."""


def _order_key(event: Translated) -> Hashable:
    """Updates of one chat are handled in order; a migration goes with the new chat, so the
    new supergroup's first messages wait until its registration has moved over."""
    if isinstance(event, ChatMigration):
        return str(event.new_chat_id)
    return event.conversation.conversation_id


async def _retrying(call: Callable[[], Awaitable[T]]) -> T:
    """A start-up call, retried a few times while the network is down."""
    for attempt in range(1, _STARTUP_ATTEMPTS + 1):
        try:
            return await call()
        except BadRequest:
            raise
        except NetworkError as exc:
            if attempt == _STARTUP_ATTEMPTS:
                raise
            delay = random.uniform(0.5, 2.0 ** attempt)
            log.warning("telegram start-up call failed (%s); retry in %.1fs",
                        type(exc).__name__, delay)
            await asyncio.sleep(delay)
    raise AssertionError("unreachable")


def _settle(recorded: asyncio.Future[bool], value: bool) -> None:
    """Tell the waiting receiver whether the update was recorded. At shutdown the receiver
    may have been cancelled already; the update's reply must still be queued, so a cancelled
    future is no reason to stop."""
    if not recorded.done():
        recorded.set_result(value)
