"""/termin: deadlines — what must be delivered, by whom (a forum, gminy, people), by when —
and the "Zrobione" button."""

from __future__ import annotations

import re
from datetime import datetime, time

from commands import prompts
from commands.calendar.dates import format_moment, utc
from commands.calendar.fields import DEADLINE_FIELDS, Fields, is_clear, parse_fields
from commands.calendar.messages import deadline_lines
from commands.calendar.reminders import PlanReport, deadline_source, forum_name
from commands.calendar.replies import (
    calendar,
    calendar_problem,
    delivery_lines,
    forbidden,
    may_manage_forum,
    say,
    text,
    when_problem,
)
from commands.calendar.service import CalendarError, DeadlineDraft
from commands.calendar.when import WhenError, parse_when
from commands.context import Context, Reply
from commands.directory.gminy import refusal, resolve_gmina
from commands.directory.language import fold
from commands.model import ActionInvoked, OutboundMessage
from store.calendar import (
    all_forums,
    audience_of,
    delivery_summary,
    done_of,
    forum_by_key,
    gaps_of,
    persons_by_id,
)
from store.calendar_models import CalendarStatus, Deadline
from store.models import Forum, Gmina, Person
from store.people import person_by_email

END_OF_DAY = time(23, 59)  # "do 15 grudnia" means by the end of that day
_NEW = {"nowy", "nowe", "nowa", "new", "dodaj", "add"}
_CHANGE = {"zmien", "change", "edytuj", "edit"}
_CANCEL = {"odwolaj", "cancel", "usun", "delete"}
_DONE = {"zrobione", "gotowe", "done", "wykonane", "zrobiony"}
_WHOLE_FORUM = {"forum", "cale forum", "wszyscy", "all", "whole forum", "everyone"}


