"""Kalendarz: events and deadlines (list, create, edit, cancel), ICS import with a preview,
and each one's reminders — planned and sent, when and to how many people.

Every change goes through :class:`commands.calendar.panel_use.PanelCalendar`, i.e. the
chat's calendar service: the same checks, reminder planning, notices to those already
reminded, role rules and audit entries. Everyone signed in sees the calendar (as in chat,
"/wydarzenia wszystkie"); how its reminders went (counts, who has no messenger linked,
whom a deadline names, who reported it done) only those who manage an entry and its
organiser, as "/wydarzenie N" and "/termin N" show it. A forum's moderators and admins
change a forum's entries, and deadlines of no forum are for admins. An uploaded .ics file
stays on the server between the preview and the confirm with the preview made at upload,
found by a random token, for the same person and session only.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from aiohttp import web
from multidict import MultiDictProxy

from adapters.panel.texts import pt
from adapters.panel.web import (
    NavItem,
    Panel,
    PanelUser,
    error_page,
    page,
    page_number,
    redirect,
    render,
)
from commands.calendar.dates import format_moment, format_span, utc
from commands.calendar.messages import deadline_lines
from commands.calendar.occurrences import event_occurrences
from commands.calendar.panel_use import (
    DeadlineForm,
    EventForm,
    ImportOutcome,
    NotAllowed,
    NotFound,
    PanelCalendar,
    PanelProblem,
    may_manage,
    outcome_from_json,
    outcome_to_json,
    sees_delivery,
)
from commands.calendar.recurrence import describe
from commands.calendar.reminders import (
    DEADLINE_KEY,
    EVENT_KEY,
    deadline_source,
    event_source,
)
from commands.render import forum_name
from store.calendar import (
    all_forums,
    audience_of,
    done_of,
    gaps_of,
    overrides_by_event,
    persons_by_id,
)
from store.calendar_models import CalendarStatus, Deadline, Event
from store.calendar_panel import (
    CalendarRow,
    CalendarUpload,
    Kind,
    ReminderGroup,
    Span,
    calendar_page,
    drop_upload,
    find_upload,
    forget_stale_uploads,
    reminder_groups,
    reminder_tallies,
    save_upload,
)
from store.models import DeliveryState, Forum, Gmina

BASE = "/panel/kalendarz"
PER_PAGE = 50
# An Outlook export of a year of meetings is far smaller; the server takes 2 MiB a request,
# so the file's limit leaves room for the rest of the form.
MAX_FILE = 2 * 1024 * 1024 - 64 * 1024
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
_OFFSET = re.compile(r"^(\d+)(d|h|min|m|w)(?:at(\d{1,2})(\d{2}))?$")
_PLANNED = (DeliveryState.PENDING.value, DeliveryState.SENDING.value)

NAV = NavItem(path=BASE, label="kalendarz.nav", order=50)


def _actor(user: PanelUser) -> str:
    """How the calendar's audit entries name a panel user (as chat names "via" a
    messenger)."""
    return f"person:{user.person_id} via panel"


def _manages_any(user: PanelUser) -> bool:
    return user.admin or bool(user.moderates())


def _int(text: str) -> int | None:
    return int(text) if text.isdigit() and len(text) < 12 else None


# --- what the templates show -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ListLine:
    """A row of the list, ready to show."""

    row: CalendarRow
    href: str
    when: str
    forum: str
    repeats: str
    planned: int
    sent: int
    people_reached: int
    manage: bool
    insider: bool  # sees the reminder counts (as chat shows them: managers, organiser)


@dataclass(frozen=True, slots=True)
class GroupLine:
    """A group of reminders, ready to show."""

    at: str
    what: str
    state: str
    people: int
    messages: int
    sent: str


def _offset_words(lang: str, label: str) -> str:
    """"1dat0900" → "1 dzień przed, o 9:00"; "catchup" → "nadrobione po czasie"."""
    if label == "catchup":
        return _t(lang, "kalendarz.offset.catchup")
    match = _OFFSET.match(label)
    if match is None:
        return label
    amount, unit = int(match[1]), {"m": "min"}.get(match[2], match[2])
    unit_key = f"kalendarz.offset.{unit}{'1' if amount == 1 and unit in ('d', 'w') else ''}"
    words = _t(lang, "kalendarz.offset.before", amount=amount, unit=_t(lang, unit_key))
    if match[3] is not None:
        words = _t(lang, "kalendarz.offset.at", before=words, time=f"{int(match[3])}:{match[4]}")
    return words


def _t(lang: str, key: str, **values: object) -> str:
    return pt(lang, key, **values)


def _what(lang: str, group: ReminderGroup) -> str:
    """What a group of outbox rows is: which reminder, or a notice of a change."""
    if group.kind == "notice":
        return _t(lang, "kalendarz.what.notice")
    found = EVENT_KEY.match(group.sample_key)
    if found is not None:
        return _t(lang, f"kalendarz.what.{'materials' if found[4] == 'materials' else 'meeting'}",
                  offset=_offset_words(lang, found[5]))
    found = DEADLINE_KEY.match(group.sample_key)
    if found is not None:
        return _t(lang, "kalendarz.what.deadline", offset=_offset_words(lang, found[3]))
    return _t(lang, "kalendarz.what.reminder")


def _group_lines(lang: str, groups: list[ReminderGroup]) -> dict[str, list[GroupLine]]:
    """Reminders split as the page shows them: planned, sent, and the rest (cancelled,
    failed, missed)."""
    split: dict[str, list[GroupLine]] = {"planned": [], "sent": [], "other": []}
    for group in groups:
        sent = ""
        if group.first_sent is not None and group.last_sent is not None:
            first, last = utc(group.first_sent), utc(group.last_sent)
            sent = format_moment(lang, first) if last - first < timedelta(minutes=1) else \
                _t(lang, "kalendarz.sent_between", first=format_moment(lang, first),
                   last=format_moment(lang, last))
        line = GroupLine(at=format_moment(lang, utc(group.at)), what=_what(lang, group),
                         state=_t(lang, f"kalendarz.state.{group.state}"),
                         people=group.people, messages=group.messages, sent=sent)
        part = "planned" if group.state in _PLANNED else (
            "sent" if group.state == DeliveryState.SENT.value else "other")
        split[part].append(line)
    return split


def _forum_label(forums: Mapping[int, Forum], forum_id: int | None, lang: str) -> str:
    forum = forums.get(forum_id) if forum_id is not None else None
    return f"{forum.key} — {forum_name(forum, lang)}" if forum else _t(
        lang, "kalendarz.no_forum")


# --- routes ----------------------------------------------------------------------------------


def routes(panel: Panel) -> list[web.RouteDef]:
    """The list, events, deadlines, and the ICS import."""

    def calendar() -> PanelCalendar:
        service = panel.services.calendar
        if service is None:
            raise web.HTTPServiceUnavailable(text="the calendar is not configured")
        return PanelCalendar(service, panel.services.directory)

    def not_found(request: web.Request, user: PanelUser) -> web.Response:
        return error_page(request, 404, "common.error_not_found", lang=user.lang)

    def forbidden(request: web.Request, user: PanelUser) -> web.Response:
        return error_page(request, 403, "kalendarz.forbidden", lang=user.lang)

    async def forum_map() -> dict[int, Forum]:
        async with panel.db.session() as session:
            return {int(f.id or 0): f for f in await all_forums(session)}

    # --- the list -----------------------------------------------------------------------------

    async def index(request: web.Request, user: PanelUser) -> web.StreamResponse:
        query = request.query
        span = Span(query["span"]) if query.get("span") in {s.value for s in Span} else \
            Span.UPCOMING
        kind = Kind(query["kind"]) if query.get("kind") in {k.value for k in Kind} else Kind.ALL
        forum_id = _int(query.get("forum", ""))
        number = page_number(request)
        now = panel.now()
        forums = await forum_map()
        async with panel.db.session() as session:
            rows, total = await calendar_page(session, now=now, span=span, kind=kind,
                                              forum_id=forum_id, page=number, per_page=PER_PAGE)
            insiders = {r.source for r in rows
                        if sees_delivery(user.actor, r.forum_id, r.organiser_id)}
            tallies = await reminder_tallies(session, sorted(insiders))
            series = [r.id for r in rows if r.kind == "event" and r.rrule]
            events = {int(e.id or 0): e for e in (
                [await session.get(Event, i) for i in series])
                if e is not None}
            overrides = await overrides_by_event(session, series)
        lines = []
        for row in rows:
            when = format_span(user.lang, utc(row.at), utc(row.ends_at), all_day=row.all_day) \
                if row.kind == "event" else format_moment(user.lang, utc(row.at))
            repeats = ""
            if row.rrule and row.id in events:
                upcoming = event_occurrences(events[row.id], overrides.get(row.id, []), now,
                                             now + timedelta(days=400))
                repeats = describe(row.rrule, user.lang)
                if upcoming and span == Span.UPCOMING:
                    nearest = upcoming[0]
                    when = format_span(user.lang, nearest.start, nearest.end,
                                       all_day=nearest.all_day)
            tally = tallies.get(row.source)
            lines.append(ListLine(
                row=row, href=f"{BASE}/{'wydarzenia' if row.kind == 'event' else 'terminy'}/"
                f"{row.id}", when=when, forum=_forum_label(forums, row.forum_id, user.lang),
                repeats=repeats, planned=tally.planned if tally else 0,
                sent=tally.sent if tally else 0,
                people_reached=tally.people_reached if tally else 0,
                manage=may_manage(user.actor, row.forum_id), insider=row.source in insiders))
        params = urlencode([(k, v) for k, v in (
            ("span", span.value if span != Span.UPCOMING else ""), ("kind", kind.value),
            ("forum", str(forum_id) if forum_id is not None else "")) if v])
        pages = max(1, -(-total // PER_PAGE))
        return render(request, "kalendarz/index.html", {
            "lines": lines, "total": total, "page": min(number, pages), "pages": pages,
            "span": span.value, "kind": kind.value, "forum": forum_id or "",
            "forums": sorted(forums.values(), key=lambda f: f.key),
            "forum_name": lambda f: forum_name(f, user.lang),
            "pager_url": BASE + ("?" + params if params else ""),
            "may_create": _manages_any(user),
            "may_global": may_manage(user.actor, None),
        })

    # --- events -------------------------------------------------------------------------------

    async def event_form_page(request: web.Request, user: PanelUser, form: EventForm, *,
                              event: Event | None = None, problem: PanelProblem | None = None
                              ) -> web.Response:
        managed = await calendar().forums_managed(user.actor)
        return render(request, "kalendarz/event_form.html", {
            "form": form, "event": event, "problem": problem,
            "problem_text": _problem_text(user.lang, problem),
            "forums": [(f.id, f"{f.key} — {forum_name(f, user.lang)}") for f in managed],
            "forum_fixed": _forum_label(await forum_map(), event.forum_id, user.lang)
            if event else "",
        }, status=400 if problem else 200)

    async def event_new(request: web.Request, user: PanelUser) -> web.StreamResponse:
        managed = await calendar().forums_managed(user.actor)
        if not managed:
            return forbidden(request, user)
        chosen = _int(request.query.get("forum", ""))
        return await event_form_page(request, user, EventForm(
            forum_id=chosen if chosen in {f.id for f in managed} else None))

    async def event_create(request: web.Request, user: PanelUser) -> web.StreamResponse:
        form = EventForm.of(_texts(await request.post()))
        try:
            created, _plan = await calendar().create_event(user.actor, _actor(user), form)
        except NotAllowed:
            return forbidden(request, user)
        except PanelProblem as problem:
            return await event_form_page(request, user, form, problem=problem)
        return redirect(request, f"{BASE}/wydarzenia/{created.id}",
                        notice="kalendarz.notice.event_created")

    async def event_detail(request: web.Request, user: PanelUser) -> web.StreamResponse:
        event_id = _int(request.match_info["id"])
        if event_id is None:
            return not_found(request, user)
        try:
            event = await calendar().event(event_id)
        except NotFound:
            return not_found(request, user)
        now = panel.now()
        source = event_source(event_id)
        # delivery details as "/wydarzenie N" shows them: to its managers and organiser only
        insider = sees_delivery(user.actor, event.forum_id, event.organiser_id)
        async with panel.db.session() as session:
            forum = await session.get(Forum, event.forum_id)
            overrides = (await overrides_by_event(session, [event_id])).get(event_id, [])
            groups = await reminder_groups(session, source) if insider else []
            gaps = await gaps_of(session, source) if insider else []
            people = await persons_by_id(session, {g.person_id for g in gaps} | (
                {event.organiser_id} if event.organiser_id else set()))
        upcoming = event_occurrences(event, overrides, now, now + timedelta(days=400))[:5] \
            if event.status == CalendarStatus.ACTIVE.value else []
        organiser = people.get(event.organiser_id) if event.organiser_id else None
        return render(request, "kalendarz/event.html", {
            "event": event, "forum": forum_name(forum, user.lang) if forum else "",
            "forum_key": forum.key if forum else "",
            "when": format_span(user.lang, utc(event.starts_at), utc(event.ends_at),
                                all_day=event.all_day),
            "repeats": describe(event.rrule, user.lang),
            "upcoming": [(format_span(user.lang, o.start, o.end, all_day=o.all_day), o.key)
                         for o in upcoming],
            "materials": [m for m in event.materials.splitlines() if m.strip()],
            "organiser": organiser.name if organiser else "",
            "insider": insider,
            "groups": _group_lines(user.lang, groups),
            "unreachable": sorted(people[g.person_id].name for g in gaps
                                  if g.person_id in people),
            "active": event.status == CalendarStatus.ACTIVE.value,
            "manage": may_manage(user.actor, event.forum_id),
        })

    async def event_edit(request: web.Request, user: PanelUser) -> web.StreamResponse:
        event_id = _int(request.match_info["id"])
        if event_id is None:
            return not_found(request, user)
        try:
            event = await calendar().event(event_id)
        except NotFound:
            return not_found(request, user)
        if event.status != CalendarStatus.ACTIVE.value:
            return not_found(request, user)
        if not may_manage(user.actor, event.forum_id):
            return forbidden(request, user)
        return await event_form_page(request, user, EventForm.from_event(event), event=event)

    async def event_save(request: web.Request, user: PanelUser) -> web.StreamResponse:
        event_id = _int(request.match_info["id"])
        if event_id is None:
            return not_found(request, user)
        form = EventForm.of(_texts(await request.post()))
        service = calendar()
        try:
            result = await service.change_event(user.actor, _actor(user), event_id, form)
        except NotFound:
            return not_found(request, user)
        except NotAllowed:
            return forbidden(request, user)
        except PanelProblem as problem:
            event = await service.event(event_id)
            form.forum_id = event.forum_id
            return await event_form_page(request, user, form, event=event, problem=problem)
        return redirect(request, f"{BASE}/wydarzenia/{event_id}", notice=(
            "kalendarz.notice.unchanged" if result is None else "kalendarz.notice.event_changed"))

    async def event_cancel_page(request: web.Request, user: PanelUser) -> web.StreamResponse:
        event_id = _int(request.match_info["id"])
        if event_id is None:
            return not_found(request, user)
        try:
            event = await calendar().event(event_id)
        except NotFound:
            return not_found(request, user)
        if event.status != CalendarStatus.ACTIVE.value:
            return not_found(request, user)
        if not may_manage(user.actor, event.forum_id):
            return forbidden(request, user)
        return render(request, "kalendarz/cancel.html", {
            "title": event.title, "kind": "event", "action": f"{BASE}/wydarzenia/{event_id}/"
            "odwolanie", "back": f"{BASE}/wydarzenia/{event_id}"})

    async def event_cancel(request: web.Request, user: PanelUser) -> web.StreamResponse:
        event_id = _int(request.match_info["id"])
        if event_id is None:
            return not_found(request, user)
        try:
            await calendar().cancel_event(user.actor, _actor(user), event_id)
        except NotFound:
            return not_found(request, user)
        except NotAllowed:
            return forbidden(request, user)
        return redirect(request, f"{BASE}/wydarzenia/{event_id}",
                        notice="kalendarz.notice.event_cancelled")

    async def meeting_cancel_page(request: web.Request, user: PanelUser
                                  ) -> web.StreamResponse:
        event_id, key = _int(request.match_info["id"]), request.match_info["key"]
        if event_id is None:
            return not_found(request, user)
        service = calendar()
        try:
            event = await service.event(event_id)
        except NotFound:
            return not_found(request, user)
        found = await service.service.occurrence_of(event_id, key) if event.rrule else None
        if found is None or event.status != CalendarStatus.ACTIVE.value:
            return not_found(request, user)
        if not may_manage(user.actor, event.forum_id):
            return forbidden(request, user)
        meeting = found[1]
        return render(request, "kalendarz/cancel.html", {
            "title": event.title, "kind": "meeting",
            "when": format_span(user.lang, meeting.start, meeting.end, all_day=meeting.all_day),
            "action": f"{BASE}/wydarzenia/{event_id}/spotkania/{key}/odwolanie",
            "back": f"{BASE}/wydarzenia/{event_id}"})

    async def meeting_cancel(request: web.Request, user: PanelUser) -> web.StreamResponse:
        event_id, key = _int(request.match_info["id"]), request.match_info["key"]
        if event_id is None:
            return not_found(request, user)
        try:
            await calendar().cancel_meeting(user.actor, _actor(user), event_id, key)
        except NotFound:
            return not_found(request, user)
        except NotAllowed:
            return forbidden(request, user)
        return redirect(request, f"{BASE}/wydarzenia/{event_id}",
                        notice="kalendarz.notice.meeting_cancelled")

    # --- deadlines ----------------------------------------------------------------------------

    async def deadline_form_page(request: web.Request, user: PanelUser, form: DeadlineForm, *,
                                 deadline: Deadline | None = None,
                                 problem: PanelProblem | None = None) -> web.Response:
        managed = await calendar().forums_managed(user.actor)
        options = [("", _t(user.lang, "kalendarz.no_forum_option"))] if may_manage(
            user.actor, None) else []
        options += [(str(f.id), f"{f.key} — {forum_name(f, user.lang)}") for f in managed]
        return render(request, "kalendarz/deadline_form.html", {
            "form": form, "deadline": deadline, "problem": problem, "forums": options,
            "problem_text": _problem_text(user.lang, problem),
            "forum_fixed": _forum_label(await forum_map(), deadline.forum_id, user.lang)
            if deadline else "",
        }, status=400 if problem else 200)

    async def deadline_new(request: web.Request, user: PanelUser) -> web.StreamResponse:
        if not _manages_any(user):
            return forbidden(request, user)
        return await deadline_form_page(request, user, DeadlineForm())

    async def deadline_create(request: web.Request, user: PanelUser) -> web.StreamResponse:
        form = DeadlineForm.of(_texts(await request.post()))
        try:
            created, _plan = await calendar().create_deadline(user.actor, _actor(user), form,
                                                              user.lang)
        except NotAllowed:
            return forbidden(request, user)
        except PanelProblem as problem:
            return await deadline_form_page(request, user, form, problem=problem)
        return redirect(request, f"{BASE}/terminy/{created.id}",
                        notice="kalendarz.notice.deadline_created")

    async def deadline_detail(request: web.Request, user: PanelUser) -> web.StreamResponse:
        deadline_id = _int(request.match_info["id"])
        if deadline_id is None:
            return not_found(request, user)
        service = calendar()
        try:
            deadline = await service.deadline(deadline_id)
        except NotFound:
            return not_found(request, user)
        source = deadline_source(deadline_id)
        # whom it names and how delivery went, as "/termin N" shows them: to its managers
        # and organiser only; the rest see what the chat shows everyone
        insider = sees_delivery(user.actor, deadline.forum_id, deadline.organiser_id)
        active = deadline.status == CalendarStatus.ACTIVE.value
        async with panel.db.session() as session:
            forum = await session.get(Forum, deadline.forum_id) if deadline.forum_id else None
        lines = deadline_lines(user.lang, deadline, forum_name(forum, user.lang))
        if not insider:
            return render(request, "kalendarz/deadline.html", {
                "deadline": deadline, "lines": lines, "insider": False, "active": active,
                "manage": False})
        async with panel.db.session() as session:
            groups = await reminder_groups(session, source)
            gaps = await gaps_of(session, source)
            audience = (await audience_of(session, [deadline_id])).get(deadline_id, [])
            recipients = await service.service.reminders.deadline_recipients(session, deadline)
            done = (await done_of(session, [deadline_id])).get(deadline_id, {})
            named = {a.person_id for a in audience if a.person_id}
            people = await persons_by_id(session, {g.person_id for g in gaps} | named)
            gminy = [g for g in [await session.get(Gmina, a.gmina_id)
                                 for a in audience if a.gmina_id] if g is not None]
        return render(request, "kalendarz/deadline.html", {
            "deadline": deadline, "lines": lines, "insider": True,
            "forum": forum_name(forum, user.lang) if forum else "",
            "gminy": sorted(g.name for g in gminy),
            "named": sorted(people[p].name for p in named if p in people),
            "recipients": len(recipients), "done": len(done),
            "groups": _group_lines(user.lang, groups),
            "unreachable": sorted(people[g.person_id].name for g in gaps
                                  if g.person_id in people),
            "active": active, "manage": may_manage(user.actor, deadline.forum_id),
        })

    async def deadline_edit(request: web.Request, user: PanelUser) -> web.StreamResponse:
        deadline_id = _int(request.match_info["id"])
        if deadline_id is None:
            return not_found(request, user)
        try:
            deadline = await calendar().deadline(deadline_id)
        except NotFound:
            return not_found(request, user)
        if deadline.status != CalendarStatus.ACTIVE.value:
            return not_found(request, user)
        if not may_manage(user.actor, deadline.forum_id):
            return forbidden(request, user)
        return await deadline_form_page(request, user, DeadlineForm.from_deadline(deadline),
                                        deadline=deadline)

    async def deadline_save(request: web.Request, user: PanelUser) -> web.StreamResponse:
        deadline_id = _int(request.match_info["id"])
        if deadline_id is None:
            return not_found(request, user)
        form = DeadlineForm.of(_texts(await request.post()))
        service = calendar()
        try:
            result = await service.change_deadline(user.actor, _actor(user), deadline_id, form)
        except NotFound:
            return not_found(request, user)
        except NotAllowed:
            return forbidden(request, user)
        except PanelProblem as problem:
            deadline = await service.deadline(deadline_id)
            form.forum_id = deadline.forum_id
            return await deadline_form_page(request, user, form, deadline=deadline,
                                            problem=problem)
        return redirect(request, f"{BASE}/terminy/{deadline_id}", notice=(
            "kalendarz.notice.unchanged" if result is None
            else "kalendarz.notice.deadline_changed"))

    async def deadline_cancel_page(request: web.Request, user: PanelUser
                                   ) -> web.StreamResponse:
        deadline_id = _int(request.match_info["id"])
        if deadline_id is None:
            return not_found(request, user)
        try:
            deadline = await calendar().deadline(deadline_id)
        except NotFound:
            return not_found(request, user)
        if deadline.status != CalendarStatus.ACTIVE.value:
            return not_found(request, user)
        if not may_manage(user.actor, deadline.forum_id):
            return forbidden(request, user)
        return render(request, "kalendarz/cancel.html", {
            "title": deadline.title, "kind": "deadline",
            "action": f"{BASE}/terminy/{deadline_id}/odwolanie",
            "back": f"{BASE}/terminy/{deadline_id}"})

    async def deadline_cancel(request: web.Request, user: PanelUser) -> web.StreamResponse:
        deadline_id = _int(request.match_info["id"])
        if deadline_id is None:
            return not_found(request, user)
        try:
            await calendar().cancel_deadline(user.actor, _actor(user), deadline_id)
        except NotFound:
            return not_found(request, user)
        except NotAllowed:
            return forbidden(request, user)
        return redirect(request, f"{BASE}/terminy/{deadline_id}",
                        notice="kalendarz.notice.deadline_cancelled")

    # --- ICS import ---------------------------------------------------------------------------

    async def import_form(request: web.Request, user: PanelUser, *,
                          problem: PanelProblem | None = None, status: int = 200
                          ) -> web.Response:
        managed = await calendar().forums_managed(user.actor)
        options = [("", _t(user.lang, "kalendarz.import.forum_from_file"))] + [
            (str(f.id), f"{f.key} — {forum_name(f, user.lang)}") for f in managed]
        return render(request, "kalendarz/import.html", {
            "forums": options, "problem": problem,
            "problem_text": _problem_text(user.lang, problem),
        }, status=400 if problem and status == 200 else status)

    async def import_page(request: web.Request, user: PanelUser) -> web.StreamResponse:
        return await import_form(request, user)

    async def import_upload(request: web.Request, user: PanelUser) -> web.StreamResponse:
        form = await request.post()
        upload = form.get("file")
        data = upload.file.read(MAX_FILE + 1) if isinstance(upload, web.FileField) else b""
        if not data:
            return await import_form(request, user, problem=PanelProblem(
                "kalendarz.error.no_file", field="file"))
        if len(data) > MAX_FILE:
            return await import_form(request, user, problem=PanelProblem(
                "kalendarz.error.too_big", field="file"))
        forum_value = form.get("forum", "")
        default_forum = _int(forum_value) if isinstance(forum_value, str) else None
        name = (upload.filename if isinstance(upload, web.FileField) else "") or "kalendarz.ics"
        try:  # refuse at once what the preview could not show (not a calendar, not theirs)
            outcome = await calendar().import_file(user.actor, _actor(user), data,
                                         file_name=name[:300], default_forum_id=default_forum,
                                         dry_run=True)
        except NotAllowed:
            return forbidden(request, user)
        except PanelProblem as problem:
            return await import_form(request, user, problem=problem)
        token = secrets.token_urlsafe(24)
        async with panel.db.session() as session:
            await save_upload(session, CalendarUpload(
                token_hash=_hash(token), person_id=user.person_id,
                session_key=_session_key(user), file_name=name[:300],
                default_forum_id=default_forum, data=data, preview=outcome_to_json(outcome),
                created_at=panel.now()))
            await session.commit()
        return redirect(request, f"{BASE}/import/{token}")

    async def stored(user: PanelUser, token: str) -> CalendarUpload | None:
        if not _TOKEN.match(token):
            return None
        async with panel.db.session() as session:
            await forget_stale_uploads(session, now=panel.now())
            found = await find_upload(session, token_hash=_hash(token),
                                      person_id=user.person_id,
                                      session_key=_session_key(user), now=panel.now())
            await session.commit()
        return found

    async def import_preview(request: web.Request, user: PanelUser) -> web.StreamResponse:
        token = request.match_info["token"]
        upload = await stored(user, token)
        if upload is None:
            return await import_form(request, user, problem=PanelProblem(
                "kalendarz.error.upload_gone"), status=404)
        # the outcome of the dry run made at upload: a reload compares nothing again (the
        # confirm imports afresh, with the person's rights and the calendar of that moment)
        return render(request, "kalendarz/import_preview.html", {
            "token": token, "file_name": upload.file_name, "preview": True,
            **_outcome(user.lang, outcome_from_json(upload.preview))})

    async def import_confirm(request: web.Request, user: PanelUser) -> web.StreamResponse:
        token = request.match_info["token"]
        upload = await stored(user, token)
        if upload is None:
            return await import_form(request, user, problem=PanelProblem(
                "kalendarz.error.upload_gone"), status=404)
        async with panel.db.session() as session:  # taken first: a second click imports nothing
            await drop_upload(session, upload.token_hash)
            await session.commit()
        try:
            outcome = await calendar().import_file(
                user.actor, _actor(user), upload.data, file_name=upload.file_name,
                default_forum_id=upload.default_forum_id, dry_run=False)
        except NotAllowed:
            return forbidden(request, user)
        except PanelProblem as problem:
            return await import_form(request, user, problem=problem)
        return render(request, "kalendarz/import_preview.html", {
            "token": "", "file_name": upload.file_name, "preview": False,
            **_outcome(user.lang, outcome)})

    def guarded(handler: Any, allow: Any = None) -> Any:
        return page(panel, handler, allow=allow) if allow else page(panel, handler)

    return [
        web.get(BASE, guarded(index)),
        web.get(f"{BASE}/wydarzenia/nowe", guarded(event_new, _manages_any)),
        web.post(f"{BASE}/wydarzenia/nowe", guarded(event_create, _manages_any)),
        web.get(r"/panel/kalendarz/wydarzenia/{id:\d+}", guarded(event_detail)),
        web.get(r"/panel/kalendarz/wydarzenia/{id:\d+}/edycja", guarded(event_edit)),
        web.post(r"/panel/kalendarz/wydarzenia/{id:\d+}/edycja", guarded(event_save)),
        web.get(r"/panel/kalendarz/wydarzenia/{id:\d+}/odwolanie", guarded(event_cancel_page)),
        web.post(r"/panel/kalendarz/wydarzenia/{id:\d+}/odwolanie", guarded(event_cancel)),
        web.get(r"/panel/kalendarz/wydarzenia/{id:\d+}/spotkania/{key:\d{12}}/odwolanie",
                guarded(meeting_cancel_page)),
        web.post(r"/panel/kalendarz/wydarzenia/{id:\d+}/spotkania/{key:\d{12}}/odwolanie",
                 guarded(meeting_cancel)),
        web.get(f"{BASE}/terminy/nowy", guarded(deadline_new, _manages_any)),
        web.post(f"{BASE}/terminy/nowy", guarded(deadline_create, _manages_any)),
        web.get(r"/panel/kalendarz/terminy/{id:\d+}", guarded(deadline_detail)),
        web.get(r"/panel/kalendarz/terminy/{id:\d+}/edycja", guarded(deadline_edit)),
        web.post(r"/panel/kalendarz/terminy/{id:\d+}/edycja", guarded(deadline_save)),
        web.get(r"/panel/kalendarz/terminy/{id:\d+}/odwolanie", guarded(deadline_cancel_page)),
        web.post(r"/panel/kalendarz/terminy/{id:\d+}/odwolanie", guarded(deadline_cancel)),
        web.get(f"{BASE}/import", guarded(import_page, _manages_any)),
        web.post(f"{BASE}/import", guarded(import_upload, _manages_any)),
        web.get(f"{BASE}/import/{{token}}", guarded(import_preview, _manages_any)),
        web.post(f"{BASE}/import/{{token}}", guarded(import_confirm, _manages_any)),
    ]


# --- helpers ---------------------------------------------------------------------------------


def _texts(form: MultiDictProxy[Any]) -> dict[str, str]:
    """The text fields of a submitted form, each cut to a sane length."""
    return {key: value[:5000] for key, value in form.items() if isinstance(value, str)}


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _session_key(user: PanelUser) -> str:
    """Names the panel session without being usable as one."""
    return hashlib.sha256(f"panel-session:{user.session_id}".encode()).hexdigest()


def _problem_text(lang: str, problem: PanelProblem | None) -> str:
    return _t(lang, problem.key, **problem.values) if problem else ""


# The importer's reasons are English (for the CLI); the panel says them in the person's
# language where it knows them, and shows the rest as they are.
_REASONS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), key) for pattern, key in (
        (r"^no start", "kalendarz.reason.no_start"),
        (r"^unreadable", "kalendarz.reason.unreadable"),
        (r"^no UID", "kalendarz.reason.no_uid"),
        (r"^no title", "kalendarz.reason.no_title"),
        (r"^ends before", "kalendarz.reason.ends_before"),
        (r"^extra dates|^exclusion rules|^recurrence .* not supported",
         "kalendarz.reason.recurrence"),
        (r"^no forum", "kalendarz.reason.no_forum"),
        (r"appears twice$", "kalendarz.reason.twice"),
        (r"^its recurring event", "kalendarz.reason.orphan"),
        (r"^cancelled in Łącznik", "kalendarz.reason.cancelled_here"),
        (r"not supported$", "kalendarz.reason.unsupported"),
    ))


def _reason(lang: str, reason: str) -> str:
    for pattern, key in _REASONS:
        if pattern.search(reason):
            return _t(lang, key)
    return reason


def _outcome(lang: str, outcome: ImportOutcome) -> dict[str, object]:
    summary = outcome.summary
    return {
        "added": summary.added, "updated": summary.updated, "unchanged": summary.unchanged,
        "cancelled": summary.cancelled, "past": summary.past,
        "skipped": [(p.what, _reason(lang, p.reason)) for p in summary.skipped],
        "not_allowed": outcome.not_allowed, "notices": summary.notices,
        "ignored": sum(summary.ignored.values()),
        "anything": bool(summary.added or summary.updated or summary.cancelled),
    }

