"""``GET /metrics`` in Prometheus format: what an operator graphs and alerts on.

A registry of our own (no prometheus_client globals), built by the composition root when
``[metrics] enabled = true``. Counted as things happen: inbound updates per messenger (where
events enter the core), the time the core takes to have a reply ready, sends by messenger and
result, 429s, how late rows go out. Read at scrape time: the outbox's depth by state and the
age of its oldest due row (one grouped query on the ``(state, not_before)`` index), each
part's state as ``/healthz`` shows it, and the version. The core never imports this module:
:class:`InstrumentedCore` wraps it here.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, Info
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4, generate_latest
from sqlalchemy import func, select
from sqlmodel import col

from bots.logformat import bind
from commands.context import Reply, ReplyPlan
from commands.core import Core, Services
from commands.model import (
    ActionInvoked,
    BotAdded,
    BotRemoved,
    InboundEvent,
    MessageDeleted,
    MessageEdited,
    MessageReceived,
)
from store.models import Delivery, DeliveryState

if TYPE_CHECKING:
    from commands.clock import Clock
    from store.db import Database

log = logging.getLogger(__name__)

# The classic text format: every Prometheus (2.x too) reads it; our names need no more.
CONTENT_TYPE = CONTENT_TYPE_PLAIN_0_0_4
STATES = ("ok", "degraded", "down")
_KINDS: tuple[tuple[type, str], ...] = (
    (MessageReceived, "message"), (ActionInvoked, "action"), (MessageEdited, "edit"),
    (MessageDeleted, "delete"), (BotAdded, "bot_added"), (BotRemoved, "bot_removed"),
)


class Metrics:
    """Every metric Łącznik serves, in one registry."""

    def __init__(self, *, version: str) -> None:
        self.registry = CollectorRegistry()
        registry = self.registry
        self.inbound = Counter(
            "lacznik_inbound_updates", "Updates the messengers delivered to the core "
            "(platform retries included)", ["messenger", "kind"], registry=registry)
        self.reply_seconds = Histogram(
            "lacznik_reply_seconds", "Time from an update entering the core to its reply "
            "being ready", ["messenger"], registry=registry,
            buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0))
        self.sends = Counter(
            "lacznik_sends", "Outbox rows the delivery worker settled, by messenger and "
            "result (sent, retry, rate_limited, moved, failed, dead, missed)",
            ["messenger", "result"], registry=registry)
        self.rate_limited = Counter(
            "lacznik_rate_limited", "429 answers from a messenger's API (waited out and "
            "retried), replies and the delivery worker's sends alike",
            ["messenger"], registry=registry)
        self.lateness = Histogram(
            "lacznik_delivery_lateness_seconds", "From a row's due time to the platform "
            "accepting it, by kind (reminder, announcement, relay, notice)", ["kind"],
            registry=registry,
            buckets=(0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0, 3600.0))
        self.outbox_rows = Gauge(
            "lacznik_outbox_rows", "Outbox rows by state (read at scrape time)", ["state"],
            registry=registry)
        self.outbox_oldest = Gauge(
            "lacznik_outbox_oldest_due_seconds", "How long the oldest pending row has been "
            "due (0 when nothing pending is due)", registry=registry)
        self.component_state = Gauge(
            "lacznik_component_state", "1 for the state each part is in (ok, degraded, "
            "down), as /healthz shows it", ["component", "state"], registry=registry)
        self.scrape_errors = Counter(
            "lacznik_metrics_database_errors", "Scrapes whose outbox query failed",
            registry=registry)
        Info("lacznik_build", "The running version", registry=registry).info(
            {"version": version})
        self._unlisten: list[Callable[[], None]] = []

    # --- the delivery worker's observer (scheduler.delivery.DeliveryObserver) ---------------

    def settled(self, *, platform: str, kind: str, result: str,
                lateness: float | None = None) -> None:
        """One outbox row sent or settled otherwise."""
        self.sends.labels(platform, result).inc()
        if result == "rate_limited":
            self.rate_limited.labels(platform).inc()
        if lateness is not None:
            self.lateness.labels(kind).observe(lateness)

    @contextlib.contextmanager
    def sending(self, platform: str) -> Iterator[None]:
        """Around one platform call of the worker (its 429s are heard from the messenger's
        own :class:`adapters.ratelimit.RateLimitWatch`, see :meth:`start`)."""
        yield

    # --- inbound -------------------------------------------------------------------------

    def received(self, event: InboundEvent) -> None:
        """One update entered the core."""
        kind = next((name for cls, name in _KINDS if isinstance(event, cls)), "other")
        self.inbound.labels(event.platform.value, kind).inc()

    # --- scrape --------------------------------------------------------------------------

    async def render(self, *, db: Database, clock: Clock,
                     health: Mapping[str, object]) -> bytes:
        """The exposition text: the outbox read now, the parts' states from ``health`` (the
        ``/healthz`` body)."""
        await self._read_outbox(db, clock.now())
        self._set_states(health)
        return generate_latest(self.registry)

    async def _read_outbox(self, db: Database, now: datetime) -> None:
        query = (select(col(Delivery.state), func.count(), func.min(col(Delivery.not_before)))
                 .group_by(col(Delivery.state)))
        try:
            async with db.session() as session:
                rows = (await session.execute(query)).all()
        except Exception as exc:
            # No numbers rather than stale ones; /healthz and the state gauges say why.
            self.scrape_errors.inc()
            self.outbox_rows.clear()
            self.outbox_oldest.set(0)
            log.debug("metrics: outbox not readable (%s)", type(exc).__name__)
            return
        counts = {state.value: 0 for state in DeliveryState}
        oldest = 0.0
        for state, count, first_due in rows:
            counts[str(state)] = int(count)
            if state == DeliveryState.PENDING.value and first_due is not None:
                due = first_due if first_due.tzinfo else first_due.replace(tzinfo=UTC)
                oldest = max(0.0, (now - due).total_seconds())
        for state, count in counts.items():
            self.outbox_rows.labels(state).set(count)
        self.outbox_oldest.set(oldest)

    def _set_states(self, health: Mapping[str, object]) -> None:
        parts: dict[str, str] = {}
        database = health.get("database")
        if isinstance(database, Mapping):
            parts["database"] = str(database.get("state", "down"))
        components = health.get("components")
        if isinstance(components, Mapping):
            for name, part in components.items():
                if isinstance(part, Mapping):
                    parts[str(name)] = str(part.get("state", "down"))
        self.component_state.clear()  # a component that went away stops being reported
        for name, state in parts.items():
            for candidate in STATES:
                self.component_state.labels(name, candidate).set(int(candidate == state))

    # --- life cycle ----------------------------------------------------------------------

    def start(self, messengers: Iterable[object] = ()) -> None:
        """Begin counting the 429s each messenger waits out (its ``rate_limits`` hook, an
        :class:`adapters.ratelimit.RateLimitWatch`), under the messenger's platform."""
        self.stop()
        for messenger in messengers:
            watch = getattr(messenger, "rate_limits", None)
            platform = getattr(messenger, "platform", None)
            if watch is None or platform is None:
                continue
            counter = self.rate_limited.labels(str(getattr(platform, "value", platform)))
            self._unlisten.append(watch.listen(counter.inc))

    def stop(self) -> None:
        """Stop counting."""
        for unlisten in self._unlisten:
            unlisten()
        self._unlisten.clear()


class InstrumentedCore(Core):
    """The core, counted (when metrics are on) and with each update's id and platform bound
    to the log lines written while it is handled (:mod:`bots.logformat`)."""

    def __init__(self, services: Services, *, metrics: Metrics | None) -> None:
        super().__init__(services)
        self._metrics = metrics

    async def handle_recorded(self, event: InboundEvent, *, plan: ReplyPlan | None = None
                              ) -> Reply:
        """:meth:`Core.handle_recorded`, counted and timed; :meth:`Core.handle` comes here
        too."""
        platform = event.platform.value
        metrics = self._metrics
        if metrics is not None:
            metrics.received(event)
        started = time.perf_counter()
        try:
            with bind(event_id=event.event_id or "", platform=platform):
                return await super().handle_recorded(event, plan=plan)
        finally:
            if metrics is not None:
                metrics.reply_seconds.labels(platform).observe(time.perf_counter() - started)
