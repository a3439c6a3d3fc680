"""The directory as a table (the office panel's Katalog): filtered, counted and paged in SQL,
so a page costs the same with 35,000 people as with 35."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, and_, exists, func, select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from store.freshness import stale_condition
from store.models import ContactEntry, Gmina, Person, Role, RoleGrant, Topic

PAGE_SIZE = 50


@dataclass(frozen=True, slots=True)
class ListingFilter:
    """What the table shows: people of a gmina, handling a topic, confirmed on or before
    ``stale_cutoff`` (or never). None: no condition."""

    gmina_id: int | None = None
    topic_id: int | None = None
    stale_cutoff: date | None = None


@dataclass(frozen=True, slots=True)
class ListingRow:
    """One person as the table shows them."""

    id: int
    name: str
    email: str
    position: str
    phone: str
    gmina_id: int | None
    gmina: str
    organisation: str
    confirmed_on: date | None
    topics: tuple[str, ...] = ()
    topics_en: tuple[str, ...] = ()

    def topic_names(self, lang: str) -> tuple[str, ...]:
        """The topics in ``lang`` (Polish where a topic has no English name)."""
        if lang != "en":
            return self.topics
        return tuple(en or pl for pl, en in zip(self.topics, self.topics_en, strict=True))


def _conditions(given: ListingFilter) -> list[ColumnElement[bool]]:
    found: list[ColumnElement[bool]] = []
    if given.gmina_id is not None:
        found.append(col(Person.gmina_id) == given.gmina_id)
    if given.topic_id is not None:
        found.append(exists().where(and_(col(ContactEntry.person_id) == col(Person.id),
                                         col(ContactEntry.topic_id) == given.topic_id)))
    if given.stale_cutoff is not None:
        found.append(stale_condition(given.stale_cutoff))
    return found


_COLUMNS = (col(Person.id), col(Person.name), col(Person.email), col(Person.position),
            col(Person.phone), col(Person.gmina_id), col(Gmina.name), col(Person.organisation),
            col(Person.confirmed_on))


async def count(session: AsyncSession, given: ListingFilter) -> int:
    """How many people the filter shows."""
    return int(await session.scalar(
        select(func.count()).select_from(Person).where(*_conditions(given))) or 0)


async def page(session: AsyncSession, given: ListingFilter, number: int,
               size: int = PAGE_SIZE) -> list[ListingRow]:
    """Page ``number`` (from 1) of the filter's people, by name."""
    rows = (await session.execute(
        select(*_COLUMNS).outerjoin(Gmina, col(Gmina.id) == col(Person.gmina_id))
        .where(*_conditions(given)).order_by(col(Person.name), col(Person.id))
        .offset((max(1, number) - 1) * size).limit(size))).all()
    return await _with_topics(session, [_row(r) for r in rows])


async def ids(session: AsyncSession, given: ListingFilter) -> list[int]:
    """Every id the filter shows (an export of the selection)."""
    return [int(i) for i in (await session.scalars(
        select(col(Person.id)).where(*_conditions(given)))).all() if i is not None]


async def by_ids(session: AsyncSession, person_ids: Sequence[int]) -> list[ListingRow]:
    """The people ``person_ids`` (a page of a search), in that order."""
    if not person_ids:
        return []
    rows = (await session.execute(
        select(*_COLUMNS).outerjoin(Gmina, col(Gmina.id) == col(Person.gmina_id))
        .where(col(Person.id).in_(list(person_ids))))).all()
    found = {r.id: r for r in (_row(row) for row in rows)}
    return await _with_topics(session, [found[i] for i in person_ids if i in found])


def _row(row: Sequence[object]) -> ListingRow:
    pid, name, email, position, phone, gmina_id, gmina, organisation, confirmed = row
    return ListingRow(int(str(pid)), str(name), str(email or ""), str(position or ""),
                      str(phone or ""), int(str(gmina_id)) if gmina_id is not None else None,
                      str(gmina or ""), str(organisation or ""),
                      confirmed if isinstance(confirmed, date) else None)


async def _with_topics(session: AsyncSession, rows: list[ListingRow]) -> list[ListingRow]:
    """The rows with the topics each person handles (one query for the page)."""
    if not rows:
        return rows
    topics: dict[int, list[tuple[str, str]]] = {}
    for pid, name_pl, name_en in (await session.execute(
            select(col(ContactEntry.person_id), col(Topic.name_pl), col(Topic.name_en))
            .join(Topic, col(Topic.id) == col(ContactEntry.topic_id))
            .where(col(ContactEntry.person_id).in_([r.id for r in rows]))
            .order_by(col(Topic.name_pl)))).all():
        pair = (str(name_pl), str(name_en or ""))
        if pair not in topics.setdefault(int(pid), []):
            topics[int(pid)].append(pair)
    return [ListingRow(r.id, r.name, r.email, r.position, r.phone, r.gmina_id, r.gmina,
                       r.organisation, r.confirmed_on,
                       tuple(p for p, _e in topics.get(r.id, [])),
                       tuple(e for _p, e in topics.get(r.id, [])))
            for r in rows]


# --- what a first real import takes away ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DemoPerson:
    """A person of the demo, as the import preview lists those it removes."""

    id: int
    name: str
    email: str
    where: str  # the gmina, or the organisation
    admin: bool


def _demo() -> ColumnElement[bool]:
    return col(Person.demo).is_(True)


def _admin_grant() -> ColumnElement[bool]:
    return and_(col(RoleGrant.role) == Role.ADMIN.value, col(RoleGrant.forum_id).is_(None),
                col(RoleGrant.gmina_id).is_(None))


async def demo_people(session: AsyncSession, *, limit: int) -> list[DemoPerson]:
    """The demo's people by name (at most ``limit``), each marked when they are an admin."""
    is_admin = exists().where(col(RoleGrant.person_id) == col(Person.id), _admin_grant())
    rows = (await session.execute(
        select(col(Person.id), col(Person.name), col(Person.email), col(Gmina.name),
               col(Person.organisation), is_admin)
        .outerjoin(Gmina, col(Gmina.id) == col(Person.gmina_id))
        .where(_demo()).order_by(col(Person.name), col(Person.id)).limit(limit))).all()
    return [DemoPerson(int(pid), str(name), str(email or ""), str(gmina or organisation or ""),
                       bool(admin))
            for pid, name, email, gmina, organisation, admin in rows]


async def admins(session: AsyncSession, *, demo: bool) -> int:
    """People holding the association-wide admin role, of the demo or outside it."""
    condition = _demo() if demo else col(Person.demo).is_not(True)
    return int(await session.scalar(
        select(func.count(func.distinct(col(RoleGrant.person_id))))
        .join(Person, col(Person.id) == col(RoleGrant.person_id))
        .where(_admin_grant(), condition)) or 0)
