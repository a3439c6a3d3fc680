"""The queries of an announcement's report in the office panel: every count is made by the
database (a 2,000-person report reads a few dozen rows, never every delivery).

The rules are those of the chat's ``/raport`` (``commands/announcements/service.py``): each
person on each messenger counts once however often they were pinged — delivered if any copy
got there, else on the way if one still may, else failed with the reason of the last failed
copy; copies cancelled (acknowledged on another messenger) are no failure.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Integer, and_, case, cast, func, literal, or_, select
from sqlalchemy.sql import ColumnElement, Subquery
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from store.announcement_models import Announcement, AnnouncementRecipient
from store.models import (
    Delivery,
    DeliveryState,
    Gmina,
    MessengerAccount,
    Person,
)

SENT = (DeliveryState.SENT.value,)
ON_THE_WAY = (DeliveryState.PENDING.value, DeliveryState.SENDING.value)
# What the chat's report shows as failed (every state but these and cancelled).
FAILED = (DeliveryState.FAILED.value, DeliveryState.DEAD.value, DeliveryState.MISSED.value)
# What its counters (``status``) count as failed.
FAILED_COUNTED = (DeliveryState.FAILED.value, DeliveryState.DEAD.value)


def source_of(announcement_id: int) -> str:
    """The outbox source of the recipients' copies."""
    return f"announcement:{announcement_id}"


def _flag(states: tuple[str, ...]) -> ColumnElement[int]:
    return func.max(case((col(Delivery.state).in_(states), 1), else_=0))


# --- the counters ------------------------------------------------------------------------------


async def counters(session: AsyncSession, announcement_id: int) -> dict[str, int]:
    """The counters of the chat's ``status`` (same keys, same meaning), counted in SQL:
    recipients, delivered, acknowledged, pending, failed, unreachable (no messenger), cut_off
    (linked, but no messenger takes messages for them), settled."""
    people = (select(col(Delivery.person_id).label("pid"), _flag(SENT).label("sent"),
                     _flag(ON_THE_WAY).label("way"), _flag(FAILED_COUNTED).label("fail"))
              .where(col(Delivery.source) == source_of(announcement_id))
              .group_by(col(Delivery.person_id)).subquery())
    delivered, pending, failed, settled = (await session.execute(select(
        func.coalesce(func.sum(people.c.sent), 0),
        func.coalesce(func.sum(case((and_(people.c.sent == 0, people.c.way == 1), 1),
                                    else_=0)), 0),
        func.coalesce(func.sum(case((and_(people.c.sent == 0, people.c.way == 0,
                                          people.c.fail == 1), 1), else_=0)), 0),
        func.coalesce(func.sum(case((or_(people.c.sent == 1, people.c.fail == 1), 1),
                                    else_=0)), 0),
    ))).one()
    cut = select(literal(1)).where(
        col(MessengerAccount.person_id) == col(AnnouncementRecipient.person_id),
        col(MessengerAccount.reachable) == False,  # noqa: E712
    ).exists()
    recipients, acknowledged, without, cut_off = (await session.execute(select(
        func.count(),
        func.count(col(AnnouncementRecipient.acknowledged_at)),
        func.coalesce(func.sum(case((col(AnnouncementRecipient.platforms) == "", 1),
                                    else_=0)), 0),
        func.coalesce(func.sum(case((and_(col(AnnouncementRecipient.platforms) == "", cut),
                                     1), else_=0)), 0),
    ).where(col(AnnouncementRecipient.announcement_id) == announcement_id))).one()
    return {"recipients": int(recipients), "delivered": int(delivered),
            "acknowledged": int(acknowledged), "pending": int(pending), "failed": int(failed),
            "unreachable": int(without) - int(cut_off), "cut_off": int(cut_off),
            "settled": int(settled)}


@dataclass(frozen=True, slots=True)
class PlatformCounts:
    """People on one messenger: delivered, on the way, failed, and who acknowledged there."""

    platform: str
    delivered: int
    pending: int
    failed: int
    acknowledged: int = 0


