"""RODO / GDPR: everything held about one person (export), and erasing it (forget).

Both walk every table with a foreign key to ``person`` (found in the metadata, so a feature's
new table is covered without changes here), plus the audit entries that name the person, the
rows keyed by their messenger accounts and those about messages sent to them (SMS delivery
reports, by the provider's message id).

Erasure keeps the ``person`` row as an empty stub ("osoba usunięta", no e-mail, no contact
data, no gmina): forum questions, answers and announcements keep a valid author to point to,
shown as the deleted person, and nothing personal remains in it.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Column, Table, delete, func, inspect, or_, select, update
from sqlmodel import SQLModel, col
from sqlmodel.ext.asyncio.session import AsyncSession

from store.db import affected_rows, table_of
from store.directory import bump_version
from store.models import (
    AuditLog,
    ContactEntry,
    Delivery,
    Forum,
    Gmina,
    MessengerAccount,
    Person,
    Role,
    RoleGrant,
    Topic,
    utcnow,
)
from store.people import audit, person_by_email

DELETED_NAME = "osoba usunięta"  # stored in the stub; forums and reports show it
ERASED_SOURCE = "erased"
SCHEMA_VERSION = 1

# Sections of the export with a name a person understands; other tables go to "other".
SECTIONS = {
    "messengeraccount": "messenger_accounts",
    "rolegrant": "roles",
    "forummember": "forum_memberships",
    "question": "forum_questions",
    "answer": "forum_answers",
    "announcementrecipient": "announcement_acknowledgements",
    "announcement": "announcements_written",
    "personalreminder": "reminders",
    "calendarfeed": "calendar_feeds",
    "quietpreference": "quiet_hours",
    "rsvp": "event_answers",
    "delivery": "messages_sent_to_them",
    "invitation": "email_invitations",
    "emailpreference": "email_preferences",
}
# Their authorship stays, pointing at the stub: the content belongs to the forum or the
# association, the author's identity is what goes.
KEEP = {"question", "answer", "announcement", "announcementrecipient", "event", "deadline",
        "forumgroup", "forumarchive"}
# Tables keyed by a messenger account ("platform:tenant:user"), not by the person.
ACCOUNT_KEYED = {"pendingprompt": "user_key"}
# Tables keyed by the provider's id of a message sent to the person (``delivery.message_id``
# of their rows on that platform): table → (platform, key column, export section).
MESSAGE_KEYED = {"smsreport": ("sms", "message_id", "sms_reports")}
# Text the bot keeps that may name a person: scrubbed on erasure.
SCRUBBED = (("delivery", "payload"), ("announcement", "audience_label"),
            ("announcement", "audience"))
# Columns never exported: credentials (hashes of link codes and feed tokens) and what the bot
# sent (payloads of others' announcements, routing data).
_HIDDEN_COLUMN = re.compile(r"hash|token|secret|password")
_HIDDEN = {"delivery": {"payload", "target", "dedupe_key", "claimed_by", "claimed_until"}}


class RodoError(Exception):
    """A refused request; ``reason`` is ``unknown`` or ``last_admin``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(slots=True)
class Forgotten:
    """What ``forget`` did."""

    pseudonym: str
    removed: dict[str, int] = field(default_factory=dict)
    anonymised: dict[str, int] = field(default_factory=dict)


def _value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


async def _existing(session: AsyncSession) -> set[str]:
    connection = await session.connection()
    return set(await connection.run_sync(lambda c: inspect(c).get_table_names()))


def _person_links() -> list[tuple[Table, list[Column[Any]]]]:
    """Every table with a foreign key to ``person.id`` and those key columns."""
    links: list[tuple[Table, list[Column[Any]]]] = []
    for table in SQLModel.metadata.sorted_tables:
        columns = [fk.parent for fk in table.foreign_keys
                   if fk.column.table.name == "person" and fk.column.name == "id"]
        if columns and table.name != "person":
            links.append((table, columns))
    return links


