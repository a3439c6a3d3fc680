"""Forum questions: asked once, relayed into the forum's groups on every messenger, answered in
any of them, brought back to the asker and mirrored into the other groups' threads.

Every send goes through the outbox. Where the bot posted what is read back from the outbox rows
(source ``question:N`` / ``answer:N``, conversation key, platform message id), so a restart
between a question and its answers loses no link.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, exists, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from commands.clock import Clock
from commands.directory.language import Morphology, tokens
from commands.directory.query import STOPWORDS
from commands.forums.archive import ArchiveIndex, search_terms
from commands.forums.relay import AnswerRelay, with_text
from commands.model import (
    Attachment,
    Button,
    ButtonStyle,
    ConversationKind,
    ConversationRef,
    MessageDeleted,
    MessageEdited,
    MessageReceived,
    OutboundMessage,
    Priority,
    message_from_json,
    message_to_json,
    private_refs,
)
from commands.ports import Messenger
from commands.render import forum_name
from commands.texts import PLATFORM_NAMES, pick_lang, t
from store.announcements import reachable_accounts
from store.db import Database
from store.forum_models import Answer, ForumArchive, ForumGroup, Question
from store.models import (
    Conversation,
    Delivery,
    DeliveryState,
    Forum,
    ForumMember,
    Gmina,
    Meta,
    Person,
    Role,
)
from store.models import RoleGrant as Grant
from store.outbox import NewDelivery, cancel_pending, enqueue
from store.people import audit, set_conversation_registered

log = logging.getLogger(__name__)

ACTION_DONE = "q.done"
ARCHIVE_VERSION = "archive_version"


@dataclass(frozen=True, slots=True)
class ForumSettings:
    """``[forums]``"""

    unanswered_after: timedelta = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class FollowUp:
    """What an asker's reply in their private chat did: ``outcome`` "open" (relayed into the
    question's threads), or the question's state ("answered", "closed": relayed nowhere)."""

    question_id: int
    forum_key: str
    outcome: str


@dataclass(frozen=True, slots=True)
class Asked:
    """What asking did: the question and where it went."""

    question: Question
    groups: int
    platforms: tuple[str, ...]


class ForumService:
    """Forum groups, questions, answers, moderation and the archive."""

    def __init__(self, *, db: Database, clock: Clock, morphology: Morphology,
                 messengers: Mapping[str, Messenger],
                 settings: ForumSettings = ForumSettings()) -> None:
        self._db = db
        self._clock = clock
        self._morphology = morphology
        self._messengers = messengers
        self._relay = AnswerRelay(db=db, clock=clock, messengers=messengers)
        self.settings = settings
        self._archive = ArchiveIndex()
        self._archive_version = -1
        self._checked_at = 0.0

    # --- forums and their groups ---------------------------------------------------------

    async def forum_by_key(self, session: AsyncSession, key: str) -> Forum | None:
        """A forum by its key, case-insensitively; an archived forum is no longer found."""
        return (await session.execute(
            select(Forum).where(Forum.key == key.strip().upper(),  # type: ignore[arg-type]
                                ~exists().where(ForumArchive.forum_id == Forum.id))  # type: ignore[arg-type]
        )).scalars().first()

    async def link_group(self, forum_key: str, conversation: ConversationRef, *, title: str,
                         by: Person | None, may: set[int] | None) -> str:
        """Register a group as the forum's: "linked", "already", "unknown", "forbidden".

        ``may`` is the set of forum ids the person moderates (None: an admin, any forum);
        ``by`` None is the command line.
        """
        async with self._db.session() as session:
            forum = await self.forum_by_key(session, forum_key)
            if forum is None:
                return "unknown"
            if may is not None and forum.id not in may:
                return "forbidden"
            group = ForumGroup(forum_id=int(forum.id or 0), platform=conversation.platform.value,
                               conversation_key=conversation.key,
                               ref=conversation.to_json(), title=title[:300],
                               added_by=by.id if by else None)
            try:
                async with session.begin_nested():
                    session.add(group)
            except IntegrityError:
                return "already"
            await set_conversation_registered(session, platform=conversation.platform.value,
                                              key=conversation.key, registered=True)
            await audit(session, actor=_actor(by), action="forum.link_group",
                        target=f"forum:{forum.key}",
                        details={"platform": conversation.platform.value})
            await session.commit()
        return "linked"

    async def unlink_group(self, forum_key: str, where: ConversationRef | int, *,
                           by: Person | None, may: set[int] | None) -> str:
        """Remove a group from a forum — the one ``where`` is said, or the group with that
        number (``/forum lista``): "unlinked", "unknown", "forbidden", "not_linked"."""
        async with self._db.session() as session:
            forum = await self.forum_by_key(session, forum_key)
            if forum is None:
                return "unknown"
            if may is not None and forum.id not in may:
                return "forbidden"
            which = (ForumGroup.id == where if isinstance(where, int)  # type: ignore[arg-type]
                     else ForumGroup.conversation_key == where.key)  # type: ignore[arg-type]
            group = (await session.execute(select(ForumGroup).where(
                ForumGroup.forum_id == forum.id, which,  # type: ignore[arg-type]
            ))).scalars().first()
            if group is None:
                return "not_linked"
            await session.delete(group)
            # This forum's relays still queued for the group are not sent: it no longer
            # belongs here. (Another forum may share the place; its relays stay.)
            queued = (await session.execute(select(Delivery.id, Delivery.source).where(
                Delivery.target == group.ref,  # type: ignore[arg-type]
                Delivery.state == DeliveryState.PENDING.value,  # type: ignore[arg-type]
                Delivery.kind.in_(("relay", "notice")),  # type: ignore[attr-defined]
            ))).all()
            ours = [row_id for row_id, source in queued
                    if (q := await _question_of_source(session, source)) is not None
                    and q.forum_id == forum.id]
            if ours:
                await session.execute(update(Delivery).where(
                    Delivery.id.in_(ours),  # type: ignore[union-attr]
                    Delivery.state == DeliveryState.PENDING.value,  # type: ignore[arg-type]
                ).values(state=DeliveryState.CANCELLED.value))
            others = (await session.execute(select(ForumGroup.id).where(
                ForumGroup.conversation_key == group.conversation_key,  # type: ignore[arg-type]
                ForumGroup.id != group.id,  # type: ignore[arg-type]
            ))).first()
            if others is None:
                await set_conversation_registered(session, platform=group.platform,
                                                  key=group.conversation_key, registered=False)
            await audit(session, actor=_actor(by), action="forum.unlink_group",
                        target=f"forum:{forum.key}", details={"group": group.id})
            await session.commit()
        return "unlinked"

    async def listing(self) -> list[tuple[Forum, list[tuple[ForumGroup, bool]]]]:
        """Every forum with its groups, each with whether it takes relays now."""
        async with self._db.session() as session:
            forums = list((await session.execute(select(Forum).where(
                ~exists().where(ForumArchive.forum_id == Forum.id)  # type: ignore[arg-type]
            ).order_by(Forum.key))).scalars())
            groups = list((await session.execute(select(ForumGroup).order_by(
                ForumGroup.id))).scalars())  # type: ignore[arg-type]
            live = {g.id for g in await self._live_groups(session, None)}
        return [(f, [(g, g.id in live) for g in groups if g.forum_id == f.id]) for f in forums]

    async def _live_groups(self, session: AsyncSession, forum_id: int | None
                           ) -> list[ForumGroup]:
        """The forum's groups (every forum's, for None) that take relays: not those an admin
        unregistered (``lacznik groups unregister``) or the bot was removed from."""
        query = select(ForumGroup).outerjoin(Conversation, and_(
            Conversation.platform == ForumGroup.platform,  # type: ignore[arg-type]
            Conversation.conversation_key == ForumGroup.conversation_key,  # type: ignore[arg-type]
        )).where(or_(
            Conversation.id == None,  # type: ignore[arg-type]  # noqa: E711  # never seen: console
            and_(Conversation.registered == True, Conversation.active == True),  # type: ignore[arg-type]  # noqa: E712
        )).order_by(ForumGroup.id)  # type: ignore[arg-type]
        if forum_id is not None:
            query = query.where(ForumGroup.forum_id == forum_id)  # type: ignore[arg-type]
        return list((await session.execute(query)).scalars())

    # --- asking ----------------------------------------------------------------------------

    async def ask(self, *, asker: Person, forum: Forum, text: str, via: str) -> Asked:
        """Store the question and post it into every group of the forum."""
        now = self._clock.now()
        async with self._db.session() as session:
            question = Question(forum_id=int(forum.id or 0), asker_id=asker.id, asked_via=via,
                                text=text, created_at=now, updated_at=now,
                                search_terms=search_terms(self._morphology, [text]))
            session.add(question)
            await session.flush()
            rows, platforms = await self._question_posts(session, question, forum, asker, now)
            await enqueue(session, rows)
            await self._bump_archive(session)
            await audit(session, actor=f"person:{asker.id}", action="forum.ask",
                        target=f"question:{question.id}", details={"forum": forum.key})
            await session.commit()
        return Asked(question, len(rows), platforms)

    async def _question_posts(self, session: AsyncSession, question: Question, forum: Forum,
                              asker: Person, now: datetime) -> tuple[list[NewDelivery],
                                                                     tuple[str, ...]]:
        groups = await self._live_groups(session, int(forum.id or 0))
        label = await _label(session, asker)
        message = OutboundMessage(
            title=t("pl", "q.post_title", id=question.id, forum=forum.name_pl),
            text=question.text,
            footer=t("pl", "q.post_footer", author=label,
                     via=PLATFORM_NAMES.get(question.asked_via, question.asked_via)),
            priority=Priority.NORMAL,
        )
        rows = [
            NewDelivery(
                dedupe_key=f"question:{question.id}:forum:{forum.id}:group:{group.id}",
                kind="relay", source=f"question:{question.id}", platform=group.platform,
                target=group.ref, payload=message_to_json(message), not_before=now,
            )
            for group in groups
        ]
        return rows, tuple(sorted({g.platform for g in groups}))

    # --- answers ---------------------------------------------------------------------------

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
            question = await self._question_for(session, event.platform.value,
                                                event.conversation.key, roots)
            if question is None:
                return False
            if question.state != "open":
                await enqueue(session, await self._tell_too_late(session, question, event,
                                                                 author, lang, now))
                await session.commit()
                return True
            await self._record_answer(session, question, event, author, author_label, now)
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
            source = (await session.execute(select(Delivery.source).where(
                Delivery.platform == event.platform.value,  # type: ignore[arg-type]
                Delivery.conversation_key == event.conversation.key,  # type: ignore[arg-type]
                Delivery.message_id.in_(roots),  # type: ignore[attr-defined]
                Delivery.person_id == author.id,  # type: ignore[arg-type]
                Delivery.source.like("answer:%")  # type: ignore[attr-defined]
                | Delivery.source.like("question-note:%"),  # type: ignore[attr-defined]
            ).order_by(Delivery.id))).scalars().first()
            if source is None:
                return None
            question = await _question_of_source(session, source)
            if question is None or question.asker_id != author.id:
                return None
            forum = await session.get(Forum, question.forum_id)
            outcome = "open"
            if question.state != "open":
                outcome = question.state
            else:
                await self._record_answer(session, question, event, author, author_label, now)
                await session.commit()
        return FollowUp(int(question.id or 0), forum.key if forum else "", outcome)

    async def _record_answer(self, session: AsyncSession, question: Question,
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
        try:
            async with session.begin_nested():
                session.add(answer)
        except IntegrityError:
            return
        question.search_terms = " ".join(sorted(
            set(question.search_terms.split())
            | set(search_terms(self._morphology, [event.text]).split())))
        question.updated_at = now
        session.add(question)
        await session.flush()
        await enqueue(session, await self._answer_copies(session, question, answer,
                                                         event.attachments, now))
        await self._bump_archive(session)

    async def _tell_too_late(self, session: AsyncSession, question: Question,
                             event: MessageReceived, author: Person | None, lang: str,
                             now: datetime) -> list[NewDelivery]:
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
        forum = await session.get(Forum, question.forum_id)
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

    async def _question_for(self, session: AsyncSession, platform: str, key: str,
                            roots: list[str]) -> Question | None:
        """The question whose post (or a mirrored answer) ``roots`` point at, here."""
        source = (await session.execute(
            select(Delivery.source).where(
                Delivery.platform == platform,  # type: ignore[arg-type]
                Delivery.conversation_key == key,  # type: ignore[arg-type]
                Delivery.message_id.in_(roots),  # type: ignore[attr-defined]
                # the post, a mirrored answer, or a note (closed, solved, moved) in its thread
                Delivery.kind.in_(("relay", "notice")),  # type: ignore[attr-defined]
            ).order_by(Delivery.id)
        )).scalars().first()
        if source is None:
            answer = (await session.execute(select(Answer).where(
                Answer.platform == platform,  # type: ignore[arg-type]
                Answer.conversation_key == key,  # type: ignore[arg-type]
                Answer.message_id.in_(roots),  # type: ignore[attr-defined]
            ))).scalars().first()
            return await session.get(Question, answer.question_id) if answer else None
        return await _question_of_source(session, source)

    async def _answer_copies(self, session: AsyncSession, question: Question, answer: Answer,
                             attachments: tuple[Attachment, ...], now: datetime
                             ) -> list[NewDelivery]:
        rows: list[NewDelivery] = []
        via = PLATFORM_NAMES.get(answer.platform, answer.platform)
        header = t("pl", "q.answer_by", author=answer.author_label, via=via)
        if question.asker_id and question.asker_id != answer.author_id:
            accounts = (await reachable_accounts(session, {question.asker_id})).get(
                question.asker_id, [])
            lang = await _language(session, question.asker_id)
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
        for group, root in await self._threads(session, question):
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

    async def _threads(self, session: AsyncSession, question: Question
                       ) -> list[tuple[ForumGroup, str | None]]:
        """Each group of the question's forum with the id of the question's post there."""
        groups = await self._live_groups(session, question.forum_id)
        posts = dict((await session.execute(
            select(Delivery.conversation_key, Delivery.message_id).where(
                Delivery.source == f"question:{question.id}",  # type: ignore[arg-type]
                Delivery.state == DeliveryState.SENT.value,  # type: ignore[arg-type]
            ).order_by(Delivery.id)
        )).all())
        return [(g, posts.get(g.conversation_key) or None) for g in groups]

    async def on_edit(self, event: MessageEdited) -> bool:
        """An answer was edited where it was written: edit its copies everywhere."""
        async with self._db.session() as session:
            answer = await self._answer_at(session, event.platform.value,
                                           event.conversation.key, event.message_id)
            if answer is None:
                return False
            answer.text = event.text
            answer.edited_at = self._clock.now()
            session.add(answer)
            # Copies not sent yet go out with the new text (the worker reads the payload when
            # it claims a row); those sent are edited below.
            pending = (await session.execute(select(Delivery.id, Delivery.payload).where(
                Delivery.source == f"answer:{answer.id}",  # type: ignore[arg-type]
                Delivery.state == DeliveryState.PENDING.value,  # type: ignore[arg-type]
            ))).all()
            for row_id, payload in pending:
                await session.execute(update(Delivery).where(
                    Delivery.id == row_id,  # type: ignore[arg-type]
                    Delivery.state == DeliveryState.PENDING.value,  # type: ignore[arg-type]
                ).values(payload=message_to_json(with_text(message_from_json(payload),
                                                            answer))))
            copies = await self._sent_copies(session, answer)
            # an earlier edit still waiting in the outbox must not overwrite this one
            await cancel_pending(session, source=f"answer-edit:{answer.id}")
            await self._reindex(session, answer.question_id)
            await session.commit()
        await self._relay.edit_copies(copies, answer)
        return True

    async def on_delete(self, event: MessageDeleted) -> bool:
        """An answer was deleted where it was written: remove its copies everywhere."""
        async with self._db.session() as session:
            answer = await self._answer_at(session, event.platform.value,
                                           event.conversation.key, event.message_id)
            if answer is None:
                return False
            answer.deleted = True
            session.add(answer)
            await cancel_pending(session, source=f"answer:{answer.id}")  # never sent now
            await cancel_pending(session, source=f"answer-edit:{answer.id}")
            copies = await self._sent_copies(session, answer)
            await session.flush()
            await self._reindex(session, answer.question_id)
            await session.commit()
        await self._relay.remove_copies(copies, answer)
        return True

    async def _reindex(self, session: AsyncSession, question_id: int) -> None:
        """Search words from the question and its answers as they are now (an edit or a
        deletion takes words away, so they are recomputed rather than added to)."""
        question = await session.get(Question, question_id)
        if question is None:
            return
        answers = (await session.execute(select(Answer.text).where(
            Answer.question_id == question_id,  # type: ignore[arg-type]
            Answer.deleted == False,  # noqa: E712
        ))).scalars()
        question.search_terms = search_terms(self._morphology, [question.text, *answers])
        session.add(question)
        await self._bump_archive(session)

    async def _answer_at(self, session: AsyncSession, platform: str, key: str,
                         message_id: str) -> Answer | None:
        return (await session.execute(select(Answer).where(
            Answer.platform == platform,  # type: ignore[arg-type]
            Answer.conversation_key == key,  # type: ignore[arg-type]
            Answer.message_id == message_id,  # type: ignore[arg-type]
        ))).scalars().first()

    async def _sent_copies(self, session: AsyncSession, answer: Answer
                           ) -> list[tuple[ConversationRef, str, OutboundMessage]]:
        rows = (await session.execute(
            select(Delivery.target, Delivery.message_id, Delivery.payload).where(
                Delivery.source == f"answer:{answer.id}",  # type: ignore[arg-type]
                Delivery.state == DeliveryState.SENT.value,  # type: ignore[arg-type]
            )
        )).all()
        copies = []
        for target, mid, payload in rows:
            if not mid:
                continue
            ref, message = ConversationRef.from_json(target), message_from_json(payload)
            if message.reply_to and ref.kind == ConversationKind.CHANNEL and not ref.thread_id:
                # In a channel a reply lives in its root's thread (Slack, Teams); the outbox
                # keeps the target the copy was sent to, the thread is its reply_to.
                ref = ref.in_thread(message.reply_to)
            copies.append((ref, str(mid), message))
        return copies

    # --- closing, redirecting, nudging -----------------------------------------------------

    async def set_state(self, question_id: int, state: str, *, by: Person,
                        note_key: str) -> Question | None:
        """Mark answered / closed and say so in every thread of the question."""
        now = self._clock.now()
        async with self._db.session() as session:
            question = await session.get(Question, question_id)
            if question is None:
                return None
            question.state = state
            question.updated_at = now
            session.add(question)
            await enqueue(session, await self._notes(session, question, note_key, now))
            await self._bump_archive(session)
            await audit(session, actor=f"person:{by.id}", action=f"forum.{state}",
                        target=f"question:{question_id}")
            await session.commit()
        return question

    async def _notes(self, session: AsyncSession, question: Question, key: str,
                     now: datetime, **values: object) -> list[NewDelivery]:
        rows = []
        for group, root in await self._threads(session, question):
            message = OutboundMessage(text=t("pl", key, id=question.id, **values),
                                      reply_to=root, priority=Priority.QUIET)
            rows.append(NewDelivery(
                dedupe_key=f"note:{key}:{question.id}:{group.id}:{now.timestamp()}",
                kind="notice", source=f"question-note:{question.id}", platform=group.platform,
                target=group.ref, payload=message_to_json(message), not_before=now,
            ))
        return rows

    async def _tell_asker(self, session: AsyncSession, question: Question, now: datetime,
                          key: str, *, forum: Forum) -> list[NewDelivery]:
        """A notice about ``question`` to its asker's private chat, in their language."""
        accounts = (await reachable_accounts(session, {question.asker_id or 0})).get(
            question.asker_id or 0, [])
        lang = await _language(session, question.asker_id)
        message = OutboundMessage(text=t(lang, key, id=question.id, key=forum.key,
                                         forum=forum_name(forum, lang)), lang=lang)
        return [NewDelivery(
            dedupe_key=f"asker:{key}:{question.id}:{now.timestamp()}", kind="notice",
            source=f"question-note:{question.id}", platform=account.platform,
            target=str(account.private_ref), payload=message_to_json(message), not_before=now,
            person_id=question.asker_id, account_id=account.id,
        ) for account in accounts[:1]]

    async def redirect(self, question_id: int, forum: Forum, *, by: Person) -> Question | None:
        """Move a question to another forum: a note in the old threads, posts in the new."""
        now = self._clock.now()
        async with self._db.session() as session:
            question = await session.get(Question, question_id)
            if question is None:
                return None
            rows = await self._notes(session, question, "q.redirected_note", now,
                                     forum=forum.name_pl)
            question.moved_from, question.forum_id = question.forum_id, int(forum.id or 0)
            question.updated_at = now
            session.add(question)
            asker = await session.get(Person, question.asker_id) if question.asker_id else None
            if asker is not None:
                posts, _ = await self._question_posts(session, question, forum, asker, now)
                rows += posts
                rows += await self._tell_asker(session, question, now, "q.redirected_asker",
                                               forum=forum)
            await enqueue(session, rows)
            await self._bump_archive(session)
            await audit(session, actor=f"person:{by.id}", action="forum.redirect",
                        target=f"question:{question_id}", details={"to": forum.key})
            await session.commit()
        return question

    async def nudge_round(self) -> int:
        """Tell moderators about questions nobody answered for ``unanswered_after``."""
        now = self._clock.now()
        count = 0
        async with self._db.session() as session:
            stale = list((await session.execute(select(Question).where(
                Question.state == "open",  # type: ignore[arg-type]
                Question.nudged_at == None,  # type: ignore[arg-type]  # noqa: E711
                Question.created_at < now - self.settings.unanswered_after,  # type: ignore[operator]
            ))).scalars())
            for question in stale:
                answered = (await session.execute(select(Answer.id).where(
                    *_answered_by_others(question),
                    Answer.deleted == False))).first()  # noqa: E712
                claimed = await session.execute(
                    update(Question).where(Question.id == question.id,  # type: ignore[arg-type]
                                           Question.nudged_at == None)  # type: ignore[arg-type]  # noqa: E711
                    .values(nudged_at=now))
                if answered or not claimed.rowcount:  # type: ignore[attr-defined]
                    continue
                moderators = set((await session.execute(select(Grant.person_id).where(
                    Grant.role == Role.FORUM_MODERATOR.value,  # type: ignore[arg-type]
                    Grant.forum_id == question.forum_id,  # type: ignore[arg-type]
                ))).scalars())
                forum = await session.get(Forum, question.forum_id)
                hours = round(self.settings.unanswered_after.total_seconds() / 3600)
                for person_id, accounts in (await reachable_accounts(session, moderators)
                                            ).items():
                    lang = await _language(session, person_id)
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

    # --- archive ---------------------------------------------------------------------------

    async def _bump_archive(self, session: AsyncSession) -> None:
        updated = await session.execute(
            update(Meta).where(Meta.key == ARCHIVE_VERSION).values(value=Meta.value + 1))
        if not updated.rowcount:  # type: ignore[attr-defined]
            session.add(Meta(key=ARCHIVE_VERSION, value=1))
        self._checked_at = 0.0

    async def archive(self) -> ArchiveIndex:
        """The search index, reloaded when any instance changed the archive."""
        if time.monotonic() - self._checked_at < 2.0:
            return self._archive
        async with self._db.session() as session:
            version = int(await session.scalar(
                select(Meta.value).where(Meta.key == ARCHIVE_VERSION)) or 0)
            if version != self._archive_version:
                index = ArchiveIndex()
                rows = await session.execute(select(
                    Question.id, Question.forum_id, Question.search_terms, Question.state,
                    Question.faq))
                for qid, forum_id, terms, state, faq in rows:
                    index.put(int(qid), int(forum_id), terms, answered=state == "answered",
                              faq=bool(faq))
                self._archive, self._archive_version = index, version
        self._checked_at = time.monotonic()
        return self._archive

    def query_lemmas(self, text: str) -> list[set[str]]:
        """Alternative lemmas of each content word of a search."""
        words = [w for w in tokens(text) if len(w) >= 3 and w.lower() not in STOPWORDS]
        return [self._morphology.lemmas(w) - STOPWORDS for w in words[:12]]

    async def search(self, text: str, forums: set[int] | None, limit: int = 5, *,
                     asker_id: int | None = None) -> list[tuple[Question, Answer | None, str]]:
        """Best questions for ``text`` in ``forums`` and among ``asker_id``'s own (wherever
        they were moved), with their best answer and forum key."""
        async with self._db.session() as session:
            own = set((await session.execute(select(Question.id).where(
                Question.asker_id == asker_id))).scalars()) if asker_id else set()  # type: ignore[arg-type]
        hits = (await self.archive()).search(self.query_lemmas(text), forums, limit, also=own)
        results = []
        async with self._db.session() as session:
            for hit in hits:
                question = await session.get(Question, hit.question_id)
                if question is None:
                    continue
                answer = (await session.execute(select(Answer).where(
                    *_answered_by_others(question), Answer.deleted == False,  # noqa: E712
                ).order_by(Answer.id))).scalars().first()
                forum = await session.get(Forum, question.forum_id)
                results.append((question, answer, forum.key if forum else ""))
        return results

    async def member_forums(self, person: Person) -> set[int]:
        """Forums a person belongs to (members and moderators)."""
        async with self._db.session() as session:
            members = set((await session.execute(select(ForumMember.forum_id).where(
                ForumMember.person_id == person.id))).scalars())  # type: ignore[arg-type]
            moderated = set((await session.execute(select(Grant.forum_id).where(
                Grant.person_id == person.id,  # type: ignore[arg-type]
                Grant.role == Role.FORUM_MODERATOR.value))).scalars())  # type: ignore[arg-type]
        return members | {f for f in moderated if f is not None}

    async def faq(self, forum: Forum) -> list[tuple[Question, Answer | None]]:
        """The forum's FAQ: promoted questions with their first answer."""
        async with self._db.session() as session:
            questions = list((await session.execute(select(Question).where(
                Question.forum_id == forum.id, Question.faq == True  # type: ignore[arg-type]  # noqa: E712
            ).order_by(Question.id))).scalars())
            out = []
            for question in questions:
                answer = (await session.execute(select(Answer).where(
                    *_answered_by_others(question), Answer.deleted == False,  # noqa: E712
                ).order_by(Answer.id))).scalars().first()
                out.append((question, answer))
        return out

    async def promote(self, question_id: int, *, by: Person) -> str:
        """Put an answered question into its forum's FAQ: "added", "unanswered", "unknown"."""
        async with self._db.session() as session:
            question = await session.get(Question, question_id)
            if question is None:
                return "unknown"
            answered = (await session.execute(select(Answer.id).where(
                *_answered_by_others(question), Answer.deleted == False,  # noqa: E712
            ))).first()
            if answered is None:  # an FAQ entry without an answer helps nobody
                return "unanswered"
            question.faq = True
            session.add(question)
            await self._bump_archive(session)
            await audit(session, actor=f"person:{by.id}", action="forum.faq",
                        target=f"question:{question_id}")
            await session.commit()
        return "added"


