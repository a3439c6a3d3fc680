"""The product's own fictional sample directory (the demo), loaded only into an empty database.

Every row it creates is marked ``demo`` (people, forums, gminy); what people then do with the
demo hangs on those rows, so the first real import or ``lacznik demo clear`` removes all of
it (:mod:`store.demo`). Once cleared, the demo is not loaded again by itself
(``lacznik demo load`` brings it back into an empty directory).
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlmodel import col

from commands.directory.importer import parse_rows
from store.db import saved_id
from store.demo import demo_cleared, set_demo_cleared
from store.models import ContactEntry, Forum, ForumMember, Person, Role, Topic
from store.people import audit, grant_role, person_by_email

if TYPE_CHECKING:
    from bots.app import App

SAMPLE_DIR = Path(__file__).with_name("sample_data")


async def load_sample_data(app: App, *, again: bool = False) -> bool:
    """Import the sample people, forums, forum members, moderators and office admins.

    Returns False (and loads nothing) when the demo was cleared from this database before,
    unless ``again``.
    """
    async with app.db.session() as session:
        if await demo_cleared(session):
            if not again:
                return False
            await set_demo_cleared(session, False)
            await session.commit()
    parsed = parse_rows(SAMPLE_DIR / "directory.csv")
    async with app.db.session() as session:
        await app.importer.apply(session, parsed, source="sample",
                                 today=app.directory.today())
    data = tomllib.loads((SAMPLE_DIR / "forums.toml").read_text(encoding="utf-8"))
    async with app.db.session() as session:
        topics = {t.key: t.id for t in await session.scalars(select(Topic))}
        for office in data.get("office", []):
            person = await person_by_email(session, office["email"])
            if person is None:
                person = Person(name=office["name"], email=office["email"].lower(),
                                position=office.get("position", ""),
                                phone=office.get("phone", ""), organisation="Biuro SMK",
                                source="sample", demo=True,
                                confirmed_on=app.directory.today())
                session.add(person)
                await session.flush()
            if office.get("role") == "admin":
                await grant_role(session, saved_id(person), Role.ADMIN)
        for item in data.get("forum", []):
            forum = Forum(key=item["key"], name_pl=item["name_pl"],
                          name_en=item.get("name_en", ""), topic_id=topics.get(item.get("topic")),
                          demo=True)
            session.add(forum)
            await session.flush()
            members = set(item.get("members", [])) | set(item.get("moderators", []))
            for email in sorted(members):
                person = await person_by_email(session, email)
                if person is not None:
                    session.add(ForumMember(forum_id=saved_id(forum), person_id=saved_id(person)))
            for email in item.get("moderators", []):
                person = await person_by_email(session, email)
                if person is not None:
                    await grant_role(session, saved_id(person), Role.FORUM_MODERATOR,
                                     forum_id=forum.id)
        # Each gmina's metropolitan coordinator coordinates that gmina's entries.
        coordination = topics.get("koordynacja")
        rows = await session.execute(
            select(col(ContactEntry.person_id), col(ContactEntry.gmina_id)).where(
                col(ContactEntry.topic_id) == coordination
            )
        )
        for person_id, gmina_id in rows.all():
            await grant_role(session, person_id, Role.GMINA_COORDINATOR, gmina_id=gmina_id)
        await audit(session, actor="system", action="sample.load")
        await session.commit()
    return True
