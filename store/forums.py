"""Forums and their members: the SQL of forum administration (create, rename, remove or
archive a forum, add and remove members, who belongs where).

The forum repositories are this module, :mod:`store.forum_groups` (groups on the
messengers), :mod:`store.forum_questions` (questions, answers, the archive's version) and
:mod:`store.forum_copies` (where the bot put them, read from the outbox). Who commits is one
rule for all of them: **a repository function never commits** (it adds, flushes and reads in
the session it is given); the service or handler that opened the session (``async with
db.session()``) commits it once, at the end of its use case, or not at all when it refused.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, delete, exists, func, or_, select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from store.calendar_models import Deadline, Event
from store.forum_models import ForumArchive, ForumGroup, Question
from store.forum_questions import open_stats
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
    return ~exists().where(col(ForumArchive.forum_id) == col(Forum.id))


async def active_forum(session: AsyncSession, key: str) -> Forum | None:
    """A forum by its key, case-insensitively; an archived forum is no longer found."""
    return (await session.execute(select(Forum).where(
        col(Forum.key) == key.strip().upper(), _not_archived(),
    ))).scalars().first()


async def forum_by_id(session: AsyncSession, forum_id: int) -> Forum | None:
    """A forum by its id (archived or not)."""
    return await session.get(Forum, forum_id)


async def rename_forum(session: AsyncSession, forum: Forum, name_pl: str,
                       name_en: str | None) -> None:
    """New names for a forum (``name_en`` None: the English one stays)."""
    forum.name_pl = name_pl
    if name_en is not None:
        forum.name_en = name_en
    session.add(forum)


async def member_forums(session: AsyncSession, person_id: int) -> set[int]:
    """Forums a person belongs to: as a member or as a moderator."""
    members = set((await session.execute(select(col(ForumMember.forum_id)).where(
        col(ForumMember.person_id) == person_id))).scalars())
    moderated = set((await session.execute(select(col(RoleGrant.forum_id)).where(
        col(RoleGrant.person_id) == person_id,
        col(RoleGrant.role) == Role.FORUM_MODERATOR.value))).scalars())
    return members | {f for f in moderated if f is not None}


async def person_by_id(session: AsyncSession, person_id: int) -> Person | None:
    """A person of the directory by id."""
    return await session.get(Person, person_id)


async def chosen_language(session: AsyncSession, person_id: int | None) -> str | None:
    """The language a person chose for the bot's messages (None: never chose, or unknown)."""
    person = await session.get(Person, person_id) if person_id else None
    return person.language if person else None


async def place_of(session: AsyncSession, person: Person) -> str:
    """Where a person works: their gmina's name, else their organisation ("" if neither)."""
    gmina = await session.get(Gmina, person.gmina_id) if person.gmina_id else None
    return gmina.name if gmina else person.organisation


async def find_forum(session: AsyncSession, key: str) -> tuple[Forum, bool] | None:
    """A forum by its key, case-insensitively, with whether it is archived."""
    forum = (await session.execute(
        select(Forum).where(col(Forum.key) == key.strip().upper())
    )).scalars().first()
    if forum is None:
        return None
    archived = await session.get(ForumArchive, forum.id)
    return forum, archived is not None


async def active_forums(session: AsyncSession) -> list[Forum]:
    """Every forum not archived, by key."""
    return list((await session.execute(
        select(Forum).where(_not_archived()).order_by(col(Forum.key))
    )).scalars())


async def topic_by_key(session: AsyncSession, key: str) -> Topic | None:
    """A topic of the thesaurus by its key (``lacznik topics list``)."""
    return (await session.execute(
        select(Topic).where(col(Topic.key) == key.strip().lower())
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
        or_(col(Question.forum_id) == forum_id, col(Question.moved_from) == forum_id)))
    events = await session.scalar(select(func.count()).select_from(Event).where(
        col(Event.forum_id) == forum_id))
    deadlines = await session.scalar(select(func.count()).select_from(Deadline).where(
        col(Deadline.forum_id) == forum_id))
    return History(int(questions or 0), int(events or 0) + int(deadlines or 0))


