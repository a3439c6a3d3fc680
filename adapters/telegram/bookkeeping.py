"""What Telegram tells us about chats, recorded in the store: blocked, left, migrated."""

from __future__ import annotations

import logging

from commands.model import ConversationKind, ConversationRef, Platform
from commands.reachability import record_unreachable
from store.db import Database
from store.models import utcnow
from store.people import (
    find_account,
    find_conversation,
    move_conversation,
)

log = logging.getLogger(__name__)

PLATFORM = Platform.TELEGRAM.value
GONE_REASONS = frozenset({"blocked", "deactivated", "removed", "never_started", "chat_not_found"})
"""Unreachable reasons that mean the chat is lost for good (not just a closed topic)."""


def group_ref(chat_id: int | str) -> ConversationRef:
    """The reference of a Telegram group by its chat id."""
    return ConversationRef(Platform.TELEGRAM, str(chat_id), ConversationKind.GROUP)


async def chat_gone(db: Database, ref: ConversationRef, reason: str) -> None:
    """A person blocked the bot (their account becomes unreachable) or a group lost it."""
    await record_unreachable(db, ref, reason)  # a private chat's id is the user's id
    log.info("telegram chat %s unreachable: %s", ref.conversation_id, reason)


async def chat_back(db: Database, user_id: str) -> None:
    """A person unblocked (restarted) the bot: their account is reachable again."""
    async with db.session() as session:
        account = await find_account(session, PLATFORM, "", user_id)
        if account is not None and not account.reachable:
            account.reachable, account.unreachable_reason = True, ""
            account.updated_at = utcnow()
            session.add(account)
            await session.commit()


async def chat_migrated(db: Database, old_chat_id: int | str, new_chat_id: int | str) -> None:
    """A group became a supergroup: its stored conversation (and registration) moves along."""
    old_key, new = group_ref(old_chat_id).key, group_ref(new_chat_id)
    async with db.session() as session:
        old = await find_conversation(session, PLATFORM, old_key)
        if old is None:
            return
        existing = await find_conversation(session, PLATFORM, new.key)
        if existing is None:
            await move_conversation(session, platform=PLATFORM, old_key=old_key,
                                    new_key=new.key, new_ref=new.to_json())
        else:  # the new chat was seen first: keep its row, carry the registration over
            existing.registered = existing.registered or old.registered
            old.active = False
            session.add_all([existing, old])
        await session.commit()
    log.info("telegram group %s migrated to %s", old_chat_id, new_chat_id)
