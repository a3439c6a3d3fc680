"""The Slack adapter as a service component: one Bolt app behind HTTP or Socket Mode.

Both transports feed the same Bolt listeners, so they produce identical core events. Every
listener acknowledges at once (Slack's 3-second rule) and hands the work to a task of its
own; the answer follows through ``response_url`` or ``chat.postMessage``.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Coroutine
from dataclasses import replace
from functools import partial
from typing import Any

import aiohttp
from aiohttp import web
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.lifecycle import DEGRADED, Health, StartupError
from adapters.slack.config import EVENTS_PATH, SlackConfig
from adapters.slack.messenger import SlackMessenger
from adapters.slack.proxy import proxy_for
from adapters.slack.replies import ReplyDelivery
from adapters.slack.sender import SlackSender
from adapters.slack.texts import slack_text
from adapters.slack.translate import Inbound, from_block_actions, from_command, from_event
from adapters.slack.users import SlackUsers
from adapters.slack.webhook import NOT_RECORDED, EventsEndpoint
from commands.config_schema import setting_name
from commands.context import Reply
from commands.core import Core
from commands.model import ConversationKind, Platform, Sender
from commands.ports import DeliveryError
from commands.texts import t
from store.availability import StoreUnavailable
from store.db import Database

log = logging.getLogger(__name__)
STOP_GRACE_SECONDS = 10.0
# Requests answered at once; more wait their turn (the database pool is the real limit).
MAX_CONCURRENT = 32


def _quiet_logger(name: str) -> logging.Logger:
    """slack_sdk and Bolt log request bodies and headers at DEBUG and unhandled payloads at
    WARNING; their loggers here say only what went wrong."""
    logger = logging.getLogger(name)
    logger.setLevel(logging.ERROR)
    return logger


class SlackComponent:
    """Slack: inbound (Events API, commands, buttons) and outbound (:attr:`messenger`)."""

    name = "slack"

    def __init__(self, *, core: Core, db: Database, config: SlackConfig) -> None:
        self._core = core
        self._config = config
        self._client = AsyncWebClient(token=config.bot_token, base_url=config.api_base_url,
                                      logger=_quiet_logger("adapters.slack.sdk"), timeout=30)
        self.sender = SlackSender(client=self._client, proxy=config.proxy)
        self.messenger = SlackMessenger(sender=self.sender, db=db)
        self._users = SlackUsers(sender=self.sender)
        # Replies: outbox rows sent at once, tried once (429s waited out); what Slack does
        # not take now, the delivery worker sends later.
        replying = self.sender.trying_once()
        outbound = core.services.outbound
        if outbound is None:
            raise RuntimeError("the core has no outbound path (Services.outbound)")
        outbound.register(Platform.SLACK.value, SlackMessenger(sender=replying, db=db))
        self._replies = ReplyDelivery(sender=replying, commands=config.commands,
                                      outbound=outbound)
        self.bolt = AsyncApp(
            client=self._client,
            signing_secret=config.signing_secret or "socket-mode-signs-nothing",
            # Checked on the raw body in EventsEndpoint; Bolt skips it in Socket Mode anyway.
            request_verification_enabled=False,
            process_before_response=True,  # our listeners ack at once and spawn the work
            logger=_quiet_logger("adapters.slack.bolt"),
            name="lacznik",
        )
        self._register_listeners()
        self._endpoint = (EventsEndpoint(bolt=self.bolt, signing_secret=config.signing_secret)
                          if config.mode == "http" else None)
        self._session: aiohttp.ClientSession | None = None
        self._socket: AsyncSocketModeHandler | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._slots = asyncio.Semaphore(MAX_CONCURRENT)
        self._team_id = ""
        self._start_problem: tuple[str, str] | None = None  # (key, problem) while degraded

    # ------------------------------------------------------------------ life cycle

    def routes(self) -> list[web.RouteDef]:
        """``POST /slack/events`` in HTTP mode; Socket Mode needs no route."""
        if self._endpoint is None:
            return []
        return [web.post(EVENTS_PATH, self._endpoint.handle)]

    async def start(self) -> None:
        """Check the token (``auth.test``), then connect Socket Mode if configured.

        Raises :class:`StartupError` naming the setting to check (a refused token; Socket
        Mode that cannot connect); the service retries in the background. In HTTP mode an
        unreachable Slack only degrades the start: Bolt retries on the first request."""
        await self._close_session()  # a previous attempt's, if any
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        self.sender.use_session(self._session)
        try:
            await self._check_token()
            if self._config.mode == "socket":
                await self._connect_socket()
        except BaseException:
            await self._close_session()
            raise

    async def _check_token(self) -> None:
        self._start_problem = None
        try:
            identity = await self._client.auth_test()
            self._team_id = str(identity.get("team_id") or "")
            log.info("Slack bot %s in workspace %s", identity.get("user_id"), self._team_id)
        except SlackApiError as exc:
            self._refuse_if_token_rejected("slack.bot_token", exc)
            log.warning("Slack auth.test failed (%s): Bolt retries on the first request",
                        exc.response.get("error"))
            self._start_problem = ("slack.bot_token",
                                   f"auth.test failed ({exc.response.get('error')})")
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            log.warning("Slack unreachable at start (%s): Bolt retries on the first request",
                        type(exc).__name__)
            self._start_problem = ("slack.api_base_url",
                                   f"Slack was not reachable at start ({type(exc).__name__}; "
                                   "check [slack] proxy too)")

    async def _connect_socket(self) -> None:
        self._socket = AsyncSocketModeHandler(
            self.bolt, self._config.app_token, logger=_quiet_logger("adapters.slack.sdk"),
            web_client=self._client,
        )
        # slack_sdk would take HTTPS_PROXY even for hosts NO_PROXY exempts.
        self._socket.client.proxy = proxy_for(self._config.api_base_url, self._config.proxy)
        try:
            await self._socket.connect_async()
        except SlackApiError as exc:
            self._socket = None
            self._refuse_if_token_rejected("slack.app_token", exc)
            raise StartupError("slack.app_token", "Socket Mode did not connect "
                               f"({exc.response.get('error')})") from None
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            self._socket = None
            raise StartupError("slack.api_base_url", "Socket Mode cannot reach Slack "
                               f"({type(exc).__name__}; check [slack] proxy too)") from None

    def health(self) -> Health | None:
        """Degraded while the start found Slack unreachable or auth.test failing, until a
        request has been authorised since (Bolt learnt the workspace then)."""
        if self._start_problem is None or self._team_id:
            return None
        key, problem = self._start_problem
        return Health(DEGRADED, check=setting_name(key), problem=problem)

    @staticmethod
    def _refuse_if_token_rejected(key: str, exc: SlackApiError) -> None:
        """A refused token: the setting to fix, named."""
        error = exc.response.get("error")
        if error in ("invalid_auth", "not_authed", "account_inactive", "token_revoked",
                     "not_allowed_token_type"):
            raise StartupError(key, f"Slack refused the token ({error})") from None

    async def stop(self) -> None:
        """Disconnect Socket Mode, let answers in progress finish, close connections."""
        if self._socket is not None:
            await self._socket.close_async()
            self._socket = None
        try:
            await asyncio.wait_for(self.drain(), STOP_GRACE_SECONDS)
        except TimeoutError:
            for task in list(self._tasks):
                task.cancel()
        await self._close_session()

    async def drain(self) -> None:
        """Wait until every request received so far has been answered."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def _close_session(self) -> None:
        self.sender.use_session(None)
        if self._session is not None:
            await self._session.close()
            self._session = None

    # ------------------------------------------------------------------ Bolt listeners

    def _register_listeners(self) -> None:
        bolt = self.bolt
        for command in self._config.commands:
            bolt.command(command)(self._on_command)
        bolt.event("app_mention")(self._on_event)
        bolt.event("message")(self._on_event)
        bolt.action(re.compile(".*"))(self._on_action)
        # Everything else is acknowledged too, so Slack never redelivers it.
        for register in (bolt.event, bolt.command, bolt.shortcut, bolt.view, bolt.options):
            register(re.compile(".*"))(self._ack_only)

    async def _on_command(self, ack: AsyncAck, body: dict[str, Any],
                          context: AsyncBoltContext) -> None:
        language = self._config.commands.get(str(body.get("command")), "")
        inbound = from_command(body, language=language, is_command=self._is_command,
                               acts_on_group=self._acts_on_group)
        if inbound is None:
            await ack()
            return
        if not self._allowed(inbound, context):
            await ack(text=slack_text(language or "pl", "foreign_workspace"),
                      response_type="ephemeral")
            return
        try:
            recorded = await self._record(inbound)
        except StoreUnavailable:
            # Slack never sends a slash command again: say so, and the person repeats it.
            lang = language or "pl"
            await ack(text=t(lang, "sec.not_recorded"), response_type="ephemeral")
            return
        await ack()
        self._spawn(self._process(*recorded))

    async def _on_event(self, ack: AsyncAck, body: dict[str, Any],
                        context: AsyncBoltContext) -> BoltResponse | None:
        inbound = from_event(body, bot_user_id=context.bot_user_id,
                             is_command=self._is_command)
        if inbound is None or not self._allowed(inbound, context):
            await ack()
            return None
        return await self._record_then_ack(inbound, ack)

    async def _on_action(self, ack: AsyncAck, body: dict[str, Any],
                         context: AsyncBoltContext) -> BoltResponse | None:
        inbound = from_block_actions(body) if body.get("type") == "block_actions" else None
        if inbound is None or not self._allowed(inbound, context):
            await ack()
            return None
        return await self._record_then_ack(inbound, ack)

    async def _record_then_ack(self, inbound: Inbound, ack: AsyncAck) -> BoltResponse | None:
        """Acknowledge only what the core recorded; else 503 (not acknowledged): Slack
        delivers an event again (``X-Slack-Retry-Num``) and marks a button press failed."""
        try:
            recorded = await self._record(inbound)
        except StoreUnavailable:
            return BoltResponse(status=NOT_RECORDED, body="")
        await ack()
        self._spawn(self._process(*recorded))
        return None

    async def _ack_only(self, ack: AsyncAck) -> None:
        await ack()

    def _is_command(self, name: str) -> bool:
        return self._core.registry.find(name) is not None

    def _acts_on_group(self, name: str) -> bool:
        """Commands that manage the group they are typed in (the core lets them run there
        before it is registered): ``/forum podlacz``."""
        command = self._core.registry.find(name)
        return command is not None and command.unregistered_ok

    def _allowed(self, inbound: Inbound, context: AsyncBoltContext) -> bool:
        """Only the configured workspaces (by default the bot token's own) may ask."""
        allowed = self._allowed_teams(context)
        if inbound.team_ids and inbound.team_ids <= allowed:
            return True
        log.warning("Slack %s from workspace(s) %s refused", inbound.event.event_id,
                    ",".join(sorted(inbound.team_ids)) or "?")
        return False

    def _allowed_teams(self, context: AsyncBoltContext | None = None) -> frozenset[str]:
        if self._config.allowed_team_ids:
            return self._config.allowed_team_ids
        if not self._team_id and context is not None and context.authorize_result:
            self._team_id = context.authorize_result.team_id or ""  # auth.test by Bolt
        return frozenset({self._team_id}) if self._team_id else frozenset()

    # ------------------------------------------------------------------ the work

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _record(self, inbound: Inbound) -> tuple[Reply, Inbound]:
        """The core's stage, before Slack gets its answer; raises :class:`StoreUnavailable`
        if the database could not record the request."""
        event = inbound.event
        async with self._slots:
            sender = await self._identify(event.sender)
            event = replace(event, sender=sender)
            identified = replace(inbound, event=event)
            conversation = event.conversation
            if conversation.kind == ConversationKind.PERSONAL:
                self.messenger.remember_dm(sender.user_id, conversation.conversation_id)
            try:
                reply = await self._core.handle_recorded(
                    event, plan=partial(self._replies.plan, identified))
            except StoreUnavailable:
                log.warning("Slack %s not recorded (database unavailable)", event.event_id)
                raise
        return reply, identified

    async def _process(self, reply: Reply, inbound: Inbound) -> None:
        """The reply's stage, after Slack has its answer."""
        try:
            await self._replies.deliver(reply, inbound)
        except DeliveryError as exc:
            log.warning("Slack answer to %s not delivered: %s", inbound.event.event_id,
                        exc.reason)
        except Exception:
            log.exception("Slack request %s failed", inbound.event.event_id)

    async def _identify(self, sender: Sender) -> Sender:
        """Name, bot flag and (if Slack vouches for it) e-mail from ``users.info``."""
        user = await self._users.get(sender.user_id)
        if user is None:
            return sender
        email = user.email if user.team_id in self._allowed_teams() else None
        return replace(sender, display_name=user.name or sender.display_name, email=email,
                       is_bot=sender.is_bot or user.is_bot)