class _Problem(Exception):
    def __init__(self, message: str, *, key: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.key = key  # the text key of a date problem (``when.*``)


async def deadline(ctx: Context, args: str) -> Reply:
    """/termin nowy …, /termin 5 [zmień|odwołaj|zrobione]."""
    stripped = args.strip()
    if not stripped:
        return say(ctx, "cal.deadline.usage")
    head = re.split(r"[\s;]", stripped, maxsplit=1)[0]
    if fold(head) in _NEW:
        return await _create(ctx, stripped)
    number = re.match(r"^#?(\d+)$", head)
    if number is None:
        return say(ctx, "cal.deadline.usage")
    deadline_id = int(number[1])
    rest = stripped[len(head):].strip()
    verb = fold(re.split(r"[\s;]", rest, maxsplit=1)[0]) if rest else ""
    if verb in _CHANGE:
        return await _change(ctx, deadline_id, rest.split(None, 1)[1] if " " in rest or
                             "\n" in rest else "")
    if verb in _CANCEL:
        return await _cancel(ctx, deadline_id)
    if verb in _DONE:
        return await done(ctx, str(deadline_id))
    return await _show(ctx, deadline_id)


async def _create(ctx: Context, args: str) -> Reply:
    service = calendar(ctx)
    fields = parse_fields(args, DEADLINE_FIELDS)
    if fields.unknown:
        return say(ctx, "cal.deadline.unknown_field", field=fields.unknown[0][:40])
    if fields.loose:
        return say(ctx, "cal.event.loose", text=fields.loose[0][:80])
    words = fields.header.split()
    async with service.db.session() as session:
        forums = await all_forums(session)
        forum = await forum_by_key(session, words[1]) if len(words) > 1 else None
    title_words = words[2:] if forum is not None else words[1:]
    if forum is None and len(words) > 1 and not fields.values.get("title"):
        return say(ctx, "cal.forum.unknown", forum=words[1][:40],
                   forums=", ".join(f.key for f in forums))
    if not may_manage_forum(ctx, forum.id if forum else None):
        if forum is not None:
            return forbidden(ctx)
        if len(words) > 1:  # the header names something that is not a forum
            return say(ctx, "cal.deadline.admin_only")
        return await _ask(ctx, fields, "", text(ctx, "cal.deadline.admin_only"))
    title = (fields.values.get("title") or " ".join(title_words)).strip()
    if not title:
        return await _ask(ctx, fields, "title", text(ctx, "cal.deadline.no_title"))
    if not fields.values.get("due"):
        return await _ask(ctx, fields, "due", text(ctx, "cal.deadline.no_due"))
    try:
        due = _due(ctx, fields.values["due"])
    except _Problem as problem:  # asked again: the next message gives the date anew
        if problem.key in prompts.PARTIAL_WHEN:  # an answer would be half a date: retype
            return Reply.of(OutboundMessage(text=problem.message, lang=ctx.lang))
        return await _ask(ctx, fields, "due", problem.message, without="due")
    try:
        gminy, people, whole = await _audience(ctx, fields.values.get("who", ""))
    except _Problem as problem:
        return await _ask(ctx, fields, "who", problem.message, without="who")
    if forum is None and not (gminy or people):
        return await _ask(ctx, fields, "who", text(ctx, "cal.deadline.no_audience"))
    if forum is not None and whole:
        gminy = []
    draft = DeadlineDraft(title=title, due=due,
                          description=fields.values.get("description", "").strip(),
                          gmina_ids=[int(g.id or 0) for g in gminy],
                          person_ids=[int(p.id or 0) for p in people])
    created, plan = await service.create_deadline(
        forum=forum, draft=draft, organiser_id=ctx.person.id if ctx.person else None,
        actor=ctx.actor)
    who = _who_text(ctx, forum, gminy, people)
    return Reply.of(await _confirmation(ctx, created, forum, plan, who,
                                        text(ctx, "cal.deadline.created", id=created.id)))


async def _ask(ctx: Context, fields: Fields, field: str, question: str, *,
               without: str = "") -> Reply:
    """Ask for a missing (or unusable) field of /termin nowy: the next message of this person
    here fills it, the rest of what they typed is kept."""
    values = {name: value for name, value in fields.values.items() if name != without}
    return await prompts.ask(ctx, question, command="termin",
                             args=prompts.typed(fields.header, values), field=field)


def _due(ctx: Context, value: str) -> datetime:
    try:
        return utc(parse_when(value, now=ctx.now, default_time=END_OF_DAY).start)
    except WhenError as error:
        raise _Problem(when_problem(ctx.lang, error, value) + "\n" +
                       text(ctx, "cal.deadline.due_example"), key=error.key) from None


async def _audience(ctx: Context, value: str) -> tuple[list[Gmina], list[Person], bool]:
    """Gminy and people named in "kto:"; True if the whole forum was named (or nothing)."""
    gminy: list[Gmina] = []
    people: list[Person] = []
    whole = not value.strip()
    index = await ctx.services.directory.index()
    async with calendar(ctx).db.session() as session:
        for item in [i.strip() for i in value.split(",") if i.strip()]:
            if fold(item) in _WHOLE_FORUM:
                whole = True
                continue
            if "@" in item:
                person = await person_by_email(session, item)
                if person is None:
                    raise _Problem(text(ctx, "cal.deadline.unknown_person", email=item[:80]))
                people.append(person)
                continue
            # The one resolver of gmina names (any case, TERYT, qualifiers); a shared name
            # is refused with its candidates, never picked.
            resolution = resolve_gmina(item, index)
            if resolution.gmina is None:
                if resolution.found or resolution.outside:
                    raise _Problem(refusal(resolution, ctx.lang))
                raise _Problem(text(ctx, "cal.deadline.unknown_who", name=item[:60]))
            gmina = await session.get(Gmina, resolution.gmina.id)
            if gmina is not None:
                gminy.append(gmina)
    return gminy, people, whole


def _who_text(ctx: Context, forum: Forum | None, gminy: list[Gmina], people: list[Person]
              ) -> str:
    parts = []
    if forum is not None and not gminy:
        parts.append(text(ctx, "cal.deadline.who_forum", forum=forum_name(forum, ctx.lang)))
    elif forum is not None:
        parts.append(text(ctx, "cal.deadline.who_forum_gminy",
                          forum=forum_name(forum, ctx.lang),
                          gminy=", ".join(g.name for g in gminy)))
    elif gminy:
        parts.append(text(ctx, "cal.deadline.who_gminy", gminy=", ".join(g.name for g in gminy)))
    if people:
        parts.append(", ".join(p.name for p in people))
    return "; ".join(parts)


async def _confirmation(ctx: Context, row: Deadline, forum: Forum | None, plan: PlanReport,
                        who: str, heading: str) -> OutboundMessage:
    async with calendar(ctx).db.session() as session:
        missing = await persons_by_id(session, plan.unreachable)
    lines = deadline_lines(ctx.lang, row, forum_name(forum, ctx.lang))
    if who:
        lines.append(text(ctx, "cal.deadline.who", who=who))
    lines.append(text(ctx, "cal.event.planned", count=plan.inserted + plan.retimed,
                      people=plan.recipients))
    if missing:
        lines.append(text(ctx, "cal.event.unreachable",
                          names=", ".join(sorted(p.name for p in missing.values()))))
    return OutboundMessage(title=heading, text="\n".join(lines),
                           footer=text(ctx, "cal.deadline.manage_hint", id=row.id), lang=ctx.lang)


async def _load(ctx: Context, deadline_id: int) -> tuple[Deadline, Forum | None] | None:
    async with calendar(ctx).db.session() as session:
        row = await session.get(Deadline, deadline_id)
        forum = await session.get(Forum, row.forum_id) if row and row.forum_id else None
    return (row, forum) if row is not None else None


async def _show(ctx: Context, deadline_id: int) -> Reply:
    loaded = await _load(ctx, deadline_id)
    if loaded is None:
        return say(ctx, "cal.deadline.unknown", id=deadline_id)
    row, forum = loaded
    service = calendar(ctx)
    lines = deadline_lines(ctx.lang, row, forum_name(forum, ctx.lang))
    if row.status == CalendarStatus.CANCELLED.value:
        lines.insert(0, text(ctx, "cal.deadline.is_cancelled"))
    async with service.db.session() as session:
        recipients = await service.reminders.deadline_recipients(session, row)
        done = (await done_of(session, [deadline_id])).get(deadline_id, {})
        counts, failures = await delivery_summary(session, deadline_source(deadline_id))
        gaps = await gaps_of(session, deadline_source(deadline_id))
        audience = (await audience_of(session, [deadline_id])).get(deadline_id, [])
        people = await persons_by_id(session, recipients | set(done))
    if ctx.person is not None and ctx.person.id in done:
        lines.append(text(ctx, "cal.deadline.you_done",
                          when=format_moment(ctx.lang, done[int(ctx.person.id)])))
    if may_manage_forum(ctx, row.forum_id) or (ctx.person and ctx.person.id == row.organiser_id):
        named = len([a for a in audience if a.gmina_id])
        lines.append("")
        lines.append(text(ctx, "cal.deadline.recipients", count=len(recipients), gminy=named))
        finished = sorted(people[p].name for p in done if p in people)
        waiting = sorted(people[p].name for p in recipients - set(done) if p in people)
        lines.append(text(ctx, "cal.deadline.done_list", count=len(finished),
                          names=", ".join(finished) or "—"))
        lines.append(text(ctx, "cal.deadline.waiting_list", count=len(waiting),
                          names=", ".join(waiting) or "—"))
        lines += delivery_lines(ctx, counts, failures, gaps, people)
    return Reply.of(OutboundMessage(title=f"#{deadline_id} {row.title}", text="\n".join(lines),
                                    lang=ctx.lang))


async def _change(ctx: Context, deadline_id: int, args: str) -> Reply:
    loaded = await _load(ctx, deadline_id)
    if loaded is None or loaded[0].status != CalendarStatus.ACTIVE.value:
        return say(ctx, "cal.deadline.unknown", id=deadline_id)
    row, forum = loaded
    if not may_manage_forum(ctx, row.forum_id):
        return forbidden(ctx)
    fields = parse_fields(args, DEADLINE_FIELDS, header=False)
    if fields.unknown:
        return say(ctx, "cal.deadline.unknown_field", field=fields.unknown[0][:40])
    if fields.loose or not fields.values or "who" in fields.values:
        return say(ctx, "cal.deadline.change_usage", id=deadline_id)
    updates: dict[str, object] = {}
    try:
        if "due" in fields.values:
            updates["due_at"] = _due(ctx, fields.values["due"])
    except _Problem as problem:
        return Reply.of(OutboundMessage(text=problem.message, lang=ctx.lang))
    if "title" in fields.values and fields.values["title"].strip():
        updates["title"] = fields.values["title"].strip()[:300]
    if "description" in fields.values:
        value = fields.values["description"]
        updates["description"] = "" if is_clear(value) else value.strip()

    def apply(item: Deadline) -> None:
        for attribute, value in updates.items():
            setattr(item, attribute, value)

    try:
        result = await calendar(ctx).change_deadline(deadline_id, apply, actor=ctx.actor)
    except CalendarError as error:
        return Reply.of(OutboundMessage(text=calendar_problem(ctx.lang, error), lang=ctx.lang))
    loaded = await _load(ctx, deadline_id)
    assert loaded is not None
    return Reply.of(await _confirmation(
        ctx, loaded[0], forum, result.plan, "",
        text(ctx, "cal.deadline.changed", id=deadline_id, notices=result.notices)))


async def _cancel(ctx: Context, deadline_id: int) -> Reply:
    loaded = await _load(ctx, deadline_id)
    if loaded is None or loaded[0].status != CalendarStatus.ACTIVE.value:
        return say(ctx, "cal.deadline.unknown", id=deadline_id)
    row, _forum = loaded
    if not may_manage_forum(ctx, row.forum_id):
        return forbidden(ctx)
    result = await calendar(ctx).change_deadline(deadline_id, lambda _d: None, actor=ctx.actor,
                                                 cancel=True)
    return say(ctx, "cal.deadline.cancelled", title=row.title, notices=result.notices)


async def done(ctx: Context, value: str) -> Reply:
    """"Zrobione" (button or /termin 5 zrobione): no more reminders for me."""
    if not value.isdigit() or ctx.person is None:
        return Reply(notice=text(ctx, "error.stale_button"))
    row = await calendar(ctx).mark_done(int(value), int(ctx.person.id or 0))
    if row is None:
        return say(ctx, "cal.deadline.unknown", id=value)
    if isinstance(ctx.event, ActionInvoked):
        return Reply(notice=text(ctx, "cal.deadline.marked_done", title=row.title))
    return say(ctx, "cal.deadline.marked_done", title=row.title)
