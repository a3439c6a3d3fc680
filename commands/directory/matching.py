"""Finding known phrases (topic synonyms) and gmina names in user text."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

from commands.directory.language import Morphology, fold, tokens

THESAURUS_FILE = Path(__file__).with_name("topics_pl.toml")

Target = TypeVar("Target", covariant=True)


@dataclass(frozen=True, slots=True)
class TopicDefinition:
    """A topic of the shipped thesaurus (or an admin's addition)."""

    key: str
    name_pl: str
    name_en: str
    synonyms: tuple[str, ...]
    synonyms_en: tuple[str, ...] = ()
    broader: tuple[str, ...] = ()  # keys of wider topics ("zieleń" → "ochrona środowiska")


def load_thesaurus(path: Path = THESAURUS_FILE) -> list[TopicDefinition]:
    """Read the topic thesaurus (TOML, ``[[topic]]`` tables)."""
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    return [
        TopicDefinition(
            key=item["key"],
            name_pl=item["name_pl"],
            name_en=item.get("name_en", ""),
            synonyms=tuple(item.get("synonyms", ())),
            synonyms_en=tuple(item.get("synonyms_en", ())),
            broader=tuple(item.get("broader", ())),
        )
        for item in data.get("topic", [])
    ]


def related_topics(thesaurus: list[TopicDefinition], ids: Mapping[str, int]
                   ) -> dict[int, tuple[tuple[int, ...], tuple[int, ...]]]:
    """Topic id → (broader ids, nearest first; narrower ids): where to look when a gmina
    lists nothing under that topic. ``ids`` maps topic keys to ids."""
    broader = {t.key: t.broader for t in thesaurus}
    narrower: dict[str, list[str]] = {}
    for topic in thesaurus:
        for key in topic.broader:
            narrower.setdefault(key, []).append(topic.key)
    related: dict[int, tuple[tuple[int, ...], tuple[int, ...]]] = {}
    for key, topic_id in ids.items():
        up = _walk(key, broader)
        down = [k for k in _walk(key, narrower) if k not in up]
        chosen = (tuple(ids[k] for k in up if k in ids), tuple(ids[k] for k in down if k in ids))
        if chosen[0] or chosen[1]:
            related[topic_id] = chosen
    return related


def _walk(key: str, links: Mapping[str, Iterable[str]]) -> list[str]:
    """Keys reachable from ``key`` along ``links``, nearest first (cycles are cut)."""
    found: list[str] = []
    pending = list(links.get(key, ()))
    while pending:
        nearest = pending.pop(0)
        if nearest not in found and nearest != key:
            found.append(nearest)
            pending.extend(links.get(nearest, ()))
    return found


@dataclass(frozen=True, slots=True)
class Match(Generic[Target]):
    """A phrase found at ``tokens[start:end]``: a topic id, or the ids of the gminy a name
    may mean."""

    start: int
    end: int
    target: Target


@dataclass(frozen=True, slots=True)
class _Phrase:
    words: tuple[frozenset[str], ...]
    target: int
    exact_case: tuple[str, ...] | None  # short abbreviations must be written in capitals


class PhraseMatcher:
    """Finds phrases (of topics) in a token list; each phrase word matches any of its inflected
    forms."""

    def __init__(self, morphology: Morphology) -> None:
        self._morphology = morphology
        self._by_first: dict[str, list[_Phrase]] = {}

    def add(self, phrase: str, target: int, *, lang: str = "pl") -> None:
        """Register ``phrase`` meaning topic ``target``; Polish words are inflected."""
        words = tokens(phrase)
        if not words:
            return
        forms: list[frozenset[str]] = []
        for word in words:
            if lang == "pl" and not _is_abbreviation(word):
                forms.append(frozenset(self._morphology.word_forms(word.lower())))
            elif lang == "pl":
                folded = fold(word)
                forms.append(frozenset({folded, folded + "u", folded + "ie", folded + "em"}))
            else:
                folded = fold(word)
                forms.append(frozenset({folded, folded + "s", folded + "es"}))
        short = all(_is_abbreviation(w) and len(w) <= 3 for w in words)
        entry = _Phrase(tuple(forms), target, tuple(words) if short else None)
        for form in forms[0]:
            self._by_first.setdefault(form, []).append(entry)

    def find(self, folded: list[str], original: list[str]) -> list[Match[int]]:
        """All matches in ``folded`` tokens (``original`` keeps the user's capitals)."""
        found: list[Match[int]] = []
        for start, token in enumerate(folded):
            for phrase in self._by_first.get(token, ()):
                end = start + len(phrase.words)
                if end > len(folded):
                    continue
                if all(folded[start + i] in phrase.words[i] for i in range(1, len(phrase.words))):
                    if phrase.exact_case and tuple(original[start:end]) != phrase.exact_case:
                        continue
                    found.append(Match(start, end, phrase.target))
        return found


def _is_abbreviation(word: str) -> bool:
    return len(word) >= 2 and word.isupper()


class GminaNames:
    """Normalised inflected forms of gmina names → gmina ids (several ids: an ambiguous name)."""

    def __init__(self, forms: Mapping[str, Iterable[int]]) -> None:
        self._forms: dict[str, frozenset[int]] = {k: frozenset(v) for k, v in forms.items()}
        self.max_words = max((k.count(" ") + 1 for k in self._forms), default=1)

    def __len__(self) -> int:
        return len(self._forms)

    def lookup(self, key: str) -> frozenset[int]:
        """Gmina ids whose name has the normalised form ``key``."""
        return self._forms.get(key, frozenset())

    def keys(self) -> list[str]:
        """Every known form (for fuzzy matching)."""
        return list(self._forms)

    def find(self, folded: list[str]) -> list[Match[frozenset[int]]]:
        """Every n-gram of ``folded`` that is a gmina name form, longest first per position."""
        found: list[Match[frozenset[int]]] = []
        for start in range(len(folded)):
            for size in range(min(self.max_words, len(folded) - start), 0, -1):
                ids = self._forms.get(" ".join(folded[start : start + size]))
                if ids:
                    found.append(Match(start, start + size, ids))
                    break
        return found
