"""Answers: a reply in one of a question's threads, on any messenger, is stored and brought
to the asker privately and into the other groups' threads; the asker's reply to such a copy
is a follow-up relayed the same way. A reply to a question no longer open reaches nobody,
and its author is told so privately."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from commands.clock import Clock
from commands.directory.language import Morphology
from commands.forums.archive import search_terms
from commands.forums.people import language
from commands.forums.searching import ArchiveSearch
from commands.model import (
    Attachment,
    Button,
    ButtonStyle,
    MessageReceived,
    OutboundMessage,
    message_to_json,
    private_refs,
)
from commands.texts import PLATFORM_NAMES, t
from store.announcements import reachable_accounts
from store.db import Database
from store.forum_copies import private_copy_source, question_in_thread, question_of_source
from store.forum_groups import threads
from store.forum_models import Answer, Question
from store.forum_questions import add_answer, set_search_terms
from store.forums import forum_by_id
from store.models import Person
from store.outbox import NewDelivery, enqueue

ACTION_DONE = "q.done"  # the asker's "mark as solved" button on their copy of an answer


@dataclass(frozen=True, slots=True)
class FollowUp:
    """What an asker's reply in their private chat did: ``outcome`` "open" (relayed into the
    question's threads), or the question's state ("answered", "closed": relayed nowhere)."""

    question_id: int
    forum_key: str
    outcome: str


class Answers:
    """Replies in a question's threads and the asker's follow-ups."""

    def __init__(self, *, db: Database, clock: Clock, morphology: Morphology,
                 archive: ArchiveSearch) -> None:
        self._db = db
        self._clock = clock
        self._morphology = morphology
        self._archive = archive

    async def on_group_message(self, event: MessageReceived, *, author: Person | None,
                               author_label: str, lang: str = "pl") -> bool:
        """A message in a registered group: if it answers a relayed question, relay it; if it
        replies to a question no longer open, tell its author privately (once per question)
        that it reached nobody. True when the message belonged to a question's thread."""
        roots = [r for r in (event.reply_to_message_id, event.conversation.thread_id) if r]
        if not roots or event.message_id is None:
            return False
        now = self._clock.now()
        async with self._db.session() as session:
            question = await question_in_thread(session, event.platform.value,
                                                event.conversation.key, roots)
            if question is None:
                return False
            if question.state != "open":
                await enqueue(session, await _too_late(session, question, event, author,
                                                       lang, now))
                await session.commit()
                return True
            await self._record(session, question, event, author, author_label, now)
            await session.commit()
        return True

    async def on_private_reply(self, event: MessageReceived, *, author: Person,
                               author_label: str) -> FollowUp | None:
        """The asker replied in their private chat to the bot's copy of an answer to their
        question (or a notice about it): a follow-up in the question's threads, relayed into
        every group like an answer. None if the reply is to nothing of the kind."""
        roots = [r for r in (event.reply_to_message_id, event.conversation.thread_id) if r]
        if not roots or event.message_id is None:
            return None
        now = self._clock.now()
        async with self._db.session() as session:
            source = await private_copy_source(session, event.platform.value,
                                               event.conversation.key, roots,
                                               int(author.id or 0))
            if source is None:
                return None
            question = await question_of_source(session, source)
            if question is None or question.asker_id != author.id:
                return None
            forum = await forum_by_id(session, question.forum_id)
            outcome = "open"
            if question.state != "open":
                outcome = question.state
            else:
                await self._record(session, question, event, author, author_label, now)
                await session.commit()
        return FollowUp(int(question.id or 0), forum.key if forum else "", outcome)

    async def _record(self, session: AsyncSession, question: Question,
                      event: MessageReceived, author: Person | None, author_label: str,
                      now: datetime) -> None:
        """Store what ``event`` says in ``question``'s thread and queue its copies (nothing
        when it is the same message again: a platform retry)."""
        answer = Answer(
            question_id=int(question.id or 0), author_id=author.id if author else None,
            author_label=author_label[:300], platform=event.platform.value,
            conversation_key=event.conversation.key, message_id=str(event.message_id),
            text=event.text,
            attachments=json.dumps([[a.name, a.url, a.mime] for a in event.attachments]),
            created_at=now,
        )
        if not await add_answer(session, answer):
            return
        await set_search_terms(session, question, " ".join(sorted(
            set(question.search_terms.split())
            | set(search_terms(self._morphology, [event.text]).split()))), now=now)
        await session.flush()
        await enqueue(session, await _copies(session, question, answer, event.attachments,
                                             now))
        await self._archive.changed(session)


