"""Polish text as people type it: normalisation, tokens and inflection (morfeusz2 / SGJP).

User text arrives in any grammatical case, in lower case and often without Polish letters
("w swiatnikach gornych"). We therefore compare *normalised* forms: lower case, Polish letters
folded to ASCII, punctuation and hyphens turned into spaces.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import morfeusz2

CASES = ("nom", "gen", "dat", "acc", "inst", "loc", "voc")

_FOLD = str.maketrans({"ł": "l", "Ł": "l"})
_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)


def fold(text: str) -> str:
    """Lower case without diacritics: ``"Świątniki Górne"`` → ``"swiatniki gorne"``."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLD).lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def tokens(text: str) -> list[str]:
    """Word tokens of ``text`` as written (letters and digits; everything else separates)."""
    return _TOKEN.findall(text)


def normalise(text: str) -> str:
    """Folded tokens joined by single spaces: the key every lookup uses."""
    return " ".join(fold(tok) for tok in tokens(text))


@dataclass(frozen=True, slots=True)
class Reading:
    """One morphological reading of a word form."""

    lemma: str
    pos: str
    number: str
    cases: frozenset[str]
    genders: frozenset[str]
    proper: bool
    degree: str = ""


def _parse_tag(lemma: str, tag: str, quals: list[str]) -> Reading:
    parts = tag.split(":")
    pos = parts[0]
    number = next((p for p in parts[1:] if p in ("sg", "pl")), "")
    cases: set[str] = set()
    genders: set[str] = set()
    for part in parts[1:]:
        values = set(part.split("."))
        if values & set(CASES):
            cases |= values & set(CASES)
        if values & {"m1", "m2", "m3", "f", "n"}:
            genders |= values & {"m1", "m2", "m3", "f", "n"}
    proper = any(q in ("nazwa_geograficzna", "człon_nazwy_geograficznej") for q in quals)
    degree = next((p for p in parts[1:] if p in ("pos", "com", "sup")), "")
    return Reading(lemma, pos, number, frozenset(cases), frozenset(genders), proper, degree)


