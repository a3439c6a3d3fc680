"""Start-up that does not give up: components retried in the background, a database waited for.

A messenger that cannot start (its API unreachable, its token refused) must not stop the
HTTP server, the scheduler or the other messengers; a database that is not up yet must not
make the service exit. Both are retried with capped exponential backoff, every failure is
logged with the setting to check, and ``GET /healthz`` shows each part's state.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from adapters.lifecycle import DEGRADED, DOWN, OK, Health, StartupError
from bots.config import ConfigError
from bots.logformat import bind_for_task

if TYPE_CHECKING:
    from bots.service import Component

log = logging.getLogger(__name__)

# Re-exported: the health states are defined beside the adapters that report them.
__all__ = ["DEGRADED", "DOWN", "OK", "Backoff", "Health", "Supervised", "explain",
           "until_ready"]


@dataclass(frozen=True, slots=True)
class Backoff:
    """Delays between attempts: ``first``, doubling up to ``cap`` seconds, with jitter (so
    several instances restarted together do not knock at once)."""

    first: float = 1.0
    cap: float = 60.0
    jitter: float = 0.25  # each delay is shortened by up to this fraction

    def delay(self, attempt: int) -> float:
        """The pause after failed attempt number ``attempt`` (1, 2, …)."""
        base = min(self.cap, self.first * 2.0 ** min(attempt - 1, 30))
        return base * (1.0 - random.uniform(0.0, self.jitter))


def _loudness(attempt: int, problem: str, last: str) -> int:
    """Warn at the first failure, when the problem changes and every tenth time; the other
    retries are INFO (a headless service shows them, an interactive console does not)."""
    return logging.WARNING if attempt == 1 or problem != last or attempt % 10 == 0 \
        else logging.INFO


def explain(exc: BaseException, component: Component) -> tuple[str, str]:
    """(the setting to check, the problem) for a failed start of ``component``."""
    if isinstance(exc, StartupError | ConfigError):
        return exc.setting, exc.problem
    # Unknown failures: name the section; the message itself may carry a URL with a token
    # (adapters raise StartupError for what they foresee), so only the type is shown.
    return f"[{component.name}]", type(exc).__name__


class Supervised:
    """One component under supervision: started, and retried in the background until it
    starts; stopped only if it did."""

    def __init__(self, component: Component, *, backoff: Backoff) -> None:
        self.component = component
        self.name = component.name
        self._backoff = backoff
        self._status = Health(DOWN, problem="starting")
        self._task: asyncio.Task[None] | None = None
        self._tried = asyncio.Event()
        self.started = False

    async def start(self, *, wait: float) -> None:
        """Begin starting; return after the first attempt or ``wait`` seconds, whichever
        comes first (a slow component keeps trying in the background)."""
        self._task = asyncio.create_task(self._keep_starting(), name=f"start-{self.name}")
        try:
            await asyncio.wait_for(asyncio.shield(self._tried.wait()), wait)
        except TimeoutError:
            log.warning("%s is still starting; the service goes on without it meanwhile",
                        self.name)

    async def _keep_starting(self) -> None:
        # this task's own context: its log lines, and those of the tasks the component
        # starts (polling, jobs), say which component wrote them
        bind_for_task(component=self.name)
        attempt, last = 0, ""
        while True:
            attempt += 1
            try:
                await self.component.start()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                check, problem = explain(exc, self.component)
                delay = self._backoff.delay(attempt)
                self._status = Health(DOWN, check=check, problem=problem, attempts=attempt)
                log.log(_loudness(attempt, problem, last),
                        "%s cannot start (attempt %d) — check %s: %s; retrying in %.1f s",
                        self.name, attempt, check, problem, delay)
                last = problem
                log.debug("%s start failure", self.name, exc_info=True)
                self._tried.set()
                await asyncio.sleep(delay)
                continue
            self.started = True
            self._status = Health(OK)
            if attempt > 1:
                log.warning("%s started after %d attempts", self.name, attempt)
            else:
                log.info("%s started", self.name)
            self._tried.set()
            return

    def health(self) -> Health:
        """Its state now: what start-up found, then what the component itself reports."""
        if not self.started:
            return self._status
        report: Callable[[], Health | None] | None = getattr(self.component, "health", None)
        reported = report() if report is not None else None
        return reported or self._status

    async def stop(self) -> None:
        """Stop retrying; stop the component if it had started, and let one that never did
        release what its attempts opened."""
        task, self._task = self._task, None
        if task is not None and not task.done():
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        if self.started:
            self.started = False
            await self.component.stop()
        elif task is not None:
            try:
                await self.component.stop()
            except Exception:
                log.debug("%s (never started) did not stop cleanly", self.name, exc_info=True)


async def until_ready(attempt_once: Callable[[], Awaitable[None]], *, what: str,
                      backoff: Backoff, retry_on: Callable[[BaseException], str | None],
                      report: Callable[[Health], None], check: str) -> None:
    """Call ``attempt_once`` until it succeeds. ``retry_on(exc)`` says why a failure is worth
    waiting out (None: it is not, and it is raised); ``report`` hears each state; ``what``
    names the thing waited for in the log."""
    attempt, last = 0, ""
    while True:
        attempt += 1
        try:
            await attempt_once()
        except Exception as exc:
            problem = retry_on(exc)
            if problem is None:
                raise
            delay = backoff.delay(attempt)
            report(Health(DOWN, check=check, problem=problem, attempts=attempt))
            log.log(_loudness(attempt, problem, last),
                    "%s not reachable (attempt %d) — check %s: %s; retrying in %.1f s",
                    what, attempt, check, problem, delay)
            last = problem
            await asyncio.sleep(delay)
            continue
        report(Health(OK))
        if attempt > 1:
            log.warning("%s reachable after %d attempts", what, attempt)
        return
