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
import logging
from collections.abc import Sequence
from datetime import datetime

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
from scheduler.sending import perform, rows_for
from store.db import OUTBOX_WRITTEN, Database
from store.models import DeliveryState
from store.outbox import cancel_pending, enqueue, insert_claimed, renew_claims, settle
from store.replies import REPLY_KIND, Envelope, conversations_waiting, replies_waiting

log = logging.getLogger(__name__)

SENT, FAILED, QUEUED = "sent", "failed", "queued"  # what became of a row sent at once


class OutboundPath:
    """:class:`commands.ports.Outbound` on the outbox and the delivery worker."""

    def __init__(self, *, db: Database, clock: Clock, worker: DeliveryWorker) -> None:
        self._db = db
        self._clock = clock
        self._worker = worker
        self._messengers: dict[str, Messenger] = {}
        # Conversations that may have replies waiting in the outbox: those whose reply this
        # process could not send, and those with rows left by an earlier process (read once,
        # at the first reply). Only these need a look before a reply is claimed to go out
        # at once: the happy path reads nothing.
        self._queued: set[str] = set()
        self._loaded = False

    def register(self, platform: str, messenger: Messenger) -> None:
        """The messenger that sends ``platform``'s replies at once."""
        self._messengers[platform] = messenger

    def _messenger(self, platform: str) -> Messenger | None:
        """The registered reply messenger, else the platform's own (the worker's)."""
        return self._messengers.get(platform) or self._worker.messengers.get(platform)

    async def stage(self, session: AsyncSession, planned: Sequence[Planned], *,
                    event_id: str, asked_at: datetime) -> Staged:
        """Write reply rows in ``session`` (the caller commits): claimed by this process
        unless their conversation has earlier replies waiting, which they then queue behind
        (left pending for the worker, which is woken by the commit)."""
        return await self._stage(session, planned, kind=REPLY_KIND, key=event_id,
                                 asked_at=asked_at)

    async def _stage(self, session: AsyncSession, planned: Sequence[Planned], *, kind: str,
                     key: str, asked_at: datetime | None = None, source: str = "") -> Staged:
        if not planned:
            return Staged(kind=kind)
        now = self._clock.now()
        behind = await self._behind(session, planned) if kind == REPLY_KIND else set()
        mine = [p for p in planned
                if p.ref.key not in behind and self._messenger(p.ref.platform.value)]
        later = [p for p in planned if p not in mine]
        rows = rows_for(mine, kind=kind, key=key, now=now, asked_at=asked_at, source=source)
        ids = await insert_claimed(session, rows, worker=self._worker.worker_id,
                                   until=now + self._worker.settings.lease)
        if later:
            await enqueue(session, rows_for(later, kind=kind, key=key, now=now,
                                            asked_at=asked_at, source=source))
            if kind == REPLY_KIND:
                self._queued |= {p.ref.key for p in later}
        return Staged(tuple(zip(ids, mine, strict=True)), kind=kind)

    async def _behind(self, session: AsyncSession, planned: Sequence[Planned]) -> set[str]:
        """The conversations among ``planned``'s whose earlier replies still wait."""
        if not self._loaded:
            self._queued |= await conversations_waiting(session)
            self._loaded = True
        behind: set[str] = set()
        for key, platform in {(p.ref.key, p.ref.platform.value) for p in planned}:
            if key in self._queued:
                if await replies_waiting(session, platform=platform, key=key[:400]):
                    behind.add(key)
                else:
                    self._queued.discard(key)
        return behind

    async def send_staged(self, staged: Staged | None) -> list[str]:
        """Send the staged rows now, in order; what fails is left to the worker. Returns
        each row's outcome: ``sent``, ``failed`` (refused, unreachable) or ``queued``."""
        if staged is None or not staged.rows:
            return []
        outcomes = {row_id: QUEUED for row_id, _ in staged.rows}
        sent: list[tuple[int, str]] = []
        rows = list(staged.rows)
        reply = staged.kind == REPLY_KIND
        # A send that waits out many 429s may outlast the lease: keep it, or the worker
        # would send the same rows again meanwhile.
        held = [row_id for row_id, _ in rows]
        renewing = asyncio.create_task(self._renew(held))
        try:
            await self._send_rows(rows, outcomes, sent, reply=reply, kind=staged.kind)
        finally:
            renewing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renewing
        if sent:
            try:
                await self._worker.record_sent(sent, at_once=True)
            except Exception:  # still claimed: sent again after the lease (at least once)
                log.error("%d sent messages not recorded", len(sent), exc_info=True)
        return [outcomes[row_id] for row_id, _ in staged.rows]

    async def _renew(self, row_ids: list[int]) -> None:
        """Extend the lease of rows being sent now, every third of it, while they are."""
        lease = self._worker.settings.lease
        while True:
            await asyncio.sleep(lease.total_seconds() / 3)
            try:
                async with self._db.session() as session:
                    await renew_claims(session, row_ids, worker=self._worker.worker_id,
                                       until=self._clock.now() + lease)
            except Exception:  # the database is away: the lease may run out (at least once)
                log.warning("could not renew the lease of rows being sent", exc_info=True)

    async def _send_rows(self, rows: list[tuple[int, Planned]], outcomes: dict[int, str],
                         sent: list[tuple[int, str]], *, reply: bool, kind: str) -> None:
        """Send ``rows`` in order, noting each outcome; a reply that is not taken stops the
        rest of its reply (they follow it through the worker, in turn)."""
        for index, (row_id, planned) in enumerate(rows):
            ref, item = planned.ref, planned.item
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
                    await self._give_up(rows[index:], exc.reason)
                    outcomes.update({row: FAILED for row, _ in rows[index:]})
                    break
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
                self._queued.add(planned.ref.key)
            await self._settle(row_id, DeliveryState.PENDING, reason, wake=True)

    async def _give_up(self, rows: list[tuple[int, Planned]], reason: str) -> None:
        for row_id, _ in rows:
            await self._settle(row_id, DeliveryState.FAILED, reason)

    async def _settle(self, row_id: int, state: DeliveryState, reason: str, *,
                      wake: bool = False) -> None:
        try:
            async with self._db.session() as session:
                if wake:  # the commit wakes the worker of this instance
                    session.info[OUTBOX_WRITTEN] = True
                await settle(session, row_id, worker=self._worker.worker_id, state=state,
                             now=self._clock.now(), reason=reason,
                             not_before=self._clock.now())
        except Exception:  # still claimed: the worker takes it after the lease
            log.warning("outbox row %s not settled now", row_id, exc_info=True)

