"""Tables of forum questions: the forums' groups on each messenger, questions and answers.

Where the bot posted a question or mirrored an answer is not stored here: the outbox rows
(``delivery``: source ``question:N`` / ``answer:N``, conversation key, platform message id)
are that mapping, so it survives restarts by construction.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from store.models import _ts, utcnow


class ForumGroup(SQLModel, table=True):
    """A group, channel or topic on one messenger that belongs to a forum."""

    __table_args__ = (UniqueConstraint("forum_id", "platform", "conversation_key"),)

    id: int | None = Field(default=None, primary_key=True)
    forum_id: int = Field(foreign_key="forum.id", index=True, ondelete="CASCADE")
    platform: str = Field(max_length=20)
    conversation_key: str = Field(max_length=400, index=True)
    ref: str = Field(sa_column=Column(Text, nullable=False))  # ConversationRef JSON (+ topic)
    title: str = Field(default="", max_length=300)
    added_by: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts(nullable=False))


class Question(SQLModel, table=True):
    """A question asked to a forum; ``search_terms`` are its (and its answers') lemmas.

    ``answered_at``: when someone other than the asker first answered (an answer not
    deleted; the repository keeps it as answers come and go). An open question without it
    is unanswered. An FAQ question may have a *public wording* a moderator curated
    (``public_text``, and ``public_answer`` for its answer): what a search or ``/faq`` shows
    instead of the words as asked; ``public_terms`` are its lemmas, searched beside
    ``search_terms`` (which answers rewrite, so the curated words keep a column of their own).
    """

    # The panel's lists of a forum: unanswered questions by age, FAQ candidates, counted.
    __table_args__ = (
        Index("ix_question_unanswered", "forum_id", "state", "answered_at", "created_at"),
        Index("ix_question_forum_faq", "forum_id", "faq", "answered_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    forum_id: int = Field(foreign_key="forum.id", index=True)
    asker_id: int | None = Field(default=None, foreign_key="person.id", index=True,
                                 ondelete="SET NULL")
    asked_via: str = Field(default="", max_length=20)
    text: str = Field(sa_column=Column(Text, nullable=False))
    state: str = Field(default="open", max_length=12)  # open / answered / closed
    faq: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts(nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_ts(nullable=False))
    nudged_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    answered_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    moved_from: int | None = Field(default=None, foreign_key="forum.id")
    search_terms: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    public_text: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    public_answer: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    public_terms: str = Field(default="", sa_column=Column(Text, nullable=False, default="",
                                                           server_default=""))


class Answer(SQLModel, table=True):
    """A reply written in one of a question's threads, on any messenger."""

    __table_args__ = (UniqueConstraint("platform", "conversation_key", "message_id"),)

    id: int | None = Field(default=None, primary_key=True)
    question_id: int = Field(foreign_key="question.id", index=True, ondelete="CASCADE")
    author_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    author_label: str = Field(default="", max_length=300)  # "Anna Nowak, Skawina"
    platform: str = Field(max_length=20)
    conversation_key: str = Field(max_length=400)
    message_id: str = Field(max_length=300)
    text: str = Field(sa_column=Column(Text, nullable=False))
    attachments: str = Field(default="[]", sa_column=Column(Text, nullable=False, default="[]"))
    deleted: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts(nullable=False))
    edited_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))


class ForumArchive(SQLModel, table=True):
    """A forum taken out of use (``lacznik forums remove KEY --force``): its questions,
    answers and events stay as history, but it takes no new questions and lists skip it."""

    forum_id: int = Field(foreign_key="forum.id", primary_key=True, ondelete="CASCADE")
    archived_at: datetime = Field(default_factory=utcnow, sa_column=_ts(nullable=False))
    archived_by: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")


# The outbox sources that carry a question's id ("question:12", "question-late:12", …): what
# goes with a question when it goes (retention, demo removal). A new kind belongs here.
QUESTION_SOURCE_KINDS = ("question", "question-late", "question-note", "question-nudge")


def question_sources(question_ids: Iterable[int]) -> list[str]:
    """Every outbox ``source`` value a question of ``question_ids`` may have written."""
    return [f"{kind}:{i}" for i in question_ids for kind in QUESTION_SOURCE_KINDS]
