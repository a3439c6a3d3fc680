"""The searchable archive of forum questions — the association's memory.

Questions and their answers are reduced to lemmas (morfeusz2) when written, and stored in
``question.search_terms``; every instance keeps an inverted index built from that column, so
"klauzul waloryzacyjnych" finds "klauzula waloryzacyjna" in a few milliseconds.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
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
    """Inverted index over questions: lemma → question ids, with the forum of each question."""

    def __init__(self) -> None:
        self._postings: dict[str, set[int]] = defaultdict(set)
        self._terms: dict[int, frozenset[str]] = {}
        self._forum: dict[int, int] = {}
        self._boost: dict[int, float] = {}

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
        for lemma in lemmas:
            self._postings[lemma].add(question_id)

    def remove(self, question_id: int) -> None:
        """Drop a question."""
        for lemma in self._terms.pop(question_id, ()):
            self._postings[lemma].discard(question_id)
        self._forum.pop(question_id, None)
        self._boost.pop(question_id, None)

    def search(self, query_lemmas: list[set[str]], forums: set[int] | None,
               limit: int = 5) -> list[Hit]:
        """Questions matching the most (and rarest) query words, in ``forums`` (None: all).

        Each query word is a set of alternative lemmas (an ambiguous form can be several).
        """
        total = max(1, len(self._terms))
        scores: dict[int, float] = defaultdict(float)
        for alternatives in query_lemmas:
            matched: set[int] = set()
            for lemma in alternatives:
                matched |= self._postings.get(lemma, set())
            if not matched:
                continue
            weight = math.log(1 + total / len(matched))
            for question_id in matched:
                if forums is None or self._forum.get(question_id) in forums:
                    scores[question_id] += weight
        ranked = sorted(scores.items(),
                        key=lambda item: (-item[1] * self._boost.get(item[0], 1.0), -item[0]))
        return [Hit(qid, score) for qid, score in ranked[:limit]]
