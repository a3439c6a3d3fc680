"""What an import would change, row by row, before anything is written (the office panel's
import preview); and the panel's export of a selection.

The preview reads the directory and never writes: gminy and topics are resolved as
:class:`commands.directory.importer.DirectoryImporter` resolves them (the same keys, the same
topic matcher and rule), people are matched by the importer's :func:`store.directory.person_key`.
Only :meth:`DirectoryImporter.apply` writes, once the admin confirms.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from commands.directory.importer import (
    POLISH_HEADERS,
    ImportError_,
    ParsedFile,
    export_rows,
    known_topic,
    parse_rows,
    topic_key,
)
from commands.directory.index import TopicInfo, TopicMatcherCache
from commands.directory.language import Morphology, normalise
from commands.directory.matching import TopicDefinition
from store.directory import GminaRow, gmina_key, person_key
from store.directory_listing import DemoPerson, admins, demo_people
from store.models import ContactEntry, Gmina, Person, Topic, TopicSynonym

ADDED, CHANGED, UNCHANGED = "added", "changed", "unchanged"
# The entry's fields a row sets, in the order the preview names them.
COMPARED = ("name", "position", "phone", "preferred_contact", "notes", "organisation",
            "gmina_id", "mobile")
MAX_UPLOAD = 20 * 1024 * 1024  # a country's directory (35,000 rows) is a few megabytes
REMOVED_LISTED = 500  # demo people listed by name (the count covers all)


@dataclass(frozen=True, slots=True)
class RowChange:
    """What one row of the file does to the directory."""

    line: int
    name: str
    where: str  # the gmina, or the organisation of office staff
    status: str  # added / changed / unchanged
    fields: tuple[str, ...] = ()  # the entry's fields it changes
    topics_added: tuple[str, ...] = ()
    topics_removed: tuple[str, ...] = ()  # listed before, not in the file any more


@dataclass(slots=True)
class ImportPreview:
    """The whole file's effect; ``errors`` non-empty: it cannot be imported at all."""

    rows: list[RowChange] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    new_gminy: list[str] = field(default_factory=list)
    new_topics: list[str] = field(default_factory=list)
    demo_people: int = 0  # the demo's people, removed by a first real import
    removed_people: list[DemoPerson] = field(default_factory=list)  # the first of them
    demo_admins: int = 0  # admins among them: they lose the panel with their person
    admins_after: int = 0  # admins the directory still has after the import
    file_people: list[tuple[str, str]] = field(default_factory=list)  # (e-mail, name)

    @property
    def needs_admin(self) -> bool:
        """After this import nobody could administer the office: the confirmation must name
        a person of the file who becomes the admin."""
        return self.admins_after == 0

    def count(self, status: str) -> int:
        """Rows of ``status``."""
        return sum(1 for row in self.rows if row.status == status)

    @property
    def removed(self) -> int:
        """Entries (a topic in a gmina) the import takes away."""
        return sum(len(row.topics_removed) for row in self.rows)


def parse_upload(data: bytes, filename: str) -> ParsedFile:
    """Read an uploaded CSV or XLSX exactly as ``lacznik directory import`` reads a file.

    Pure work on ``data`` (a temporary file, no database): the panel runs it in a worker
    thread, so a large file does not stop the service (the limits of
    :func:`commands.directory.importer.read_table` bound it)."""
    suffix = ".xlsx" if filename.lower().endswith((".xlsx", ".xlsm")) else ".csv"
    with tempfile.TemporaryDirectory(prefix="lacznik-import-") as folder:
        path = Path(folder) / f"upload{suffix}"
        path.write_bytes(data)
        try:
            return parse_rows(path)
        except ImportError_ as exc:
            return ParsedFile(errors=exc.errors)


