"""Tables of the office panel's sign-in: one-time links and sessions.

Only hashes of the secrets are stored in these tables. (A link the bot sent to a messenger is
also in that message's outbox row: it works for 15 minutes at most.)
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, DateTime
from sqlmodel import Field, SQLModel


def _ts(*, nullable: bool = False) -> Column[datetime]:
    return Column(DateTime(timezone=True), nullable=nullable)


class PanelLink(SQLModel, table=True):
    """A one-time sign-in link (single use, short-lived)."""

    token_hash: str = Field(primary_key=True, max_length=64)
    person_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    created_at: datetime = Field(sa_column=_ts())
    expires_at: datetime = Field(sa_column=_ts())
    used_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))


class PanelSession(SQLModel, table=True):
    """A signed-in browser. ``ended_at`` set: signed out or ended from another session."""

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(unique=True, max_length=64)
    person_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    csrf: str = Field(max_length=64)  # the token every state-changing request must carry
    via: str = Field(default="link", max_length=20)  # link / entra
    agent: str = Field(default="", max_length=200)  # the browser, so a person tells them apart
    created_at: datetime = Field(sa_column=_ts())
    last_seen_at: datetime = Field(sa_column=_ts())
    expires_at: datetime = Field(sa_column=_ts())
    ended_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
