"""The official register of all Polish gminy (GUS TERYT, shipped as package data).

The directory knows the gminy whose staff were imported; the register knows every gmina in the
country. With both, "kto od śmieci w Warszawie?" can be told apart from a typo: Warszawa is a
gmina, just not one in the directory. Source and state of the data: ``data/SOURCES.md``.
"""

from __future__ import annotations

import csv
import weakref
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from commands.directory.language import Morphology
from commands.directory.matching import GminaNames

REGISTER_FILE = Path(__file__).with_name("data") / "gminy.csv"


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

    def __init__(self, gminy: Iterable[RegisteredGmina], morphology: Morphology) -> None:
        self.gminy: tuple[RegisteredGmina, ...] = tuple(gminy)
        self.by_teryt = {g.teryt: g for g in self.gminy}
        forms: dict[str, set[int]] = {}
        cases: dict[str, set[str]] = {}
        for position, gmina in enumerate(self.gminy):
            for form in morphology.name_forms(gmina.name):
                forms.setdefault(form, set()).add(position)
            # The cases of the place's own forms: a homonym's ("Piątek", a surname that does
            # not inflect) would make any form fit any preposition.
            for form, form_cases in morphology.name_cases(gmina.name, places_only=True).items():
                cases.setdefault(form, set()).update(form_cases)
        self.names = GminaNames(forms)
        self._cases = {form: frozenset(c) for form, c in cases.items()}

    def __len__(self) -> int:
        return len(self.gminy)

    def cases(self, form: str) -> frozenset[str]:
        """The grammatical cases a normalised name form can be (empty: not a name form)."""
        return self._cases.get(form, frozenset())

    def named(self, form: str) -> list[RegisteredGmina]:
        """Gminy of the register with the normalised name form ``form``."""
        return [self.gminy[i] for i in sorted(self.names.lookup(form))]


_REGISTERS: weakref.WeakKeyDictionary[Morphology, GminaRegister] = weakref.WeakKeyDictionary()


def register_for(morphology: Morphology) -> GminaRegister:
    """The shipped register, inflected once per :class:`Morphology` (about a second)."""
    register = _REGISTERS.get(morphology)
    if register is None:
        register = _REGISTERS[morphology] = GminaRegister(read_register(), morphology)
    return register
