"""Understanding a directory question: which gmina, which topic, which other words.

"kto od śmieci w Wieliczce?", "Kto w Wieliczce odpowiada za oświatę?", "kontakt do gminy
Zielonki w sprawie zamówień publicznych", "who handles procurement in Niepołomice" — a gmina
name in any case (with or without Polish letters, with small typos), topic words from the
thesaurus in any inflected form, and whatever is left over for positions and notes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from commands.directory.gminy import GMINA_WORDS, KIND_WORDS, POWIAT_WORDS, Qualifiers, fits
from commands.directory.index import DirectoryIndex
from commands.directory.language import fold, tokens
from commands.directory.matching import Match

GminaMatch = Match[frozenset[int]]  # the ids of the gminy a name may mean
TopicMatch = Match[int]

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
    on gmina gdzie zalatwie zalatwic zalatwienia jestem was nas kogo dzien dobry mam zwrocic
    prowadzi prowadzacy osoby wydziale wydzial referat referacie
    """.split()
)

# Words after which the next words name a place ("w Wieliczce", "gminy Zielonki").
LOCATION_CUES = frozenset(
    """
    w we z ze gminy gmina gminie gmine gmin dla do in at of um ug umig miasta miasto miescie
    municipality
    """.split()
)

# Words that join gminy named together ("w Skawinie i w Wieliczce", "Skawina, Wieliczka").
CONJUNCTIONS = frozenset("i oraz lub albo a czy and or".split())

# The cases a gmina name takes after a cue: "w Warszawie" (locative), "z Łodzi" (genitive).
# A gmina outside the directory that is also an ordinary word is taken only in the case its
# preposition asks for: "w piątek" is a day, "w Piątku" the gmina.
CUE_CASES: dict[str, frozenset[str]] = {
    **dict.fromkeys(("w", "we", "na", "o", "przy"), frozenset({"loc"})),
    **dict.fromkeys(("z", "ze", "od", "do", "dla", "u", "kolo"), frozenset({"gen"})),
    **dict.fromkeys(("gmina", "gminy", "gmine", "gminie", "gmin", "miasta", "miasto", "miescie"),
                    frozenset({"nom", "gen", "loc", "acc"})),
}

# A question's heading: the words before a colon or a dash at its start ("Kurów — kto …").
HEADING = re.compile(r"\s*([^:—–\n]+?)\s*(?::|—|–|\s-\s)")

# "gmina X" in any case: X is said to be a gmina even if no table knows it.
GMINA_CUES = frozenset("gmina gminy gminie gmine gmin municipality".split())

FUZZY_CUTOFF = 86


@dataclass(frozen=True, slots=True)
class GminaMention:
    """A gmina named in a question: its directory ids (several: a shared name) and the words."""

    ids: frozenset[int]
    text: str


@dataclass(frozen=True, slots=True)
class DirectoryQuery:
    """What a question asks for. Several ``gmina_ids`` mean the name is ambiguous.

    ``gmina_ids``/``gmina_text`` are the first gmina named; ``more_gminy`` the others of a
    question about several ("w Skawinie i w Wieliczce"); ``outside`` names gminy of the
    country's register that the directory does not have ("w Warszawie").
    """

    text: str
    gmina_ids: frozenset[int] = frozenset()
    gmina_text: str = ""
    topic_ids: tuple[int, ...] = ()
    words: tuple[str, ...] = ()
    more_gminy: tuple[GminaMention, ...] = ()
    outside: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        """Nothing recognisable was asked."""
        return not (self.gmina_ids or self.topic_ids or self.words or self.outside)

    @property
    def mentions(self) -> tuple[GminaMention, ...]:
        """Every directory gmina the question names, in order."""
        first = (GminaMention(self.gmina_ids, self.gmina_text),) if self.gmina_ids else ()
        return first + self.more_gminy


