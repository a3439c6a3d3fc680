"""Invitations by e-mail and e-mail preferences: who is in a campaign's scope, who has
linked, the per-person invitation record, opt-out tokens, and the status counts.

Like every repository here, these functions never commit: the campaign, the opt-out page
or the digest that opened the session commits once per person (see :mod:`store.forums`).
"""

from __future__ import annotations

import secrets
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from store.db import affected_rows
from store.invitation_models import EmailPreference, Invitation, InvitationState
from store.models import ForumMember, Gmina, MessengerAccount, Person


@dataclass(frozen=True, slots=True)
class Scope:
    """Who a campaign is for: everyone, the people of one gmina, or a forum's members."""

    everyone: bool = False
    gmina_id: int | None = None
    forum_id: int | None = None


async def people_in_scope(session: AsyncSession, scope: Scope) -> list[Person]:
    """The real (not demo) people ``scope`` names, by name."""
    query = select(Person).where(col(Person.demo) == False)  # noqa: E712
    if scope.gmina_id is not None:
        query = query.where(col(Person.gmina_id) == scope.gmina_id)
    if scope.forum_id is not None:
        query = query.join(ForumMember, col(ForumMember.person_id) == col(Person.id)).where(
            col(ForumMember.forum_id) == scope.forum_id)
    if not (scope.everyone or scope.gmina_id is not None or scope.forum_id is not None):
        return []
    result = await session.execute(query.order_by(col(Person.name), col(Person.id)))
    return list(result.scalars())


async def linked_people(session: AsyncSession, person_ids: set[int]) -> set[int]:
    """Of ``person_ids``, those with a messenger account linked (reachable or not)."""
    if not person_ids:
        return set()
    result = await session.execute(
        select(col(MessengerAccount.person_id)).distinct()
        .where(col(MessengerAccount.person_id).in_(person_ids)))
    return {int(p) for p in result.scalars()}


async def invitations_of(session: AsyncSession, person_ids: set[int]) -> dict[int, Invitation]:
    """Each person's invitation record, if they have one."""
    if not person_ids:
        return {}
    result = await session.execute(
        select(Invitation).where(col(Invitation.person_id).in_(person_ids)))
    return {i.person_id: i for i in result.scalars()}


async def preferences_of(session: AsyncSession, person_ids: set[int]
                         ) -> dict[int, EmailPreference]:
    """Each person's e-mail preferences, if they have any."""
    if not person_ids:
        return {}
    result = await session.execute(
        select(EmailPreference).where(col(EmailPreference.person_id).in_(person_ids)))
    return {p.person_id: p for p in result.scalars()}


async def preference(session: AsyncSession, person_id: int) -> EmailPreference:
    """The person's preferences, made with a fresh opt-out token the first time."""
    await tokens_for(session, {person_id})
    found = await session.get(EmailPreference, person_id)
    assert found is not None  # made above, by this run or a concurrent one
    return found


async def tokens_for(session: AsyncSession, person_ids: set[int]) -> dict[int, str]:
    """Each person's opt-out token, made for those who have none yet (a token another run
    made at the same moment wins: one token per person)."""
    tokens = {pid: p.token for pid, p in (await preferences_of(session, person_ids)).items()}
    missing = sorted(person_ids - set(tokens))
    for pid in missing:
        try:
            async with session.begin_nested():
                session.add(EmailPreference(person_id=pid, token=secrets.token_urlsafe(24)))
        except IntegrityError:
            pass
    if missing:
        tokens.update({pid: p.token for pid, p in
                       (await preferences_of(session, set(missing))).items()})
    return tokens


async def preference_by_token(session: AsyncSession, token: str) -> EmailPreference | None:
    """Whose opt-out link ``token`` is; None for an unknown token."""
    if not token or len(token) > 64:
        return None
    result = await session.execute(
        select(EmailPreference).where(col(EmailPreference.token) == token))
    return result.scalars().first()


async def opt_out(session: AsyncSession, token: str, now: datetime) -> EmailPreference | None:
    """Opt the token's person out of every e-mail (idempotent: the first moment stays);
    None for an unknown token."""
    found = await preference_by_token(session, token)
    if found is not None and found.opted_out_at is None:
        found.opted_out_at = now
        session.add(found)
        await session.flush()
    return found


