"""Who is who: messenger accounts, link codes, roles, conversations, audit and dedupe."""

from __future__ import annotations

import functools
import hashlib
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete
from sqlalchemy import select as select_columns  # sqlmodel's select types at most 4
from sqlalchemy.sql import Select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from store.db import affected_rows
from store.models import (
    AuditLog,
    Conversation,
    Forum,
    Gmina,
    LinkCode,
    MessengerAccount,
    Person,
    ProcessedEvent,
    Role,
    RoleGrant,
    utcnow,
)
from store.prompt_models import PendingPrompt


@dataclass(frozen=True, slots=True)
class Grant:
    """A role, with the forum or gmina it is limited to."""

    role: Role
    forum_id: int | None = None
    gmina_id: int | None = None


async def find_account(
    session: AsyncSession, platform: str, tenant_id: str, external_id: str
) -> MessengerAccount | None:
    """The stored account of a platform user, if any."""
    result = await session.exec(
        select(MessengerAccount).where(
            col(MessengerAccount.platform) == platform,
            col(MessengerAccount.tenant_id) == tenant_id,
            col(MessengerAccount.external_id) == external_id,
        )
    )
    return result.first()


async def link_account(
    session: AsyncSession,
    *,
    platform: str,
    tenant_id: str,
    external_id: str,
    person_id: int,
    display_name: str = "",
    private_ref: str | None = None,
) -> MessengerAccount:
    """Link (or re-link) a platform account to a person."""
    account = await find_account(session, platform, tenant_id, external_id)
    if account is None:
        account = MessengerAccount(platform=platform, tenant_id=tenant_id, external_id=external_id)
    account.person_id = person_id
    account.display_name = display_name[:200]
    account.linked_at = utcnow()
    account.updated_at = utcnow()
    account.reachable = True
    account.unreachable_reason = ""
    if private_ref:
        account.private_ref = private_ref
    session.add(account)
    await session.flush()
    return account


async def person_by_email(session: AsyncSession, email: str) -> Person | None:
    """A person by e-mail, case-insensitively."""
    result = await session.exec(
        # E-mails are stored lower-case, so the unique index answers this.
        select(Person).where(col(Person.email) == email.strip().lower())
    )
    return result.first()


def _hash(code: str) -> str:
    return hashlib.sha256(code.strip().upper().encode()).hexdigest()


async def issue_link_code(
    session: AsyncSession, person_id: int, *, platform: str = "", valid_for: timedelta,
    now: datetime | None = None,
) -> str:
    """A one-time link code for ``person_id``; only its hash is stored."""
    code = secrets.token_urlsafe(12).replace("-", "x").replace("_", "y").upper()
    session.add(
        LinkCode(
            code_hash=_hash(code), person_id=person_id, platform=platform,
            expires_at=(now or utcnow()) + valid_for,
        )
    )
    await session.flush()
    return code


async def redeem_link_code(
    session: AsyncSession, code: str, *, platform: str, now: datetime | None = None
) -> int | None:
    """The person a valid, unused, unexpired code belongs to; the code is used up."""
    if not code or len(code) > 64:
        return None
    link = await session.get(LinkCode, _hash(code))
    moment = now or utcnow()
    if link is None or link.used_at is not None:
        return None
    expires = link.expires_at
    if expires.tzinfo is None:  # SQLite returns naive datetimes
        expires = expires.replace(tzinfo=moment.tzinfo)
    if expires <= moment or (link.platform and link.platform != platform):
        return None
    link.used_at = moment
    session.add(link)
    await session.flush()
    return link.person_id


async def grants_of(session: AsyncSession, person_id: int) -> list[Grant]:
    """Every role of a person."""
    result = await session.exec(
        select(RoleGrant).where(col(RoleGrant.person_id) == person_id)
    )
    return [Grant(Role(g.role), g.forum_id, g.gmina_id) for g in result]