def parse_query(text: str, index: DirectoryIndex) -> DirectoryQuery:
    """Read a question against the directory ``index``."""
    original = tokens(text)[:60]  # more words than this are not a directory question
    folded = [fold(token) for token in original]
    topic_matches = _outermost(index.topic_matcher.find(folded, original))
    name_matches = _not_part_of_another(index, index.names.find(folded), folded)
    name_matches += _teryt_codes(index, folded)
    # "Złota: CEIDG", "Kurów — kto od przetargów?": a capitalised name before a colon or a
    # dash at the start is a heading, a place.
    opening = HEADING.match(text)
    heading = len(tokens(opening.group(1))) if opening else 0
    gmina_match, strong = _pick_gmina(index, name_matches, folded, original, topic_matches,
                                      heading)

    used: set[int] = set()
    gmina_ids: frozenset[int] = frozenset()
    gmina_text = ""
    if gmina_match is not None:
        gmina_ids = frozenset(gmina_match.target)
        gmina_text = " ".join(original[gmina_match.start : gmina_match.end])
        used |= set(range(gmina_match.start, gmina_match.end))
        if strong:
            topic_matches = [m for m in topic_matches if not _overlaps(m, gmina_match)]

    topic_ids: list[int] = []
    for topic_match in topic_matches:
        if gmina_match is not None and _overlaps(topic_match, gmina_match):
            continue
        used |= set(range(topic_match.start, topic_match.end))
        if topic_match.target not in topic_ids:
            topic_ids.append(topic_match.target)

    more: list[GminaMatch] = []
    away: list[str] = []  # qualified out of the directory: "w Czernichowie w powiecie …"
    if gmina_match is not None:
        more = _more_gminy(index, name_matches, folded, original, gmina_match, topic_matches)
        # A listed name that holds a topic word ("Stary Dzików, Płaska" — "dzik" is
        # agriculture's) is the gmina, not the topic.
        inside = [t for t in topic_matches if any(_overlaps(t, m) for m in more)]
        if inside:
            topic_ids = [i for i in topic_ids if any(
                t.target == i for t in topic_matches if t not in inside)]
        narrowed = [_narrow(index, match, folded, original, used, away)
                    for match in [gmina_match, *more]]
        narrowed = [match for match in narrowed if match.target]
        gmina_match, more = (narrowed[0], narrowed[1:]) if narrowed else (None, [])
        gmina_ids = frozenset(gmina_match.target) if gmina_match else frozenset()
        gmina_text = (" ".join(original[gmina_match.start : gmina_match.end])
                      if gmina_match else "")
        for match in more:
            used |= set(range(match.start, match.end))
    outside, known = _outside_gminy(index, folded, original, used, topic_matches,
                                    [gmina_match, *more] if gmina_match else [],
                                    0 if gmina_match else heading)
    for match in outside + known:
        used |= set(range(match.start, match.end))
    more += known
    if gmina_match is None and more:
        gmina_match, more = more[0], more[1:]
        gmina_ids = frozenset(gmina_match.target)
        gmina_text = " ".join(original[gmina_match.start : gmina_match.end])
    if not (gmina_ids or outside or away):
        fuzzy = _fuzzy_gmina(index, folded, original, used)
        if fuzzy is not None:
            gmina_ids, gmina_text, span = fuzzy
            used |= span
            typo = _narrow(index, Match(min(span), max(span) + 1, gmina_ids), folded,
                           original, used, away)
            gmina_ids = frozenset(typo.target)

    if not (gmina_ids or outside or away):
        named = _named_unknown(index, folded, original, used)
        if named is not None:
            outside = [named]
            used |= set(range(named.start, named.end))

    # As written (lower case): the dictionary knows "hulajnóg", not "hulajnog", and an
    # answer that repeats the words shows them as the person wrote them.
    words = tuple(
        original[i].lower()
        for i in range(len(folded))
        if i not in used and folded[i] not in STOPWORDS and len(folded[i]) >= 3
        and not folded[i].isdigit()
    )
    mentions = tuple(
        GminaMention(frozenset(m.target), " ".join(original[m.start : m.end]))
        for m in sorted(more, key=lambda m: m.start)
        if frozenset(m.target) != gmina_ids
    )
    names = tuple(dict.fromkeys([*away, *(
        " / ".join(sorted({g.name for g in index.register.named(" ".join(
            folded[m.start : m.end]))})) or " ".join(original[m.start : m.end])
        for m in outside
    )]))
    return DirectoryQuery(text, gmina_ids, gmina_text, tuple(topic_ids), words,
                          _unique(mentions), names)


