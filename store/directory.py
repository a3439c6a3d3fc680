"""Reading and writing the directory: gminy, topics, people and who handles what."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import delete, func, select, update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from store.db import affected_rows
from store.demo import DemoRemoval
from store.models import (
    ContactEntry,
    Gmina,
    GminaForm,
    Meta,
    Person,
    Topic,
    TopicSynonym,
    utcnow,
)

VERSION_KEY = "directory_version"


@dataclass(frozen=True, slots=True)
class GminaInfo:
    """A gmina as answers show it."""

    id: int
    name: str
    kind: str = ""
    powiat: str = ""
    wojewodztwo: str = ""
    teryt: str | None = None


@dataclass(frozen=True, slots=True)
class TopicInfo:
    """A topic with its names in both languages."""

    id: int
    key: str
    name_pl: str
    name_en: str = ""

    def name(self, lang: str) -> str:
        """The topic's name in ``lang`` (Polish when there is no English name)."""
        return self.name_en if lang == "en" and self.name_en else self.name_pl


@dataclass(frozen=True, slots=True)
class PersonInfo:
    """A person's contact details."""

    id: int
    name: str
    email: str | None = None
    position: str = ""
    phone: str = ""
    preferred_contact: str = ""
    notes: str = ""
    gmina_id: int | None = None
    organisation: str = ""
    confirmed_on: date | None = None


@dataclass(frozen=True, slots=True)
class Entry:
    """``person_id`` handles ``topic_id`` in ``gmina_id``."""

    person_id: int
    topic_id: int
    gmina_id: int


@dataclass(slots=True)
class IndexData:
    """Everything the in-memory index is built from, as the store loads it."""

    gminy: list[GminaInfo] = field(default_factory=list)
    forms: Mapping[str, Iterable[int]] = field(default_factory=dict)
    topics: list[TopicInfo] = field(default_factory=list)
    synonyms: list[tuple[int, str, str]] = field(default_factory=list)  # topic id, phrase, lang
    persons: list[PersonInfo] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)
    version: int = 0


async def directory_version(session: AsyncSession) -> int:
    """A counter bumped by every directory write (cheap to poll)."""
    value = await session.scalar(select(col(Meta.value)).where(col(Meta.key) == VERSION_KEY))
    return int(value or 0)


async def bump_version(session: AsyncSession) -> None:
    """Mark the directory as changed, for every instance."""
    updated = await session.execute(
        update(Meta).where(col(Meta.key) == VERSION_KEY).values(value=col(Meta.value) + 1)
    )
    if not affected_rows(updated):
        session.add(Meta(key=VERSION_KEY, value=1))


async def load_index_data(session: AsyncSession) -> IndexData:
    """Everything the in-memory index needs, in a handful of queries."""
    data = IndexData(version=await directory_version(session))
    # Plain column rows, not ORM objects: ~35,000 people must fit in a small service.
    rows = await session.execute(
        select(col(Gmina.id), col(Gmina.name), col(Gmina.kind), col(Gmina.powiat),
               col(Gmina.wojewodztwo), col(Gmina.teryt))
    )
    data.gminy = [GminaInfo(*row) for row in rows]
    forms: dict[str, set[int]] = defaultdict(set)
    for form, gmina_id in await session.execute(select(col(GminaForm.form),
                                                          col(GminaForm.gmina_id))):
        forms[form].add(gmina_id)
    data.forms = forms
    rows = await session.execute(select(col(Topic.id), col(Topic.key), col(Topic.name_pl),
                                         col(Topic.name_en)))
    data.topics = [TopicInfo(*row) for row in rows]
    rows = await session.execute(
        select(col(TopicSynonym.topic_id), col(TopicSynonym.phrase), col(TopicSynonym.lang))
    )
    data.synonyms = [(int(a), str(b), str(c)) for a, b, c in rows]
    rows = await session.execute(
        select(col(Person.id), col(Person.name), col(Person.email), col(Person.position),
               col(Person.phone), col(Person.preferred_contact), col(Person.notes),
               col(Person.gmina_id), col(Person.organisation), col(Person.confirmed_on))
    )
    data.persons = [PersonInfo(*row) for row in rows]
    rows = await session.execute(
        select(col(ContactEntry.person_id), col(ContactEntry.topic_id),
               col(ContactEntry.gmina_id))
    )
    data.entries = [Entry(int(a), int(b), int(c)) for a, b, c in rows]
    return data


