"""Fake Bot Connector service (the Teams ``serviceUrl``) for tests and benchmarks.

Implements the v3 REST surface a Teams bot uses: create conversation, send, reply, update and
delete activities, get one / all / paged members. Records every call, enforces bearer auth
against a token checker (e.g. :class:`tests.fakes.teams_auth.FakeEntraAuthority`), the message
size limit, injected faults and (optionally) Teams' documented rate limits.
"""

from __future__ import annotations

import asyncio
import base64
import copy
import hashlib
import json
import math
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Protocol, Self
from urllib.parse import unquote

from aiohttp import web

# (window seconds, max requests) per bot per thread, from Teams' rate-limit doc.
SEND_LIMITS: tuple[tuple[float, int], ...] = ((1, 7), (2, 8), (30, 60), (3600, 1800))
READ_LIMITS: tuple[tuple[float, int], ...] = ((1, 14), (2, 16), (30, 120), (3600, 3600))
TENANT_LIMITS: tuple[tuple[float, int], ...] = ((1, 50),)

# Default ErrorResponse code/message per status (Teams "Status codes from bot conversational
# APIs"; 503/504 have no documented code, so these two are made up).
_ERRORS: dict[int, tuple[str, str]] = {
    400: ("BadArgument", "Invalid request payload."),
    401: ("Unauthorized", "Authorization has been denied for this request."),
    403: ("BotNotInConversationRoster", "The bot isn't part of the conversation roster."),
    404: ("ConversationNotFound", "Conversation not found."),
    405: ("MethodNotAllowed", "The requested resource does not support this method."),
    412: ("PreconditionFailed", "Precondition failed, please try again."),
    413: ("MessageSizeTooBig", "Message size too large."),
    429: ("Throttled", "Too many requests."),
    500: ("ServiceError", "Internal server error."),
    502: ("ServiceError", "Service dependency issue."),
    503: ("ServiceUnavailable", "Service is unavailable."),
    504: ("GatewayTimeout", "Gateway Timeout."),
}

# Documented messages for codes that share a status with the defaults above.
_MESSAGES: dict[str, str] = {
    "BotDisabledByAdmin": "The tenant admin disabled this bot",
    "ConversationBlockedByUser": "User blocked the conversation with the bot.",
    "InvalidBotApiHost": "Invalid bot api host. For GCC tenants, please call "
    "https://smba.infra.gcc.teams.microsoft.com.",
    "ActivityNotFoundInConversation": "Conversation not found.",
    "BotNotRegistered": "No registration found for this bot.",
}


class TokenChecker(Protocol):
    """Anything that can say whether an access token is acceptable."""

    def is_valid(self, token: str) -> bool: ...


@dataclass
class ConnectorCall:
    """One request received by the fake, with the status it was answered with."""

    method: str
    path: str  # decoded, relative to service_url, e.g. "v3/conversations/a:1/activities"
    operation: str  # create_conversation|send|reply|update|delete|get_member|get_members|...
    conversation_id: str | None
    activity_id: str | None
    body: Any
    headers: dict[str, str]
    at: float  # time.monotonic()
    status: int = 0


@dataclass
class _Fault:
    remaining: int
    conversation_id: str | None
    status: int
    retry_after: float | None
    code: str | None


@dataclass
class _Member:
    account: dict[str, Any]
    conversation_ids: frozenset[str] | None  # None: member of every conversation


@dataclass
class _Route:
    operation: str
    conversation_id: str | None = None
    activity_id: str | None = None
    user_id: str | None = None
    query: dict[str, str] = field(default_factory=dict)


@dataclass
class _Limiter:
    """Sliding-window counters keyed by (scope, key)."""

    hits: dict[tuple[str, str], deque[float]] = field(default_factory=dict)

    def wait_time(self, key: tuple[str, str], limits: Iterable[tuple[float, int]]) -> float:
        """Seconds until a request under ``key`` would be allowed (0 if allowed now)."""
        now = time.monotonic()
        hits = self.hits.get(key, deque())
        wait = 0.0
        for window, limit in limits:
            recent = [t for t in hits if t > now - window]
            if len(recent) >= limit:
                wait = max(wait, recent[-limit] + window - now)
        return wait

    def hit(self, key: tuple[str, str], horizon: float) -> None:
        now = time.monotonic()
        hits = self.hits.setdefault(key, deque())
        hits.append(now)
        while hits and hits[0] <= now - horizon:
            hits.popleft()


