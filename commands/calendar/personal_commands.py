"""/przypomnij, /przypomnienia, /plan, /kalendarz and /cisza: what one person does for
themselves."""

from __future__ import annotations

import re
from datetime import datetime

from commands import prompts
from commands.authz import Act, Target
from commands.basic import unlinked
from commands.calendar.agenda import AgendaScope, agenda, render_agenda
from commands.calendar.dates import format_moment
from commands.calendar.messages import ACTION_CANCEL_PERSONAL
from commands.calendar.recurrence import RecurrenceError
from commands.calendar.reminders import PlanReport, forum_name
from commands.calendar.repeating import (
    Repeat,
    describe_repeat,
    first_occurrence,
    next_text,
    split_repeat,
)
from commands.calendar.replies import calendar, calendar_problem, say, text, when_problem
from commands.calendar.service import CalendarError, CalendarService
from commands.calendar.settings import parse_clock_time
from commands.calendar.when import WhenError, split_when
from commands.context import Context, Reply
from commands.directory.language import fold
from commands.model import ActionInvoked, Button, OutboundMessage
from store.calendar import (
    all_forums,
    forum_by_key,
    forum_ids_of,
    personal_reminders,
    quiet_preferences,
    save_quiet_preference,
)
from store.calendar_models import PersonalReminder, QuietPreference

_CANCEL = {"usun", "odwolaj", "cancel", "delete", "remove", "skasuj"}
_NEW_LINK = {"nowy", "nowe", "new", "reset"}
_YES = {"tak", "yes", "on", "wlacz", "true"}
_NO = {"nie", "no", "off", "wylacz", "false"}
_RANGE = re.compile(r"^(\d{1,2}(?::\d{2})?)\s*[-–—]\s*(\d{1,2}(?::\d{2})?)$")


# --- /przypomnij, /przypomnienia -------------------------------------------------------------


async def remind(ctx: Context, args: str) -> Reply:
    """/przypomnij jutro o 9 wysłać sprawozdanie."""
    if ctx.person is None:
        return unlinked(ctx)
    if not args.strip():  # the next message says when and what
        return await prompts.ask(ctx, text(ctx, "cal.personal.usage"), command="przypomnij",
                                 args="", style=prompts.PREPEND)
    service = calendar(ctx)
    try:
        repeat = split_repeat(args, now=ctx.now, default_time=service.settings.personal_time)
    except RecurrenceError:
        return Reply.of(OutboundMessage(text=text(ctx, "rep.unknown", text=args[:200]) + "\n"
                                        + text(ctx, "rep.examples"), lang=ctx.lang))
    except WhenError as error:
        return Reply.of(OutboundMessage(
            text=when_problem(ctx.lang, error, args) + "\n" + text(ctx, "rep.examples"),
            lang=ctx.lang))
    if repeat is not None:
        return await _remind_repeating(ctx, repeat)
    try:
        when, subject = split_when(args, now=ctx.now,
                                   default_time=service.settings.personal_time)
    except WhenError as error:
        problem = when_problem(ctx.lang, error, args) + "\n" + text(ctx, "cal.personal.examples")
        if error.key == "when.unparseable":  # no time at all: the next message gives it
            return await prompts.ask(ctx, problem, command="przypomnij", args=args,
                                     style=prompts.PREPEND)
        return Reply.of(OutboundMessage(text=problem, lang=ctx.lang))
    try:
        reminder, plan = await service.add_personal(
            person_id=int(ctx.person.id or 0), text=subject.strip(), due=when.start,
            lang=ctx.lang)
    except CalendarError as error:
        return Reply.of(OutboundMessage(text=calendar_problem(ctx.lang, error), lang=ctx.lang))
    lines = [text(ctx, "cal.personal.saved", when=format_moment(ctx.lang, reminder.due_at),
                  what=reminder.text or text(ctx, "cal.personal.no_text"))]
    if plan.unreachable:
        lines.append(text(ctx, "cal.personal.no_messenger"))
    return Reply.of(OutboundMessage(
        text="\n".join(lines), lang=ctx.lang,
        buttons=(Button(text(ctx, "cal.personal.cancel_button"), ACTION_CANCEL_PERSONAL,
                        str(reminder.id)),)))