@dataclass(frozen=True, slots=True)
class KnownSender:
    """What one read tells about a messenger account: the stored account (None: never seen),
    the person it is linked to (None: not linked) and that person's roles."""

    account: MessengerAccount | None
    person: Person | None
    grants: list[Grant]
    # Whether a question the bot asked (a pending prompt) waits for this account in the
    # conversation given to :func:`known_sender`; None when the account is not known.
    prompt_waiting: bool | None = None


async def known_sender(
    session: AsyncSession, platform: str, tenant_id: str, external_id: str, *,
    prompt_keys: tuple[str, str] = ("", ""),
) -> KnownSender:
    """The account, its person and their roles in ONE statement (an account joined to its
    person and their grants: one row per grant), with whether a prompt waits for the account
    under ``prompt_keys`` (conversation key, user key; see ``commands.prompts``) — the
    usual answer, no, then costs no statement of its own. A read: nothing to commit. The
    account and the person are the session's rows (changes to them are written on flush)."""
    rows = await session.execute(
        _known_sender(),
        {"platform": platform, "tenant_id": tenant_id, "external_id": external_id,
         "prompt_conversation": prompt_keys[0], "prompt_user": prompt_keys[1]})
    account: MessengerAccount | None = None
    person: Person | None = None
    grants: list[Grant] = []
    waiting: bool | None = None
    for row_account, row_person, role, forum_id, gmina_id, prompt_id in rows:
        account, person, waiting = row_account, row_person, prompt_id is not None
        if role is not None:
            grants.append(Grant(Role(role), forum_id, gmina_id))
    return KnownSender(account, person, grants, waiting)


@functools.cache
def _known_sender() -> Select[MessengerAccount, Person, str, int | None, int | None,
                              int | None]:
    # Built once: it runs for every message (building it cost more than running it).
    prompt = (select_columns(col(PendingPrompt.id))
              .where(col(PendingPrompt.conversation_key) == bindparam("prompt_conversation"),
                     col(PendingPrompt.user_key) == bindparam("prompt_user"))
              .scalar_subquery())
    return (
        select_columns(MessengerAccount, Person, col(RoleGrant.role), col(RoleGrant.forum_id),
                       col(RoleGrant.gmina_id), prompt.label("prompt_id"))
        .select_from(MessengerAccount)
        .outerjoin(Person, col(Person.id) == col(MessengerAccount.person_id))
        .outerjoin(RoleGrant, col(RoleGrant.person_id) == col(Person.id))
        .where(
            col(MessengerAccount.platform) == bindparam("platform"),
            col(MessengerAccount.tenant_id) == bindparam("tenant_id"),
            col(MessengerAccount.external_id) == bindparam("external_id"),
        )
        .order_by(col(RoleGrant.id))
    )


async def grant_role(
    session: AsyncSession, person_id: int, role: Role, *, forum_id: int | None = None,
    gmina_id: int | None = None,
) -> bool:
    """Give a role; False if the person already had it."""
    existing = await session.exec(
        select(RoleGrant).where(
            col(RoleGrant.person_id) == person_id, col(RoleGrant.role) == role.value,
            col(RoleGrant.forum_id) == forum_id, col(RoleGrant.gmina_id) == gmina_id,
        )
    )
    if existing.first():
        return False
    session.add(RoleGrant(person_id=person_id, role=role.value, forum_id=forum_id,
                          gmina_id=gmina_id))
    await session.flush()
    return True


async def revoke_role(
    session: AsyncSession, person_id: int, role: Role, *, forum_id: int | None = None,
    gmina_id: int | None = None,
) -> bool:
    """Take a role away; False if the person did not have it."""
    result = await session.execute(
        delete(RoleGrant).where(
            col(RoleGrant.person_id) == person_id,
            col(RoleGrant.role) == role.value,
            col(RoleGrant.forum_id) == forum_id,
            col(RoleGrant.gmina_id) == gmina_id,
        )
    )
    return bool(affected_rows(result))


