"""Pending prompts: store the question the bot asked, take it back with the answer."""

from __future__ import annotations

import functools
from datetime import UTC, datetime

from sqlalchemy import bindparam, delete, select
from sqlalchemy.sql import Select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from store.db import affected_rows
from store.prompt_models import PendingPrompt


async def put_prompt(session: AsyncSession, prompt: PendingPrompt) -> None:
    """Store ``prompt``, replacing whatever that person was asked there before; expired
    prompts of anyone are cleared on the way (the table stays small without a job)."""
    await session.execute(delete(PendingPrompt).where(
        (col(PendingPrompt.expires_at) <= prompt.created_at)
        | ((col(PendingPrompt.conversation_key) == prompt.conversation_key)
           & (col(PendingPrompt.user_key) == prompt.user_key))))
    session.add(prompt)


async def waiting_prompt(session: AsyncSession, conversation_key: str,
                         user_key: str) -> PendingPrompt | None:
    """The prompt stored for this person in this conversation, expired or not (a read: the
    usual answer, None, needs no write and no commit)."""
    return await session.scalar(_waiting(), {"conversation": conversation_key,
                                             "user": user_key})


@functools.cache
def _waiting() -> Select[PendingPrompt]:
    # Built once: it runs for most messages of linked people (a look, usually for nothing).
    return select(PendingPrompt).where(
        col(PendingPrompt.conversation_key) == bindparam("conversation"),
        col(PendingPrompt.user_key) == bindparam("user"))


async def take_prompt(session: AsyncSession, found: PendingPrompt,
                      now: datetime) -> PendingPrompt | None:
    """Remove ``found`` (from :func:`waiting_prompt`) and return it if it has not expired;
    the caller commits. Only one caller gets it (the delete decides), also across
    instances."""
    taken = await session.execute(delete(PendingPrompt).where(
        col(PendingPrompt.id) == found.id))
    if not affected_rows(taken):
        return None
    expires = found.expires_at if found.expires_at.tzinfo else \
        found.expires_at.replace(tzinfo=UTC)  # SQLite hands back naive UTC
    return found if expires > now else None


async def drop_prompt(session: AsyncSession, conversation_key: str, user_key: str) -> bool:
    """Forget the prompt waiting for this person here; True if there was one. Nothing is
    written (no SQLite write lock taken) when no prompt waits, as for most commands."""
    waiting = await session.scalar(_waiting_id(), {"conversation": conversation_key,
                                                   "user": user_key})
    if waiting is None:
        return False
    result = await session.execute(delete(PendingPrompt).where(
        col(PendingPrompt.conversation_key) == conversation_key,
        col(PendingPrompt.user_key) == user_key))
    return bool(affected_rows(result))


@functools.cache
def _waiting_id() -> Select[int | None]:
    return select(col(PendingPrompt.id)).where(
        col(PendingPrompt.conversation_key) == bindparam("conversation"),
        col(PendingPrompt.user_key) == bindparam("user"))
