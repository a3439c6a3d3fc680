"""Commands with fields, as people type them in a messenger:

    /wydarzenie nowe PZP Posiedzenie Forum PZP
    kiedy: 1 grudnia 10:00-12:00
    gdzie: sala 101, ul. Basztowa 22

or on one line, fields separated by ";": ``/termin nowy PZP; co: sprawozdanie; do: 15 grudnia``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from commands.directory.language import fold

EVENT_FIELDS = {
    **dict.fromkeys(("tytul", "title", "nazwa", "temat", "name"), "title"),
    **dict.fromkeys(("kiedy", "when", "termin", "data", "date"), "when"),
    **dict.fromkeys(("gdzie", "miejsce", "where", "place", "location", "sala"), "place"),
    **dict.fromkeys(("link", "online", "url", "teams", "spotkanie online", "online link"),
                    "link"),
    **dict.fromkeys(("materialy", "materials", "material", "dokumenty", "documents"),
                    "materials"),
    **dict.fromkeys(("powtarzaj", "powtarza", "powtarzanie", "cykl", "repeat", "recurrence",
                     "repeats"), "repeat"),
    **dict.fromkeys(("opis", "description", "uwagi", "notes", "agenda", "porzadek obrad"),
                    "description"),
}
DEADLINE_FIELDS = {
    **dict.fromkeys(("co", "what", "tytul", "title", "zadanie", "task"), "title"),
    **dict.fromkeys(("do", "do kiedy", "termin", "kiedy", "due", "by", "deadline", "when"),
                    "due"),
    **dict.fromkeys(("kto", "who", "dla", "for", "odbiorcy"), "who"),
    **dict.fromkeys(("opis", "description", "uwagi", "notes"), "description"),
}
CLEAR = {"-", "—", "brak", "nie", "none", "no", "usun", "remove"}


@dataclass(slots=True)
class Fields:
    """The header (first segment) and the named fields of a command."""

    header: str
    values: dict[str, str] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)  # names we do not know
    loose: list[str] = field(default_factory=list)  # segments without "name:"


def segments(text: str) -> list[str]:
    """Lines, or ";"-separated parts of a single line."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    if len(lines) == 1:
        lines = [part.strip() for part in lines[0].split(";") if part.strip()]
    return lines


def parse_fields(text: str, names: dict[str, str], *, header: bool = True) -> Fields:
    """Split ``text`` into a header and ``name: value`` fields (names in either language)."""
    parts = segments(text)
    if header and parts and not _named(parts[0], names):
        parts[:1] = _split_header(parts[0], names)
    result = Fields(header=parts.pop(0) if header and parts and not _named(parts[0], names)
                    else "")
    for part in parts:
        name, sep, value = part.partition(":")
        key = fold(name.strip()).strip()
        if sep and key in names:
            result.values[names[key]] = value.strip()
        elif sep and len(key) <= 25 and "/" not in name:
            result.unknown.append(name.strip())
        else:
            result.loose.append(part)
    return result


def _split_header(part: str, names: dict[str, str]) -> list[str]:
    """"nowy PZP co: sprawozdanie" → ["nowy PZP", "co: sprawozdanie"]: the first field may
    follow the header without a ";"."""
    words = part.split()
    for index in range(1, len(words)):
        rest = " ".join(words[index:])
        if _named(rest, names):
            return [" ".join(words[:index]), rest]
    return [part]


def _named(part: str, names: dict[str, str]) -> bool:
    name, sep, _ = part.partition(":")
    return bool(sep) and fold(name.strip()) in names


def is_clear(value: str) -> bool:
    """"gdzie: -" clears a field."""
    return fold(value.strip()) in CLEAR
