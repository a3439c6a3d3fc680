"""/wydarzenia (upcoming events) and /wydarzenie (one event: create, show, change, cancel,
move one meeting), and the "Będę / Nie będę" buttons."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta

from commands import prompts
from commands.calendar.agenda import AgendaScope, agenda, render_agenda
from commands.calendar.dates import format_day, format_span, local, utc
from commands.calendar.fields import EVENT_FIELDS, Fields, is_clear, parse_fields
from commands.calendar.messages import ACTION_RSVP, event_lines, rsvp_buttons
from commands.calendar.occurrences import Occurrence, event_occurrences, next_occurrence
from commands.calendar.recurrence import (
    RecurrenceError,
    describe,
    first_on_or_after,
    parse_recurrence,
)
from commands.calendar.reminders import EVENT_KEY, PlanReport, event_source, forum_name
from commands.calendar.replies import (
    calendar,
    calendar_problem,
    delivery_lines,
    forbidden,
    may_manage_forum,
    recurrence_problem,
    say,
    text,
    when_problem,
)
from commands.calendar.service import CalendarError, EventDraft
from commands.calendar.when import When, WhenError, parse_when
from commands.context import Context, Reply
from commands.directory.language import fold
from commands.model import Button, ButtonStyle, OutboundMessage
from commands.texts import t
from store.calendar import (
    OutboxRow,
    all_forums,
    forum_by_key,
    forum_ids_of,
    gaps_of,
    outbox_rows,
    overrides_of,
    persons_by_id,
    rsvps_of,
)
from store.calendar_models import (
    CalendarStatus,
    Event,
    EventOverride,
    ReminderGap,
    Rsvp,
    RsvpAnswer,
)
from store.models import Forum, Person

ACTION_CANCEL_EVENT = "ev.cancel"
_URL = re.compile(r"^https?://\S+$")
_NEW = {"nowe", "nowy", "nowa", "new", "dodaj", "add"}
_CHANGE = {"zmien", "change", "edytuj", "edit"}
_CANCEL = {"odwolaj", "cancel", "usun", "delete"}
_MOVE = {"przenies", "move", "przesun"}


# --- /wydarzenia -----------------------------------------------------------------------------


async def events(ctx: Context, args: str) -> Reply:
    """/wydarzenia — upcoming events for me; /wydarzenia PZP — of a forum; /wydarzenia
    wszystkie — of every forum."""
    service = calendar(ctx)
    word = args.strip()
    async with service.db.session() as session:
        forums = await all_forums(session)
        if not word and ctx.person is not None:
            person_id = int(ctx.person.id or 0)
            scope = AgendaScope(person_id=person_id,
                                forum_ids=frozenset(await forum_ids_of(session, person_id)),
                                deadlines=False, personal=False)
            title = text(ctx, "cal.events.title_mine")
        elif not word or fold(word) in ("wszystkie", "all", "wszystko"):
            scope = AgendaScope(forum_ids=frozenset(int(f.id or 0) for f in forums),
                                deadlines=False, personal=False)
            title = text(ctx, "cal.events.title_all")
        else:
            forum = await forum_by_key(session, word)
            if forum is None:
                return _unknown_forum(ctx, word, forums)
            scope = AgendaScope(forum_ids=frozenset({int(forum.id or 0)}), deadlines=False,
                                personal=False)
            title = text(ctx, "cal.events.title_forum", forum=forum_name(forum, ctx.lang))
    items = await agenda(service.db, service.reminders, scope, now=ctx.now, days=92, limit=20)
    empty = text(ctx, "cal.events.none_mine" if not word else "cal.events.none")
    return Reply.of(render_agenda(ctx.lang, items, title=title, empty=empty,
                                  footer=text(ctx, "cal.events.footer")))


def _unknown_forum(ctx: Context, word: str, forums: list[Forum]) -> Reply:
    keys = ", ".join(f.key for f in forums) or "—"
    return say(ctx, "cal.forum.unknown", forum=word[:40], forums=keys)


# --- /wydarzenie -----------------------------------------------------------------------------


async def event(ctx: Context, args: str) -> Reply:
    """/wydarzenie nowe …, /wydarzenie 12 [zmień|odwołaj|przenieś …]."""
    stripped = args.strip()
    if not stripped:
        return say(ctx, "cal.event.usage")
    head, _, rest = stripped.partition(" ")
    head_word = fold(head.split("\n")[0])
    if head_word in _NEW:
        return await _create(ctx, stripped)
    number = re.match(r"^#?(\d+)$", head.split("\n")[0])
    if number is None:
        return say(ctx, "cal.event.usage")
    event_id = int(number[1])
    verb, _, tail = rest.strip().partition(" ")
    verb_word = fold(verb.split("\n")[0].split(";")[0])
    if verb_word in _CHANGE:
        return await _change(ctx, event_id, rest.strip()[len(verb):])
    if verb_word in _CANCEL:
        return await _cancel(ctx, event_id, tail.strip())
    if verb_word in _MOVE:
        return await _move(ctx, event_id, tail.strip())
    return await _show(ctx, event_id, rest.strip())


async def _create(ctx: Context, args: str) -> Reply:
    service = calendar(ctx)
    fields = parse_fields(args, EVENT_FIELDS)
    if fields.unknown or fields.loose:
        return _field_problem(ctx, fields.unknown, fields.loose)
    words = fields.header.split()
    forum_key = words[1] if len(words) > 1 else ""
    async with service.db.session() as session:
        forums = await all_forums(session)
        forum = await forum_by_key(session, forum_key) if forum_key else None
    if forum is None:
        if not forum_key:  # the next message may name it (and the title after it)
            return await _ask(ctx, fields, "", text(ctx, "cal.event.no_forum", forums=", ".join(
                f.key for f in forums)))
        return _unknown_forum(ctx, forum_key, forums)
    if not may_manage_forum(ctx, forum.id):
        return forbidden(ctx)
    title = fields.values.get("title") or " ".join(words[2:])
    if not title.strip():
        return await _ask(ctx, fields, "title", text(ctx, "cal.event.no_title"))
    if not fields.values.get("when"):
        return await _ask(ctx, fields, "when", text(ctx, "cal.event.no_when"))
    try:
        _parse_when(ctx, fields.values["when"])
    except _Problem as problem:  # asked again: the next message gives the time anew
        if problem.key in prompts.PARTIAL_WHEN:  # an answer would be half a time: retype
            return Reply.of(OutboundMessage(text=problem.message, lang=ctx.lang))
        return await _ask(ctx, fields, "when", problem.message, without="when")
    try:
        draft = _draft(ctx, title.strip(), fields.values)
        asked = utc(_parse_when(ctx, fields.values["when"]).start)
    except _Problem as problem:
        return Reply.of(OutboundMessage(text=problem.message, lang=ctx.lang))
    created, plan = await service.create_event(
        forum=forum, draft=draft, organiser_id=ctx.person.id if ctx.person else None,
        actor=ctx.actor)
    heading = text(ctx, "cal.event.created", id=created.id)
    if draft.rrule and local(draft.start).date() != local(asked).date():
        # The date given does not fit the rule: say which date the series starts on.
        heading += "\n" + text(ctx, "cal.event.aligned",
                                asked=format_day(ctx.lang, local(asked).date()),
                                first=format_day(ctx.lang, local(draft.start).date()))
    return Reply.of(await _confirmation(ctx, created, forum, plan, heading))


async def _ask(ctx: Context, fields: Fields, field: str, question: str, *,
               without: str = "") -> Reply:
    """Ask for a missing (or unusable) field of /wydarzenie nowe: the next message of this
    person here fills it, the rest of what they typed is kept."""
    values = {name: value for name, value in fields.values.items() if name != without}
    return await prompts.ask(ctx, question, command="wydarzenie", args=prompts.typed(fields.header,
                             values), field=field)


class _Problem(Exception):
    def __init__(self, message: str, *, key: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.key = key  # the text key of a date problem (``when.*``)


def _parse_when(ctx: Context, value: str) -> When:
    try:
        return parse_when(value, now=ctx.now)
    except WhenError as error:
        raise _Problem(when_problem(ctx.lang, error, value) + "\n" +
                       text(ctx, "cal.event.when_example"), key=error.key) from None


def _span(ctx: Context, when: When) -> tuple[datetime, datetime, bool]:
    settings = calendar(ctx).settings
    start = utc(when.start)
    if not when.has_time:
        end = utc(when.end) if when.end else start + timedelta(days=1)
        return start, end, True
    end = utc(when.end) if when.end else start + settings.event_duration
    return start, end, False


def _links(ctx: Context, value: str) -> list[str]:
    links = [v for v in re.split(r"[\s,]+", value.strip()) if v]
    bad = [v for v in links if not _URL.match(v)]
    if bad:
        raise _Problem(text(ctx, "cal.event.bad_link", link=bad[0][:80]))
    return links


def _draft(ctx: Context, title: str, values: dict[str, str]) -> EventDraft:
    when = _parse_when(ctx, values["when"])
    start, end, all_day = _span(ctx, when)
    rule = ""
    if values.get("repeat"):
        try:
            rule = parse_recurrence(values["repeat"], now=ctx.now)
        except RecurrenceError as error:
            raise _Problem(recurrence_problem(ctx.lang, error) + "\n" +
                           text(ctx, "cal.event.repeat_example")) from None
    if rule:
        start, end = _aligned(ctx, rule, start, end)
    link = values.get("link", "").strip()
    if link and not _URL.match(link):
        raise _Problem(text(ctx, "cal.event.bad_link", link=link[:80]))
    materials = _links(ctx, values["materials"]) if values.get("materials") else []
    return EventDraft(title=title[:300], start=start, end=end, all_day=all_day,
                      location=values.get("place", "").strip(), online_url=link,
                      materials=materials, rrule=rule,
                      description=values.get("description", "").strip())


def _aligned(ctx: Context, rule: str, start: datetime, end: datetime
             ) -> tuple[datetime, datetime]:
    """The first meeting is the rule's first date on or after the given one (same time)."""
    first = first_on_or_after(rule, start)
    if first is None:
        raise _Problem(text(ctx, "cal.event.rule_never"))
    return first, first + (end - start)