def _audit_about(person_id: int, accounts: list[MessengerAccount]) -> Any:
    """Audit rows whose actor or target names the person or one of their accounts."""
    me = f"person:{person_id}"
    conditions = [col(AuditLog.actor) == me, col(AuditLog.actor).like(f"{me} %"),
                  col(AuditLog.actor) == f"panel:{me}",  # what they did in the office panel
                  col(AuditLog.target) == me]
    for account in accounts:
        handle = f"{account.platform}:{account.external_id}"
        conditions += [col(AuditLog.actor) == handle,
                       col(AuditLog.actor).like(f"% via {handle}")]
    return or_(*conditions)


async def export_person(session: AsyncSession, email: str | None = None, *, now: datetime,
                        person_id: int | None = None) -> dict[str, Any]:
    """Everything held about the person with ``email`` (or ``person_id``: people imported
    without an e-mail ask from their chat) as JSON-ready data.

    Raises :class:`RodoError` ("unknown") when there is no such person.
    """
    if person_id is not None:
        person = await session.get(Person, person_id)
    else:
        person = await person_by_email(session, email or "")
    if person is None or person.id is None or person.source == ERASED_SOURCE:
        raise RodoError("unknown")
    pid = int(person.id)
    existing = await _existing(session)
    gmina = await session.get(Gmina, person.gmina_id) if person.gmina_id else None
    topics = (await session.execute(
        select(col(Topic.name_pl), col(Gmina.name))
        .join(ContactEntry, col(ContactEntry.topic_id) == col(Topic.id))
        .join(Gmina, col(Gmina.id) == col(ContactEntry.gmina_id))
        .where(col(ContactEntry.person_id) == pid).order_by(col(Gmina.name), col(Topic.name_pl))
    )).all()
    entry = {column.name: _value(getattr(person, column.name, None))
             for column in table_of(Person).columns}
    data: dict[str, Any] = {
        "format": f"lacznik-person-export/{SCHEMA_VERSION}",
        "exported_at": now.isoformat(),
        "directory_entry": {**entry, "gmina": gmina.name if gmina else None,
                            "handles": [{"topic": t, "gmina": g} for t, g in topics]},
    }
    accounts = list((await session.execute(
        select(MessengerAccount).where(col(MessengerAccount.person_id) == pid)
    )).scalars())
    other: dict[str, list[dict[str, Any]]] = {}
    for table, columns in _person_links():
        if table.name not in existing or table.name == "contactentry":
            continue
        hidden = _HIDDEN.get(table.name, set())
        shown = [c for c in table.columns
                 if c.name not in hidden and not _HIDDEN_COLUMN.search(c.name)]
        rows = (await session.execute(
            select(*shown).where(or_(*(c == pid for c in columns)))
            .order_by(*table.primary_key.columns)
        )).mappings().all()
        records = [{k: _value(v) for k, v in row.items()} for row in rows]
        if table.name == "rolegrant":
            records = await _named_roles(session, records)
        if table.name in SECTIONS:
            data[SECTIONS[table.name]] = records
        elif records:
            other[table.name] = records
    for name, keyed in (await _account_keyed(session, accounts, person.email,
                                             existing)).items():
        other[name] = keyed
    data.update(await _message_keyed(session, pid, existing))
    for section in (*SECTIONS.values(), *(m[2] for m in MESSAGE_KEYED.values())):
        data.setdefault(section, [])
    data["audit_entries"] = [
        {"at": _value(row.at), "actor": row.actor, "action": row.action, "target": row.target,
         "details": row.details}
        for row in (await session.execute(
            select(AuditLog).where(_audit_about(pid, accounts)).order_by(col(AuditLog.id))
        )).scalars()
    ]
    data["other"] = other
    return data


def _account_keys(accounts: list[MessengerAccount], email: str | None) -> list[str]:
    """The person's accounts as "platform:tenant:user" (the console speaks as the e-mail)."""
    keys = [f"{a.platform}:{a.tenant_id or ''}:{a.external_id}" for a in accounts]
    return [*keys, f"console::{email}"] if email else keys