def _unique(mentions: tuple[GminaMention, ...]) -> tuple[GminaMention, ...]:
    seen: set[frozenset[int]] = set()
    kept = []
    for mention in mentions:
        if mention.ids not in seen:
            seen.add(mention.ids)
            kept.append(mention)
    return tuple(kept)


def _named_unknown(index: DirectoryIndex, folded: list[str], original: list[str],
                   used: set[int]) -> GminaMatch | None:
    """A gmina neither the directory nor the register knows, named as one: "w gminie
    Nibylandia" (the words after "gmina" written with a capital, or unknown to the
    dictionary)."""
    for position in range(1, len(folded)):
        if folded[position - 1] not in GMINA_CUES or position in used:
            continue
        end = position
        while (end < len(folded) and end not in used and folded[end] not in STOPWORDS
               and not folded[end].isdigit()
               and (original[end][:1].isupper()
                    or not index.morphology.analyse(original[end].lower()))):
            end += 1
        if end > position:
            return Match(position, end, frozenset())
    return None


def _not_part_of_another(index: DirectoryIndex, matches: list[GminaMatch], folded: list[str]
                         ) -> list[GminaMatch]:
    """Drop directory names that are part of a longer name of a gmina the directory does not
    have: "w Czarnym Dunajcu" is Czarny Dunajec, not the directory's Czarne; "w Aleksandrowie
    Łódzkim" is not either of the directory's Aleksandrów."""
    if not matches:
        return matches
    longer = [m for m in index.register.names.find(folded) if m.end - m.start > 1]
    if not longer:
        return matches
    kept = []
    for match in matches:
        wider = next((r for r in longer if r.start <= match.start and match.end <= r.end
                      and r.end - r.start > match.end - match.start), None)
        if wider is not None and all(
                index.in_directory(g) is None
                for g in index.register.named(" ".join(folded[wider.start : wider.end]))):
            continue
        kept.append(match)
    return kept


def _teryt_codes(index: DirectoryIndex, folded: list[str]) -> list[GminaMatch]:
    """TERYT codes of directory gminy written in the question ("w 1219053")."""
    return [Match(i, i + 1, frozenset({index.by_teryt[w]}))
            for i, w in enumerate(folded) if len(w) == 7 and w in index.by_teryt]


def _overlaps(a: Match[object], b: Match[object]) -> bool:
    return a.start < b.end and b.start < a.end


def _outermost(matches: list[TopicMatch]) -> list[TopicMatch]:
    """Drop matches that sit inside a longer one ("drogi" inside "drogi gminne")."""
    ordered = sorted(matches, key=lambda m: (m.start, -(m.end - m.start)))
    kept: list[TopicMatch] = []
    for match in ordered:
        if any(k.start <= match.start and match.end <= k.end for k in kept):
            continue
        kept.append(match)
    return kept


def _pick_gmina(
    index: DirectoryIndex, matches: list[GminaMatch], folded: list[str], original: list[str],
    topics: list[TopicMatch], heading: int = 0,
) -> tuple[GminaMatch | None, bool]:
    """The best gmina mention and whether it is certain (a cue word or a capital before it).
    ``heading``: the number of words before a colon that opens the question ("Złota: …")."""
    best: tuple[int, GminaMatch] | None = None
    for match in matches:
        cue = match.start > 0 and folded[match.start - 1] in LOCATION_CUES
        capital = original[match.start][:1].isupper() and (
            match.start > 0 or (match.start == 0 and match.end == heading))
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