async def _question_of_source(session: AsyncSession, source: str) -> Question | None:
    """The question an outbox row's ``source`` belongs to (its post, a note in its thread,
    or one of its answers' copies)."""
    kind, _, number = source.partition(":")
    if not number.isdigit():
        return None
    if kind in ("question", "question-note"):
        return await session.get(Question, int(number))
    if kind == "answer":
        answer = await session.get(Answer, int(number))
        return await session.get(Question, answer.question_id) if answer else None
    return None


def _answered_by_others(question: Question) -> list[ColumnElement[bool]]:
    """Conditions for ``question``'s answers written by someone other than its asker: the
    asker's own follow-ups are stored like answers, but they answer nothing (the nudge, the
    FAQ and the archive's quote count only these)."""
    conditions: list[ColumnElement[bool]] = [
        Answer.question_id == question.id]  # type: ignore[list-item]
    if question.asker_id is not None:
        conditions.append(or_(Answer.author_id == None,  # type: ignore[arg-type]  # noqa: E711
                              Answer.author_id != question.asker_id))  # type: ignore[arg-type]
    return conditions


def _actor(person: Person | None) -> str:
    return f"person:{person.id}" if person else "cli"


async def _language(session: AsyncSession, person_id: int | None) -> str:
    """The language a person reads the bot's own messages in (Polish unless they chose)."""
    person = await session.get(Person, person_id) if person_id else None
    return pick_lang(person.language if person else None)


async def _label(session: AsyncSession, person: Person) -> str:
    gmina = await session.get(Gmina, person.gmina_id) if person.gmina_id else None
    where = gmina.name if gmina else person.organisation
    return f"{person.name}, {where}" if where else person.name


async def person_label(db: Database, person: Person | None, fallback: str) -> str:
    """"Anna Nowak, Skawina" for a known person, the platform's display name otherwise."""
    if person is None:
        return fallback
    async with db.session() as session:
        return await _label(session, person)

