"""Importing and exporting the directory as CSV or XLSX (what SharePoint lists and Excel give).

Every row is validated first; any error stops the whole import (nothing is half-imported) and
is reported with its row number. Re-importing updates people instead of duplicating them.

A ``telefon komórkowy`` / ``mobile`` column (for urgent SMS only) is optional: numbers are
stored in E.164, landlines are reported (:attr:`ParsedFile.mobile_report`) and not stored, an
invalid number is a row error. A file without the column leaves stored mobile numbers alone;
the export writes the column when someone has a mobile number.

Hostile files are bounded (:func:`read_table`): an XLSX that would unpack to too much is
refused before it is opened, only the rows and (64) columns a sheet really has are read,
whatever size it claims, and more than 100,000 data rows are refused.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import delete, insert, select, update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from commands.clock import WARSAW
from commands.directory.index import TopicInfo, TopicMatcherCache
from commands.directory.language import Morphology, fold, normalise, tokens
from commands.directory.matching import PhraseMatcher, TopicDefinition
from commands.directory.phones import MOBILE_COLUMN, MOBILE_HEADERS, MobileReport, check_mobile
from store.db import saved_id
from store.demo import demo_emails, remove_demo, remove_demo_gminy
from store.directory import (
    GminaRow,
    ImportSummary,
    PersonRow,
    bump_version,
    ensure_topics,
    gmina_key,
    person_key,
    replace_gmina_forms,
)
from store.models import ContactEntry, Gmina, Person, Topic, TopicSynonym, utcnow

# Canonical column → accepted headers (folded, separators as spaces).
COLUMNS: dict[str, tuple[str, ...]] = {
    "gmina": ("gmina", "nazwa gminy", "municipality"),
    "topic": ("topic", "topics", "temat", "tematy", "obszar", "obszar tematyczny"),
    "name": ("name", "imie i nazwisko", "osoba", "imie nazwisko", "full name"),
    "position": ("position", "stanowisko", "funkcja"),
    "email": ("email", "e mail", "adres e mail", "mail"),
    "phone": ("phone", "telefon", "tel", "nr telefonu", "numer telefonu"),
    "preferred_contact": (
        "preferred contact", "preferowany kontakt", "preferowana forma kontaktu",
    ),
    "notes": ("notes", "uwagi", "specjalizacja", "specjalizacje"),
    "teryt": ("teryt", "kod teryt", "terc"),
    "powiat": ("powiat",),
    "wojewodztwo": ("wojewodztwo",),
    "kind": ("kind", "rodzaj", "rodzaj gminy"),
    "confirmed_at": ("confirmed at", "confirmed on", "potwierdzono", "data potwierdzenia"),
    # Staff of an organisation that is no gmina (the association's office): a row with an
    # organisation and no gmina needs no topic.
    "organisation": ("organisation", "organization", "organizacja", "instytucja"),
    MOBILE_COLUMN: MOBILE_HEADERS,  # for urgent SMS only; optional
}
REQUIRED = ("gmina", "topic", "name")
EXPORT_COLUMNS = (
    "gmina", "teryt", "kind", "powiat", "wojewodztwo", "topic", "name", "position", "email",
    "phone", "preferred_contact", "notes", "confirmed_at", "organisation",
)
# The headers of the Polish export: each one is among the headers the importer accepts.
POLISH_HEADERS: dict[str, str] = {
    "gmina": "gmina", "teryt": "kod TERYT", "kind": "rodzaj", "powiat": "powiat",
    "wojewodztwo": "województwo", "topic": "tematy", "name": "imię i nazwisko",
    "position": "stanowisko", "email": "e-mail", "phone": "telefon",
    "preferred_contact": "preferowany kontakt", "notes": "uwagi", "confirmed_at": "potwierdzono",
    "organisation": "organizacja", MOBILE_COLUMN: "telefon komórkowy",
}
# What a spreadsheet may take for the start of a formula (OWASP "CSV injection", with the
# full-width forms Excel also accepts).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
PHONE_EXAMPLE = "+48 12 345 67 89"
LIMITS = {
    "gmina": 120, "name": 200, "position": 300, "email": 254, "phone": 60,
    "preferred_contact": 200, "notes": 2000, "powiat": 120, "wojewodztwo": 60, "topic": 600,
    "organisation": 200,
}
# The local part: an ASCII dot-atom (RFC 5322), what every SMTP server takes without
# SMTPUTF8 — "żaneta@…" or a quoted local part is refused here rather than by the mail server.
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
EMAIL_PATTERN = re.compile(rf"^{_ATEXT}(?:\.{_ATEXT})*@[^@\s<>]+\.[A-Za-z]{{2,}}$")
PHONE_PATTERN = re.compile(r"^[+0-9 ()./-]{6,30}$")
_TERYT = re.compile(r"^\d{7}$")


# The entry's data: a change to any of these is an edit, which confirms the entry.
DATA_FIELDS = (
    "name", "position", "phone", "preferred_contact", "notes", "gmina_id", "organisation",
    "mobile",
)
PERSON_FIELDS = (*DATA_FIELDS, "source", "confirmed_on")
_FIELD_COLUMNS = tuple(getattr(Person, name) for name in PERSON_FIELDS)


class ImportError_(Exception):
    """The file cannot be imported; ``errors`` lists every problem with its row number."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass(slots=True)
