"""Rate limits and retries for outbound calls, shared by every messenger adapter.

Each platform publishes windows per conversation and overall (Telegram 1/s per chat, 20/min
per group, 30/s overall; Slack ~1/s per channel; Teams 7/1 s, 8/2 s, 60/30 s per
conversation and 50/s per tenant). A 429 pauses only the conversation it was about, so one
busy chat never stalls the others, and nothing is dropped: the call waits and is retried.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from bisect import insort
from collections import deque
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import TypeVar

from commands.ports import RateLimited, TransientFailure

log = logging.getLogger(__name__)
T = TypeVar("T")


class RateLimitWatch:
    """Hears of every 429 an adapter waits out: the hook the composition root listens to
    (it counts them for ``/metrics``). One per adapter, shared by all its limiters."""

    def __init__(self) -> None:
        self._listeners: list[Callable[[], None]] = []

    def listen(self, listener: Callable[[], None]) -> Callable[[], None]:
        """Call ``listener`` at each 429; returns the function that stops it."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def limited(self) -> None:
        """A 429 was answered (and is being waited out)."""
        for listener in list(self._listeners):
            try:
                listener()
            except Exception:  # counting must never stop a send
                log.debug("rate-limit listener failed", exc_info=True)


@dataclass(frozen=True, slots=True)
class Window:
    """At most ``calls`` in any ``seconds``."""

    calls: int
    seconds: float


class _Windows:
    """Sliding windows of one key: when the next call fits, and the calls booked so far."""

    def __init__(self, windows: tuple[Window, ...]) -> None:
        self.windows = windows
        self.stamps: deque[float] = deque()  # booked calls, in time order
        self.paused_until = 0.0

    def ready_at(self, now: float) -> float:
        """The earliest moment from ``now`` on at which one more call fits every window."""
        horizon = max((w.seconds for w in self.windows), default=0.0)
        while self.stamps and self.stamps[0] <= now - horizon:
            self.stamps.popleft()
        moment = max(now, self.paused_until)
        for window in self.windows:
            # The call may go when fewer than `calls` stamps lie after (moment - seconds);
            # counting booked calls later than `moment` too keeps every window safe.
            inside = [s for s in self.stamps if s > moment - window.seconds]
            if len(inside) >= window.calls:
                moment = max(moment, inside[-window.calls] + window.seconds)
        return moment

    def book(self, moment: float) -> None:
        """Count a call at ``moment``."""
        if self.stamps and self.stamps[-1] > moment:
            insort(self.stamps, moment)
        else:
            self.stamps.append(moment)

    def unbook(self, moment: float) -> None:
        """Forget a call booked at ``moment`` that did not go then."""
        with contextlib.suppress(ValueError):  # already dropped as too old
            self.stamps.remove(moment)


class KeyedRateLimiter:
    """Per-key windows plus an overall window; per-key pauses after a 429."""

    def __init__(
        self,
        *,
        per_key: Callable[[Hashable], tuple[Window, ...]],
        overall: tuple[Window, ...] = (),
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        late_after: float | None = None,
        watch: RateLimitWatch | None = None,
    ) -> None:
        self.watch = watch or RateLimitWatch()  # told of each 429 (see :meth:`pause`)
        self._per_key = per_key
        self._late_after = late_after
        self._overall = _Windows(overall)
        self._keys: dict[Hashable, _Windows] = {}
        self._clock = clock
        self._sleep = sleep
        self._lock = asyncio.Lock()

    async def acquire(self, key: Hashable) -> None:
        """Wait until a call for ``key`` is allowed, then count it.

        The key's own windows (and its pause after a 429) are waited out first, without a
        place in the overall windows; only then is the call booked in both. Overall
        bookings are thus made in time order, and a paused conversation holds up no other.

        With ``late_after``, a call whose wake-up came later than that after its booked
        moment (a busy event loop) is booked once more instead of going at once: late calls
        would reach the platform together and leave its window later than counted.
        """
        rebooked = False
        while True:
            async with self._lock:
                now = self._clock()
                windows = self._keys.get(key)
                if windows is None:
                    windows = self._keys[key] = _Windows(self._per_key(key))
                ready = windows.ready_at(now)
                if ready <= now:
                    moment = self._overall.ready_at(now)
                    self._overall.book(moment)
                    windows.book(moment)
            if ready > now:
                await self._sleep(ready - now)
                continue
            if moment > now:
                await self._sleep(moment - now)
            if self._late_after is None or rebooked \
                    or self._clock() - moment <= self._late_after:
                return
            async with self._lock:
                self._overall.unbook(moment)
                windows.unbook(moment)
            rebooked = True

    def pause(self, key: Hashable, seconds: float) -> None:
        """The platform asked us to wait for ``key``: nothing goes there for ``seconds``."""
        windows = self._keys.get(key)
        if windows is None:
            windows = self._keys[key] = _Windows(self._per_key(key))
        windows.paused_until = max(windows.paused_until, self._clock() + seconds)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how long to retry. 429s follow the platform's word, not the backoff."""

    max_attempts: int = 5
    max_rate_limited: int = 20
    base_delay: float = 0.5
    max_delay: float = 30.0

    def backoff(self, attempt: int) -> float:
        """Exponential backoff with full jitter."""
        return random.uniform(0, min(self.max_delay, self.base_delay * 2 ** (attempt - 1)))


async def call_with_limits(
    call: Callable[[], Awaitable[T]],
    *,
    limiter: KeyedRateLimiter,
    key: Hashable,
    policy: RetryPolicy = RetryPolicy(),
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> T:
    """Run ``call`` within the limits for ``key``; wait out 429s, retry transient failures.

    :class:`commands.ports.Unreachable` and :class:`commands.ports.Rejected` go straight up:
    retrying would not help.
    """
    failures = 0
    limited = 0
    while True:
        await limiter.acquire(key)
        try:
            return await call()
        except RateLimited as exc:
            limited += 1
            if limited > policy.max_rate_limited:
                raise
            log.info("rate limited on %s: waiting %.1fs", key, exc.retry_after)
            limiter.watch.limited()
            limiter.pause(key, exc.retry_after)
        except TransientFailure as exc:
            failures += 1
            if failures >= policy.max_attempts:
                raise
            delay = policy.backoff(failures)
            log.info("transient failure on %s (%s): retry in %.2fs", key, exc.reason, delay)
            await sleep(delay)
