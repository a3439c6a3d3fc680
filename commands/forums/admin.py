"""Forum administration: create, rename, remove (or archive) forums, keep their members —
one by one (``lacznik forums members …``, ``/forum dodaj …``) or as a whole list from a
spreadsheet (``lacznik forums import``).

Every change is all-or-nothing (an unknown e-mail or forum changes nothing) and audited with
ids, never e-mails or names. Refusals are :class:`Refused` with a text key, so the command
line and the chat say the same thing in the user's language.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlmodel.ext.asyncio.session import AsyncSession

from commands.directory.importer import EMAIL_PATTERN, ImportError_, read_table
from commands.directory.language import normalise
from commands.forums.service import ForumService
from commands.texts import t
from store.db import Database
from store.forum_groups import group_ids
from store.forums import (
    History,
    MemberRow,
    active_forums,
    add_members,
    archive_forum,
    create_forum,
    delete_forum,
    find_forum,
    grant_moderators,
    history,
    member_ids,
    members_of,
    moderator_ids,
    people_by_email,
    remove_members,
    rename_forum,
    revoke_moderators,
    topic_by_key,
)
from store.models import Forum, Person
from store.people import audit

KEY_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9_-]{1,39}$")
MAX_NAME = 200
_SEPARATORS = re.compile(r"[\s,;]+")

# Spreadsheet headers (normalised: lower case, no Polish letters, separators as spaces).
IMPORT_COLUMNS: dict[str, tuple[str, ...]] = {
    "forum": ("forum", "klucz forum", "klucz", "forum key", "key"),
    "email": ("email", "e mail", "adres e mail", "mail"),
    "role": ("rola", "role", "funkcja"),
}
MEMBER_WORDS = frozenset({"", "czlonek", "czlonkini", "czlonkowie", "member", "uczestnik",
                          "uczestniczka"})
MODERATOR_WORDS = frozenset({"moderator", "moderatorka", "moderator forum"})


class Refused(Exception):
    """Nothing was changed; ``key`` and ``values`` say why (see the forum_admin text pack)."""

    def __init__(self, key: str, /, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values

    def text(self, lang: str) -> str:
        """The reason in ``lang``."""
        return t(lang, self.key, **self.values)


class ImportRefused(Exception):
    """The member file was not imported; ``errors`` are row-numbered, in the caller's
    language."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass(frozen=True, slots=True)
class MemberChange:
    """What adding or removing members did (``moderators``: roles taken with a removal)."""

    forum: Forum
    changed: list[Person]
    unchanged: list[Person]
    moderators: list[Person] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Removal:
    """A removed forum: deleted (no history) or archived (``--force``)."""

    forum: Forum
    archived: bool
    history: History
    groups: int


@dataclass(slots=True)
class ForumPlan:
    """What importing a file changes in one forum."""

    forum: Forum
    add: list[Person] = field(default_factory=list)
    remove: list[Person] = field(default_factory=list)
    promote: list[Person] = field(default_factory=list)
    demote: list[Person] = field(default_factory=list)

    @property
    def changes(self) -> bool:
        """Anything to do."""
        return bool(self.add or self.remove or self.promote or self.demote)


@dataclass(frozen=True, slots=True)
class ImportResult:
    """An import (or its dry run): the rows read and each listed forum's changes."""

    rows: int
    plans: list[ForumPlan]
    roles: bool  # the file had a role column, so moderators follow it too


def split_emails(text: str | Sequence[str]) -> list[str]:
    """E-mails from a command's words (spaces, commas or semicolons), lower case, once each."""
    words = _SEPARATORS.split(text if isinstance(text, str) else " ".join(text))
    seen: dict[str, None] = {}
    for word in words:
        email = word.strip().strip("<>").removeprefix("mailto:").lower()
        if email:
            seen.setdefault(email, None)
    return list(seen)


def names(people: Iterable[Person]) -> str:
    """People as "Anna Nowak, Jan Kowalski" (for replies, never for logs)."""
    return ", ".join(p.name for p in people)


