"""The forums' groups on each messenger: linking and unlinking one, which take relays now,
and each group's thread of a question (where its post went).

Like every forum repository (see :mod:`store.forums`), these functions never commit.
"""

from __future__ import annotations

from sqlalchemy import and_, or_, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from store.forum_copies import sent_question_posts
from store.forum_models import ForumGroup, Question
from store.models import Conversation


async def add_group(session: AsyncSession, group: ForumGroup) -> bool:
    """Store a new group of a forum; False (nothing stored) when the forum has that place
    already."""
    try:
        async with session.begin_nested():
            session.add(group)
    except IntegrityError:
        return False
    return True


async def group_of(session: AsyncSession, forum_id: int, where: int | str
                   ) -> ForumGroup | None:
    """The forum's group with that number (an ``int``) or in that conversation (its key)."""
    which = (col(ForumGroup.id) == where if isinstance(where, int)
             else col(ForumGroup.conversation_key) == where)
    return (await session.execute(select(ForumGroup).where(
        col(ForumGroup.forum_id) == forum_id, which,
    ))).scalars().first()


async def remove_group(session: AsyncSession, group: ForumGroup) -> None:
    """Take a group out of its forum."""
    await session.delete(group)


async def place_shared(session: AsyncSession, group: ForumGroup) -> bool:
    """Whether another forum's group is in the same conversation as ``group``."""
    return (await session.execute(select(col(ForumGroup.id)).where(
        col(ForumGroup.conversation_key) == group.conversation_key,
        col(ForumGroup.id) != group.id,
    ))).first() is not None


async def all_groups(session: AsyncSession) -> list[ForumGroup]:
    """Every forum's groups, by number."""
    return list((await session.execute(
        select(ForumGroup).order_by(col(ForumGroup.id)))).scalars())


async def group_ids(session: AsyncSession, forum_id: int) -> list[int]:
    """The numbers of a forum's groups."""
    return [int(i) for i in (await session.execute(select(col(ForumGroup.id)).where(
        col(ForumGroup.forum_id) == forum_id))).scalars()]


async def live_groups(session: AsyncSession, forum_id: int | None) -> list[ForumGroup]:
    """The forum's groups (every forum's, for None) that take relays: not those an admin
    unregistered (``lacznik groups unregister``) or the bot was removed from."""
    query = select(ForumGroup).outerjoin(Conversation, and_(
        col(Conversation.platform) == col(ForumGroup.platform),
        col(Conversation.conversation_key) == col(ForumGroup.conversation_key),
    )).where(or_(
        col(Conversation.id).is_(None),  # never seen: the console
        and_(col(Conversation.registered) == True, col(Conversation.active) == True),  # noqa: E712
    )).order_by(col(ForumGroup.id))
    if forum_id is not None:
        query = query.where(col(ForumGroup.forum_id) == forum_id)
    return list((await session.execute(query)).scalars())


async def threads(session: AsyncSession, question: Question
                  ) -> list[tuple[ForumGroup, str | None]]:
    """Each live group of the question's forum with the id of the question's post there
    (None where it was not posted, or not yet)."""
    groups = await live_groups(session, question.forum_id)
    posts = await sent_question_posts(session, int(question.id or 0))
    return [(g, posts.get(g.conversation_key) or None) for g in groups]


async def groups_of(session: AsyncSession, forum_id: int) -> list[tuple[ForumGroup, bool]]:
    """A forum's groups by messenger and number, each with whether it takes relays now."""
    groups = list((await session.execute(select(ForumGroup).where(
        col(ForumGroup.forum_id) == forum_id,
    ).order_by(col(ForumGroup.platform), col(ForumGroup.id)))).scalars())
    live = {g.id for g in await live_groups(session, forum_id)}
    return [(g, g.id in live) for g in groups]
