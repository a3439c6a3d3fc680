"""/ogloszenie = /announce, /pilne = /urgent, /raport, and the announcement buttons."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import col

from commands.announcements.audience import (
    AudienceError,
    may_address,
    parse_audience,
    split_command,
)
from commands.announcements.service import (
    ACTION_ACK,
    ACTION_CANCEL,
    ACTION_SEND,
    MAX_TEXT,
    Draft,
)
from commands.announcements.sms import preview_line
from commands.authz import Act, Target
from commands.context import Context, Reply
from commands.model import Button, ButtonStyle, ConversationKind, OutboundMessage
from commands.registry import ANYONE, Action, Command, CommandRegistry
from commands.texts import PLATFORM_NAMES, t
from store.announcement_models import Announcement
from store.announcements import by_number
from store.models import Forum, Person, Role

SENDERS = frozenset({Role.ADMIN, Role.FORUM_MODERATOR, Role.GMINA_COORDINATOR})
ALL_WORDS = frozenset({"wszystko", "wszyscy", "all"})
REPORT_LINES = 30  # people listed by default; the adapters split a longer list
REPORT_ALL = 1000  # "wszystko": still a bound, so that one reply is a few messages, not 100


def _say(ctx: Context, key: str, **values: object) -> Reply:
    return Reply.of(OutboundMessage(text=t(ctx.lang, key, **values), lang=ctx.lang))


async def announce(ctx: Context, args: str) -> Reply:
    """/ogloszenie <odbiorcy>: <treść> — a quiet announcement."""
    return await _draft(ctx, args, urgent=False)


async def urgent(ctx: Context, args: str) -> Reply:
    """/pilne <odbiorcy>: <treść> — an urgent announcement, to the phone, acknowledged."""
    return await _draft(ctx, args, urgent=True)


async def _draft(ctx: Context, args: str, *, urgent: bool) -> Reply:
    usage = "ann.usage_urgent" if urgent else "ann.usage"
    parts = split_command(args)
    if parts is None or not parts[1]:
        return _say(ctx, usage)
    audience_text, text = parts
    # Telegram counts UTF-16 code units: an emoji is two, so 3,000 emoji would not fit.
    length = len(text.encode("utf-16-le")) // 2
    if length > MAX_TEXT:
        return _say(ctx, "ann.too_long", count=length, limit=MAX_TEXT)
    async with ctx.services.db.session() as session:
        forums = {f.key: int(f.id or 0) for f in (await session.execute(select(Forum))).scalars()}
    try:
        audience = parse_audience(audience_text, forums=forums,
                                  index=await ctx.services.directory.index())
    except AudienceError as error:
        return Reply.of(OutboundMessage(text=error.describe(ctx.lang), lang=ctx.lang))
    if audience.is_empty:
        return _say(ctx, usage)
    named: list[Person] = []
    if audience.emails:
        async with ctx.services.db.session() as session:
            named = list((await session.execute(select(Person).where(
                col(Person.email).in_(audience.emails)))).scalars())
        # A mistyped address must not quietly leave someone out of the announcement.
        unknown = sorted(audience.emails - {(p.email or "").lower() for p in named})
        if unknown:
            return _say(ctx, "ann.unknown_people", emails=", ".join(unknown)[:300])
    if not await _may_address(ctx, audience.everyone or bool(audience.roles),
                              audience.forum_ids, audience.gmina_ids, named):
        return _say(ctx, "ann.not_allowed")
    assert ctx.person is not None
    draft = await ctx.services.announcements.draft(
        author=ctx.person, urgent=urgent, text=text, audience=audience, label=audience_text)
    if draft.recipients == 0:
        await ctx.services.announcements.cancel(draft.announcement_id, author=ctx.person)
        return _say(ctx, "ann.nobody", audience=audience_text[:200])
    return Reply.of(_preview(ctx, draft, text, urgent,
                             forums=audience.everyone or bool(audience.forum_ids)))


async def _may_address(ctx: Context, broad: bool, forum_ids: set[int], gmina_ids: set[int],
                       named: list[Person]) -> bool:
    async with ctx.services.db.session() as session:
        return await may_address(session, ctx.who, broad=broad, forum_ids=forum_ids,
                                 gmina_ids=gmina_ids, named=named)


def _preview(ctx: Context, draft: Draft, text: str, urgent: bool, *, forums: bool
             ) -> OutboundMessage:
    lang = ctx.lang
    counts = ", ".join(
        f"{PLATFORM_NAMES[p]} {draft.per_platform.get(p, 0)}"
        for p in ("teams", "telegram", "slack")
    )
    extra = [f"{PLATFORM_NAMES.get(p, p)} {n}" for p, n in draft.per_platform.items()
             if p not in ("teams", "telegram", "slack")]
    unreachable = ([t(lang, "ann.unreachable_preview", count=draft.unreachable)]
                   if draft.unreachable else [])
    # Urgent, with [sms]: how many SMS go to those without a messenger, and what they cost.
    sms = ([preview_line(lang, draft.sms, draft.sms_segments, draft.sms_price)]
           if draft.sms else [])
    counts = ", ".join([counts, *extra, *sms,
                        t(lang, "ann.without", count=draft.without_messenger), *unreachable])
    footer = t(lang, "ann.confirm_question", count=draft.recipients, counts=counts)
    copies = sum(draft.per_platform.values()) + draft.sms
    reached = draft.recipients - draft.without_messenger - draft.unreachable
    if copies != reached:
        # Urgent ones go to each messenger of a person: the numbers above count copies, the
        # question counts people — say so, or they seem not to add up (nor match /raport).
        footer += "\n" + t(lang, "ann.preview_copies", count=copies,
                           people=t(lang, "ann.copies_for", count=reached))
    if draft.author_left_out:
        footer += "\n" + t(lang, "ann.preview_self")
    if urgent and (forums or draft.groups):
        # Only forums have groups: gmina, role and named-people audiences get no group post.
        where = ", ".join(f"{PLATFORM_NAMES.get(p, p)} {n}"
                          for p, n in sorted(draft.groups.items()))
        footer += "\n" + t(lang, "ann.groups_preview", count=sum(draft.groups.values()),
                           where=f" ({where})" if where else "")
    if not urgent:
        footer += "\n" + t(lang, "ann.quiet_note")
    return OutboundMessage(
        title=t(lang, "ann.preview_urgent" if urgent else "ann.preview"), text=text,
        footer=footer, lang=lang,
        buttons=(Button(t(lang, "ann.send"), ACTION_SEND, str(draft.announcement_id),
                        ButtonStyle.PRIMARY),
                 Button(t(lang, "ann.cancel"), ACTION_CANCEL, str(draft.announcement_id),
                        ButtonStyle.DANGER)),
    )


async def confirm(ctx: Context, value: str) -> Reply:
    """The "Wyślij" button of a preview; a second press sends nothing more."""
    if not value.isdigit() or ctx.person is None:
        return Reply(notice=t(ctx.lang, "error.stale_button"))
    event = ctx.event
    outcome, _announcement = await ctx.services.announcements.send(
        int(value), author=ctx.person, author_ref=event.conversation,
        author_message_id=getattr(event, "message_id", None),
    )
    if outcome == "already":
        return Reply(notice=t(ctx.lang, "ann.already_sent"))
    if outcome == "cancelled":
        return Reply(notice=t(ctx.lang, "ann.cancelled"))
    if outcome == "expired":
        text = t(ctx.lang, "ann.expired")
        return Reply([OutboundMessage(text=text, lang=ctx.lang)], notice=text, replace=True)
    if outcome == "missing":
        return Reply(notice=t(ctx.lang, "error.stale_button"))
    copy = await ctx.services.announcements.author_copy(int(value), ctx.lang)
    return Reply([copy], notice=t(ctx.lang, "ann.sent_notice"), replace=True)


async def cancel(ctx: Context, value: str) -> Reply:
    """The "Anuluj" button of a preview."""
    if not value.isdigit() or ctx.person is None:
        return Reply(notice=t(ctx.lang, "error.stale_button"))
    if await ctx.services.announcements.cancel(int(value), author=ctx.person):
        text = t(ctx.lang, "ann.cancelled")
        return Reply([OutboundMessage(text=text, lang=ctx.lang)], notice=text, replace=True)
    return Reply(notice=t(ctx.lang, "ann.already_sent"))


async def acknowledge(ctx: Context, value: str) -> Reply:
    """"Potwierdzam" on any copy, on any messenger — also under the post in a forum group,
    where it counts only for the person who pressed it, and only if they are a recipient.

    Open to anyone (``roles=ANYONE``): a stranger pressing it in a group gets a short answer
    only they see, never a message to the whole group.
    """
    if not value.isdigit():
        return Reply(notice=t(ctx.lang, "error.stale_button"))
    if ctx.person is None:
        return Reply(notice=t(ctx.lang, "ann.ack_unlinked"))
    outcome = await ctx.services.announcements.acknowledge(
        int(value), person=ctx.person, platform=ctx.event.platform.value)
    if outcome == "new":
        async with ctx.services.db.session() as session:
            acknowledged = await session.get(Announcement, int(value))
        number = acknowledged.number if acknowledged and acknowledged.number else value
        text = t(ctx.lang, "ann.acknowledged", id=number)
        if ctx.event.conversation.kind != ConversationKind.PERSONAL:
            return Reply(notice=text)  # the group sees nothing; the presser gets the note
        return Reply([OutboundMessage(text=text, lang=ctx.lang)], notice=text)
    key = {"again": "ann.acknowledged_again", "not_recipient": "ann.not_yours"}.get(
        outcome, "error.stale_button")
    return Reply(notice=t(ctx.lang, key))


async def report(ctx: Context, args: str) -> Reply:
    """/raport <nr> [wszystko] — for the author (and admins); "wszystko" (all) lists every
    person still to act on, not only the first 30."""
    words = args.split()
    if not words or not words[0].isdigit() or len(words) > 2 or (
            len(words) == 2 and words[1].lower() not in ALL_WORDS):
        return _say(ctx, "ann.report_usage")
    number = int(words[0])
    async with ctx.services.db.session() as session:
        announcement = await by_number(session, number)  # the number people see, not the id
    if announcement is None or announcement.state == "draft" or not (
        ctx.may(Act.READ_REPORT, Target(author_id=announcement.author_id))
    ):
        return _say(ctx, "ann.report_missing", id=number)
    everyone = len(words) == 2
    return Reply.of(await ctx.services.announcements.report(
        int(announcement.id or 0), ctx.lang, limit=REPORT_ALL if everyone else REPORT_LINES,
        everyone=everyone))


def register(registry: CommandRegistry) -> None:
    """Add the announcement commands and buttons."""
    registry.add(Command(("ogloszenie", "announce"), announce, "cmd.announce",
                         "/ogloszenie <odbiorcy>: <treść>", "/announce <audience>: <text>",
                         roles=SENDERS))
    registry.add(Command(("pilne", "urgent"), urgent, "cmd.urgent",
                         "/pilne <odbiorcy>: <treść>", "/urgent <audience>: <text>",
                         roles=SENDERS))
    registry.add(Command(("raport", "report"), report, "cmd.report", "/raport <nr>",
                         "/report <no>", roles=SENDERS))
    registry.add_action(Action(ACTION_SEND, confirm, roles=SENDERS))
    registry.add_action(Action(ACTION_CANCEL, cancel, roles=SENDERS))
    registry.add_action(Action(ACTION_ACK, acknowledge, roles=ANYONE))
