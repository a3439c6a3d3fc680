"""FAQ curation: a moderator promotes an answered question into the forum's FAQ, gives it a
public wording (what a search and ``/faq`` show instead of the words as asked, often written
in a hurry and naming people) and takes it out again.

The curated words are searched too (``question.public_terms``), and they are shown only
while the question is in the FAQ. Every change tells every instance the archive changed and
is audited with ids, never the words.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from commands.forums.archive import search_terms
from store.db import Database
from store.forum_models import Answer, Question
from store.forum_questions import question_by_id, set_faq, set_public_wording
from store.models import Person
from store.people import audit

if TYPE_CHECKING:  # searching.py shows the public wording: it imports this module
    from commands.directory.language import Morphology
    from commands.forums.searching import ArchiveSearch

MAX_WORDING = 3000  # as long as a question may be (commands.forums.handlers.MAX_QUESTION)
MAX_ANSWER = 4000


def public_view(question: Question, answer: Answer | None
                ) -> tuple[Question, Answer | None]:
    """The question and answer as the archive shows them: an FAQ question in its curated
    wording. Copies, never the stored rows (which keep the words as written)."""
    if not question.faq or not (question.public_text or question.public_answer):
        return question, answer
    # New objects, not model_copy(): a copy of a table row would share its SQLAlchemy state.
    shown = Question(**{**question.model_dump(), "text": question.public_text or question.text})
    if not question.public_answer:
        return shown, answer
    if answer is None:
        answer = Answer(question_id=int(question.id or 0), author_label="FAQ", platform="",
                        conversation_key="", message_id="", text=question.public_answer)
        return shown, answer
    return shown, Answer(**{**answer.model_dump(), "text": question.public_answer})


class FaqCuration:
    """Promote, reword and demote FAQ questions; ``may`` is the set of forum ids the person
    moderates (None: an admin, any forum)."""

    def __init__(self, *, db: Database, morphology: Morphology,
                 archive: ArchiveSearch) -> None:
        self._db = db
        self._morphology = morphology
        self._archive = archive

    async def promote(self, question_id: int, *, by: Person, may: set[int] | None) -> str:
        """Into the FAQ: "added", "unanswered", "unknown", "forbidden"."""
        refusal = await self._refusal(question_id, may)
        if refusal:
            return refusal
        return await self._archive.promote(question_id, by=by)

    async def demote(self, question_id: int, *, by: Person, may: set[int] | None) -> str:
        """Out of the FAQ (its wording kept, unseen): "removed", "not_faq", "unknown",
        "forbidden"."""
        async with self._db.session() as session:
            question = await question_by_id(session, question_id)
            refusal = _refused(question, may)
            if refusal:
                return refusal
            assert question is not None
            if not question.faq:
                return "not_faq"
            await set_faq(session, question, False)
            await self._archive.changed(session)
            await audit(session, actor=f"person:{by.id}", action="forum.faq_remove",
                        target=f"question:{question_id}")
            await session.commit()
        return "removed"

    async def reword(self, question_id: int, text: str, answer: str, *, by: Person,
                     may: set[int] | None) -> str:
        """The public wording of an FAQ question and its answer (empty: as written):
        "saved", "not_faq", "too_long", "unknown", "forbidden"."""
        text, answer = text.strip(), answer.strip()
        if len(text) > MAX_WORDING or len(answer) > MAX_ANSWER:
            return "too_long"
        async with self._db.session() as session:
            question = await question_by_id(session, question_id)
            refusal = _refused(question, may)
            if refusal:
                return refusal
            assert question is not None
            if not question.faq:
                return "not_faq"
            terms = search_terms(self._morphology, [text, answer]) if text or answer else ""
            await set_public_wording(session, question, text=text or None,
                                     answer=answer or None, terms=terms)
            await self._archive.changed(session)
            await audit(session, actor=f"person:{by.id}", action="forum.faq_wording",
                        target=f"question:{question_id}",
                        details={"question": bool(text), "answer": bool(answer)})
            await session.commit()
        return "saved"

    async def _refusal(self, question_id: int, may: set[int] | None) -> str:
        async with self._db.session() as session:
            return _refused(await question_by_id(session, question_id), may)


def _refused(question: Question | None, may: set[int] | None) -> str:
    """Why the person may not curate this question ("" when they may)."""
    if question is None:
        return "unknown"
    if may is not None and question.forum_id not in may:
        return "forbidden"
    return ""