class ParsedFile:
    """Rows read from a file, before they touch the database."""

    rows: list[PersonRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    # With a mobile column: the number to store (E.164; "" for none or a landline) by row
    # line; None without one (stored numbers are then left as they are).
    mobiles: dict[int, str] | None = None
    mobile_report: MobileReport = field(default_factory=MobileReport)  # per person, once


# Hostile files: what a directory needs is far below these (a country's directory is 35,000
# rows of 15 columns, its XLSX unpacks to about 30 MB), and each bounds the work a file can
# cause — the panel parses uploads while it serves everyone else.
MAX_DATA_ROWS = 100_000
MAX_COLUMNS = 64  # columns past these are not read (the directory has 15)
MAX_UNPACKED = 200 * 1024 * 1024  # all members of an XLSX file, uncompressed
MAX_RATIO = 100  # uncompressed : compressed, of a member (Excel's own files: 5-15)
_RATIO_FLOOR = 1024 * 1024  # a small member may compress as it likes
_EXCEL_LAST_ROW = 1_048_576  # a row number past it is no spreadsheet's


def read_table(path: Path) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """Header and ``(row number, cells)`` of a CSV or XLSX file.

    Rows with no value may be left out; at most :data:`MAX_COLUMNS` cells of a row are read,
    and a file with more than :data:`MAX_DATA_ROWS` rows with a value is refused when its
    rows are read (:class:`ImportError_` naming the limit); so is, at once, a file that is
    or unpacks to more than :data:`MAX_UNPACKED` bytes."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        header, rows = _read_xlsx(path)
    else:
        size = path.stat().st_size
        if size > MAX_UNPACKED:  # read whole into memory: the cap of an unpacked XLSX
            raise ImportError_([
                f"The file has {size // 2**20} MB, more than the limit of "
                f"{MAX_UNPACKED // 2**20} MB / plik ma {size // 2**20} MB, więcej niż limit "
                f"{MAX_UNPACKED // 2**20} MB"])
        header, rows = _read_csv(path.read_bytes())
    return header[:MAX_COLUMNS], _limited(rows)


def _limited(rows: Iterator[tuple[int, list[str]]]) -> Iterator[tuple[int, list[str]]]:
    counted = 0
    for line, cells in rows:
        if any(c.strip() for c in cells):
            counted += 1
            if counted > MAX_DATA_ROWS:
                limit = f"{MAX_DATA_ROWS:,}"
                raise ImportError_([
                    f"Row {line} / wiersz {line}: the file has more than {limit} data rows, "
                    f"the limit / plik ma więcej niż {limit.replace(',', ' ')} wierszy danych "
                    "(limit)"])
        yield line, cells[:MAX_COLUMNS]


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        # Excel "CSV" on Polish Windows is cp1250; every byte decodes, so validate letters.
        text = data.decode("cp1250", errors="replace")
        if "\ufffd" in text:
            raise ImportError_(
                ["The file is neither UTF-8 nor Windows-1250 text / plik nie jest tekstem "
                 "UTF-8 ani Windows-1250"]
            ) from None
        return text


def _read_csv(data: bytes) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    text = _decode(data)
    first = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise ImportError_(["The file is empty / plik jest pusty"]) from None
    except csv.Error as exc:
        raise ImportError_([f"Row 1: {exc}"]) from None

    def rows() -> Iterator[tuple[int, list[str]]]:
        try:
            for cells in reader:
                yield reader.line_num, cells
        except csv.Error as exc:
            raise ImportError_([f"Row {reader.line_num}: {exc}"]) from None

    return header, rows()


def _read_xlsx(path: Path) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    from openpyxl import load_workbook

    _check_archive(path)
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
    except Exception as exc:
        raise ImportError_([f"Not a readable XLSX file / nieczytelny plik XLSX: {exc}"]) from None
    # The size the sheet claims (up to A1:XFD1048576) would pad every row, present or not, to
    # that width: read only the rows and cells the file has.
    sheet.reset_dimensions()
    try:
        first = next(iter(sheet.iter_rows(max_row=1, max_col=MAX_COLUMNS, values_only=True)))
    except StopIteration:
        workbook.close()
        raise ImportError_(["The file is empty / plik jest pusty"]) from None
    except Exception as exc:
        workbook.close()
        raise ImportError_([f"Not a readable XLSX file / nieczytelny plik XLSX: {exc}"]) from None
    header = [_cell(v) for v in first]
    while header and not header[-1]:
        header.pop()  # cells past the last title are never read
    width = max(1, len(header))

    def rows() -> Iterator[tuple[int, list[str]]]:
        try:
            values = sheet.iter_rows(min_row=2, max_col=width, values_only=True)
            for number, row in enumerate(values, start=2):
                if number > _EXCEL_LAST_ROW:
                    raise ImportError_([
                        f"Row {number} / wiersz {number}: past a spreadsheet's last row "
                        f"({_EXCEL_LAST_ROW}) / poza ostatnim wierszem arkusza"])
                if row.count(None) == len(row):
                    continue  # rows missing from the file come as empty ones
                yield number, [_cell(v) for v in row]
        except ImportError_:
            raise
        except Exception as exc:
            raise ImportError_(
                [f"Not a readable XLSX file / nieczytelny plik XLSX: {exc}"]) from None
        finally:
            workbook.close()

    return header, rows()


def _check_archive(path: Path) -> None:
    """Refuse a ZIP whose members would unpack to far more than any directory (a "zip bomb"):
    the sizes its directory declares are the ones :mod:`zipfile` holds reading to."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ImportError_([f"Not a readable XLSX file / nieczytelny plik XLSX: {exc}"]) from None
    total = sum(member.file_size for member in members)
    if total > MAX_UNPACKED:
        raise ImportError_([
            f"The XLSX file unpacks to {total // 2**20} MB, more than the limit of "
            f"{MAX_UNPACKED // 2**20} MB / plik XLSX po rozpakowaniu ma {total // 2**20} MB, "
            f"więcej niż limit {MAX_UNPACKED // 2**20} MB"])
    for member in members:
        if member.file_size > _RATIO_FLOOR \
                and member.file_size > MAX_RATIO * max(member.compress_size, 1):
            raise ImportError_([
                f"The XLSX file is packed suspiciously tightly ({member.filename[:100]!r}: "
                f"more than {MAX_RATIO}:1), refused / plik XLSX jest podejrzanie mocno "
                f"spakowany (ponad {MAX_RATIO}:1), odrzucony"])


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def map_header(header: list[str]) -> tuple[dict[str, int], list[str]]:
    """Column positions by canonical name, and errors for missing required columns."""
    positions: dict[str, int] = {}
    for index, title in enumerate(header):
        folded = normalise(title)
        for column, aliases in COLUMNS.items():
            if folded in aliases and column not in positions:
                positions[column] = index
    missing = [c for c in REQUIRED if c not in positions]
    if "gmina" not in positions and "organisation" in positions:
        missing = [c for c in missing if c not in ("gmina", "topic")]  # only office staff
    errors = []
    if missing:
        errors.append(
            "Missing columns / brak kolumn: " + ", ".join(missing)
            + f" (found / znaleziono: {', '.join(h for h in header if h)})"
        )
    return positions, errors


def parse_rows(path: Path) -> ParsedFile:
    """Read and validate every row of ``path``."""
    header, rows = read_table(path)
    positions, errors = map_header(header)
    parsed = ParsedFile(errors=errors, mobiles={} if MOBILE_COLUMN in positions else None)
    if errors:
        return parsed
    seen_entries: dict[tuple[str, str, str], int] = {}
    names_by_email: dict[str, tuple[str, int]] = {}
    teryt_names: dict[str, tuple[str, int]] = {}
    reported: set[str] = set()  # people whose mobile number the report counts
    for line, cells in rows:
        if not any(c.strip() for c in cells):
            continue
        row_errors: list[str] = []
        values = {column: _value(cells, positions, column) for column in COLUMNS}
        for column, limit in LIMITS.items():
            if len(values[column]) > limit:
                row_errors.append(f"{column} is longer than {limit} characters")
        office = not values["gmina"] and bool(values["organisation"])
        for column in REQUIRED:
            if not values[column] and not (office and column in ("gmina", "topic")):
                row_errors.append(f"{column} is empty / pole {column} jest puste")
        if office and values["topic"]:
            row_errors.append("topics need a gmina (an organisation's staff have none) / "
                              "tematy wymagają gminy (pracownicy organizacji ich nie mają)")
        email = values["email"].lower() or None
        if email and not EMAIL_PATTERN.match(email):
            row_errors.append(f"e-mail {email!r} is not valid / nieprawidłowy e-mail")
        if values["phone"] and not PHONE_PATTERN.match(values["phone"]):
            row_errors.append(
                f"phone {values['phone']!r} is not valid, e.g. {PHONE_EXAMPLE} / nieprawidłowy "
                f"telefon {values['phone']!r}, np. {PHONE_EXAMPLE}")
        mobile = check_mobile(values[MOBILE_COLUMN])
        if mobile.error:
            row_errors.append(mobile.error)
        teryt = values["teryt"] or None
        if teryt and not _TERYT.match(teryt):
            row_errors.append(f"TERYT {teryt!r} must have 7 digits / TERYT musi mieć 7 cyfr")
        confirmed = None
        if values["confirmed_at"]:
            confirmed = _parse_date(values["confirmed_at"])
            if confirmed is None:
                row_errors.append(f"date {values['confirmed_at']!r} is not valid (YYYY-MM-DD)")
        topics = [t.strip() for t in values["topic"].split(";") if t.strip()]
        if values["topic"] and not topics:
            row_errors.append("topic is empty / temat jest pusty")
        gmina: GminaRow | None = None
        if not row_errors and not office:
            gmina = GminaRow(values["gmina"], teryt, values["kind"], values["powiat"],
                             values["wojewodztwo"])
            if teryt:
                previous = teryt_names.setdefault(teryt, (gmina.name, line))
                if fold(previous[0]) != fold(gmina.name):
                    row_errors.append(
                        f"TERYT {teryt} is {previous[0]!r} in row {previous[1]} / "
                        f"TERYT {teryt} to {previous[0]!r} w wierszu {previous[1]}"
                    )
        if not row_errors:
            if email:
                previous = names_by_email.setdefault(email.lower(), (values["name"], line))
                if fold(previous[0]) != fold(values["name"]):
                    row_errors.append(
                        f"e-mail {email} belongs to {previous[0]!r} in row {previous[1]} / "
                        f"e-mail należy do {previous[0]!r} z wiersza {previous[1]}"
                    )
            where = gmina_key(gmina) if gmina else f"org:{fold(values['organisation'])}"
            key = person_key(email, values["name"], where)
            if parsed.mobiles is not None:
                parsed.mobiles[line] = mobile.number
                if key not in reported:  # a person on several rows is told of once
                    reported.add(key)
                    parsed.mobile_report.add(line, values["name"], mobile)
            if office and (key, where, "") in seen_entries:
                row_errors.append(
                    f"duplicate of row {seen_entries[(key, where, '')]} / duplikat wiersza "
                    f"{seen_entries[(key, where, '')]}"
                )
            seen_entries.setdefault((key, where, ""), line)
            for topic in topics:
                entry = (key, where, fold(topic))
                if entry in seen_entries:
                    row_errors.append(
                        f"duplicate of row {seen_entries[entry]} / duplikat wiersza "
                        f"{seen_entries[entry]}"
                    )
                seen_entries.setdefault(entry, line)
        if row_errors:
            parsed.errors.extend(f"Row {line} / wiersz {line}: {e}" for e in row_errors)
            continue
        parsed.rows.append(
            PersonRow(
                line=line, gmina=gmina, topics=topics, name=values["name"],
                position=values["position"], email=email, phone=values["phone"],
                preferred_contact=values["preferred_contact"], notes=values["notes"],
                confirmed_on=confirmed, organisation=values["organisation"],
            )
        )
    if not parsed.rows and not parsed.errors:
        parsed.errors.append("The file has no data rows / plik nie zawiera danych")
    return parsed


def _value(cells: list[str], positions: dict[str, int], column: str) -> str:
    index = positions.get(column)
    return restore_cell(cells[index].strip()) if index is not None and index < len(cells) else ""


def _formula_like(value: str) -> bool:
    return value.lstrip("'").startswith(FORMULA_START)


def neutralise_cell(value: str) -> str:
    """A cell a spreadsheet shows as text, never runs: ``'`` before a formula-like value.

    A value that already starts with ``'`` before such a character gets one more, so
    :func:`restore_cell` can strip exactly what was added.
    """
    return "'" + value if _formula_like(value) else value


def restore_cell(value: str) -> str:
    """The value :func:`neutralise_cell` was given (the import of an export)."""
    return value[1:] if value.startswith("'") and _formula_like(value) else value


def _parse_date(text: str) -> date | None:
    for pattern in ("%Y-%m-%d", "%d.%m.%Y", "%d-%m-%Y", "%Y/%m/%d"):
        try:
            return datetime.strptime(text[:10], pattern).date()
        except ValueError:
            continue
    return None


def topic_key(text: str) -> str:
    """The key a topic named ``text`` in a file gets when the thesaurus does not know it."""
    return "-".join(fold(w) for w in tokens(text))[:80] or "temat"


def known_topic(matcher: PhraseMatcher, text: str) -> int | None:
    """The thesaurus topic a file's topic text means, when its words cover at least half of
    the text's content words; None: a topic of its own (see :func:`topic_key`)."""
    original = tokens(text)
    folded = [fold(t) for t in original]
    matches = matcher.find(folded, original)
    covered = {i for m in matches for i in range(m.start, m.end)}
    content = {i for i, w in enumerate(folded) if len(w) > 2}
    if matches and len(covered & content) * 2 >= len(content):
        return max(matches, key=lambda m: m.end - m.start).target
    return None


class DirectoryImporter:
    """Applies a validated file to the database in one transaction."""

    def __init__(self, *, morphology: Morphology, thesaurus: list[TopicDefinition]) -> None:
        self._morphology = morphology
        self._thesaurus = thesaurus
        self._matchers = TopicMatcherCache(morphology, thesaurus)

    async def install_thesaurus(self, session: AsyncSession) -> dict[str, int]:
        """Make sure every thesaurus topic exists; returns key → id."""
        return await ensure_topics(
            session, ((t.key, t.name_pl, t.name_en) for t in self._thesaurus), builtin=True
        )

    async def apply(
        self,
        session: AsyncSession,
        parsed: ParsedFile,
        *,
        source: str = "import",
        dry_run: bool = False,
        progress: Callable[[int], None] | None = None,
        today: date | None = None,
    ) -> ImportSummary:
        """Write ``parsed`` (which must have no errors). Rolled back entirely in a dry run.

        A real import (any ``source`` but ``"sample"``) first removes everything the demo
        created (:func:`store.demo.remove_demo`); the summary says what. A person of the demo
        whose e-mail is in the file is removed too and created afresh from the file: nothing
        a fictional entry was given (messenger links, roles) passes to a real person.

        Freshness: a row's ``confirmed_at`` is its confirmation date (a later confirmation
        already stored is kept); without it, a new or changed entry counts as confirmed
        ``today`` (the import date, Warsaw) and an unchanged one keeps its date.
        """
        if parsed.errors:
            raise ImportError_(parsed.errors)
        summary = ImportSummary()
        demo = source == "sample"
        today = today or datetime.now(WARSAW).date()
        if not demo:
            summary.demo_replaced = len(await demo_emails(
                session, (row.email for row in parsed.rows if row.email)))
            summary.demo_removed = await remove_demo(session, gminy=False)
        await self.install_thesaurus(session)
        topic_of = await self._resolve_topics(
            session, {t for row in parsed.rows for t in row.topics}, summary
        )
        gminy = await self._gminy(session, parsed, summary, demo=demo)

        # Plain rows and bulk statements, not ORM objects: a whole country's directory
        # (~35,000 people) must import within a small memory budget.
        people: dict[str, tuple[int, tuple[object, ...]]] = {}
        everyone = select(col(Person.id), col(Person.email), *_FIELD_COLUMNS)
        for record in await session.execute(everyone):
            person_id, email, *values = record
            by_name = dict(zip(PERSON_FIELDS, values, strict=True))
            key = person_key(email, str(by_name["name"]), str(by_name["gmina_id"]))
            people[key] = (int(person_id), tuple(values))
        existing_entries: dict[int, set[tuple[int, int]]] = {}
        for person_id, topic_id, gmina_id in await session.execute(
            select(col(ContactEntry.person_id), col(ContactEntry.topic_id),
                   col(ContactEntry.gmina_id))
        ):
            existing_entries.setdefault(person_id, set()).add((topic_id, gmina_id))

        now = utcnow()
        wanted: dict[str, set[tuple[int, int | None]]] = {}  # None: the row names no gmina
        new_people: dict[str, dict[str, object]] = {}
        changes: dict[int, dict[str, object]] = {}
        for done, row in enumerate(parsed.rows, start=1):
            gmina_id = gminy[gmina_key(row.gmina)] if row.gmina else None
            key = person_key(row.email, row.name, str(gmina_id))
            fields: dict[str, object] = {
                "name": row.name, "position": row.position, "phone": row.phone,
                "preferred_contact": row.preferred_contact, "notes": row.notes,
                "gmina_id": gmina_id, "organisation": row.organisation,
            }
            if parsed.mobiles is not None:  # a file without the column keeps stored numbers
                fields["mobile"] = parsed.mobiles[row.line]
            wanted.setdefault(key, set()).update(
                (topic_of[normalise(t)], gmina_id) for t in row.topics
            )
            known = people.get(key)
            if known is None:
                if key not in new_people:
                    summary.people_added += 1
                new_people[key] = {"email": row.email, "created_at": now, "updated_at": now,
                                   "source": source, "demo": demo,
                                   "confirmed_on": row.confirmed_on or today, **fields}
            elif known[0] not in changes:
                current = dict(zip(PERSON_FIELDS, known[1], strict=True))
                edited = any(current[k] != v for k, v in fields.items())
                stored_on = current["confirmed_on"]  # a Date column: a date or None
                confirmed = _confirmation(
                    row.confirmed_on, stored_on if isinstance(stored_on, date) else None,
                    edited=edited, today=today)
                if edited or current["source"] != source or current["confirmed_on"] != confirmed:
                    summary.people_updated += 1
                    changes[known[0]] = {"id": known[0], "updated_at": now, "source": source,
                                         "confirmed_on": confirmed, **fields}
                else:
                    summary.people_unchanged += 1
                    changes[known[0]] = {}
            if progress and done % 500 == 0:
                progress(500)

        ids = {key: person_id for key, (person_id, _values) in people.items()}
        batch = list(new_people.items())
        for start in range(0, len(batch), 1000):
            chunk = batch[start : start + 1000]
            result = await session.execute(
                insert(Person).values([values for _key, values in chunk]).returning(col(Person.id))
            )
            # RETURNING keeps the order of VALUES on both SQLite and PostgreSQL.
            for (key, _values), (person_id,) in zip(chunk, result.all(), strict=True):
                ids[key] = int(person_id)
        updates = [values for values in changes.values() if values]
        if updates:
            await session.execute(update(Person), updates)

        new_entries: list[dict[str, int | None]] = []
        removed: list[tuple[int, int, int]] = []
        for key, entries in wanted.items():
            person_id = ids[key]
            stored = existing_entries.get(person_id, set())
            new_entries += [
                {"person_id": person_id, "topic_id": topic_id, "gmina_id": gmina_id}
                for topic_id, gmina_id in entries - stored
            ]
            removed += [(person_id, t, g) for t, g in stored - entries]
        for start in range(0, len(new_entries), 2000):
            await session.execute(insert(ContactEntry).values(new_entries[start : start + 2000]))
        for person_id, topic_id, gmina_id in removed:
            await session.execute(
                delete(ContactEntry).where(
                    col(ContactEntry.person_id) == person_id,
                    col(ContactEntry.topic_id) == topic_id,
                    col(ContactEntry.gmina_id) == gmina_id,
                )
            )
        summary.entries_added, summary.entries_removed = len(new_entries), len(removed)
        if not demo:  # the demo's gminy the file did not name
            summary.demo_removed.add("gminy", await remove_demo_gminy(session))
        await bump_version(session)
        await session.flush()
        if progress:
            progress(len(parsed.rows) % 500)
        if dry_run:
            await session.rollback()
        else:
            await session.commit()
        return summary

    async def _gminy(
        self, session: AsyncSession, parsed: ParsedFile, summary: ImportSummary, *,
        demo: bool = False,
    ) -> dict[str, int]:
        known = {
            gmina_key(GminaRow(g.name, g.teryt, powiat=g.powiat)): g
            for g in await session.scalars(select(Gmina))
        }
        by_name_only = {
            g.name.lower(): g for g in known.values() if not g.teryt and not g.powiat
        }
        result: dict[str, Gmina] = {}
        created: list[Gmina] = []
        for row in parsed.rows:
            if row.gmina is None:
                continue
            key = gmina_key(row.gmina)
            if key in result:
                continue
            gmina = known.get(key) or by_name_only.get(row.gmina.name.lower())
            if gmina is None:
                gmina = Gmina(
                    name=row.gmina.name, teryt=row.gmina.teryt, kind=row.gmina.kind,
                    powiat=row.gmina.powiat, wojewodztwo=row.gmina.wojewodztwo, demo=demo,
                )
                session.add(gmina)
                created.append(gmina)
                summary.gminy_added += 1
            else:
                if not demo and gmina.demo:
                    gmina.demo = False  # real data names it: it stays with the real data
                for name in ("kind", "powiat", "wojewodztwo", "teryt"):
                    value = getattr(row.gmina, name)
                    if value and getattr(gmina, name) != value:
                        setattr(gmina, name, value)
            known[key] = gmina
            result[key] = gmina
        await session.flush()
        for gmina in created:
            await replace_gmina_forms(
                session, saved_id(gmina), self._morphology.name_forms(gmina.name)
            )
        return {k: saved_id(g) for k, g in result.items()}

    async def _resolve_topics(
        self, session: AsyncSession, texts: set[str], summary: ImportSummary
    ) -> dict[str, int]:
        """Topic id for every topic text of the file; unknown topics are created."""
        topics = list(await session.scalars(select(Topic)))
        synonyms = [
            (int(a), str(b), str(c))
            for a, b, c in await session.execute(
                select(col(TopicSynonym.topic_id), col(TopicSynonym.phrase),
                       col(TopicSynonym.lang))
            )
        ]
        infos = [TopicInfo(saved_id(t), t.key, t.name_pl, t.name_en) for t in topics]
        matcher = self._matchers.matcher(infos, synonyms)
        by_key = {t.key: t for t in topics}
        resolved: dict[str, int | Topic] = {}
        for text in sorted(texts):
            target = known_topic(matcher, text)
            if target is not None:
                resolved[normalise(text)] = target
                continue
            key = topic_key(text)
            if key not in by_key:
                by_key[key] = Topic(key=key, name_pl=text.strip()[:200], builtin=False)
                session.add(by_key[key])
                summary.topics_added.append(text.strip())
            resolved[normalise(text)] = by_key[key]
        await session.flush()
        return {k: v if isinstance(v, int) else saved_id(v) for k, v in resolved.items()}


def _confirmation(
    in_file: date | None, stored: date | None, *, edited: bool, today: date
) -> date:
    """The confirmation date of a re-imported entry (see :meth:`DirectoryImporter.apply`)."""
    if in_file is not None:
        return max(in_file, stored) if stored else in_file
    if edited or stored is None:
        return today
    return stored


# --- export ----------------------------------------------------------------------------------


async def export_rows(session: AsyncSession) -> list[dict[str, str]]:
    """The directory as rows of :data:`EXPORT_COLUMNS` and the mobile number: one per person
    and gmina, topics joined by ``"; "``, then the staff of organisations (no gmina) — what
    :func:`parse_rows` reads back unchanged."""
    people = {p.id: p for p in await session.scalars(select(Person))}
    gminy = {g.id: g for g in await session.scalars(select(Gmina))}
    topics = {t.id: t for t in await session.scalars(select(Topic))}
    grouped: dict[tuple[int, int], list[str]] = {}
    for person_id, topic_id, gmina_id in await session.execute(
        select(col(ContactEntry.person_id), col(ContactEntry.topic_id),
               col(ContactEntry.gmina_id))
    ):
        grouped.setdefault((person_id, gmina_id), []).append(topics[topic_id].name_pl)
    rows = []
    for (person_id, gmina_id), names in sorted(grouped.items()):
        person, gmina = people[person_id], gminy[gmina_id]
        rows.append({
            "gmina": gmina.name, "teryt": gmina.teryt or "", "kind": gmina.kind,
            "powiat": gmina.powiat, "wojewodztwo": gmina.wojewodztwo,
            "topic": "; ".join(sorted(names)), "name": person.name,
            "position": person.position, "email": person.email or "", "phone": person.phone,
            "preferred_contact": person.preferred_contact, "notes": person.notes,
            "confirmed_at": person.confirmed_on.isoformat() if person.confirmed_on else "",
            "organisation": person.organisation, MOBILE_COLUMN: person.mobile,
        })
    listed = {person_id for person_id, _gmina in grouped}
    for person in sorted(people.values(), key=lambda p: int(p.id or 0)):
        if person.id in listed or not person.organisation:
            continue  # no gmina, no organisation: nothing an import could place them by
        rows.append({
            "gmina": "", "teryt": "", "kind": "", "powiat": "", "wojewodztwo": "", "topic": "",
            "name": person.name, "position": person.position, "email": person.email or "",
            "phone": person.phone, "preferred_contact": person.preferred_contact,
            "notes": person.notes,
            "confirmed_at": person.confirmed_on.isoformat() if person.confirmed_on else "",
            "organisation": person.organisation, MOBILE_COLUMN: person.mobile,
        })
    return rows


def write_export(path: Path, rows: list[dict[str, str]], *, plain: bool = False) -> None:
    """Write ``rows`` to ``path`` (``.xlsx``, else CSV). Every cell is inert in a spreadsheet.

    CSV is by default what Polish Excel opens correctly by double-click: UTF-8 with BOM,
    ``;``-separated, Polish headers; ``plain`` gives UTF-8, ``,`` and English headers.
    Formula-like values get a ``'`` in front (:func:`neutralise_cell`). XLSX keeps the
    English headers; its cells are text (never formulas) and formula-like ones carry
    Excel's own apostrophe prefix (the ``quotePrefix`` style), so ``+48 12 …`` reads as it is
    and stays text even when edited. The mobile column comes last, and only when a row has a
    number (a file without it leaves numbers as they are when imported).
    """
    columns = export_columns(rows)
    if path.suffix.lower() == ".xlsx":
        _write_xlsx(path, rows, columns)
        return
    headers = columns if plain else tuple(POLISH_HEADERS[c] for c in columns)
    with path.open("w", encoding="utf-8" if plain else "utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter="," if plain else ";")
        writer.writerow(headers)
        writer.writerows([neutralise_cell(row.get(c, "")) for c in columns] for row in rows)


def export_columns(rows: list[dict[str, str]]) -> tuple[str, ...]:
    """:data:`EXPORT_COLUMNS`, and the mobile column when any of ``rows`` has a number."""
    has_mobile = any(row.get(MOBILE_COLUMN) for row in rows)
    return (*EXPORT_COLUMNS, MOBILE_COLUMN) if has_mobile else EXPORT_COLUMNS


def _write_xlsx(path: Path, rows: list[dict[str, str]], columns: tuple[str, ...]) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(list(columns))
    for row in rows:
        cells = []
        for column in columns:
            value = row.get(column, "")
            formula_like = _formula_like(value)
            # An apostrophe we would strip on import is doubled, like in CSV.
            cell = WriteOnlyCell(sheet, value="'" + value
                                 if formula_like and value.startswith("'") else value)
            cell.data_type = "s"  # text, even when it starts with "="
            if formula_like:
                cell.quotePrefix = True
            cells.append(cell)
        sheet.append(cells)
    workbook.save(path)