async def _too_late(session: AsyncSession, question: Question, event: MessageReceived,
                    author: Person | None, lang: str, now: datetime) -> list[NewDelivery]:
    """A private word to someone who replied in the thread of a question no longer open:
    it reached nobody, and how to ask anew. Once per person and question; nothing where
    the bot cannot write to them privately (the group never sees it)."""
    target: str | None = None
    platform, account_id = event.platform.value, None
    if author is not None:
        accounts = (await reachable_accounts(session, {int(author.id or 0)})).get(
            int(author.id or 0), [])
        here = [a for a in accounts if a.platform == event.platform.value]
        if here or accounts:
            account = (here or accounts)[0]
            platform, target, account_id = account.platform, account.private_ref, account.id
    if target is None:
        _, target = private_refs(event)  # an unlinked Slack or Teams account
    if target is None:
        return []
    forum = await forum_by_id(session, question.forum_id)
    key = "q.reply_answered" if question.state == "answered" else "q.reply_closed"
    message = OutboundMessage(text=t(lang, key, id=question.id,
                                     key=forum.key if forum else ""), lang=lang)
    who = f"person:{author.id}" if author else f"{event.platform.value}:{event.sender.user_id}"
    return [NewDelivery(
        dedupe_key=f"too-late:{question.id}:{who}", kind="notice",
        source=f"question-late:{question.id}", platform=platform, target=str(target),
        payload=message_to_json(message), not_before=now,
        person_id=author.id if author else None, account_id=account_id,
    )]


async def _copies(session: AsyncSession, question: Question, answer: Answer,
                  attachments: tuple[Attachment, ...], now: datetime) -> list[NewDelivery]:
    """The answer's copies: to the asker privately (with the "solved" button) and into the
    question's thread in every other group."""
    rows: list[NewDelivery] = []
    via = PLATFORM_NAMES.get(answer.platform, answer.platform)
    header = t("pl", "q.answer_by", author=answer.author_label, via=via)
    if question.asker_id and question.asker_id != answer.author_id:
        accounts = (await reachable_accounts(session, {question.asker_id})).get(
            question.asker_id, [])
        lang = await language(session, question.asker_id)
        for account in accounts[:1]:
            message = OutboundMessage(
                title=t(lang, "q.answer_title", id=question.id),
                text=answer.text, lang=lang, attachments=attachments,
                footer=t(lang, "q.answer_by", author=answer.author_label, via=via),
                buttons=(Button(t(lang, "q.mark_done"), ACTION_DONE, str(question.id),
                                ButtonStyle.PRIMARY),),
            )
            rows.append(NewDelivery(
                dedupe_key=f"answer:{answer.id}:asker", kind="relay",
                source=f"answer:{answer.id}", platform=account.platform,
                target=str(account.private_ref), payload=message_to_json(message),
                not_before=now, person_id=question.asker_id, account_id=account.id,
            ))
    for group, root in await threads(session, question):
        if group.conversation_key == answer.conversation_key:
            continue  # the answer is already there
        title = "" if root else t("pl", "q.quote", id=question.id, text=question.text[:160])
        message = OutboundMessage(title=title, text=f"{header}: {answer.text}",
                                  reply_to=root, attachments=attachments)
        rows.append(NewDelivery(
            dedupe_key=f"answer:{answer.id}:group:{group.id}", kind="relay",
            source=f"answer:{answer.id}", platform=group.platform, target=group.ref,
            payload=message_to_json(message), not_before=now,
        ))
    return rows
