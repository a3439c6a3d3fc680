"""Teams' published rate limits, applied with the shared limiter of :mod:`adapters.ratelimit`.

Per bot and thread (a 1:1 chat, a group chat or a channel with all its reply chains): 7/1 s,
8/2 s, 60/30 s and 1800/h for sends, twice that for reads; per app and tenant 50 requests/s
overall, which a fan-out (an announcement to everyone) meets evenly spaced rather than in
bursts of 50. A 429 pauses only its conversation for ``Retry-After``; 412/5xx are retried with
backoff and jitter (the connector turns them into ``TransientFailure``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable
from typing import TypeVar

from adapters.ratelimit import (
    KeyedRateLimiter,
    RateLimitWatch,
    RetryPolicy,
    Window,
    call_with_limits,
)

T = TypeVar("T")

# Teams counts requests when they arrive; ours are counted when they leave. A small margin on
# each window absorbs the difference in network latency between two requests.
MARGIN = 0.2
SEND_WINDOWS = tuple(Window(n, s + MARGIN) for n, s in ((7, 1), (8, 2), (60, 30), (1800, 3600)))
READ_WINDOWS = tuple(Window(n, s + MARGIN) for n, s in ((14, 1), (16, 2), (120, 30),
                                                        (3600, 3600)))
# Per tenant, calls are spaced evenly 2 % under 50/s (as for Telegram's 30/s): 50 calls let
# out at once reach Teams spread out by the event loop and overlap the next 50 in its
# one-second count (throttling), and a call the busy loop wakes more than LATE_AFTER late is
# booked once more instead of bunching with the next.
TENANT_PER_SECOND = 50
TENANT_WINDOWS = (Window(1, 1.02 / TENANT_PER_SECOND),)
LATE_AFTER = 0.02


def thread_of(conversation_id: str) -> str:
    """The rate-limited thread: a channel's reply chains all count for the channel."""
    return conversation_id.split(";messageid=", 1)[0]


def _windows(key: Hashable) -> tuple[Window, ...]:
    kind = key[0] if isinstance(key, tuple) else "send"
    return READ_WINDOWS if kind == "read" else SEND_WINDOWS


class TeamsLimits:
    """One limiter per tenant: each conversation's windows, and the tenant's 50 requests/s
    evenly spaced over all its conversations."""

    def __init__(self, *, policy: RetryPolicy | None = None) -> None:
        self._policy = policy or RetryPolicy()
        self._tenants: dict[str, KeyedRateLimiter] = {}
        self.watch = RateLimitWatch()  # every tenant's 429s

    async def run(
        self,
        call: Callable[[], Awaitable[T]],
        *,
        tenant_id: str | None,
        conversation_id: str,
        read: bool = False,
    ) -> T:
        """Run one Connector call within the limits of its thread and tenant."""
        tenant = tenant_id or ""
        limiter = self._tenants.get(tenant)
        if limiter is None:
            limiter = self._tenants[tenant] = KeyedRateLimiter(
                per_key=_windows, overall=TENANT_WINDOWS, late_after=LATE_AFTER,
                watch=self.watch)
        key = ("read" if read else "send", thread_of(conversation_id))
        return await call_with_limits(call, limiter=limiter, key=key, policy=self._policy)
