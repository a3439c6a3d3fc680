"""Announcements: drafts, recipients, acknowledgements, and who is reachable where."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime

from sqlalchemy import distinct, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from store.announcement_models import Announcement, AnnouncementRecipient
from store.db import affected_rows
from store.forum_models import ForumGroup
from store.models import (
    Delivery,
    DeliveryState,
    ForumMember,
    MessengerAccount,
    Meta,
    Person,
    RoleGrant,
)


async def resolve_people(
    session: AsyncSession, *, everyone: bool, forum_ids: set[int], gmina_ids: set[int],
    roles: set[str], emails: set[str],
) -> set[int]:
    """Person ids an audience names (union of its parts)."""
    people: set[int] = set()
    if everyone:
        people |= set((await session.execute(select(col(Person.id)))).scalars())
    if forum_ids:
        people |= set((await session.execute(
            select(col(ForumMember.person_id)).where(col(ForumMember.forum_id).in_(forum_ids))
        )).scalars())
    if gmina_ids:
        people |= set((await session.execute(
            select(col(Person.id)).where(col(Person.gmina_id).in_(gmina_ids))
        )).scalars())
    if roles:
        people |= set((await session.execute(
            select(col(RoleGrant.person_id)).where(col(RoleGrant.role).in_(roles))
        )).scalars())
    if emails:
        people |= set((await session.execute(
            select(col(Person.id)).where(col(Person.email).in_(emails))
        )).scalars())
    return people


# Above this many people, reading every account and keeping theirs in Python is cheaper than
# binding each id into the statement ("wszyscy" in a 35,000-person directory: 400 → ~40 ms).
_WHOLE_TABLE_ABOVE = 1000


def _of_people(person_ids: set[int]) -> list[ColumnElement[bool]]:
    if len(person_ids) > _WHOLE_TABLE_ABOVE:
        return []
    return [col(MessengerAccount.person_id).in_(person_ids)]


async def reachable_accounts(
    session: AsyncSession, person_ids: set[int]
) -> dict[int, list[MessengerAccount]]:
    """Each person's linked, reachable accounts that have a private conversation stored —
    the messenger their directory entry prefers ("Preferowany kontakt: Teams…") first, then
    in the order they were linked."""
    result: dict[int, list[MessengerAccount]] = defaultdict(list)
    if not person_ids:
        return result
    rows = await session.execute(
        select(MessengerAccount, col(Person.preferred_contact))
        .join(Person, col(Person.id) == col(MessengerAccount.person_id))
        .where(
            *_of_people(person_ids),
            col(MessengerAccount.reachable) == True,  # noqa: E712
            col(MessengerAccount.private_ref) != None,  # noqa: E711
        ).order_by(col(MessengerAccount.linked_at))
    )
    preferences: dict[int, str] = {}
    for account, preferred in rows.all():
        if int(account.person_id) not in person_ids:
            continue
        result[int(account.person_id)].append(account)
        preferences[int(account.person_id)] = (preferred or "").lower()
    for person_id, accounts in result.items():
        if len(accounts) > 1 and preferences[person_id]:
            accounts.sort(key=lambda a: a.platform not in preferences[person_id])  # stable
    return result


async def linked_accounts(
    session: AsyncSession, person_ids: set[int]
) -> dict[int, list[MessengerAccount]]:
    """Of ``person_ids``, those linked on some messenger that takes no messages for them any
    more (blocked the bot, left the workspace…), with those accounts."""
    result: dict[int, list[MessengerAccount]] = defaultdict(list)
    if not person_ids:
        return result
    rows = await session.execute(
        select(MessengerAccount).where(
            *_of_people(person_ids),
            col(MessengerAccount.reachable) == False,  # noqa: E712
        ).order_by(col(MessengerAccount.linked_at))
    )
    for account in rows.scalars():
        if account.person_id is not None and int(account.person_id) in person_ids:
            result[int(account.person_id)].append(account)
    return result


async def mark_sent(session: AsyncSession, announcement_id: int, author_id: int,
                    now: datetime, *, previewed_after: datetime) -> bool:
    """Move a draft to sent; False if it was not a draft of this author (a double press) or
    was previewed before ``previewed_after``."""
    result = await session.execute(
        update(Announcement)
        .where(col(Announcement.id) == announcement_id,
               col(Announcement.author_id) == author_id,
               col(Announcement.state) == "draft",
               col(Announcement.created_at) >= previewed_after)
        .values(state="sent", sent_at=now)
    )
    return bool(affected_rows(result))


_NUMBER = "announcement_number"  # the last number given (``meta``)


async def next_number(session: AsyncSession) -> int:
    """The number of the announcement being sent now: one more than the last one given.

    Called in the transaction that marks it sent, so a number is taken only when something
    is sent (a cancelled preview takes none) and a rolled-back send gives its number back. On
    PostgreSQL the counter's row lock makes concurrent sends take turns: no number twice.
    """
    bumped = await session.execute(
        update(Meta).where(col(Meta.key) == _NUMBER)
        .values(value=col(Meta.value) + 1))
    if not affected_rows(bumped):
        # The first send (or the first since numbers were introduced): continue after the
        # highest number shown so far.
        highest = await session.scalar(select(func.max(col(Announcement.number)))) or 0
        try:
            async with session.begin_nested():
                session.add(Meta(key=_NUMBER, value=int(highest) + 1))
        except IntegrityError:  # another instance started the counter meanwhile
            await session.execute(
                update(Meta).where(col(Meta.key) == _NUMBER)
                .values(value=col(Meta.value) + 1))
    return int(await session.scalar(select(col(Meta.value)).where(col(Meta.key) == _NUMBER)) or 0)


async def by_number(session: AsyncSession, number: int) -> Announcement | None:
    """The sent announcement people know as ``number``."""
    return await session.scalar(select(Announcement).where(
        col(Announcement.number) == number))


async def acknowledge(session: AsyncSession, announcement_id: int, person_id: int,
                      platform: str, now: datetime) -> str:
    """Record an acknowledgement: "new", "again" (already acknowledged) or "not_recipient"."""
    result = await session.execute(
        update(AnnouncementRecipient)
        .where(col(AnnouncementRecipient.announcement_id) == announcement_id,
               col(AnnouncementRecipient.person_id) == person_id,
               col(AnnouncementRecipient.acknowledged_at) == None)  # noqa: E711
        .values(acknowledged_at=now, acknowledged_on=platform)
    )
    if affected_rows(result):
        return "new"
    exists = await session.scalar(
        select(func.count()).select_from(AnnouncementRecipient).where(
            col(AnnouncementRecipient.announcement_id) == announcement_id,
            col(AnnouncementRecipient.person_id) == person_id,
        )
    )
    return "again" if exists else "not_recipient"


async def due_for_reping(
    session: AsyncSession, *, before: datetime, max_pings: int
) -> list[tuple[AnnouncementRecipient, Announcement]]:
    """Unacknowledged recipients of urgent announcements whose last ping is older than
    ``before`` and who have pings left, or who ran out and were not escalated yet."""
    rows = await session.execute(
        select(AnnouncementRecipient, Announcement)
        .join(Announcement, col(Announcement.id) == col(AnnouncementRecipient.announcement_id))
        .where(
            col(Announcement.urgent) == True,  # noqa: E712
            col(Announcement.state) == "sent",
            col(AnnouncementRecipient.acknowledged_at) == None,  # noqa: E711
            col(AnnouncementRecipient.last_ping_at) < before,
            or_(col(AnnouncementRecipient.pings) < max_pings,
                col(AnnouncementRecipient.escalated_at) == None),  # noqa: E711
        )
    )
    return [(r, a) for r, a in rows.all()]


async def delivery_report(session: AsyncSession, source: str
                          ) -> list[tuple[int | None, str, str, str]]:
    """``(person id, platform, state, reason)`` of every delivery of an announcement."""
    rows = await session.execute(
        select(col(Delivery.person_id), col(Delivery.platform), col(Delivery.state),
               col(Delivery.reason))
        .where(col(Delivery.source) == source)
        .order_by(col(Delivery.person_id), col(Delivery.platform), col(Delivery.id))
    )
    return [(p, str(pl), str(st), str(r)) for p, pl, st, r in rows.all()]


async def forum_groups(session: AsyncSession, *, everyone: bool, forum_ids: set[int]
                       ) -> list[ForumGroup]:
    """The registered forum groups an audience reaches: every one for everyone, else those of
    the named forums. A place (conversation and topic) shared by two forums comes once."""
    if not everyone and not forum_ids:
        return []
    query = select(ForumGroup).order_by(col(ForumGroup.id))
    if not everyone:
        query = query.where(col(ForumGroup.forum_id).in_(forum_ids))
    groups: dict[str, ForumGroup] = {}
    for group in (await session.execute(query)).scalars():
        groups.setdefault(group.ref, group)  # the stored reference includes the topic
    return list(groups.values())


async def group_posts(session: AsyncSession, source: str
                      ) -> list[tuple[str, str, str, str, str]]:
    """``(dedupe key, platform, conversation key, state, reason)`` of the posts of ``source``
    in forum groups, in the order they were written."""
    rows = await session.execute(
        select(col(Delivery.dedupe_key), col(Delivery.platform), col(Delivery.conversation_key),
               col(Delivery.state), col(Delivery.reason))
        .where(col(Delivery.source) == source)
        .order_by(col(Delivery.id))
    )
    return [(str(k), str(p), str(c), str(st), str(r)) for k, p, c, st, r in rows.all()]


# --- the author's copy: when it was last refreshed, and how far along it shows ---------------
# Two small counters per announcement in ``meta`` (no column of their own): the seconds after
# sending of the last refresh, and the progress that refresh showed — people whose copies are
# settled (delivered or failed) plus acknowledgements, a number that only grows. Together they
# say whether a refresh is due and whether one is still owed — also after a restart.
_SETTLED = (DeliveryState.SENT.value, DeliveryState.FAILED.value, DeliveryState.DEAD.value)


def _copy_at(announcement_id: int) -> str:
    return f"ann_copy_at:{announcement_id}"


def _copy_shown(announcement_id: int) -> str:
    return f"ann_copy_acks:{announcement_id}"  # named when it counted acknowledgements only


async def start_copy_counters(session: AsyncSession, announcement_id: int) -> None:
    """The author's copy was written just now (at sending), showing nothing settled."""
    session.add(Meta(key=_copy_at(announcement_id), value=0))
    session.add(Meta(key=_copy_shown(announcement_id), value=0))


