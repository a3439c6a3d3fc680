# ruff: noqa: ASYNC109, S107  (waiters take a timeout like asyncio.wait_for; fake tokens)
"""A protocol-faithful fake of the Telegram Bot API for tests and benchmarks.

The real python-telegram-bot client talks to it over loopback:

    async with FakeTelegramServer() as tg:
        bot = telegram.Bot(tg.token, base_url=tg.base_url)
        await bot.send_message(408258968, "<b>Cześć</b>", parse_mode="HTML")
        assert tg.sent_messages(408258968)[0]["text"] == "Cześć"

PTB posts ``application/x-www-form-urlencoded`` (multipart only with files); every value is a
string and nested objects (``reply_markup``, ``commands``, ``scope``…) are JSON strings. The
fake decodes them, so ``Call.params`` holds ints, bools, dicts and lists.

HTML ``parse_mode`` follows tdlib's parser (the one behind the real server), including its
error texts with UTF-8 byte offsets; unknown named entities such as ``&nbsp;`` stay literal
text, as on the real server.
"""

from __future__ import annotations

import asyncio
import json
import math
import re
import time
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, NamedTuple, Self, TypeVar

from aiohttp import ClientSession, ClientTimeout, web

__all__ = ["Call", "FakeTelegramServer", "FloodLimits", "load_payload"]

JSONDict = dict[str, Any]
_T = TypeVar("_T")

_TEXT_PARAMS = frozenset({
    "text", "caption", "parse_mode", "url", "secret_token", "callback_query_id", "action",
    "inline_message_id", "language_code", "ip_address", "description", "short_description",
    "name", "title", "query_id", "business_connection_id", "message_effect_id",
})
_HTML_TAGS = frozenset({
    "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre", "span",
    "tg-spoiler", "tg-emoji", "blockquote",
})
_TAG_ENTITY = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline",
    "ins": "underline", "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough",
    "span": "spoiler", "tg-spoiler": "spoiler", "code": "code", "pre": "pre",
    "blockquote": "blockquote", "tg-emoji": "custom_emoji", "a": "text_link",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY_RE = re.compile(r"&(?:#(x[0-9A-Fa-f]*|[0-9]*)|([A-Za-z]+));?")
_TAG_RE = re.compile(r"<(/?)([^ \t\r\n\v\0>]*)")
_ATTR = r"""([^\s=>]+)(?:\s*=\s*("[^"]*"|'[^']*'|[A-Za-z0-9.-]+))?"""  # name[=value]
_ATTR_RE = re.compile(_ATTR)
_ATTRS_RE = re.compile(rf"((?:\s+{_ATTR})*)\s*>")
_END_TAG_RE = re.compile(r"\s*>")
_COMMAND_RE = re.compile(r"[a-z0-9_]{1,32}")
_SECRET_RE = re.compile(r"[A-Za-z0-9_-]+")
_LANGUAGE_RE = re.compile(r"(?:[a-z]{2})?")
_CHAT_ACTIONS = frozenset({
    "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
    "upload_document", "choose_sticker", "find_location", "record_video_note",
    "upload_video_note",
})
_MESSAGE_KINDS = frozenset({
    "message", "edited_message", "channel_post", "edited_channel_post", "business_message",
})
_NOT_DEFAULT_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
_WEBHOOK_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
_POLL_CONFLICT = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)
_STATUS_TEXT = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
                409: "Conflict", 500: "Internal Server Error", 502: "Bad Gateway"}


def load_payload(name: str) -> JSONDict:
    """A sample from ``tests/data/payloads/telegram`` (see its ``SOURCES.md``)."""
    repo_root = Path(__file__).resolve().parents[2]
    path = repo_root / "tests" / "data" / "payloads" / "telegram" / name
    data: JSONDict = json.loads(path.read_text(encoding="utf-8"))
    return data