async def _remind_repeating(ctx: Context, repeat: Repeat) -> Reply:
    """/przypomnij codziennie o 8 … — saved, planned, and stated back with the next time."""
    assert ctx.person is not None
    try:
        reminder, plan = await _add_repeating(calendar(ctx), int(ctx.person.id or 0), repeat,
                                              ctx.lang, ctx.now)
    except CalendarError as error:
        return Reply.of(OutboundMessage(text=calendar_problem(ctx.lang, error), lang=ctx.lang))
    lines = [text(ctx, "rep.saved", rule=describe_repeat(ctx.lang, reminder),
                  what=reminder.text or text(ctx, "cal.personal.no_text"),
                  next=format_moment(ctx.lang, reminder.due_at))]
    if plan.unreachable:
        lines.append(text(ctx, "cal.personal.no_messenger"))
    return Reply.of(OutboundMessage(
        text="\n".join(lines), lang=ctx.lang,
        buttons=(Button(text(ctx, "cal.personal.cancel_button"), ACTION_CANCEL_PERSONAL,
                        str(reminder.id)),)))


async def _add_repeating(service: CalendarService, person_id: int, repeat: Repeat, lang: str,
                         now: datetime) -> tuple[PersonalReminder, PlanReport]:
    """Save a repeating reminder (counted with the one-off ones against ``max_personal``)
    and plan its first occurrences."""
    first = first_occurrence(repeat.rule, repeat.at, now)
    if first is None:
        raise CalendarError("rep.unknown", text=repeat.rule)
    async with service.db.session() as session:
        active = await personal_reminders(session, person_id=person_id, since=now)
        if len(active) >= service.settings.max_personal:
            raise CalendarError("cal.personal.too_many", count=service.settings.max_personal)
        reminder = PersonalReminder(person_id=person_id, text=repeat.subject[:500],
                                    due_at=first, rrule=repeat.rule, repeat_from=first,
                                    lang=lang, created_at=now)
        session.add(reminder)
        await session.commit()
    assert reminder.id is not None
    return reminder, await service.reminders.plan_personal(reminder.id)


def _line(ctx: Context, reminder: PersonalReminder) -> str:
    what = reminder.text or text(ctx, "cal.personal.no_text")
    if reminder.rrule:
        return text(ctx, "rep.line", id=reminder.id, rule=describe_repeat(ctx.lang, reminder),
                    next=next_text(ctx.lang, reminder, ctx.now), what=what)
    return text(ctx, "cal.personal.line", id=reminder.id,
                when=format_moment(ctx.lang, reminder.due_at), what=what)


async def my_reminders(ctx: Context, args: str) -> Reply:
    """/przypomnienia — my reminders; /przypomnienia usuń 3 — cancel one."""
    if ctx.person is None:
        return unlinked(ctx)
    words = args.split()
    if words and fold(words[0]) in _CANCEL:
        number = words[1].lstrip("#") if len(words) > 1 else ""
        if not number.isdigit():
            return say(ctx, "cal.personal.cancel_usage")
        return await cancel_reminder(ctx, number)
    reminders = await calendar(ctx).personal_of(int(ctx.person.id or 0))
    if not reminders:
        return say(ctx, "cal.personal.none")
    lines = [_line(ctx, r) for r in reminders[:30]]
    buttons = tuple(Button(text(ctx, "cal.personal.cancel_one", id=r.id),
                           ACTION_CANCEL_PERSONAL, str(r.id)) for r in reminders[:5])
    return Reply.of(OutboundMessage(title=text(ctx, "cal.personal.title"),
                                    text="\n".join(lines),
                                    footer=text(ctx, "cal.personal.list_footer"),
                                    buttons=buttons, lang=ctx.lang))


async def cancel_reminder(ctx: Context, value: str) -> Reply:
    """The "Odwołaj" button of a personal reminder (or /przypomnienia usuń 3)."""
    if not value.isdigit() or ctx.person is None:
        return Reply(notice=text(ctx, "error.stale_button"))
    reminder = await calendar(ctx).cancel_personal(int(ctx.person.id or 0), int(value))
    if reminder is None:
        message = text(ctx, "cal.personal.not_found", id=value)
    elif reminder.rrule:
        message = text(ctx, "rep.cancelled", rule=describe_repeat(ctx.lang, reminder),
                       what=reminder.text or text(ctx, "cal.personal.no_text"))
    else:
        message = text(ctx, "cal.personal.cancelled",
                       what=reminder.text or text(ctx, "cal.personal.no_text"),
                       when=format_moment(ctx.lang, reminder.due_at))
    if isinstance(ctx.event, ActionInvoked):
        return Reply(notice=message)
    return Reply.of(OutboundMessage(text=message, lang=ctx.lang))


# --- /plan -----------------------------------------------------------------------------------


