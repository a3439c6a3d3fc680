"""Turning a parsed question into an answer: contact cards, ask-backs and pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from commands.directory.gminy import gmina_label
from commands.directory.index import DirectoryIndex, GminaInfo, PersonInfo
from commands.directory.query import DirectoryQuery
from commands.model import Button, ContactCard, OutboundMessage
from commands.texts import t

PAGE_SIZE = 5
COORDINATION_TOPIC = "koordynacja"
ACTION_PAGE = "kto.p"
ACTION_GMINA = "kto.g"


@dataclass(frozen=True, slots=True)
class AnswerState:
    """What a page or choice button must remember to redo the question (fits 64 bytes)."""

    gmina_id: int | None
    topic_ids: tuple[int, ...]
    words: tuple[str, ...]
    page: int = 1

    def encode(self) -> str:
        """Compact text for a button value."""
        topics = ".".join(map(str, self.topic_ids))
        return f"{self.gmina_id or ''}:{topics}:{self.page}:{' '.join(self.words)}"

    @classmethod
    def decode(cls, value: str) -> AnswerState:
        """Read :meth:`encode`'s output; raises ``ValueError`` on anything else."""
        gmina, topics, page, words = value.split(":", 3)
        return cls(
            gmina_id=int(gmina) if gmina else None,
            topic_ids=tuple(int(x) for x in topics.split(".") if x),
            words=tuple(words.split()),
            page=max(1, int(page)),
        )