class ForumAdmin:
    """Forum administration over the database; ``forums`` unlinks groups the way
    ``/forum odlacz`` does (queued relays cancelled, the group unregistered)."""

    def __init__(self, *, db: Database, forums: ForumService) -> None:
        self._db = db
        self._forums = forums

    # --- forums ---------------------------------------------------------------------------

    async def create(self, key: str, name_pl: str, *, name_en: str = "",
                     topic: str | None = None, actor: str) -> Forum:
        """A new forum with no members yet."""
        key = key.strip().upper()
        if not KEY_PATTERN.fullmatch(key):
            raise Refused("fadm.bad_key", key=key[:60])
        name_pl, name_en = _name(name_pl), _name(name_en, required=False)
        async with self._db.session() as session:
            found = await find_forum(session, key)
            if found is not None:
                forum, archived = found
                raise Refused("fadm.exists_archived" if archived else "fadm.exists",
                              key=key, name=forum.name_pl)
            topic_id = None
            if topic:
                row = await topic_by_key(session, topic)
                if row is None:
                    raise Refused("fadm.unknown_topic", topic=topic[:80])
                topic_id = row.id
            forum = await create_forum(session, key=key, name_pl=name_pl, name_en=name_en,
                                       topic_id=topic_id)
            await audit(session, actor=actor, action="forum.create", target=f"forum:{key}",
                        details={"forum_id": forum.id, "topic_id": topic_id})
            await session.commit()
        return forum

    async def rename(self, key: str, name_pl: str, *, name_en: str | None = None,
                     actor: str, may: set[int] | None = None) -> tuple[Forum, str]:
        """New names for a forum; returns it and its former Polish name (``may``: the forums
        the actor moderates; None for admins and the command line)."""
        name_pl = _name(name_pl)
        async with self._db.session() as session:
            forum = await self._forum(session, key, may=may)
            old = forum.name_pl
            await rename_forum(session, forum, name_pl,
                               None if name_en is None else _name(name_en, required=False))
            await audit(session, actor=actor, action="forum.rename", target=f"forum:{forum.key}",
                        details={"forum_id": forum.id})
            await session.commit()
            await session.refresh(forum)
        return forum, old

    async def remove(self, key: str, *, force: bool, actor: str,
                     by: Person | None = None) -> Removal:
        """Delete a forum that has no history; with ``force``, archive one that has."""
        async with self._db.session() as session:
            forum = await self._forum(session, key, may=None)
            past = await history(session, int(forum.id or 0))
            if not past.empty and not force:
                raise Refused("fadm.has_history", key=forum.key, questions=past.questions,
                              events=past.events)
            groups = await group_ids(session, int(forum.id or 0))
        # Its groups stop getting anything first, as /forum odlacz does it (queued relays
        # cancelled, a group no other forum uses unregistered).
        for group_id in groups:
            await self._forums.unlink_group(forum.key, group_id, by=by, may=None)
        async with self._db.session() as session:
            if past.empty:
                await delete_forum(session, int(forum.id or 0))
            else:
                await archive_forum(session, int(forum.id or 0), by=by.id if by else None)
            await audit(session, actor=actor,
                        action="forum.delete" if past.empty else "forum.archive",
                        target=f"forum:{forum.key}",
                        details={"forum_id": forum.id, "questions": past.questions,
                                 "events": past.events, "groups": len(groups)})
            await session.commit()
        return Removal(forum, not past.empty, past, len(groups))

    # --- members --------------------------------------------------------------------------

    async def add_members(self, key: str, emails: Sequence[str], *, actor: str,
                          may: set[int] | None = None) -> MemberChange:
        """Make the people with these e-mails members (``may``: the forums the actor
        moderates; None for admins and the command line)."""
        async with self._db.session() as session:
            forum = await self._forum(session, key, may=may)
            people = await _people(session, emails)
            forum_id = int(forum.id or 0)
            present = await member_ids(session, forum_id)
            new = [p for p in people if p.id not in present]
            await add_members(session, forum_id, [int(p.id or 0) for p in new])
            if new:
                await audit(session, actor=actor, action="forum.member_add",
                            target=f"forum:{forum.key}",
                            details={"person_ids": [p.id for p in new]})
            await session.commit()
        return MemberChange(forum, new, [p for p in people if p.id in present])

    async def remove_members(self, key: str, emails: Sequence[str], *, actor: str,
                             may: set[int] | None = None) -> MemberChange:
        """Take the people with these e-mails out of the forum, with its moderator role.
        A moderator (not an admin) cannot remove another moderator."""
        async with self._db.session() as session:
            forum = await self._forum(session, key, may=may)
            people = await _people(session, emails)
            forum_id = int(forum.id or 0)
            present = await member_ids(session, forum_id)
            moderating = await moderator_ids(session, forum_id)
            leaving = [p for p in people if p.id in present | moderating]
            demoted = [p for p in leaving if p.id in moderating]
            if may is not None and demoted:
                raise Refused("fadm.moderators_need_admin", key=forum.key, names=names(demoted))
            await remove_members(session, forum_id, [int(p.id or 0) for p in leaving])
            if leaving:
                await audit(session, actor=actor, action="forum.member_remove",
                            target=f"forum:{forum.key}",
                            details={"person_ids": [p.id for p in leaving],
                                     "moderators": [p.id for p in demoted]})
            await session.commit()
        gone = {p.id for p in leaving}
        return MemberChange(forum, leaving, [p for p in people if p.id not in gone], demoted)

    async def members(self, key: str, *, may: set[int] | None = None
                      ) -> tuple[Forum, list[MemberRow]]:
        """A forum's members and moderators, by name."""
        async with self._db.session() as session:
            forum = await self._forum(session, key, may=may)
            return forum, await members_of(session, int(forum.id or 0))

    async def set_moderators(self, key: str, emails: Sequence[str], *, grant: bool,
                             actor: str) -> MemberChange:
        """Give (``grant``) or take the forum's moderator role. Admins only: the caller
        checks, as the command line is one. A new moderator becomes a member too; one who
        stops moderating stays a member."""
        async with self._db.session() as session:
            forum = await self._forum(session, key, may=None)
            people = await _people(session, emails)
            forum_id = int(forum.id or 0)
            moderating = await moderator_ids(session, forum_id)
            changed = [p for p in people if (p.id in moderating) != grant]
            ids = [int(p.id or 0) for p in changed]
            if grant:
                await add_members(session, forum_id, ids)
                await grant_moderators(session, forum_id, ids)
            else:
                await add_members(session, forum_id, ids)  # keeps belonging to the forum
                await revoke_moderators(session, forum_id, ids)
            if changed:
                await audit(session, actor=actor,
                            action="forum.moderator_grant" if grant else "forum.moderator_revoke",
                            target=f"forum:{forum.key}", details={"person_ids": ids})
            await session.commit()
        gone = {p.id for p in changed}
        return MemberChange(forum, changed, [p for p in people if p.id not in gone])

    async def plan_members(self, key: str, emails: Sequence[str], *, replace: bool,
                           dry_run: bool, actor: str, may: set[int] | None = None,
                           source: str = "") -> ForumPlan:
        """Import a list of e-mails into one forum (the panel's file): everyone listed
        becomes a member; with ``replace``, members not listed leave (moderators stay, as a
        file without roles says nothing about them). ``dry_run``: the plan, nothing changed.
        An e-mail the directory does not know refuses the whole list."""
        async with self._db.session() as session:
            forum = await self._forum(session, key, may=may)
            people = await _people(session, emails)
            listed = {int(p.id or 0): (p, False) for p in people}
            plan = await _plan(session, forum, listed, roles=False)
            if not replace:
                plan.remove = []
            if not dry_run:
                await _apply(session, plan)
                if plan.changes:
                    await audit(session, actor=actor, action="forum.import",
                                target=f"forum:{forum.key}", details={
                                    "file": source[:200],
                                    "added": [p.id for p in plan.add],
                                    "removed": [p.id for p in plan.remove]})
                await session.commit()
        return plan

    # --- the member list as a file --------------------------------------------------------

    async def import_file(self, path: Path, *, dry_run: bool, actor: str,
                          lang: str) -> ImportResult:
        """Make each forum named in the file have exactly the file's members (and, when the
        file has a role column, its moderators). Any bad row imports nothing."""
        try:
            header, table = read_table(path)
            positions = _positions(header)
            missing = [c for c in ("forum", "email") if c not in positions]
            if missing:
                raise ImportRefused([t(lang, "fadm.imp_missing_columns",
                                       columns=", ".join(missing),
                                       found=", ".join(h for h in header if h) or "—")])
            rows = [(line, cells) for line, cells in table if any(c.strip() for c in cells)]
        except ImportError_ as exc:  # unreadable file: the directory importer's own words
            raise ImportRefused(exc.errors) from None
        if not rows:
            raise ImportRefused([t(lang, "fadm.imp_no_rows")])
        async with self._db.session() as session:
            wanted, errors = await _read_rows(session, rows, positions, lang)
            if errors:
                raise ImportRefused(errors)
            plans = [await _plan(session, forum, people, roles="role" in positions)
                     for forum, people in wanted.values()]
            if not dry_run:
                for plan in plans:
                    await _apply(session, plan)
                    if plan.changes:
                        await audit(session, actor=actor, action="forum.import",
                                    target=f"forum:{plan.forum.key}", details={
                                        "file": path.name[:200],
                                        "added": [p.id for p in plan.add],
                                        "removed": [p.id for p in plan.remove],
                                        "moderators_added": [p.id for p in plan.promote],
                                        "moderators_removed": [p.id for p in plan.demote]})
                await session.commit()
        return ImportResult(len(rows), plans, "role" in positions)

    # --- helpers --------------------------------------------------------------------------

    async def _forum(self, session: AsyncSession, key: str, *, may: set[int] | None) -> Forum:
        found = await find_forum(session, key)
        if found is None:
            known = ", ".join(f.key for f in await active_forums(session)) or "—"
            raise Refused("fadm.unknown_forum", key=key.strip().upper()[:40], known=known)
        forum, archived = found
        if archived:
            raise Refused("fadm.archived", key=forum.key)
        if may is not None and forum.id not in may:
            raise Refused("fadm.forbidden", key=forum.key)
        return forum


