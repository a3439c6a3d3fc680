"""Importing calendar files (Outlook, SharePoint, Łącznik's own feeds) into events.

Events are matched by UID: a re-import updates instead of duplicating, and an unchanged event
stays as it is (so importing the same file twice changes nothing). Events the file cannot
express for us are skipped and named; with ``strict`` any such problem refuses the whole file.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

from commands.calendar.dates import stamp, utc
from commands.calendar.ics import IcsProblem, ImportedEvent, ParsedCalendar, materials_of
from commands.calendar.occurrences import exdate_list, exdate_text, next_occurrence
from commands.calendar.service import CalendarService, EventDraft, fill_event
from store.calendar import all_forums, event_by_uid, overrides_of
from store.calendar_models import CalendarStatus, Event, EventOverride
from store.people import audit, person_by_email


@dataclass(slots=True)
class ImportSummary:
    """What an import did (or, with ``dry_run``, would do)."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    cancelled: list[str] = field(default_factory=list)
    past: list[str] = field(default_factory=list)
    skipped: list[IcsProblem] = field(default_factory=list)
    ignored: Counter[str] = field(default_factory=Counter)
    notices: int = 0
    refused: bool = False


@dataclass(slots=True)
class _Plan:
    item: ImportedEvent
    action: str  # add / update / unchanged / cancel
    existing: Event | None = None


async def import_calendar(service: CalendarService, parsed: ParsedCalendar, *, actor: str,
                          source_name: str, dry_run: bool = False, strict: bool = False
                          ) -> ImportSummary:
    """Import the events of ``parsed``; see the module docstring."""
    summary = ImportSummary(skipped=list(parsed.skipped), ignored=Counter(parsed.ignored))
    now = service.clock.now()
    plans: list[_Plan] = []
    async with service.db.session() as session:
        forums = {f.key: f for f in await all_forums(session)}
        for item in parsed.events:
            existing = await event_by_uid(session, item.uid)
            if existing is not None and existing.status != CalendarStatus.ACTIVE.value:
                if not item.cancelled:
                    summary.skipped.append(IcsProblem(
                        item.label, "cancelled in Łącznik; not brought back by an import"))
                continue
            if item.cancelled:
                if existing is None:
                    summary.ignored["cancelled events that were never in Łącznik"] += 1
                else:
                    plans.append(_Plan(item, "cancel", existing))
                continue
            if existing is None:
                plans.append(_Plan(item, "add"))
            elif _same(existing, await overrides_of(session, int(existing.id or 0)), item,
                       forums[item.forum_key].id):
                plans.append(_Plan(item, "unchanged", existing))
            else:
                plans.append(_Plan(item, "update", existing))
        organisers = {
            item.organiser_email: person.id
            for item in parsed.events if item.organiser_email
            if (person := await person_by_email(session, item.organiser_email)) is not None
        }
    for plan in plans:
        target = {"add": summary.added, "update": summary.updated,
                  "unchanged": summary.unchanged, "cancel": summary.cancelled}[plan.action]
        target.append(plan.item.label)
        if plan.action != "cancel" and _is_past(plan.item, now):
            summary.past.append(plan.item.label)
    if strict and summary.skipped:
        summary.refused = True
        return summary
    if dry_run:
        return summary
    for plan in plans:
        item = plan.item
        forum = forums[item.forum_key]
        draft = _draft(item)
        overrides = _overrides(item)
        if plan.action == "add":
            await service.create_event(
                forum=forum, draft=draft, organiser_id=organisers.get(item.organiser_email),
                actor=actor, uid=item.uid, sequence=item.sequence, source=f"ics:{source_name}",
                overrides=overrides)
        elif plan.action == "update" and plan.existing is not None:
            def change(event: Event, item: ImportedEvent = item, draft: EventDraft = draft,
                       forum_id: int = int(forum.id or 0)) -> None:
                fill_event(event, draft)
                event.forum_id = forum_id
                event.sequence = max(event.sequence, item.sequence - 1)

            result = await service.change_event(int(plan.existing.id or 0), change,
                                                actor=actor, overrides=overrides,
                                                details={"import": source_name})
            summary.notices += result.notices
        elif plan.action == "cancel" and plan.existing is not None:
            summary.notices += await service.cancel_event(int(plan.existing.id or 0),
                                                          actor=actor)
    async with service.db.session() as session:
        await audit(session, actor=actor, action="events.import", target=source_name[:300],
                    details={"added": len(summary.added), "updated": len(summary.updated),
                             "cancelled": len(summary.cancelled),
                             "skipped": len(summary.skipped)})
        await session.commit()
    return summary


def _draft(item: ImportedEvent) -> EventDraft:
    cancelled = [o.recurrence_id for o in item.overrides if o.cancelled]
    return EventDraft(
        title=item.title, start=item.start, end=item.end, all_day=item.all_day,
        location=item.location, online_url=item.online_url, materials=list(item.materials),
        rrule=item.rrule, description=item.description, exdates=[*item.exdates, *cancelled],
    )


def _overrides(item: ImportedEvent) -> list[EventOverride]:
    return [EventOverride(event_id=0, recurrence_id=o.recurrence_id, starts_at=o.start,
                          ends_at=o.end, title=o.title if o.title != item.title else "",
                          location=o.location if o.location != item.location else "")
            for o in item.overrides if not o.cancelled]


def _same(event: Event, overrides: list[EventOverride], item: ImportedEvent,
          forum_id: int | None) -> bool:
    draft = _draft(item)
    wanted_exdates = exdate_text(draft.exdates) if draft.rrule else ""
    mine = {(stamp(o.recurrence_id), stamp(o.starts_at), stamp(o.ends_at), o.title, o.location)
            for o in overrides}
    theirs = {(stamp(o.recurrence_id), stamp(o.starts_at), stamp(o.ends_at), o.title,
               o.location) for o in _overrides(item)}
    return (
        event.title == draft.title and stamp(event.starts_at) == stamp(draft.start)
        and stamp(event.ends_at) == stamp(draft.end) and event.all_day == draft.all_day
        and event.location == draft.location and event.online_url == draft.online_url
        and materials_of(event.materials) == draft.materials and event.rrule == draft.rrule
        and event.description == draft.description and event.forum_id == forum_id
        and exdate_text(exdate_list(event)) == wanted_exdates and mine == theirs
    )


def _is_past(item: ImportedEvent, now: datetime) -> bool:
    probe = Event(uid=item.uid, forum_id=0, title=item.title, starts_at=item.start,
                  ends_at=item.end, all_day=item.all_day, rrule=item.rrule,
                  exdates=exdate_text(item.exdates), id=0)
    return next_occurrence(probe, [], utc(now).astimezone(UTC)) is None