def _per_person_platform(announcement_id: int) -> Subquery:
    return (select(col(Delivery.platform).label("platform"),
                   col(Delivery.person_id).label("pid"),
                   _flag(SENT).label("sent"), _flag(ON_THE_WAY).label("way"),
                   func.max(case((col(Delivery.state).in_(FAILED), col(Delivery.id)))
                            ).label("last_failed"))
            .where(col(Delivery.source) == source_of(announcement_id),
                   col(Delivery.state) != DeliveryState.CANCELLED.value)
            .group_by(col(Delivery.platform), col(Delivery.person_id)).subquery())


@dataclass(frozen=True, slots=True)
class FailureCount:
    """How many people one messenger failed for one reason (the platform's or worker's
    words; ``cut_off``: their account there takes no messages, so no copy was made)."""

    platform: str
    reason: str
    people: int
    cut_off: bool = False


async def messenger_outcomes(session: AsyncSession, announcement_id: int
                             ) -> tuple[list[PlatformCounts], list[FailureCount]]:
    """Each messenger (and SMS) the copies went to, by name, with its people delivered, on
    the way, failed and acknowledged there; and why copies failed — the reason of each
    person's last failed copy — and why the cut-off recipients' accounts take no messages.
    One pass over the announcement's copies."""
    pairs = _per_person_platform(announcement_id)
    outcome = case((pairs.c.sent == 1, "sent"), (pairs.c.way == 1, "pending"),
                   else_="failed")
    reason = case((and_(pairs.c.sent == 0, pairs.c.way == 0), col(Delivery.reason)),
                  else_="")
    rows = (await session.execute(
        select(pairs.c.platform, outcome, reason, func.count())
        .select_from(pairs)
        .outerjoin(Delivery, col(Delivery.id) == pairs.c.last_failed)
        .group_by(pairs.c.platform, outcome, reason))).all()
    acknowledged = dict((await session.execute(
        select(col(AnnouncementRecipient.acknowledged_on), func.count())
        .where(col(AnnouncementRecipient.announcement_id) == announcement_id,
               col(AnnouncementRecipient.acknowledged_at) != None)  # noqa: E711
        .group_by(col(AnnouncementRecipient.acknowledged_on)))).all())
    cut = (await session.execute(
        select(col(MessengerAccount.platform), col(MessengerAccount.unreachable_reason),
               func.count(func.distinct(col(AnnouncementRecipient.person_id))))
        .join(MessengerAccount,
              col(MessengerAccount.person_id) == col(AnnouncementRecipient.person_id))
        .where(col(AnnouncementRecipient.announcement_id) == announcement_id,
               col(AnnouncementRecipient.platforms) == "",
               col(MessengerAccount.reachable) == False)  # noqa: E712
        .group_by(col(MessengerAccount.platform), col(MessengerAccount.unreachable_reason))
    )).all()
    tally: dict[str, dict[str, int]] = {}
    failures = []
    for platform, state, why, people in rows:
        counts = tally.setdefault(str(platform), {})
        counts[str(state)] = counts.get(str(state), 0) + int(people)
        if state == "failed":
            failures.append(FailureCount(str(platform), str(why or ""), int(people)))
    # Acknowledged somewhere no copy went (a group post's button): still that messenger's.
    for platform in acknowledged:
        if platform:
            tally.setdefault(str(platform), {})
    platforms = [PlatformCounts(p, c.get("sent", 0), c.get("pending", 0), c.get("failed", 0),
                                int(acknowledged.get(p, 0)))
                 for p, c in sorted(tally.items())]
    failures += [FailureCount(str(p), str(r or ""), int(n), cut_off=True) for p, r, n in cut]
    return platforms, sorted(failures, key=lambda f: (f.platform, -f.people, f.reason))


# --- acknowledgements over time ------------------------------------------------------------------


