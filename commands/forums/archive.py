"""The searchable archive of forum questions — the association's memory.

Questions and their answers are reduced to lemmas (morfeusz2) when written, and stored in
``question.search_terms``; every instance keeps an inverted index built from that column, so
"klauzul waloryzacyjnych" finds "klauzula waloryzacyjna" in a few milliseconds.
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from commands.directory.language import Morphology, tokens
from commands.directory.query import STOPWORDS


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

    Postings are kept per forum because a search only ever covers the forums a person belongs
    to; a member of three forums does not pay for the other seven.
    """

    def __init__(self) -> None:
        self._postings: dict[int, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
        self._terms: dict[int, frozenset[str]] = {}
        self._forum: dict[int, int] = {}
        self._boost: dict[int, float] = {}
        self._frequency: dict[str, int] = defaultdict(int)

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

    def remove(self, question_id: int) -> None:
        """Drop a question."""
        forum_id = self._forum.pop(question_id, None)
        for lemma in self._terms.pop(question_id, ()):
            self._frequency[lemma] -= 1
            if forum_id is not None:
                self._postings[forum_id][lemma].discard(question_id)
        self._boost.pop(question_id, None)

    def search(self, query_lemmas: list[set[str]], forums: set[int] | None,
               limit: int = 5, *, also: Collection[int] = ()) -> list[Hit]:
        """Questions matching the most (and rarest) query words, in ``forums`` (None: all),
        and of the questions ``also`` wherever they are (a person's own, moved elsewhere).

        Each query word is a set of alternative lemmas (an ambiguous form can be several).
        """
        total = max(1, len(self._terms))
        wanted = self._postings.keys() if forums is None else forums & self._postings.keys()
        scores: dict[int, float] = defaultdict(float)
        for alternatives in query_lemmas:
            frequency = sum(self._frequency.get(lemma, 0) for lemma in alternatives)
            if not frequency:
                continue
            weight = math.log(1 + total / frequency)
            for forum_id in wanted:
                postings = self._postings[forum_id]
                for lemma in alternatives:
                    for question_id in postings.get(lemma, ()):
                        scores[question_id] += weight
            for question_id in also:  # few: checked one by one
                if self._forum.get(question_id, -1) not in wanted and not alternatives.isdisjoint(
                        self._terms.get(question_id, ())):
                    scores[question_id] += weight
        best = heapq.nlargest(
            limit, scores.items(),
            key=lambda item: (item[1] * self._boost.get(item[0], 1.0), item[0]),
        )
        return [Hit(qid, score) for qid, score in best]
