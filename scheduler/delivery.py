"""The delivery worker: sends what the outbox holds, through the messengers' own sending.

Each due row is claimed (exactly one worker gets it, across instances), sent through the
platform's :class:`commands.ports.Messenger` (which paces per conversation and waits out 429s),
and recorded right after the platform answers. Accepted sends are recorded in group commits:
while one commit is being written, the next accepted sends gather and go in the following
one, so 10,000 reminders due in one minute cost a few dozen commits, not 10,000. The only
window in which a crash can cause a repeat is between the platform accepting a message and
that commit (one commit's duration, a few milliseconds).

Claims are leases (``lease``, renewed every third of it while the worker lives): rows of a
worker that died return to the pool within a minute. A row due within ``wait_ahead`` is
waited for, so it is sent at its moment rather than at the next scheduler tick.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import socket
from collections.abc import AsyncIterator, Awaitable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Protocol

from sqlmodel.ext.asyncio.session import AsyncSession

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
from commands.reachability import record_unreachable
from commands.texts import t
from scheduler.sending import perform
from store.db import Database
from store.models import Delivery, DeliveryState
from store.outbox import (
    ClaimedRow,
    claim_due,
    claim_ids,
    forget_sent,
    next_due,
    read_due,
    renew_claims,
    settle,
    settle_sent,
)
from store.replies import REPLY_KIND, SEND, Envelope, envelope_of, miss_older_replies

log = logging.getLogger(__name__)

_PAGE = 2_000  # rows read ahead per query


@dataclass(frozen=True, slots=True)
class DeliverySettings:
    """How the worker behaves."""

    batch: int = 500  # rows claimed at once
    concurrency: int = 128  # sends in flight (platform call + its record) at once
    lease: timedelta = timedelta(minutes=1)  # renewed while working; a dead worker's rows
    max_attempts: int = 6                    # come back after at most this long
    retry_base: timedelta = timedelta(seconds=5)
    late_after: timedelta = timedelta(minutes=5)  # later than this: say so in the message
    # Rows due within this long are read ahead and waited for, rather than left to a later
    # tick: two ticks, so that reading 10,000 rows ahead (~0.6 s) ends before they fall due.
    wait_ahead: timedelta = timedelta(seconds=2)
    read_ahead: int = 50_000  # at most this many rows read ahead of their moment
    # A reply (an answer to a person) waits out an outage up to this age; older, the person
    # is told it did not arrive in time instead. Meanwhile it is retried at least this often.
    reply_max_age: timedelta = timedelta(minutes=10)
    reply_retry_max: timedelta = timedelta(seconds=15)


class DeliveryObserver(Protocol):
    """What the worker reports as it goes (the composition root counts it for ``/metrics``).

    ``result``: ``sent``, ``failed``, ``dead``, ``missed``, ``retry``, ``rate_limited`` or
    ``moved``; ``lateness``: for a sent row, seconds from its due time to the platform's
    acceptance. ``sending`` wraps each platform call (what happens inside it, such as the
    adapter waiting out a 429, belongs to that messenger)."""

    def settled(self, *, platform: str, kind: str, result: str,
                lateness: float | None = None) -> None:
        """One row sent, or settled otherwise."""
        ...

    def sending(self, platform: str) -> contextlib.AbstractContextManager[object]:
        """Around one platform call."""
        ...


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
        observer: DeliveryObserver | None = None,
    ) -> None:
        self._db = db
        self._observer = observer
        self._clock = clock
        self.messengers = messengers  # shared with the composition root: adapters add theirs
        self.settings = settings
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        # SQLite has one writer: the worker's own writes (claims, records, retries) queue here
        # rather than in SQLite's busy wait, which sleeps in steps of up to 100 ms — time in
        # which an accepted send is not yet recorded. PostgreSQL needs no such queue.
        self._writes: contextlib.AbstractAsyncContextManager[object] = (
            asyncio.Lock() if db.is_sqlite else contextlib.nullcontext())
        self._sent = _SentLog(db, clock, self.worker_id, self._writes)
        # Rows sent at once by the process that wrote them (scheduler/outbound.py): removed
        # once the platform took them, so they leave no trace, as before they were rows.
        # They are claimed under an id of their own: the worker's rows (taken over when a
        # lease ran out) are never mistaken for them, nor removed as sent at once.
        self.at_once_id = f"{self.worker_id}/now"
        self._done_at_once = _SentLog(db, clock, self.at_once_id, self._writes, forget=True)
        self._held: set[int] = set()  # rows this worker has claimed and not yet settled
        self._stopping = False
        self._nudged: asyncio.Event | None = None  # set while a round runs (its loop's)

    async def run_once(self) -> int:
        """Send every row due now (and, waiting for them, rows due within ``wait_ahead``);
        returns how many were settled.

        Rows are claimed in batches, and more are claimed as soon as fewer than half a
        batch is still in flight: a rate-limited platform then always has rows waiting for
        its next free slot, instead of idling at each batch boundary while the last rows
        of the batch finish elsewhere. Rows about to fall due are read (and their messages
        parsed) ahead while waiting, then claimed by id at their moment: a cheap update, so
        10,000 rows due at once start going out within milliseconds. Reading ahead takes no
        claim, so a row cancelled meanwhile is not sent, and other instances still share it.
        """
        self._nudged = asyncio.Event()
        gate = asyncio.Semaphore(self.settings.concurrency)
        low_water = self.settings.batch // 2
        in_flight: dict[asyncio.Task[None], int] = {}  # send → its row id
        room = asyncio.Event()
        ahead: list[_Prepared] = []  # read ahead, not claimed yet
        settled = 0
        failure: BaseException | None = None

        def finished(task: asyncio.Task[None]) -> None:
            nonlocal settled, failure
            self._held.discard(in_flight.pop(task, 0))
            settled += 1
            if not task.cancelled() and task.exception() is not None and failure is None:
                failure = task.exception()
            if len(in_flight) <= low_water or failure is not None:
                room.set()

        renewing = asyncio.create_task(self._renew_claims())
        try:
            while failure is None and not self._stopping:
                self._nudged.clear()  # what is due now is claimed next
                claimed = await self._claim(ahead, self.settings.batch - len(in_flight))
                for prepared in claimed:
                    row_id = int(prepared.delivery.id or 0)
                    self._held.add(row_id)
                    task = asyncio.create_task(self._deliver(gate, prepared))
                    in_flight[task] = row_id
                    task.add_done_callback(finished)
                if ahead:
                    if len(in_flight) > low_water:
                        room.clear()
                        await room.wait()
                    elif (head := ahead[0].due) > self._clock.now():
                        # woken by new rows before those read ahead fell due
                        await self._until_nudged(self._clock.sleep_until(head))
                    continue
                if not in_flight:
                    wake = await self._next_wake()
                    if wake is None:
                        return settled
                    ahead = await self._read_ahead(wake)
                    await self._until_nudged(self._clock.sleep_until(wake))
                    continue
                if not claimed:  # nothing more due now: let these finish, then look again
                    await self._until_nudged(asyncio.wait(set(in_flight)))
                    continue
                room.clear()
                if len(in_flight) > low_water:
                    await room.wait()
            if in_flight:  # stopping, or a send failed: the others finish and are recorded
                await asyncio.wait(set(in_flight))
            if failure is not None:
                raise failure
            return settled
        except asyncio.CancelledError:
            for task in in_flight:  # shut down: stop what is left (rows return after lease)
                task.cancel()
            await asyncio.gather(*in_flight, return_exceptions=True)
            raise
        except Exception:
            # The database failed between sends: sends already under way finish and are
            # recorded (cancelling them would repeat those the platform already accepted).
            if in_flight:
                await asyncio.wait(set(in_flight))
            raise
        finally:
            renewing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renewing

    def nudge(self) -> None:
        """Rows were just written to the outbox (any commit that inserted some, due now or
        later): a round in progress that is waiting (for rows about to fall due, or for its
        sends to finish) looks for due ones at once; rows due later cost one cheap look."""
        if self._nudged is not None:
            self._nudged.set()

    async def _until_nudged(self, waiting: Awaitable[object]) -> None:
        """Await ``waiting``, or less if :meth:`nudge` is called meanwhile."""
        assert self._nudged is not None
        waited = asyncio.ensure_future(waiting)
        nudged = asyncio.ensure_future(self._nudged.wait())
        try:
            await asyncio.wait({waited, nudged}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            # cancelling an ``asyncio.wait`` leaves the sends it waited for running
            waited.cancel()
            nudged.cancel()

    @contextlib.asynccontextmanager
    async def _write_session(self) -> AsyncIterator[AsyncSession]:
        """A session for a write, after the worker's other writes (see ``_writes``)."""
        async with self._writes, self._db.session() as session:
            yield session

    def stop_claiming(self) -> None:
        """Shutting down: the round in progress claims nothing more and ends once the sends it
        has started are recorded."""
        self._stopping = True

    async def close(self) -> None:
        """Wait for the last group commit of accepted sends."""
        await self._sent.close()
        await self._done_at_once.close()

    async def _claim(self, ahead: list[_Prepared], limit: int) -> list[_Prepared]:
        """The next rows to send: the next of those read ahead (if any), else due rows."""
        if limit <= 0:
            return []
        now = self._clock.now()
        due = 0  # rows read ahead are sent from their moment on, not sooner
        while due < min(limit, len(ahead)) and ahead[due].due <= now:
            due += 1
        async with self._write_session() as session:
            if due:
                chunk, ahead[:due] = ahead[:due], []
                current = await claim_ids(session, [p.delivery.id or 0 for p in chunk],
                                          now=now, worker=self.worker_id,
                                          lease=self.settings.lease)
                # a row changed since it was read (an edited event, a moved chat) is sent as
                # it is now
                return [p.as_claimed(current[int(p.delivery.id or 0)]) for p in chunk
                        if int(p.delivery.id or 0) in current]
            rows = await claim_due(session, now=now, worker=self.worker_id, limit=limit,
                                   lease=self.settings.lease)
        return [_Prepared(row) for row in rows]

    async def _read_ahead(self, until: datetime) -> list[_Prepared]:
        """Rows due by ``until``, read and parsed (not claimed) while waiting for them, a
        page at a time so that webhooks are answered meanwhile."""
        prepared: list[_Prepared] = []
        after = 0
        while len(prepared) < self.settings.read_ahead:
            async with self._db.session() as session:
                rows = await read_due(session, until=until, after_id=after,
                                      limit=min(_PAGE, self.settings.read_ahead - len(prepared)))
            for row in rows:
                prepared.append(_Prepared(row))
            if len(rows) < _PAGE:
                break
            after = int(rows[-1].id or 0)
            await asyncio.sleep(0)
        prepared.sort(key=lambda p: (p.delivery.not_before, p.delivery.id or 0))
        return prepared

    async def _next_wake(self) -> datetime | None:
        """The moment of the next pending row, if it is due within ``wait_ahead``."""
        async with self._db.session() as session:
            moment = _aware(await next_due(session))
        now = self._clock.now()
        if moment is None or moment <= now or moment - now > self.settings.wait_ahead:
            return None  # nothing soon, or due but taken by another worker: the next tick
        return moment

    async def _renew_claims(self) -> None:
        """Keep this worker's leases alive while it works on them."""
        every = self.settings.lease.total_seconds() / 3
        while True:
            await asyncio.sleep(every)
            try:
                async with self._write_session() as session:
                    await renew_claims(session, sorted(self._held), worker=self.worker_id,
                                       until=self._clock.now() + self.settings.lease)
            except Exception:  # the database is away: the leases may run out, rows return
                log.warning("could not renew delivery leases", exc_info=True)

    async def _deliver(self, gate: asyncio.Semaphore, prepared: _Prepared) -> None:
        delivery = prepared.delivery
        now = self._clock.now()
        assert delivery.id is not None
        useful_until = _aware(delivery.useful_until)
        if useful_until is not None and now > useful_until:
            await self._settle(delivery, DeliveryState.MISSED, reason="no longer useful")
            self._observe(delivery, "missed")
            return
        messenger = self.messengers.get(delivery.platform)
        if messenger is None:
            await self._settle(delivery, DeliveryState.FAILED,
                               reason=f"{delivery.platform} is not configured")
            self._observe(delivery, "failed")
            return
        if prepared.unreadable or prepared.ref is None or prepared.message is None:
            await self._settle(delivery, DeliveryState.FAILED,
                               reason=f"bad outbox row: {prepared.unreadable}")
            self._observe(delivery, "failed")
            return
        ref, message, envelope = prepared.ref, prepared.message, prepared.envelope
        asked_at = _aware(envelope.asked_at)
        patient = delivery.kind == REPLY_KIND and asked_at is not None
        if patient and asked_at is not None and now - asked_at > self.settings.reply_max_age:
            # Too late to be an answer: one notice for the conversation instead, once it can
            # be reached (it retries as any message, then gives up).
            await self._miss_older(delivery, asked_at)
            message = OutboundMessage(text=t(message.lang, "sec.reply_too_late"),
                                      lang=message.lang)
            envelope = Envelope()
            patient = False
        not_before = _aware(delivery.not_before) or now
        if asked_at is not None:
            not_before = asked_at  # a reply was due when it was asked for
        if now - not_before > self.settings.late_after and envelope.op == SEND:
            message = _with_late_note(message, not_before)
        # The gate is held until an accepted send is recorded: at most ``concurrency`` sends
        # are ever accepted but not yet recorded — all that a crash can make us repeat.
        async with gate:
            try:
                with (self._observer.sending(delivery.platform) if self._observer
                      else contextlib.nullcontext()):
                    message_id = await perform(messenger, ref, message, envelope,
                                                resend=delivery.kind == REPLY_KIND)
            except Exception as exc:
                failure = exc
            else:
                lateness = (self._clock.now() - not_before).total_seconds()
                await self._sent.record(delivery.id, message_id)
                self._observe(delivery, "sent", lateness=max(0.0, lateness))
                return
        await self.settle_failure(delivery, failure, patient=patient)

    async def record_sent(self, sent: list[tuple[int, str]], *, at_once: bool = False) -> None:
        """Rows this worker holds (claimed by its id) that the platform took: ``(row id,
        platform message id)``, recorded in the next group commit — or, ``at_once`` (sent by
        the process that wrote them, claimed by :attr:`at_once_id`), removed in it."""
        await asyncio.gather(*self.hand_sent(sent, at_once=at_once))

    def hand_sent(self, sent: list[tuple[int, str]], *,
                  at_once: bool = False) -> list[asyncio.Future[None]]:
        """:meth:`record_sent` without waiting: each row's future is done once it is
        recorded (or holds the commit's failure)."""
        log_ = self._done_at_once if at_once else self._sent
        return [log_.hand(row_id, message_id) for row_id, message_id in sent]

    async def settle_failure(self, delivery: Delivery, failure: BaseException, *,
                             patient: bool = False) -> None:
        """Settle a send of a row this worker holds that the platform did not take (later,
        elsewhere or never), and count how."""
        result = await self._failed(delivery, failure, patient=patient)
        self._observe(delivery, result)

    async def _miss_older(self, delivery: Delivery, asked_at: datetime) -> None:
        """Drop the conversation's other replies that are too old as well (one notice)."""
        async with self._write_session() as session:
            await miss_older_replies(
                session, platform=delivery.platform, key=delivery.conversation_key,
                asked_before=self._clock.now() - self.settings.reply_max_age,
                except_id=int(delivery.id or 0))

    def _observe(self, delivery: Delivery, result: str, *,
                 lateness: float | None = None) -> None:
        if self._observer is None:
            return
        try:
            self._observer.settled(platform=delivery.platform, kind=delivery.kind,
                                   result=result, lateness=lateness)
        except Exception:  # counting must never stop a delivery
            log.debug("delivery observer failed", exc_info=True)

    async def _failed(self, delivery: Delivery, failure: BaseException, *,
                      patient: bool = False) -> str:
        """Settle a send the platform did not accept: later, elsewhere, or never. A
        ``patient`` row (a reply not yet too old) is retried until its age runs out.
        Returns how, as the observer names it (the one place failures are classified)."""
        try:
            raise failure
        except Moved as exc:
            await self._settle(delivery, DeliveryState.PENDING, reason="conversation moved",
                               target=exc.new_ref.to_json(), not_before=self._clock.now())
            return "moved"
        except Unreachable as exc:
            await self._settle(delivery, DeliveryState.FAILED, reason=exc.reason)
            await self._mark_unreachable(delivery, exc.reason)
            return "failed"
        except Rejected as exc:
            await self._settle(delivery, DeliveryState.FAILED, reason=exc.reason)
            return "failed"
        except RateLimited as exc:
            await self._settle(delivery, DeliveryState.PENDING, reason=exc.reason,
                               not_before=self._clock.now()
                               + timedelta(seconds=exc.retry_after))
            return "rate_limited"
        except (TimeoutError, TransientFailure, DeliveryError, OSError) as exc:
            return await self._retry_later(
                delivery, str(getattr(exc, "reason", exc)) or "error", patient=patient)
        except Exception as exc:
            log.exception("delivery %s: unexpected failure", delivery.id)
            return await self._retry_later(delivery, type(exc).__name__, patient=patient)

    async def _retry_later(self, delivery: Delivery, reason: str, *,
                           patient: bool = False) -> str:
        attempts = delivery.attempts + 1
        if attempts >= self.settings.max_attempts and not patient:
            await self._settle(delivery, DeliveryState.DEAD, reason=reason, attempts=attempts)
            return "dead"
        base = self.settings.retry_base.total_seconds() * 2 ** min(attempts - 1, 16)
        if patient:  # a person waits for it: look again soon after the platform is back
            base = min(base, self.settings.reply_retry_max.total_seconds())
        delay = timedelta(seconds=random.uniform(base / 2, base))
        await self._settle(delivery, DeliveryState.PENDING, reason=reason, attempts=attempts,
                           not_before=self._clock.now() + delay)
        return "retry"

    async def _settle(self, delivery: Delivery, state: DeliveryState, *, reason: str = "",
                      not_before: datetime | None = None, attempts: int | None = None,
                      target: str | None = None) -> None:
        async with self._write_session() as session:
            kept = await settle(session, int(delivery.id or 0), worker=self.worker_id,
                                state=state, now=self._clock.now(), reason=reason,
                                not_before=not_before, attempts=attempts, target=target)
        if not kept:
            log.warning("delivery %s was re-claimed by another worker before settling",
                        delivery.id)

    async def _mark_unreachable(self, delivery: Delivery, reason: str) -> None:
        if delivery.account_id is None:
            return  # the messenger recorded its target itself
        async with self._writes:
            await record_unreachable(self._db, ConversationRef.from_json(delivery.target),
                                     reason, account_id=delivery.account_id)