class DirectoryAnswers:
    """Builds answers from the index. ``today`` decides which entries are stale."""

    def __init__(self, *, stale_after_months: int) -> None:
        self.stale_after_months = stale_after_months

    def answer_all(
        self, index: DirectoryIndex, query: DirectoryQuery, *, lang: str, today: date
    ) -> list[OutboundMessage]:
        """The answer to a freshly parsed question: one message per gmina it names, and one
        saying which named gminy the directory does not have (those name nobody)."""
        if query.is_empty:
            return [OutboundMessage(text=t(lang, "who.not_understood", text=query.text[:200]),
                                    lang=lang)]
        messages = [
            self._which_gmina(index, query, mention.ids, mention.text, lang)
            if len(mention.ids) > 1
            else self.page(index, AnswerState(next(iter(mention.ids)), query.topic_ids,
                                              query.words), lang=lang, today=today)
            for mention in query.mentions
        ]
        if query.outside:
            messages.append(self._outside(index, query.outside, lang, alone=not messages))
        if not messages:
            state = AnswerState(None, query.topic_ids, query.words)
            messages.append(self.page(index, state, lang=lang, today=today))
        return messages

    def _outside(self, index: DirectoryIndex, names: tuple[str, ...], lang: str, *,
                 alone: bool) -> OutboundMessage:
        """Gminy the directory does not have: said plainly, nobody else named instead."""
        text = "\n".join(t(lang, "gmina.outside", gmina=name) for name in names)
        if alone and index.gminy:
            examples = sorted({g.name for g in index.gminy.values()})
            shown = ", ".join(examples[:3]) + (", …" if len(examples) > 3 else "")
            text = f"{text}\n{t(lang, 'gmina.outside_hint', examples=shown)}"
        return OutboundMessage(text=text, lang=lang)

    def page(
        self, index: DirectoryIndex, state: AnswerState, *, lang: str, today: date
    ) -> OutboundMessage:
        """One page of the answer described by ``state``."""
        gmina = index.gminy.get(state.gmina_id) if state.gmina_id else None
        if state.gmina_id and gmina is None:
            return OutboundMessage(text=t(lang, "error.stale_button"), lang=lang)
        rows = self.rows(index, state, gmina)
        title = self._title(index, state, gmina, lang)
        if not rows:
            return self._not_found(index, state, gmina, lang, today)
        pages = (len(rows) + PAGE_SIZE - 1) // PAGE_SIZE
        page = min(state.page, pages)
        chunk = rows[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
        cards = tuple(self._card(index, person, gid, today, lang) for person, gid in chunk)
        buttons: list[Button] = []
        footer = ""
        if pages > 1:
            footer = t(lang, "who.page", page=page, pages=pages)
            for label, target in (("who.prev", page - 1), ("who.more", page + 1)):
                if 1 <= target <= pages:
                    value = _fit(AnswerState(state.gmina_id, state.topic_ids, state.words, target))
                    if value is not None:
                        buttons.append(Button(t(lang, label), ACTION_PAGE, value))
        return OutboundMessage(title=title, cards=cards, buttons=tuple(buttons), footer=footer,
                               lang=lang)

    def rows(
        self, index: DirectoryIndex, state: AnswerState, gmina: GminaInfo | None
    ) -> list[tuple[PersonInfo, int]]:
        """(person, gmina id) pairs answering the question, in a stable, useful order."""
        seen: set[tuple[int, int]] = set()
        rows: list[tuple[PersonInfo, int]] = []

        def add(person_id: int, gmina_id: int) -> None:
            if (person_id, gmina_id) not in seen and person_id in index.persons:
                seen.add((person_id, gmina_id))
                rows.append((index.persons[person_id], gmina_id))

        if state.topic_ids:
            for topic_id in state.topic_ids:
                if gmina is not None:
                    for person_id in _listed(index, gmina.id, topic_id):
                        add(person_id, gmina.id)
                else:
                    entries = sorted(
                        index.by_topic.get(topic_id, ()),
                        key=lambda e: (index.gminy[e.gmina_id].name, e.person_id),
                    )
                    for entry in entries:
                        add(entry.person_id, entry.gmina_id)
        elif gmina is not None:
            entries = sorted(
                index.by_gmina.get(gmina.id, ()),
                key=lambda e: (index.topics[e.topic_id].name_pl, e.person_id),
            )
            for entry in entries:
                add(entry.person_id, gmina.id)
        if state.words:
            wanted = [index.morphology.lemmas(w) for w in state.words]
            lemmas = index.person_lemmas()
            if rows and state.topic_ids:
                # Extra words narrow a topic's answer when they can ("odpady PSZOK").
                rows = [r for r in rows if all(lemmas[r[0].id] & w for w in wanted)] or rows
            elif rows:
                # A gmina and unknown words: only people those words describe, else nobody.
                rows = [r for r in rows if all(lemmas[r[0].id] & w for w in wanted)]
            else:
                for person_id, person_lemmas in lemmas.items():
                    if all(person_lemmas & w for w in wanted):
                        person = index.persons[person_id]
                        gid = person.gmina_id or 0
                        if gmina is None or gid == gmina.id:
                            add(person_id, gid)
        return rows

    def _title(
        self, index: DirectoryIndex, state: AnswerState, gmina: GminaInfo | None, lang: str
    ) -> str:
        topic = ", ".join(index.topics[i].name(lang) for i in state.topic_ids if i in index.topics)
        topic = topic or " ".join(state.words)
        if gmina and topic:
            return t(lang, "who.title_topic_gmina", topic=topic, gmina=gmina.name)
        if gmina:
            return t(lang, "who.title_gmina", gmina=gmina.name)
        return t(lang, "who.title_topic", topic=topic)

    def _not_found(
        self, index: DirectoryIndex, state: AnswerState, gmina: GminaInfo | None, lang: str,
        today: date,
    ) -> OutboundMessage:
        topic = ", ".join(index.topics[i].name(lang) for i in state.topic_ids if i in index.topics)
        if gmina is None and not topic:
            text = " ".join(state.words)
            return OutboundMessage(text=t(lang, "who.not_understood", text=text[:200]), lang=lang)
        topic = topic or " ".join(state.words)
        if gmina is None:
            return OutboundMessage(text=t(lang, "who.not_found_topic", topic=topic), lang=lang)
        if not topic:
            return OutboundMessage(text=t(lang, "who.not_found_gmina", gmina=gmina.name),
                                   lang=lang)
        text = t(lang, "who.not_found", topic=topic, gmina=gmina.name)
        coordination = index.topic_by_key.get(COORDINATION_TOPIC)
        coordinators = (
            index.by_gmina_topic.get((gmina.id, coordination.id), []) if coordination else []
        )
        if not coordinators:
            return OutboundMessage(text=f"{text}\n{t(lang, 'who.no_coordinator')}", lang=lang)
        cards = tuple(
            self._card(index, index.persons[p], gmina.id, today, lang)
            for p in coordinators if p in index.persons
        )
        return OutboundMessage(text=f"{text}\n{t(lang, 'who.ask_coordinator')}", cards=cards,
                               lang=lang)

    def _which_gmina(
        self, index: DirectoryIndex, query: DirectoryQuery, ids: frozenset[int], text: str,
        lang: str,
    ) -> OutboundMessage:
        candidates = sorted(
            (index.gminy[i] for i in ids if i in index.gminy),
            key=lambda g: (g.wojewodztwo, g.powiat, g.kind, g.id),
        )
        buttons = []
        for gmina in candidates[:10]:
            value = _fit(AnswerState(gmina.id, query.topic_ids, query.words))
            if value is not None:
                buttons.append(Button(gmina_label(gmina, lang)[:60], ACTION_GMINA, value))
        return OutboundMessage(text=t(lang, "who.which_gmina", text=text),
                               buttons=tuple(buttons), lang=lang)

    def _card(
        self, index: DirectoryIndex, person: PersonInfo, gmina_id: int, today: date, lang: str
    ) -> ContactCard:
        gmina = index.gminy.get(gmina_id)
        return ContactCard(
            name=person.name,
            gmina=gmina.name if gmina else person.organisation,
            position=person.position,
            topics=tuple(x.name(lang) for x in index.topics_of(person.id, gmina_id or None)),
            email=person.email or "",
            phone=person.phone,
            preferred_contact=person.preferred_contact,
            notes=person.notes,
            confirmed_on=person.confirmed_on,
            stale=self.is_stale(person.confirmed_on, today),
        )

    def is_stale(self, confirmed_on: date | None, today: date) -> bool:
        """Not confirmed within ``stale_after_months``."""
        if confirmed_on is None:
            return True
        months = (today.year - confirmed_on.year) * 12 + today.month - confirmed_on.month
        if today.day < confirmed_on.day:
            months -= 1
        return months >= self.stale_after_months


def _listed(index: DirectoryIndex, gmina_id: int, topic_id: int) -> list[int]:
    """Who handles a topic in a gmina: listed under it, else under the nearest broader topic
    ("zieleń" in a list that has "ochrona środowiska"), else under the narrower ones."""
    people = index.by_gmina_topic.get((gmina_id, topic_id))
    if people:
        return people
    broader, narrower = index.related.get(topic_id, ((), ()))
    for other in broader:
        people = index.by_gmina_topic.get((gmina_id, other))
        if people:
            return people
    return [p for other in narrower for p in index.by_gmina_topic.get((gmina_id, other), ())]


def _fit(state: AnswerState) -> str | None:
    """The encoded state if it fits a button; drops free words that make it too long."""
    for words in (state.words, ()):
        candidate = AnswerState(state.gmina_id, state.topic_ids, words, state.page)
        value = candidate.encode()
        if len(f"{ACTION_PAGE}|{value}".encode()) <= 64:
            return value
    return None
