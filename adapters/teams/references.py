"""Conversation references the bot keeps for writing on its own later (Teams needs them).

Teams and channels are stored as ``conversation`` rows (registered by an admin before the bot
answers there), personal chats on the linked account (``private_ref``). Removing the app
marks them out of reach.
"""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from adapters.teams.translate import ChannelChange
from commands.model import ConversationKind, ConversationRef, Platform
from commands.reachability import record_unreachable
from store.db import Database
from store.models import Conversation
from store.people import (
    find_account,
    mark_conversation_inactive,
    remember_conversation,
)

log = logging.getLogger(__name__)

TEAMS = Platform.TEAMS.value


async def remember_installation(db: Database, ref: ConversationRef, *, title: str) -> None:
    """The app was installed: keep the team's channel or group chat; refresh a linked
    person's private chat."""
    ref = ref.in_thread(None)
    async with db.session() as session:
        if ref.kind != ConversationKind.PERSONAL:
            await remember_conversation(session, platform=TEAMS, key=ref.key,
                                        kind=ref.kind.value, ref=ref.to_json(), title=title)
        else:
            account = await find_account(session, TEAMS, ref.tenant_id or "",
                                         ref.extra.get("user_id", ""))
            if account is not None and account.person_id is not None:
                account.private_ref = ref.to_json()
                session.add(account)
        await session.commit()
    log.info("teams: installed in %s %s", ref.kind, ref.conversation_id)


async def remember_channel(db: Database, change: ChannelChange, *, tenant_id: str,
                           service_url: str | None) -> None:
    """A channel of an installed team was created, renamed, restored or deleted."""
    ref = ConversationRef(
        platform=Platform.TEAMS, conversation_id=change.channel_id,
        kind=ConversationKind.CHANNEL, tenant_id=tenant_id or None, service_url=service_url,
        extra={"team_id": change.team_id} if change.team_id else {},
    )
    async with db.session() as session:
        if change.active:
            await remember_conversation(session, platform=TEAMS, key=ref.key,
                                        kind=ref.kind.value, ref=ref.to_json(),
                                        title=change.name)
        else:
            await mark_conversation_inactive(session, platform=TEAMS, key=ref.key)
        await session.commit()


async def forget(db: Database, ref: ConversationRef) -> None:
    """The app was removed: the person's chat, or the team with every channel, is gone."""
    await record_unreachable(db, ref, "app removed in Teams")
    team_id = ref.extra.get("team_id")
    if ref.kind != ConversationKind.PERSONAL and team_id:
        async with db.session() as session:
            await _deactivate_team(session, team_id)
            await session.commit()
    log.info("teams: removed from %s %s", ref.kind, ref.conversation_id)


async def _deactivate_team(session: AsyncSession, team_id: str) -> None:
    """Every stored channel of a team the app was removed from."""
    rows = await session.scalars(
        select(Conversation).where(col(Conversation.platform) == TEAMS,
                                   col(Conversation.active).is_(True)))
    for conversation in rows:
        try:
            stored = ConversationRef.from_json(conversation.ref)
        except (ValueError, KeyError):
            continue
        if stored.extra.get("team_id") == team_id:
            conversation.active = False
            session.add(conversation)
