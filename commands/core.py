"""The command core: one entry point for every messenger, a small middleware chain, dispatch.

Adapters call :meth:`Core.handle` with a neutral event and render the :class:`Reply` they get.
Nothing here knows about Telegram, Slack, Teams or HTTP.

Who commits (the rule, for SQLite's single writer as much as for clarity): every piece of
code that opens a session commits it itself, and no session that has written stays open while
other code opens its own. One inbound update therefore takes these transactions of the
middleware, each short: the claim of the delivery (:func:`dedupe`; committed at once, so that
a redelivery or another instance sees it while the handler runs), the sender's identity and
the group's registration (:func:`identify`, one transaction), then the handler's own, and
last the "done" mark together with the reply's outbox rows (:func:`dedupe` again, via
:meth:`commands.ports.Outbound.stage`): a reply is recorded exactly when its update is.
The rows are held by this process and sent at once after that commit; once the platform took
them they are removed, batched, off the reply's path.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from commands import prompts
from commands.announcements.service import AnnouncementService
from commands.calendar.service import CalendarService
from commands.clock import Clock
from commands.context import Context, Reply, ReplyPlan
from commands.directory.service import DirectoryService
from commands.forums.service import ForumService, person_label
from commands.model import (
    KIND_UNLINKED,
    ActionInvoked,
    BotAdded,
    BotRemoved,
    Button,
    ConversationKind,
    InboundEvent,
    MessageDeleted,
    MessageEdited,
    MessageReceived,
    OutboundMessage,
    Platform,
    private_refs,
)
from commands.ports import Messenger, Outbound
from commands.registry import CommandRegistry
from commands.texts import pick_lang, t
from store.availability import StoreUnavailable, is_outage
from store.db import Database, commit_if_written
from store.identity import auto_link_held
from store.inbound import Claim, InboundLedger
from store.models import Role
from store.people import (
    find_conversation,
    grants_of,
    known_sender,
    link_account,
    mark_conversation_inactive,
    person_by_email,
    remember_conversation,
)

log = logging.getLogger(__name__)

Next = Callable[[Context], Awaitable[Reply]]
Middleware = Callable[[Context, Next], Awaitable[Reply]]


@dataclass(frozen=True, slots=True)
class CoreSettings:
    """Behaviour the configuration decides."""

    directory_public: bool = False  # let unlinked accounts query the directory
    max_text_length: int = 4000
    link_code_valid_for: timedelta = timedelta(hours=24)
    email_linking: frozenset[Platform] = frozenset({Platform.SLACK, Platform.TEAMS})
    # How long a question the bot asked ("Podaj termin…") waits for the person's next message.
    prompt_timeout: timedelta = timedelta(minutes=10)
    # The service's public address for office panel links (/panel); "" when the panel is off.
    panel_url: str = ""


@dataclass(slots=True)
class Services:
    """What handlers may use. Built once by the composition root."""

    db: Database
    clock: Clock
    directory: DirectoryService
    registry: CommandRegistry
    settings: CoreSettings
    messengers: Mapping[str, Messenger]
    announcements: AnnouncementService
    forums: ForumService
    calendar: CalendarService | None = None  # events, deadlines and reminders
    outbound: Outbound | None = None  # the one way out (scheduler/outbound.py)
    # Claims and done marks of inbound updates, group-committed (built from ``db``).
    inbound: InboundLedger = field(init=False)

    def __post_init__(self) -> None:
        self.inbound = InboundLedger(self.db)


class Core:
    """Turns inbound events into replies."""

    def __init__(self, services: Services, *, middleware: Sequence[Middleware] | None = None):
        self.services = services
        self.registry = services.registry
        self._chain: list[Middleware] = list(
            middleware
            if middleware is not None
            else (
                guard_errors, ignore_bots, dedupe, identify, gate_conversations, limit_length,
            )
        )

    async def handle(self, event: InboundEvent) -> Reply:
        """Process one event; never raises (failures become a polite message)."""
        try:
            return await self.handle_recorded(event)
        except StoreUnavailable:
            lang = pick_lang(event.sender.locale)
            return Reply.of(OutboundMessage(text=t(lang, "error.internal"), lang=lang))

    async def handle_recorded(self, event: InboundEvent, *, plan: ReplyPlan | None = None
                              ) -> Reply:
        """Process one event; raises :class:`StoreUnavailable` when the database could not
        record it (or another instance is still handling it). The adapter must then answer so
        that the platform delivers the update again; the redelivery is handled once.

        With ``plan`` (the adapter's hook turning the reply into outbox rows), the reply is
        written to the outbox in the transaction that marks the update done, and comes back
        with :attr:`Reply.staged` for the adapter to send at once."""
        ctx = Context(event=event, services=self.services, now=self.services.clock.now(),
                      lang=pick_lang(event.sender.locale), plan=plan)
        ctx.trusted = event.platform == Platform.CONSOLE

        async def call(index: int, current: Context) -> Reply:
            if index == len(self._chain):
                return await self._dispatch(current)
            return await self._chain[index](current, lambda c: call(index + 1, c))

        return await call(0, ctx)

    async def _dispatch(self, ctx: Context) -> Reply:
        event = ctx.event
        if isinstance(event, MessageReceived):
            return await self._message(ctx, event)
        if isinstance(event, ActionInvoked):
            return await self._action(ctx, event)
        if isinstance(event, BotRemoved) and event.conversation.kind != ConversationKind.PERSONAL:
            async with self.services.db.session() as session:
                await mark_conversation_inactive(session, platform=event.platform.value,
                                                 key=event.conversation.key)
                await session.commit()
        elif isinstance(event, MessageEdited):
            await self.services.forums.on_edit(event)
        elif isinstance(event, MessageDeleted):
            await self.services.forums.on_delete(event)
        return Reply()

    async def _message(self, ctx: Context, event: MessageReceived) -> Reply:
        text = event.text.strip()
        personal = event.conversation.kind == ConversationKind.PERSONAL
        if not personal and not text.startswith("/"):
            # Replies in the threads of relayed forum questions are answers — also when the
            # platform counts a reply to the bot's post as addressed to the bot (Telegram).
            # Replies to questions no longer open are the forum's too: never a directory query.
            label = await person_label(self.services.db, ctx.person, _unlinked_label(ctx))
            if await self.services.forums.on_group_message(event, author=ctx.person,
                                                           author_label=label, lang=ctx.lang):
                return Reply()
        elif personal and ctx.person is not None and not text.startswith("/") and (
                event.reply_to_message_id or event.conversation.thread_id):
            # The asker replying to the bot's copy of an answer: a follow-up in the threads.
            label = await person_label(self.services.db, ctx.person, _unlinked_label(ctx))
            followed = await self.services.forums.on_private_reply(
                event, author=ctx.person, author_label=label)
            if followed is not None:
                said = {"answered": "q.reply_answered", "closed": "q.reply_closed"}.get(
                    followed.outcome, "q.followup_sent")
                return Reply.of(OutboundMessage(text=t(ctx.lang, said, id=followed.question_id,
                                                       key=followed.forum_key), lang=ctx.lang))
        if not text.startswith("/") and text and ctx.linked:
            # The answer to a question the bot asked this person here ("Podaj termin…"),
            # addressed or not: they were spoken to. Only linked people are ever asked, so
            # nobody else's messages cost a look in the database.
            answered = await self._answer_prompt(ctx, text)
            if answered is not None:
                return answered
        if not event.addressed:
            return Reply()
        limit = self.services.settings.max_text_length
        if len(event.text) > limit:  # a long answer was relayed above; anything else is not
            return Reply.of(_say(ctx, "error.too_long", count=len(event.text), limit=limit))
        if text.startswith("/"):
            if ctx.linked:  # a command instead of the answer: the question is dropped
                await prompts.drop(ctx)
            head, _, args = text[1:].partition(" ")
            name = head.split("@", 1)[0]
            command = self.registry.find(name)
            if command is None:
                return Reply.of(_say(ctx, "error.unknown_command", command="/" + name[:40]))
            denied = _check_roles(ctx, command.roles)
            if denied is not None:
                return denied
            return await command.handler(ctx, args.strip())
        if event.conversation.kind != ConversationKind.PERSONAL and not text:
            return Reply()
        default = self.registry.find("kto")
        if default is None:
            return Reply()
        denied = _check_roles(ctx, default.roles)
        if denied is not None:
            return denied
        return await default.handler(ctx, text)

    async def _answer_prompt(self, ctx: Context, text: str) -> Reply | None:
        """Run the command that asked this person a question here, with their answer; None
        if nothing (or nothing unexpired) was asked."""
        pending = await prompts.take(ctx)
        if pending is None:
            return None
        if prompts.is_cancel(text):
            return prompts.cancelled(ctx)
        if len(text) > self.services.settings.max_text_length:
            return Reply.of(_say(ctx, "error.too_long", count=len(text),
                                 limit=self.services.settings.max_text_length))
        command = self.registry.find(pending.command)
        if command is None:
            return None
        denied = _check_roles(ctx, command.roles)
        if denied is not None:
            return denied
        return await command.handler(ctx, prompts.combine(pending, text))

    async def _action(self, ctx: Context, event: ActionInvoked) -> Reply:
        action = self.registry.action(event.action)
        if action is None:
            return Reply(notice=t(ctx.lang, "error.stale_button"))
        denied = _check_roles(ctx, action.roles)
        if denied is not None:
            return denied
        return await action.handler(ctx, event.value)


def _unlinked_label(ctx: Context) -> str:
    sender = ctx.event.sender
    return t("pl", "q.unlinked_author", name=sender.display_name or sender.user_id)


def _say(ctx: Context, key: str, **values: object) -> OutboundMessage:
    return OutboundMessage(text=t(ctx.lang, key, **values), lang=ctx.lang)


def _check_roles(ctx: Context, roles: frozenset[Role]) -> Reply | None:
    """None if allowed, else the polite refusal."""
    if not roles or (ctx.trusted and ctx.linked and roles == {Role.MEMBER}):
        return None
    if roles == {Role.MEMBER}:
        if ctx.linked or ctx.services.settings.directory_public:
            return None
        return Reply.of(replace(_say(ctx, "error.unlinked"), kind=KIND_UNLINKED))
    if any(ctx.has_role(role) for role in roles):
        return None
    names = ", ".join(t(ctx.lang, f"role.{r.value}") for r in sorted(roles | {Role.ADMIN}))
    return Reply.of(_say(ctx, "error.forbidden", roles=names))


# --- middleware ------------------------------------------------------------------------------


async def guard_errors(ctx: Context, call_next: Next) -> Reply:
    """A failing handler never stops the bot: log with context, answer politely."""
    try:
        return await call_next(ctx)
    except StoreUnavailable:
        raise
    except Exception as exc:
        event = ctx.event
        if is_outage(exc):  # not a bug: the database is away; the platform delivers it again
            log.warning("%s event %s not recorded: database unavailable (%s)", event.platform,
                        event.event_id, type(exc).__name__)
            raise StoreUnavailable(event.event_id) from exc
        log.exception(
            "handler failed for %s event %s from %s:%s", event.platform, event.event_id,
            event.sender.platform, event.sender.user_id,
        )
        return Reply.of(_say(ctx, "error.internal"))


async def ignore_bots(ctx: Context, call_next: Next) -> Reply:
    """Bots (including this one) never trigger anything: no loops between messengers."""
    if ctx.event.sender.is_bot:
        return Reply()
    return await call_next(ctx)


async def dedupe(ctx: Context, call_next: Next) -> Reply:
    """Platform retries (same delivery id) are processed once, across instances."""
    event = ctx.event
    if not event.event_id or event.platform == Platform.CONSOLE:
        return await call_next(ctx)
    platform = event.platform.value
    claim = await ctx.services.inbound.claim(platform, event.event_id)
    if claim == Claim.DONE:
        log.info("duplicate delivery %s:%s ignored", event.platform, event.event_id)
        return Reply()
    if claim == Claim.BUSY:  # another instance is on it, or was cut short a moment ago
        log.info("delivery %s:%s is being handled; asked again later", event.platform,
                 event.event_id)
        raise StoreUnavailable(event.event_id)
    try:
        reply = await call_next(ctx)
    except Exception as exc:
        if not is_outage(exc):  # a bug does not go away on redelivery: done with it
            await _finish(ctx, platform)
        raise
    # The reply goes out only once the delivery is recorded, and is recorded with it.
    await _finish(ctx, platform, reply)
    return reply


async def _finish(ctx: Context, platform: str, reply: Reply | None = None) -> None:
    """Mark the delivery done; with the adapter's plan, write the reply's outbox rows in the
    same transaction (a crash after this commit loses no answer: the worker sends it)."""
    outbound = ctx.services.outbound
    planned = ctx.plan(reply) if reply is not None and ctx.plan is not None else ()
    if not planned or outbound is None or reply is None:
        await ctx.services.inbound.finish(platform, ctx.event.event_id)
        return
    staging, answered = outbound, reply

    async def stage(session: AsyncSession) -> None:
        answered.staged = await staging.stage(
            session, planned, event_id=ctx.event.event_id, asked_at=ctx.now,
            person_id=ctx.person.id if ctx.person is not None else None,
            account_id=ctx.account_id)

    await ctx.services.inbound.finish(platform, ctx.event.event_id, stage)


async def identify(ctx: Context, call_next: Next) -> Reply:
    """Find the person behind the sender; pick their language; remember their private chat.
    A known sender is one read (account, person and roles joined); it commits only what it
    changed (a link by e-mail, a new private chat, a group seen for the first time)."""
    event = ctx.event
    sender = event.sender
    settings = ctx.services.settings
    async with ctx.services.db.session() as session:
        if ctx.trusted:
            ctx.person = await person_by_email(session, sender.user_id)
            if ctx.person is not None:
                ctx.grants = await grants_of(session, int(ctx.person.id or 0))
        else:
            known = await known_sender(
                session, sender.platform.value, sender.tenant_id or "", sender.user_id,
                prompt_keys=prompts.prompt_keys(event))
            account, ctx.person, ctx.grants = known.account, known.person, known.grants
            ctx.prompt_waiting = known.prompt_waiting
            ctx.account_id = account.id if account is not None else None
            private_ref, fallback = private_refs(event)
            if (account is None or account.person_id is None) and sender.email and (
                sender.platform in settings.email_linking
            ):
                person = await person_by_email(session, sender.email)
                if person is not None and await auto_link_held(session, int(person.id or 0)):
                    # The address was changed in chat: a code proves who this is, not it.
                    log.warning("%s account %s not linked by e-mail: changed in chat, code "
                                "needed", sender.platform, sender.user_id)
                    person = None
                if person is not None:
                    account = await link_account(
                        session, platform=sender.platform.value,
                        tenant_id=sender.tenant_id or "", external_id=sender.user_id,
                        person_id=int(person.id or 0),
                        display_name=sender.display_name, private_ref=private_ref,
                    )
                    ctx.account_id = account.id
                    log.info("linked %s account %s by verified e-mail", sender.platform,
                             sender.user_id)
                    ctx.person = person
                    ctx.grants = await grants_of(session, int(person.id or 0))
            if account is not None and account.person_id is not None:
                if private_ref and account.private_ref != private_ref:
                    account.private_ref = private_ref
                    session.add(account)
                elif fallback and not account.private_ref:
                    account.private_ref = fallback
                    session.add(account)
        if _gated(ctx):  # the group's registration, in the same transaction
            ctx.registered = await _remember_group(session, event)
        await commit_if_written(session)
    ctx.lang = pick_lang(ctx.person.language if ctx.person else None, sender.locale)
    return await call_next(ctx)


async def gate_conversations(ctx: Context, call_next: Next) -> Reply:
    """Groups and channels: remember them; work only where an admin registered the bot."""
    event = ctx.event
    if not _gated(ctx):
        return await call_next(ctx)
    registered = ctx.registered
    if registered is None:  # identify did not look (another middleware chain)
        async with ctx.services.db.session() as session:
            registered = await _remember_group(session, event)
            await session.commit()
    if registered or _works_unregistered(ctx):
        return await call_next(ctx)
    if isinstance(event, BotAdded):
        return Reply([_say(ctx, "error.unregistered_group")], leave=True)
    if isinstance(event, MessageReceived) and event.addressed:
        # Spoken to (a command or a mention) in a group nobody registered: say why, then go.
        return Reply([_say(ctx, "error.unregistered_group")], leave=True)
    return Reply()


def _gated(ctx: Context) -> bool:
    """Groups and channels (not the console) work only once registered."""
    return ctx.event.conversation.kind != ConversationKind.PERSONAL and not ctx.trusted


async def _remember_group(session: AsyncSession, event: InboundEvent) -> bool:
    """Remember the group the event came from (the caller commits); whether it is
    registered."""
    conversation = event.conversation
    stored = await find_conversation(session, conversation.platform.value, conversation.key)
    if stored is None or isinstance(event, BotAdded):
        stored = await remember_conversation(
            session, platform=conversation.platform.value, key=conversation.key,
            kind=conversation.kind.value, ref=conversation.in_thread(None).to_json(),
            title=str(event.raw.get("title", "")) if event.raw else "",
        )
    return bool(stored.registered)


def _works_unregistered(ctx: Context) -> bool:
    """A command that registers the group itself (/forum podlacz) must work before it is."""
    event = ctx.event
    if not (isinstance(event, MessageReceived) and event.addressed
            and event.text.startswith("/")):
        return False
    command = ctx.services.registry.find(event.text[1:].split(" ", 1)[0].split("@", 1)[0])
    return command is not None and command.unregistered_ok


async def limit_length(ctx: Context, call_next: Next) -> Reply:
    """Oversize messages get a polite refusal instead of a slow or odd answer."""
    event = ctx.event
    limit = ctx.services.settings.max_text_length
    if isinstance(event, MessageReceived) and len(event.text) > limit and not (
            _in_group_thread(event) and not event.text.startswith("/")):
        return Reply.of(_say(ctx, "error.too_long", count=len(event.text), limit=limit))
    # A reply in a group's thread may be a forum answer, relayed whatever its length (the
    # adapters split it on the way out); dispatch refuses it if it answers nothing.
    return await call_next(ctx)


def _in_group_thread(event: MessageReceived) -> bool:
    return event.conversation.kind != ConversationKind.PERSONAL and bool(
        event.reply_to_message_id or event.conversation.thread_id)


__all__ = ["Button", "Core", "CoreSettings", "Middleware", "Services"]