def _field_problem(ctx: Context, unknown: list[str], loose: list[str]) -> Reply:
    if unknown:
        return say(ctx, "cal.event.unknown_field", field=unknown[0][:40])
    return say(ctx, "cal.event.loose", text=loose[0][:80])


async def _confirmation(ctx: Context, event_row: Event, forum: Forum, plan: PlanReport,
                        heading: str) -> OutboundMessage:
    """What was stored, the next dates, and who will (not) be reminded."""
    service = calendar(ctx)
    async with service.db.session() as session:
        overrides = await overrides_of(session, int(event_row.id or 0))
        missing = await persons_by_id(session, plan.unreachable)
    upcoming = event_occurrences(event_row, overrides, ctx.now, ctx.now + timedelta(days=400))
    lines = event_lines(ctx.lang, event_row, upcoming[0] if upcoming else None,
                        forum_name(forum, ctx.lang))
    if event_row.rrule:
        lines.append(text(ctx, "cal.event.repeats", rule=describe(event_row.rrule, ctx.lang)))
        dates = " · ".join(format_day(ctx.lang, local(o.start).date(), year=False)
                          for o in upcoming[:3])
        lines.append(text(ctx, "cal.event.next_dates", dates=dates or "—"))
    if plan.inserted + plan.retimed == 0 and upcoming and \
            upcoming[0].start > ctx.now + calendar(ctx).settings.horizon:
        lines.append(text(ctx, "cal.event.planned_later"))
    else:
        lines.append(text(ctx, "cal.event.planned", count=plan.inserted + plan.retimed,
                          people=plan.recipients))
    if missing:
        lines.append(text(ctx, "cal.event.unreachable",
                          names=", ".join(sorted(p.name for p in missing.values()))))
    return OutboundMessage(title=heading, text="\n".join(lines),
                           footer=text(ctx, "cal.event.manage_hint", id=event_row.id),
                           lang=ctx.lang)