def _narrow(index: DirectoryIndex, match: GminaMatch, folded: list[str], original: list[str],
            used: set[int], away: list[str]) -> GminaMatch:
    """A shared name narrowed by what the question says about it.

    Qualifiers: "w gminie wiejskiej Bochnia", "Bochnia miasto", "w Czernichowie w powiecie
    żywieckim" (their words are used up, not searched in positions). Then the preposition's
    case: after "z" only a genitive fits, so "z Wieliczki" is Wieliczka, not the gmina
    Wieliczki (whose genitive is "Wieliczek"). Nothing is narrowed to nobody — unless the
    qualifiers fit only a gmina of the register outside the directory: then the match names
    no directory gmina and ``away`` gets that gmina's name.
    """
    candidates = [index.gminy[i] for i in match.target if i in index.gminy]
    if not candidates:
        return match
    span: set[int] = set()
    kinds: frozenset[str] | None = None
    for position in (match.start - 1, match.start - 2, match.end):
        word = folded[position] if 0 <= position < len(folded) else ""
        if word in KIND_WORDS or word.startswith("wiejsk"):
            kinds = KIND_WORDS.get(word, frozenset({"rural"}))
            span.add(position)
            if position > 0 and folded[position - 1] in ("miejsko", "urban"):
                kinds = frozenset({"urban-rural"})
                span.add(position - 1)
            break
    powiat: tuple[str, ...] = ()
    for position in range(match.end, min(match.end + 3, len(folded))):
        if folded[position] in POWIAT_WORDS:
            # Powiaty of one word or two ("łódzki wschodni"): the longest that some
            # candidate's powiat is.
            for size in sorted({len(tokens(g.powiat)) for g in candidates}, reverse=True):
                written = tuple(original[position + 1 : position + 1 + size])
                if any(fits(g, Qualifiers(kinds, written), index) for g in candidates):
                    powiat = written
                    break
            else:
                powiat = tuple(original[position + 1 : position + 2])
            span |= set(range(position, position + 1 + len(powiat)))
            break
    qualifiers = Qualifiers(kinds, powiat)
    if qualifiers:
        fitting = [g for g in candidates if fits(g, qualifiers, index)]
        if not fitting:
            form = " ".join(folded[match.start : match.end])
            elsewhere = [g for g in index.register.named(form)
                         if fits(g, qualifiers, index) and index.in_directory(g) is None]
            if elsewhere:
                used |= span | set(range(match.start, match.end))
                away.extend(f"{g.name} (powiat {g.powiat})" for g in elsewhere)
                return Match(match.start, match.end, frozenset())
        candidates = fitting or candidates
    cue = folded[match.start - 1] if match.start > 0 else ""
    if cue in CUE_CASES and cue not in GMINA_WORDS and not qualifiers:
        form = " ".join(folded[match.start : match.end])
        namesakes = [g for g in index.register.named(form) if index.in_directory(g) is None]
        if len({g.name for g in candidates}) > 1 or namesakes:  # namesakes share all forms
            fitting = [g for g in candidates
                       if _case_fits(index, g.name, form, CUE_CASES[cue])]
            # "jestem z Zielonki": the genitive of Zielonka (outside the directory), not of
            # Zielonki (whose genitive is "Zielonek"); said so rather than answered for Zielonki.
            elsewhere = [g for g in namesakes
                         if _case_fits(index, g.name, form, CUE_CASES[cue], strict=True)]
            if not fitting and elsewhere:
                used |= span | set(range(match.start, match.end))
                away.extend(f"{g.name} (powiat {g.powiat})" for g in elsewhere)
                return Match(match.start, match.end, frozenset())
            candidates = fitting or candidates
    used |= span
    return Match(match.start, match.end, frozenset(g.id for g in candidates))


def _case_fits(index: DirectoryIndex, name: str, form: str, cases: frozenset[str], *,
               strict: bool = False) -> bool:
    """Whether ``form`` of the gmina ``name`` can be one of ``cases`` (unknown: it can,
    unless ``strict``)."""
    form_cases = index.morphology.name_cases(name, places_only=True).get(form)
    if not form_cases:
        return not strict
    return bool(form_cases & cases)


