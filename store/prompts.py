"""Pending prompts: store the question the bot asked, take it back with the answer."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from store.prompt_models import PendingPrompt


async def put_prompt(session: AsyncSession, prompt: PendingPrompt) -> None:
    """Store ``prompt``, replacing whatever that person was asked there before; expired
    prompts of anyone are cleared on the way (the table stays small without a job)."""
    await session.execute(delete(PendingPrompt).where(
        (PendingPrompt.expires_at <= prompt.created_at)  # type: ignore[arg-type,operator]
        | ((PendingPrompt.conversation_key == prompt.conversation_key)  # type: ignore[arg-type]
           & (PendingPrompt.user_key == prompt.user_key))))  # type: ignore[arg-type]
    session.add(prompt)


async def take_prompt(session: AsyncSession, conversation_key: str, user_key: str,
                      now: datetime) -> PendingPrompt | None:
    """Remove and return the prompt waiting for this person in this conversation, if it has
    not expired. Only one caller gets it (the delete decides), also across instances."""
    found = await session.scalar(select(PendingPrompt).where(
        PendingPrompt.conversation_key == conversation_key,  # type: ignore[arg-type]
        PendingPrompt.user_key == user_key))  # type: ignore[arg-type]
    if found is None:
        return None
    taken = await session.execute(delete(PendingPrompt).where(
        PendingPrompt.id == found.id))  # type: ignore[arg-type]
    if not taken.rowcount:  # type: ignore[attr-defined]
        return None
    expires = found.expires_at if found.expires_at.tzinfo else \
        found.expires_at.replace(tzinfo=UTC)  # SQLite hands back naive UTC
    return found if expires > now else None


async def drop_prompt(session: AsyncSession, conversation_key: str, user_key: str) -> bool:
    """Forget the prompt waiting for this person here; True if there was one."""
    result = await session.execute(delete(PendingPrompt).where(
        PendingPrompt.conversation_key == conversation_key,  # type: ignore[arg-type]
        PendingPrompt.user_key == user_key))  # type: ignore[arg-type]
    return bool(result.rowcount)  # type: ignore[attr-defined]
