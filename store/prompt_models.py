"""The table of pending prompts: the bot asked someone for a missing piece and waits for it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from store.models import _ts, utcnow


class PendingPrompt(SQLModel, table=True):
    """One question the bot is waiting to have answered: by one account, in one conversation
    (and thread), at most one at a time. In the database, not in memory, so that the answer
    is understood after a restart and by whichever instance receives it."""

    __table_args__ = (UniqueConstraint("conversation_key", "user_key"),)

    id: int | None = Field(default=None, primary_key=True)
    conversation_key: str = Field(max_length=400)  # ConversationRef.key + "#" + thread
    user_key: str = Field(max_length=300)  # platform:tenant:user id of the one asked
    command: str = Field(max_length=40)  # the command that asked (its registry name)
    args: str = Field(sa_column=Column(Text, nullable=False))  # what was typed so far
    field: str = Field(default="", max_length=40)  # the field a bare answer fills
    style: str = Field(default="fields", max_length=12)  # how the answer joins the args
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts(nullable=False))
    expires_at: datetime = Field(sa_column=_ts(nullable=False, index=True))