async def _load(ctx: Context, event_id: int) -> tuple[Event, Forum] | None:
    async with calendar(ctx).db.session() as session:
        found = await session.get(Event, event_id)
        forum = await session.get(Forum, found.forum_id) if found else None
    if found is None or forum is None:
        return None
    return found, forum


async def _show(ctx: Context, event_id: int, date_text: str) -> Reply:
    loaded = await _load(ctx, event_id)
    if loaded is None:
        return say(ctx, "cal.event.unknown", id=event_id)
    event_row, forum = loaded
    service = calendar(ctx)
    async with service.db.session() as session:
        overrides = await overrides_of(session, event_id)
        answers = await rsvps_of(session, event_id)
        gaps = await gaps_of(session, event_source(event_id))
        rows = await outbox_rows(session, event_source(event_id))
        occurrence: Occurrence | None
        if date_text:
            try:
                occurrence = _occurrence_on(event_row, overrides, date_text, ctx)
            except _Problem as problem:
                return Reply.of(OutboundMessage(text=problem.message, lang=ctx.lang))
        else:
            occurrence = next_occurrence(event_row, overrides, ctx.now)
        counts, failures = _deliveries(rows, occurrence)
        organiser_ids = {event_row.organiser_id} if event_row.organiser_id else set()
        people = await persons_by_id(session, {a.person_id for a in answers} | {
            g.person_id for g in gaps} | {p for p, _ in failures if p} | organiser_ids)
    cancelled = event_row.status == CalendarStatus.CANCELLED.value
    lines = event_lines(ctx.lang, event_row, occurrence, forum_name(forum, ctx.lang))
    if cancelled:
        lines.insert(0, text(ctx, "cal.event.is_cancelled"))
    if event_row.rrule:
        lines.append(text(ctx, "cal.event.repeats", rule=describe(event_row.rrule, ctx.lang)))
    organiser = people.get(event_row.organiser_id) if event_row.organiser_id else None
    if organiser is not None:
        lines.append(text(ctx, "cal.event.organiser", name=organiser.name))
    buttons: tuple[Button, ...] = ()
    if occurrence is not None and not cancelled:
        mine = next((a.answer for a in answers if ctx.person and a.person_id == ctx.person.id
                     and utc(a.occurrence) == occurrence.recurrence_id), "")
        if mine:
            lines.append(text(ctx, "cal.event.my_answer",
                              answer=text(ctx, f"cal.rsvp.{'yes' if mine == 'yes' else 'no'}")))
        buttons = rsvp_buttons(ctx.lang, event_id, occurrence)
    if may_manage_forum(ctx, forum.id) or (ctx.person and ctx.person.id == event_row.organiser_id):
        lines.append("")
        lines += _organiser_lines(ctx, occurrence, answers, people, counts, failures, gaps)
    footer = text(ctx, "cal.event.manage_hint", id=event_id) if may_manage_forum(
        ctx, forum.id) and not cancelled else ""
    return Reply.of(OutboundMessage(
        title=f"#{event_id} {occurrence.title if occurrence else event_row.title}",
        text="\n".join(lines), footer=footer, buttons=buttons, lang=ctx.lang))


