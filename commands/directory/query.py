"""Understanding a directory question: which gmina, which topic, which other words.

"kto od śmieci w Wieliczce?", "Kto w Wieliczce odpowiada za oświatę?", "kontakt do gminy
Zielonki w sprawie zamówień publicznych", "who handles procurement in Niepołomice" — a gmina
name in any case (with or without Polish letters, with small typos), topic words from the
thesaurus in any inflected form, and whatever is left over for positions and notes.
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz, process

from commands.directory.index import DirectoryIndex
from commands.directory.language import fold, tokens
from commands.directory.matching import Match

# Folded words that carry no content in a directory question (Polish and English).
STOPWORDS = frozenset(
    """
    kto ktory ktora co czy jest sa zajmuje zajmuja zajmujacy sie odpowiada odpowiadaja
    odpowiedzialny odpowiedzialna odpowiedzialnego odpowiedzialnej za od w we z ze do dla na o
    i oraz lub albo a u po przy gminy gmina gminie gmine gmin gminach urzad urzedzie urzedu
    urzedem kontakt kontaktu kontakty kontaktow kontaktowa sprawie sprawy spraw sprawa temat
    tematu tematem tematy prosze poprosze szukam potrzebuje mi mnie ktos kogos osoba osoby
    osobe osob jaki jaka jakie numer numeru tam tu ten ta to jest sa moze mozna dane who whom
    handles handle handling is are responsible for in the of contact contacts about
    municipality at person people a an and or please need needs does do which what deals with
    on gmina
    """.split()
)

# Words after which the next words name a place ("w Wieliczce", "gminy Zielonki").
LOCATION_CUES = frozenset(
    """
    w we z ze gminy gmina gminie gmine gmin dla do in at of um ug umig miasta miasto miescie
    municipality
    """.split()
)

FUZZY_CUTOFF = 86


@dataclass(frozen=True, slots=True)
class DirectoryQuery:
    """What a question asks for. Several ``gmina_ids`` mean the name is ambiguous."""

    text: str
    gmina_ids: frozenset[int] = frozenset()
    gmina_text: str = ""
    topic_ids: tuple[int, ...] = ()
    words: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        """Nothing recognisable was asked."""
        return not (self.gmina_ids or self.topic_ids or self.words)


def parse_query(text: str, index: DirectoryIndex) -> DirectoryQuery:
    """Read a question against the directory ``index``."""
    original = tokens(text)[:60]  # more words than this are not a directory question
    folded = [fold(token) for token in original]
    topic_matches = _outermost(index.topic_matcher.find(folded, original))
    gmina_match, strong = _pick_gmina(index, folded, original, topic_matches)

    used: set[int] = set()
    gmina_ids: frozenset[int] = frozenset()
    gmina_text = ""
    if gmina_match is not None:
        gmina_ids = frozenset(gmina_match.target)  # type: ignore[arg-type]
        gmina_text = " ".join(original[gmina_match.start : gmina_match.end])
        used |= set(range(gmina_match.start, gmina_match.end))
        if strong:
            topic_matches = [m for m in topic_matches if not _overlaps(m, gmina_match)]

    topic_ids: list[int] = []
    for match in topic_matches:
        if gmina_match is not None and _overlaps(match, gmina_match):
            continue
        used |= set(range(match.start, match.end))
        if match.target not in topic_ids:
            topic_ids.append(match.target)  # type: ignore[arg-type]

    if not gmina_ids:
        fuzzy = _fuzzy_gmina(index, folded, original, used)
        if fuzzy is not None:
            gmina_ids, gmina_text, span = fuzzy
            used |= span

    words = tuple(
        folded[i]
        for i in range(len(folded))
        if i not in used and folded[i] not in STOPWORDS and len(folded[i]) >= 3
        and not folded[i].isdigit()
    )
    return DirectoryQuery(text, gmina_ids, gmina_text, tuple(topic_ids), words)


def _overlaps(a: Match, b: Match) -> bool:
    return a.start < b.end and b.start < a.end


def _outermost(matches: list[Match]) -> list[Match]:
    """Drop matches that sit inside a longer one ("drogi" inside "drogi gminne")."""
    ordered = sorted(matches, key=lambda m: (m.start, -(m.end - m.start)))
    kept: list[Match] = []
    for match in ordered:
        if any(k.start <= match.start and match.end <= k.end for k in kept):
            continue
        kept.append(match)
    return kept


def _pick_gmina(
    index: DirectoryIndex, folded: list[str], original: list[str], topics: list[Match]
) -> tuple[Match | None, bool]:
    """The best gmina mention and whether it is certain (a cue word or a capital before it)."""
    best: tuple[int, Match] | None = None
    for match in index.names.find(folded):
        cue = match.start > 0 and folded[match.start - 1] in LOCATION_CUES
        capital = original[match.start][:1].isupper() and match.start > 0
        common = any(
            index.morphology.is_common_word(original[i].lower())
            for i in range(match.start, match.end)
        )
        clashes = any(_overlaps(match, t) for t in topics)
        if clashes and not cue:
            continue
        score = (4 if cue else 0) + (2 if capital else 0) + (0 if common else 2)
        score += match.end - match.start
        if common and not (cue or capital):
            continue  # "koło", "brzeg": ordinary words unless the sentence points at a place
        if best is None or score > best[0]:
            best = (score, match)
    if best is None:
        return None, False
    match = best[1]
    return match, match.start > 0 and folded[match.start - 1] in LOCATION_CUES


def _fuzzy_gmina(
    index: DirectoryIndex, folded: list[str], original: list[str], used: set[int]
) -> tuple[frozenset[int], str, set[int]] | None:
    """A gmina name with a small typo ("Wielicce", "Skawnie"), if one is close enough."""
    keys = index.names.keys()
    if not keys:
        return None
    best: tuple[float, frozenset[int], str, set[int]] | None = None
    for start in range(len(folded)):
        for size in (2, 1):
            span = set(range(start, start + size))
            if start + size > len(folded) or span & used:
                continue
            words = folded[start : start + size]
            if any(w in STOPWORDS for w in words) or sum(map(len, words)) < 5:
                continue
            if size == 1 and index.morphology.is_common_word(original[start].lower()):
                continue
            candidate = " ".join(words)
            hit = process.extractOne(candidate, keys, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF)
            if hit is None:
                continue
            key, score, _ = hit
            if best is None or score > best[0]:
                text = " ".join(original[start : start + size])
                best = (score, index.names.lookup(key), text, span)
    if best is None:
        return None
    return best[1], best[2], best[3]