async def preview(session: AsyncSession, parsed: ParsedFile, *, morphology: Morphology,
                  thesaurus: list[TopicDefinition]) -> ImportPreview:
    """Row by row: added, changed (which fields, which topics) or unchanged."""
    result = ImportPreview(errors=list(parsed.errors))
    if parsed.errors:
        return result
    gminy = await _gminy(session, parsed, result)
    topic_names, topic_of = await _topics(session, parsed, result, morphology, thesaurus)
    people: dict[str, tuple[int, dict[str, object]]] = {}
    demo: set[int] = set()
    wanted_columns = (col(Person.id), col(Person.email), col(Person.demo),
                      *(getattr(Person, name) for name in COMPARED), col(Person.confirmed_on))
    for record in await session.execute(select(*wanted_columns)):
        person_id, email, is_demo, *values = record
        current = dict(zip((*COMPARED, "confirmed_on"), values, strict=True))
        if is_demo:
            demo.add(int(person_id))
            continue  # a real import removes the demo first: its people are not matched
        key = person_key(email, str(current["name"]), str(current["gmina_id"]))
        people[key] = (int(person_id), current)
    result.demo_people = len(demo)
    if demo:
        result.removed_people = await demo_people(session, limit=REMOVED_LISTED)
        result.demo_admins = await admins(session, demo=True)
    # Real people are never removed by an import: their admins stay (demo ones go).
    result.admins_after = await admins(session, demo=False)
    result.file_people = sorted({row.email: row.name for row in parsed.rows
                                 if row.email}.items())
    entries: dict[int, set[tuple[int, int | None]]] = {}
    for person_id, topic_id, gmina_id in await session.execute(
            select(col(ContactEntry.person_id), col(ContactEntry.topic_id),
                   col(ContactEntry.gmina_id))):
        entries.setdefault(int(person_id), set()).add((int(topic_id), int(gmina_id)))

    wanted: dict[str, set[tuple[int | str, int | str | None]]] = {}
    keyed: list[tuple[str, int | str | None]] = []
    for row in parsed.rows:
        gmina_id = gminy.get(gmina_key(row.gmina)) if row.gmina else None
        key = person_key(row.email, row.name, str(gmina_id))
        keyed.append((key, gmina_id))
        wanted.setdefault(key, set()).update((topic_of[normalise(t)], gmina_id)
                                             for t in row.topics)
    seen: set[str] = set()
    for row, (key, gmina_id) in zip(parsed.rows, keyed, strict=True):
        where = row.gmina.name if row.gmina else row.organisation
        known = people.get(key)
        first = key not in seen
        seen.add(key)
        names = tuple(dict.fromkeys(topic_names[normalise(t)] for t in row.topics))
        if known is None:
            result.rows.append(RowChange(row.line, row.name, where, ADDED,
                                         topics_added=names))
            continue
        person_id, current = known
        stored = entries.get(person_id, set())
        fields: dict[str, object] = {
            "name": row.name, "position": row.position, "phone": row.phone,
            "preferred_contact": row.preferred_contact, "notes": row.notes,
            "organisation": row.organisation, "gmina_id": gmina_id}
        if parsed.mobiles is not None:
            fields["mobile"] = parsed.mobiles[row.line]
        changed = [name for name, value in fields.items() if current[name] != value]
        stored_on = current["confirmed_on"]
        if row.confirmed_on is not None and (
                not isinstance(stored_on, date) or row.confirmed_on > stored_on):
            changed.append("confirmed_on")
        added = tuple(topic_names[normalise(t)] for t in row.topics
                      if (topic_of[normalise(t)], gmina_id) not in stored)
        removed = tuple(sorted(
            _topic_name(topic_names, topic_id) for topic_id, gid in stored - wanted[key]
        )) if first else ()
        status = CHANGED if changed or added or removed else UNCHANGED
        result.rows.append(RowChange(row.line, row.name, where, status, tuple(changed),
                                     tuple(dict.fromkeys(added)), removed))
    return result


