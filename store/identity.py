"""Identity fields of a person: the e-mail (it links messengers) and when it may link.

An e-mail changes only by an admin (``/edytuj``) or by an import. A change made in chat puts
the person on hold for auto-linking: a Slack or Teams account vouching for the new address is
not linked to them until they link an account with a one-time code (``account.link`` in the
audit log). The links and roles a person has stay with the person, never with the address.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from store.models import AuditLog, Person
from store.people import audit, person_by_email

EMAIL_CHANGE = "directory.email_change"
CODE_LINK = "account.link"


class EmailTaken(ValueError):
    """Another person already has this e-mail address."""


async def change_email(session: AsyncSession, person: Person, email: str, *, actor: str) -> None:
    """Give ``person`` a new e-mail (lower-case, unique) and record it; the caller commits.

    Raises :class:`EmailTaken` if the address belongs to someone else.
    """
    email = email.strip().lower()
    holder = await person_by_email(session, email)
    if holder is not None and holder.id != person.id:
        raise EmailTaken(email)
    if person.email == email:
        return
    person.email = email
    session.add(person)
    await audit(session, actor=actor, action=EMAIL_CHANGE, target=f"person:{person.id}",
                details={"field": "email"})


async def auto_link_held(session: AsyncSession, person_id: int) -> bool:
    """True if the person's e-mail was changed in chat after their last link by code."""
    result = await session.execute(
        select(col(AuditLog.action))
        .where(col(AuditLog.target) == f"person:{person_id}",
               col(AuditLog.action).in_((EMAIL_CHANGE, CODE_LINK)))
        .order_by(col(AuditLog.at).desc(), col(AuditLog.id).desc())
        .limit(1)
    )
    return result.scalar() == EMAIL_CHANGE