class FakeBotConnector:
    """In-process Bot Connector on ``http://127.0.0.1:PORT/teams/``.

    Conversations spring into existence on first use; members come from :meth:`add_member`.
    Activity ids are millisecond timestamps like Teams'. Use as ``async with``.
    """

    def __init__(
        self,
        authority: TokenChecker | None,
        *,
        base_path: str = "/teams/",
        max_body_bytes: int = 100 * 1024,
        enforce_rate_limits: bool = False,
    ) -> None:
        """``authority=None`` disables the Authorization check (anonymous, like the emulator)."""
        self.authority = authority
        self.base_path = "/" + base_path.strip("/") + "/"
        self.max_body_bytes = max_body_bytes
        self.enforce_rate_limits = enforce_rate_limits
        self.calls: list[ConnectorCall] = []
        self.throttled_count = 0
        self.personal_chats: dict[str, str] = {}  # user id -> the 1:1 chat the bot created
        self._conversations: dict[str, dict[str, dict[str, Any]]] = {}
        self._tenants: dict[str, str] = {}
        self._members: dict[str, _Member] = {}
        self._faults: list[_Fault] = []
        self._limiter = _Limiter()
        self._last_activity_id = 0
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._changed: asyncio.Condition | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> Self:
        # Own size check (413 MessageSizeTooBig), so let aiohttp accept big bodies.
        app = web.Application(client_max_size=max(self.max_body_bytes * 4, 16 * 1024 * 1024))
        app.router.add_route("*", self.base_path + "{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = self._runner.addresses[0][1]
        self._changed = asyncio.Condition()
        return self

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        self._runner = None

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    @property
    def service_url(self) -> str:
        """The serviceUrl to put into inbound activities, with a trailing slash."""
        if self._port is None:
            raise RuntimeError("FakeBotConnector not started")
        return f"http://127.0.0.1:{self._port}{self.base_path}"

    # -- test controls -----------------------------------------------------------------------

    def add_member(
        self,
        user_id: str,
        *,
        name: str,
        aad_object_id: str,
        email: str | None = None,
        user_principal_name: str | None = None,
        tenant_id: str | None = None,
        given_name: str | None = None,
        surname: str | None = None,
        user_role: str = "user",
        conversation_ids: Iterable[str] | None = None,
    ) -> dict[str, Any]:
        """Register a user (a TeamsChannelAccount); by default a member of every conversation."""
        account = {
            "id": user_id,
            "name": name,
            "aadObjectId": aad_object_id,
            "givenName": given_name,
            "surname": surname,
            "email": email,
            "userPrincipalName": user_principal_name if user_principal_name else email,
            "tenantId": tenant_id,
            "userRole": user_role,
        }
        account = {key: value for key, value in account.items() if value is not None}
        scope = frozenset(conversation_ids) if conversation_ids is not None else None
        self._members[user_id] = _Member(account, scope)
        return dict(account)

    def fail_next(
        self,
        *,
        times: int = 1,
        conversation_id: str | None = None,
        status: int = 429,
        retry_after: float | None = None,
        code: str | None = None,
    ) -> None:
        """Answer the next ``times`` matching requests with ``status`` (an ErrorResponse).

        ``conversation_id=None`` matches any request. ``retry_after`` (seconds) becomes a
        ``Retry-After`` header; Teams sends whole seconds, fractions are a test-speed aid.
        ``code`` overrides the documented error code (e.g. "ConversationBlockedByUser").
        """
        self._faults.append(_Fault(times, conversation_id, status, retry_after, code))

    def activities(self, conversation_id: str | None = None) -> list[dict[str, Any]]:
        """Current activities (after updates and deletes), in send order."""
        if conversation_id is not None:
            return copy.deepcopy(list(self._conversations.get(conversation_id, {}).values()))
        return [
            copy.deepcopy(activity)
            for activities in self._conversations.values()
            for activity in activities.values()
        ]

    def conversation_ids(self) -> list[str]:
        return list(self._conversations)

    async def wait_for_calls(
        self,
        n: int,
        timeout: float = 5.0,  # noqa: ASYNC109 - part of the agreed fake API
        *,
        predicate: Callable[[ConnectorCall], bool] | None = None,
    ) -> list[ConnectorCall]:
        """Wait until at least ``n`` (matching) calls were answered; return them."""
        if self._changed is None:
            raise RuntimeError("FakeBotConnector not started")

        def matching() -> list[ConnectorCall]:
            return [c for c in self.calls if predicate is None or predicate(c)]

        async with self._changed:
            try:
                await asyncio.wait_for(
                    self._changed.wait_for(lambda: len(matching()) >= n), timeout
                )
            except TimeoutError:
                got = len(matching())
                raise TimeoutError(f"expected {n} connector calls, got {got}") from None
        return matching()

    # -- HTTP --------------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        raw = await request.read()
        tail = request.rel_url.raw_path[len(self.base_path) :]
        segments = [unquote(part) for part in tail.split("/")]
        route = _parse_route(request.method, segments)
        if route is not None:
            route.query = dict(request.query)
        body: Any = None
        if raw:
            try:
                body = json.loads(raw)
            except ValueError:
                body = raw.decode(errors="replace")
        call = ConnectorCall(
            method=request.method,
            path="/".join(segments),
            operation=route.operation if route else "unknown",
            conversation_id=route.conversation_id if route else None,
            activity_id=route.activity_id if route else None,
            body=body,
            headers=dict(request.headers),
            at=time.monotonic(),
        )
        response = self._respond(request, route, raw, body, call)
        call.status = response.status
        if response.status == 429:
            self.throttled_count += 1
        self.calls.append(call)
        if self._changed is not None:
            async with self._changed:
                self._changed.notify_all()
        return response

    def _respond(
        self,
        request: web.Request,
        route: _Route | None,
        raw: bytes,
        body: Any,
        call: ConnectorCall,
    ) -> web.Response:
        if not self._authorized(request.headers.get("Authorization", "")):
            return _error(401)
        if route is None:
            return _error(404, "NotFound", f"No route for {request.method} {call.path}.")
        if len(raw) > self.max_body_bytes:
            return _error(413)
        if raw and not isinstance(body, dict):
            return _error(400, message="The request body is not a JSON object.")
        fault = self._take_fault(route.conversation_id)
        if fault is not None:
            return _error(fault.status, fault.code, retry_after=fault.retry_after)
        if self.enforce_rate_limits:
            wait = self._rate_limit(route, body or {})
            if wait > 0:
                return _error(429, retry_after=max(1, math.ceil(wait)))
        handler = getattr(self, "_op_" + route.operation)
        return handler(route, body or {})

    def _authorized(self, header: str) -> bool:
        if self.authority is None:
            return True
        scheme, _, token = header.partition(" ")
        return scheme.lower() == "bearer" and bool(token) and self.authority.is_valid(token)

    def _take_fault(self, conversation_id: str | None) -> _Fault | None:
        for fault in self._faults:
            if fault.conversation_id in (None, conversation_id):
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self._faults.remove(fault)
                return fault
        return None

    def _rate_limit(self, route: _Route, body: dict[str, Any]) -> float:
        """Seconds to wait if this request breaks a limit, else 0 (and count it)."""
        is_read = route.operation.startswith("get_")
        thread = route.conversation_id or _create_target(body)
        tenant = _tenant_of(body) or self._tenants.get(thread, "")
        keys = [
            (("read" if is_read else "send", thread), READ_LIMITS if is_read else SEND_LIMITS),
            (("tenant", tenant), TENANT_LIMITS),
        ]
        wait = max(self._limiter.wait_time(key, limits) for key, limits in keys)
        if wait <= 0:
            for key, limits in keys:
                self._limiter.hit(key, max(window for window, _ in limits))
        return wait

    # -- operations --------------------------------------------------------------------------

    def _op_create_conversation(self, route: _Route, body: dict[str, Any]) -> web.Response:
        tenant = _tenant_of(body)
        channel_id = ((body.get("channelData") or {}).get("channel") or {}).get("id")
        if channel_id:  # new thread in a Teams channel
            activity_id = self._next_activity_id()
            conversation_id = f"{channel_id};messageid={activity_id}"
        else:
            members = body.get("members") or []
            if body.get("isGroup") or len(members) != 1 or not members[0].get("id"):
                return _error(400, message="A personal conversation needs exactly one member.")
            conversation_id = _personal_conversation_id(tenant, members[0]["id"], body)
            self.personal_chats[members[0]["id"]] = conversation_id
            activity_id = None
        activities = self._conversations.setdefault(conversation_id, {})
        if tenant:
            self._tenants[conversation_id] = tenant
        result: dict[str, Any] = {"id": conversation_id}
        if body.get("activity"):
            activity_id = activity_id or self._next_activity_id()
            activities[activity_id] = {**body["activity"], "id": activity_id}
            result["activityId"] = activity_id
        return web.json_response(result, status=201)

    def _op_send(self, route: _Route, body: dict[str, Any]) -> web.Response:
        return self._store_new(route, body)

    def _op_reply(self, route: _Route, body: dict[str, Any]) -> web.Response:
        return self._store_new(route, {"replyToId": route.activity_id, **body})

    def _store_new(self, route: _Route, body: dict[str, Any]) -> web.Response:
        if not body.get("type"):
            return _error(400, message="Activity type is required.")
        conversation_id = _require(route.conversation_id)
        if tenant := _tenant_of(body):
            self._tenants[conversation_id] = tenant
        activity_id = self._next_activity_id()
        self._conversations.setdefault(conversation_id, {})[activity_id] = {
            **body,
            "id": activity_id,
        }
        return web.json_response({"id": activity_id}, status=201)

    def _op_update(self, route: _Route, body: dict[str, Any]) -> web.Response:
        activities = self._conversations.get(_require(route.conversation_id), {})
        activity_id = _require(route.activity_id)
        if activity_id not in activities:
            return _activity_not_found()
        activities[activity_id] = {**body, "id": activity_id}
        return web.json_response({"id": activity_id})

    def _op_delete(self, route: _Route, body: dict[str, Any]) -> web.Response:
        activities = self._conversations.get(_require(route.conversation_id), {})
        if activities.pop(_require(route.activity_id), None) is None:
            return _activity_not_found()
        return web.Response(status=200)

    def _op_get_member(self, route: _Route, body: dict[str, Any]) -> web.Response:
        wanted = _require(route.user_id).lower()
        for account in self._members_of(_require(route.conversation_id)):
            if wanted in (account["id"].lower(), account["aadObjectId"].lower()):
                return web.json_response(account)
        return _error(404, "MemberNotFoundInConversation", "The member was not found.")

    def _op_get_members(self, route: _Route, body: dict[str, Any]) -> web.Response:
        return web.json_response(self._members_of(_require(route.conversation_id)))

    def _op_get_paged_members(self, route: _Route, body: dict[str, Any]) -> web.Response:
        members = self._members_of(_require(route.conversation_id))
        start = int(route.query.get("continuationToken") or 0)
        page_size = int(route.query.get("pageSize") or 0) or len(members) or 1
        page = members[start : start + page_size]
        result: dict[str, Any] = {"members": page}
        if start + page_size < len(members):  # Teams omits the token on the last page
            result["continuationToken"] = str(start + page_size)
        return web.json_response(result)

    def _members_of(self, conversation_id: str) -> list[dict[str, Any]]:
        return [
            dict(member.account)
            for member in self._members.values()
            if member.conversation_ids is None or conversation_id in member.conversation_ids
        ]

    def _next_activity_id(self) -> str:
        self._last_activity_id = max(self._last_activity_id + 1, int(time.time() * 1000))
        return str(self._last_activity_id)


# --------------------------------------------------------------------------- helpers


def _parse_route(method: str, segments: list[str]) -> _Route | None:
    """Map (method, decoded path segments) to an operation; literal parts are case-insensitive."""
    lowered = [s.lower() for s in segments]
    if lowered[:2] != ["v3", "conversations"]:
        return None
    rest, shape = segments[2:], lowered[3:]
    if not rest or rest == [""]:
        return _Route("create_conversation") if method == "POST" else None
    conversation_id = rest[0]
    if shape == ["activities"] and method == "POST":
        return _Route("send", conversation_id)
    if len(shape) == 2 and shape[0] == "activities":
        operation = {"POST": "reply", "PUT": "update", "DELETE": "delete"}.get(method)
        return _Route(operation, conversation_id, rest[2]) if operation else None
    if method != "GET":
        return None
    if shape == ["members"]:
        return _Route("get_members", conversation_id)
    if len(shape) == 2 and shape[0] == "members":
        return _Route("get_member", conversation_id, user_id=rest[2])
    if shape == ["pagedmembers"]:
        return _Route("get_paged_members", conversation_id)
    return None


def _error(
    status: int,
    code: str | None = None,
    message: str | None = None,
    *,
    retry_after: float | None = None,
) -> web.Response:
    default_code, default_message = _ERRORS.get(status, ("ServiceError", "Error."))
    headers = {}
    if retry_after is not None:
        seconds = float(retry_after)
        headers["Retry-After"] = str(int(seconds)) if seconds.is_integer() else f"{seconds:g}"
    code = code or default_code
    message = message or _MESSAGES.get(code) or (default_message if code == default_code else code)
    payload = {"error": {"code": code, "message": message}}
    return web.json_response(payload, status=status, headers=headers)


def _activity_not_found() -> web.Response:
    return _error(404, "ActivityNotFoundInConversation")


def _tenant_of(body: dict[str, Any]) -> str | None:
    """Tenant id from an activity or ConversationParameters body, if present."""
    channel_tenant = ((body.get("channelData") or {}).get("tenant") or {}).get("id")
    conversation_tenant = (body.get("conversation") or {}).get("tenantId")
    return body.get("tenantId") or channel_tenant or conversation_tenant


def _create_target(body: dict[str, Any]) -> str:
    channel_id = ((body.get("channelData") or {}).get("channel") or {}).get("id")
    members = body.get("members") or [{}]
    return channel_id or str(members[0].get("id", ""))


def _personal_conversation_id(tenant: str | None, user_id: str, body: dict[str, Any]) -> str:
    """Stable per (tenant, bot, user), like Teams' ``a:...`` 1:1 conversation ids."""
    bot_id = (body.get("bot") or {}).get("id", "")
    digest = hashlib.sha256(f"{tenant}|{bot_id}|{user_id}".encode()).digest()
    return "a:1" + base64.urlsafe_b64encode(digest * 3).rstrip(b"=").decode()


def _require(value: str | None) -> str:
    if value is None:
        raise ValueError("route is missing a path parameter")
    return value
