"""What is coming up: for a person (/plan, /wydarzenia) or for a forum (/wydarzenia PZP)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from commands.calendar.dates import format_day, format_time, local, utc
from commands.calendar.occurrences import event_occurrences
from commands.calendar.reminders import ReminderService
from commands.model import OutboundMessage
from commands.texts import t
from store.calendar import (
    all_forums,
    deadlines_to_plan,
    done_of,
    events_to_plan,
    overrides_by_event,
    personal_reminders,
    rsvps_of_person,
)
from store.calendar_models import Deadline
from store.db import Database


@dataclass(frozen=True, slots=True)
class AgendaItem:
    """One line of a plan."""

    kind: str  # event / deadline / personal
    start: datetime
    end: datetime | None
    title: str
    item_id: int
    forum_key: str = ""
    location: str = ""
    all_day: bool = False
    occurrence_key: str = ""
    answer: str = ""  # the person's "y" / "n" for events


@dataclass(frozen=True, slots=True)
class AgendaScope:
    """Whose plan: a person's (their forums, what they organise, their deadlines and
    reminders) or some forums' (their events and deadlines)."""

    person_id: int | None = None
    forum_ids: frozenset[int] | None = None
    events: bool = True
    deadlines: bool = True
    personal: bool = True


async def agenda(db: Database, reminders: ReminderService, scope: AgendaScope, *,
                 now: datetime, days: int, limit: int) -> list[AgendaItem]:
    """Items from ``now`` for ``days`` days, soonest first, at most ``limit``."""
    until = now + timedelta(days=days)
    items: list[AgendaItem] = []
    async with db.session() as session:
        forums = {f.id: f for f in await all_forums(session)}
        if scope.events:
            answers = {}
            if scope.person_id is not None:
                answers = {(r.event_id, utc(r.occurrence)): r.answer
                           for r in await rsvps_of_person(session, scope.person_id)}
            events = [e for e in await events_to_plan(session, since=now)
                      if (scope.forum_ids is not None and e.forum_id in scope.forum_ids)
                      or (scope.person_id is not None and e.organiser_id == scope.person_id)]
            overrides = await overrides_by_event(session, [int(e.id or 0) for e in events])
            for event in events:
                forum = forums.get(event.forum_id)
                for occurrence in event_occurrences(event, overrides.get(int(event.id or 0), []),
                                                    now, until):
                    items.append(AgendaItem(
                        "event", occurrence.start, occurrence.end, occurrence.title,
                        int(event.id or 0), forum.key if forum else "",
                        occurrence.location or event.location, event.all_day, occurrence.key,
                        answers.get((int(event.id or 0), occurrence.recurrence_id), ""),
                    ))
        if scope.deadlines:
            for deadline in await _deadlines(session, reminders, scope, now, until):
                forum = forums.get(deadline.forum_id) if deadline.forum_id else None
                items.append(AgendaItem("deadline", utc(deadline.due_at), None, deadline.title,
                                        int(deadline.id or 0), forum.key if forum else ""))
        if scope.personal and scope.person_id is not None:
            for reminder in await personal_reminders(session, person_id=scope.person_id,
                                                     since=now):
                if utc(reminder.due_at) < until:
                    items.append(AgendaItem("personal", utc(reminder.due_at), None,
                                            reminder.text, int(reminder.id or 0)))
    items.sort(key=lambda i: (i.start, i.kind, i.item_id))
    return items[:limit]


async def _deadlines(session: AsyncSession, reminders: ReminderService, scope: AgendaScope,
                     now: datetime, until: datetime) -> list[Deadline]:
    candidates = [d for d in await deadlines_to_plan(session, since=now)
                  if utc(d.due_at) < until]
    if scope.person_id is None:
        return [d for d in candidates
                if scope.forum_ids is not None and d.forum_id in scope.forum_ids]
    done = await done_of(session, [int(d.id or 0) for d in candidates])
    mine = []
    for deadline in candidates:
        if scope.person_id in done.get(int(deadline.id or 0), {}):
            continue
        if scope.person_id in await reminders.deadline_recipients(session, deadline):
            mine.append(deadline)
    return mine


def render_agenda(lang: str, items: list[AgendaItem], *, title: str, empty: str,
                  footer: str = "") -> OutboundMessage:
    """Items grouped by day: "wtorek, 1 grudnia" then "10:00–12:00 Posiedzenie [PZP] …"."""
    if not items:
        return OutboundMessage(title=title, text=empty, footer=footer, lang=lang)
    lines: list[str] = []
    current = None
    for item in items:
        day = local(item.start).date()
        if day != current:
            if lines:
                lines.append("")
            lines.append(format_day(lang, day))
            current = day
        lines.append("  " + agenda_line(lang, item))
    return OutboundMessage(title=title, text="\n".join(lines), footer=footer, lang=lang)


def agenda_line(lang: str, item: AgendaItem) -> str:
    """One item without its day."""
    if item.kind == "deadline":
        return t(lang, "cal.plan.deadline", time=format_time(item.start), title=item.title,
                 forum=f" [{item.forum_key}]" if item.forum_key else "", id=item.item_id)
    if item.kind == "personal":
        return t(lang, "cal.plan.personal", time=format_time(item.start),
                 title=item.title or t(lang, "cal.personal.no_text"), id=item.item_id)
    if item.all_day:
        when = t(lang, "cal.plan.all_day")
    elif item.end is not None and item.end > item.start and \
            local(item.end).date() == local(item.start).date():
        when = f"{format_time(item.start)}–{format_time(item.end)}"
    else:
        when = format_time(item.start)
    answer = {"y": t(lang, "cal.plan.yes"), "n": t(lang, "cal.plan.no")}.get(item.answer, "")
    place = f" · {item.location}" if item.location else ""
    return t(lang, "cal.plan.event", when=when, title=item.title, forum=item.forum_key,
             place=place, id=item.item_id, answer=f" {answer}" if answer else "")