async def _account_keyed(session: AsyncSession, accounts: list[MessengerAccount],
                         email: str | None, existing: set[str]
                         ) -> dict[str, list[dict[str, Any]]]:
    """Rows of tables keyed by one of the person's messenger accounts."""
    found: dict[str, list[dict[str, Any]]] = {}
    for name, column_name in ACCOUNT_KEYED.items():
        if name not in existing or name not in SQLModel.metadata.tables:
            continue
        table = SQLModel.metadata.tables[name]
        rows = (await session.execute(select(table).where(
            table.c[column_name].in_(_account_keys(accounts, email))))).mappings().all()
        if rows:
            found[name] = [{k: _value(v) for k, v in row.items()} for row in rows]
    return found


def _message_ids(pid: int, platform: str) -> Any:
    """The provider's ids of the messages sent to the person on ``platform``."""
    return select(col(Delivery.message_id)).where(
        col(Delivery.person_id) == pid, col(Delivery.platform) == platform,
        col(Delivery.message_id) != "")


async def _message_keyed(session: AsyncSession, pid: int, existing: set[str]
                         ) -> dict[str, list[dict[str, Any]]]:
    """Rows about messages sent to the person (SMS delivery reports) by export section."""
    found: dict[str, list[dict[str, Any]]] = {}
    for name, (platform, column_name, section) in MESSAGE_KEYED.items():
        if name not in existing or name not in SQLModel.metadata.tables:
            continue
        table = SQLModel.metadata.tables[name]
        rows = (await session.execute(
            select(table).where(table.c[column_name].in_(_message_ids(pid, platform)))
            .order_by(*table.primary_key.columns))).mappings().all()
        found[section] = [{k: _value(v) for k, v in row.items()} for row in rows]
    return found


async def _named_roles(session: AsyncSession, records: list[dict[str, Any]]
                       ) -> list[dict[str, Any]]:
    forums = dict((await session.execute(select(col(Forum.id), col(Forum.key)))).all())
    named = []
    for record in records:
        gmina = await session.get(Gmina, record["gmina_id"]) if record.get("gmina_id") else None
        named.append({**record, "forum": forums.get(record.get("forum_id")),
                      "gmina": gmina.name if gmina else None})
    return named


def export_json(data: dict[str, Any]) -> str:
    """The export as indented UTF-8 JSON text."""
    return json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n"


async def is_last_admin(session: AsyncSession, person_id: int) -> bool:
    """The person is an admin and nobody else is."""
    admins = set((await session.execute(
        select(col(RoleGrant.person_id)).where(col(RoleGrant.role) == Role.ADMIN.value)
    )).scalars())
    return admins == {person_id}