def _organiser_lines(ctx: Context, occurrence: Occurrence | None, answers: list[Rsvp],
                     people: dict[int, Person], counts: dict[str, int],
                     failures: list[tuple[int | None, str]], gaps: list[ReminderGap]
                     ) -> list[str]:
    lines: list[str] = []
    if occurrence is not None:
        mine = [a for a in answers if utc(a.occurrence) == occurrence.recurrence_id]
        yes = sorted(people[a.person_id].name for a in mine
                     if a.answer == RsvpAnswer.YES.value and a.person_id in people)
        no = sorted(people[a.person_id].name for a in mine
                    if a.answer == RsvpAnswer.NO.value and a.person_id in people)
        lines.append(text(ctx, "cal.event.answers_for",
                          when=format_span(ctx.lang, occurrence.start, occurrence.end,
                                           all_day=occurrence.all_day)))
        lines.append(text(ctx, "cal.event.answers_yes", count=len(yes),
                          names=", ".join(yes) or "—"))
        lines.append(text(ctx, "cal.event.answers_no", count=len(no),
                          names=", ".join(no) or "—"))
    return lines + delivery_lines(ctx, counts, failures, gaps, people)


def _deliveries(rows: list[OutboxRow], occurrence: Occurrence | None
                ) -> tuple[dict[str, int], list[tuple[int | None, str]]]:
    """Reminder counts by state (for one occurrence, if given) and the failed ones."""
    counts: dict[str, int] = {}
    failures: list[tuple[int | None, str]] = []
    for row in rows:
        match = EVENT_KEY.match(row.dedupe_key)
        if row.kind != "reminder" or match is None or (
                occurrence is not None and match[3] != occurrence.key):
            continue
        counts[row.state] = counts.get(row.state, 0) + 1
        if row.state in ("failed", "dead"):
            failures.append((row.person_id, row.reason))
    return counts, failures