def admin_choice(parsed: ParsedFile, email: str) -> str | None:
    """``email`` if a row of the file has it (case aside), else None: the admin chosen at a
    confirmation must be a person the import creates or keeps."""
    wanted = email.strip().lower()
    return wanted if wanted and any(row.email == wanted for row in parsed.rows) else None


# --- the importer's messages in one language ----------------------------------------------
# The importer (and ``lacznik directory import``) reports "English / polski"; a page shows
# its reader's half.

_APOSTROPHE = re.compile(r"(?<=[^\W\d_])'(?=[^\W\d_])")
_ROW = re.compile(r"^Row (\d+)(?: / wiersz \1)?: ")
_SPECIAL: tuple[tuple[re.Pattern[str], str, str], ...] = (
    (re.compile(r"^Missing columns / brak kolumn: (?P<col>.*) \(found / znaleziono: (?P<b>.*)\)$",
                re.S),
     "Brak kolumn: {col} (w pliku są: {b})", "Missing columns: {col} (found: {b})"),
    (re.compile(r"^Not a readable XLSX file / nieczytelny plik XLSX: (?P<a>.*)$", re.S),
     "To nie jest czytelny plik XLSX (arkusz Excela) — może jest uszkodzony albo ma inny "
     "format. Zapisz go w Excelu jako .xlsx albo CSV i wgraj ponownie.",
     "Not a readable XLSX file (an Excel sheet) — it may be damaged or of another format. "
     "Save it in Excel as .xlsx or CSV and upload it again."),
    (re.compile(r"^e-mail (?P<a>.*) is not valid / nieprawidłowy e-mail$", re.S),
     "nieprawidłowy adres e-mail {a}", "e-mail {a} is not valid"),
    (re.compile(r"^(?P<col>[\w-]+) is longer than (?P<b>\d+) characters$"),
     "kolumna „{col}” ma więcej niż {b} znaków", "{col} is longer than {b} characters"),
    (re.compile(r"^(?P<col>[\w-]+) is empty / pole [\w-]+ jest puste$"),
     "kolumna „{col}” jest pusta", "{col} is empty"),
    (re.compile(r"^date (?P<a>.*) is not valid \(YYYY-MM-DD\)$", re.S),
     "data {a} jest nieprawidłowa (RRRR-MM-DD)", "date {a} is not valid (YYYY-MM-DD)"),
)


def message_in(lang: str, message: str) -> str:
    """An importer message in ``lang`` ("pl" or "en") only."""
    prefix = ""
    found = _ROW.match(message)
    if found:
        prefix = f"Wiersz {found.group(1)}: " if lang != "en" else f"Row {found.group(1)}: "
        message = message[found.end():]
    for pattern, polish, english in _SPECIAL:
        matched = pattern.match(message)
        if matched:
            values = matched.groupdict()
            if lang != "en" and "col" in values:  # the columns by their Polish headers
                values["col"] = ", ".join(POLISH_HEADERS.get(name, name)
                                          for name in values["col"].split(", "))
            return prefix + (english if lang == "en" else polish).format(**values)
    halves = _halves(message)
    if halves is None:  # one language only (e.g. the CSV reader's own words)
        if found and lang != "en":
            return prefix + "błąd formatu CSV (" + message + ")"
        return prefix + message
    english, polish = halves
    chosen = english if lang == "en" else polish
    return prefix + chosen if prefix else chosen[:1].upper() + chosen[1:]


def _halves(message: str) -> tuple[str, str] | None:
    """Split "English / polski" where the English half's quotes are closed (a quoted value
    of the file may itself hold " / ")."""
    parts = message.split(" / ")
    for cut in range(1, len(parts)):
        left = " / ".join(parts[:cut])
        quotes = _APOSTROPHE.sub("", left)  # "organisation's" opens no quote
        if quotes.count("'") % 2 == 0 and quotes.count('"') % 2 == 0:
            return left, " / ".join(parts[cut:])
    return None


def _topic_name(names: dict[str, str], topic_id: int) -> str:
    return names.get(f"#{topic_id}", str(topic_id))