async def delete_forum(session: AsyncSession, forum_id: int) -> None:
    """Delete a forum without history; its groups, memberships and moderator roles go with
    it (foreign keys cascade)."""
    # Explicit deletes as well: the cascade is the database's, these keep the session honest.
    await session.execute(delete(ForumMember).where(col(ForumMember.forum_id) == forum_id))
    await session.execute(delete(RoleGrant).where(col(RoleGrant.forum_id) == forum_id))
    await session.execute(delete(Forum).where(col(Forum.id) == forum_id))


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
                col(Person.email).in_(chunk)))).scalars():
            found[str(person.email)] = person
    return found


async def member_ids(session: AsyncSession, forum_id: int) -> set[int]:
    """People with a membership row in the forum."""
    return set((await session.execute(select(col(ForumMember.person_id)).where(
        col(ForumMember.forum_id) == forum_id))).scalars())


async def moderator_ids(session: AsyncSession, forum_id: int) -> set[int]:
    """People holding ``forum_moderator`` for the forum."""
    return set((await session.execute(select(col(RoleGrant.person_id)).where(
        col(RoleGrant.forum_id) == forum_id,
        col(RoleGrant.role) == Role.FORUM_MODERATOR.value))).scalars())


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
        col(ForumMember.forum_id) == forum_id, col(ForumMember.person_id).in_(ids)))
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
            col(RoleGrant.forum_id) == forum_id,
            col(RoleGrant.role) == Role.FORUM_MODERATOR.value,
            col(RoleGrant.person_id).in_(ids)))


async def members_of(session: AsyncSession, forum_id: int) -> list[MemberRow]:
    """Members and moderators of a forum, by name."""
    members = await member_ids(session, forum_id)
    moderators = await moderator_ids(session, forum_id)
    ids = members | moderators
    if not ids:
        return []
    rows = await session.execute(
        select(Person, col(Gmina.name)).outerjoin(Gmina, col(Gmina.id) == col(Person.gmina_id))
        .where(col(Person.id).in_(ids)))
    result = [MemberRow(person, gmina or person.organisation, person.id in members,
                        person.id in moderators) for person, gmina in rows]
    return sorted(result, key=lambda row: (row.person.name.lower(), row.person.id or 0))


# --- the panel's views: counted and paged in SQL ---------------------------------------------

@dataclass(slots=True)
class ForumSummary:
    """A forum as the panel lists it."""

    forum: Forum
    members: int = 0
    moderators: list[str] = field(default_factory=list)  # names
    groups: dict[str, int] = field(default_factory=dict)  # messenger → linked groups
    unanswered: int = 0
    oldest: datetime | None = None  # when the longest-waiting open question was asked


async def forum_summaries(session: AsyncSession, forum_ids: Iterable[int] | None = None
                          ) -> list[ForumSummary]:
    """Active forums (``forum_ids`` None: every one) with their counts, by key: a handful of
    grouped queries however many members and questions there are."""
    query = select(Forum).where(_not_archived()).order_by(col(Forum.key))
    if forum_ids is not None:
        query = query.where(col(Forum.id).in_(list(forum_ids)))
    summaries = {int(f.id or 0): ForumSummary(f) for f in (await session.execute(query)).scalars()}
    if not summaries:
        return []
    ids = list(summaries)
    for forum_id, count in await session.execute(
            select(col(ForumMember.forum_id), func.count()).where(
                col(ForumMember.forum_id).in_(ids)).group_by(col(ForumMember.forum_id))):
        summaries[int(forum_id)].members = int(count)
    for forum_id, name in await session.execute(
            select(col(RoleGrant.forum_id), col(Person.name))
            .join(Person, col(Person.id) == col(RoleGrant.person_id))
            .where(col(RoleGrant.forum_id).in_(ids),
                   col(RoleGrant.role) == Role.FORUM_MODERATOR.value)
            .order_by(col(Person.name))):
        summaries[int(forum_id)].moderators.append(str(name))
    for forum_id, platform, count in await session.execute(
            select(col(ForumGroup.forum_id), col(ForumGroup.platform), func.count())
            .where(col(ForumGroup.forum_id).in_(ids))
            .group_by(col(ForumGroup.forum_id), col(ForumGroup.platform))
            .order_by(col(ForumGroup.platform))):
        summaries[int(forum_id)].groups[str(platform)] = int(count)
    for forum_id, stats in (await open_stats(session, ids)).items():
        summaries[forum_id].unanswered, summaries[forum_id].oldest = stats.count, stats.oldest
    return list(summaries.values())


