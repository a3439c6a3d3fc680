"""Freshness campaigns and import uploads: the SQL behind the directory page's campaign and
its import preview."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, delete, func, insert, or_, select, update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from store.db import affected_rows, saved_id
from store.freshness_models import (
    ANSWER_CONFIRMED,
    ANSWER_CORRECTED,
    ANSWER_NONE,
    DirectoryUpload,
    FreshnessCampaign,
    FreshnessRequest,
)
from store.inbound import aware
from store.models import Person


@dataclass(frozen=True, slots=True)
class Progress:
    """Where a campaign stands: each person asked counted once."""

    campaign_id: int
    started_at: datetime
    months: int
    cutoff: date
    asked: int
    confirmed: int
    corrected: int
    unreachable: int
    up_to_date: int = 0  # asked, and their entry is confirmed since (a button, /moje-dane, …)

    @property
    def no_answer(self) -> int:
        """Asked, and neither button pressed yet."""
        return max(0, self.asked - self.confirmed - self.corrected)


def stale_condition(cutoff: date) -> ColumnElement[bool]:
    """People whose entry was last confirmed on or before ``cutoff`` (or never)."""
    return or_(col(Person.confirmed_on).is_(None), col(Person.confirmed_on) <= cutoff)


async def stale_people(session: AsyncSession, cutoff: date) -> list[tuple[int, str | None]]:
    """(id, language) of everyone whose entry is stale at ``cutoff``."""
    rows = await session.execute(
        select(col(Person.id), col(Person.language)).where(stale_condition(cutoff))
        .order_by(col(Person.id)))
    return [(int(pid), lang) for pid, lang in rows.all()]


async def create_campaign(session: AsyncSession, *, started_by: int, started_at: datetime,
                          months: int, cutoff: date) -> FreshnessCampaign:
    """A new campaign row (flushed: it has its id)."""
    campaign = FreshnessCampaign(started_by=started_by, started_at=started_at, months=months,
                                 cutoff=cutoff)
    session.add(campaign)
    await session.flush()
    return campaign


async def add_requests(session: AsyncSession, campaign_id: int,
                       people: Sequence[tuple[int, str]]) -> dict[int, int]:
    """One request per (person id, platform asked on); returns person id → request id."""
    if not people:
        return {}
    rows = [{"campaign_id": campaign_id, "person_id": pid, "platform": platform,
             "answer": ANSWER_NONE} for pid, platform in people]
    for start in range(0, len(rows), 2000):
        await session.execute(insert(FreshnessRequest), rows[start : start + 2000])
    found = await session.execute(
        select(col(FreshnessRequest.person_id), col(FreshnessRequest.id))
        .where(col(FreshnessRequest.campaign_id) == campaign_id))
    return {int(pid): int(rid) for pid, rid in found.all()}


async def set_counts(session: AsyncSession, campaign: FreshnessCampaign, *, asked: int,
                     unreachable: int) -> None:
    """Record how many people were asked and how many could not be."""
    campaign.asked, campaign.unreachable = asked, unreachable
    session.add(campaign)


async def answer(session: AsyncSession, request_id: int, person_id: int, value: str,
                 now: datetime) -> str:
    """Record a person's answer to their request: "new", "again" (already answered the same
    way, or answered and now changes their mind: the last answer counts), or "missing" (no
    such request of this person: a forged or stale button)."""
    request = await session.get(FreshnessRequest, request_id)
    if request is None or request.person_id != person_id:
        return "missing"
    if request.answer == value:
        return "again"
    result = await session.execute(
        update(FreshnessRequest).where(col(FreshnessRequest.id) == request_id)
        .values(answer=value, answered_at=now))
    return "new" if affected_rows(result) else "missing"


async def latest_campaign(session: AsyncSession) -> FreshnessCampaign | None:
    """The most recent campaign, if any."""
    return (await session.scalars(
        select(FreshnessCampaign).order_by(col(FreshnessCampaign.id).desc()).limit(1))).first()


async def progress(session: AsyncSession, campaign: FreshnessCampaign) -> Progress:
    """Counters of a campaign: one grouped count in SQL."""
    counts = dict((await session.execute(
        select(col(FreshnessRequest.answer), func.count())
        .where(col(FreshnessRequest.campaign_id) == campaign.id)
        .group_by(col(FreshnessRequest.answer)))).all())
    # Everyone asked had an entry confirmed on or before the cutoff (or never): a later date
    # means it was confirmed or corrected since, whichever way.
    up_to_date = await session.scalar(
        select(func.count()).select_from(FreshnessRequest)
        .join(Person, col(Person.id) == col(FreshnessRequest.person_id))
        .where(col(FreshnessRequest.campaign_id) == campaign.id,
               col(Person.confirmed_on) > campaign.cutoff))
    return Progress(
        campaign_id=saved_id(campaign), started_at=campaign.started_at, months=campaign.months,
        cutoff=campaign.cutoff, asked=campaign.asked,
        confirmed=int(counts.get(ANSWER_CONFIRMED, 0)),
        corrected=int(counts.get(ANSWER_CORRECTED, 0)), unreachable=campaign.unreachable,
        up_to_date=int(up_to_date or 0))


# --- import uploads ----------------------------------------------------------------------


def token_hash(token: str) -> str:
    """How an upload's random id is stored (the id itself only travels in the admin's form)."""
    return hashlib.sha256(token.encode()).hexdigest()


async def put_upload(session: AsyncSession, *, token: str, person_id: int, session_id: int,
                     filename: str, data: bytes, version: int, now: datetime,
                     keep_after: datetime) -> None:
    """Keep an uploaded file for its confirmation; uploads created before ``keep_after``
    (abandoned previews) go, and so does the same person's earlier upload."""
    await session.execute(delete(DirectoryUpload).where(or_(
        col(DirectoryUpload.created_at) < keep_after,
        col(DirectoryUpload.person_id) == person_id)))
    session.add(DirectoryUpload(token_hash=token_hash(token), person_id=person_id,
                                session_id=session_id, filename=filename[:200], data=data,
                                version=version, created_at=now))


async def get_upload(session: AsyncSession, token: str, person_id: int, session_id: int, *,
                     created_after: datetime) -> DirectoryUpload | None:
    """The upload behind ``token`` if ``person_id`` made it in panel session ``session_id``
    and it is recent enough."""
    upload = await session.get(DirectoryUpload, token_hash(token))
    if upload is None or upload.person_id != person_id or upload.session_id != session_id:
        return None
    return upload if aware(upload.created_at) >= created_after else None


async def drop_upload(session: AsyncSession, token: str) -> None:
    """Forget an upload (confirmed or cancelled)."""
    await session.execute(delete(DirectoryUpload).where(
        col(DirectoryUpload.token_hash) == token_hash(token)))