async def claim_copy_slot(session: AsyncSession, announcement_id: int, *, elapsed: int,
                          every: int) -> bool:
    """Take the right to refresh the author's copy now (``elapsed`` seconds after sending) if
    the last refresh was at least ``every`` seconds ago. One caller wins, across instances."""
    key = _copy_at(announcement_id)
    claimed = await session.execute(
        update(Meta).where(col(Meta.key) == key, col(Meta.value) <= elapsed - every)
        .values(value=elapsed)
    )
    if affected_rows(claimed):
        return True
    if await session.scalar(select(col(Meta.value)).where(col(Meta.key) == key)) is not None:
        return False
    try:  # sent before these counters existed: the first refresh starts them
        async with session.begin_nested():
            session.add(Meta(key=key, value=elapsed))
    except IntegrityError:
        return False
    return True


def copy_progress(counts: dict[str, int]) -> int:
    """What :func:`copies_behind` compares: people settled (delivered or failed on some
    messenger, as that query counts them) plus acknowledgements."""
    settled = counts.get("settled", counts["delivered"] + counts["failed"])
    return settled + counts["acknowledged"]


async def record_copy_shown(session: AsyncSession, announcement_id: int, progress: int) -> None:
    """The author's copy now shows ``progress`` (see :func:`copy_progress`; never counts
    down)."""
    key = _copy_shown(announcement_id)
    await session.execute(
        update(Meta).where(col(Meta.key) == key, col(Meta.value) < progress)
        .values(value=progress)
    )
    if await session.scalar(select(col(Meta.value)).where(col(Meta.key) == key)) is None:
        try:
            async with session.begin_nested():
                session.add(Meta(key=key, value=progress))
        except IntegrityError:
            pass  # another instance recorded it meanwhile


