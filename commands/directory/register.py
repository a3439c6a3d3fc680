"""The official register of all Polish gminy (GUS TERYT, shipped as package data).

The directory knows the gminy whose staff were imported; the register knows every gmina in the
country. With both, "kto od śmieci w Warszawie?" can be told apart from a typo: Warszawa is a
gmina, just not one in the directory. Source and state of the data: ``data/SOURCES.md``.
"""

from __future__ import annotations

import csv
import functools
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from commands.directory.language import Morphology
from commands.directory.matching import GminaNames

REGISTER_FILE = Path(__file__).with_name("data") / "gminy.csv"
# Every inflected form of every name, made from REGISTER_FILE with morfeusz2 and shipped, so a
# service need not inflect 2,479 names (a second and ~50 MB of caches) at its first question.
FORMS_FILE = REGISTER_FILE.with_name("gminy_forms.csv")
SOURCE_MARK = "#source-sha256"


@dataclass(frozen=True, slots=True)
class RegisteredGmina:
    """One gmina of the TERYT register. ``teryt`` is the 7-digit TERC code."""

    teryt: str
    name: str
    kind: str  # urban / rural / urban-rural
    powiat: str
    wojewodztwo: str


def read_register(path: Path = REGISTER_FILE) -> list[RegisteredGmina]:
    """Every gmina of the register file, in file order."""
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            RegisteredGmina(row["teryt"], row["name"], row["kind"], row["powiat"],
                            row["wojewodztwo"])
            for row in csv.DictReader(handle)
        ]


class GminaRegister:
    """The register with every inflected form of every name (ids: positions in ``gminy``)."""

    def __init__(self, gminy: Iterable[RegisteredGmina],
                 forms: Mapping[str, tuple[Iterable[str], Iterable[str]]]) -> None:
        """``forms``: normalised form → (TERYT codes of the gminy it names, its cases)."""
        self.gminy: tuple[RegisteredGmina, ...] = tuple(gminy)
        self.by_teryt = {g.teryt: g for g in self.gminy}
        position = {g.teryt: i for i, g in enumerate(self.gminy)}
        self.names = GminaNames({form: [position[t] for t in codes if t in position]
                                 for form, (codes, _cases) in forms.items()})
        self._cases = {form: frozenset(cases) for form, (_codes, cases) in forms.items()}

    @classmethod
    def inflected(cls, gminy: Iterable[RegisteredGmina], morphology: Morphology
                  ) -> GminaRegister:
        """Inflect every name with morfeusz2 (about a second for the whole country)."""
        gminy = tuple(gminy)
        forms: dict[str, tuple[set[str], set[str]]] = {}
        for gmina in gminy:
            for form in morphology.name_forms(gmina.name):
                forms.setdefault(form, (set(), set()))[0].add(gmina.teryt)
            # The cases of the place's own forms: a homonym's ("Piątek", a surname that does
            # not inflect) would make any form fit any preposition.
            for form, form_cases in morphology.name_cases(gmina.name, places_only=True).items():
                forms.setdefault(form, (set(), set()))[1].update(form_cases)
        return cls(gminy, forms)

    def __len__(self) -> int:
        return len(self.gminy)

    def cases(self, form: str) -> frozenset[str]:
        """The grammatical cases a normalised name form can be (empty: not known)."""
        return self._cases.get(form, frozenset())

    def named(self, form: str) -> list[RegisteredGmina]:
        """Gminy of the register with the normalised name form ``form``."""
        return [self.gminy[i] for i in sorted(self.names.lookup(form))]

    def rows(self) -> list[tuple[str, str, str]]:
        """(form, TERYT codes, cases) per form, sorted: the content of :data:`FORMS_FILE`."""
        forms = set(self.names.keys()) | set(self._cases)
        return [
            (form, " ".join(sorted(self.gminy[i].teryt for i in self.names.lookup(form))),
             " ".join(sorted(self._cases.get(form, ()))))
            for form in sorted(forms)
        ]


def _fingerprint(path: Path = REGISTER_FILE) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_forms(register: GminaRegister, path: Path = FORMS_FILE) -> None:
    """Write the inflected forms (run ``python -m commands.directory.register``)."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["form", "teryt", "cases"])
        writer.writerow([SOURCE_MARK, _fingerprint(), ""])
        writer.writerows(register.rows())


def read_forms(gminy: Iterable[RegisteredGmina], path: Path = FORMS_FILE
               ) -> GminaRegister | None:
    """The register from the shipped forms, or None if they are missing or were made from
    another ``gminy.csv`` than the one shipped."""
    if not path.is_file():
        return None
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader, None)
        mark = next(reader, None)
        if mark is None or mark[:2] != [SOURCE_MARK, _fingerprint()]:
            return None
        forms = {form: (codes.split(), cases.split()) for form, codes, cases in reader}
    return GminaRegister(gminy, forms)


@functools.cache
def shipped_register() -> GminaRegister:
    """The shipped register with its inflected forms (read from :data:`FORMS_FILE`; made
    with morfeusz2 if that file does not fit ``gminy.csv``, which takes about a second)."""
    gminy = read_register()
    # A morfeusz2 instance of its own, dropped afterwards: inflecting 2,479 names fills
    # caches several times the size of the register.
    return read_forms(gminy) or GminaRegister.inflected(gminy, Morphology())


if __name__ == "__main__":
    write_forms(GminaRegister.inflected(read_register(), Morphology()))
    print(f"{FORMS_FILE}: written")
