"""The one way out: every message the bot sends is an outbox row before it is sent.

Replies (:meth:`OutboundPath.stage`) are written in the transaction that marks their update
done, already claimed by this process with a lease, and sent at once after that commit by
:meth:`OutboundPath.send_staged` through the adapter's reply messenger (tried once; 429s are
still waited out): no added latency. Once the platform took them they are removed, in the
delivery worker's next group commit (batched, off the reply's path): a reply sent at once
leaves no row behind, as before replies were rows; what the worker sends stays as ``sent``.
What the platform does not take is handed to the worker, which sends it when the platform is
back, in order per conversation, or — once older than ``[delivery] reply_max_age_seconds`` —
tells the person instead.

Rows sent at once are claimed under an id of their own (the worker's ``at_once_id``), their
lease renewed by one task from the commit until they are recorded or handed over; a row
whose lease may have run out before its send (it waited behind a chat's earlier replies) is
taken back first, and sent only if no worker took it meanwhile: sent once.

Order per conversation: a reply's INSERT leaves it pending behind earlier replies of its
conversation still waiting (:func:`store.outbox.insert_replies`: any instance's), and a reply
staged before an earlier one of this process was handed to the worker follows it there.

At-least-once: a process killed between the commit and the platform's answer leaves its rows
claimed; the worker of any instance takes them when the lease (``[delivery]``'s lease, a
minute) runs out and sends them. A process killed after the platform took a message but
before the group commit recorded it sends that message twice (a window of a commit).

Own-initiative messages, edits and deletions (:meth:`OutboundPath.post`) are written as
pending rows; the commit wakes the worker, which sends them at once.

Platform specifics stay with the adapters as hooks: the reply messengers they
:meth:`register`, the ``reply_to`` of an :class:`commands.ports.Outgoing` (Telegram quotes,
Teams reply chains) and what they plan. Slack's ``response_url`` answers and Teams' invoke
responses are not rows: they are part of the platform's answer to the request (or honoured
only minutes after it) and cannot be sent later; the adapters answer them themselves.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from commands.clock import Clock
from commands.ports import (
    DeliveryError,
    Messenger,
    OutboundKind,
    Planned,
    Rejected,
    Staged,
    Unreachable,
)
from scheduler.delivery import DeliveryWorker
from scheduler.sending import perform, rows_for, stored_key
from store.db import OUTBOX_WRITTEN, Database
from store.models import DeliveryState
from store.outbox import (
    cancel_pending,
    enqueue,
    insert_claimed,
    insert_replies,
    retake_claims,
    settle,
)
from store.replies import REPLY_KIND, Envelope

log = logging.getLogger(__name__)

SENT, FAILED, QUEUED = "sent", "failed", "queued"  # what became of a row sent at once
# A row whose lease ends sooner than this is taken again before it is sent at once.
RETAKE_MARGIN = timedelta(seconds=5)


class QueuedBehind(Exception):
    """Why a reply went to the worker unsent: an earlier one of its conversation waits."""

    reason = "queued behind an earlier reply"


def _key(planned: Planned) -> str:
    """The conversation's key as the outbox stores it (cut to the column's length)."""
    return stored_key(planned.ref)


class OutboundPath:
    """:class:`commands.ports.Outbound` on the outbox and the delivery worker."""

    def __init__(self, *, db: Database, clock: Clock, worker: DeliveryWorker) -> None:
        self._db = db
        self._clock = clock
        self._worker = worker
        self._messengers: dict[str, Messenger] = {}
        # Conversations (their stored keys) whose reply this process handed to the worker:
        # a reply of theirs staged before that, to be sent at once, follows it through the
        # worker instead (in turn). A reply staged after it is decided by its INSERT.
        self._queued: set[str] = set()
        # Rows staged to be sent at once, and the end of their lease: held (renewed by one
        # task) from the commit until they are recorded or handed to the worker.
        self._held: dict[int, datetime] = {}
        self._holding: asyncio.Task[None] | None = None
        self._released = asyncio.Event()

    def register(self, platform: str, messenger: Messenger) -> None:
        """The messenger that sends ``platform``'s replies at once."""
        self._messengers[platform] = messenger

    def _messenger(self, platform: str) -> Messenger | None:
        """The registered reply messenger, else the platform's own (the worker's)."""
        return self._messengers.get(platform) or self._worker.messengers.get(platform)

    @property
    def _claimant(self) -> str:
        """Who holds the rows sent at once: not the worker (its rows are its own)."""
        return self._worker.at_once_id

    async def stage(self, session: AsyncSession, planned: Sequence[Planned], *,
                    event_id: str, asked_at: datetime, person_id: int | None = None,
                    account_id: int | None = None) -> Staged:
        """Write reply rows in ``session`` (the caller commits): claimed by this process
        unless their conversation has earlier replies waiting, which they then queue behind
        (left pending for the worker, which is woken by the commit). ``person_id`` and
        ``account_id`` (the sender's) go with the rows: an erasure of the person finds them,
        and a queued reply that finds the chat unreachable marks the account."""
        return await self._stage(session, planned, kind=REPLY_KIND, key=event_id,
                                 asked_at=asked_at, person_id=person_id,
                                 account_id=account_id)

    async def _stage(self, session: AsyncSession, planned: Sequence[Planned], *, kind: str,
                     key: str, asked_at: datetime | None = None, source: str = "",
                     person_id: int | None = None, account_id: int | None = None) -> Staged:
        if not planned:
            return Staged(kind=kind)
        now = self._clock.now()
        until = now + self._worker.settings.lease
        mine = [p for p in planned if self._messenger(p.ref.platform.value)]
        later = [p for p in planned if p not in mine]
        rows = rows_for(mine, kind=kind, key=key, now=now, asked_at=asked_at, source=source,
                        person_id=person_id, account_id=account_id)
        if kind == REPLY_KIND:
            decided = await insert_replies(session, rows, worker=self._claimant, until=until)
            staged = []
            for (row_id, claimed), p in zip(decided, mine, strict=True):
                if claimed:  # nothing of its conversation waits (as of this insert)
                    staged.append((row_id, p))
                    self._queued.discard(_key(p))
                else:
                    self._queued.add(_key(p))
        else:
            ids = await insert_claimed(session, rows, worker=self._claimant, until=until)
            staged = list(zip(ids, mine, strict=True))
        if later:
            await enqueue(session, rows_for(later, kind=kind, key=key, now=now,
                                            asked_at=asked_at, source=source,
                                            person_id=person_id, account_id=account_id))
        self._hold({row_id: until for row_id, _ in staged})
        return Staged(tuple(staged), kind=kind)

    async def send_staged(self, staged: Staged | None) -> list[str]:
        """Send the staged rows now, in order; what fails is left to the worker. Returns
        each row's outcome: ``sent``, ``failed`` (refused, unreachable) or ``queued``."""
        if staged is None or not staged.rows:
            return []
        outcomes = {row_id: QUEUED for row_id, _ in staged.rows}
        sent: list[tuple[int, str]] = []
        rows = await self._still_mine(list(staged.rows))
        try:
            await self._send_rows(rows, outcomes, sent, reply=staged.kind == REPLY_KIND,
                                  kind=staged.kind)
        finally:
            recorded = {row_id for row_id, _ in sent}
            self._release([row_id for row_id, _ in staged.rows if row_id not in recorded])
        for (row_id, _), done in zip(sent, self._worker.hand_sent(sent, at_once=True),
                                     strict=True):
            # Recorded in the next group commit, off the reply's path: the chat's next reply
            # does not wait for it. Held until then (else the worker could send it again).
            done.add_done_callback(functools.partial(self._recorded, row_id))
        return [outcomes[row_id] for row_id, _ in staged.rows]

    def _recorded(self, row_id: int, done: asyncio.Future[None]) -> None:
        self._release([row_id])
        if not done.cancelled() and done.exception() is not None:
            # still claimed: sent again after the lease (at least once)
            log.error("a sent message not recorded: %s", done.exception())

    async def _still_mine(self, rows: list[tuple[int, Planned]]) -> list[tuple[int, Planned]]:
        """The rows this process may still send. A row whose lease may have run out before
        now (its send waited behind earlier ones, or the renewal could not reach the
        database) is taken again first: a worker may have sent it meanwhile."""
        now = self._clock.now()
        if all(self._held.get(row_id, now) > now + RETAKE_MARGIN for row_id, _ in rows):
            return rows  # the usual case: staged a moment ago, nobody else may take them
        until = now + self._worker.settings.lease
        try:
            async with self._db.session() as session:
                mine = await retake_claims(session, [row_id for row_id, _ in rows],
                                           worker=self._claimant, until=until)
        except Exception:  # unknown: a worker sends them once their lease has run out
            log.warning("could not take back %d rows to send", len(rows), exc_info=True)
            return []
        self._held.update({row_id: until for row_id in mine if row_id in self._held})
        return [(row_id, planned) for row_id, planned in rows if row_id in mine]

    def _hold(self, leases: dict[int, datetime]) -> None:
        """Keep renewing the lease of these rows until they are released."""
        if not leases:
            return
        self._held.update(leases)
        if self._holding is None or self._holding.done():
            self._released = asyncio.Event()  # of the running loop
            self._holding = asyncio.create_task(self._renew())

    def _release(self, row_ids: list[int]) -> None:
        for row_id in row_ids:
            self._held.pop(row_id, None)
        if not self._held:
            self._released.set()  # the renewing task ends

    async def _renew(self) -> None:
        """Extend the lease of the held rows every third of it, while there are any. A row
        not renewed whose lease has run out is no longer held (another worker has it, or
        its transaction never committed)."""
        lease = self._worker.settings.lease
        loop = asyncio.get_running_loop()
        renew_at = loop.time() + lease.total_seconds() / 3
        while self._held:
            self._released.clear()
            if (remaining := renew_at - loop.time()) > 0:
                # released rows do not put the renewal off: it keeps its pace
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._released.wait(), remaining)
                continue
            renew_at = loop.time() + lease.total_seconds() / 3
            now = self._clock.now()
            ids = sorted(self._held)
            try:
                async with self._db.session() as session:
                    renewed = await retake_claims(session, ids, worker=self._claimant,
                                                  until=now + lease)
            except Exception:  # the database is away: the lease may run out (at least once)
                log.warning("could not renew the lease of rows being sent", exc_info=True)
                continue
            for row_id in ids:
                if row_id in renewed and row_id in self._held:
                    self._held[row_id] = now + lease
                elif self._held.get(row_id, now) <= now:
                    self._held.pop(row_id, None)

    async def _send_rows(self, rows: list[tuple[int, Planned]], outcomes: dict[int, str],
                         sent: list[tuple[int, str]], *, reply: bool, kind: str) -> None:
        """Send ``rows`` in order, noting each outcome. A reply that is not taken stops the
        rest of its reply (they follow it through the worker, in turn); one whose
        conversation is unreachable takes that conversation's rows with it, no other's."""
        unreachable: dict[str, str] = {}  # conversation key: why
        for index, (row_id, planned) in enumerate(rows):
            ref, item = planned.ref, planned.item
            if reply and _key(planned) in unreachable:
                await self._settle(row_id, DeliveryState.FAILED, unreachable[_key(planned)])
                outcomes[row_id] = FAILED
                continue
            if reply and _key(planned) in self._queued:
                # an earlier reply of its conversation was handed to the worker since this
                # one was staged: it goes after it, through the worker
                await self._leave_to_worker([(row_id, planned)], QueuedBehind(), reply=True)
                continue
            messenger = self._messenger(ref.platform.value)
            assert messenger is not None  # staged only with one
            try:
                message_id = await perform(
                    messenger, ref, item.message,
                    Envelope(item.op, item.message_id, reply_to=item.reply_to), resend=reply)
            except Unreachable as exc:  # blocked, left: nobody to write to there
                log.info("%s %s to %s not delivered: %s", ref.platform.value, kind,
                         ref.conversation_id, exc.reason)
                if reply:
                    unreachable[_key(planned)] = exc.reason
                await self._settle(row_id, DeliveryState.FAILED, exc.reason)
                outcomes[row_id] = FAILED
            except Rejected as exc:  # this message cannot be sent; the next ones may
                log.warning("%s %s to %s refused: %s", ref.platform.value, kind,
                            ref.conversation_id, exc.reason)
                await self._settle(row_id, DeliveryState.FAILED, exc.reason)
                outcomes[row_id] = FAILED
            except (DeliveryError, TimeoutError, OSError) as exc:
                log.info("%s %s to %s not taken now (%s): left in the outbox",
                         ref.platform.value, kind, ref.conversation_id,
                         getattr(exc, "reason", type(exc).__name__))
                await self._leave_to_worker(rows[index:] if reply else rows[index:index + 1],
                                            exc, reply=reply)
                if reply:
                    break
            except Exception as exc:  # a bug in a messenger: the worker tries once more
                log.exception("%s %s to %s failed", ref.platform.value, kind,
                              ref.conversation_id)
                await self._leave_to_worker(rows[index:], exc, reply=reply)
                break
            else:
                sent.append((row_id, message_id))
                outcomes[row_id] = SENT

    async def send_now(self, planned: Sequence[Planned], *, kind: OutboundKind | str,
                       key: str, source: str = "", replaces: bool = False) -> list[str]:
        """Write ``planned`` in a transaction of its own and send it at once; each row's
        outcome (``sent``, ``failed``, ``queued``: the worker does it later). ``replaces``:
        rows of ``source`` still pending are cancelled (the newer content wins)."""
        if not planned:
            return []
        kind = OutboundKind(kind).value
        try:
            async with self._db.session() as session:
                if replaces and source:
                    await cancel_pending(session, source=source)
                staged = await self._stage(
                    session, planned, kind=kind, key=key, source=source,
                    asked_at=self._clock.now() if kind == REPLY_KIND else None)
                await session.commit()
        except Exception:
            log.error("%d messages lost: the database did not take them", len(planned),
                      exc_info=True)
            return [FAILED] * len(planned)
        outcomes = await self.send_staged(staged)
        return outcomes + [QUEUED] * (len(planned) - len(outcomes))

    async def post(self, session: AsyncSession, planned: Sequence[Planned], *,
                   kind: OutboundKind, key: str, source: str = "",
                   account_id: int | None = None) -> int:
        """Write own-initiative rows in ``session``; the worker sends them after the commit."""
        return await enqueue(session, rows_for(list(planned), kind=kind.value, key=key,
                                               now=self._clock.now(), source=source,
                                               account_id=account_id))

    async def _leave_to_worker(self, rows: list[tuple[int, Planned]],
                               failure: BaseException, *, reply: bool) -> None:
        """The platform did not take the first row: it and the rest become pending rows,
        due now, which the worker sends in order when the platform is back (patiently: a
        person waits for them, up to ``reply_max_age``)."""
        reason = str(getattr(failure, "reason", "") or type(failure).__name__)
        for row_id, planned in rows:
            if reply:
                self._queued.add(_key(planned))
            await self._settle(row_id, DeliveryState.PENDING, reason, wake=True)

    async def _settle(self, row_id: int, state: DeliveryState, reason: str, *,
                      wake: bool = False) -> None:
        try:
            async with self._db.session() as session:
                if wake:  # the commit wakes the worker of this instance
                    session.info[OUTBOX_WRITTEN] = True
                await settle(session, row_id, worker=self._claimant, state=state,
                             now=self._clock.now(), reason=reason,
                             not_before=self._clock.now())
        except Exception:  # still claimed: the worker takes it after the lease
            log.warning("outbox row %s not settled now", row_id, exc_info=True)

