"""Queries of the daily digest: the normal announcements a person got on no messenger, and
how far each person's digest has got (moved by compare-and-set, so two instances on one
database send each digest once). Never commits (see :mod:`store.forums`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from store.announcement_models import Announcement, AnnouncementRecipient
from store.db import affected_rows, table_of
from store.invitation_models import EmailPreference
from store.models import Person


@dataclass(frozen=True, slots=True)
class DigestItem:
    """One announcement for the digest."""

    announcement_id: int
    number: int | None
    sent_at: datetime
    author: str
    text: str


async def digest_items(session: AsyncSession, *, since: datetime, until: datetime
                       ) -> dict[int, list[DigestItem]]:
    """Per person: the normal (not urgent) announcements sent in (``since``, ``until``]
    addressed to them that went to none of their messengers, oldest first."""
    author = table_of(Person).alias("author")
    rows = await session.execute(
        select(col(AnnouncementRecipient.person_id), col(Announcement.id),
               col(Announcement.number), col(Announcement.sent_at), author.c.name,
               col(Announcement.text))
        .join(Announcement, col(Announcement.id) == col(AnnouncementRecipient.announcement_id))
        .join(author, author.c.id == col(Announcement.author_id))
        .where(col(Announcement.state) == "sent", col(Announcement.urgent) == False,  # noqa: E712
               col(Announcement.sent_at) > since, col(Announcement.sent_at) <= until,
               col(AnnouncementRecipient.platforms) == "")
        .order_by(col(Announcement.sent_at), col(Announcement.id)))
    found: dict[int, list[DigestItem]] = {}
    for person_id, ann_id, number, sent_at, name, text in rows.all():
        found.setdefault(int(person_id), []).append(
            DigestItem(int(ann_id), number, sent_at, name, text))
    return found


async def move_digest_until(session: AsyncSession, person_id: int, *, seen: datetime | None,
                            to: datetime | None, sent_at: datetime | None) -> bool:
    """Move the person's ``digest_until`` from ``seen`` (what this run read) to ``to``, only
    if nobody moved it since: True when this run did (one row changed), False when another
    run (a second instance on the same database) got there first."""
    result = await session.execute(
        update(EmailPreference)
        .where(col(EmailPreference.person_id) == person_id,
               col(EmailPreference.digest_until).is_not_distinct_from(seen))
        .values(digest_until=to, digest_sent_at=sent_at))
    return affected_rows(result) == 1
