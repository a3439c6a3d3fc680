"""Every outbound Slack call: rate limited per channel and per method tier, errors translated.

Slack's limits: ``chat.postMessage`` about one message a second per channel with short
bursts; other methods by tier per workspace (Tier 3 ``chat.update``, ``chat.delete``,
``conversations.open`` 50/min, Tier 4 ``users.info`` 100/min). A 429 pauses only the channel
(or method) it was about and the call waits its ``Retry-After``; nothing is dropped.
slack_sdk raises :class:`SlackApiError` for ``ok: false`` and non-200 answers; it is
translated here, once, into the neutral kinds of :mod:`commands.ports`.
"""

from __future__ import annotations

import copy
import json
import logging
from collections.abc import Awaitable, Callable, Hashable, Mapping
from typing import Any, TypeVar

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from adapters.ratelimit import (
    KeyedRateLimiter,
    RateLimitWatch,
    RetryPolicy,
    Window,
    call_with_limits,
)
from adapters.slack.blocks import SlackMessage
from adapters.slack.proxy import proxy_for
from commands.ports import (
    DeliveryError,
    RateLimited,
    Rejected,
    TransientFailure,
    Unreachable,
)

log = logging.getLogger(__name__)
T = TypeVar("T")

POST_WINDOWS = (Window(3, 3.0),)  # ~1/s per channel, bursts of three
METHOD_WINDOWS: Mapping[str, tuple[Window, ...]] = {
    "chat.update": (Window(50, 60.0),),
    "chat.delete": (Window(50, 60.0),),
    "conversations.open": (Window(50, 60.0),),
    "users.info": (Window(100, 60.0),),
}
UNREACHABLE = frozenset({
    "channel_not_found", "not_in_channel", "account_inactive", "is_archived",
    "user_not_found", "user_disabled", "cannot_dm_bot", "messages_tab_disabled",
    # response_url: used five times, older than 30 minutes, or unknown
    "expired_url", "used_url", "no_service",
})
TRANSIENT = frozenset({"internal_error", "fatal_error", "service_unavailable",
                       "request_timeout", "ratelimited"})
# Slack refused the Block Kit part: the same message as text alone still gets through.
BLOCKS_REFUSED = frozenset({"invalid_blocks", "invalid_blocks_format", "msg_blocks_too_long",
                            "too_many_blocks"})
DEFAULT_POLICY = RetryPolicy()
# Looking a user up on the way in must not hold the answer back for long.
# A reply is tried once (429s waited out); what fails goes through the outbox.
REPLY_POLICY = RetryPolicy(max_attempts=1)
LOOKUP_POLICY = RetryPolicy(max_attempts=2, max_rate_limited=0, base_delay=0.2, max_delay=1.0)


def delivery_error(status: int, error: str, retry_after: str | None) -> DeliveryError:
    """A Slack answer (HTTP status, ``error`` code, ``Retry-After``) as a neutral error."""
    if status == 429:
        try:
            seconds = max(0.0, float(retry_after or 1))
        except ValueError:
            seconds = 1.0
        return RateLimited(seconds)
    if status >= 500 or error in TRANSIENT:
        return TransientFailure(error or f"http_{status}")
    if error in UNREACHABLE:
        return Unreachable(error)
    return Rejected(error or f"http_{status}")


