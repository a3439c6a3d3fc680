"""Tables of e-mail reach: invitations to link a messenger, and each person's e-mail
preferences (the opt-out token, whether they opted out, how far their digest has got)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from store.models import _ts, utcnow


class InvitationState(StrEnum):
    """Where a person's invitation (or its latest reminder) stands."""

    SENDING = "sending"  # claimed and handed to SMTP; not yet recorded as accepted
    SENT = "sent"  # the server accepted it
    RETRY = "retry"  # a passing failure: the next run tries again
    FAILED = "failed"  # the server refused the address or the message: not retried


class Invitation(SQLModel, table=True):
    """One person's invitation to link a messenger: the first e-mail and its reminders.

    ``code_hash`` is the hash of the latest link code sent (a :class:`store.models.LinkCode`
    row; the code itself is only in the e-mail). ``reminders`` counts reminders accepted by
    the server (at most two).
    """

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", unique=True, ondelete="CASCADE")
    email: str = Field(max_length=254)
    code_hash: str = Field(default="", max_length=64)
    state: str = Field(default=InvitationState.SENDING.value, max_length=12)
    sent_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    last_sent_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    reminders: int = 0
    attempt_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    last_error: str = Field(default="", max_length=300)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts(nullable=False))


class EmailPreference(SQLModel, table=True):
    """A person's e-mail preferences. ``token`` is the random secret of their opt-out link
    (it can only opt that person out, so it is stored as it is and reused in every e-mail);
    ``digest_until``: announcements sent up to this moment were in a digest already."""

    person_id: int = Field(foreign_key="person.id", primary_key=True, ondelete="CASCADE")
    token: str = Field(unique=True, max_length=64)
    opted_out_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    digest_until: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    digest_sent_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