async def copies_behind(session: AsyncSession, *, sent_after: datetime) -> list[int]:
    """Announcements sent after ``sent_after`` whose author's copy shows less progress than
    there is — copies delivered or failed, acknowledgements — so a refresh is owed."""
    sent = list((await session.execute(
        select(col(Announcement.id)).where(
            col(Announcement.state) == "sent",
            col(Announcement.author_message_id) != "",
            col(Announcement.sent_at) > sent_after)
    )).scalars())
    if not sent:
        return []
    progress: Counter[int] = Counter(dict((await session.execute(
        select(col(AnnouncementRecipient.announcement_id),
               func.count(col(AnnouncementRecipient.acknowledged_at)))
        .where(col(AnnouncementRecipient.announcement_id).in_(sent))
        .group_by(col(AnnouncementRecipient.announcement_id))
    )).all()))
    sources = {f"announcement:{i}": i for i in sent}
    for source, settled in (await session.execute(
        select(col(Delivery.source), func.count(distinct(col(Delivery.person_id))))
        .where(col(Delivery.source).in_(sources),
               col(Delivery.state).in_(_SETTLED))
        .group_by(col(Delivery.source))
    )).all():
        progress[sources[str(source)]] += int(settled)
    shown = dict((await session.execute(
        select(col(Meta.key), col(Meta.value)).where(
            col(Meta.key).in_([_copy_shown(i) for i in sent]))
    )).all())
    return sorted(i for i in sent if progress[i] > shown.get(_copy_shown(i), 0))