async def acknowledgement_span(session: AsyncSession, announcement_id: int
                               ) -> tuple[datetime, datetime] | None:
    """The first and the last acknowledgement (UTC), or None when nobody acknowledged."""
    first, last = (await session.execute(
        select(func.min(col(AnnouncementRecipient.acknowledged_at)),
               func.max(col(AnnouncementRecipient.acknowledged_at)))
        .where(col(AnnouncementRecipient.announcement_id) == announcement_id))).one()
    if first is None or last is None:
        return None
    return _aware(first), _aware(last)


async def acknowledgement_buckets(session: AsyncSession, announcement_id: int, *,
                                  start: datetime, seconds: int) -> list[tuple[int, int]]:
    """``(bucket, acknowledgements)`` for each ``seconds``-long bucket after ``start`` in
    which someone acknowledged (bucket 0 starts at ``start``), in order."""
    moment = col(AnnouncementRecipient.acknowledged_at)
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    if dialect == "postgresql":
        elapsed: ColumnElement[Any] = func.extract("epoch", moment) - start.timestamp()
    else:  # SQLite keeps UTC wall time as text; julianday reads it (as a float, whose
        # error would put an acknowledgement at 60 s into the bucket before: to the ms)
        naive = start.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")
        elapsed = func.round((func.julianday(moment) - func.julianday(naive)) * 86400.0, 3)
    # Never before the start (clocks of two instances), and whole buckets: SQLite's CAST
    # truncates, which for a non-negative number is the floor PostgreSQL is asked for.
    bucket = (cast(func.floor(func.greatest(elapsed, 0.0) / seconds), Integer)
              if dialect == "postgresql" else cast(func.max(elapsed, 0.0) / seconds, Integer))
    rows = (await session.execute(
        select(bucket.label("bucket"), func.count())
        .where(col(AnnouncementRecipient.announcement_id) == announcement_id,
               moment != None)  # noqa: E711
        .group_by(bucket).order_by(bucket))).all()
    return [(int(b), int(n)) for b, n in rows]


# --- re-pings and escalation ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PingState:
    """Where the re-pings of an urgent announcement stand."""

    waiting_by_pings: dict[int, int]  # unacknowledged people (with a copy) by pings so far
    escalated: int  # told to their coordinators (or the author), pings run out
    oldest_ping: datetime | None  # the earliest last ping of someone still to be re-pinged
    escalation_copies: dict[str, int]  # the escalation messages by outbox state


async def ping_state(session: AsyncSession, announcement_id: int, *, max_pings: int
                     ) -> PingState:
    """The re-ping state: who waits after how many pings, who was escalated, and when the
    next round is due for the earliest of them."""
    unacknowledged = and_(col(AnnouncementRecipient.announcement_id) == announcement_id,
                          col(AnnouncementRecipient.acknowledged_at) == None,  # noqa: E711
                          col(AnnouncementRecipient.platforms) != "")
    by_pings = {int(p): int(n) for p, n in (await session.execute(
        select(col(AnnouncementRecipient.pings), func.count()).where(
            unacknowledged, col(AnnouncementRecipient.escalated_at) == None)  # noqa: E711
        .group_by(col(AnnouncementRecipient.pings)))).all()}
    escalated = int(await session.scalar(
        select(func.count()).select_from(AnnouncementRecipient).where(
            col(AnnouncementRecipient.announcement_id) == announcement_id,
            col(AnnouncementRecipient.escalated_at) != None)) or 0)  # noqa: E711
    oldest = await session.scalar(
        select(func.min(col(AnnouncementRecipient.last_ping_at))).where(
            unacknowledged, or_(col(AnnouncementRecipient.pings) < max_pings,
                                col(AnnouncementRecipient.escalated_at) == None)))  # noqa: E711
    copies = {str(s): int(n) for s, n in (await session.execute(
        select(col(Delivery.state), func.count())
        .where(col(Delivery.source) == f"{source_of(announcement_id)}:escalation")
        .group_by(col(Delivery.state)))).all()}
    return PingState(by_pings, escalated, _aware(oldest) if oldest else None, copies)