def _occurrence_on(event_row: Event, overrides: list[EventOverride], date_text: str,
                   ctx: Context) -> Occurrence:
    """The occurrence on the day ``date_text`` names (by its original or moved date)."""
    try:
        day = parse_when(date_text, now=ctx.now, allow_past=True).start.date()
    except WhenError as error:
        raise _Problem(when_problem(ctx.lang, error, date_text)) from None
    window_start = ctx.now - timedelta(days=1)
    for occurrence in event_occurrences(event_row, overrides, window_start,
                                        ctx.now + timedelta(days=800)):
        if day in (local(occurrence.start).date(), local(occurrence.recurrence_id).date()):
            return occurrence
    raise _Problem(text(ctx, "cal.event.no_such_date", date=format_day(ctx.lang, day)))


async def _change(ctx: Context, event_id: int, args: str) -> Reply:
    loaded = await _load(ctx, event_id)
    if loaded is None or loaded[0].status != CalendarStatus.ACTIVE.value:
        return say(ctx, "cal.event.unknown", id=event_id)
    event_row, forum = loaded
    if not may_manage_forum(ctx, forum.id):
        return forbidden(ctx)
    fields = parse_fields(args, EVENT_FIELDS, header=False)
    if fields.unknown or fields.loose or not fields.values:
        if not fields.values and not fields.unknown and not fields.loose:
            return say(ctx, "cal.event.change_usage", id=event_id)
        return _field_problem(ctx, fields.unknown, fields.loose)
    try:
        change = _changes(ctx, event_row, fields.values)
    except _Problem as problem:
        return Reply.of(OutboundMessage(text=problem.message, lang=ctx.lang))
    service = calendar(ctx)
    try:
        result = await service.change_event(event_id, change, actor=ctx.actor,
                                            details={"fields": sorted(fields.values)})
    except CalendarError as error:
        return Reply.of(OutboundMessage(text=calendar_problem(ctx.lang, error), lang=ctx.lang))
    loaded = await _load(ctx, event_id)
    assert loaded is not None
    heading = text(ctx, "cal.event.changed", id=event_id, notices=result.notices)
    return Reply.of(await _confirmation(ctx, loaded[0], forum, result.plan, heading))


def _changes(ctx: Context, current: Event, values: dict[str, str]) -> Callable[[Event], None]:
    """Check every field first; return the change to apply."""
    updates: dict[str, object] = {}
    if "title" in values:
        if is_clear(values["title"]) or not values["title"].strip():
            raise _Problem(text(ctx, "cal.event.no_title"))
        updates["title"] = values["title"].strip()[:300]
    rule = current.rrule
    if "repeat" in values:
        try:
            rule = parse_recurrence(values["repeat"], now=ctx.now)
        except RecurrenceError as error:
            raise _Problem(recurrence_problem(ctx.lang, error) + "\n" +
                           text(ctx, "cal.event.repeat_example")) from None
        updates["rrule"] = rule
        if not rule:
            updates["exdates"] = ""
    start, end = utc(current.starts_at), utc(current.ends_at)
    if "when" in values:
        start, end, all_day = _span(ctx, _parse_when(ctx, values["when"]))
        updates["all_day"] = all_day
    if rule and ("when" in values or "repeat" in values):
        start, end = _aligned(ctx, rule, start, end)
    updates["starts_at"], updates["ends_at"] = start, end
    for name, attribute in (("place", "location"), ("description", "description")):
        if name in values:
            updates[attribute] = "" if is_clear(values[name]) else values[name].strip()
    if "link" in values:
        link = "" if is_clear(values["link"]) else values["link"].strip()
        if link and not _URL.match(link):
            raise _Problem(text(ctx, "cal.event.bad_link", link=link[:80]))
        updates["online_url"] = link
    if "materials" in values:
        updates["materials"] = "" if is_clear(values["materials"]) else \
            "\n".join(_links(ctx, values["materials"]))

    def apply(event_row: Event) -> None:
        for attribute, value in updates.items():
            setattr(event_row, attribute, value)

    return apply