@dataclass(slots=True)
class GminaRow:
    """A gmina as an import names it."""

    name: str
    teryt: str | None = None
    kind: str = ""
    powiat: str = ""
    wojewodztwo: str = ""


@dataclass(slots=True)
class PersonRow:
    """A person and what they handle, as an import names them.

    ``gmina`` is None for staff of an organisation that is no gmina (the association's
    office): they have ``organisation`` and no topics.
    """

    line: int
    gmina: GminaRow | None
    topics: list[str]
    name: str
    position: str = ""
    email: str | None = None
    phone: str = ""
    preferred_contact: str = ""
    notes: str = ""
    confirmed_on: date | None = None
    organisation: str = ""


@dataclass(slots=True)
class ImportSummary:
    """What an import changed (or, in a dry run, would change)."""

    gminy_added: int = 0
    topics_added: list[str] = field(default_factory=list)
    people_added: int = 0
    people_updated: int = 0
    people_unchanged: int = 0
    entries_added: int = 0
    entries_removed: int = 0
    # What a real import removed of the demo first, and how many of the file's e-mails were
    # people of the demo (created afresh from the file).
    demo_removed: DemoRemoval = field(default_factory=DemoRemoval)
    demo_replaced: int = 0


def gmina_key(row: GminaRow) -> str:
    """How an import identifies a gmina: its TERYT code, else its name and powiat."""
    return row.teryt or f"{row.name.lower()}|{row.powiat.lower()}"


def person_key(email: str | None, name: str, gmina: str) -> str:
    """How an import identifies a person: their e-mail, else their name in their gmina."""
    return email.lower() if email else f"{name.lower()}|{gmina}"


async def count_people(session: AsyncSession) -> int:
    """Number of people in the directory."""
    return int(await session.scalar(select(func.count()).select_from(Person)) or 0)


async def ensure_topics(
    session: AsyncSession, topics: Iterable[tuple[str, str, str]], *, builtin: bool
) -> dict[str, int]:
    """Create missing topics ``(key, name_pl, name_en)``; returns key → id for all topics."""
    existing = {t.key: t for t in (await session.execute(select(Topic))).scalars()}
    for key, name_pl, name_en in topics:
        if key not in existing:
            topic = Topic(key=key, name_pl=name_pl, name_en=name_en, builtin=builtin)
            session.add(topic)
            existing[key] = topic
    await session.flush()
    return {k: int(t.id) for k, t in existing.items() if t.id is not None}


async def replace_gmina_forms(
    session: AsyncSession, gmina_id: int, forms: Iterable[str]
) -> None:
    """Store the normalised inflected forms of a gmina's name."""
    await session.execute(delete(GminaForm).where(col(GminaForm.gmina_id) == gmina_id))
    session.add_all(GminaForm(form=form, gmina_id=gmina_id) for form in sorted(set(forms)))


async def touch_person(session: AsyncSession, person: Person) -> None:
    """Save a changed person and mark the directory as changed."""
    person.updated_at = utcnow()
    session.add(person)
    await bump_version(session)


async def confirm_entry(session: AsyncSession, person_id: int, today: date) -> bool:
    """The person says their entry is still correct: confirmed ``today`` (the caller
    commits); False if there is no such person any more."""
    person = await session.get(Person, person_id)
    if person is None:
        return False
    person.confirmed_on = today
    await touch_person(session, person)
    return True


async def add_synonym(session: AsyncSession, topic_key: str, phrase: str, lang: str) -> bool:
    """Teach the directory another word for a topic; False if the topic does not exist."""
    found = await session.execute(select(Topic).where(col(Topic.key) == topic_key))
    topic = found.scalars().first()
    if topic is None:
        return False
    exists = await session.scalar(
        select(func.count()).select_from(TopicSynonym).where(
            col(TopicSynonym.topic_id) == topic.id, col(TopicSynonym.phrase) == phrase
        )
    )
    if not exists:
        session.add(TopicSynonym(topic_id=topic.id, phrase=phrase, lang=lang))
        await bump_version(session)
    return True
