"""How forum messages name and address people: "Anna Nowak, Skawina", and the language a
person reads the bot's own messages in."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from commands.texts import pick_lang
from store.db import Database
from store.forums import chosen_language, place_of
from store.models import Person


async def language(session: AsyncSession, person_id: int | None) -> str:
    """The language a person reads the bot's own messages in (Polish unless they chose)."""
    return pick_lang(await chosen_language(session, person_id))


async def label(session: AsyncSession, person: Person) -> str:
    """"Anna Nowak, Skawina" (their gmina, else their organisation, else just the name)."""
    where = await place_of(session, person)
    return f"{person.name}, {where}" if where else person.name


async def person_label(db: Database, person: Person | None, fallback: str) -> str:
    """"Anna Nowak, Skawina" for a known person, the platform's display name otherwise."""
    if person is None:
        return fallback
    async with db.session() as session:
        return await label(session, person)