async def _cancel(ctx: Context, event_id: int, date_text: str) -> Reply:
    loaded = await _load(ctx, event_id)
    if loaded is None or loaded[0].status != CalendarStatus.ACTIVE.value:
        return say(ctx, "cal.event.unknown", id=event_id)
    event_row, forum = loaded
    if not may_manage_forum(ctx, forum.id):
        return forbidden(ctx)
    service = calendar(ctx)
    if not date_text or not event_row.rrule:
        question = text(ctx, "cal.event.cancel_confirm", title=event_row.title)
        return Reply.of(OutboundMessage(
            text=question, lang=ctx.lang,
            buttons=(Button(text(ctx, "cal.event.cancel_yes"), ACTION_CANCEL_EVENT,
                            str(event_id), ButtonStyle.DANGER),)))
    async with service.db.session() as session:
        overrides = await overrides_of(session, event_id)
    try:
        occurrence = _occurrence_on(event_row, overrides, date_text, ctx)
    except _Problem as problem:
        return Reply.of(OutboundMessage(text=problem.message, lang=ctx.lang))
    result = await service.cancel_occurrence(event_id, occurrence, actor=ctx.actor)
    return say(ctx, "cal.event.occurrence_cancelled", title=occurrence.title,
               when=format_span(ctx.lang, occurrence.start, occurrence.end,
                                all_day=occurrence.all_day), notices=result.notices)


async def confirm_cancel(ctx: Context, value: str) -> Reply:
    """The "Tak, odwołaj" button."""
    if not value.isdigit():
        return Reply(notice=text(ctx, "error.stale_button"))
    event_id = int(value)
    loaded = await _load(ctx, event_id)
    if loaded is None or loaded[0].status != CalendarStatus.ACTIVE.value:
        return say(ctx, "cal.event.unknown", id=event_id)
    event_row, forum = loaded
    if not may_manage_forum(ctx, forum.id):
        return forbidden(ctx)
    notices = await calendar(ctx).cancel_event(event_id, actor=ctx.actor)
    return Reply.of(OutboundMessage(text=text(ctx, "cal.event.cancelled", title=event_row.title,
                                              notices=notices), lang=ctx.lang), replace=True)


async def _move(ctx: Context, event_id: int, args: str) -> Reply:
    loaded = await _load(ctx, event_id)
    if loaded is None or loaded[0].status != CalendarStatus.ACTIVE.value:
        return say(ctx, "cal.event.unknown", id=event_id)
    event_row, forum = loaded
    if not may_manage_forum(ctx, forum.id):
        return forbidden(ctx)
    parts = re.split(r"\s+(?:na|to)\s+", args, maxsplit=1, flags=re.IGNORECASE)
    if len(parts) != 2:
        return say(ctx, "cal.event.move_usage", id=event_id)
    service = calendar(ctx)
    async with service.db.session() as session:
        overrides = await overrides_of(session, event_id)
    try:
        occurrence = _occurrence_on(event_row, overrides, parts[0], ctx)
        when = _parse_when(ctx, parts[1])
    except _Problem as problem:
        return Reply.of(OutboundMessage(text=problem.message, lang=ctx.lang))
    start, end, _ = _span(ctx, when)
    if when.end is None:  # a moved meeting keeps its length
        end = start + (occurrence.end - occurrence.start)
    if event_row.rrule:
        result = await service.move_occurrence(event_id, occurrence, start, end,
                                               actor=ctx.actor)
    else:
        def apply(row: Event) -> None:
            row.starts_at, row.ends_at = start, end

        result = await service.change_event(event_id, apply, actor=ctx.actor,
                                            details={"moved": True})
    return say(ctx, "cal.event.moved", title=occurrence.title,
               before=format_span(ctx.lang, occurrence.start, occurrence.end),
               after=format_span(ctx.lang, start, end), notices=result.notices)


# --- buttons ---------------------------------------------------------------------------------


async def rsvp(ctx: Context, value: str) -> Reply:
    """"Będę" / "Nie będę" on a reminder or on /wydarzenie."""
    match = re.match(r"^(\d+):(\d{12}):([yn])$", value)
    if match is None or ctx.person is None:
        return Reply(notice=text(ctx, "error.stale_button"))
    answer = RsvpAnswer.YES if match[3] == "y" else RsvpAnswer.NO
    found = await calendar(ctx).rsvp(int(match[1]), match[2], int(ctx.person.id or 0),
                                     answer.value)
    if found is None:
        return Reply(notice=text(ctx, "cal.rsvp.gone"))
    _, occurrence = found
    when = format_span(ctx.lang, occurrence.start, occurrence.end, all_day=occurrence.all_day)
    key = "cal.rsvp.saved_yes" if answer == RsvpAnswer.YES else "cal.rsvp.saved_no"
    return Reply(notice=t(ctx.lang, key, title=occurrence.title, when=when))


__all__ = ["ACTION_CANCEL_EVENT", "ACTION_RSVP", "confirm_cancel", "event", "events", "rsvp"]