def _people_of(forum_id: int) -> ColumnElement[bool]:
    """The person is a member or a moderator of the forum."""
    return or_(
        col(Person.id).in_(select(col(ForumMember.person_id)).where(
            col(ForumMember.forum_id) == forum_id)),
        col(Person.id).in_(select(col(RoleGrant.person_id)).where(
            col(RoleGrant.forum_id) == forum_id,
            col(RoleGrant.role) == Role.FORUM_MODERATOR.value)))


def _matching(text: str) -> ColumnElement[bool]:
    """Name or e-mail containing ``text`` (any case; SQLite's lower() folds only ASCII, so the
    name is also matched as typed: "Łuk" finds "Łukasz")."""
    def pattern(value: str) -> str:
        escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return f"%{escaped}%"

    typed = text.strip()
    return or_(func.lower(col(Person.name)).like(pattern(typed.lower()), escape="\\"),
               col(Person.name).like(pattern(typed), escape="\\"),
               func.lower(col(Person.email)).like(pattern(typed.lower()), escape="\\"))


async def member_page(session: AsyncSession, forum_id: int, *, text: str = "", offset: int,
                      limit: int) -> tuple[list[MemberRow], int]:
    """A page of a forum's members and moderators by name (``text``: only names or e-mails
    containing it), with how many there are in all."""
    where = [_people_of(forum_id)] + ([_matching(text)] if text.strip() else [])
    total = int(await session.scalar(select(func.count()).select_from(Person).where(*where))
                or 0)
    rows = list(await session.execute(
        select(Person, col(Gmina.name)).outerjoin(Gmina, col(Gmina.id) == col(Person.gmina_id))
        .where(*where).order_by(func.lower(col(Person.name)), col(Person.id))
        .offset(offset).limit(limit)))
    ids = [int(person.id or 0) for person, _ in rows]
    members: set[int] = set()
    moderators: set[int] = set()
    if ids:
        members = set((await session.execute(select(col(ForumMember.person_id)).where(
            col(ForumMember.forum_id) == forum_id, col(ForumMember.person_id).in_(ids),
        ))).scalars())
        moderators = set((await session.execute(select(col(RoleGrant.person_id)).where(
            col(RoleGrant.forum_id) == forum_id,
            col(RoleGrant.role) == Role.FORUM_MODERATOR.value,
            col(RoleGrant.person_id).in_(ids),
        ))).scalars())
    return [MemberRow(person, gmina or person.organisation, person.id in members,
                      person.id in moderators) for person, gmina in rows], total


async def directory_matches(session: AsyncSession, forum_id: int, text: str, *,
                            limit: int = 20) -> list[tuple[Person, str]]:
    """People of the directory with an e-mail, not yet in the forum, whose name or e-mail
    contains ``text``, with their gmina (or organisation): whom to add."""
    if not text.strip():
        return []
    rows = await session.execute(
        select(Person, col(Gmina.name)).outerjoin(Gmina, col(Gmina.id) == col(Person.gmina_id))
        .where(_matching(text), col(Person.email).is_not(None), ~_people_of(forum_id))
        .order_by(func.lower(col(Person.name)), col(Person.id)).limit(limit))
    return [(person, gmina or person.organisation) for person, gmina in rows]