# --- the people still to act -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StillToAct:
    """A recipient who has not acknowledged (urgent) or got no copy yet (quiet)."""

    person_id: int
    name: str
    email: str
    gmina: str
    platforms: str  # where copies went ("telegram,teams"; "" none)
    delivered: bool
    pending: bool
    failed: bool
    failed_platform: str  # of the last failed copy
    failed_reason: str
    cut_platform: str  # no copy: a linked account that takes no messages, and why
    cut_reason: str
    pings: int
    last_ping_at: datetime | None
    escalated_at: datetime | None


def _still_to_act(announcement_id: int, urgent: bool) -> ColumnElement[bool]:
    """Urgent: not acknowledged; quiet: no copy delivered yet."""
    if urgent:
        return and_(col(AnnouncementRecipient.announcement_id) == announcement_id,
                    col(AnnouncementRecipient.acknowledged_at) == None)  # noqa: E711
    delivered = select(col(Delivery.person_id)).where(
        col(Delivery.source) == source_of(announcement_id),
        col(Delivery.state) == DeliveryState.SENT.value,
        col(Delivery.person_id) != None)  # noqa: E711
    return and_(col(AnnouncementRecipient.announcement_id) == announcement_id,
                col(AnnouncementRecipient.person_id).not_in(delivered))


async def count_still_to_act(session: AsyncSession, announcement_id: int, urgent: bool) -> int:
    """How many recipients still have to act (see :class:`StillToAct`)."""
    return int(await session.scalar(
        select(func.count()).select_from(AnnouncementRecipient)
        .where(_still_to_act(announcement_id, urgent))) or 0)


async def still_to_act(session: AsyncSession, announcement_id: int, urgent: bool, *,
                       offset: int = 0, limit: int = 50) -> list[StillToAct]:
    """One page of the recipients still to act, by name; their copies are looked at for
    this page only (a 2,000-person report reads 50 people's rows)."""
    people = (await session.execute(
        select(col(AnnouncementRecipient.person_id), col(Person.name), col(Person.email),
               col(Gmina.name), col(AnnouncementRecipient.platforms),
               col(AnnouncementRecipient.pings), col(AnnouncementRecipient.last_ping_at),
               col(AnnouncementRecipient.escalated_at))
        .join(Person, col(Person.id) == col(AnnouncementRecipient.person_id))
        .outerjoin(Gmina, col(Gmina.id) == col(Person.gmina_id))
        .where(_still_to_act(announcement_id, urgent))
        .order_by(col(Person.name), col(Person.id)).offset(offset).limit(limit))).all()
    ids = [int(row[0]) for row in people]
    if not ids:
        return []
    flags = {int(pid): (bool(sent), bool(way), last) for pid, sent, way, last in (
        await session.execute(
            select(col(Delivery.person_id), _flag(SENT), _flag(ON_THE_WAY),
                   func.max(case((col(Delivery.state).in_(FAILED), col(Delivery.id)))))
            .where(col(Delivery.source) == source_of(announcement_id),
                   col(Delivery.state) != DeliveryState.CANCELLED.value,
                   col(Delivery.person_id).in_(ids))
            .group_by(col(Delivery.person_id)))).all()}
    last_failed = [int(last) for _s, _w, last in flags.values() if last is not None]
    failed = {int(i): (str(p), str(r or "")) for i, p, r in (await session.execute(
        select(col(Delivery.id), col(Delivery.platform), col(Delivery.reason))
        .where(col(Delivery.id).in_(last_failed)))).all()} if last_failed else {}
    without = [int(row[0]) for row in people if not row[4]]
    cut: dict[int, tuple[str, str]] = {}
    if without:
        for pid, platform, why in (await session.execute(
                select(col(MessengerAccount.person_id), col(MessengerAccount.platform),
                       col(MessengerAccount.unreachable_reason))
                .where(col(MessengerAccount.person_id).in_(without),
                       col(MessengerAccount.reachable) == False)  # noqa: E712
                .order_by(col(MessengerAccount.id)))).all():
            cut[int(pid)] = (str(platform), str(why or ""))  # the last linked one stays
    found = []
    for pid, name, email, gmina, platforms, pings, last, escalated in people:
        sent, way, last_id = flags.get(int(pid), (False, False, None))
        f_platform, f_reason = failed.get(int(last_id), ("", "")) if last_id else ("", "")
        c_platform, c_reason = cut.get(int(pid), ("", ""))
        found.append(StillToAct(
            int(pid), str(name), str(email or ""), str(gmina or ""), str(platforms or ""),
            sent, way, last_id is not None, f_platform, f_reason, c_platform, c_reason,
            int(pings or 0), _aware(last) if last else None,
            _aware(escalated) if escalated else None))
    return found


