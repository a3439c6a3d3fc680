"""Removing what the demo created, and nothing else.

The demo (``bots/sample_data``) marks its rows: ``person.demo``, ``forum.demo``,
``gmina.demo``. Everything that hangs on a demo person or a demo forum — their messenger
accounts, roles, memberships, announcements, questions and answers, events, deadlines,
reminders and the outbox rows of all these — is the demo's too and goes with them. Rows of
real people and real forums are never touched: a real role, a real person's data, a group
registration stay.

The first real import and ``lacznik demo clear`` call :func:`remove_demo` inside their own
transaction, so a dry run rolls all of it back after counting.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Column, Select, Table, delete, exists, func, or_, select, update
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import SQLModel, col
from sqlmodel.ext.asyncio.session import AsyncSession

from store.announcement_models import Announcement
from store.calendar_models import Deadline, Event, PersonalReminder, ReminderGap
from store.db import affected_rows, table_of
from store.forum_models import Answer, ForumGroup, Question, question_sources
from store.models import (
    Delivery,
    Forum,
    ForumMember,
    Gmina,
    GminaForm,
    MessengerAccount,
    Meta,
    Person,
    RoleGrant,
)

# Set once the demo was cleared: an emptied directory is not filled with the demo again.
DEMO_CLEARED_KEY = "demo_cleared"

# Kinds in the order they are reported (keys of the texts ``demo.kind.<kind>``).
KINDS = (
    "people", "accounts", "roles", "forums", "forum_members", "forum_groups",
    "announcements", "questions", "answers", "events", "deadlines", "reminders",
    "deliveries", "gminy", "other",
)


@dataclass(slots=True)
class DemoRemoval:
    """What removing the demo removed (or, in a dry run, would remove), by kind."""

    counts: dict[str, int] = field(default_factory=dict)

    def add(self, kind: str, count: int) -> None:
        """Count ``count`` more rows of ``kind``."""
        if count:
            self.counts[kind] = self.counts.get(kind, 0) + count

    @property
    def total(self) -> int:
        """Rows removed in all."""
        return sum(self.counts.values())

    def items(self) -> list[tuple[str, int]]:
        """``(kind, count)`` in report order, only kinds with something removed."""
        return [(kind, self.counts[kind]) for kind in KINDS if self.counts.get(kind)]


async def _ids(session: AsyncSession, statement: Select[int | None]) -> set[int]:
    return {int(value) for value in (await session.execute(statement)).scalars()}


async def _delete(session: AsyncSession, model: type[SQLModel],
                  condition: ColumnElement[bool]) -> int:
    result = await session.execute(delete(model).where(condition))
    return affected_rows(result)


def _col(model: type[SQLModel], name: str) -> Column[Any]:
    return table_of(model).c[name]


async def has_demo(session: AsyncSession) -> bool:
    """Whether anything of the demo is still in the database."""
    for model in (Person, Forum, Gmina):
        if await session.scalar(select(exists().where(_col(model, "demo").is_(True)))):
            return True
    return False


async def demo_cleared(session: AsyncSession) -> bool:
    """Whether the demo was cleared from this database once (then it is not loaded again)."""
    return bool(await session.scalar(
        select(col(Meta.value)).where(col(Meta.key) == DEMO_CLEARED_KEY)))


async def set_demo_cleared(session: AsyncSession, cleared: bool) -> None:
    """Remember (or forget) that the demo was cleared."""
    await session.execute(delete(Meta).where(col(Meta.key) == DEMO_CLEARED_KEY))
    if cleared:
        session.add(Meta(key=DEMO_CLEARED_KEY, value=1))
        await session.flush()


async def demo_emails(session: AsyncSession, emails: Iterable[str]) -> set[str]:
    """Which of ``emails`` (lower case) belong to people of the demo."""
    wanted = sorted({e for e in emails if e})
    found: set[str] = set()
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        found |= {
            str(e) for e in (await session.execute(
                select(col(Person.email)).where(_col(Person, "demo").is_(True),
                                           _col(Person, "email").in_(chunk))
            )).scalars()
        }
    return found


async def remove_demo(session: AsyncSession, *, gminy: bool = True) -> DemoRemoval:
    """Delete every row of the demo (not committed); returns the counts by kind.

    ``gminy=False`` leaves the demo's gminy for an import to reuse; call
    :func:`remove_demo_gminy` after it to drop those it did not use.
    """
    removal = DemoRemoval()
    people = await _ids(session, select(col(Person.id)).where(_col(Person, "demo").is_(True)))
    forums = await _ids(session, select(col(Forum.id)).where(_col(Forum, "demo").is_(True)))
    if people or forums:
        await _remove_people_and_forums(session, people, forums, removal)
    if gminy:
        removal.add("gminy", await remove_demo_gminy(session))
    await set_demo_cleared(session, True)
    await session.flush()
    return removal


async def _remove_people_and_forums(
    session: AsyncSession, people: set[int], forums: set[int], removal: DemoRemoval
) -> None:
    person_ids, forum_ids = sorted(people), sorted(forums)
    accounts = await _ids(session, select(col(MessengerAccount.id)).where(
        _col(MessengerAccount, "person_id").in_(person_ids)))
    announcements = await _ids(session, select(col(Announcement.id)).where(
        _col(Announcement, "author_id").in_(person_ids)))
    questions = await _ids(session, select(col(Question.id)).where(or_(
        _col(Question, "forum_id").in_(forum_ids), _col(Question, "asker_id").in_(person_ids))))
    answers = await _ids(session, select(col(Answer.id)).where(or_(
        _col(Answer, "question_id").in_(sorted(questions)),
        _col(Answer, "author_id").in_(person_ids))))
    events = await _ids(session, select(col(Event.id)).where(or_(
        _col(Event, "forum_id").in_(forum_ids), _col(Event, "organiser_id").in_(person_ids))))
    deadlines = await _ids(session, select(col(Deadline.id)).where(or_(
        _col(Deadline, "forum_id").in_(forum_ids),
        _col(Deadline, "organiser_id").in_(person_ids))))
    reminders = await _ids(session, select(col(PersonalReminder.id)).where(
        _col(PersonalReminder, "person_id").in_(person_ids)))

    # The outbox rows of all of it, sent or not: a pending one would still go out (its
    # target is stored), a sent one maps a demo post in some group.
    sources = (
        [f"announcement:{i}" for i in announcements]
        + question_sources(questions)
        + [f"answer:{i}" for i in answers] + [f"event:{i}" for i in events]
        + [f"deadline:{i}" for i in deadlines] + [f"personal:{i}" for i in reminders]
    )
    source = _col(Delivery, "source")
    conditions = [
        _col(Delivery, "person_id").in_(person_ids),
        _col(Delivery, "account_id").in_(sorted(accounts)),
        *(source.in_(sources[start : start + 500]) for start in range(0, len(sources), 500)),
        *(source.like(f"announcement:{i}:%") for i in sorted(announcements)),
    ]
    removal.add("deliveries", await _delete(session, Delivery, or_(*conditions)))
    await _delete(session, ReminderGap, _col(ReminderGap, "source").in_(
        [f"event:{i}" for i in events] + [f"deadline:{i}" for i in deadlines]))
    await _delete(session, Meta, _col(Meta, "key").in_(
        [f"ann_copy_{what}:{i}" for i in announcements for what in ("at", "acks")]))

    removal.add("answers", await _delete(session, Answer, _col(Answer, "id").in_(
        sorted(answers))))
    # A real question moved out of a demo forum stays; it just forgets where it came from.
    await session.execute(update(Question).where(
        _col(Question, "moved_from").in_(forum_ids)).values(moved_from=None))
    removal.add("questions", await _delete(session, Question, _col(Question, "id").in_(
        sorted(questions))))
    removal.add("announcements", await _delete(
        session, Announcement, _col(Announcement, "id").in_(sorted(announcements))))
    removal.add("events", await _delete(session, Event, _col(Event, "id").in_(sorted(events))))
    removal.add("deadlines", await _delete(session, Deadline, _col(Deadline, "id").in_(
        sorted(deadlines))))
    removal.add("reminders", await _delete(session, PersonalReminder, _col(
        PersonalReminder, "id").in_(sorted(reminders))))
    removal.add("roles", await _delete(session, RoleGrant, or_(
        _col(RoleGrant, "person_id").in_(person_ids), _col(RoleGrant, "forum_id").in_(forum_ids))))
    removal.add("forum_members", await _delete(session, ForumMember, or_(
        _col(ForumMember, "person_id").in_(person_ids),
        _col(ForumMember, "forum_id").in_(forum_ids))))
    removal.add("forum_groups", await _delete(session, ForumGroup, _col(
        ForumGroup, "forum_id").in_(forum_ids)))
    # The accounts go rather than being unlinked: whoever linked a messenger to a fictional
    # person must link to their real entry afresh, never inherit anything.
    removal.add("accounts", await _delete(session, MessengerAccount, _col(
        MessengerAccount, "id").in_(sorted(accounts))))
    removal.add("other", await _remove_other_references(session, person_ids, forum_ids))
    removal.add("forums", await _delete(session, Forum, _col(Forum, "id").in_(forum_ids)))
    removal.add("people", await _delete(session, Person, _col(Person, "id").in_(person_ids)))


_HANDLED = {("announcement", "author_id"), ("question", "forum_id"),
            ("question", "moved_from")}


async def _remove_other_references(
    session: AsyncSession, person_ids: list[int], forum_ids: list[int]
) -> int:
    """Rows of tables this module does not name that would block deleting a demo person or
    forum (a foreign key without ``ON DELETE``): a feature added later cannot make the
    removal fail half-way."""
    removed = 0
    ids = {"person": person_ids, "forum": forum_ids}
    for table in reversed(SQLModel.metadata.sorted_tables):
        for key in table.foreign_keys:
            target = key.column.table.name
            if (target not in ids or key.ondelete is not None
                    or (table.name, key.parent.name) in _HANDLED or not ids[target]):
                continue
            if not await _table_exists(session, table):
                continue
            result = await session.execute(delete(table).where(key.parent.in_(ids[target])))
            removed += affected_rows(result)
    return removed


async def _table_exists(session: AsyncSession, table: Table) -> bool:
    # A model whose migration is not applied yet (work in progress) has no table.
    connection = await session.connection()
    return bool(await connection.run_sync(
        lambda sync: sync.dialect.has_table(sync, table.name, schema=table.schema)))


async def remove_demo_gminy(session: AsyncSession) -> int:
    """Delete the demo's gminy nothing real refers to any more; returns how many."""
    candidates = await _ids(session, select(col(Gmina.id)).where(_col(Gmina, "demo").is_(True)))
    for table in SQLModel.metadata.sorted_tables:
        if not candidates or table.name == GminaForm.__tablename__:
            continue
        for key in table.foreign_keys:
            if key.column.table.name != "gmina" or not await _table_exists(session, table):
                continue
            used = await _ids(session, select(key.parent).where(
                key.parent.in_(sorted(candidates))).distinct())
            candidates -= used
    if not candidates:
        return 0
    await _delete(session, GminaForm, _col(GminaForm, "gmina_id").in_(sorted(candidates)))
    return await _delete(session, Gmina, _col(Gmina, "id").in_(sorted(candidates)))


async def count_demo_people(session: AsyncSession) -> int:
    """People of the demo still in the directory."""
    return int(await session.scalar(
        select(func.count()).select_from(Person).where(_col(Person, "demo").is_(True))) or 0)