class _ApiError(Exception):
    """A Bot API error answer: HTTP status = ``error_code``, optional ``parameters``."""

    def __init__(self, status: int, description: str, parameters: JSONDict | None = None):
        super().__init__(description)
        self.status, self.description, self.parameters = status, description, parameters

    def body(self) -> JSONDict:
        body: JSONDict = {"ok": False, "error_code": self.status, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def _too_many(retry_after: int) -> _ApiError:
    return _ApiError(429, f"Too Many Requests: retry after {retry_after}",
                     {"retry_after": retry_after})


@dataclass(frozen=True)
class Call:
    """One Bot API request as the fake saw it (JSON-string params decoded)."""

    method: str
    params: JSONDict
    timestamp: float  # clock() when the request arrived (monotonic by default)
    status: int
    response: JSONDict


@dataclass(frozen=True)
class FloodLimits:
    """Telegram's published flood limits for sends; a 0 disables that limit."""

    per_chat_rate: float = 1.0  # messages per second per chat …
    per_chat_burst: int = 3  # … with a short burst allowed
    per_group: int = 20  # messages per window to one group/supergroup (negative chat id)
    per_group_window: float = 60.0
    overall: int = 30  # messages per window overall
    overall_window: float = 1.0


@dataclass
class _Fault:
    method: str
    times: int
    chat_id: int | str | None
    error: _ApiError


@dataclass
class _Sent:
    chat_id: int
    message_id: int
    text: str  # what the user sees (markup parsed)
    raw_text: str  # what the bot sent
    parse_mode: str | None
    entities: list[JSONDict]
    reply_markup: JSONDict | None
    message_thread_id: int | None
    disable_notification: bool
    reply_parameters: JSONDict | None
    date: int
    edit_date: int | None = None
    deleted: bool = False
    history: list[str] = field(default_factory=list)  # earlier visible texts


class _Described(NamedTuple):
    result: Any
    description: str


class FakeTelegramServer:
    """Telegram's Bot API on 127.0.0.1: ``/bot{token}/{method}``, recording every call."""

    MAX_TEXT = 4096

    def __init__(
        self,
        *,
        token: str = "123456789:AAFakeTelegramTokenForTests_0123456789",
        username: str = "LacznikTestBot",
        bot_id: int | None = None,
        first_name: str = "Łącznik",
        can_read_all_group_messages: bool = False,
        auto_register_chats: bool = True,
        require_https_webhook: bool = True,
        enforce_limits: bool = False,
        limits: FloodLimits | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.token, self.username, self.first_name = token, username, first_name
        prefix = token.split(":", 1)[0]  # a real token starts with the bot's id
        self.bot_id = bot_id if bot_id is not None else int(prefix) if prefix.isdigit() else 1
        self.can_read_all_group_messages = can_read_all_group_messages
        self.auto_register_chats = auto_register_chats
        self.require_https_webhook = require_https_webhook
        self.enforce_limits = enforce_limits
        self.limits = limits or FloodLimits()
        self._clock = clock
        self.calls: list[Call] = []
        self.ratelimited_count = 0
        self.dropped_updates: list[JSONDict] = []  # filtered out by allowed_updates
        self.webhook: JSONDict = {"url": ""}
        self.allowed_updates: list[str] = []
        self._updates: deque[JSONDict] = deque()
        self._next_update_id = 1
        self._poll_generation = 0
        self._closing = False
        self._changed = asyncio.Event()
        self._chats: dict[int, JSONDict] = {}
        self._blocked: set[int] = set()
        self._left: set[int] = set()
        self._migrated: dict[int, int] = {}
        self._last_message_id: defaultdict[int, int] = defaultdict(int)
        self._sent: dict[tuple[int, int], _Sent] = {}
        self._inbound: dict[tuple[int, int], JSONDict] = {}
        self._callback_queries: dict[str, bool] = {}  # id -> answered
        self._commands: dict[tuple[str, str], list[JSONDict]] = {}
        self._faults: list[_Fault] = []
        self._outage_until: float | None = None
        self._hanging: dict[str, int] = {}  # method → calls still to hold
        self._held = asyncio.Event()  # set: held calls give up (502, nothing done)
        self.held_calls = 0  # calls being held right now
        self._buckets: dict[int, tuple[float, float]] = {}
        self._windows: defaultdict[int | None, deque[float]] = defaultdict(deque)
        self._runner: web.AppRunner | None = None
        self._port = 0
        handlers: dict[str, Callable[[JSONDict], Awaitable[Any]]] = {
            "getMe": self._get_me, "getUpdates": self._get_updates,
            "setWebhook": self._set_webhook, "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info, "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands, "deleteMyCommands": self._delete_my_commands,
            "sendMessage": self._send_message, "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_reply_markup,
            "answerCallbackQuery": self._answer_callback_query,
            "deleteMessage": self._delete_message, "leaveChat": self._leave_chat,
            "sendChatAction": self._send_chat_action, "getChat": self._get_chat,
        }
        self._handlers = {name.lower(): (name, h) for name, h in handlers.items()}

    # ---------------------------------------------------------------- lifecycle

    async def start(self) -> None:
        """Bind an aiohttp server on 127.0.0.1 with a free port."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._api)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self._port = self._runner.addresses[0][1]
        self._closing = False

    async def stop(self) -> None:
        """Release pending long polls (they answer ``[]``), then close the server."""
        self._closing = True
        self._poke()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT`` of the running fake."""
        if not self._port:
            raise RuntimeError("FakeTelegramServer is not started")
        return f"http://127.0.0.1:{self._port}"

    @property
    def base_url(self) -> str:
        """What PTB takes as ``base_url`` (it appends the token itself)."""
        return f"{self.url}/bot"

    # ---------------------------------------------------------------- chats

    def add_chat(self, chat: JSONDict) -> None:
        """Register (or update) a Bot API ``Chat``; ``is_forum`` enables message threads."""
        self._chats[int(chat["id"])] = {**self._chats.get(int(chat["id"]), {}), **chat}

    def block_chat(self, chat_id: int) -> None:
        """The user blocked the bot: sends answer 403."""
        self._blocked.add(chat_id)

    def unblock_chat(self, chat_id: int) -> None:
        """The user unblocked the bot."""
        self._blocked.discard(chat_id)

    def migrate_chat(self, old_id: int, new_id: int) -> None:
        """The group became a supergroup: sends to ``old_id`` answer 400 + migrate_to_chat_id."""
        old = self._chats.get(old_id, {"title": f"Chat {old_id}"})
        self.add_chat({**old, "id": new_id, "type": "supergroup"})
        self._migrated[old_id] = new_id

    def commands(self, scope: JSONDict | None = None, language_code: str = "") -> list[JSONDict]:
        """The command list stored for exactly this scope and language."""
        return [dict(c) for c in self._commands.get((_scope_key(scope), language_code), [])]

    # ---------------------------------------------------------------- inspection

    def calls_to(self, method: str) -> list[Call]:
        """Recorded calls of one method (case-insensitive name), including failed ones."""
        return [c for c in self.calls if c.method.lower() == method.lower()]

    async def wait_for_calls(self, method: str, n: int = 1, timeout: float = 5.0) -> list[Call]:
        """Wait until ``method`` was called (and answered) at least ``n`` times."""
        return await self._wait_until(
            lambda: calls if len(calls := self.calls_to(method)) >= n else None,
            timeout, f"{n} call(s) to {method}",
        )

    def sent_messages(
        self, chat_id: int | None = None, *, include_deleted: bool = False
    ) -> list[JSONDict]:
        """The bot's messages as users see them now (after edits), oldest first."""
        return [asdict(m) for m in self._sent.values()
                if (chat_id is None or m.chat_id == chat_id) and (include_deleted or not m.deleted)]

    # ---------------------------------------------------------------- fault injection

    def fail_next(
        self, method: str, *, times: int = 1, chat_id: int | str | None = None,
        error_code: int = 429, retry_after: int | None = None, description: str | None = None,
    ) -> None:
        """Fail the next ``times`` calls of ``method`` (optionally only for ``chat_id``)."""
        if error_code == 429:
            error = _too_many(retry_after or 1)
            if description:
                error.description = description
        else:
            params = {"retry_after": retry_after} if retry_after is not None else None
            error = _ApiError(error_code, description or _STATUS_TEXT.get(error_code, "Error"),
                              params)
        self._faults.append(_Fault(method.lower(), times, chat_id, error))

    def hang_next(self, method: str, *, times: int = 1) -> None:
        """Hold the next ``times`` calls of ``method`` unanswered and undone (a caller that
        dies while it waits never learns anything) until :meth:`release_held`."""
        self._hanging[method.lower()] = self._hanging.get(method.lower(), 0) + times
        self._held = asyncio.Event()

    def release_held(self) -> None:
        """Answer the held calls 502, without doing them (they never reached Telegram)."""
        self._held.set()

    def outage(self, seconds: float | None) -> None:
        """Answer every call 502 "Bad Gateway" for ``seconds`` (``None`` ends the outage)."""
        self._outage_until = None if seconds is None else self._clock() + seconds

    # ---------------------------------------------------------------- delivery

    def wrap_message(
        self, message: JSONDict, update_id: int | None = None, kind: str = "message"
    ) -> JSONDict:
        """A bare ``Message`` payload wrapped into an ``Update``."""
        if update_id is None:
            update_id = self._next_update_id
        self._next_update_id = max(self._next_update_id, update_id + 1)
        return {"update_id": update_id, kind: message}

    load_payload = staticmethod(load_payload)

    def push_update(self, update: JSONDict, *, keep_id: bool = False) -> JSONDict | None:
        """Queue an update for getUpdates; None if ``allowed_updates`` filters it out.

        Like Telegram, ids only grow: an ``update_id`` below the last one is replaced by the
        next id unless ``keep_id`` (samples reuse ids such as 10000; offsets would drop them).
        """
        update = self._observe(update, renumber=not keep_id)
        kind = next((k for k in update if k != "update_id"), "")
        allowed = self.allowed_updates
        if (kind not in allowed) if allowed else (kind in _NOT_DEFAULT_UPDATES):
            self.dropped_updates.append(update)
            return None
        self._updates.append(update)
        self._poke()
        return update

    async def post_webhook(
        self, url: str, update: JSONDict, secret_token: str | None = None
    ) -> tuple[int, str]:
        """POST an update to a bot's webhook as Telegram does; (HTTP status, body text)."""
        update = self._observe(update)
        headers = {"Content-Type": "application/json"}
        if secret_token is not None:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret_token
        async with ClientSession(timeout=ClientTimeout(total=10)) as session, session.post(
            url, data=json.dumps(update, ensure_ascii=False).encode(), headers=headers
        ) as resp:
            return resp.status, await resp.text()

    def _observe(self, update: JSONDict, *, renumber: bool = False) -> JSONDict:
        """Give the update an id and learn its chats, messages and callback queries."""
        update = dict(update)
        if "update_id" not in update or (renumber and update["update_id"] < self._next_update_id):
            update["update_id"] = self._next_update_id
        self._next_update_id = max(self._next_update_id, int(update["update_id"]) + 1)
        for kind, obj in update.items():
            if not isinstance(obj, dict):
                continue
            if kind == "callback_query":
                self._callback_queries.setdefault(str(obj["id"]), False)
            msg = obj.get("message") if kind == "callback_query" else obj
            chat = msg.get("chat") if isinstance(msg, dict) else None
            if not isinstance(msg, dict) or not isinstance(chat, dict) or "id" not in chat:
                continue
            self.add_chat(chat)
            chat_id = int(chat["id"])
            if kind in _MESSAGE_KINDS and "message_id" in msg:
                self._inbound[(chat_id, int(msg["message_id"]))] = msg
                self._last_message_id[chat_id] = max(self._last_message_id[chat_id],
                                                     int(msg["message_id"]))
                if "migrate_to_chat_id" in msg:
                    self.migrate_chat(chat_id, int(msg["migrate_to_chat_id"]))
            if kind == "my_chat_member" and chat.get("type") == "private":
                kicked = obj.get("new_chat_member", {}).get("status") == "kicked"
                (self.block_chat if kicked else self.unblock_chat)(chat_id)
        return update

    # ---------------------------------------------------------------- HTTP plumbing

    def _poke(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def _wait_until(self, check: Callable[[], _T | None], timeout: float, what: str) -> _T:
        try:
            async with asyncio.timeout(timeout):
                while (result := check()) is None:
                    await self._changed.wait()
                return result
        except TimeoutError:
            raise TimeoutError(f"fake Telegram: no {what} within {timeout}s") from None

    async def _api(self, request: web.Request) -> web.Response:
        arrived = self._clock()
        if request.match_info["token"] != self.token:
            return web.json_response(_ApiError(401, "Unauthorized").body(), status=401)
        found = self._handlers.get(request.match_info["method"].lower())
        if found is None:
            return web.json_response(_ApiError(404, "Not Found").body(), status=404)
        method, handler = found
        params: JSONDict = {}
        try:
            params = await _read_params(request)
            await self._hold(method)
            self._check_faults(method, params)
            result = await handler(params)
            body: JSONDict = {"ok": True, "result": result}
            if isinstance(result, _Described):
                body = {"ok": True, "result": result.result, "description": result.description}
            status = 200
        except _ApiError as exc:
            status, body = exc.status, exc.body()
        except (TypeError, ValueError, KeyError) as exc:  # a malformed parameter
            status, body = 400, _ApiError(400, f"Bad Request: {exc!r}").body()
        self.ratelimited_count += status == 429
        self.calls.append(Call(method, params, arrived, status, body))
        self._poke()
        return web.json_response(body, status=status, dumps=_dumps)

    async def _hold(self, method: str) -> None:
        if not self._hanging.get(method.lower()):
            return
        self._hanging[method.lower()] -= 1
        self.held_calls += 1
        self._poke()
        try:
            await self._held.wait()
        finally:
            self.held_calls -= 1
        raise _ApiError(502, "Bad Gateway")

    def _check_faults(self, method: str, params: JSONDict) -> None:
        if self._outage_until is not None:
            if self._clock() < self._outage_until:
                raise _ApiError(502, "Bad Gateway")
            self._outage_until = None
        for fault in self._faults:
            if fault.method == method.lower() and (
                fault.chat_id is None or str(fault.chat_id) == str(params.get("chat_id"))
            ):
                fault.times -= 1
                if fault.times <= 0:
                    self._faults.remove(fault)
                raise fault.error

    def _flood_control(self, chat_id: int) -> None:
        """Raise 429 if a send to ``chat_id`` now exceeds the limits; else count it."""
        if not self.enforce_limits:
            return
        lim, now = self.limits, self._clock()
        waits: list[float] = []
        tokens, last = self._buckets.get(chat_id, (float(lim.per_chat_burst), now))
        if lim.per_chat_rate:
            tokens = min(float(lim.per_chat_burst), tokens + (now - last) * lim.per_chat_rate)
            if tokens < 1:
                waits.append((1 - tokens) / lim.per_chat_rate)
        windows: list[tuple[int | None, int, float]] = [(None, lim.overall, lim.overall_window)]
        if chat_id < 0:
            windows.append((chat_id, lim.per_group, lim.per_group_window))
        for key, limit, window in windows:
            stamps = self._windows[key]
            while stamps and stamps[0] <= now - window:
                stamps.popleft()
            if limit and len(stamps) >= limit:
                waits.append(stamps[0] + window - now)
        if waits:
            self._buckets[chat_id] = (tokens, now)
            raise _too_many(max(1, math.ceil(max(waits))))
        self._buckets[chat_id] = (tokens - 1, now)
        for key, _, _ in windows:
            self._windows[key].append(now)

    # ---------------------------------------------------------------- validation helpers

    def _chat(self, params: JSONDict, *, acting: bool = True) -> JSONDict:
        """The target chat of a call; 400/403 as Telegram answers for unusable chats."""
        raw = params.get("chat_id")
        if raw is None or raw == "":
            raise _ApiError(400, "Bad Request: chat_id is empty")
        if isinstance(raw, str):
            name = raw.removeprefix("@").lower()
            chat = next((c for c in self._chats.values()
                         if str(c.get("username", "")).lower() == name), None)
        else:
            chat_id = int(raw)
            if chat_id in self._migrated:
                raise _ApiError(400, "Bad Request: group chat was upgraded to a supergroup chat",
                                {"migrate_to_chat_id": self._migrated[chat_id]})
            chat = self._chats.get(chat_id)
            if chat is None and self.auto_register_chats:
                self.add_chat(_default_chat(chat_id))
                chat = self._chats[chat_id]
        if chat is None:
            raise _ApiError(400, "Bad Request: chat not found")
        if acting and chat["id"] in self._blocked:
            raise _ApiError(403, "Forbidden: bot was blocked by the user")
        if acting and chat["id"] in self._left:
            raise _ApiError(403, f"Forbidden: bot is not a member of the {chat['type']} chat")
        return chat

    def _text(self, params: JSONDict) -> tuple[str, list[JSONDict]]:
        """Visible text and entities after parse_mode, validated like the real server."""
        text = params.get("text")
        if not isinstance(text, str) or not text:
            raise _ApiError(400, "Bad Request: message text is empty")
        mode = str(params.get("parse_mode") or "").lower()
        if mode == "html":
            plain, entities = _parse_html(text)
        elif mode in ("", "markdown", "markdownv2"):  # Markdown is not emulated
            plain, entities = text, list(params.get("entities") or [])
        else:
            raise _ApiError(400, "Bad Request: unsupported parse_mode")
        stripped = plain.strip()
        if not stripped:
            raise _ApiError(400, "Bad Request: message text is empty")
        if _utf16_len(stripped) > self.MAX_TEXT:
            raise _ApiError(400, "Bad Request: message is too long")
        lead, size = _utf16_len(plain[: len(plain) - len(plain.lstrip())]), _utf16_len(stripped)
        shifted = []
        for ent in entities:
            start = max(0, ent["offset"] - lead)
            end = min(size, ent["offset"] + ent["length"] - lead)
            if end > start:
                shifted.append({**ent, "offset": start, "length": end - start})
        return stripped, shifted

    @staticmethod
    def _markup(params: JSONDict) -> JSONDict | None:
        """The ``reply_markup`` as sent; 400 for invalid inline buttons."""
        markup = params.get("reply_markup")
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise _ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
        if "inline_keyboard" not in markup:
            return markup
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise _ApiError(400, "Bad Request: can't parse inline keyboard button: "
                            "InlineKeyboardButton must be an Object")
        for button in (b for row in rows for b in row):
            if not isinstance(button, dict) or not button.get("text"):
                raise _ApiError(400, "Bad Request: BUTTON_TEXT_EMPTY")
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= 64:
                raise _ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
        return markup

    def _own_message(self, params: JSONDict, verb: str) -> _Sent:
        """The bot's own message addressed by chat_id + message_id (``verb``: edit/delete)."""
        chat = self._chat(params)
        key = (int(chat["id"]), int(params.get("message_id") or 0))
        sent = self._sent.get(key)
        if sent is None or sent.deleted:
            if key in self._inbound:
                raise _ApiError(400, f"Bad Request: message can't be {verb.rstrip('e')}ed")
            raise _ApiError(400, f"Bad Request: message to {verb} not found")
        return sent

    def _message_json(self, sent: _Sent) -> JSONDict:
        chat = self._chats[sent.chat_id]
        msg: JSONDict = {
            "message_id": sent.message_id,
            "from": {"id": self.bot_id, "is_bot": True, "first_name": self.first_name,
                     "username": self.username},
            "chat": {k: v for k, v in chat.items() if k in _CHAT_FIELDS},
            "date": sent.date, "text": sent.text,
        }
        if sent.message_thread_id is not None:
            msg |= {"message_thread_id": sent.message_thread_id, "is_topic_message": True}
        reply_id = (sent.reply_parameters or {}).get("message_id")
        replied = self._inbound.get((sent.chat_id, int(reply_id or 0)))
        if replied is None and (other := self._sent.get((sent.chat_id, int(reply_id or 0)))):
            replied = self._message_json(other)
        if replied is not None:
            msg["reply_to_message"] = replied
        if sent.entities:
            msg["entities"] = sent.entities
        if sent.edit_date is not None:
            msg["edit_date"] = sent.edit_date
        if sent.reply_markup and "inline_keyboard" in sent.reply_markup:
            msg["reply_markup"] = sent.reply_markup  # only inline keyboards are echoed
        return msg

    # ---------------------------------------------------------------- methods

    async def _get_me(self, params: JSONDict) -> JSONDict:
        return {
            "id": self.bot_id, "is_bot": True, "first_name": self.first_name,
            "username": self.username, "can_join_groups": True,
            "can_read_all_group_messages": self.can_read_all_group_messages,
            "supports_inline_queries": False, "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _get_updates(self, params: JSONDict) -> list[JSONDict]:
        if self.webhook["url"]:
            raise _ApiError(409, _WEBHOOK_CONFLICT)
        offset = int(params.get("offset") or 0)
        limit = min(100, max(1, int(params.get("limit") or 100)))
        timeout = max(0.0, float(params.get("timeout") or 0))
        if isinstance(params.get("allowed_updates"), list):
            self.allowed_updates = list(params["allowed_updates"])
        if offset > 0:
            while self._updates and self._updates[0]["update_id"] < offset:
                self._updates.popleft()
        elif offset < 0:
            while len(self._updates) > -offset:
                self._updates.popleft()
        self._poll_generation += 1
        generation = self._poll_generation
        self._poke()  # a newer getUpdates ends an older one with 409
        deadline = asyncio.get_running_loop().time() + timeout
        while not self._updates and not self._closing:
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                break
            try:
                async with asyncio.timeout(remaining):
                    await self._changed.wait()
            except TimeoutError:
                break
            if generation != self._poll_generation:
                raise _ApiError(409, _POLL_CONFLICT)
        return [dict(u) for u in list(self._updates)[:limit]]

    async def _set_webhook(self, params: JSONDict) -> _Described:
        url = str(params.get("url") or "")
        if not url:
            return await self._delete_webhook(params)
        if self.require_https_webhook and not url.startswith("https://"):
            raise _ApiError(400, "Bad Request: bad webhook: An HTTPS URL must be provided "
                            "for webhook")
        secret = params.get("secret_token") or None
        if secret is not None and len(str(secret)) > 256:
            raise _ApiError(400, "Bad Request: secret token is too long")
        if secret is not None and not _SECRET_RE.fullmatch(str(secret)):
            raise _ApiError(400, "Bad Request: secret token contains unallowed characters")
        if isinstance(params.get("allowed_updates"), list):
            self.allowed_updates = list(params["allowed_updates"])
        if params.get("drop_pending_updates"):
            self._updates.clear()
        already = self.webhook["url"] == url
        self.webhook = {
            "url": url, "secret_token": secret, "allowed_updates": params.get("allowed_updates"),
            "drop_pending_updates": bool(params.get("drop_pending_updates")),
            "max_connections": int(params.get("max_connections") or 40),
            "ip_address": params.get("ip_address"),
            "has_custom_certificate": "certificate" in params,
        }
        self._poke()
        return _Described(True, "Webhook is already set" if already else "Webhook was set")

    async def _delete_webhook(self, params: JSONDict) -> _Described:
        if params.get("drop_pending_updates"):
            self._updates.clear()
        had = bool(self.webhook["url"])
        self.webhook = {"url": ""}
        return _Described(True, "Webhook was deleted" if had else "Webhook is already deleted")

    async def _get_webhook_info(self, params: JSONDict) -> JSONDict:
        info: JSONDict = {"url": self.webhook["url"], "has_custom_certificate": False,
                          "pending_update_count": len(self._updates)}
        if self.webhook["url"]:
            info |= {"has_custom_certificate": self.webhook["has_custom_certificate"],
                     "max_connections": self.webhook["max_connections"]}
            if self.webhook["ip_address"]:
                info["ip_address"] = self.webhook["ip_address"]
            if self.allowed_updates:
                info["allowed_updates"] = list(self.allowed_updates)
        return info

    async def _set_my_commands(self, params: JSONDict) -> bool:
        commands = params.get("commands") or []
        if not isinstance(commands, list):
            raise _ApiError(400, "Bad Request: can't parse commands JSON object")
        if len(commands) > 100:
            raise _ApiError(400, "Bad Request: BOT_COMMANDS_TOO_MUCH")
        key = (_scope_key(params.get("scope")), _language(params))
        cleaned = []
        for cmd in commands:
            if not isinstance(cmd, dict):
                raise _ApiError(400, "Bad Request: can't parse BotCommand: expected an Object")
            name = str(cmd.get("command", "")).strip().removeprefix("/")
            desc = str(cmd.get("description", "")).strip()
            if not name:
                raise _ApiError(400, "Bad Request: command must be non-empty")
            if len(name) > 32:
                raise _ApiError(400, "Bad Request: command length must not exceed 32")
            if not desc:
                raise _ApiError(400, "Bad Request: command description must be non-empty")
            if len(desc) > 256:
                raise _ApiError(400, "Bad Request: command description length must not "
                                "exceed 256")
            if not _COMMAND_RE.fullmatch(name):
                raise _ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            cleaned.append({"command": name, "description": desc})
        if cleaned:
            self._commands[key] = cleaned
        else:
            self._commands.pop(key, None)
        return True

    async def _get_my_commands(self, params: JSONDict) -> list[JSONDict]:
        return self.commands(params.get("scope"), _language(params))

    async def _delete_my_commands(self, params: JSONDict) -> bool:
        self._commands.pop((_scope_key(params.get("scope")), _language(params)), None)
        return True

    async def _send_message(self, params: JSONDict) -> JSONDict:
        chat = self._chat(params)
        text, entities = self._text(params)
        thread = params.get("message_thread_id")
        if thread is not None and not chat.get("is_forum"):
            raise _ApiError(400, "Bad Request: message thread not found")
        markup = self._markup(params)
        chat_id = int(chat["id"])
        self._flood_control(chat_id)
        self._last_message_id[chat_id] += 1
        sent = _Sent(
            chat_id=chat_id, message_id=self._last_message_id[chat_id], text=text,
            raw_text=params["text"], parse_mode=params.get("parse_mode"), entities=entities,
            reply_markup=markup, message_thread_id=int(thread) if thread is not None else None,
            disable_notification=bool(params.get("disable_notification")),
            reply_parameters=params.get("reply_parameters"), date=int(time.time()),
        )
        self._sent[(chat_id, sent.message_id)] = sent
        return self._message_json(sent)

    async def _edit_message_text(self, params: JSONDict) -> JSONDict | bool:
        text, entities = self._text(params)
        markup = self._markup(params)
        if params.get("inline_message_id"):
            return True
        sent = self._own_message(params, "edit")
        if (sent.text, sent.entities, sent.reply_markup) == (text, entities, markup):
            raise _ApiError(400, _NOT_MODIFIED)
        sent.history.append(sent.text)
        sent.text, sent.raw_text, sent.entities = text, params["text"], entities
        sent.parse_mode, sent.reply_markup = params.get("parse_mode"), markup
        sent.edit_date = int(time.time())
        return self._message_json(sent)

    async def _edit_reply_markup(self, params: JSONDict) -> JSONDict | bool:
        markup = self._markup(params)
        if params.get("inline_message_id"):
            return True
        sent = self._own_message(params, "edit")
        if sent.reply_markup == markup:
            raise _ApiError(400, _NOT_MODIFIED)
        sent.reply_markup, sent.edit_date = markup, int(time.time())
        return self._message_json(sent)

    async def _answer_callback_query(self, params: JSONDict) -> bool:
        query_id = str(params.get("callback_query_id") or "")
        if self._callback_queries.get(query_id, True):
            raise _ApiError(400, "Bad Request: query is too old and response timeout expired "
                            "or query ID is invalid")
        if len(str(params.get("text") or "")) > 200:
            raise _ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        self._callback_queries[query_id] = True
        return True

    async def _delete_message(self, params: JSONDict) -> bool:
        chat = self._chat(params)
        key = (int(chat["id"]), int(params.get("message_id") or 0))
        if key in self._inbound:
            del self._inbound[key]
            return True
        self._own_message(params, "delete").deleted = True
        return True

    async def _leave_chat(self, params: JSONDict) -> bool:
        chat = self._chat(params, acting=False)
        self._left.add(int(chat["id"]))
        return True

    async def _send_chat_action(self, params: JSONDict) -> bool:
        chat = self._chat(params)
        if params.get("action") not in _CHAT_ACTIONS:
            raise _ApiError(400, "Bad Request: wrong parameter action in request")
        if params.get("message_thread_id") is not None and not chat.get("is_forum"):
            raise _ApiError(400, "Bad Request: message thread not found")
        return True

    async def _get_chat(self, params: JSONDict) -> JSONDict:
        chat = self._chat(params, acting=False)
        gifts = ("unlimited_gifts", "limited_gifts", "unique_gifts", "premium_subscription",
                 "gifts_from_channels")
        return {**{k: v for k, v in chat.items() if k in _CHAT_FIELDS},
                "accent_color_id": 0, "max_reaction_count": 11,
                "accepted_gift_types": dict.fromkeys(gifts, False)}


_CHAT_FIELDS = frozenset({"id", "type", "title", "username", "first_name", "last_name",
                          "is_forum", "is_direct_messages"})


def _default_chat(chat_id: int) -> JSONDict:
    """What an unknown id most likely is: a user, a supergroup (-100…) or a basic group."""
    if chat_id > 0:
        return {"id": chat_id, "type": "private", "first_name": f"User {chat_id}"}
    kind = "supergroup" if chat_id <= -1_000_000_000_000 else "group"
    return {"id": chat_id, "type": kind, "title": f"Chat {chat_id}"}


def _scope_key(scope: Any) -> str:
    return json.dumps(scope if isinstance(scope, dict) else {"type": "default"}, sort_keys=True)


def _language(params: JSONDict) -> str:
    code = str(params.get("language_code") or "")
    if not _LANGUAGE_RE.fullmatch(code):
        raise _ApiError(400, "Bad Request: invalid language code specified")
    return code


def _dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False)


def _decode(key: str, value: Any) -> Any:
    """A form value as Telegram reads it: JSON for numbers, bools and objects, else text."""
    if not isinstance(value, str) or key in _TEXT_PARAMS:
        return value
    try:
        decoded = json.loads(value)
    except ValueError:
        return value
    return value if isinstance(decoded, str) else decoded


async def _read_params(request: web.Request) -> JSONDict:
    params: JSONDict = dict(request.query)
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except ValueError:
            raise _ApiError(400, "Bad Request: can't parse JSON object") from None
        if not isinstance(body, dict):
            raise _ApiError(400, "Bad Request: JSON object expected")
        params.update(body)
    elif request.can_read_body:
        for key, value in (await request.post()).items():
            if isinstance(value, web.FileField):
                params[key] = {"filename": value.filename, "content_type": value.content_type,
                               "data": value.file.read()}
            else:
                params[key] = value
    return {k: _decode(k, v) for k, v in params.items()}


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _bad_markup(message: str, text: str = "", pos: int | None = None) -> _ApiError:
    where = "" if pos is None else f" at byte offset {len(text[:pos].encode())}"
    return _ApiError(400, f"Bad Request: can't parse entities: {message}{where}")


def _html_entity(text: str, pos: int) -> tuple[str | None, int]:
    """Decode ``&…;`` at ``pos`` like tdlib: 4 named entities and numeric ones, else None."""
    m = _ENTITY_RE.match(text, pos)
    if m is None:
        return None, pos
    if m.group(2) is not None:
        char = _NAMED_ENTITIES.get(m.group(2))
        return (char, m.end()) if char else (None, pos)
    digits = m.group(1)
    code = int(digits[1:] or "0", 16) if digits.startswith("x") else int(digits or "0")
    if code == 0 or code >= 0x10FFFF or len(digits) > 7:
        return None, pos
    if 0xD800 <= code <= 0xDFFF:
        raise _bad_markup("Text contains invalid Unicode characters after decoding HTML "
                          "entities, check for unmatched surrogate code units")
    return chr(code), m.end()


def _unescape(text: str) -> tuple[str, int]:
    """Text with entities decoded and its length in UTF-16 code units."""
    out, i = [], 0
    while i < len(text):
        char, j = _html_entity(text, i) if text[i] == "&" else (None, i)
        out.append(char if char is not None else text[i])
        i = j if char is not None else i + 1
    return "".join(out), _utf16_len("".join(out))


def _parse_html(text: str) -> tuple[str, list[JSONDict]]:
    """Telegram's HTML parse_mode (after tdlib ``parse_html``): plain text and entities."""
    out: list[str] = []
    u16 = 0
    stack: list[tuple[str, str, int]] = []  # open tag, its argument, utf-16 offset
    entities: list[JSONDict] = []
    i = 0
    for tag_match in _TAG_RE.finditer(text):
        begin = tag_match.start()
        if begin < i:
            continue  # a '<' inside an attribute value
        chunk, size = _unescape(text[i:begin])
        out.append(chunk)
        u16 += size
        closing, tag = tag_match.group(1) == "/", tag_match.group(2).lower()
        end = tag_match.end()
        if not closing:
            if end >= len(text):
                raise _bad_markup("Unclosed start tag", text, begin)
            if tag not in _HTML_TAGS:
                raise _bad_markup(f'Unsupported start tag "{tag}"', text, begin)
            attrs_match = _ATTRS_RE.match(text, end)
            if attrs_match is None:
                raise _bad_markup("Unclosed start tag", text, begin)
            attrs = {name.lower(): value[1:-1] if value[:1] in "\"'" else value.lower()
                     for name, value in _ATTR_RE.findall(attrs_match.group(1))}
            if tag == "span" and attrs.get("class") != "tg-spoiler":
                raise _bad_markup('Tag "span" must have class "tg-spoiler"', text, begin)
            css = attrs.get("class", "")
            argument = {"a": _unescape(attrs.get("href", ""))[0],
                        "tg-emoji": attrs.get("emoji-id", ""),
                        "blockquote": "expandable" if "expandable" in attrs else "",
                        "code": css[9:] if css.startswith("language-") else ""}.get(tag, "")
            stack.append((tag, argument, u16))
            i = attrs_match.end()
            continue
        if not stack:
            raise _bad_markup("Unexpected end tag", text, begin)
        close = _END_TAG_RE.match(text, end)
        if close is None:
            raise _bad_markup("Unclosed end tag", text, begin)
        open_tag, argument, start = stack.pop()
        if tag and tag != open_tag:
            raise _bad_markup(f'Unmatched end tag at byte offset {len(text[:begin].encode())}, '
                              f'expected "</{open_tag}>", found "</{tag}>"')
        if u16 > start and (open_tag != "a" or argument):
            entities.append(_entity(open_tag, argument, start, u16 - start, entities))
        i = close.end()
    if stack:
        raise _bad_markup(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    chunk, _ = _unescape(text[i:])
    for entity in entities:
        if entity["type"] == "code":
            entity.pop("language", None)  # a language counts only inside <pre>
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out) + chunk, entities


def _entity(tag: str, argument: str, offset: int, length: int,
            done: list[JSONDict]) -> JSONDict:
    """One MessageEntity; ``<pre><code class="language-x">`` merges into a ``pre``."""
    entity: JSONDict = {"offset": offset, "length": length, "type": _TAG_ENTITY[tag]}
    if tag == "a":
        entity["url"] = argument
    elif tag == "tg-emoji":
        entity["custom_emoji_id"] = argument
    elif tag == "blockquote" and argument:
        entity["type"] = "expandable_blockquote"
    elif tag == "code" and argument:
        entity["language"] = argument
    elif tag == "pre" and done and done[-1]["type"] == "code" and "language" in done[-1] \
            and (done[-1]["offset"], done[-1]["length"]) == (offset, length):
        entity["language"] = done.pop()["language"]
    return entity
