"""Targets the bot can no longer write to, recorded in one place.

Whoever learns that a person or a conversation is out of reach — a messenger whose send was
answered with :class:`commands.ports.Unreachable` (blocked, left, archived, deactivated), the
delivery worker settling such a row, an adapter told that the app was removed — records it
with :func:`record_unreachable`. A personal target marks the person's account (with the
reason, shown to authors and admins); a group or channel is marked inactive.
"""

from __future__ import annotations

import logging

from commands.model import ConversationKind, ConversationRef
from store.db import Database
from store.models import MessengerAccount, utcnow
from store.people import mark_account_unreachable, mark_conversation_inactive

log = logging.getLogger(__name__)


async def record_unreachable(db: Database, ref: ConversationRef, reason: str, *,
                             account_id: int | None = None) -> None:
    """Record that ``ref`` cannot be reached, and why. ``account_id``: the account the
    message was for, when the sender knows it (an outbox row does)."""
    async with db.session() as session:
        if account_id is not None:
            account = await session.get(MessengerAccount, account_id)
            if account is not None:
                account.reachable = False
                account.unreachable_reason = reason[:300]
                account.updated_at = utcnow()
                session.add(account)
        elif ref.kind == ConversationKind.PERSONAL:
            # The person's account id on the platform: kept in the reference where the chat
            # has an id of its own (a Slack DM, a Teams 1:1 chat), else the chat's id is it.
            await mark_account_unreachable(
                session, platform=ref.platform.value, tenant_id=ref.tenant_id or "",
                external_id=ref.extra.get("user_id") or ref.conversation_id, reason=reason)
        else:
            await mark_conversation_inactive(session, platform=ref.platform.value,
                                             key=ref.in_thread(None).key)
        await session.commit()
    log.info("%s %s unreachable: %s", ref.platform.value, ref.kind.value, reason)