class _Prepared:
    """An outbox row with its target and message parsed (or why they could not be)."""

    __slots__ = ("delivery", "envelope", "message", "ref", "unreadable")

    def __init__(self, delivery: Delivery) -> None:
        self.delivery = delivery
        self.ref: ConversationRef | None = None
        self.message: OutboundMessage | None = None
        self.envelope = Envelope()
        self.unreadable = ""
        self._parse()

    def _parse(self) -> None:
        try:
            self.ref = ConversationRef.from_json(self.delivery.target)
            self.message = message_from_json(self.delivery.payload)
            self.envelope = envelope_of(self.delivery.payload)
            self.unreadable = ""
        except (ValueError, KeyError, TypeError) as exc:
            self.unreadable = str(exc) or type(exc).__name__

    @property
    def due(self) -> datetime:
        """When the row falls due (aware)."""
        moment = _aware(self.delivery.not_before)
        assert moment is not None  # not_before is never empty
        return moment

    def as_claimed(self, current: ClaimedRow) -> _Prepared:
        """The row as it was when claimed; parsed again only if its content changed."""
        row = self.delivery
        changed = (row.target, row.payload) != (current.target, current.payload)
        row.target, row.payload = current.target, current.payload
        row.platform, row.account_id = current.platform, current.account_id
        row.not_before, row.useful_until = current.not_before, current.useful_until
        row.attempts = current.attempts
        if changed:
            self._parse()
        return self


