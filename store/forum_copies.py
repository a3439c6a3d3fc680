"""Where the bot put a question and its answers: read back from the outbox rows (source
``question:N`` / ``answer:N`` / ``question-note:N``, conversation key, platform message id),
so a restart between a question and its answers loses no link.

Like every forum repository (see :mod:`store.forums`), these functions never commit.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from store.forum_models import Answer, Question
from store.models import Delivery, DeliveryState

RELAY_KINDS = ("relay", "notice")  # a question's post, a mirrored answer, a note in its thread


async def question_of_source(session: AsyncSession, source: str) -> Question | None:
    """The question an outbox row's ``source`` belongs to (its post, a note in its thread,
    or one of its answers' copies)."""
    kind, _, number = source.partition(":")
    if not number.isdigit():
        return None
    if kind in ("question", "question-note"):
        return await session.get(Question, int(number))
    if kind == "answer":
        answer = await session.get(Answer, int(number))
        return await session.get(Question, answer.question_id) if answer else None
    return None


async def question_in_thread(session: AsyncSession, platform: str, key: str,
                             roots: list[str]) -> Question | None:
    """The question whose post (a mirrored answer, a note, or an answer written there)
    ``roots`` point at, in the conversation ``key``."""
    source = (await session.execute(select(col(Delivery.source)).where(
        col(Delivery.platform) == platform,
        col(Delivery.conversation_key) == key,
        col(Delivery.message_id).in_(roots),
        col(Delivery.kind).in_(RELAY_KINDS),
    ).order_by(col(Delivery.id)))).scalars().first()
    if source is None:
        answer = (await session.execute(select(Answer).where(
            col(Answer.platform) == platform,
            col(Answer.conversation_key) == key,
            col(Answer.message_id).in_(roots),
        ))).scalars().first()
        return await session.get(Question, answer.question_id) if answer else None
    return await question_of_source(session, source)


async def private_copy_source(session: AsyncSession, platform: str, key: str,
                              roots: list[str], person_id: int) -> str | None:
    """The source of the bot's private message to ``person_id`` that ``roots`` point at,
    when it was a copy of an answer or a notice about a question."""
    return (await session.execute(select(col(Delivery.source)).where(
        col(Delivery.platform) == platform,
        col(Delivery.conversation_key) == key,
        col(Delivery.message_id).in_(roots),
        col(Delivery.person_id) == person_id,
        col(Delivery.source).like("answer:%") | col(Delivery.source).like("question-note:%"),
    ).order_by(col(Delivery.id)))).scalars().first()


async def sent_question_posts(session: AsyncSession, question_id: int
                              ) -> dict[str, str | None]:
    """Conversation key → platform message id of the question's sent posts."""
    rows = (await session.execute(
        select(col(Delivery.conversation_key), col(Delivery.message_id)).where(
            col(Delivery.source) == f"question:{question_id}",
            col(Delivery.state) == DeliveryState.SENT.value,
        ).order_by(col(Delivery.id)))).all()
    return {str(key): mid for key, mid in rows}


async def pending_copies(session: AsyncSession, answer_id: int) -> list[tuple[int, str]]:
    """(row id, payload) of an answer's copies not sent yet."""
    rows = (await session.execute(select(col(Delivery.id), col(Delivery.payload)).where(
        col(Delivery.source) == f"answer:{answer_id}",
        col(Delivery.state) == DeliveryState.PENDING.value,
    ))).all()
    return [(int(row_id or 0), str(payload)) for row_id, payload in rows]


async def rewrite_pending(session: AsyncSession, row_id: int, payload: str) -> None:
    """A new payload for a copy still waiting (the worker reads it when it claims the row)."""
    await session.execute(update(Delivery).where(
        col(Delivery.id) == row_id,
        col(Delivery.state) == DeliveryState.PENDING.value,
    ).values(payload=payload))


async def sent_copies(session: AsyncSession, answer_id: int) -> list[tuple[str, str, str]]:
    """(target, platform message id, payload) of an answer's copies sent."""
    rows = (await session.execute(
        select(col(Delivery.target), col(Delivery.message_id), col(Delivery.payload)).where(
            col(Delivery.source) == f"answer:{answer_id}",
            col(Delivery.state) == DeliveryState.SENT.value,
        ))).all()
    return [(str(target), str(mid), str(payload)) for target, mid, payload in rows if mid]


async def cancel_forum_relays(session: AsyncSession, target: str, forum_id: int) -> int:
    """Cancel the relays and notes of ``forum_id``'s questions still queued for the group
    ``target`` (another forum may share the place; its relays stay). Returns how many."""
    queued = (await session.execute(select(col(Delivery.id), col(Delivery.source)).where(
        col(Delivery.target) == target,
        col(Delivery.state) == DeliveryState.PENDING.value,
        col(Delivery.kind).in_(RELAY_KINDS),
    ))).all()
    ours = [row_id for row_id, source in queued
            if (q := await question_of_source(session, source)) is not None
            and q.forum_id == forum_id]
    if ours:
        await session.execute(update(Delivery).where(
            col(Delivery.id).in_(ours),
            col(Delivery.state) == DeliveryState.PENDING.value,
        ).values(state=DeliveryState.CANCELLED.value))
    return len(ours)
