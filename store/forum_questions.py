"""Forum questions and their answers: storing, finding, changing them, and the version
counter that tells every instance the archive changed.

Like every forum repository (see :mod:`store.forums`), these functions never commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from store.db import affected_rows
from store.forum_models import Answer, Question
from store.models import Meta

ARCHIVE_VERSION = "archive_version"


async def add_question(session: AsyncSession, question: Question) -> Question:
    """Store a new question (flushed: it has its number)."""
    session.add(question)
    await session.flush()
    return question


async def question_by_id(session: AsyncSession, question_id: int) -> Question | None:
    """A question by its number."""
    return await session.get(Question, question_id)


async def set_state(session: AsyncSession, question: Question, state: str,
                    now: datetime) -> None:
    """Mark a question open, answered or closed."""
    question.state = state
    question.updated_at = now
    session.add(question)


async def move_question(session: AsyncSession, question: Question, forum_id: int,
                        now: datetime) -> None:
    """Move a question to another forum (the one it left is remembered)."""
    question.moved_from, question.forum_id = question.forum_id, forum_id
    question.updated_at = now
    session.add(question)


async def set_search_terms(session: AsyncSession, question: Question, terms: str, *,
                           now: datetime | None = None) -> None:
    """The question's search words (with ``now``: it changed then)."""
    question.search_terms = terms
    if now is not None:
        question.updated_at = now
    session.add(question)


async def set_faq(session: AsyncSession, question: Question, faq: bool = True) -> None:
    """Put a question into its forum's FAQ (``faq`` False: take it out; a curated wording
    stays stored, unseen, for the day it comes back)."""
    question.faq = faq
    session.add(question)


async def set_public_wording(session: AsyncSession, question: Question, *, text: str | None,
                             answer: str | None, terms: str) -> None:
    """The curated wording of an FAQ question and its answer (None: as written), with the
    lemmas it is searched by."""
    question.public_text = text
    question.public_answer = answer
    question.public_terms = terms
    session.add(question)


async def own_question_ids(session: AsyncSession, asker_id: int) -> set[int]:
    """The questions a person asked (wherever they were moved)."""
    return set((await session.execute(select(col(Question.id)).where(
        col(Question.asker_id) == asker_id))).scalars())


async def faq_questions(session: AsyncSession, forum_id: int) -> list[Question]:
    """A forum's FAQ questions, by number."""
    return list((await session.execute(select(Question).where(
        col(Question.forum_id) == forum_id, col(Question.faq) == True,  # noqa: E712
    ).order_by(col(Question.id)))).scalars())


async def unanswered_since(session: AsyncSession, before: datetime) -> list[Question]:
    """Open questions asked before ``before`` whose moderators were not told yet."""
    return list((await session.execute(select(Question).where(
        col(Question.state) == "open",
        col(Question.nudged_at).is_(None),
        col(Question.created_at) < before,
    ))).scalars())


async def claim_nudge(session: AsyncSession, question_id: int, now: datetime) -> bool:
    """Note that moderators were told about the question; False when another instance did
    it first."""
    claimed = await session.execute(update(Question).where(
        col(Question.id) == question_id, col(Question.nudged_at).is_(None),
    ).values(nudged_at=now))
    return affected_rows(claimed) > 0


# --- answers ---------------------------------------------------------------------------------

async def add_answer(session: AsyncSession, answer: Answer) -> bool:
    """Store an answer; False (nothing stored) when that message is stored already (a
    platform's retry). The first answer by someone other than the asker marks the question
    answered (``answered_at``)."""
    try:
        async with session.begin_nested():
            session.add(answer)
    except IntegrityError:
        return False
    question = await session.get(Question, answer.question_id)
    if question is not None and question.answered_at is None and (
            question.asker_id is None or answer.author_id != question.asker_id):
        question.answered_at = answer.created_at
        session.add(question)
    return True


async def answer_at(session: AsyncSession, platform: str, key: str,
                    message_id: str) -> Answer | None:
    """The answer written as ``message_id`` in the conversation ``key``."""
    return (await session.execute(select(Answer).where(
        col(Answer.platform) == platform,
        col(Answer.conversation_key) == key,
        col(Answer.message_id) == message_id,
    ))).scalars().first()


async def edit_answer(session: AsyncSession, answer: Answer, text: str,
                      now: datetime) -> None:
    """An answer's new text, edited where it was written."""
    answer.text = text
    answer.edited_at = now
    session.add(answer)


async def delete_answer(session: AsyncSession, answer: Answer) -> None:
    """Mark an answer deleted (its row stays: its copies are found by it); the question's
    ``answered_at`` follows the answers that remain."""
    answer.deleted = True
    session.add(answer)
    await session.flush()
    question = await session.get(Question, answer.question_id)
    if question is not None:
        question.answered_at = await session.scalar(
            select(func.min(col(Answer.created_at))).where(
                *_answered_by_others(question), col(Answer.deleted) == False))  # noqa: E712
        session.add(question)


async def answer_texts(session: AsyncSession, question_id: int) -> list[str]:
    """The texts of a question's answers not deleted."""
    return list((await session.execute(select(col(Answer.text)).where(
        col(Answer.question_id) == question_id,
        col(Answer.deleted) == False,  # noqa: E712
    ))).scalars())


async def first_answer(session: AsyncSession, question: Question) -> Answer | None:
    """The question's first answer by someone other than its asker, not deleted."""
    return (await session.execute(select(Answer).where(
        *_answered_by_others(question), col(Answer.deleted) == False,  # noqa: E712
    ).order_by(col(Answer.id)))).scalars().first()