class _SentLog:
    """Group commit of accepted sends: the first accepted send starts a commit at once; those
    accepted while it is being written wait for the next one, which takes all of them."""

    def __init__(self, db: Database, clock: Clock, worker: str,
                 writes: contextlib.AbstractAsyncContextManager[object], *,
                 forget: bool = False) -> None:
        self._forget = forget  # remove the rows instead of marking them sent
        self._db = db
        self._writes = writes
        self._clock = clock
        self._worker = worker
        self._waiting: list[tuple[int, str, asyncio.Future[None]]] = []
        self._writing: asyncio.Task[None] | None = None

    async def record(self, row_id: int, message_id: str) -> None:
        """Return once the row is recorded as sent (raises if the commit failed)."""
        await asyncio.shield(self.hand(row_id, message_id))

    def hand(self, row_id: int, message_id: str) -> asyncio.Future[None]:
        """Hand the row to the next group commit; the future is done once it is written."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append((row_id, message_id, done))
        if self._writing is None or self._writing.done():
            # its own task: a sender cancelled at shutdown does not abandon the others' rows
            self._writing = asyncio.create_task(self._write())
        return done

    async def close(self) -> None:
        """Wait until what was handed in is written."""
        if self._writing is not None:
            await asyncio.gather(self._writing, return_exceptions=True)

    async def _write(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting, []
            outcome: BaseException | None = None
            # A failed commit is retried (the update is idempotent): giving up means these
            # accepted sends stay claimed and go out again after the lease.
            for pause in (0.2, 1.0, 3.0, None):
                try:
                    async with self._writes, self._db.session() as session:
                        if self._forget:
                            recorded = await forget_sent(session, [row for row, _, _ in batch],
                                                         worker=self._worker)
                        else:
                            recorded = await settle_sent(
                                session, [(row, mid) for row, mid, _ in batch],
                                worker=self._worker, now=self._clock.now())
                except Exception as exc:
                    outcome = exc
                    if pause is None:
                        log.error("recording %d accepted sends failed; they may be sent again "
                                  "after the lease: %s", len(batch), exc)
                        break
                    await asyncio.sleep(pause)
                else:
                    outcome = None
                    if recorded < len(batch):
                        log.warning("%d sent deliveries had been taken over by another worker",
                                    len(batch) - recorded)
                    break
            for *_, done in batch:
                if done.done():
                    continue
                if outcome is None:
                    done.set_result(None)
                else:
                    done.set_exception(outcome)


def _aware(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive UTC datetimes; make them comparable."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def _with_late_note(message: OutboundMessage, due: datetime) -> OutboundMessage:
    when = due.astimezone(WARSAW).strftime("%Y-%m-%d %H:%M")
    note = t(message.lang, "delivery.late", when=when)
    return replace(message, footer=f"{message.footer}\n{note}".strip())