class Morphology:
    """Inflection and analysis with morfeusz2, with caches: the dictionary lookups are the cost.

    One instance per process (the composition root creates it); it is not thread-safe, which
    is fine in an asyncio service.
    """

    def __init__(self) -> None:
        self._morfeusz = morfeusz2.Morfeusz(expand_tags=False)
        self._analysis: dict[str, tuple[Reading, ...]] = {}
        self._paradigm: dict[str, tuple[tuple[str, Reading], ...]] = {}
        self._name_cases: dict[tuple[str, bool], dict[str, frozenset[str]]] = {}

    def analyse(self, word: str) -> tuple[Reading, ...]:
        """Readings of one word form (empty for words the dictionary does not know)."""
        cached = self._analysis.get(word)
        if cached is None:
            readings = []
            for _start, _end, (_form, lemma, tag, quals, _q) in self._morfeusz.analyse(word):
                if tag != "ign":
                    readings.append(_parse_tag(lemma, tag, quals))
            cached = self._analysis[word] = tuple(readings)
        return cached

    def paradigm(self, lemma: str) -> tuple[tuple[str, Reading], ...]:
        """Every form of ``lemma`` with its reading."""
        cached = self._paradigm.get(lemma)
        if cached is None:
            try:
                generated = self._morfeusz.generate(lemma)
            except RuntimeError:
                generated = []
            cached = self._paradigm[lemma] = tuple(
                (form, _parse_tag(lem, tag, quals)) for form, lem, tag, quals, _q in generated
            )
        return cached

    def is_common_word(self, word: str) -> bool:
        """True if the (lower-case) word also reads as an ordinary word, not only a name."""
        return any(
            not r.proper and r.pos not in ("ign", "brev") and r.lemma[:1].islower()
            for r in self.analyse(word.lower())
        )

    def lemmas(self, word: str) -> set[str]:
        """Folded lemmas of a word form; the folded word itself if it is unknown."""
        found = {fold(r.lemma.split(":")[0]) for r in self.analyse(word)}
        if word[:1].isupper():
            found |= {fold(r.lemma.split(":")[0]) for r in self.analyse(word.lower())}
        return found or {fold(word)}

    def word_forms(self, word: str) -> set[str]:
        """Folded forms of every lemma the word can be (loose: for topic phrases)."""
        forms = {fold(word)}
        for reading in self.analyse(word):
            for form, _r in self.paradigm(reading.lemma):
                forms.add(fold(form))
        return forms

    def name_forms(self, name: str) -> set[str]:
        """Normalised forms of a multi-word proper name, case by case.

        Each word is inflected from its nominative readings, keeping number (and gender for
        adjectives); words with no nominative reading ("nad", "Pilicą") stay as they are. The
        words are then combined case by case, so "Wielka Wieś" yields "wielkiej wsi" but not
        "wielka wsi".
        """
        return set(self.name_cases(name))

    def name_cases(self, name: str, *, places_only: bool = False) -> dict[str, frozenset[str]]:
        """:meth:`name_forms` with the grammatical cases each form can be.

        The cases let a caller check that a form fits its preposition ("w piątek" is not the
        locative of the gmina Piątek). A name morfeusz2 cannot inflect is every case; the
        name as written may come with no case at all (it is still a form of the name).
        ``places_only`` inflects a word only as the place where it is one, not as a homonym.
        """
        cached = self._name_cases.get((name, places_only))
        if cached is not None:
            return cached
        words = tokens(name)
        per_word: list[dict[str, set[str]]] = [
            # An adjective of a longer name ("Gorzów Wielkopolski", "Stalowa Wola") inflects
            # as the adjective: its proper readings (a surname "Wielkopolski") would give
            # "w Gorzowie Wielkopolskach" and miss "Wielkopolskim".
            self._cases_of(word.lower(), places_only=False) | {"*": {fold(word)}}
            if places_only and len(words) > 1 and self._adjective(word)
            else self._cases_of(word, places_only=places_only)
            for word in words
        ]
        result: dict[str, set[str]] = {normalise(name): set()}
        for case in CASES:
            combos: list[list[str]] = [[]]
            for forms_by_case in per_word:
                options = forms_by_case.get(case) or forms_by_case["*"]
                combos = [[*c, f] for c in combos for f in sorted(options)][:64]
            for combo in combos:
                result.setdefault(" ".join(combo), set()).add(case)
        if "-" in name:
            # People shorten double names: "w Kocmyrzowie" means Kocmyrzów-Luborzyca.
            for part in name.split("-"):
                if part.strip():
                    parts = self.name_cases(part.strip(), places_only=places_only)
                    for form, cases in parts.items():
                        result.setdefault(form, set()).update(cases)
        done = {form: frozenset(cases) for form, cases in result.items()}
        if places_only:  # asked while answering; an import's name_forms need no cache
            self._name_cases[(name, places_only)] = done
        return done

    def _adjective(self, word: str) -> bool:
        """Whether the word of a name is an adjective: it reads as one in lower case and is
        no place name in the nominative itself ("Wielkopolski", "Morska"; not "Ruda")."""
        if any(r.proper and "nom" in r.cases and r.lemma.split(":")[0] == word
               for r in self.analyse(word)):
            return False
        return any(r.pos == "adj" and "nom" in r.cases and r.lemma[:1].islower()
                   for r in self.analyse(word.lower()))

    def _cases_of(self, word: str, *, places_only: bool = False) -> dict[str, set[str]]:
        by_case: dict[str, set[str]] = {"*": {fold(word)}}
        lowered = word.lower()
        readings = self.analyse(word)
        if places_only and any(r.proper and "nom" in r.cases for r in readings):
            # The place's own paradigm: "Piątek" is also an indeclinable surname, which would
            # make "piątek" a locative too.
            readings = tuple(r for r in readings if r.proper)
        for reading in readings:
            if "nom" not in reading.cases or reading.pos not in ("subst", "adj", "depr"):
                continue
            if reading.pos == "adj" and reading.lemma[:1].isupper():
                continue
            for form, other in self.paradigm(reading.lemma):
                if other.number != reading.number or other.pos != reading.pos:
                    continue
                if places_only and reading.proper and not other.proper:
                    continue
                if reading.pos == "adj" and (
                    other.degree != "pos" or not other.genders & reading.genders
                ):
                    continue
                for case in other.cases:
                    by_case.setdefault(case, set()).add(fold(form))
        if len(by_case) == 1 and lowered != word:
            # Unknown capitalised words: try the lower-case reading (adjectives like "Górne").
            return self._cases_of(lowered, places_only=places_only) | {"*": {fold(word)}}
        return by_case