async def plan(ctx: Context, _args: str) -> Reply:
    """/plan — my meetings, deadlines and reminders, soonest first."""
    if ctx.person is None:
        return unlinked(ctx)
    service = calendar(ctx)
    person_id = int(ctx.person.id or 0)
    async with service.db.session() as session:
        forums = await forum_ids_of(session, person_id)
    items = await agenda(service.db, service.reminders,
                         AgendaScope(person_id=person_id, forum_ids=frozenset(forums)),
                         now=ctx.now, days=62, limit=25)
    return Reply.of(render_agenda(ctx.lang, items, title=text(ctx, "cal.plan.title"),
                                  empty=text(ctx, "cal.plan.empty"),
                                  footer=text(ctx, "cal.plan.footer")))


# --- /kalendarz ------------------------------------------------------------------------------


async def feed(ctx: Context, args: str) -> Reply:
    """/kalendarz — my .ics address; /kalendarz PZP — a forum's; "nowy" issues a new one."""
    if ctx.person is None:
        return unlinked(ctx)
    service = calendar(ctx)
    words = args.split()
    renew = bool(words) and fold(words[-1]) in _NEW_LINK
    if renew:
        words = words[:-1]
    forum = None
    person_id = int(ctx.person.id or 0)
    async with service.db.session() as session:
        if words:
            forum = await forum_by_key(session, words[0])
            if forum is None:
                keys = ", ".join(f.key for f in await all_forums(session))
                return say(ctx, "cal.forum.unknown", forum=words[0][:40], forums=keys)
            mine = await forum_ids_of(session, person_id)
            if not ctx.may(Act.READ_FORUM, Target(forum_id=forum.id,
                                                  member_of=frozenset(mine))):
                return say(ctx, "cal.feed.not_member", forum=forum_name(forum, ctx.lang))
    forum_id = int(forum.id) if forum and forum.id else None
    feeds = service.feeds
    existing = await feeds.existing(person_id, forum_id)
    name = forum_name(forum, ctx.lang) if forum else ""
    if existing is not None and not renew:
        return say(ctx, "cal.feed.exists", when=format_moment(ctx.lang, existing.created_at),
                   command=f"/{text(ctx, 'cal.feed.command')}"
                   + (f" {forum.key}" if forum else "") + f" {text(ctx, 'cal.feed.new_word')}")
    url = await feeds.issue(person_id, forum_id)
    key = "cal.feed.forum_issued" if forum else "cal.feed.issued"
    return Reply.of(OutboundMessage(text=text(ctx, key, url=url, forum=name),
                                    footer=text(ctx, "cal.feed.howto"), lang=ctx.lang))


# --- /cisza ----------------------------------------------------------------------------------


async def quiet(ctx: Context, args: str) -> Reply:
    """/cisza — my quiet hours; /cisza 21:00-6:30, /cisza weekendy nie, /cisza domyślne."""
    if ctx.person is None:
        return unlinked(ctx)
    service = calendar(ctx)
    person_id = int(ctx.person.id or 0)
    async with service.db.session() as session:
        preference = (await quiet_preferences(session, [person_id])).get(person_id) or \
            QuietPreference(person_id=person_id)
        words = [fold(w) for w in args.split()]
        if words:
            problem = _apply_quiet(preference, words, args)
            if problem:
                return say(ctx, "cal.quiet.usage")
            preference.updated_at = ctx.now
            await save_quiet_preference(session, preference)
            await session.commit()
    hours = service.reminders.quiet_for(preference)
    if words:
        await service.reminders.plan_all()  # re-time what is already planned for me
    weekends = text(ctx, "cal.quiet.weekends_on" if hours.weekends else "cal.quiet.weekends_off")
    return say(ctx, "cal.quiet.now" if not words else "cal.quiet.saved",
               start=f"{hours.start.hour}:{hours.start.minute:02d}",
               end=f"{hours.end.hour}:{hours.end.minute:02d}", weekends=weekends)


def _apply_quiet(preference: QuietPreference, words: list[str], raw: str) -> bool:
    """Change ``preference``; True if the words could not be read."""
    if words[0] in ("domyslne", "default", "reset"):
        preference.quiet_start = preference.quiet_end = ""
        preference.weekends = None
        return False
    if words[0] in ("weekendy", "weekends", "weekend"):
        if len(words) < 2 or words[1] not in _YES | _NO:
            return True
        preference.weekends = words[1] in _YES
        return False
    match = _RANGE.match(raw.strip())
    if not match:
        return True
    try:
        start = parse_clock_time(_with_minutes(match[1]))
        end = parse_clock_time(_with_minutes(match[2]))
    except ValueError:
        return True
    preference.quiet_start, preference.quiet_end = f"{start:%H:%M}", f"{end:%H:%M}"
    return False


def _with_minutes(value: str) -> str:
    return value if ":" in value else f"{value}:00"