async def _gminy(session: AsyncSession, parsed: ParsedFile, result: ImportPreview
                 ) -> dict[str, int | str]:
    """gmina key → the directory's id, or the name of a gmina the import would create."""
    known = {gmina_key(GminaRow(g.name, g.teryt, powiat=g.powiat)): g
             for g in await session.scalars(select(Gmina))}
    by_name_only = {g.name.lower(): g for g in known.values() if not g.teryt and not g.powiat}
    found: dict[str, int | str] = {}
    for row in parsed.rows:
        if row.gmina is None or gmina_key(row.gmina) in found:
            continue
        gmina = known.get(gmina_key(row.gmina)) or by_name_only.get(row.gmina.name.lower())
        if gmina is None or gmina.id is None:
            found[gmina_key(row.gmina)] = f"new:{gmina_key(row.gmina)}"
            result.new_gminy.append(row.gmina.name)
        else:
            found[gmina_key(row.gmina)] = gmina.id
    return found


async def _topics(session: AsyncSession, parsed: ParsedFile, result: ImportPreview,
                  morphology: Morphology, thesaurus: list[TopicDefinition]
                  ) -> tuple[dict[str, str], dict[str, int | str]]:
    """Topic texts of the file → their names and ids (a new topic: its key), resolved by
    the importer's rule (``DirectoryImporter._resolve_topics``), without creating any."""
    topics = list(await session.scalars(select(Topic)))
    synonyms = [(int(a), str(b), str(c)) for a, b, c in await session.execute(
        select(col(TopicSynonym.topic_id), col(TopicSynonym.phrase), col(TopicSynonym.lang)))]
    infos = [TopicInfo(int(t.id or 0), t.key, t.name_pl, t.name_en) for t in topics]
    matcher = TopicMatcherCache(morphology, thesaurus).matcher(infos, synonyms)
    by_key = {t.key: t for t in topics}
    names: dict[str, str] = {f"#{t.id}": t.name_pl for t in topics}
    ids: dict[str, int | str] = {}
    for text in sorted({t for row in parsed.rows for t in row.topics}):
        target = known_topic(matcher, text)  # the importer's own rule
        if target is not None:
            ids[normalise(text)] = target
            names[normalise(text)] = names.get(f"#{target}", text)
            continue
        key = topic_key(text)
        if key in by_key:
            ids[normalise(text)] = int(by_key[key].id or 0)
            names[normalise(text)] = by_key[key].name_pl
        else:
            ids[normalise(text)] = f"new:{key}"
            names[normalise(text)] = text.strip()
            if text.strip() not in result.new_topics:
                result.new_topics.append(text.strip())
    return names, ids


async def export_selection(session: AsyncSession, person_ids: set[int] | None
                           ) -> list[dict[str, str]]:
    """The export's rows (:func:`commands.directory.importer.export_rows`, what an import
    reads back) of the people ``person_ids`` — or of everyone when None."""
    rows = await export_rows(session)
    if person_ids is None:
        return rows
    emails: set[str] = set()
    places: set[tuple[str, str]] = set()
    chosen = sorted(person_ids)
    found: list[tuple[str | None, str, str | None, str]] = []
    for start in range(0, len(chosen), 5000):  # within every backend's parameter limit
        found += [tuple(r) for r in (await session.execute(
            select(col(Person.email), col(Person.name), col(Gmina.name),
                   col(Person.organisation))
            .outerjoin(Gmina, col(Gmina.id) == col(Person.gmina_id))
            .where(col(Person.id).in_(chosen[start : start + 5000])))).all()]
    for email, name, gmina, organisation in found:
        if email:
            emails.add(email)
        else:
            places.add((name, gmina or ""))
            places.add((name, f"org:{organisation}"))
    return [row for row in rows
            if (row["email"] and row["email"] in emails)
            or (not row["email"] and ((row["name"], row["gmina"]) in places
                                      or (row["name"], f"org:{row['organisation']}") in places))]
