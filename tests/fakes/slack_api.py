# ruff: noqa: ASYNC109, S107  (waiters take a timeout like asyncio.wait_for; fake tokens)
"""A protocol-faithful fake of Slack for tests and benchmarks.

Real clients talk to it over loopback: ``AsyncWebClient(token, base_url=fake.api_url)``,
``AsyncWebhookClient(fake.response_url())`` and slack_sdk's aiohttp ``SocketModeClient``
(via ``apps.connections.open``, which hands out a ``ws://127.0.0.1`` URL into the fake).

    async with FakeSlackServer() as slack:
        client = AsyncWebClient(token=slack.bot_token, base_url=slack.api_url)
        await client.chat_postMessage(channel="C111", text="Cześć")
        assert slack.messages("C111")[0]["text"] == "Cześć"

Note: slack_sdk reads HTTPS_PROXY/HTTP_PROXY and ignores NO_PROXY, so unset them in tests.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import math
import time
import uuid
from collections import defaultdict, deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal, Self, TypeVar

from aiohttp import WSCloseCode, WSMsgType, web

JSONDict = dict[str, Any]
ChannelState = Literal["channel_not_found", "not_in_channel", "is_archived", "account_inactive"]
_T = TypeVar("_T")


def sign(signing_secret: str, body: bytes | str, timestamp: int | None = None) -> dict[str, str]:
    """Headers Slack would put on an inbound request: ``v0=`` HMAC-SHA256 of ``v0:{ts}:{body}``."""
    ts = int(time.time()) if timestamp is None else timestamp
    raw = body.encode() if isinstance(body, str) else body
    digest = hmac.new(signing_secret.encode(), b"v0:%d:%s" % (ts, raw), hashlib.sha256)
    return {"X-Slack-Request-Timestamp": str(ts), "X-Slack-Signature": f"v0={digest.hexdigest()}"}


def load_payload(name: str) -> JSONDict | str:
    """A sample from ``tests/data/payloads/slack``: a dict for ``.json``, else the exact text."""
    repo_root = Path(__file__).resolve().parents[2]
    path = repo_root / "tests" / "data" / "payloads" / "slack" / name
    text = path.read_bytes().decode("utf-8")  # exact bytes: form bodies are signature vectors
    return json.loads(text) if path.suffix == ".json" else text


@dataclass(frozen=True)
class SlackCall:
    """One Web API request as the fake saw it (JSON strings such as ``blocks`` decoded)."""

    method: str
    params: JSONDict
    headers: dict[str, str]
    timestamp: float
    status: int
    response: JSONDict


@dataclass(frozen=True)
class ResponseUrlPost:
    """One POST to a ``response_url`` and the HTTP status the fake answered."""

    url: str
    body: JSONDict
    headers: dict[str, str]
    timestamp: float
    status: int


@dataclass
class _ResponseUrl:
    channel: str
    user: str
    message_ts: str | None
    created: float
    uses: int = 0


@dataclass
class _Fault:
    times: int
    channel: str | None
    status: int
    retry_after: int
    error: str | None


class FakeSlackServer:
    """Slack's Web API, ``response_url`` endpoints and Socket Mode on 127.0.0.1, recording all."""

    TIER_PER_MINUTE: Mapping[str, int] = MappingProxyType({  # per method, workspace and app
        "chat.update": 50, "chat.delete": 50, "conversations.open": 50,  # tier 3
        "conversations.info": 50, "users.lookupByEmail": 50,
        "users.info": 100, "chat.postEphemeral": 100,  # tier 4
    })  # apps.connections.open (tier 1) is left out: a reconnect would stall for a minute
    MAX_BLOCKS = 50
    BLOCK_TEXT_LIMITS: Mapping[str, int] = MappingProxyType(
        {"section": 3000, "header": 150, "markdown": 12000}
    )
    MAX_TEXT = 40_000
    RESPONSE_URL_USES = 5
    RESPONSE_URL_TTL = 30 * 60.0
    TRUNCATED_MESSAGE = (
        "[WARN] Your message was truncated but still posted. "
        "The `text` field accepts up to 40,000 characters."
    )

    def __init__(
        self,
        *,
        bot_token: str = "xoxb-111-222-fakebottoken",
        app_token: str = "xapp-1-A111-333-fakeapptoken",
        team_id: str = "T111",
        team_name: str = "Fake Workspace",
        bot_user_id: str = "U0BOT",
        bot_id: str = "B111",
        app_id: str = "A111",
        scopes: str = "app_mentions:read,chat:write,commands,im:history,im:write,"
        "users:read,users:read.email,channels:read",
        enforce_limits: bool = False,
        post_message_burst: int = 3,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.bot_token, self.app_token = bot_token, app_token
        self.team_id, self.team_name = team_id, team_name
        self.bot_user_id, self.bot_id, self.app_id = bot_user_id, bot_id, app_id
        self.scopes = scopes
        self.enforce_limits = enforce_limits
        self.post_message_burst = post_message_burst
        self._clock = clock
        self.calls: list[SlackCall] = []
        self.response_posts: list[ResponseUrlPost] = []
        self.envelopes: list[JSONDict] = []
        self.acks: list[JSONDict] = []
        self.ratelimited_count = 0
        self._users: dict[str, JSONDict] = {}
        self._channels: dict[str, JSONDict] = {}
        self._states: dict[str, ChannelState] = {}
        self._opened_dms: set[str] = set()  # users with a conversations.open'ed DM
        self._messages: defaultdict[str, list[JSONDict]] = defaultdict(list)
        self._ephemeral: list[JSONDict] = []
        self._ts_seq = 0
        self._faults: defaultdict[str, list[_Fault]] = defaultdict(list)
        self._outage: int | None = None
        self._windows: defaultdict[str, deque[float]] = defaultdict(deque)
        self._buckets: dict[str, tuple[float, float]] = {}
        self._response_urls: dict[str, _ResponseUrl] = {}
        self._tickets: set[str] = set()
        self._acks_before: dict[str, int] = {}  # envelope id -> len(acks) when last pushed
        self._sockets: list[web.WebSocketResponse] = []
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self._port = 0
        self._handlers: dict[str, Callable[[JSONDict], JSONDict]] = {
            "auth.test": self._auth_test,
            "chat.postMessage": self._post_message,
            "chat.postEphemeral": self._post_ephemeral,
            "chat.update": self._update,
            "chat.delete": self._delete,
            "conversations.open": self._conversations_open,
            "conversations.info": self._conversations_info,
            "users.info": self._users_info,
            "users.lookupByEmail": self._users_lookup_by_email,
            "apps.connections.open": self._connections_open,
        }
        self.add_user(bot_user_id, email="", real_name="Łącznik", is_bot=True)

    # ---------------------------------------------------------------- lifecycle

    async def start(self) -> None:
        """Bind an aiohttp server on 127.0.0.1 with a free port."""
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/response/{rid}", self._response_url_post)
        app.router.add_get("/link/", self._socket)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        """Close Socket Mode connections, then the server (close Socket Mode clients first)."""
        for ws in list(self._sockets):
            await ws.close(code=WSCloseCode.GOING_AWAY)
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT`` of the running fake."""
        if not self._port:
            raise RuntimeError("FakeSlackServer is not started")
        return f"http://127.0.0.1:{self._port}"

    @property
    def api_url(self) -> str:
        """What slack_sdk takes as ``base_url``."""
        return f"{self.base_url}/api/"

    # ---------------------------------------------------------------- world state

    def add_user(
        self, user_id: str, *, email: str, real_name: str, is_bot: bool = False,
        deleted: bool = False, team_id: str | None = None,
    ) -> None:
        """Register a user for ``users.info``, ``users.lookupByEmail`` and DMs."""
        name = email.split("@")[0] or real_name.lower().replace(" ", ".")
        self._users[user_id] = {
            "id": user_id, "team_id": team_id or self.team_id, "name": name,
            "deleted": deleted, "real_name": real_name, "tz": "Europe/Warsaw",
            "tz_label": "Central European Time", "tz_offset": 3600, "is_bot": is_bot,
            "is_app_user": False, "is_admin": False, "is_owner": False, "updated": 1700000000,
            "profile": {"real_name": real_name, "display_name": real_name, "email": email,
                        "team": team_id or self.team_id},
        }

    def add_channel(self, channel_id: str, *, name: str, is_private: bool = False) -> None:
        """Register a channel so ``conversations.info`` returns its name."""
        self._channels[channel_id] = {"name": name, "is_private": is_private}

    def set_channel_state(self, channel: str, state: ChannelState | None) -> None:
        """Make calls on ``channel`` fail with ``state`` (``None`` restores it)."""
        if state is None:
            self._states.pop(channel, None)
        else:
            self._states[channel] = state

    def dm_channel(self, user_id: str) -> str:
        """The id of the app's DM with ``user_id`` (what ``conversations.open`` returns)."""
        return "D" + user_id[1:]

    def response_url(
        self, *, channel: str = "C111", user: str = "U111", message_ts: str | None = None
    ) -> str:
        """A fresh response_url (5 uses within 30 minutes) for a command or an action."""
        rid = uuid.uuid4().hex
        self._response_urls[rid] = _ResponseUrl(channel, user, message_ts, self._clock())
        return f"{self.base_url}/response/{rid}"

    # ---------------------------------------------------------------- inspection

    def calls_to(self, method: str) -> list[SlackCall]:
        """Recorded calls of one Web API method, including failed ones."""
        return [c for c in self.calls if c.method == method]

    async def wait_for_calls(
        self, method: str, n: int = 1, timeout: float = 5.0
    ) -> list[SlackCall]:
        """Wait until ``method`` was called at least ``n`` times."""
        return await self._wait_until(
            lambda: calls if len(calls := self.calls_to(method)) >= n else None,
            timeout, f"{n} call(s) to {method}",
        )

    async def wait_for_responses(self, n: int = 1, timeout: float = 5.0) -> list[ResponseUrlPost]:
        """Wait until ``n`` response_url POSTs arrived."""
        return await self._wait_until(
            lambda: list(self.response_posts) if len(self.response_posts) >= n else None,
            timeout, f"{n} response_url POST(s)",
        )

    def messages(self, channel: str | None = None) -> list[JSONDict]:
        """Current messages (after edits and deletes), each with its ``channel``."""
        chans = [channel] if channel is not None else list(self._messages)
        return [{"channel": ch, **m} for ch in chans for m in self._messages.get(ch, [])]

    def ephemeral_messages(self, channel: str | None = None) -> list[JSONDict]:
        """Ephemeral messages (``chat.postEphemeral`` and ephemeral response_url replies)."""
        return [m for m in self._ephemeral if channel is None or m["channel"] == channel]

    # ---------------------------------------------------------------- fault injection

    def fail_next(
        self, method: str, *, times: int = 1, channel: str | None = None, status: int = 429,
        retry_after: int = 1, error: str | None = None,
    ) -> None:
        """Fail the next ``times`` calls of ``method`` (optionally only for ``channel``).

        429 → ``Retry-After`` + ``ratelimited``; 5xx → that status; ``status=200`` with
        ``error`` → a plain Slack API error such as ``channel_not_found``.
        """
        self._faults[method].append(_Fault(times, channel, status, retry_after, error))

    def set_outage(self, status: int | None = 503) -> None:
        """Answer every Web API call with HTTP ``status`` until called with ``None``."""
        self._outage = status

    # ---------------------------------------------------------------- Socket Mode

    @property
    def socket_connections(self) -> int:
        """Number of open Socket Mode connections."""
        return sum(not ws.closed for ws in self._sockets)

    async def wait_for_socket(self, timeout: float = 5.0) -> None:
        """Wait until a Socket Mode client is connected (and got ``hello``)."""
        await self._wait_until(self._open_socket, timeout, "a Socket Mode client")

    async def push_envelope(self, envelope: JSONDict, *, timeout: float = 5.0) -> str:
        """Send an envelope to the newest connected client; returns its ``envelope_id``."""
        ws = await self._wait_until(self._open_socket, timeout, "a Socket Mode client")
        envelope = {"envelope_id": str(uuid.uuid4()), **envelope}
        envelope_id = str(envelope["envelope_id"])
        self._acks_before[envelope_id] = len(self.acks)
        await ws.send_str(json.dumps(envelope))
        self.envelopes.append(envelope)
        return envelope_id

    async def wait_for_ack(self, envelope_id: str, timeout: float = 5.0) -> JSONDict:
        """Wait for the client's ``{"envelope_id": …, "payload": …}`` ack to the latest push."""
        start = self._acks_before.get(envelope_id, 0)
        return await self._wait_until(
            lambda: next((a for a in self.acks[start:] if a["envelope_id"] == envelope_id), None),
            timeout, f"ack of envelope {envelope_id}",
        )

    async def send_disconnect(self, reason: str = "refresh_requested") -> None:
        """Send Slack's ``disconnect`` message to every client (they reconnect)."""
        msg = json.dumps({"type": "disconnect", "reason": reason,
                          "debug_info": {"host": "applink-fake"}})
        for ws in [w for w in self._sockets if not w.closed]:
            await ws.send_str(msg)

    def _open_socket(self) -> web.WebSocketResponse | None:
        return next((ws for ws in reversed(self._sockets) if not ws.closed), None)

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ticket = request.query.get("ticket", "")
        if ticket not in self._tickets:
            raise web.HTTPUnauthorized(text="invalid ticket")
        self._tickets.discard(ticket)
        ws = web.WebSocketResponse(autoping=True)  # answers the SDK's "sdk-ping-pong:<t>" pings
        await ws.prepare(request)
        await ws.send_json({
            "type": "hello", "num_connections": self.socket_connections + 1,
            "debug_info": {"host": "applink-fake", "build_number": 1,
                           "approximate_connection_time": 18060},
            "connection_info": {"app_id": self.app_id},
        })
        self._sockets.append(ws)
        await self._notify()
        try:
            async for msg in ws:
                if msg.type is WSMsgType.TEXT:
                    data = json.loads(msg.data)
                    if isinstance(data, dict) and "envelope_id" in data:
                        self.acks.append(data)
                        await self._notify()
        finally:
            self._sockets.remove(ws)
        return ws

    # ---------------------------------------------------------------- HTTP plumbing

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def _wait_until(self, check: Callable[[], _T | None], timeout: float, what: str) -> _T:
        try:
            async with asyncio.timeout(timeout), self._changed:
                while (result := check()) is None:
                    await self._changed.wait()
                return result
        except TimeoutError:
            raise TimeoutError(f"fake Slack: no {what} within {timeout}s") from None

    def _json(self, body: JSONDict, status: int, retry_after: int | None) -> web.Response:
        headers = {"X-OAuth-Scopes": self.scopes, "X-Slack-Req-Id": uuid.uuid4().hex}
        if retry_after is not None:
            headers["Retry-After"] = str(retry_after)
        return web.json_response(body, status=status, headers=headers)

    @staticmethod
    async def _read_params(request: web.Request) -> JSONDict:
        params: JSONDict = dict(request.query)
        if request.content_type == "application/json":
            body = await request.json()
            if not isinstance(body, dict):
                raise ValueError("JSON body is not an object")
            params.update(body)
        elif request.can_read_body:
            form = await request.post()
            params.update({k: v for k, v in form.items() if isinstance(v, str)})
        for key in ("blocks", "attachments", "metadata"):
            value = params.get(key)
            if isinstance(value, str) and value.startswith(("[", "{")):
                with contextlib.suppress(ValueError):  # Slack: invalid_blocks_format
                    params[key] = json.loads(value)
        return params

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        headers = dict(request.headers)
        try:
            params = await self._read_params(request)
        except ValueError:
            params = {}
            status, body, retry = 200, {"ok": False, "error": "invalid_json"}, None
        else:
            status, body, retry = self._dispatch(method, params, request.headers)
        if status == 429:
            self.ratelimited_count += 1
        self.calls.append(SlackCall(method, params, headers, self._clock(), status, body))
        await self._notify()
        return self._json(body, status, retry)

    def _dispatch(
        self, method: str, params: JSONDict, headers: Mapping[str, str]
    ) -> tuple[int, JSONDict, int | None]:
        """(HTTP status, body, Retry-After) for one Web API call."""
        if self._outage is not None:
            return self._outage, {"ok": False, "error": "service_unavailable"}, None
        auth = headers.get("Authorization", "")
        token = auth[7:] if auth.startswith("Bearer ") else str(params.get("token") or "")
        if not token:
            return 200, {"ok": False, "error": "not_authed"}, None
        wanted = self.app_token if method == "apps.connections.open" else self.bot_token
        if token != wanted:
            known = token in (self.app_token, self.bot_token)
            return 200, {"ok": False, "error": "not_allowed_token_type" if known
                         else "invalid_auth"}, None
        if (fault := self._take_fault(method, params)) is not None:
            if fault.status == 429:
                body = {"ok": False, "error": fault.error or "ratelimited"}
                return 429, body, fault.retry_after
            return fault.status, {"ok": False, "error": fault.error or "internal_error"}, None
        if self.enforce_limits and (wait := self._rate_limit(method, params)) is not None:
            return 429, {"ok": False, "error": "ratelimited"}, wait
        handler = self._handlers.get(method)
        if handler is None:
            return 200, {"ok": False, "error": "unknown_method", "req_method": method}, None
        return 200, handler(dict(params)), None

    def _take_fault(self, method: str, params: JSONDict) -> _Fault | None:
        for fault in self._faults.get(method, []):
            if fault.channel is None or fault.channel == params.get("channel"):
                fault.times -= 1
                if fault.times <= 0:
                    self._faults[method].remove(fault)
                return fault
        return None

    def _rate_limit(self, method: str, params: JSONDict) -> int | None:
        """Seconds to wait if this call exceeds Slack's limits, else None (and count it)."""
        now = self._clock()
        if method == "chat.postMessage":  # special tier: ~1/s per channel, short bursts
            key = str(params.get("channel"))
            tokens, last = self._buckets.get(key, (float(self.post_message_burst), now))
            tokens = min(float(self.post_message_burst), tokens + (now - last))
            if tokens < 1:
                self._buckets[key] = (tokens, now)
                return max(1, math.ceil(1 - tokens))
            self._buckets[key] = (tokens - 1, now)
            return None
        limit = self.TIER_PER_MINUTE.get(method)
        if limit is None:
            return None
        window = self._windows[method]
        while window and window[0] <= now - 60:
            window.popleft()
        if len(window) >= limit:
            return max(1, math.ceil(window[0] + 60 - now))
        window.append(now)
        return None

    # ---------------------------------------------------------------- messages

    def _next_ts(self) -> str:
        self._ts_seq += 1
        return f"{int(self._clock())}.{self._ts_seq % 1_000_000:06d}"

    def _resolve_channel(self, channel: Any) -> tuple[str, JSONDict | None]:
        """Map a channel (or a user id, meaning the app DM) and check its state."""
        if not isinstance(channel, str) or not channel:
            return "", {"ok": False, "error": "channel_not_found"}
        if channel[0] in "UW":
            if channel not in self._users:
                return channel, {"ok": False, "error": "channel_not_found"}
            channel = self.dm_channel(channel)
        if (state := self._states.get(channel)) is not None:
            return channel, {"ok": False, "error": state}
        dm_user = self._dm_user(channel)
        if dm_user is not None and self._users[dm_user]["deleted"]:
            return channel, {"ok": False, "error": "account_inactive"}
        return channel, None

    def _dm_user(self, channel: str) -> str | None:
        return next((u for u in self._users if self.dm_channel(u) == channel), None)

    def _validate(self, p: JSONDict) -> JSONDict | None:
        """Slack's content checks; truncates long ``text`` and sets ``p["_warnings"]``."""
        blocks, text = p.get("blocks"), p.get("text")
        if blocks is not None and not isinstance(blocks, list):
            return {"ok": False, "error": "invalid_blocks_format"}
        if not text and not blocks and not p.get("attachments"):
            return {"ok": False, "error": "no_text"}
        errors = self._block_errors(blocks or [])
        if errors:
            return {"ok": False, "error": "invalid_blocks", "errors": errors,
                    "response_metadata": {"messages": [f"[ERROR] {e}" for e in errors]}}
        if isinstance(text, str) and len(text) > self.MAX_TEXT:
            p["text"] = text[: self.MAX_TEXT]
            p["_warnings"] = ["message_truncated"]
        return None

    def _block_errors(self, blocks: list[Any]) -> list[str]:
        errors = []
        if len(blocks) > self.MAX_BLOCKS:
            errors.append(f"must be less than {self.MAX_BLOCKS + 1} items [json-pointer:/blocks]")
        for i, block in enumerate(blocks):
            if not isinstance(block, dict) or "type" not in block:
                errors.append(f"missing required field: type [json-pointer:/blocks/{i}]")
                continue
            text = block.get("text")
            text = text.get("text", "") if isinstance(text, dict) else text
            limit = self.BLOCK_TEXT_LIMITS.get(block["type"])
            if limit is not None and isinstance(text, str) and len(text) > limit:
                where = "text/text" if block["type"] != "markdown" else "text"
                errors.append(f"must be less than {limit + 1} characters "
                              f"[json-pointer:/blocks/{i}/{where}]")
            fields = block.get("fields") or []
            if block["type"] == "section" and len(fields) > 10:
                errors.append(f"must be less than 11 items [json-pointer:/blocks/{i}/fields]")
        return errors

    def _with_warnings(self, p: JSONDict, body: JSONDict) -> JSONDict:
        if warnings := p.get("_warnings"):
            body["warning"] = ",".join(warnings)
            body["response_metadata"] = {"warnings": warnings,
                                         "messages": [self.TRUNCATED_MESSAGE]}
        return body

    def _store_message(self, channel: str, p: JSONDict) -> JSONDict:
        msg: JSONDict = {
            "type": "message", "user": self.bot_user_id, "bot_id": self.bot_id,
            "app_id": self.app_id, "team": self.team_id, "ts": self._next_ts(),
            "text": p.get("text") or "",
        }
        for key in ("blocks", "attachments", "metadata"):
            if p.get(key):
                msg[key] = p[key]
        if p.get("thread_ts"):
            msg["thread_ts"] = str(p["thread_ts"])
        self._messages[channel].append(msg)
        return msg

    def _store_ephemeral(self, channel: str, user: str, p: JSONDict) -> str:
        ts = self._next_ts()
        self._ephemeral.append({"channel": channel, "user": user, "ts": ts,
                                "text": p.get("text") or "", "blocks": p.get("blocks"),
                                "thread_ts": p.get("thread_ts")})
        return ts

    def _find(self, channel: str, ts: Any) -> JSONDict | None:
        return next((m for m in self._messages.get(channel, []) if m["ts"] == ts), None)

    def _edit(self, msg: JSONDict, p: JSONDict) -> None:
        for key in ("text", "blocks", "attachments"):
            if key in p:
                msg[key] = p[key]
        msg["edited"] = {"user": self.bot_user_id, "ts": self._next_ts()}

    # ---------------------------------------------------------------- Web API methods

    def _auth_test(self, p: JSONDict) -> JSONDict:
        return {"ok": True, "url": "https://fake-workspace.slack.com/", "team": self.team_name,
                "user": "lacznik", "team_id": self.team_id, "user_id": self.bot_user_id,
                "bot_id": self.bot_id, "is_enterprise_install": False}

    def _post_message(self, p: JSONDict) -> JSONDict:
        channel, error = self._resolve_channel(p.get("channel"))
        if error is not None or (error := self._validate(p)) is not None:
            return error
        msg = self._store_message(channel, p)
        return self._with_warnings(p, {"ok": True, "channel": channel, "ts": msg["ts"],
                                       "message": dict(msg)})

    def _post_ephemeral(self, p: JSONDict) -> JSONDict:
        channel, error = self._resolve_channel(p.get("channel"))
        if error is None and p.get("user") not in self._users:
            error = {"ok": False, "error": "user_not_in_channel"}
        if error is not None or (error := self._validate(p)) is not None:
            return error
        ts = self._store_ephemeral(channel, p["user"], p)
        return self._with_warnings(p, {"ok": True, "message_ts": ts})

    def _update(self, p: JSONDict) -> JSONDict:
        channel, error = self._resolve_channel(p.get("channel"))
        if error is not None:
            return error
        if (msg := self._find(channel, p.get("ts"))) is None:
            return {"ok": False, "error": "message_not_found"}
        if (error := self._validate(p)) is not None:
            return error
        self._edit(msg, p)
        return self._with_warnings(p, {"ok": True, "channel": channel, "ts": msg["ts"],
                                       "text": msg["text"], "message": dict(msg)})

    def _delete(self, p: JSONDict) -> JSONDict:
        channel, error = self._resolve_channel(p.get("channel"))
        if error is not None:
            return error
        if (msg := self._find(channel, p.get("ts"))) is None:
            return {"ok": False, "error": "message_not_found"}
        self._messages[channel].remove(msg)
        return {"ok": True, "channel": channel, "ts": msg["ts"]}

    def _conversations_open(self, p: JSONDict) -> JSONDict:
        if p.get("channel"):
            channel, error = self._resolve_channel(p["channel"])
            return error or {"ok": True, "channel": {"id": channel}}
        users = [u for u in str(p.get("users") or "").split(",") if u]
        if len(users) != 1:  # group DMs (mpim) are not faked
            return {"ok": False, "error": "users_list_not_supplied"}
        if missing := [u for u in users if u not in self._users]:
            return {"ok": False, "error": "user_not_found", "users": missing}
        already = users[0] in self._opened_dms
        self._opened_dms.add(users[0])
        im: JSONDict = {"id": self.dm_channel(users[0])}
        if str(p.get("return_im")) in ("1", "true", "True"):
            im |= {"created": 1700000000, "is_im": True, "is_org_shared": False,
                   "user": users[0], "is_user_deleted": self._users[users[0]]["deleted"]}
        body: JSONDict = {"ok": True, "channel": im}
        return body | {"no_op": True, "already_open": True} if already else body

    def _conversations_info(self, p: JSONDict) -> JSONDict:
        channel = str(p.get("channel") or "")
        state = self._states.get(channel)
        if not channel or state == "channel_not_found":
            return {"ok": False, "error": "channel_not_found"}
        if (dm_user := self._dm_user(channel)) is not None:
            return {"ok": True, "channel": {"id": channel, "created": 1700000000, "is_im": True,
                                            "is_org_shared": False, "user": dm_user}}
        meta = self._channels.get(channel, {"name": channel.lower(),
                                            "is_private": channel.startswith("G")})
        return {"ok": True, "channel": {
            "id": channel, "name": meta["name"], "is_channel": not meta["is_private"],
            "is_group": False, "is_im": False, "is_mpim": False, "is_private": meta["is_private"],
            "created": 1700000000, "is_archived": state == "is_archived", "is_general": False,
            "is_member": state != "not_in_channel", "context_team_id": self.team_id,
        }}

    def _users_info(self, p: JSONDict) -> JSONDict:
        user = self._users.get(str(p.get("user")))
        return {"ok": True, "user": user} if user else {"ok": False, "error": "user_not_found"}

    def _users_lookup_by_email(self, p: JSONDict) -> JSONDict:
        email = str(p.get("email") or "").lower()
        user = next((u for u in self._users.values()
                     if email and u["profile"]["email"].lower() == email), None)
        return {"ok": True, "user": user} if user else {"ok": False, "error": "users_not_found"}

    def _connections_open(self, p: JSONDict) -> JSONDict:
        ticket = uuid.uuid4().hex
        self._tickets.add(ticket)
        url = f"ws://127.0.0.1:{self._port}/link/?ticket={ticket}&app_id={self.app_id}"
        return {"ok": True, "url": url}

    # ---------------------------------------------------------------- response_url

    async def _response_url_post(self, request: web.Request) -> web.Response:
        url = str(request.url)
        body: Any = None
        try:
            if request.content_type == "application/json":
                body = await request.json()
            elif isinstance(raw := (await request.post()).get("payload"), str):
                body = json.loads(raw)  # legacy form-encoded ``payload=``
        except ValueError:
            pass
        status, answer = self._use_response_url(request.match_info["rid"], body)
        self.response_posts.append(ResponseUrlPost(
            url, body if isinstance(body, dict) else {}, dict(request.headers), self._clock(),
            status))
        await self._notify()
        return web.json_response(answer, status=status)

    def _use_response_url(self, rid: str, body: Any) -> tuple[int, JSONDict]:
        entry = self._response_urls.get(rid)
        if entry is None:
            return 404, {"ok": False, "error": "no_service"}
        if self._clock() - entry.created > self.RESPONSE_URL_TTL:
            return 404, {"ok": False, "error": "expired_url"}
        if entry.uses >= self.RESPONSE_URL_USES:
            return 404, {"ok": False, "error": "used_url"}
        if not isinstance(body, dict):
            return 400, {"ok": False, "error": "invalid_payload"}
        entry.uses += 1
        p = dict(body)
        original = self._find(entry.channel, entry.message_ts)
        if p.get("delete_original"):
            if original is not None:
                self._messages[entry.channel].remove(original)
            return 200, {"ok": True}
        if (error := self._validate(p)) is not None:
            return 400, error
        if p.get("replace_original") and original is not None:
            self._edit(original, p)
        elif p.get("response_type") == "in_channel":
            self._store_message(entry.channel, p)
        else:
            self._store_ephemeral(entry.channel, entry.user, p)
        return 200, self._with_warnings(p, {"ok": True})
