"""The searchable archive of forum questions — the association's memory.

Questions and their answers are reduced to lemmas (morfeusz2) when written, and stored in
``question.search_terms``; every instance keeps an inverted index built from that column, so
"klauzul waloryzacyjnych" finds "klauzula waloryzacyjna" in a few milliseconds.

Words of one family find each other too: "waloryzacja" finds "klauzula waloryzacyjna",
"przetargowy" finds "przetarg", "szkolny" finds "szkoła". Each lemma also has a *family
key* (``family``): the lemma without its derivational suffix ("-owy", "-yjny", "-acja",
"-ość", "-owanie", …) and ending, with the usual alternations evened out ("roczny" → "rok").
The keys are derived from the stored lemmas when the index is built, so an archive written
before them is searchable by family at once, with nothing to re-index. A relative scores
well below the word itself, so exact matches rank first.
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from functools import lru_cache

from commands.directory.language import Morphology, tokens
from commands.directory.query import STOPWORDS

# What a relative counts for, against the word itself. Below half, so that even a relative
# in an answered FAQ question (boost 2.0) scores under the word in a plain one (boost 1.0).
RELATIVE = 0.45

# Derivational and inflectional endings of (folded) lemmas, longest first, with what
# replaces them. Nouns, adjectives and verbs of one family meet on what remains:
# waloryz-acja / waloryz-acyjny / waloryz-owac, przetarg / przetarg-owy, szkol-a / szkol-ny,
# plan / plan-owanie / plan-owac, zamow-ienie / zamow-ic, podat(e)k / podatk-owy,
# rolnik / rolni-ctwo / rolni-czy.
_SUFFIXES: tuple[tuple[str, str], ...] = tuple(sorted((
    ("acyjny", ""), ("acja", ""), ("yjny", ""), ("ijny", ""), ("ja", ""), ("ia", ""),
    ("iczny", ""), ("owanie", ""), ("ywanie", ""), ("iwanie", ""), ("ienie", ""),
    ("ianie", ""), ("owac", ""), ("ywac", ""), ("iwac", ""), ("anie", ""), ("enie", ""),
    ("ecie", ""), ("nosc", ""), ("ownik", ""), ("ictwo", "ik"), ("iczy", "ik"),
    ("ectwo", "ec"), ("ecki", "ec"),
    ("osc", ""), ("owy", ""), ("owe", ""), ("owa", ""), ("owo", ""), ("ny", ""), ("ski", ""),
    ("ac", ""), ("ic", ""), ("yc", ""), ("ec", ""), ("ek", "k"), ("um", ""), ("a", ""),
    ("o", ""), ("e", ""), ("y", ""), ("i", ""),
), key=lambda pair: -len(pair[0])))
# Consonants that alternate at the end of a stem ("rok" / "roczny", "morze" / "morski").
_ALTERNATIONS: tuple[tuple[str, str], ...] = (("cz", "k"), ("rz", "r"))
_SHORTEST = 3  # a shorter remainder relates too many unrelated words
# Plural case endings of nouns the dictionary lacks ("kompostowników" stays "kompostownikow"):
# such a word also gets the keys of what is left, if that is long enough to be a word.
_CASE_ENDINGS = ("ow", "ami", "ach", "om")


@lru_cache(maxsize=200_000)
def family(lemma: str) -> frozenset[str]:
    """Family keys of a folded lemma: what it shares with its derivational relatives.

    Usually one key; "-iczny" adjectives have two ("ekologiczny" → "ekolog" as from
    "ekologia", "techniczny" → "technik" as from "technika"). A derived noun's own
    adjective meets its base ("mieszkaniowy" → "mieszkani" → "mieszk", as "mieszkać").
    """
    if len(lemma) < 4 or not lemma.isalpha():
        return frozenset({lemma})
    keys = set()
    for stem in _strip(lemma):
        for ending in ("ani", "eni"):  # the adjective of a verbal noun: back to the verb
            if stem.endswith(ending) and len(stem) - len(ending) >= _SHORTEST + 1:
                stem = stem[: -len(ending)]
        for ending, alternate in _ALTERNATIONS:
            if stem.endswith(ending) and len(stem) > len(ending) + 1:
                stem = stem[: -len(ending)] + alternate
        keys.add(stem)
    for ending in _CASE_ENDINGS:  # an inflected form morfeusz2 did not know, kept as typed
        if lemma.endswith(ending) and len(lemma) - len(ending) >= 6:
            keys |= family(lemma[: -len(ending)])
    return frozenset(keys)


def _strip(lemma: str) -> list[str]:
    for suffix, replacement in _SUFFIXES:
        if lemma.endswith(suffix) and len(lemma) - len(suffix) >= _SHORTEST:
            stem = lemma[: -len(suffix)] + replacement
            return [stem, stem + "ik"] if suffix == "iczny" else [stem]
    return [lemma]


def search_terms(morphology: Morphology, texts: Iterable[str]) -> str:
    """The lemmas of ``texts``, space-separated, as stored for the index."""
    lemmas: set[str] = set()
    for text in texts:
        for token in tokens(text):
            if len(token) < 3 or token.isdigit():
                continue
            lemmas |= {lemma for lemma in morphology.lemmas(token) if lemma not in STOPWORDS}
    return " ".join(sorted(lemmas))


@dataclass(frozen=True, slots=True)
class Hit:
    """A question found, with its score."""

    question_id: int
    score: float


class ArchiveIndex:
    """Inverted index over questions, per forum: forum → lemma → question ids.

    Postings are kept per forum because a search only ever covers the forums a person
    belongs to; a member of three forums does not pay for the other seven. Beside them, the
    lemmas present are grouped by family key, so a query word's relatives are a lookup.
    """

    def __init__(self, *, relatives: bool = True) -> None:
        self._relatives_on = relatives  # off: exact lemmas only, as before families (bench)
        self._postings: dict[int, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
        self._terms: dict[int, frozenset[str]] = {}
        self._forum: dict[int, int] = {}
        self._boost: dict[int, float] = {}
        self._frequency: dict[str, int] = defaultdict(int)
        self._families: dict[str, set[str]] = defaultdict(set)  # family key → lemmas present

    def __len__(self) -> int:
        return len(self._terms)

    def put(self, question_id: int, forum_id: int, terms: str, *, answered: bool,
            faq: bool) -> None:
        """Add or replace one question."""
        self.remove(question_id)
        lemmas = frozenset(terms.split())
        self._terms[question_id] = lemmas
        self._forum[question_id] = forum_id
        self._boost[question_id] = 1.0 + (0.5 if answered else 0.0) + (0.5 if faq else 0.0)
        postings = self._postings[forum_id]
        for lemma in lemmas:
            postings[lemma].add(question_id)
            self._frequency[lemma] += 1
            if self._frequency[lemma] == 1 and self._relatives_on:
                for key in family(lemma):
                    self._families[key].add(lemma)

    def remove(self, question_id: int) -> None:
        """Drop a question."""
        forum_id = self._forum.pop(question_id, None)
        for lemma in self._terms.pop(question_id, ()):
            self._frequency[lemma] -= 1
            if forum_id is not None:
                self._postings[forum_id][lemma].discard(question_id)
            if not self._frequency[lemma] and self._relatives_on:
                for key in family(lemma):
                    self._families[key].discard(lemma)
        self._boost.pop(question_id, None)

    def search(self, query_lemmas: list[set[str]], forums: set[int] | None,
               limit: int = 5, *, also: Collection[int] = ()) -> list[Hit]:
        """Questions matching the most (and rarest) query words, in ``forums`` (None: all),
        and of the questions ``also`` wherever they are (a person's own, moved elsewhere).

        Each query word is a set of alternative lemmas (an ambiguous form can be several).
        A question holding the word itself scores the word's weight; one holding only a
        relative of it scores ``RELATIVE`` of the whole family's (lower) weight.
        """
        total = max(1, len(self._terms))
        wanted = self._postings.keys() if forums is None else forums & self._postings.keys()
        scores: dict[int, float] = defaultdict(float)
        for alternatives in query_lemmas:
            frequency = sum(self._frequency.get(lemma, 0) for lemma in alternatives)
            if frequency:
                weight = math.log(1 + total / frequency)
                for forum_id in wanted:
                    postings = self._postings[forum_id]
                    holding: Iterable[int] = postings.get(next(iter(alternatives)), ()) if len(
                        alternatives) == 1 else set().union(
                            *(postings.get(lemma, ()) for lemma in alternatives))
                    for question_id in holding:  # once, though it holds two readings
                        scores[question_id] += weight
                for question_id in also:  # few: checked one by one
                    if self._forum.get(question_id, -1) not in wanted and not \
                            alternatives.isdisjoint(self._terms.get(question_id, ())):
                        scores[question_id] += weight
            relatives = self._relatives(alternatives) if self._relatives_on else set()
            if relatives:
                family_frequency = frequency + sum(self._frequency[lemma] for lemma in relatives)
                self._score_relatives(relatives, alternatives, wanted, also, scores,
                                      RELATIVE * math.log(1 + total / family_frequency))
        best = heapq.nlargest(
            limit, scores.items(),
            key=lambda item: (item[1] * self._boost.get(item[0], 1.0), item[0]),
        )
        return [Hit(qid, score) for qid, score in best]

    def _relatives(self, alternatives: set[str]) -> set[str]:
        """Lemmas in the index of the same family as a query word, not the word itself.

        A word the dictionary did not know (typed without Polish letters: "zamowien",
        "odpadow") is its own lemma and found nowhere; it meets the family whose key it
        begins with, if little is left over (an inflectional ending), the longest first.
        """
        found = {lemma for word in alternatives for key in family(word)
                 for lemma in self._families.get(key, ())}
        if not found and not any(self._frequency.get(word, 0) for word in alternatives):
            for word in alternatives:
                for end in range(len(word) - 1, max(_SHORTEST + 1, len(word) - 5) - 1, -1):
                    if self._families.get(word[:end]):
                        found |= self._families[word[:end]]
                        break
        return found - alternatives

    def _score_relatives(self, relatives: set[str], alternatives: set[str],
                         wanted: Collection[int], also: Collection[int],
                         scores: dict[int, float], weight: float) -> None:
        """Add ``weight`` once to each question holding a relative but not the word."""
        seen: set[int] = set()
        for forum_id in wanted:
            postings = self._postings[forum_id]
            for lemma in relatives:
                seen.update(postings.get(lemma, ()))
        for question_id in also:
            if self._forum.get(question_id, -1) not in wanted and not relatives.isdisjoint(
                    self._terms.get(question_id, ())):
                seen.add(question_id)
        for question_id in seen:
            if alternatives.isdisjoint(self._terms[question_id]):
                scores[question_id] += weight