async def list_grants(session: AsyncSession) -> list[tuple[Person, RoleGrant, str]]:
    """Every grant with its person and a readable scope."""
    rows = await session.execute(
        select(Person, RoleGrant, col(Forum.key), col(Gmina.name))
        .join(RoleGrant, col(RoleGrant.person_id) == col(Person.id))
        .outerjoin(Forum, col(Forum.id) == col(RoleGrant.forum_id))
        .outerjoin(Gmina, col(Gmina.id) == col(RoleGrant.gmina_id))
        .order_by(col(Person.name), col(RoleGrant.role))
    )
    return [
        (person, grant, f"forum {forum}" if forum else (f"gmina {gmina}" if gmina else ""))
        for person, grant, forum, gmina in rows
    ]


async def audit(
    session: AsyncSession, *, actor: str, action: str, target: str = "",
    details: Mapping[str, object] | None = None,
) -> None:
    """Record a privileged action. Callers pass ids and names, never message bodies."""
    session.add(
        AuditLog(actor=actor[:300], action=action, target=target[:300],
                 details=json.dumps(details or {}, ensure_ascii=False, default=str))
    )


async def forget_deliveries_before(session: AsyncSession, moment: datetime) -> int:
    """Drop dedupe records older than any platform retries (housekeeping)."""
    result = await session.execute(
        delete(ProcessedEvent).where(col(ProcessedEvent.at) < moment)
    )
    return affected_rows(result)


async def remember_conversation(
    session: AsyncSession, *, platform: str, key: str, kind: str, ref: str, title: str = "",
) -> Conversation:
    """Store (or refresh) the reference of a group, channel or team conversation."""
    result = await session.exec(
        select(Conversation).where(
            col(Conversation.platform) == platform, col(Conversation.conversation_key) == key
        )
    )
    conversation = result.first()
    if conversation is None:
        conversation = Conversation(platform=platform, conversation_key=key, kind=kind, ref=ref)
    conversation.ref = ref
    conversation.kind = kind
    conversation.active = True
    if title:
        conversation.title = title[:300]
    conversation.updated_at = utcnow()
    session.add(conversation)
    await session.flush()
    return conversation


async def find_conversation(
    session: AsyncSession, platform: str, key: str
) -> Conversation | None:
    """A stored group or channel by its key."""
    result = await session.exec(
        select(Conversation).where(
            col(Conversation.platform) == platform, col(Conversation.conversation_key) == key
        )
    )
    return result.first()


async def mark_account_unreachable(
    session: AsyncSession, *, platform: str, tenant_id: str, external_id: str, reason: str
) -> None:
    """The person blocked the bot, left, or was deactivated: record why."""
    account = await find_account(session, platform, tenant_id, external_id)
    if account is not None:
        account.reachable = False
        account.unreachable_reason = reason[:300]
        account.updated_at = utcnow()
        session.add(account)


async def accounts_of(session: AsyncSession, person_id: int) -> list[MessengerAccount]:
    """Every messenger account linked to a person."""
    result = await session.exec(
        select(MessengerAccount).where(col(MessengerAccount.person_id) == person_id)
    )
    return list(result)


async def mark_conversation_inactive(
    session: AsyncSession, *, platform: str, key: str
) -> None:
    """The bot was removed from a group or channel."""
    conversation = await find_conversation(session, platform, key)
    if conversation is not None:
        conversation.active = False
        conversation.updated_at = utcnow()
        session.add(conversation)


async def move_conversation(
    session: AsyncSession, *, platform: str, old_key: str, new_key: str, new_ref: str
) -> None:
    """A group got a new id (Telegram group → supergroup); keep its registration."""
    conversation = await find_conversation(session, platform, old_key)
    if conversation is not None:
        conversation.conversation_key = new_key
        conversation.ref = new_ref
        conversation.updated_at = utcnow()
        session.add(conversation)


async def set_conversation_registered(
    session: AsyncSession, *, platform: str, key: str, registered: bool
) -> bool:
    """Allow (or stop) the bot working in a group; False if the group is unknown."""
    conversation = await find_conversation(session, platform, key)
    if conversation is None:
        return False
    conversation.registered = registered
    conversation.updated_at = utcnow()
    session.add(conversation)
    return True
