"""Forums and their members: the SQL of forum administration (create, rename, remove or
archive a forum, add and remove members, who belongs where)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, delete, exists, func, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from store.calendar_models import Deadline, Event
from store.forum_models import ForumArchive, Question
from store.models import Forum, ForumMember, Gmina, Person, Role, RoleGrant, Topic, utcnow


@dataclass(frozen=True, slots=True)
class MemberRow:
    """One person of a forum: a member, a moderator, or both."""

    person: Person
    gmina: str
    member: bool
    moderator: bool


@dataclass(frozen=True, slots=True)
class History:
    """What a forum has that deleting it would lose."""

    questions: int
    events: int

    @property
    def empty(self) -> bool:
        """Nothing would be lost."""
        return not (self.questions or self.events)


def _not_archived() -> ColumnElement[bool]:
    return ~exists().where(ForumArchive.forum_id == Forum.id)  # type: ignore[arg-type]


async def find_forum(session: AsyncSession, key: str) -> tuple[Forum, bool] | None:
    """A forum by its key, case-insensitively, with whether it is archived."""
    forum = (await session.execute(
        select(Forum).where(Forum.key == key.strip().upper())  # type: ignore[arg-type]
    )).scalars().first()
    if forum is None:
        return None
    archived = await session.get(ForumArchive, forum.id)
    return forum, archived is not None


async def active_forums(session: AsyncSession) -> list[Forum]:
    """Every forum not archived, by key."""
    return list((await session.execute(
        select(Forum).where(_not_archived()).order_by(Forum.key)  # type: ignore[arg-type]
    )).scalars())


async def topic_by_key(session: AsyncSession, key: str) -> Topic | None:
    """A topic of the thesaurus by its key (``lacznik topics list``)."""
    return (await session.execute(
        select(Topic).where(Topic.key == key.strip().lower())  # type: ignore[arg-type]
    )).scalars().first()


async def create_forum(session: AsyncSession, *, key: str, name_pl: str, name_en: str,
                       topic_id: int | None) -> Forum:
    """A new forum (the caller checked the key is free)."""
    forum = Forum(key=key, name_pl=name_pl, name_en=name_en, topic_id=topic_id)
    session.add(forum)
    await session.flush()
    return forum


async def history(session: AsyncSession, forum_id: int) -> History:
    """Questions (asked there or moved away from it) and calendar entries of a forum."""
    questions = await session.scalar(select(func.count()).select_from(Question).where(
        or_(Question.forum_id == forum_id, Question.moved_from == forum_id)))  # type: ignore[arg-type]
    events = await session.scalar(select(func.count()).select_from(Event).where(
        Event.forum_id == forum_id))  # type: ignore[arg-type]
    deadlines = await session.scalar(select(func.count()).select_from(Deadline).where(
        Deadline.forum_id == forum_id))  # type: ignore[arg-type]
    return History(int(questions or 0), int(events or 0) + int(deadlines or 0))


async def delete_forum(session: AsyncSession, forum_id: int) -> None:
    """Delete a forum without history; its groups, memberships and moderator roles go with
    it (foreign keys cascade)."""
    # Explicit deletes as well: the cascade is the database's, these keep the session honest.
    await session.execute(delete(ForumMember).where(ForumMember.forum_id == forum_id))  # type: ignore[arg-type]
    await session.execute(delete(RoleGrant).where(RoleGrant.forum_id == forum_id))  # type: ignore[arg-type]
    await session.execute(delete(Forum).where(Forum.id == forum_id))  # type: ignore[arg-type]


async def archive_forum(session: AsyncSession, forum_id: int, *, by: int | None) -> None:
    """Mark a forum archived (its rows stay)."""
    if await session.get(ForumArchive, forum_id) is None:
        session.add(ForumArchive(forum_id=forum_id, archived_at=utcnow(), archived_by=by))
        await session.flush()


async def people_by_email(session: AsyncSession, emails: Iterable[str]) -> dict[str, Person]:
    """The directory's people among ``emails`` (lower case), by e-mail."""
    wanted = sorted({e.strip().lower() for e in emails if e.strip()})
    found: dict[str, Person] = {}
    for start in range(0, len(wanted), 500):  # bounded IN lists
        chunk = wanted[start:start + 500]
        for person in (await session.execute(select(Person).where(
                Person.email.in_(chunk)))).scalars():  # type: ignore[union-attr]
            found[str(person.email)] = person
    return found


async def member_ids(session: AsyncSession, forum_id: int) -> set[int]:
    """People with a membership row in the forum."""
    return set((await session.execute(select(ForumMember.person_id).where(
        ForumMember.forum_id == forum_id))).scalars())  # type: ignore[arg-type]


async def moderator_ids(session: AsyncSession, forum_id: int) -> set[int]:
    """People holding ``forum_moderator`` for the forum."""
    return set((await session.execute(select(RoleGrant.person_id).where(
        RoleGrant.forum_id == forum_id,  # type: ignore[arg-type]
        RoleGrant.role == Role.FORUM_MODERATOR.value))).scalars())  # type: ignore[arg-type]


async def add_members(session: AsyncSession, forum_id: int, person_ids: Iterable[int]) -> None:
    """Make people members (those already members are skipped)."""
    present = await member_ids(session, forum_id)
    for person_id in sorted(set(person_ids) - present):
        session.add(ForumMember(forum_id=forum_id, person_id=person_id))
    await session.flush()


async def remove_members(session: AsyncSession, forum_id: int, person_ids: Iterable[int]
                         ) -> None:
    """Take people out of a forum: their membership and their moderator role there."""
    ids = list(set(person_ids))
    if not ids:
        return
    await session.execute(delete(ForumMember).where(
        ForumMember.forum_id == forum_id, ForumMember.person_id.in_(ids)))  # type: ignore[arg-type,attr-defined]
    await revoke_moderators(session, forum_id, ids)


async def grant_moderators(session: AsyncSession, forum_id: int, person_ids: Iterable[int]
                           ) -> None:
    """Give people the forum's moderator role (those holding it are skipped)."""
    present = await moderator_ids(session, forum_id)
    for person_id in sorted(set(person_ids) - present):
        session.add(RoleGrant(person_id=person_id, role=Role.FORUM_MODERATOR.value,
                              forum_id=forum_id))
    await session.flush()


async def revoke_moderators(session: AsyncSession, forum_id: int, person_ids: Iterable[int]
                            ) -> None:
    """Take the forum's moderator role from people."""
    ids = list(set(person_ids))
    if ids:
        await session.execute(delete(RoleGrant).where(
            RoleGrant.forum_id == forum_id,  # type: ignore[arg-type]
            RoleGrant.role == Role.FORUM_MODERATOR.value,  # type: ignore[arg-type]
            RoleGrant.person_id.in_(ids)))  # type: ignore[attr-defined]


async def members_of(session: AsyncSession, forum_id: int) -> list[MemberRow]:
    """Members and moderators of a forum, by name."""
    members = await member_ids(session, forum_id)
    moderators = await moderator_ids(session, forum_id)
    ids = members | moderators
    if not ids:
        return []
    rows = await session.execute(
        select(Person, Gmina.name).outerjoin(Gmina, Gmina.id == Person.gmina_id)  # type: ignore[arg-type]
        .where(Person.id.in_(ids)))  # type: ignore[union-attr]
    result = [MemberRow(person, gmina or person.organisation, person.id in members,
                        person.id in moderators) for person, gmina in rows]
    return sorted(result, key=lambda row: (row.person.name.lower(), row.person.id or 0))
