"""One way to name a gmina wherever a command takes one: ``lacznik roles … --gmina X``,
``/ogloszenie gmina X: …`` and the like.

A gmina can be named as people write it — any grammatical case ("Wieliczce"), lower case,
without Polish letters ("swiatniki gorne") — or by its TERYT code ("1219053"). A name shared by
several gminy ("Bochnia": the town and the rural gmina around it) is never resolved by a guess:
the answer lists every candidate with its TERYT code and powiat. Qualifiers narrow a shared
name: "gmina wiejska Bochnia", "Bochnia miasto", "Czernichów powiat żywiecki".

The name tables are the directory's own (:class:`~commands.directory.matching.GminaNames`,
inflected by :mod:`commands.directory.language`) and the shipped TERYT register, which tells
a gmina the directory does not have ("Warszawa") from a name that is no gmina at all.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from commands.directory.index import DirectoryIndex, GminaInfo
from commands.directory.language import fold, tokens
from commands.directory.register import RegisteredGmina
from commands.texts import t

# Words that only say "a gmina" ("gmina Wieliczka", "gminie Skawina", "municipality of …").
GMINA_WORDS = frozenset(
    "gmina gminy gminie gmine gmina gmin gminach gm ug um umig municipality".split()
)
# Qualifiers of the kind of gmina, in any case (folded): the kinds they allow.
KIND_WORDS: dict[str, frozenset[str]] = {
    **dict.fromkeys(("miejska", "miejskiej", "miejskiego", "urban"),
                    frozenset({"urban"})),
    **dict.fromkeys(("wiejska", "wiejskiej", "wiejskiego", "rural"), frozenset({"rural"})),
    **dict.fromkeys(("miasto", "miasta", "miescie", "miastem", "town", "city"),
                    frozenset({"urban", "urban-rural"})),
}
URBAN_RURAL = ("miejsko", "urban")  # "miejsko-wiejska", "urban-rural": two tokens
PREPOSITIONS = frozenset("w we z ze in at".split())  # "Czernichów w powiecie żywieckim"
POWIAT_WORDS = frozenset("powiat powiatu powiecie powiatem pow county district".split())
WOJEWODZTWO_WORDS = frozenset("wojewodztwo wojewodztwa wojewodztwie woj voivodeship".split())
SUGGEST_CUTOFF = 80


@dataclass(frozen=True, slots=True)
class Resolution:
    """What a gmina name given to a command names.

    ``found``: directory gminy (one: resolved; several: a shared name, refused); ``outside``:
    gminy of the register that the directory does not have; ``suggestions``: directory gminy
    close to a name that matched nothing (offered, never picked).
    """

    text: str
    found: tuple[GminaInfo, ...] = ()
    outside: tuple[RegisteredGmina, ...] = ()
    suggestions: tuple[GminaInfo, ...] = ()

    @property
    def gmina(self) -> GminaInfo | None:
        """The one gmina named, or None when the text names none or several."""
        return self.found[0] if len(self.found) == 1 else None

    @property
    def ambiguous(self) -> bool:
        """The text fits several gminy of the directory."""
        return len(self.found) > 1


@dataclass(frozen=True, slots=True)
class Qualifiers:
    """What is said about a gmina besides its name: its kind, powiat, województwo."""

    kinds: frozenset[str] | None = None
    powiat: tuple[str, ...] = ()
    wojewodztwo: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.kinds is not None or self.powiat or self.wojewodztwo)


def resolve_gmina(text: str, index: DirectoryIndex) -> Resolution:
    """Which gmina ``text`` names: a name in any case or spelling, or a TERYT code."""
    words = tokens(text)
    digits = [w for w in words if fold(w) not in GMINA_WORDS]
    if digits and all(w.isdigit() for w in digits):  # "1219053", "gmina 12 19 053"
        return _by_code(text, "".join(digits), index)
    name, qualifiers = _split_qualifiers(words, index)
    key = " ".join(fold(word) for word in name)
    if not key:
        return Resolution(text)
    ids = index.names.lookup(key)
    if ids:
        candidates = _sorted(index.gminy[i] for i in ids if i in index.gminy)
        narrowed = [g for g in candidates if fits(g, qualifiers, index)]
        if narrowed:
            return Resolution(text, found=tuple(narrowed))
        return Resolution(text, suggestions=tuple(candidates))  # the qualifier fits none
    registered = [g for g in index.register.named(key) if fits(g, qualifiers, index)]
    if registered:
        known = {index.in_directory(g) for g in registered} - {None}
        if known:  # the directory has it under another spelling of the name
            return Resolution(text, found=_sorted(index.gminy[i] for i in known if i))
        return Resolution(text, outside=tuple(registered))
    return Resolution(text, suggestions=_suggestions(key, index))


def _by_code(text: str, digits: str, index: DirectoryIndex) -> Resolution:
    """A TERYT code: 7 digits (WOJ POW GMI RODZ), or the first 6 of them."""
    if len(digits) == 7:
        if digits in index.by_teryt:
            return Resolution(text, found=(index.gminy[index.by_teryt[digits]],))
        registered = index.register.by_teryt.get(digits)
        return Resolution(text, outside=(registered,) if registered else ())
    if len(digits) == 6:
        found = _sorted(index.gminy[i] for code, i in index.by_teryt.items()
                        if code.startswith(digits))
        if found:
            return Resolution(text, found=found)
        return Resolution(text, outside=tuple(
            g for g in index.register.gminy if g.teryt.startswith(digits)))
    return Resolution(text)


def _split_qualifiers(words: list[str], index: DirectoryIndex) -> tuple[list[str], Qualifiers]:
    """The name's words and the qualifiers around them: "gmina wiejska Bochnia", "Bochnia
    miasto", "Czernichów, powiat żywiecki, woj. śląskie". Kind words count only at either
    end of the name, and only if the whole is no name: "Nowe Miasto", "Miejska Górka"."""
    rest = [w for w in words if fold(w) not in PREPOSITIONS]
    markers = GMINA_WORDS | KIND_WORDS.keys() | POWIAT_WORDS | WOJEWODZTWO_WORDS
    powiat: list[str] = []
    wojewodztwo: list[str] = []
    kept: list[str] = []
    position = 0
    while position < len(rest):
        folded = fold(rest[position])
        into = (powiat if folded in POWIAT_WORDS
                else wojewodztwo if folded in WOJEWODZTWO_WORDS else None)
        position += 1
        if into is None:
            kept.append(rest[position - 1])
            continue
        while position < len(rest) and fold(rest[position]) not in markers:
            into.append(rest[position])
            position += 1
    while kept and fold(kept[0]) in GMINA_WORDS:
        kept = kept[1:]
    while kept and fold(kept[-1]) in GMINA_WORDS:
        kept = kept[:-1]
    if not kept and powiat:  # "powiat Kraków" names the city
        return powiat, Qualifiers()
    whole, whole_key = kept, " ".join(fold(w) for w in kept)
    if index.names.lookup(whole_key):
        return whole, Qualifiers(None, tuple(powiat), tuple(wojewodztwo))
    kinds: frozenset[str] | None = None
    for from_start in (True, False):
        while kept:
            edge = [fold(w) for w in (kept[:2] if from_start else kept[-2:])]
            if len(edge) == 2 and edge[0] in URBAN_RURAL and edge[1].startswith(
                    ("wiejsk", "rural")):
                kinds = frozenset({"urban-rural"})
                kept = kept[2:] if from_start else kept[:-2]
            elif (word := edge[0] if from_start else edge[-1]) in KIND_WORDS and kinds is None:
                kinds = KIND_WORDS[word]
                kept = kept[1:] if from_start else kept[:-1]
            elif word in GMINA_WORDS:
                kept = kept[1:] if from_start else kept[:-1]
            else:
                break
    if kinds is not None and not index.names.lookup(" ".join(fold(w) for w in kept)) and (
            whole_key and index.register.names.lookup(whole_key)):
        return whole, Qualifiers(None, tuple(powiat), tuple(wojewodztwo))  # "Nowe Miasto"
    return kept, Qualifiers(kinds, tuple(powiat), tuple(wojewodztwo))


def fits(gmina: GminaInfo | RegisteredGmina, qualifiers: Qualifiers,
         index: DirectoryIndex) -> bool:
    """Whether ``gmina`` is what the qualifiers say (a gmina with no data fits any)."""
    if not qualifiers:
        return True
    if qualifiers.kinds is not None and gmina.kind and gmina.kind not in qualifiers.kinds:
        return False
    return (_same_words(gmina.powiat, qualifiers.powiat, index)
            and _same_words(gmina.wojewodztwo, qualifiers.wojewodztwo, index))


def _same_words(value: str, written: tuple[str, ...], index: DirectoryIndex) -> bool:
    """Whether words written in any case ("powiecie żywieckim") name ``value`` ("żywiecki")."""
    if not written:
        return True
    if not value:
        return False
    wanted = [fold(word) for word in tokens(value)]
    if len(wanted) != len(written):
        return False
    morphology = index.morphology
    return all(want == fold(word) or want in morphology.lemmas(word.lower())
               or want in morphology.lemmas(word) or _adjective_form(want, fold(word))
               for want, word in zip(wanted, written, strict=True))


# Endings of an adjective ("żywiecki", "łódzki", "wschodni": after the stem's -i; "miński" is
# the same) and of the -y adjectives ("nowy"), folded: a powiat written without Polish letters
# ("w powiecie krotoszynskim") is not in the dictionary, but its ending says what it is.
_I_ENDINGS = ("i", "iego", "iemu", "im", "a", "iej", "ie", "ich", "imi")
_Y_ENDINGS = ("y", "ego", "emu", "ym", "a", "ej", "e", "ych", "ymi")


def _adjective_form(want: str, word: str) -> bool:
    """Whether folded ``word`` is an inflected form of the folded adjective ``want``."""
    if want.endswith("i"):
        return any(word == want[:-1] + ending for ending in _I_ENDINGS)
    if want.endswith("y"):
        return any(word == want[:-1] + ending for ending in _Y_ENDINGS)
    return False


def _suggestions(key: str, index: DirectoryIndex) -> tuple[GminaInfo, ...]:
    if len(key) < 4:
        return ()
    hits = process.extract(key, index.names.keys(), scorer=fuzz.ratio,
                           score_cutoff=SUGGEST_CUTOFF, limit=8)
    ids = {i for form, _score, _ in hits for i in index.names.lookup(form)}
    return _sorted(index.gminy[i] for i in ids if i in index.gminy)[:5]


def _sorted(gminy: Iterable[GminaInfo]) -> tuple[GminaInfo, ...]:
    return tuple(sorted(set(gminy), key=lambda g: (g.wojewodztwo, g.powiat, g.kind, g.name,
                                                    g.id)))


# --- what to tell the person ------------------------------------------------------------------


def gmina_label(gmina: GminaInfo | RegisteredGmina, lang: str) -> str:
    """"Czernichów (gmina wiejska, powiat krakowski, woj. małopolskie)"."""
    if not (gmina.kind or gmina.powiat):
        return gmina.name
    kind = t(lang, f"gmina.kind.{gmina.kind}") if gmina.kind in _KINDS else gmina.kind
    return t(lang, "gmina.label", name=gmina.name, kind=kind or "gmina", powiat=gmina.powiat,
             wojewodztwo=gmina.wojewodztwo)


def candidate_line(gmina: GminaInfo | RegisteredGmina, lang: str) -> str:
    """"Bochnia (gmina wiejska, powiat bocheński, woj. małopolskie) — TERYT 1201022"."""
    label = gmina_label(gmina, lang)
    return t(lang, "gmina.candidate", label=label, teryt=gmina.teryt) if gmina.teryt else label


_KINDS = ("urban", "rural", "urban-rural")


def refusal(resolution: Resolution, lang: str) -> str:
    """Why ``resolution`` names no single gmina, with what the person can write instead."""
    text = resolution.text.strip()[:80]
    if resolution.ambiguous:
        lines = "\n".join(f"• {candidate_line(g, lang)}" for g in resolution.found)
        return t(lang, "gmina.ambiguous", text=text, candidates=lines,
                 example=_qualified(resolution.found, lang))
    if resolution.outside:
        names = sorted({g.name for g in resolution.outside})
        return t(lang, "gmina.outside", gmina=" / ".join(names))
    unknown = t(lang, "gmina.unknown", text=text)
    if resolution.suggestions:
        lines = "\n".join(f"• {candidate_line(g, lang)}" for g in resolution.suggestions)
        return f"{unknown}\n{t(lang, 'gmina.did_you_mean', candidates=lines)}"
    return unknown


def _qualified(candidates: tuple[GminaInfo, ...], lang: str) -> str:
    """One candidate named so that :func:`resolve_gmina` picks it: "gmina wiejska Bochnia",
    "Czernichów powiat żywiecki", else its TERYT code."""
    first = candidates[0]
    if first.kind in _KINDS and len({g.kind for g in candidates}) == len(candidates):
        return f"{t(lang, f'gmina.kind.{first.kind}')} {first.name}"
    if first.powiat and len({g.powiat for g in candidates}) == len(candidates):
        return f"{first.name} {t(lang, 'gmina.powiat_word')} {first.powiat}"
    return first.teryt or first.name
