"""Table of the SMS channel: the provider's delivery reports, one row per message."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from store.models import _ts, utcnow


class SmsReport(SQLModel, table=True):
    """The latest delivery report of one SMS, by the provider's message id (the outbox row's
    ``message_id``). ``status_name`` is SMSAPI's (DELIVERED, UNDELIVERED, …)."""

    id: int | None = Field(default=None, primary_key=True)
    message_id: str = Field(unique=True, max_length=64)
    status: int = 0
    status_name: str = Field(default="", max_length=20)
    done_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    received_at: datetime = Field(default_factory=utcnow, sa_column=_ts(nullable=False))