def emails_from_csv(data: bytes, lang: str) -> list[str]:
    """The e-mails of an uploaded CSV (any columns; a first row without one is its header),
    lower case, once each. A row without a valid e-mail refuses the file, row by row."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("cp1250", errors="replace")  # Excel's CSV on Polish Windows
    first = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first.count)
    found: dict[str, None] = {}
    errors: list[str] = []
    rows = 0
    for line, cells in enumerate(csv.reader(io.StringIO(text, newline=""),
                                            delimiter=delimiter), start=1):
        cells = [c.strip().strip("<>").removeprefix("mailto:") for c in cells]
        if not any(cells):
            continue
        rows += 1
        emails = [c.lower() for c in cells if EMAIL_PATTERN.match(c)]
        if emails:
            found.update(dict.fromkeys(emails))
        elif rows == 1:
            continue  # the header ("e-mail", "Imię i nazwisko;E-mail", …)
        else:
            odd = next((c for c in cells if "@" in c), "")
            problem = (t(lang, "fadm.imp_bad_email", email=odd[:100]) if odd
                       else t(lang, "fadm.imp_no_email"))
            errors.append(t(lang, "fadm.imp_row", row=line, problem=problem))
    if errors:
        raise ImportRefused(errors[:50] + (["…"] if len(errors) > 50 else []))
    if not found:
        raise ImportRefused([t(lang, "fadm.imp_no_rows")])
    return list(found)


def _name(value: str, *, required: bool = True) -> str:
    value = " ".join(value.split())
    if (required and not value) or len(value) > MAX_NAME:
        raise Refused("fadm.bad_name", count=MAX_NAME)
    return value


async def _people(session: AsyncSession, emails: Sequence[str]) -> list[Person]:
    wanted = split_emails(emails)
    if not wanted:
        raise Refused("fadm.no_emails")
    found = await people_by_email(session, wanted)
    unknown = [e for e in wanted if e not in found]
    if unknown:
        raise Refused("fadm.unknown_people", emails=", ".join(unknown[:20])
                      + (" …" if len(unknown) > 20 else ""))
    return [found[e] for e in wanted]


def _positions(header: list[str]) -> dict[str, int]:
    positions: dict[str, int] = {}
    for index, title in enumerate(header):
        folded = normalise(title)
        for column, aliases in IMPORT_COLUMNS.items():
            if folded in aliases and column not in positions:
                positions[column] = index
    return positions


async def _read_rows(session: AsyncSession, rows: list[tuple[int, list[str]]],
                     positions: dict[str, int], lang: str
                     ) -> tuple[dict[int, tuple[Forum, dict[int, tuple[Person, bool]]]],
                                list[str]]:
    """Every row checked; the forums with the people each should have (True: moderator)."""

    def cell(cells: list[str], column: str) -> str:
        index = positions.get(column)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    forums: dict[str, tuple[Forum, bool] | None] = {}
    emails = [cell(cells, "email").lower() for _, cells in rows]
    people = await people_by_email(session, [e for e in emails if EMAIL_PATTERN.match(e)])
    wanted: dict[int, tuple[Forum, dict[int, tuple[Person, bool]]]] = {}
    errors: list[str] = []
    for (line, cells), email in zip(rows, emails, strict=True):
        problems: list[str] = []
        key = cell(cells, "forum").upper()
        if not key:
            problems.append(t(lang, "fadm.imp_no_forum"))
        else:
            if key not in forums:
                forums[key] = await find_forum(session, key)
            found = forums[key]
            if found is None:
                problems.append(t(lang, "fadm.imp_unknown_forum", key=key[:40]))
            elif found[1]:
                problems.append(t(lang, "fadm.imp_archived_forum", key=key[:40]))
        if not email:
            problems.append(t(lang, "fadm.imp_no_email"))
        elif not EMAIL_PATTERN.match(email):
            problems.append(t(lang, "fadm.imp_bad_email", email=email[:100]))
        elif email not in people:
            problems.append(t(lang, "fadm.imp_unknown_email", email=email[:100]))
        role = normalise(cell(cells, "role"))
        if role not in MEMBER_WORDS | MODERATOR_WORDS:
            problems.append(t(lang, "fadm.imp_bad_role", role=cell(cells, "role")[:40]))
        if problems:
            errors.extend(t(lang, "fadm.imp_row", row=line, problem=p) for p in problems)
            continue
        known = forums[key]
        assert known is not None  # a row naming no known forum has a problem (above)
        forum = known[0]
        person = people[email]
        _, listed = wanted.setdefault(int(forum.id or 0), (forum, {}))
        # A person listed twice in one forum is a moderator if any row says so.
        before = listed.get(int(person.id or 0), (person, False))[1]
        listed[int(person.id or 0)] = (person, before or role in MODERATOR_WORDS)
    return wanted, errors


async def _plan(session: AsyncSession, forum: Forum, listed: dict[int, tuple[Person, bool]],
                *, roles: bool) -> ForumPlan:
    forum_id = int(forum.id or 0)
    present = await member_ids(session, forum_id)
    moderating = await moderator_ids(session, forum_id)
    plan = ForumPlan(forum)
    plan.add = [p for pid, (p, _) in listed.items() if pid not in present]
    # Without a role column the file says nothing about moderators: they stay as they are.
    gone = sorted((present | moderating) - set(listed) if roles
                  else present - moderating - set(listed))
    if gone:
        rows = {m.person.id: m.person for m in await members_of(session, forum_id)}
        plan.remove = [rows[pid] for pid in gone if pid in rows]
    if roles:
        plan.promote = [p for pid, (p, mod) in listed.items() if mod and pid not in moderating]
        plan.demote = [p for pid, (p, mod) in listed.items() if not mod and pid in moderating]
        plan.demote += [p for p in plan.remove if p.id in moderating]
    plan.add.sort(key=lambda p: p.name.lower())
    plan.remove.sort(key=lambda p: p.name.lower())
    return plan


async def _apply(session: AsyncSession, plan: ForumPlan) -> None:
    forum_id = int(plan.forum.id or 0)
    await add_members(session, forum_id, [int(p.id or 0) for p in plan.add + plan.promote])
    await grant_moderators(session, forum_id, [int(p.id or 0) for p in plan.promote])
    await revoke_moderators(session, forum_id, [int(p.id or 0) for p in plan.demote])
    await remove_members(session, forum_id, [int(p.id or 0) for p in plan.remove])
