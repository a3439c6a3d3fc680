"""An in-memory snapshot of the directory, rebuilt from the database when it changes.

Answers must come in a few milliseconds for ~35,000 entries, so lookups go to dictionaries
here, never to SQL on the hot path.
"""

from __future__ import annotations

from collections import defaultdict

from commands.directory.language import Morphology, fold, tokens
from commands.directory.matching import (
    GminaNames,
    PhraseMatcher,
    TopicDefinition,
    related_topics,
)
from commands.directory.register import GminaRegister, RegisteredGmina, shipped_register

# The rows the index is built from are the store's own (loaded as plain column tuples, no
# copy): the index reads them as they come, and re-exports them under the names it uses.
from store.directory import Entry, GminaInfo, IndexData, PersonInfo, TopicInfo

__all__ = ["DirectoryIndex", "Entry", "GminaInfo", "IndexData", "PersonInfo", "TopicInfo",
           "TopicMatcherCache"]


class TopicMatcherCache:
    """Builds topic matchers and reuses one while the topics and synonyms stay the same."""

    def __init__(self, morphology: Morphology, thesaurus: list[TopicDefinition]) -> None:
        self._morphology = morphology
        self._thesaurus = {t.key: t for t in thesaurus}
        self._signature: object = None
        self._matcher: PhraseMatcher | None = None

    def matcher(
        self, topics: list[TopicInfo], synonyms: list[tuple[int, str, str]]
    ) -> PhraseMatcher:
        """A matcher for these topics (thesaurus synonyms included)."""
        signature = (tuple(topics), tuple(synonyms))
        if self._matcher is None or signature != self._signature:
            matcher = PhraseMatcher(self._morphology)
            for topic in topics:
                matcher.add(topic.name_pl, topic.id)
                if topic.name_en:
                    matcher.add(topic.name_en, topic.id, lang="en")
                definition = self._thesaurus.get(topic.key)
                if definition:
                    for phrase in definition.synonyms:
                        matcher.add(phrase, topic.id)
                    for phrase in definition.synonyms_en:
                        matcher.add(phrase, topic.id, lang="en")
            for topic_id, phrase, lang in synonyms:
                matcher.add(phrase, topic_id, lang=lang)
            self._matcher, self._signature = matcher, signature
        return self._matcher

    def related(self, topics: list[TopicInfo]
                ) -> dict[int, tuple[tuple[int, ...], tuple[int, ...]]]:
        """Topic id → the broader, then narrower topics' ids: the thesaurus links, and an
        office's own topic ("cmentarze komunalne", imported before the thesaurus had
        "cmentarze") linked below the thesaurus topics its name speaks of. Call after
        :meth:`matcher` for the same topics."""
        definitions = list(self._thesaurus.values())
        if self._matcher is not None:
            key_of = {t.id: t.key for t in topics}
            for topic in topics:
                if topic.key in self._thesaurus:
                    continue
                original = tokens(topic.name_pl)
                found = self._matcher.find([fold(w) for w in original], original)
                broader = tuple(dict.fromkeys(
                    key_of[m.target] for m in found
                    if m.target != topic.id and key_of.get(m.target) in self._thesaurus))
                if broader:
                    definitions.append(TopicDefinition(topic.key, topic.name_pl, topic.name_en,
                                                       (), broader=broader))
        return related_topics(definitions, {t.key: t.id for t in topics})


class DirectoryIndex:
    """The directory, indexed for answering questions."""

    def __init__(self, data: IndexData, *, topic_matcher: PhraseMatcher, morphology: Morphology,
                 related: dict[int, tuple[tuple[int, ...], tuple[int, ...]]] | None = None):
        self.version = data.version
        self.morphology = morphology
        self.gminy = {g.id: g for g in data.gminy}
        self.names = GminaNames(data.forms)
        self.by_teryt = {g.teryt: g.id for g in data.gminy if g.teryt}
        self._untagged: dict[str, list[int]] = defaultdict(list)  # gminy without a TERYT code
        for gmina in data.gminy:
            if not gmina.teryt:
                self._untagged[fold(gmina.name)].append(gmina.id)
        self.topics = {t.id: t for t in data.topics}
        self.topic_by_key = {t.key: t for t in data.topics}
        self.topic_matcher = topic_matcher
        # Where to look when a gmina lists nobody under a topic: broader, then narrower ones.
        self.related = related or {}
        self.persons = {p.id: p for p in data.persons}
        self.by_gmina_topic: dict[tuple[int, int], list[int]] = defaultdict(list)
        self.by_gmina: dict[int, list[Entry]] = defaultdict(list)
        self.by_topic: dict[int, list[Entry]] = defaultdict(list)
        self.by_person: dict[int, list[Entry]] = defaultdict(list)
        for entry in data.entries:
            self.by_gmina_topic[(entry.gmina_id, entry.topic_id)].append(entry.person_id)
            self.by_gmina[entry.gmina_id].append(entry)
            self.by_topic[entry.topic_id].append(entry)
            self.by_person[entry.person_id].append(entry)
        self._person_lemmas: dict[int, frozenset[str]] | None = None

    @property
    def register(self) -> GminaRegister:
        """Every gmina of the country (the shipped TERYT register), built on first use."""
        return shipped_register()

    def in_directory(self, gmina: RegisteredGmina) -> int | None:
        """The directory's id of a register gmina: by TERYT code, else by a unique name."""
        if gmina.teryt in self.by_teryt:
            return self.by_teryt[gmina.teryt]
        same = self._untagged.get(fold(gmina.name), ())
        return same[0] if len(same) == 1 else None

    def person_lemmas(self) -> dict[int, frozenset[str]]:
        """Lemmas of each person's position, notes and organisation (built on first use)."""
        if self._person_lemmas is None:
            lemmas: dict[int, frozenset[str]] = {}
            for person in self.persons.values():
                words: set[str] = set()
                for token in tokens(f"{person.position} {person.notes} {person.organisation}"):
                    if len(token) >= 3:
                        words |= self.morphology.lemmas(token)
                lemmas[person.id] = frozenset(words)
            self._person_lemmas = lemmas
        return self._person_lemmas

    def topics_of(self, person_id: int, gmina_id: int | None = None) -> list[TopicInfo]:
        """Topics a person handles (in one gmina, if given), in thesaurus order of ids."""
        ids = sorted(
            {
                e.topic_id
                for e in self.by_person.get(person_id, ())
                if gmina_id is None or e.gmina_id == gmina_id
            }
        )
        return [self.topics[i] for i in ids if i in self.topics]