async def is_answered(session: AsyncSession, question: Question) -> bool:
    """Whether someone other than the asker answered (an answer not deleted)."""
    return (await session.execute(select(col(Answer.id)).where(
        *_answered_by_others(question), col(Answer.deleted) == False,  # noqa: E712
    ))).first() is not None


def _answered_by_others(question: Question) -> list[ColumnElement[bool]]:
    """Conditions for ``question``'s answers written by someone other than its asker: the
    asker's own follow-ups are stored like answers, but they answer nothing (the nudge, the
    FAQ and the archive's quote count only these)."""
    conditions: list[ColumnElement[bool]] = [col(Answer.question_id) == question.id]
    if question.asker_id is not None:
        conditions.append(or_(col(Answer.author_id).is_(None),
                              col(Answer.author_id) != question.asker_id))
    return conditions


# --- the archive -----------------------------------------------------------------------------

async def archive_version(session: AsyncSession) -> int:
    """The archive's version: it grows with every change to a question or its answers."""
    return int(await session.scalar(
        select(col(Meta.value)).where(col(Meta.key) == ARCHIVE_VERSION)) or 0)


async def bump_archive_version(session: AsyncSession) -> None:
    """Tell every instance the archive changed."""
    updated = await session.execute(update(Meta).where(
        col(Meta.key) == ARCHIVE_VERSION).values(value=col(Meta.value) + 1))
    if not affected_rows(updated):
        session.add(Meta(key=ARCHIVE_VERSION, value=1))


async def archive_rows(session: AsyncSession) -> list[tuple[int, int, str, str, bool]]:
    """(number, forum, search words, state, in the FAQ) of every question; an FAQ question
    is also found by the words of its curated wording."""
    rows = await session.execute(select(
        col(Question.id), col(Question.forum_id), col(Question.search_terms),
        col(Question.state), col(Question.faq), col(Question.public_terms)))
    return [(int(qid or 0), int(forum_id),
             f"{terms} {public}" if faq and public else str(terms), str(state), bool(faq))
            for qid, forum_id, terms, state, faq, public in rows]


# --- the panel's lists: counted and paged in SQL (an archive has tens of thousands) -----------

@dataclass(frozen=True, slots=True)
class OpenStats:
    """A forum's unanswered questions: how many, and when the oldest was asked."""

    count: int
    oldest: datetime | None


async def open_stats(session: AsyncSession, forum_ids: Iterable[int] | None = None
                     ) -> dict[int, OpenStats]:
    """Unanswered questions per forum (``forum_ids`` None: every forum)."""
    query = select(col(Question.forum_id), func.count(), func.min(col(Question.created_at))
                   ).where(*_unanswered()).group_by(col(Question.forum_id))
    if forum_ids is not None:
        query = query.where(col(Question.forum_id).in_(list(forum_ids)))
    return {int(forum_id): OpenStats(int(count), oldest)
            for forum_id, count, oldest in await session.execute(query)}


async def unanswered_page(session: AsyncSession, forum_id: int, *, offset: int,
                          limit: int) -> list[Question]:
    """A page of the forum's unanswered questions, the longest waiting first."""
    return list((await session.execute(select(Question).where(
        col(Question.forum_id) == forum_id, *_unanswered(),
    ).order_by(col(Question.created_at), col(Question.id)).offset(offset).limit(limit)
    )).scalars())


def _unanswered() -> list[ColumnElement[bool]]:
    """Open, and nobody but the asker answered (``ix_question_unanswered``)."""
    return [col(Question.state) == "open", col(Question.answered_at).is_(None)]


def _faq_where(forum_id: int, faq: bool) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [col(Question.forum_id) == forum_id,
                                        col(Question.faq) == faq]
    if not faq:  # candidates: answered questions not in the FAQ
        where.append(col(Question.answered_at).is_not(None))
    return where


async def count_faq(session: AsyncSession, forum_id: int, *, faq: bool) -> int:
    """How many of the forum's questions are in its FAQ (``faq`` False: how many answered
    ones could be promoted)."""
    return int(await session.scalar(select(func.count()).select_from(Question).where(
        *_faq_where(forum_id, faq))) or 0)


async def faq_page(session: AsyncSession, forum_id: int, *, faq: bool, offset: int,
                   limit: int) -> list[Question]:
    """A page of the forum's FAQ (by number) or, ``faq`` False, of the answered questions
    that could join it (newest first)."""
    order = col(Question.id) if faq else col(Question.id).desc()
    return list((await session.execute(select(Question).where(*_faq_where(forum_id, faq))
                                       .order_by(order).offset(offset).limit(limit)
                                       )).scalars())


async def first_answers(session: AsyncSession, questions: Iterable[Question]
                        ) -> dict[int, Answer]:
    """Each question's first answer by someone other than its asker, not deleted (one
    query for a page of questions)."""
    askers = {int(q.id or 0): q.asker_id for q in questions}
    if not askers:
        return {}
    found: dict[int, Answer] = {}
    rows = (await session.execute(select(Answer).where(
        col(Answer.question_id).in_(list(askers)), col(Answer.deleted) == False,  # noqa: E712
    ).order_by(col(Answer.id)))).scalars()
    for answer in rows:
        asker = askers.get(answer.question_id)
        if answer.question_id in found:
            continue
        if asker is None or answer.author_id is None or answer.author_id != asker:
            found[answer.question_id] = answer
    return found


async def forum_question(session: AsyncSession, forum_id: int, question_id: int
                         ) -> Question | None:
    """A question by its number, if it is (now) in that forum."""
    return (await session.execute(select(Question).where(and_(
        col(Question.id) == question_id, col(Question.forum_id) == forum_id)))
    ).scalars().first()