def _joined(match: GminaMatch, accepted: list[GminaMatch], folded: list[str]) -> bool:
    """Whether ``match`` is listed together with an accepted mention: right next to it
    ("Skawina, Wieliczka") or joined by a conjunction ("w Skawinie i (w) Wieliczce")."""
    for first, second in ((other, match) for other in accepted):
        for a, b in ((first, second), (second, first)):
            between = folded[a.end : b.start]
            if b.start < a.end or len(between) > 2:
                continue
            if not between or (between[0] in CONJUNCTIONS and (
                    len(between) == 1 or between[1] in LOCATION_CUES)):
                return True
    return False


def _cued(match: Match[object], folded: list[str]) -> bool:
    return match.start > 0 and folded[match.start - 1] in LOCATION_CUES


def _more_gminy(
    index: DirectoryIndex, matches: list[GminaMatch], folded: list[str], original: list[str],
    first: GminaMatch, topics: list[TopicMatch],
) -> list[GminaMatch]:
    """Further directory gminy of a question about several: each with its own cue word
    ("w Skawinie i w Wieliczce") or listed with one already taken ("Skawina, Wieliczka")."""
    accepted = [first]
    pending = sorted((m for m in matches if not _overlaps(m, first)), key=lambda m: m.start)
    changed = True
    while changed:  # a list can be joined to the first gmina from either side
        changed = False
        for match in list(pending):
            if any(_overlaps(match, a) for a in accepted):
                pending.remove(match)
                continue
            cued = _cued(match, folded)
            if not (cued or _joined(match, accepted, folded)):
                continue
            # Listed with a gmina already taken, a capital counts also at the start:
            # "Kurów, Żołynia — kto od śmieci?"
            capital = original[match.start][:1].isupper()
            if not cued and any(_overlaps(match, t) for t in topics) and not (
                    capital and match.end - match.start > 1):
                continue
            common = any(index.morphology.is_common_word(original[i].lower())
                         for i in range(match.start, match.end))
            if common and not (cued or capital):
                continue
            accepted.append(match)
            pending.remove(match)
            changed = True
    return accepted[1:]


def _outside_gminy(
    index: DirectoryIndex, folded: list[str], original: list[str], used: set[int],
    topics: list[TopicMatch], accepted: list[GminaMatch], heading: int = 0,
) -> tuple[list[GminaMatch], list[GminaMatch]]:
    """Gminy of the country's register named with a cue word (or listed with a gmina already
    taken, or written as the question's heading: "Kurów — kto od …") that the directory does
    not have; and register names the directory has under another spelling (returned second,
    as directory mentions)."""
    cues = LOCATION_CUES | CONJUNCTIONS
    if not heading and not any(w in cues and i + 1 < len(folded) and i + 1 not in used
                               for i, w in enumerate(folded)):
        return [], []  # every mention needs a cue or a list to be in, and there is none free
    register = index.register
    outside: list[GminaMatch] = []
    known: list[GminaMatch] = []
    for match in register.names.find(folded):
        span = set(range(match.start, match.end))
        if span & used:
            continue
        cue = folded[match.start - 1] if match.start > 0 else ""
        headed = match.start == 0 and match.end == heading and (
            original[0][:1].isupper() or not any(
                index.morphology.is_common_word(original[i].lower())
                for i in range(match.start, match.end)))
        if not (cue in LOCATION_CUES or headed
                or _joined(match, accepted + outside + known, folded)):
            continue
        if cue not in LOCATION_CUES and any(_overlaps(match, t) for t in topics):
            continue
        if match.end - match.start == 1 and not original[match.start][:1].isupper() and (
            index.morphology.is_common_word(original[match.start].lower())
        ):
            # One word in lower case that is also an ordinary word ("z pokoju 12 w Skawinie"):
            # a place only in the case its preposition asks for, and beside another gmina
            # only in a list. (Several words that make a gmina's name are that name.)
            cases = register.cases(" ".join(folded[match.start : match.end]))
            if cases and not cases & CUE_CASES.get(cue, cases):
                continue
            if accepted and not _joined(match, accepted + outside + known, folded):
                continue
        named = register.named(" ".join(folded[match.start : match.end]))
        ids = frozenset(i for i in (index.in_directory(g) for g in named) if i is not None)
        (known if ids else outside).append(Match(match.start, match.end, ids))
        used |= span
    return outside, known


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
