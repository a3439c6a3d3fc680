"""Moderating questions: marking one answered or closed, moving it to another forum, and
telling moderators about questions nobody answered."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from commands.clock import Clock
from commands.forums.asking import question_posts
from commands.forums.people import language
from commands.forums.searching import ArchiveSearch
from commands.model import OutboundMessage, Priority, message_to_json
from commands.render import forum_name
from commands.texts import t
from store.announcements import reachable_accounts
from store.db import Database
from store.forum_groups import threads
from store.forum_models import Question
from store.forum_questions import (
    claim_nudge,
    is_answered,
    move_question,
    question_by_id,
    set_state,
    unanswered_since,
)
from store.forums import forum_by_id, moderator_ids, person_by_id
from store.models import Forum, Person
from store.outbox import NewDelivery, enqueue
from store.people import audit


@dataclass(frozen=True, slots=True)
class ForumSettings:
    """``[forums]``"""

    unanswered_after: timedelta = timedelta(hours=24)


class Moderation:
    """What moderators (and askers, for their own question) do to a question."""

    def __init__(self, *, db: Database, clock: Clock, archive: ArchiveSearch,
                 settings: ForumSettings) -> None:
        self._db = db
        self._clock = clock
        self._archive = archive
        self.settings = settings

    async def set_state(self, question_id: int, state: str, *, by: Person,
                        note_key: str) -> Question | None:
        """Mark answered / closed and say so in every thread of the question."""
        now = self._clock.now()
        async with self._db.session() as session:
            question = await question_by_id(session, question_id)
            if question is None:
                return None
            await set_state(session, question, state, now)
            await enqueue(session, await _notes(session, question, note_key, now))
            await self._archive.changed(session)
            await audit(session, actor=f"person:{by.id}", action=f"forum.{state}",
                        target=f"question:{question_id}")
            await session.commit()
        return question

    async def redirect(self, question_id: int, forum: Forum, *, by: Person) -> Question | None:
        """Move a question to another forum: a note in the old threads, posts in the new."""
        now = self._clock.now()
        async with self._db.session() as session:
            question = await question_by_id(session, question_id)
            if question is None:
                return None
            rows = await _notes(session, question, "q.redirected_note", now,
                                forum=forum.name_pl)
            await move_question(session, question, int(forum.id or 0), now)
            asker = await person_by_id(session, question.asker_id) if question.asker_id else None
            if asker is not None:
                posts, _ = await question_posts(session, question, forum, asker, now)
                rows += posts
                rows += await _tell_asker(session, question, now, "q.redirected_asker",
                                          forum=forum)
            await enqueue(session, rows)
            await self._archive.changed(session)
            await audit(session, actor=f"person:{by.id}", action="forum.redirect",
                        target=f"question:{question_id}", details={"to": forum.key})
            await session.commit()
        return question

    async def nudge_round(self) -> int:
        """Tell moderators about questions nobody answered for ``unanswered_after``."""
        now = self._clock.now()
        count = 0
        async with self._db.session() as session:
            for question in await unanswered_since(session, now - self.settings.unanswered_after):
                answered = await is_answered(session, question)
                claimed = await claim_nudge(session, int(question.id or 0), now)
                if answered or not claimed:
                    continue
                moderators = await moderator_ids(session, question.forum_id)
                forum = await forum_by_id(session, question.forum_id)
                hours = round(self.settings.unanswered_after.total_seconds() / 3600)
                for person_id, accounts in (await reachable_accounts(session, moderators)
                                            ).items():
                    lang = await language(session, person_id)
                    for account in accounts[:1]:
                        message = OutboundMessage(text=t(
                            lang, "q.nudge", id=question.id, key=forum.key if forum else "",
                            hours=hours, text=question.text[:200]), lang=lang)
                        await enqueue(session, [NewDelivery(
                            dedupe_key=f"nudge:{question.id}:{person_id}", kind="notice",
                            source=f"question-nudge:{question.id}", platform=account.platform,
                            target=str(account.private_ref), payload=message_to_json(message),
                            not_before=now, person_id=person_id, account_id=account.id)])
                count += 1
            await session.commit()
        return count


async def _notes(session: AsyncSession, question: Question, key: str, now: datetime,
                 **values: object) -> list[NewDelivery]:
    """A note (text ``key``) in the question's thread in every group."""
    rows = []
    for group, root in await threads(session, question):
        message = OutboundMessage(text=t("pl", key, id=question.id, **values),
                                  reply_to=root, priority=Priority.QUIET)
        rows.append(NewDelivery(
            dedupe_key=f"note:{key}:{question.id}:{group.id}:{now.timestamp()}",
            kind="notice", source=f"question-note:{question.id}", platform=group.platform,
            target=group.ref, payload=message_to_json(message), not_before=now,
        ))
    return rows


async def _tell_asker(session: AsyncSession, question: Question, now: datetime, key: str, *,
                      forum: Forum) -> list[NewDelivery]:
    """A notice about ``question`` to its asker's private chat, in their language."""
    accounts = (await reachable_accounts(session, {question.asker_id or 0})).get(
        question.asker_id or 0, [])
    lang = await language(session, question.asker_id)
    message = OutboundMessage(text=t(lang, key, id=question.id, key=forum.key,
                                     forum=forum_name(forum, lang)), lang=lang)
    return [NewDelivery(
        dedupe_key=f"asker:{key}:{question.id}:{now.timestamp()}", kind="notice",
        source=f"question-note:{question.id}", platform=account.platform,
        target=str(account.private_ref), payload=message_to_json(message), not_before=now,
        person_id=question.asker_id, account_id=account.id,
    ) for account in accounts[:1]]
