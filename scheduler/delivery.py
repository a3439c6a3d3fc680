"""The delivery worker: sends what the outbox holds, through the messengers' own sending.

Each due row is claimed (exactly one worker gets it, across instances), sent through the
platform's :class:`commands.ports.Messenger` (which paces per conversation and waits out 429s),
and settled in its own short transaction right after the platform answers — the only window in
which a crash can cause a repeat is between the platform accepting a message and that commit.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import socket
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from commands.clock import WARSAW, Clock
from commands.model import ConversationRef, OutboundMessage, message_from_json
from commands.ports import (
    DeliveryError,
    Messenger,
    Moved,
    RateLimited,
    Rejected,
    TransientFailure,
    Unreachable,
)
from commands.texts import t
from store.db import Database
from store.models import Delivery, DeliveryState, MessengerAccount
from store.outbox import claim_due, settle

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class DeliverySettings:
    """How the worker behaves."""

    batch: int = 500
    concurrency: int = 64
    lease: timedelta = timedelta(minutes=5)
    max_attempts: int = 6
    retry_base: timedelta = timedelta(seconds=5)
    late_after: timedelta = timedelta(minutes=5)  # later than this: say so in the message


class DeliveryWorker:
    """Claims and sends due outbox rows. ``run_once`` is what tests and the scheduler call."""

    def __init__(
        self,
        *,
        db: Database,
        clock: Clock,
        messengers: Mapping[str, Messenger],
        settings: DeliverySettings = DeliverySettings(),
        worker_id: str | None = None,
    ) -> None:
        self._db = db
        self._clock = clock
        self.messengers = messengers  # shared with the composition root: adapters add theirs
        self.settings = settings
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"

    async def run_once(self) -> int:
        """Send every row due now; returns how many were settled.

        Rows are claimed in batches, and more are claimed as soon as fewer than half a
        batch is still in flight: a rate-limited platform then always has rows waiting for
        its next free slot, instead of idling at each batch boundary while the last rows
        of the batch finish elsewhere.
        """
        gate = asyncio.Semaphore(self.settings.concurrency)
        low_water = self.settings.batch // 2
        in_flight: set[asyncio.Task[None]] = set()
        room = asyncio.Event()
        settled = 0
        failure: BaseException | None = None

        def finished(task: asyncio.Task[None]) -> None:
            nonlocal settled, failure
            in_flight.discard(task)
            settled += 1
            if not task.cancelled() and task.exception() is not None and failure is None:
                failure = task.exception()
            if len(in_flight) <= low_water or failure is not None:
                room.set()

        try:
            while failure is None:
                async with self._db.session() as session:
                    claimed = await claim_due(
                        session, now=self._clock.now(), worker=self.worker_id,
                        limit=self.settings.batch - len(in_flight), lease=self.settings.lease,
                    )
                for delivery in claimed:
                    task = asyncio.create_task(self._deliver_within(gate, delivery))
                    in_flight.add(task)
                    task.add_done_callback(finished)
                if not in_flight:
                    return settled
                if not claimed:  # nothing more due now: let these finish, then look again
                    await asyncio.wait(set(in_flight))
                    continue
                room.clear()
                if len(in_flight) > low_water:
                    await room.wait()
            if in_flight:
                await asyncio.wait(set(in_flight))
            assert failure is not None
            raise failure
        except BaseException:
            for task in in_flight:  # cancelled (shutdown) or failed: stop what is left
                task.cancel()
            await asyncio.gather(*in_flight, return_exceptions=True)
            raise

    async def _deliver_within(self, gate: asyncio.Semaphore, delivery: Delivery) -> None:
        async with gate:
            await self._deliver(delivery)

    async def _deliver(self, delivery: Delivery) -> None:
        now = self._clock.now()
        assert delivery.id is not None
        useful_until = _aware(delivery.useful_until)
        if useful_until is not None and now > useful_until:
            await self._settle(delivery, DeliveryState.MISSED, reason="no longer useful")
            return
        messenger = self.messengers.get(delivery.platform)
        if messenger is None:
            await self._settle(delivery, DeliveryState.FAILED,
                               reason=f"{delivery.platform} is not configured")
            return
        try:
            ref = ConversationRef.from_json(delivery.target)
            message = message_from_json(delivery.payload)
        except (ValueError, KeyError) as exc:
            await self._settle(delivery, DeliveryState.FAILED, reason=f"bad outbox row: {exc}")
            return
        not_before = _aware(delivery.not_before) or now
        if now - not_before > self.settings.late_after:
            message = _with_late_note(message, not_before)
        try:
            sent = await messenger.send(ref, message)
        except Moved as exc:
            await self._settle(delivery, DeliveryState.PENDING, reason="conversation moved",
                               target=exc.new_ref.to_json(), not_before=now)
        except Unreachable as exc:
            await self._settle(delivery, DeliveryState.FAILED, reason=exc.reason)
            await self._mark_unreachable(delivery, exc.reason)
        except Rejected as exc:
            await self._settle(delivery, DeliveryState.FAILED, reason=exc.reason)
        except RateLimited as exc:
            await self._settle(delivery, DeliveryState.PENDING, reason=exc.reason,
                               not_before=now + timedelta(seconds=exc.retry_after))
        except (TimeoutError, TransientFailure, DeliveryError, OSError) as exc:
            await self._retry_later(delivery, str(getattr(exc, "reason", exc)) or "error")
        except Exception as exc:
            log.exception("delivery %s: unexpected failure", delivery.id)
            await self._retry_later(delivery, type(exc).__name__)
        else:
            await self._settle(delivery, DeliveryState.SENT, message_id=sent.message_id)

    async def _retry_later(self, delivery: Delivery, reason: str) -> None:
        attempts = delivery.attempts + 1
        if attempts >= self.settings.max_attempts:
            await self._settle(delivery, DeliveryState.DEAD, reason=reason, attempts=attempts)
            return
        base = self.settings.retry_base.total_seconds() * 2 ** (attempts - 1)
        delay = timedelta(seconds=random.uniform(base / 2, base))
        await self._settle(delivery, DeliveryState.PENDING, reason=reason, attempts=attempts,
                           not_before=self._clock.now() + delay)

    async def _settle(self, delivery: Delivery, state: DeliveryState, **values: object) -> None:
        async with self._db.session() as session:
            kept = await settle(session, int(delivery.id or 0), worker=self.worker_id,
                                state=state, now=self._clock.now(), **values)  # type: ignore[arg-type]
        if not kept:
            log.warning("delivery %s was re-claimed by another worker before settling",
                        delivery.id)

    async def _mark_unreachable(self, delivery: Delivery, reason: str) -> None:
        if delivery.account_id is None:
            return
        async with self._db.session() as session:
            account = await session.get(MessengerAccount, delivery.account_id)
            if account is not None:
                account.reachable = False
                account.unreachable_reason = reason[:300]
                session.add(account)
                await session.commit()


def _aware(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive UTC datetimes; make them comparable."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def _with_late_note(message: OutboundMessage, due: datetime) -> OutboundMessage:
    when = due.astimezone(WARSAW).strftime("%Y-%m-%d %H:%M")
    note = t(message.lang, "delivery.late", when=when)
    return replace(message, footer=f"{message.footer}\n{note}".strip())
