# ruff: noqa: ASYNC109, S107  (waiters take a timeout like asyncio.wait_for; fake tokens)
"""A protocol-faithful fake of SMSAPI's HTTP API (sms.do) for tests and benchmarks.

The official client talks to it over loopback: ``Client(fake.base_url, access_token=…)``.

    async with FakeSmsapi() as sms:
        client = Client(sms.base_url, access_token=sms.token)
        client.sms.send(to="48601234567", message="Test", from_="Lacznik")  # (in a thread)
        assert sms.messages[0].to == "48601234567"

Where each behaviour comes from:

- Request: ``POST /sms.do``, form-encoded, ``format=json``, ``Authorization: Bearer
  <token>``, parameters ``to`` (comma-separated), ``message``, ``from``, ``idx``,
  ``notify_url``, … — what smsapi-client 2.9.7 sends (smsapi/endpoint.py, smsapi/sms/api.py,
  smsapi/auth.py; ``format=json`` from smsapi/sms/__init__.py).
- Success: HTTP 200 ``{"count": n, "list": [{"id", "points", "number", "date_sent",
  "submitted_number", "status": "QUEUE", "error": null, "idx"}]}`` — the fields the client's
  SendResult reads (smsapi/models.py) and SMSAPI's documented answer.
- Errors: HTTP 200 with ``{"error": code, "message": text}`` (and ``invalid_numbers`` for
  13): the client's SendException.from_dict and the PHP client's LegacyResponseMapper (a 200
  with ``error`` and ``message`` is an API error; any other status is an HTTP error). Codes
  from SMSAPI's error list: 11 no message, 13 no valid recipient, 14 sender name not
  registered, 101 authorisation failed, 103 not enough points.
- Rate limit: the fake publishes :attr:`FakeSmsapi.requests_per_second` (a sliding second,
  per account) and answers past it with HTTP 429 and ``{"error": 203, "message": "Too many
  requests"}``. SMSAPI publishes no fixed figure; 203 is its "too many requests" code.
- Delivery reports: when a message carries ``notify_url``, the fake calls it with GET and
  SMSAPI's callback parameters ``MsgId``, ``status`` (404 delivered, 405 undelivered),
  ``status_name``, ``idx``, ``donedate`` (Unix time), ``username``, ``points``, ``to``,
  ``from``; it expects ``OK`` back and calls again otherwise (SMSAPI's documented
  callback; here 5 calls at most, ``report_retry`` apart).
- Billing: one point price per segment (160 GSM-7 / 153 per part; 70 / 67 with other
  characters), as SMSAPI bills parts.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import re
import time
from collections import deque
from dataclasses import dataclass
from typing import Any

import aiohttp
from aiohttp import web

_NUMBER = re.compile(r"^\+?(\d{9,15})$")


@dataclass
class ReceivedSms:
    """One message the fake took."""

    id: str
    to: str
    message: str
    sender: str
    idx: str
    parts: int
    points: float
    date_sent: int
    notify_url: str


# GSM 03.38, written out here (not our own code's table): the provider bills by it, so the
# fake must not count with the function whose estimate a test compares to the bill.
_GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
_GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")  # two septets each (escape + character)


def billed_parts(text: str) -> int:
    """How many SMS the provider bills ``text`` as: GSM-7 160 septets in one, 153 per part
    of a longer one; any other character makes it UCS-2, 70 in one, 67 per part."""
    if all(c in _GSM7_BASIC or c in _GSM7_EXTENSION for c in text):
        septets = sum(2 if c in _GSM7_EXTENSION else 1 for c in text)
        return 1 if septets <= 160 else -(-septets // 153)
    units = len(text.encode("utf-16-le")) // 2
    return 1 if units <= 70 else -(-units // 67)


class FakeSmsapi:
    """SMSAPI's ``sms.do`` on 127.0.0.1 (port 0 by default)."""

    def __init__(self, *, token: str = "fake-oauth-token", senders: tuple[str, ...] = (
            "Lacznik",), points: float = 10_000.0, price: float = 0.16,
                 requests_per_second: int = 100, report_delay: float = 0.01,
                 report_retry: float = 0.1, port: int = 0) -> None:
        self.token = token
        self.senders = set(senders)
        self.points = points
        self.price = price
        self.requests_per_second = requests_per_second  # the published limit
        self.report_delay = report_delay
        self.report_retry = report_retry  # between callbacks not answered OK (5 at most)
        self.messages: list[ReceivedSms] = []
        self.undeliverable: set[str] = set()  # numbers whose report says UNDELIVERED
        self.rate_limited = 0  # 429s answered
        self.callbacks: list[tuple[str, int, str]] = []  # (MsgId, HTTP status, body)
        self._faults: deque[tuple[int, dict[str, Any]]] = deque()
        self._window: deque[float] = deque()
        self._ids = itertools.count(1)
        self._port = port
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self._reports: set[asyncio.Task[None]] = set()
        self.base_url = ""

    async def __aenter__(self) -> FakeSmsapi:
        app = web.Application()
        app.router.add_route("*", "/sms.do", self._sms_do)
        app.router.add_get("/_fake/received", self._received)  # for a bench in another process
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self._port)
        await site.start()
        server = site._server  # aiohttp keeps the bound socket here
        assert server is not None
        port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]  # asyncio.Server
        self.base_url = f"http://127.0.0.1:{port}/"
        self._session = aiohttp.ClientSession()
        return self

    async def __aexit__(self, *exc: object) -> None:
        for task in list(self._reports):
            task.cancel()
        if self._session is not None:
            await self._session.close()
        if self._runner is not None:
            await self._runner.cleanup()

    # --- what tests arrange ---------------------------------------------------------------

    def fail_next(self, *, error: int | None = None, status: int = 200,
                  message: str = "") -> None:
        """The next request gets ``{"error": error, "message": …}`` (HTTP ``status``), or
        with ``error=None`` an empty HTTP ``status`` answer (a 5xx)."""
        body: dict[str, Any] = {} if error is None else {
            "error": error, "message": message or f"error {error}"}
        self._faults.append((status, body))

    async def reports_sent(self, count: int, timeout: float = 5.0) -> None:
        """Wait until ``count`` callbacks were answered."""
        deadline = time.monotonic() + timeout
        while len(self.callbacks) < count:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{len(self.callbacks)} of {count} reports sent")
            await asyncio.sleep(0.01)

    def to(self, number: str) -> list[ReceivedSms]:
        """Messages to ``number`` (with or without +)."""
        return [m for m in self.messages if m.to == number.lstrip("+")]

    # --- the API ------------------------------------------------------------------------

    async def _sms_do(self, request: web.Request) -> web.Response:
        now = time.monotonic()
        while self._window and self._window[0] <= now - 1.0:
            self._window.popleft()
        if len(self._window) >= self.requests_per_second:
            self.rate_limited += 1
            return web.json_response({"error": 203, "message": "Too many requests"},
                                     status=429)
        self._window.append(now)
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return _error(101, "Authorization failed")
        params: dict[str, str] = dict(request.query)
        if request.method == "POST":
            params.update({k: str(v) for k, v in (await request.post()).items()})
        if self._faults:
            status, body = self._faults.popleft()
            return web.json_response(body, status=status) if body else \
                web.Response(status=status)
        if params.get("format") != "json":
            return web.Response(text="ERROR:8")  # the plain-text answer of the old format
        text = params.get("message", "")
        if not text:
            return _error(11, "Message too long or there is no message or parameter "
                              "nounicode is set and special characters are used")
        sender = params.get("from", "")
        if sender and sender not in self.senders:
            return _error(14, "Invalid \"from\" field")
        numbers = [n.strip() for n in params.get("to", "").split(",") if n.strip()]
        valid = [m.group(1) for n in numbers if (m := _NUMBER.match(n))]
        invalid = [n for n in numbers if not _NUMBER.match(n)]
        if not valid:
            return web.json_response({
                "error": 13, "message": "No correct phone numbers",
                "invalid_numbers": [{"number": n, "submitted_number": n,
                                     "message": "Invalid phone number"} for n in invalid]})
        parts = billed_parts(text)
        cost = round(parts * self.price, 4)
        if self.points < cost * len(valid):
            return _error(103, "Insufficient credits on your account")
        self.points -= cost * len(valid)
        idx = params.get("idx", "")
        if idx and params.get("check_idx") in ("1", "true") and \
                any(m.idx == idx for m in self.messages):
            # SMSAPI refuses a second message with an idx already used when check_idx is set
            # (the error number is this fake's; the refusal is what matters).
            return _error(53, "Message with this idx already sent")
        sent_at = int(time.time())
        answer = []
        for number in valid:
            sms = ReceivedSms(id=f"{next(self._ids):016X}", to=number, message=text,
                              sender=sender, idx=idx, parts=parts, points=cost,
                              date_sent=sent_at, notify_url=params.get("notify_url", ""))
            self.messages.append(sms)
            answer.append({"id": sms.id, "points": cost, "number": number,
                           "date_sent": sent_at, "submitted_number": number,
                           "status": "QUEUE", "error": None, "idx": idx or None})
            if sms.notify_url:
                task = asyncio.get_running_loop().create_task(self._report(sms))
                self._reports.add(task)
                task.add_done_callback(self._reports.discard)
        return web.json_response({"count": len(answer), "list": answer})

    async def _received(self, request: web.Request) -> web.Response:
        return web.json_response({"rate_limited": self.rate_limited,
                                  "messages": [[m.to, m.parts] for m in self.messages]})

    async def _report(self, sms: ReceivedSms) -> None:
        await asyncio.sleep(self.report_delay)
        delivered = sms.to not in self.undeliverable
        params = {"MsgId": sms.id, "status": "404" if delivered else "405",
                  "status_name": "DELIVERED" if delivered else "UNDELIVERED",
                  "idx": sms.idx, "donedate": str(int(time.time())), "username": "lacznik",
                  "points": str(sms.points), "to": sms.to, "from": sms.sender}
        assert self._session is not None
        attempts = 5
        for attempt in range(attempts):  # SMSAPI repeats a callback that did not answer OK
            with contextlib.suppress(aiohttp.ClientError):
                async with self._session.get(sms.notify_url, params=params) as response:
                    body = await response.text()
                    if attempt == attempts - 1 or body.strip() == "OK":
                        self.callbacks.append((sms.id, response.status, body))
                        return
            await asyncio.sleep(self.report_retry)
        self.callbacks.append((sms.id, 0, ""))


def _error(code: int, message: str) -> web.Response:
    return web.json_response({"error": code, "message": message})