async def claim(session: AsyncSession, person: Person, *, email: str, seen: Invitation | None,
                now: datetime, stale_before: datetime) -> bool:
    """Mark an e-mail to ``person`` as being sent now (state ``sending``), if nobody else
    did since ``seen`` was read (another run, the daily job): False then, and nothing
    changes. A ``sending`` mark older than ``stale_before`` died with its process."""
    assert person.id is not None  # a stored person
    if seen is None:
        try:
            async with session.begin_nested():  # a concurrent run may insert it first
                session.add(Invitation(person_id=person.id, email=email, attempt_at=now,
                                       state=InvitationState.SENDING.value))
            return True
        except IntegrityError:
            return False
    values: dict[str, object] = {"state": InvitationState.SENDING.value, "attempt_at": now,
                                 "email": email}
    if seen.email != email:  # a new address: a new invitation, not a reminder
        values.update(sent_at=None, reminders=0)
    result = await session.execute(
        update(Invitation)
        .where(col(Invitation.person_id) == person.id,
               col(Invitation.reminders) == seen.reminders,
               col(Invitation.email) == seen.email,
               or_(col(Invitation.state) != InvitationState.SENDING.value,
                   col(Invitation.attempt_at) == None,  # noqa: E711
                   col(Invitation.attempt_at) < stale_before))
        .values(values))
    return bool(affected_rows(result))


async def set_code(session: AsyncSession, person_id: int, code_hash: str) -> None:
    """The hash of the link code the claimed e-mail carries."""
    await session.execute(update(Invitation).where(col(Invitation.person_id) == person_id)
                          .values(code_hash=code_hash))


async def record(session: AsyncSession, person_id: int, *, state: InvitationState,
                 reminder: bool, error: str, now: datetime) -> None:
    """The outcome of the e-mail :func:`claim` started (one UPDATE)."""
    values: dict[str, object] = {"state": state.value, "last_error": error[:300]}
    if state == InvitationState.SENT:
        values["last_sent_at"] = now
        if reminder:
            values["reminders"] = col(Invitation.reminders) + 1
        else:
            values["sent_at"] = now
    await session.execute(
        update(Invitation).where(col(Invitation.person_id) == person_id).values(values))


# --- status -------------------------------------------------------------------------------


@dataclass(slots=True)
class StatusRow:
    """Counts of one gmina (or of everyone): who is linked where, invited, not reachable.

    ``not_reachable``: no messenger, and no e-mail can reach them (none, refused, opted out).
    """

    name: str
    people: int = 0
    linked: Counter[str] = field(default_factory=Counter)  # platform → people reachable there
    unreachable: Counter[str] = field(default_factory=Counter)  # linked, but blocked/left
    invited: int = 0
    opted_out: int = 0
    not_reachable: int = 0

    @property
    def any_linked(self) -> int:
        """Set by :func:`status`: people linked on at least one messenger."""
        return self.linked["any"]


async def status(session: AsyncSession) -> list[StatusRow]:
    """One row per gmina (by name; people without one last), then the total."""
    people = list((await session.execute(
        select(Person, col(Gmina.name)).outerjoin(Gmina, col(Gmina.id) == col(Person.gmina_id))
        .where(col(Person.demo) == False))).all())  # noqa: E712
    accounts: dict[int, list[MessengerAccount]] = {}
    for account in (await session.execute(
            select(MessengerAccount).where(col(MessengerAccount.person_id) != None))  # noqa: E711
            ).scalars():
        accounts.setdefault(int(account.person_id or 0), []).append(account)
    ids = {int(p.id or 0) for p, _ in people}
    invitations = await invitations_of(session, ids)
    preferences = await preferences_of(session, ids)
    rows: dict[str, StatusRow] = {}
    total = StatusRow("")
    for person, gmina in people:
        pid = int(person.id or 0)
        row = rows.setdefault(gmina or "", StatusRow(gmina or ""))
        mine = accounts.get(pid, [])
        pref = preferences.get(pid)
        invitation = invitations.get(pid)
        opted_out = pref is not None and pref.opted_out_at is not None
        reachable_on = {a.platform for a in mine if a.reachable}
        for target in (row, total):
            target.people += 1
            for platform in reachable_on:
                target.linked[platform] += 1
            for platform in {a.platform for a in mine if not a.reachable} - reachable_on:
                target.unreachable[platform] += 1
            if reachable_on:
                target.linked["any"] += 1
                continue
            if opted_out:
                target.opted_out += 1
            if invitation is not None and invitation.sent_at is not None and not mine:
                target.invited += 1
            refused = invitation is not None and invitation.state == InvitationState.FAILED \
                and invitation.email == (person.email or "")
            if not person.email or opted_out or refused:
                target.not_reachable += 1
    ordered = sorted(rows.values(), key=lambda r: (r.name == "", r.name))
    return [*ordered, total]