async def forget_person(session: AsyncSession, email: str, *, actor: str) -> Forgotten:
    """Erase the personal data of the person with ``email`` (the caller commits).

    Their directory entry, messenger accounts, roles, reminders, feeds and the messages queued
    for them go; their forum questions and answers stay under "osoba usunięta"; audit entries
    about them keep a pseudonym instead of their id and account handles. The erasure itself is
    audited under the pseudonym. Raises :class:`RodoError` ("unknown", "last_admin").
    """
    person = await person_by_email(session, email)
    if person is None or person.id is None:
        raise RodoError("unknown")
    pid = int(person.id)
    if await is_last_admin(session, pid):
        raise RodoError("last_admin")
    existing = await _existing(session)
    # A random salt that is not kept: the pseudonym cannot be traced back to the person.
    pseudonym = "erased:" + hashlib.sha256(
        secrets.token_bytes(16) + str(pid).encode()).hexdigest()[:12]
    result = Forgotten(pseudonym)
    accounts = list((await session.execute(
        select(MessengerAccount).where(col(MessengerAccount.person_id) == pid)
    )).scalars())
    result.anonymised["auditlog"] = await _pseudonymise_audit(
        session, pid, accounts, [person.email or "", person.name], pseudonym)
    if "answer" in existing:
        from store.forum_models import Answer

        changed = await session.execute(
            update(Answer).where(col(Answer.author_id) == pid)
            .values(author_label=DELETED_NAME))
        result.anonymised["answer"] = affected_rows(changed)
    # Copies the bot keeps of what it posted (forum relays signed "Od: Anna Nowak, …", an
    # announcement's audience naming e-mails) must not keep the name either.
    words = [w for w in (person.name, person.email or "") if len(w) >= 3]
    for table_name, column_name in SCRUBBED:
        if table_name in existing:
            table = SQLModel.metadata.tables[table_name]
            scrubbed = await _scrub(session, table, table.c[column_name], words)
            if scrubbed:
                result.anonymised[f"{table_name}.{column_name}"] = scrubbed
    for name, column_name in ACCOUNT_KEYED.items():
        if name in existing and name in SQLModel.metadata.tables:
            table = SQLModel.metadata.tables[name]
            gone = await session.execute(delete(table).where(
                table.c[column_name].in_(_account_keys(accounts, person.email))))
            if affected_rows(gone):
                result.removed[name] = affected_rows(gone)
    # Before the person's outbox rows go: they say which of these rows are the person's.
    for name, (platform, column_name, _section) in MESSAGE_KEYED.items():
        if name in existing and name in SQLModel.metadata.tables:
            table = SQLModel.metadata.tables[name]
            gone = await session.execute(delete(table).where(
                table.c[column_name].in_(_message_ids(pid, platform))))
            if affected_rows(gone):
                result.removed[name] = affected_rows(gone)
    links = sorted(_person_links(), key=lambda link: link[0].name != "delivery")
    for table, columns in links:
        if table.name in KEEP or table.name not in existing:
            continue
        removed = await session.execute(delete(table).where(or_(*(c == pid for c in columns))))
        if affected_rows(removed):
            result.removed[table.name] = affected_rows(removed)
    stub = await session.get(Person, pid)
    assert stub is not None
    stub.name = DELETED_NAME
    stub.email = None
    stub.position = stub.phone = stub.preferred_contact = stub.notes = stub.organisation = ""
    stub.mobile = ""
    stub.gmina_id = None
    stub.language = None
    stub.confirmed_on = None
    stub.source = ERASED_SOURCE
    stub.updated_at = utcnow()
    session.add(stub)
    await bump_version(session)
    await audit(session, actor=actor, action="person.forget", target=pseudonym,
                details={"removed": result.removed})
    return result


async def _scrub(session: AsyncSession, table: Table, column: Column[Any],
                 words: list[str]) -> int:
    """Replace ``words`` by "osoba usunięta" in ``column`` wherever they occur."""
    if not words:
        return 0
    pattern = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)
    key = next(iter(table.primary_key.columns))
    rows = (await session.execute(select(key, column).where(
        # as written, and lower-cased (SQLite's lower() folds ASCII letters only)
        or_(*(column.contains(w, autoescape=True) for w in words),
            *(func.lower(column).contains(w.lower(), autoescape=True) for w in words))
    ))).all()
    for row_id, value in rows:
        await session.execute(update(table).where(key == row_id).values(
            {column.name: pattern.sub(DELETED_NAME, value)}))
    return len(rows)


async def _pseudonymise_audit(session: AsyncSession, pid: int,
                              accounts: list[MessengerAccount], words: list[str],
                              pseudonym: str) -> int:
    handles = [f"person:{pid}"] + [f"{a.platform}:{a.external_id}" for a in accounts]
    pattern = re.compile("|".join(
        [re.escape(h) + r"(?![\w.-])" for h in handles]
        + [re.escape(w) for w in words if len(w) >= 3]), re.IGNORECASE)
    rows = list((await session.execute(
        select(AuditLog).where(_audit_about(pid, accounts)))).scalars())
    for row in rows:
        row.actor = pattern.sub(pseudonym, row.actor)[:300]
        row.target = pattern.sub(pseudonym, row.target)[:300]
        row.details = pattern.sub(pseudonym, row.details)
        session.add(row)
    return len(rows)
