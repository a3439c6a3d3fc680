"""The Bot Connector REST client (``{serviceUrl}/v3/conversations/...``).

A small aiohttp client with the wire models of ``microsoft-agents-activity`` rather than the
Agents SDK's ``ConnectorClient``: that one fixes the bearer token when it is built (ours is
refreshed hourly), opens a session per service URL, cuts conversation ids at 150 characters
and raises bare ``ClientResponseError``s. Here one pooled session serves every region, the
token is fresh on each call, and every failure is translated ONCE into the neutral errors of
:mod:`commands.ports` (with the Teams error code as the reason).
"""

from __future__ import annotations

import email.utils
import json
import logging
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import aiohttp
from microsoft_agents.activity import (
    Activity,
    ConversationParameters,
    ConversationResourceResponse,
    ResourceResponse,
)
from microsoft_agents.activity.teams import TeamsChannelAccount
from yarl import URL

from adapters.teams.bot_token import BotTokenProvider
from commands.ports import (
    DeliveryError,
    RateLimited,
    Rejected,
    TransientFailure,
    Unreachable,
)

log = logging.getLogger(__name__)

RETRYABLE = frozenset({412, 500, 502, 503, 504})
_ID_SAFE = ":@;=!$'()*+,"  # sub-delims and ":@" may stay literal in a path segment


class MessageTooLarge(Rejected):
    """413 MessageSizeTooBig: send it in smaller parts."""


class MessageNotFound(Rejected):
    """The activity to update is gone (deleted, or never ours)."""


def wire(activity: Activity) -> dict[str, Any]:
    """An activity as the Connector expects it (camelCase, no empty fields)."""
    return activity.model_dump(by_alias=True, exclude_none=True, mode="json")


class ConnectorClient:
    """Calls the Bot Connector of one bot; raises :class:`commands.ports.DeliveryError`s."""

    def __init__(
        self,
        *,
        session: Callable[[], aiohttp.ClientSession],
        tokens: BotTokenProvider,
        timeout: float = 20.0,
    ) -> None:
        self._session = session
        self._tokens = tokens
        self._timeout = aiohttp.ClientTimeout(total=timeout, connect=5)

    async def authorize(self) -> None:
        """Have a token ready, so that its fetch does not delay a rate-limited request."""
        await self._tokens.token()

    async def send(self, service_url: str, conversation_id: str, activity: Activity) -> str:
        """Post a new activity into a conversation (or channel thread); returns its id."""
        data = await self._call("POST", service_url,
                                f"v3/conversations/{_seg(conversation_id)}/activities",
                                wire(activity))
        return ResourceResponse.model_validate(data or {}).id or ""

    async def reply(
        self, service_url: str, conversation_id: str, reply_to_id: str, activity: Activity
    ) -> str:
        """Post an activity as a reply to ``reply_to_id``; returns the new activity's id."""
        path = f"v3/conversations/{_seg(conversation_id)}/activities/{_seg(reply_to_id)}"
        data = await self._call("POST", service_url, path, wire(activity))
        return ResourceResponse.model_validate(data or {}).id or ""

    async def update(
        self, service_url: str, conversation_id: str, activity_id: str, activity: Activity
    ) -> None:
        """Replace an activity the bot sent earlier (PUT)."""
        path = f"v3/conversations/{_seg(conversation_id)}/activities/{_seg(activity_id)}"
        await self._call("PUT", service_url, path, wire(activity), missing_is_gone=True)

    async def delete(self, service_url: str, conversation_id: str, activity_id: str) -> None:
        """Delete an activity the bot sent."""
        path = f"v3/conversations/{_seg(conversation_id)}/activities/{_seg(activity_id)}"
        await self._call("DELETE", service_url, path, None, missing_is_gone=True)

    async def create_conversation(
        self, service_url: str, parameters: ConversationParameters
    ) -> ConversationResourceResponse:
        """Create a 1:1 chat with a user, or a new thread in a channel."""
        body = parameters.model_dump(by_alias=True, exclude_none=True, mode="json")
        data = await self._call("POST", service_url, "v3/conversations", body)
        return ConversationResourceResponse.model_validate(data or {})

    async def get_member(
        self, service_url: str, conversation_id: str, member_id: str
    ) -> TeamsChannelAccount:
        """One member of a conversation, with e-mail and UPN (Teams' ``TeamsInfo.get_member``)."""
        path = f"v3/conversations/{_seg(conversation_id)}/members/{_seg(member_id)}"
        data = await self._call("GET", service_url, path, None)
        return TeamsChannelAccount.model_validate(data or {})

    async def _call(
        self,
        method: str,
        service_url: str,
        path: str,
        body: dict[str, Any] | None,
        *,
        missing_is_gone: bool = False,
    ) -> Any:
        url = URL(service_url.rstrip("/") + "/" + path, encoded=True)
        token = await self._tokens.token()
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        data = None
        if body is not None:
            # Compact JSON: the message size limit counts every byte.
            data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
            headers["Content-Type"] = "application/json; charset=utf-8"
        started = time.monotonic()
        try:
            async with self._session().request(
                method, url, data=data, headers=headers, timeout=self._timeout
            ) as response:
                raw = await response.read()
                status = response.status
                retry_after = response.headers.get("Retry-After")
        except (aiohttp.ClientError, TimeoutError) as exc:
            log.info("teams: %s %s failed: %s", method, path, type(exc).__name__)
            raise TransientFailure(f"connection: {type(exc).__name__}") from None
        if status < 300:
            log.debug("teams: %s %s -> %s in %.0f ms", method, path, status,
                      (time.monotonic() - started) * 1000)
            return _json(raw)
        error = self._translate(status, _error_code(raw), retry_after, missing_is_gone)
        log.info("teams: %s %s -> %s (%s)", method, path, status, error.reason)
        raise error

    def _translate(
        self, status: int, code: str, retry_after: str | None, missing_is_gone: bool
    ) -> DeliveryError:
        reason = f"{code or 'HTTP'} ({status})"
        if status == 429:
            seconds = parse_retry_after(retry_after)
            # Without Retry-After Teams asks for exponential backoff with jitter.
            return RateLimited(seconds, reason) if seconds is not None else TransientFailure(
                reason)
        if status == 401:
            self._tokens.invalidate()  # a revoked or rotated token: fetch a new one
            return TransientFailure(reason)
        if status in RETRYABLE or status >= 500:
            return TransientFailure(reason)
        if status == 413:
            return MessageTooLarge(reason)
        if status == 404 and (missing_is_gone or code == "ActivityNotFoundInConversation"):
            return MessageNotFound(reason)
        if status in (403, 404):
            return Unreachable(reason)
        return Rejected(reason)


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (a number or an HTTP date); None if absent."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - time.time())


def _seg(value: str) -> str:
    """A conversation, activity or member id as one path segment."""
    return quote(value, safe=_ID_SAFE)


def _json(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None


def _error_code(raw: bytes) -> str:
    """The ``error.code`` of a Connector ErrorResponse (e.g. ``ConversationBlockedByUser``)."""
    data = _json(raw)
    if isinstance(data, dict) and isinstance(data.get("error"), dict):
        code = data["error"].get("code")
        if isinstance(code, str):
            return code[:80]
    return ""