class SlackSender:
    """Web API and ``response_url`` calls for one workspace's bot token."""

    def __init__(self, *, client: AsyncWebClient, proxy: str = "",
                 policy: RetryPolicy = DEFAULT_POLICY) -> None:
        self.client = client
        self._proxy = proxy
        self._policy = policy
        self._session: aiohttp.ClientSession | None = None
        self.rate_limits = RateLimitWatch()  # the 429s it waits out, for whoever counts them
        self._posts = KeyedRateLimiter(per_key=lambda _key: POST_WINDOWS,
                                       watch=self.rate_limits)
        self._methods = KeyedRateLimiter(per_key=lambda key: METHOD_WINDOWS.get(str(key), ()),
                                         watch=self.rate_limits)
        self._views: list[SlackSender] = []

    def trying_once(self) -> SlackSender:
        """The same sender (client, limits, session) that does not retry failures itself:
        for replies, whose failures go to the outbox instead of holding the answer."""
        view = copy.copy(self)
        view._policy = REPLY_POLICY
        view._views = []
        self._views.append(view)
        return view

    def use_session(self, session: aiohttp.ClientSession | None) -> None:
        """Share one connection pool for every call (set at start, cleared at stop)."""
        for view in self._views:
            view._session = session
        self._session = session
        self.client.session = session
        self.client.proxy = proxy_for(self.client.base_url, self._proxy)

    async def post(self, channel: str, message: SlackMessage, *,
                   thread_ts: str | None = None) -> tuple[str, str]:
        """``chat.postMessage``; returns the channel it landed in and the message ``ts``."""

        async def send(content: SlackMessage) -> Any:
            arguments: dict[str, Any] = {"channel": channel, **content.payload(),
                                         "unfurl_links": False, "unfurl_media": False}
            if thread_ts:
                arguments["thread_ts"] = thread_ts
            return await self._call(self._posts, channel,
                                    lambda: self.client.chat_postMessage(**arguments))

        response = await _text_if_blocks_refused(send, message)
        return str(response.get("channel") or channel), str(response.get("ts") or "")

    async def update(self, channel: str, ts: str, message: SlackMessage) -> None:
        """``chat.update`` of a message the bot sent."""

        async def send(content: SlackMessage) -> Any:
            return await self._call(self._methods, "chat.update", lambda: self.client.chat_update(
                channel=channel, ts=ts, **content.payload()))

        await _text_if_blocks_refused(send, message)

    async def delete(self, channel: str, ts: str) -> None:
        """``chat.delete`` of a message the bot sent."""
        await self._call(self._methods, "chat.delete",
                         lambda: self.client.chat_delete(channel=channel, ts=ts))

    async def open_dm(self, user_id: str) -> str:
        """``conversations.open``: the id of the bot's DM with ``user_id``."""
        response = await self._call(self._methods, "conversations.open",
                                    lambda: self.client.conversations_open(users=user_id))
        channel = response.get("channel") or {}
        if not isinstance(channel, Mapping) or not channel.get("id"):
            raise Rejected("no_channel")
        return str(channel["id"])

    async def user_info(self, user_id: str) -> Mapping[str, Any] | None:
        """``users.info``; None if Slack does not know the user. Gives up quickly."""
        try:
            response = await self._call(self._methods, "users.info",
                                        lambda: self.client.users_info(user=user_id),
                                        policy=LOOKUP_POLICY)
        except Unreachable:
            return None
        user = response.get("user")
        return user if isinstance(user, Mapping) else None

    async def respond(self, response_url: str, message: SlackMessage, *,
                      replace: bool = False, ephemeral: bool = True) -> None:
        """Answer through an interaction's ``response_url`` (five uses within 30 minutes)."""
        # Its own logger would print the URL (a credential) and the body at DEBUG.
        webhook = AsyncWebhookClient(response_url, session=self._session, timeout=15,
                                     logger=self.client.logger)
        webhook.proxy = proxy_for(response_url, self._proxy)

        async def send(content: SlackMessage) -> None:
            body: dict[str, Any] = {
                **content.payload(), "replace_original": replace,
                "response_type": "ephemeral" if ephemeral else "in_channel",
            }

            async def attempt() -> None:
                answer = await webhook.send_dict(body)
                if answer.status_code == 200:
                    return
                error = _webhook_error(answer.body)
                raise delivery_error(answer.status_code, error,
                                     answer.headers.get("Retry-After"))

            await self._guard_connection_errors(self._methods, "response_url", attempt,
                                                self._policy)

        await _text_if_blocks_refused(send, message)

    async def _call(self, limiter: KeyedRateLimiter, key: Hashable,
                    call: Callable[[], Awaitable[Any]],
                    policy: RetryPolicy | None = None) -> Any:
        async def attempt() -> Any:
            try:
                return await call()
            except SlackApiError as exc:
                response = exc.response
                raise delivery_error(
                    response.status_code, str(response.get("error") or ""),
                    response.headers.get("Retry-After"),
                ) from None

        return await self._guard_connection_errors(limiter, key, attempt, policy or self._policy)

    @staticmethod
    async def _guard_connection_errors(limiter: KeyedRateLimiter, key: Hashable,
                                       attempt: Callable[[], Awaitable[T]],
                                       policy: RetryPolicy) -> T:
        async def guarded() -> T:
            try:
                return await attempt()
            except (aiohttp.ClientError, TimeoutError, OSError):
                raise TransientFailure("connection") from None

        try:
            return await call_with_limits(guarded, limiter=limiter, key=key, policy=policy)
        except DeliveryError as exc:
            log.info("Slack call on %s failed: %s", key, exc.reason)
            raise


async def _text_if_blocks_refused(send: Callable[[SlackMessage], Awaitable[T]],
                                  message: SlackMessage) -> T:
    """Send ``message``; if Slack refuses its blocks, send its ``text`` alone instead."""
    try:
        return await send(message)
    except Rejected as exc:
        if exc.reason not in BLOCKS_REFUSED or not message.blocks:
            raise
        log.warning("Slack refused the blocks (%s): sending the text alone", exc.reason)
        return await send(SlackMessage(text=message.text))


def _webhook_error(body: str) -> str:
    try:
        data = json.loads(body)
    except ValueError:
        return body.strip()[:40]
    return str(data.get("error") or "") if isinstance(data, dict) else ""

