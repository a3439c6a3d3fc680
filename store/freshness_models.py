"""Tables of the directory's freshness campaign and of the panel's import preview.

A campaign asks everyone whose entry was last confirmed before ``cutoff`` to confirm or
correct it on their messenger; one :class:`FreshnessRequest` per person asked says how they
answered. :class:`DirectoryUpload` keeps an uploaded import file between its preview and the
admin's confirmation, so the confirmation applies exactly the file that was previewed.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, DateTime, Index, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel

from store.models import utcnow

ANSWER_NONE = ""
ANSWER_CONFIRMED = "confirmed"  # "Dane aktualne"
ANSWER_CORRECTED = "corrected"  # "Popraw"


class FreshnessCampaign(SQLModel, table=True):
    """One "please confirm your entry" round, started by an admin."""

    id: int | None = Field(default=None, primary_key=True)
    started_by: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    started_at: datetime = Field(default_factory=utcnow,
                                 sa_column=Column(DateTime(timezone=True), nullable=False))
    months: int = 6
    cutoff: date  # entries confirmed on or before this day (or never) were asked
    asked: int = 0  # people a message went out to
    unreachable: int = 0  # people with a stale entry but no messenger to ask them on


class FreshnessRequest(SQLModel, table=True):
    """One person asked in a campaign, and their answer ("" while none)."""

    __table_args__ = (
        UniqueConstraint("campaign_id", "person_id"),
        Index("ix_freshnessrequest_campaign_answer", "campaign_id", "answer"),
    )

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="freshnesscampaign.id", ondelete="CASCADE")
    person_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    platform: str = Field(default="", max_length=20)  # where the question went
    answer: str = Field(default=ANSWER_NONE, max_length=12)
    answered_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True))


class DirectoryUpload(SQLModel, table=True):
    """An import file between preview and confirmation. ``token_hash`` is the SHA-256 of the
    random id the previewing admin's form carries; only that admin, in that panel session,
    may confirm it."""

    token_hash: str = Field(primary_key=True, max_length=64)
    person_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    session_id: int = 0  # the panel session that previewed it: only it may confirm
    filename: str = Field(max_length=200)
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    version: int = 0  # the directory's version the preview was computed against
    created_at: datetime = Field(default_factory=utcnow,
                                 sa_column=Column(DateTime(timezone=True), nullable=False))