# --- the copies' language ---------------------------------------------------------------


async def people_by_frame_language(session: AsyncSession, person_ids: set[int]) -> dict[str, int]:
    """Of ``person_ids``, those a messenger copy reaches (a reachable account with a private
    chat), by the language of their copy's frame: "en" for English readers, else "pl"."""
    if not person_ids:
        return {}
    reached = select(literal(1)).where(
        col(MessengerAccount.person_id) == col(Person.id),
        col(MessengerAccount.reachable) == True,  # noqa: E712
        col(MessengerAccount.private_ref) != None,  # noqa: E711
    ).exists()
    english = case((col(Person.language) == "en", "en"), else_="pl")
    if len(person_ids) <= 1000:
        rows = (await session.execute(
            select(english, func.count()).where(col(Person.id).in_(person_ids), reached)
            .group_by(english))).all()
        return {str(lang): int(n) for lang, n in rows}
    # A big audience ("wszyscy"): the people some messenger reaches are far fewer than its
    # ids, so they are read and kept here rather than 35,000 ids bound into the statement.
    counts: dict[str, int] = {}
    for person_id, lang in (await session.execute(
            select(col(Person.id), english).where(reached))).all():
        if int(person_id) in person_ids:
            counts[str(lang)] = counts.get(str(lang), 0) + 1
    return counts


# --- the list of announcements -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Listed:
    """One sent announcement in the panel's list."""

    id: int
    number: int
    urgent: bool
    sent_at: datetime | None
    author: str
    audience: str
    text: str
    recipients: int
    acknowledged: int


async def count_sent(session: AsyncSession, *, author_id: int | None) -> int:
    """Sent announcements (only ``author_id``'s unless None)."""
    query = select(func.count()).select_from(Announcement).where(
        col(Announcement.state) == "sent")
    if author_id is not None:
        query = query.where(col(Announcement.author_id) == author_id)
    return int(await session.scalar(query) or 0)


async def sent_page(session: AsyncSession, *, author_id: int | None, offset: int,
                    limit: int = 50) -> list[Listed]:
    """Sent announcements, newest first (only ``author_id``'s unless None), with their
    recipients and acknowledgements counted for this page only."""
    query = (select(Announcement, col(Person.name))
             .join(Person, col(Person.id) == col(Announcement.author_id))
             .where(col(Announcement.state) == "sent")
             .order_by(col(Announcement.sent_at).desc(), col(Announcement.id).desc())
             .offset(offset).limit(limit))
    if author_id is not None:
        query = query.where(col(Announcement.author_id) == author_id)
    rows = (await session.execute(query)).all()
    ids = [int(a.id or 0) for a, _name in rows]
    counts = {int(a): (int(n), int(k)) for a, n, k in (await session.execute(
        select(col(AnnouncementRecipient.announcement_id), func.count(),
               func.count(col(AnnouncementRecipient.acknowledged_at)))
        .where(col(AnnouncementRecipient.announcement_id).in_(ids))
        .group_by(col(AnnouncementRecipient.announcement_id)))).all()} if ids else {}
    return [Listed(int(a.id or 0), int(a.number or a.id or 0), a.urgent,
                   _aware(a.sent_at) if a.sent_at else None, str(name), a.audience_label,
                   a.text, *counts.get(int(a.id or 0), (0, 0)))
            for a, name in rows]


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive UTC datetimes."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
