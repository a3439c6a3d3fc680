"""The SQL of the panel's "Osoby i role" and "Dziennik zdarzeń" pages: people with their roles
and messengers (one page at a time), role changes that never leave the association without
an admin, and the audit log filtered and paged in SQL.

A repository function never commits: the handler that opened the session does.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, and_, delete, exists, func, or_, select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from store.db import affected_rows
from store.forum_models import ForumArchive
from store.forums import add_members
from store.models import AuditLog, Forum, Gmina, MessengerAccount, Person, Role, RoleGrant

PER_PAGE = 50
ROLE_FILTERS = ("admin", "gmina_coordinator", "forum_moderator", "none")
_PERSON_ACTOR = re.compile(r"^(?:panel:)?person:(\d+)\b")
T = TypeVar("T")
# What an actor is stored as, typed as such ("person:12", "cli", "telegram:7000"): no name.
_ACTOR_ID = re.compile(r"^(?:[a-z]+:[\w:.@-]*|cli|system|unlinked)$")


def text_variants(text: str) -> list[str]:
    """The spellings to match ``text`` in, case-insensitively. ILIKE folds ASCII letters
    everywhere, but SQLite folds nothing else (and PostgreSQL only under a Unicode-aware
    locale), so "łukasz" must also be looked for as "Łukasz"; ASCII text needs one."""
    text = text.strip()[:100]
    if not text:
        return []
    if text.isascii():
        return [text.lower()]
    # ILIKE folds the ASCII letters itself: spellings that differ only there are one.
    folded = {_fold_ascii(v): v for v in (text.lower(), text.title(), text.upper())}
    return sorted(folded.values())


def _fold_ascii(text: str) -> str:
    return "".join(c.lower() if c.isascii() else c for c in text)


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _contains(column: Any, text: str) -> ColumnElement[bool]:
    """``column`` (a model's text attribute) contains ``text``, case-insensitively; wildcards
    in ``text`` are taken as text."""
    return or_(*(col(column).ilike(_like(v), escape="\\") for v in text_variants(text)))


def _lower_contains(column: Any, text: str) -> ColumnElement[bool]:
    """``column``, stored lower-case (e-mails), contains ``text``."""
    return col(column).like(_like(text.strip()[:100].lower()), escape="\\")


# --- people ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RoleRow:
    """One grant with its scope named."""

    role: str
    forum_id: int | None = None
    forum_key: str = ""
    gmina_id: int | None = None
    gmina_name: str = ""


@dataclass(frozen=True, slots=True)
class AccountRow:
    """One linked messenger account: where, and whether the bot can reach the person there."""

    platform: str
    reachable: bool
    reason: str = ""


@dataclass(frozen=True, slots=True)
class PersonRow:
    """One person as the people page shows them (no contact data but the e-mail)."""

    id: int
    name: str
    email: str
    gmina_id: int | None
    gmina_name: str
    organisation: str
    roles: list[RoleRow] = field(default_factory=list)
    accounts: list[AccountRow] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class PeopleFilter:
    """What the people list is narrowed to. ``gmina_ids`` None: every gmina (admins); a set:
    people of those gminy only (a coordinator's read-only view)."""

    query: str = ""
    role: str = ""
    gmina_ids: frozenset[int] | None = None


@dataclass(frozen=True, slots=True)
class Paged(Generic[T]):
    """One page of rows and how many there are in all."""

    rows: list[T]
    total: int
    page: int
    per_page: int = PER_PAGE

    @property
    def pages(self) -> int:
        """How many pages the rows fill (at least one)."""
        return max(1, -(-self.total // self.per_page))


def _people_conditions(filters: PeopleFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if filters.query.strip():
        conditions.append(or_(_contains(Person.name, filters.query),
                              _lower_contains(Person.email, filters.query)))
    if filters.gmina_ids is not None:
        conditions.append(col(Person.gmina_id).in_(sorted(filters.gmina_ids) or [-1]))
    if filters.role in ("admin", "gmina_coordinator", "forum_moderator"):
        conditions.append(exists().where(col(RoleGrant.person_id) == col(Person.id),
                                         col(RoleGrant.role) == filters.role))
    elif filters.role == "none":
        conditions.append(~exists().where(col(RoleGrant.person_id) == col(Person.id)))
    return conditions


async def people_page(session: AsyncSession, filters: PeopleFilter, page: int = 1,
                      per_page: int = PER_PAGE) -> Paged[PersonRow]:
    """One page of people by name, with their roles and accounts (three small queries
    besides the count, whatever the directory's size)."""
    conditions = _people_conditions(filters)

    async def one_page(number: int) -> tuple[list[tuple[Person, str | None]], int]:
        # The total rides along as a window count: one pass over the matches, not two.
        found = (await session.execute(
            select(Person, col(Gmina.name), func.count().over())
            .outerjoin(Gmina, col(Gmina.id) == col(Person.gmina_id))
            .where(*conditions).order_by(col(Person.name), col(Person.id))
            .offset((number - 1) * per_page).limit(per_page))).all()
        return [(p, g) for p, g, _ in found], int(found[0][2]) if found else 0

    page = max(1, page)
    if not conditions:  # everyone: counting the table is cheap, a window over it is not
        total = int((await session.execute(select(func.count()).select_from(Person)))
                    .scalar_one())
        page = min(page, max(1, -(-total // per_page)))
        people = [(p, g) for p, g in (await session.execute(
            select(Person, col(Gmina.name))
            .outerjoin(Gmina, col(Gmina.id) == col(Person.gmina_id))
            .order_by(col(Person.name), col(Person.id))
            .offset((page - 1) * per_page).limit(per_page))).all()]
        return Paged(await _rows(session, people), total, page, per_page)
    people, total = await one_page(page)
    if not people and page > 1:  # past the end (the list shrank): the last page instead
        total = int((await session.execute(
            select(func.count()).select_from(Person).where(*conditions))).scalar_one())
        page = max(1, -(-total // per_page))
        people, total = await one_page(page)
    return Paged(await _rows(session, people), total, page, per_page)


async def person_row(session: AsyncSession, person_id: int) -> PersonRow | None:
    """One person with roles and accounts, or None."""
    found = (await session.execute(
        select(Person, col(Gmina.name)).outerjoin(Gmina, col(Gmina.id) == col(Person.gmina_id))
        .where(col(Person.id) == person_id))).first()
    if found is None:
        return None
    return (await _rows(session, [(found[0], found[1])]))[0]


async def _rows(session: AsyncSession, people: list[tuple[Person, str | None]]
                ) -> list[PersonRow]:
    ids = [int(p.id or 0) for p, _ in people]
    roles: dict[int, list[RoleRow]] = {i: [] for i in ids}
    accounts: dict[int, list[AccountRow]] = {i: [] for i in ids}
    if ids:
        grants = await session.execute(
            select(col(RoleGrant.person_id), col(RoleGrant.role), col(RoleGrant.forum_id),
                   col(Forum.key), col(RoleGrant.gmina_id), col(Gmina.name))
            .outerjoin(Forum, col(Forum.id) == col(RoleGrant.forum_id))
            .outerjoin(Gmina, col(Gmina.id) == col(RoleGrant.gmina_id))
            .where(col(RoleGrant.person_id).in_(ids))
            .order_by(col(RoleGrant.role), col(Forum.key), col(Gmina.name)))
        for pid, role, forum_id, forum_key, gmina_id, gmina_name in grants:
            roles[pid].append(RoleRow(role, forum_id, forum_key or "", gmina_id,
                                      gmina_name or ""))
        linked = await session.execute(
            select(col(MessengerAccount.person_id), col(MessengerAccount.platform),
                   col(MessengerAccount.reachable), col(MessengerAccount.unreachable_reason))
            .where(col(MessengerAccount.person_id).in_(ids))
            .order_by(col(MessengerAccount.platform), col(MessengerAccount.id)))
        for pid, platform, reachable, reason in linked:
            accounts[pid].append(AccountRow(platform, bool(reachable), reason or ""))
    return [PersonRow(int(p.id or 0), p.name, p.email or "", p.gmina_id, gmina or "",
                      p.organisation, roles[int(p.id or 0)], accounts[int(p.id or 0)])
            for p, gmina in people]


async def forum_choices(session: AsyncSession, lang: str = "pl"
                        ) -> list[tuple[int, str, str]]:
    """Every forum in use (not archived) as (id, key, name in ``lang``), by key: the
    moderator role's scope. The Polish name stands in where there is no English one (as
    ``commands.render.forum_name`` does in chat)."""
    rows = await session.execute(
        select(col(Forum.id), col(Forum.key), col(Forum.name_pl), col(Forum.name_en))
        .where(~exists().where(col(ForumArchive.forum_id) == col(Forum.id)))
        .order_by(col(Forum.key)))
    return [(int(i), str(k), str(en if lang == "en" and en else pl))
            for i, k, pl, en in rows]


# --- role changes ---------------------------------------------------------------------------


class RoleRefused(Exception):
    """A role change that must not happen. ``reason``: ``last_admin``, ``needs_forum``,
    ``needs_gmina``, ``unknown_person``, ``unknown_forum``, ``unknown_gmina``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


async def change_role(session: AsyncSession, person_id: int, role: Role, *, grant: bool,
                      forum_id: int | None = None, gmina_id: int | None = None) -> bool:
    """Grant or revoke ``role`` (scoped as the role needs: admin none, a coordinator a gmina,
    a moderator a forum). False when nothing changed. Revoking the last admin raises
    :class:`RoleRefused` ("last_admin"); the caller then rolls back and nothing changed.
    Two admins revoking each other at once cannot both succeed: whoever comes second sees
    the first one's revoke (the write lock on SQLite, the grants locked on PostgreSQL)."""
    if role == Role.ADMIN or role == Role.MEMBER:
        forum_id = gmina_id = None
    if role == Role.FORUM_MODERATOR:
        gmina_id = None
        if forum_id is None:
            raise RoleRefused("needs_forum")
        if await session.get(Forum, forum_id) is None:
            raise RoleRefused("unknown_forum")
    if role == Role.GMINA_COORDINATOR:
        forum_id = None
        if gmina_id is None:
            raise RoleRefused("needs_gmina")
        if await session.get(Gmina, gmina_id) is None:
            raise RoleRefused("unknown_gmina")
    if await session.get(Person, person_id) is None:
        raise RoleRefused("unknown_person")
    same = and_(col(RoleGrant.person_id) == person_id, col(RoleGrant.role) == role.value,
                col(RoleGrant.forum_id).is_(None) if forum_id is None
                else col(RoleGrant.forum_id) == forum_id,
                col(RoleGrant.gmina_id).is_(None) if gmina_id is None
                else col(RoleGrant.gmina_id) == gmina_id)
    if grant:
        if role == Role.FORUM_MODERATOR and forum_id is not None:
            # As in forum administration: a moderator belongs to the forum too.
            await add_members(session, forum_id, [person_id])
        if (await session.execute(select(col(RoleGrant.id)).where(same))).first():
            return False
        session.add(RoleGrant(person_id=person_id, role=role.value, forum_id=forum_id,
                              gmina_id=gmina_id))
        await session.flush()
        return True
    admin = col(RoleGrant.role) == Role.ADMIN.value
    if role == Role.ADMIN:
        # PostgreSQL: lock the admin grants, so a second revoke waits for this one and then
        # sees what it left. SQLite: the DELETE below takes the one write lock first.
        await session.execute(select(col(RoleGrant.id)).where(admin).with_for_update())
    result = await session.execute(delete(RoleGrant).where(same))
    removed = bool(affected_rows(result))
    if removed and role == Role.ADMIN and not (await session.execute(
            select(col(RoleGrant.id)).where(admin).limit(1))).first():
        raise RoleRefused("last_admin")  # the caller rolls back: the grant stays
    return removed


# --- the audit log --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AuditFilter:
    """What the audit log is narrowed to; times are UTC bounds (``until`` exclusive)."""

    actor: str = ""
    action: str = ""
    target: str = ""
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True, slots=True)
class AuditRow:
    """One audit entry as stored; ``actor_id``/``target_id``: the person the actor or the
    target names, if one (the page links to them instead of showing more about them)."""

    id: int
    at: datetime
    actor: str
    action: str
    target: str
    details: str

    @property
    def actor_id(self) -> int | None:
        """The acting person's id, if the actor is a person."""
        return actor_person(self.actor)

    @property
    def target_id(self) -> int | None:
        """The person acted on, if the target is a person."""
        return actor_person(self.target)


async def _audit_conditions(session: AsyncSession, filters: AuditFilter
                            ) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if filters.actor.strip():
        # The actor is stored as "person:12" (or "person:12 via telegram:…", "panel:person:12",
        # "cli"): a name or an e-mail is looked up first, then matched by id.
        matches = [_contains(AuditLog.actor, filters.actor)]
        people: Sequence[int] = []
        named = actor_person(filters.actor.strip())
        if named is not None:
            # Any stored form of a person finds all of them ("panel:person:12" finds
            # "person:12 via telegram:…" too), and "person:1" does not find "person:12".
            matches, people = [], [named]
        elif not _ACTOR_ID.match(filters.actor.strip()):
            people = (await session.execute(
                select(col(Person.id)).where(or_(_contains(Person.name, filters.actor),
                                                 _lower_contains(Person.email, filters.actor)))
                .limit(50))).scalars().all()
        for pid in people:
            matches += [col(AuditLog.actor).in_([f"person:{pid}", f"panel:person:{pid}"]),
                        col(AuditLog.actor).like(f"person:{pid} %")]
        conditions.append(or_(*matches))
    if filters.action.strip():
        conditions.append(col(AuditLog.action) == filters.action.strip())
    if filters.target.strip():
        conditions.append(or_(_contains(AuditLog.target, filters.target),
                              _contains(AuditLog.details, filters.target)))
    if filters.since is not None:
        conditions.append(col(AuditLog.at) >= filters.since)
    if filters.until is not None:
        conditions.append(col(AuditLog.at) < filters.until)
    return conditions


async def audit_page(session: AsyncSession, filters: AuditFilter, page: int = 1,
                     per_page: int = PER_PAGE) -> Paged[AuditRow]:
    """One page of the audit log, newest first."""
    conditions = await _audit_conditions(session, filters)
    total = int((await session.execute(
        select(func.count()).select_from(AuditLog).where(*conditions))).scalar_one())
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    rows = list((await session.execute(
        select(AuditLog).where(*conditions).order_by(col(AuditLog.at).desc(),
                                                     col(AuditLog.id).desc())
        .offset((page - 1) * per_page).limit(per_page))).scalars())
    return Paged(_as_rows(rows), total, page, per_page)


async def audit_rows(session: AsyncSession, filters: AuditFilter, *, chunk: int = 1000,
                     limit: int = 100_000) -> AsyncIterator[list[AuditRow]]:
    """Every matching entry, newest first, ``chunk`` at a time (an export; never all rows in
    memory at once), at most ``limit``."""
    conditions = await _audit_conditions(session, filters)
    last: tuple[datetime, int] | None = None
    given = 0
    while given < limit:
        query = select(AuditLog).where(*conditions)
        if last is not None:  # keyset paging: a deep page costs what the first does
            query = query.where(or_(col(AuditLog.at) < last[0],
                                    and_(col(AuditLog.at) == last[0],
                                         col(AuditLog.id) < last[1])))
        rows = list((await session.execute(
            query.order_by(col(AuditLog.at).desc(), col(AuditLog.id).desc())
            .limit(min(chunk, limit - given)))).scalars())
        if not rows:
            return
        given += len(rows)
        last = (rows[-1].at, int(rows[-1].id or 0))
        yield _as_rows(rows)


async def audit_actions(session: AsyncSession) -> list[str]:
    """The actions the log holds, for the filter's choices."""
    return [str(a) for a in (await session.execute(
        select(col(AuditLog.action)).distinct().order_by(col(AuditLog.action)))).scalars()]


async def names_of(session: AsyncSession, ids: Iterable[int]) -> dict[int, str]:
    """The names of these people (one query; a forgotten person is simply absent)."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = await session.execute(select(col(Person.id), col(Person.name))
                                 .where(col(Person.id).in_(wanted)))
    return {int(i): str(n) for i, n in rows}


def actor_person(actor: str) -> int | None:
    """The person id of an actor (or target) stored as "person:12…" or "panel:person:12",
    else None."""
    found = _PERSON_ACTOR.match(actor)
    return int(found.group(1)) if found else None


def _as_rows(rows: Iterable[AuditLog]) -> list[AuditRow]:
    return [AuditRow(int(r.id or 0), r.at, r.actor, r.action, r.target, r.details)
            for r in rows]


__all__ = ["PER_PAGE", "ROLE_FILTERS", "AccountRow", "AuditFilter", "AuditRow", "Paged",
           "PeopleFilter", "PersonRow", "RoleRefused", "RoleRow", "actor_person",
           "audit_actions", "audit_page", "audit_rows", "change_role", "forum_choices",
           "names_of", "people_page", "person_row", "text_variants"]
