"""SMS through SMSAPI's official client (``smsapi-client``), behind the messengers' port.

The client is synchronous (``requests``): each send runs in a bounded thread pool, so at most
``workers`` HTTP calls are in flight and the event loop never waits on one. The client takes
the provider's address as its ``domain`` (``Client(domain, access_token=…)``), so
``[sms] api_base_url`` replaces it cleanly and a stand-in takes the texts.

What the client does (smsapi/endpoint.py, smsapi/sms/api.py, smsapi/exception.py in the
installed package): ``POST <domain>sms.do`` form-encoded with ``format=json``, ``to``,
``message``, ``from``, ``idx`` (never ``check_idx``: see :meth:`SmsMessenger.send`),
``notify_url``…, ``Authorization: Bearer``;
a non-2xx answer raises ``EndpointException(body, status)``; a 2xx JSON answer with
``error`` raises ``SendException(message, error)``; success is ``{"count", "list": [{"id",
"points", "number", "date_sent", "submitted_number", "status", "idx"}]}``.

SMSAPI's error codes (their documentation, "Kody błędów"; the search corpus here did not
hold the page, so these are the commonly documented ones) map to the neutral errors:
13 no valid recipient → Unreachable; 11/12/8 → Rejected; 14 sender name → Rejected (log);
101/102/105 authorisation → TransientFailure with an error in the log; 103 no points →
TransientFailure with an alert in the log; 202/203 too many requests and HTTP 429 →
RateLimited; 201/999 and HTTP 5xx, timeouts → TransientFailure.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import requests
from smsapi.client import Client
from smsapi.exception import (
    EndpointException,
    SendException,
    SmsApiException,
)

from adapters.ratelimit import (
    KeyedRateLimiter,
    RateLimitWatch,
    RetryPolicy,
    Window,
    call_with_limits,
)
from adapters.sms.config import SmsConfig
from commands.announcements.sms import reports_key
from commands.model import ConversationRef, OutboundMessage, Platform, SentMessage
from commands.ports import (
    Capabilities,
    DeliveryError,
    RateLimited,
    Rejected,
    TransientFailure,
    Unreachable,
)

log = logging.getLogger(__name__)

SMS = Platform.SMS.value
REPORTS_PATH = "/sms/reports/"
UNREACHABLE = {13: "invalid_number"}
REJECTED = {8: "bad_request", 11: "too_long", 12: "too_many_parts", 14: "sender_name"}
AUTH = {101, 102, 105}
NO_POINTS = 103
RATE_LIMITED = {202, 203}
# SMSAPI names no wait with its "too many requests" (the client would not show a Retry-After
# header anyway); a 429 means the sliding second is full only at its edge, so a quarter of a
# second lets it move on (the pause holds every SMS: the limit is the account's).
RETRY_AFTER = 0.25


def classify(exc: BaseException) -> DeliveryError:
    """The neutral delivery error of what the client raised."""
    if isinstance(exc, SendException):  # a 2xx answer with {"error": code, "message": …}
        code = _code(exc)
        if code in UNREACHABLE:
            return Unreachable(UNREACHABLE[code])
        if code in REJECTED:
            if code == 14:
                log.error("SMSAPI refused the sender name: check [sms] sender")
            return Rejected(f"smsapi {code}: {REJECTED[code]}")
        if code in AUTH:
            log.error("SMSAPI refused the authorisation (%s): check [sms] token", code)
            return TransientFailure(f"smsapi {code}: authorisation")
        if code == NO_POINTS:
            log.error("ALERT: the SMSAPI account has no points left; urgent SMS wait until "
                      "it is topped up")
            return TransientFailure("smsapi 103: no points")
        if code in RATE_LIMITED:
            return RateLimited(RETRY_AFTER, f"smsapi {code}")
        return TransientFailure(f"smsapi {code}")
    if isinstance(exc, EndpointException):  # a non-2xx answer
        status = _code(exc)
        if status == 429:
            return RateLimited(RETRY_AFTER)
        if status in (401, 403):
            log.error("SMSAPI answered HTTP %s: check [sms] token", status)
        return TransientFailure(f"http {status}")
    if isinstance(exc, requests.RequestException):
        return TransientFailure(type(exc).__name__)
    if isinstance(exc, SmsApiException):
        return TransientFailure(str(exc.message)[:100])
    return TransientFailure(type(exc).__name__)


def _code(exc: SmsApiException) -> int:
    try:
        return int(exc.code)  # SendException: SMSAPI's error; EndpointException: HTTP status
    except (TypeError, ValueError):
        return 0


class SmsMessenger:
    """Sends texts; no buttons, no edits, no deletion. The text must be ready (planned by
    :mod:`commands.announcements.sms`): the link is in it."""

    platform = Platform.SMS
    capabilities = Capabilities(max_text_length=459, buttons=False, threads=False,
                                edit=False, silent=False, alert=False)

    def __init__(self, config: SmsConfig, *, workers: int = 16,
                 watch: RateLimitWatch | None = None,
                 policy: RetryPolicy | None = None) -> None:
        self._config = config
        self._client = Client(config.api_base_url, access_token=config.token)
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="sms")
        # A call is booked in the window only once a thread is free for it: booked calls
        # queued behind busy threads would reach SMSAPI later than counted, in the next window.
        self._threads = asyncio.Semaphore(workers)
        self._policy = policy or RetryPolicy()
        # One account-wide limit: SMSAPI limits requests per account, not per number. Spread
        # over fiftieths of a second rather than a burst a second: a burst of synchronous
        # requests queues on threads and the GIL and reaches the provider up to a few hundred
        # ms later than booked — in its next window. The second is counted 3 % long for the
        # milliseconds a request's way varies (the client opens a connection each time); a
        # call woken more than 10 ms late is booked again rather than sent late.
        rate = config.requests_per_second
        self.limiter = KeyedRateLimiter(
            per_key=lambda _key: (),
            overall=(Window(rate, 1.03), Window(max(1, -(-rate // 50)), 0.02)),
            late_after=0.01, watch=watch)
        self._notify_url = (f"{config.public_url}{REPORTS_PATH}"
                            f"{reports_key(config.secret_bytes())}" if config.delivery_reports
                            else "")

    async def send(self, ref: ConversationRef, message: OutboundMessage) -> SentMessage:
        """Text ``message`` to the number in ``ref``; returns SMSAPI's message id."""
        text = "\n".join(part for part in (message.title, message.text, message.footer)
                         if part)
        params: dict[str, Any] = {"to": ref.conversation_id.lstrip("+"), "message": text}
        if self._config.sender:
            params["from_"] = self._config.sender
        idx = ref.extra.get("idx", "")
        if idx:
            # For SMSAPI's reports only. No ``check_idx``: after a crash between SMSAPI taking
            # a text and the outbox recording it, the resend would be refused and the row end
            # as failed although the text arrived; a possible duplicate is the documented cost.
            params["idx"] = idx
        if self._notify_url:
            params["notify_url"] = self._notify_url
        async with self._threads:
            message_id = await call_with_limits(lambda: self._call(params),
                                                limiter=self.limiter, key=SMS,
                                                policy=self._policy)
        return SentMessage(conversation=ref, message_id=message_id)

    async def _call(self, params: dict[str, Any]) -> str:
        loop = asyncio.get_running_loop()
        send: Callable[[], Any] = lambda: self._client.sms.send(**params)  # noqa: E731
        try:
            result = await loop.run_in_executor(self._pool, send)
        except Exception as exc:
            raise classify(exc) from exc
        sent = list(result.results) if result is not None else []
        if not sent:
            raise TransientFailure("smsapi: empty answer")
        first = sent[0]
        if first.error:
            raise classify(SendException(str(first.error), first.error))
        return str(first.id)

    async def edit(self, sent: SentMessage, message: OutboundMessage) -> None:
        """An SMS cannot be changed once sent."""
        raise Rejected("sms_cannot_edit")

    async def delete(self, sent: SentMessage) -> None:
        """An SMS cannot be taken back."""
        raise Rejected("sms_cannot_delete")

    async def close(self) -> None:
        """Wait for calls in flight, then free the threads."""
        await asyncio.get_running_loop().run_in_executor(None, self._pool.shutdown)
