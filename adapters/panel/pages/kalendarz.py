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
from datetime import datetime, timedelta
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
from commands.calendar.occurrences import Occurrence, event_occurrences, exdate_list
from commands.calendar.panel_use import (
    DeadlineForm,
    EventForm,
    ImportOutcome,
    NotAllowed,
    NotFound,
    PanelCalendar,
    PanelProblem,
    PlanOutlook,
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


@dataclass(frozen=True, slots=True)
class _Sort:
    """Events or deadlines: the names their texts ("kalendarz.notice.event_created") and
    URLs ("/panel/kalendarz/wydarzenia/1") use."""

    name: str
    path: str


EVENTS = _Sort("event", "wydarzenia")
DEADLINES = _Sort("deadline", "terminy")


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


def _meetings(lang: str, event: Event, upcoming: list[Occurrence], now: datetime
              ) -> list[tuple[str, str, bool]]:
    """The next meetings as (when, key, cancelled): the meetings of a series cancelled one by
    one stay in the list, marked, among those shown (so the office sees what happened)."""
    length = utc(event.ends_at) - utc(event.starts_at)
    last = upcoming[-1].start if len(upcoming) >= 5 else None
    cancelled = [start for start in exdate_list(event)
                 if start >= now and (last is None or start <= last)] if upcoming else []
    shown = [(o.start, format_span(lang, o.start, o.end, all_day=o.all_day), o.key, False)
             for o in upcoming] + [
        (start, format_span(lang, start, start + length, all_day=event.all_day), "", True)
        for start in cancelled]
    return [(text, key, off) for _start, text, key, off in sorted(shown, key=lambda m: m[0])]


def _audience_words(forum: str, gminy: list[str], named: list[str]) -> str:
    """"Forum PZP (Skawina); Jan Kowalski", or the gminy and people named without a forum."""
    if not forum:
        return ", ".join(gminy + named)
    return forum + (f" ({', '.join(gminy)})" if gminy else "") + (
        f"; {', '.join(named)}" if named else "")


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

    # --- events and deadlines: what they share ------------------------------------------------

    async def load(sort: _Sort, entry_id: int) -> Event | Deadline:
        service = calendar()
        if sort is EVENTS:
            return await service.event(entry_id)
        return await service.deadline(entry_id)

    async def found(request: web.Request, user: PanelUser, sort: _Sort
                    ) -> Event | Deadline | web.Response:
        """The entry the URL names (active or not), or the 404 page."""
        entry_id = _int(request.match_info["id"])
        if entry_id is None:
            return not_found(request, user)
        try:
            return await load(sort, entry_id)
        except NotFound:
            return not_found(request, user)

    async def managed(request: web.Request, user: PanelUser, sort: _Sort
                      ) -> Event | Deadline | web.Response:
        """The active entry the URL names if the person manages it; else the 404/403 page."""
        entry = await found(request, user, sort)
        if isinstance(entry, web.Response):
            return entry
        if entry.status != CalendarStatus.ACTIVE.value:
            return not_found(request, user)
        if not may_manage(user.actor, entry.forum_id):
            return forbidden(request, user)
        return entry

    async def form_page(request: web.Request, user: PanelUser, form: EventForm | DeadlineForm,
                        *, entry: Event | Deadline | None = None,
                        problem: PanelProblem | None = None) -> web.Response:
        """The new/change form of an event or a deadline (a forum fixed once saved)."""
        forums = [(str(f.id), f"{f.key} — {forum_name(f, user.lang)}")
                  for f in await calendar().forums_managed(user.actor)]
        context: dict[str, object] = {
            "form": form, "problem": problem, "problem_text": _problem_text(user.lang, problem),
            "forum_fixed": _forum_label(await forum_map(), entry.forum_id, user.lang)
            if entry else ""}
        if isinstance(form, EventForm):
            template = "kalendarz/event_form.html"
            context.update(event=entry, forums=forums)
        else:
            template = "kalendarz/deadline_form.html"
            no_forum = [("", _t(user.lang, "kalendarz.no_forum_option"))] if may_manage(
                user.actor, None) else []
            audience = ""
            if isinstance(entry, Deadline):  # fixed once saved, as in chat: shown, not asked
                async with panel.db.session() as session:
                    audience = _audience_words(*await audience_names(session, entry, user.lang))
            context.update(deadline=entry, forums=no_forum + forums, audience=audience)
        return render(request, template, context, status=400 if problem else 200)

    async def audience_names(session: Any, deadline: Deadline, lang: str
                             ) -> tuple[str, list[str], list[str]]:
        """Whom a deadline is for: its forum, the gminy and the people it names."""
        entry_id = int(deadline.id or 0)
        forum = await session.get(Forum, deadline.forum_id) if deadline.forum_id else None
        audience = (await audience_of(session, [entry_id])).get(entry_id, [])
        named = {a.person_id for a in audience if a.person_id}
        people = await persons_by_id(session, named)
        gminy = [g for g in [await session.get(Gmina, a.gmina_id)
                             for a in audience if a.gmina_id] if g is not None]
        return (forum_name(forum, lang) if forum else "", sorted(g.name for g in gminy),
                sorted(people[p].name for p in named if p in people))

    async def delivery(session: Any, user: PanelUser, source: str) -> dict[str, object]:
        """How an entry's reminders went: groups by moment and state, and who has no
        messenger linked (for its managers and organiser only)."""
        gaps = await gaps_of(session, source)
        people = await persons_by_id(session, {g.person_id for g in gaps})
        return {"groups": _group_lines(user.lang, await reminder_groups(session, source)),
                "unreachable": sorted(people[g.person_id].name for g in gaps
                                      if g.person_id in people)}

    async def outlook(request: web.Request, sort: _Sort, entry: Event | Deadline,
                      first: datetime | None, insider: bool) -> PlanOutlook | None:
        """Right after a save: what reminders now wait, or why none could be planned."""
        if not insider or request.query.get("notice") not in (
                f"kalendarz.notice.{sort.name}_created", f"kalendarz.notice.{sort.name}_changed"):
            return None
        return await calendar().outlook(entry, first)

    def form_of(sort: _Sort, texts: Mapping[str, str]) -> EventForm | DeadlineForm:
        return EventForm.of(texts) if sort is EVENTS else DeadlineForm.of(texts)

    def create(sort: _Sort) -> Any:
        async def handler(request: web.Request, user: PanelUser) -> web.StreamResponse:
            form = form_of(sort, _texts(await request.post()))
            service = calendar()
            created: Event | Deadline
            try:
                if isinstance(form, EventForm):
                    created, _plan = await service.create_event(user.actor, _actor(user), form)
                else:
                    created, _plan = await service.create_deadline(user.actor, _actor(user),
                                                                   form, user.lang)
            except NotAllowed:
                return forbidden(request, user)
            except PanelProblem as problem:
                return await form_page(request, user, form, problem=problem)
            return redirect(request, f"{BASE}/{sort.path}/{created.id}",
                            notice=f"kalendarz.notice.{sort.name}_created")
        return handler

    def on_managed(sort: _Sort, then: Any) -> Any:
        """A page about an active entry the person manages: ``then(request, user, sort,
        entry)``; the 404/403 page otherwise."""
        async def handler(request: web.Request, user: PanelUser) -> web.StreamResponse:
            entry = await managed(request, user, sort)
            if isinstance(entry, web.Response):
                return entry
            response: web.StreamResponse = await then(request, user, sort, entry)
            return response
        return handler

    async def edit(request: web.Request, user: PanelUser, _sort: _Sort,
                   entry: Event | Deadline) -> web.StreamResponse:
        form = EventForm.from_event(entry) if isinstance(entry, Event) else \
            DeadlineForm.from_deadline(entry)
        return await form_page(request, user, form, entry=entry)

    def save(sort: _Sort) -> Any:
        async def handler(request: web.Request, user: PanelUser) -> web.StreamResponse:
            entry_id = _int(request.match_info["id"])
            if entry_id is None:
                return not_found(request, user)
            form = form_of(sort, _texts(await request.post()))
            service = calendar()
            try:
                if isinstance(form, EventForm):
                    result = await service.change_event(user.actor, _actor(user), entry_id, form)
                else:
                    result = await service.change_deadline(user.actor, _actor(user), entry_id,
                                                           form)
            except NotFound:
                return not_found(request, user)
            except NotAllowed:
                return forbidden(request, user)
            except PanelProblem as problem:
                entry = await load(sort, entry_id)
                form.forum_id = entry.forum_id
                return await form_page(request, user, form, entry=entry, problem=problem)
            return redirect(request, f"{BASE}/{sort.path}/{entry_id}", notice=(
                "kalendarz.notice.unchanged" if result is None
                else f"kalendarz.notice.{sort.name}_changed"))
        return handler

    async def cancel_page(request: web.Request, user: PanelUser, sort: _Sort,
                          entry: Event | Deadline) -> web.StreamResponse:
        """Asks before cancelling an entry, or (with a meeting ``key``) one meeting."""
        back = f"{BASE}/{sort.path}/{entry.id}"
        context = {"title": entry.title, "kind": sort.name, "back": back,
                   "action": f"{back}/odwolanie"}
        key = request.match_info.get("key")
        if key is not None:
            meeting = await calendar().service.occurrence_of(int(entry.id or 0), key) \
                if isinstance(entry, Event) and entry.rrule else None
            if meeting is None:
                return not_found(request, user)
            start, end, all_day = meeting[1].start, meeting[1].end, meeting[1].all_day
            context.update(kind="meeting", action=f"{back}/spotkania/{key}/odwolanie",
                           when=format_span(user.lang, start, end, all_day=all_day))
        return render(request, "kalendarz/cancel.html", context)

    def cancel(sort: _Sort) -> Any:
        """Cancels an entry, or (with a meeting ``key``) one meeting of a series."""
        async def handler(request: web.Request, user: PanelUser) -> web.StreamResponse:
            entry_id = _int(request.match_info["id"])
            if entry_id is None:
                return not_found(request, user)
            key = request.match_info.get("key")
            service = calendar()
            try:
                if key is not None:
                    await service.cancel_meeting(user.actor, _actor(user), entry_id, key)
                elif sort is EVENTS:
                    await service.cancel_event(user.actor, _actor(user), entry_id)
                else:
                    await service.cancel_deadline(user.actor, _actor(user), entry_id)
            except NotFound:
                return not_found(request, user)
            except NotAllowed:
                return forbidden(request, user)
            return redirect(request, f"{BASE}/{sort.path}/{entry_id}", notice=(
                "kalendarz.notice.meeting_cancelled" if key is not None
                else f"kalendarz.notice.{sort.name}_cancelled"))
        return handler

    # --- events -------------------------------------------------------------------------------

    async def event_new(request: web.Request, user: PanelUser) -> web.StreamResponse:
        managed_forums = await calendar().forums_managed(user.actor)
        if not managed_forums:
            return forbidden(request, user)
        chosen = _int(request.query.get("forum", ""))
        return await form_page(request, user, EventForm(
            forum_id=chosen if chosen in {f.id for f in managed_forums} else None))

    async def event_detail(request: web.Request, user: PanelUser) -> web.StreamResponse:
        event = await found(request, user, EVENTS)
        if not isinstance(event, Event):
            return event if isinstance(event, web.Response) else not_found(request, user)
        event_id = int(event.id or 0)
        now = panel.now()
        active = event.status == CalendarStatus.ACTIVE.value
        # delivery details as "/wydarzenie N" shows them: to its managers and organiser only
        insider = sees_delivery(user.actor, event.forum_id, event.organiser_id)
        async with panel.db.session() as session:
            forum = await session.get(Forum, event.forum_id)
            overrides = (await overrides_by_event(session, [event_id])).get(event_id, [])
            shown = await delivery(session, user, event_source(event_id)) if insider else {}
            people = await persons_by_id(
                session, {event.organiser_id} if event.organiser_id else set())
        upcoming = event_occurrences(event, overrides, now, now + timedelta(days=400))[:5] \
            if active else []
        organiser = people.get(event.organiser_id) if event.organiser_id else None
        return render(request, "kalendarz/event.html", {
            "event": event, "forum": forum_name(forum, user.lang) if forum else "",
            "forum_key": forum.key if forum else "",
            "when": format_span(user.lang, utc(event.starts_at), utc(event.ends_at),
                                all_day=event.all_day),
            "repeats": describe(event.rrule, user.lang),
            "upcoming": _meetings(user.lang, event, upcoming, now),
            "materials": [m for m in event.materials.splitlines() if m.strip()],
            "organiser": organiser.name if organiser else "",
            "insider": insider, **shown,
            "plan": await outlook(request, EVENTS, event,
                                  upcoming[0].start if upcoming else None, insider),
            "active": active, "manage": may_manage(user.actor, event.forum_id),
        })

    # --- deadlines ----------------------------------------------------------------------------

    async def deadline_new(request: web.Request, user: PanelUser) -> web.StreamResponse:
        if not _manages_any(user):
            return forbidden(request, user)
        return await form_page(request, user, DeadlineForm())

    async def deadline_detail(request: web.Request, user: PanelUser) -> web.StreamResponse:
        deadline = await found(request, user, DEADLINES)
        if not isinstance(deadline, Deadline):
            return deadline if isinstance(deadline, web.Response) else not_found(request, user)
        deadline_id = int(deadline.id or 0)
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
            recipients = await calendar().service.reminders.deadline_recipients(
                session, deadline)
            done = (await done_of(session, [deadline_id])).get(deadline_id, {})
            audience = _audience_words(*await audience_names(session, deadline, user.lang))
            shown = await delivery(session, user, deadline_source(deadline_id))
        return render(request, "kalendarz/deadline.html", {
            "deadline": deadline, "lines": lines, "insider": True, "audience": audience,
            "recipients": len(recipients), "done": len(done), **shown,
            "plan": await outlook(request, DEADLINES, deadline,
                                  utc(deadline.due_at) if active else None, True),
            "active": active, "manage": may_manage(user.actor, deadline.forum_id),
        })

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

    async def gone(request: web.Request, user: PanelUser) -> web.Response:
        """The upload form again: the file is no longer kept (imported, or left too long)."""
        return await import_form(request, user, problem=PanelProblem(
            "kalendarz.error.upload_gone"), status=404)

    async def import_preview(request: web.Request, user: PanelUser) -> web.StreamResponse:
        token = request.match_info["token"]
        upload = await stored(user, token)
        if upload is None:
            return await gone(request, user)
        # the outcome of the dry run made at upload: a reload compares nothing again (the
        # confirm imports afresh, with the person's rights and the calendar of that moment)
        return render(request, "kalendarz/import_preview.html", {
            "token": token, "file_name": upload.file_name, "preview": True,
            **_outcome(user.lang, outcome_from_json(upload.preview))})

    async def import_confirm(request: web.Request, user: PanelUser) -> web.StreamResponse:
        token = request.match_info["token"]
        upload = await stored(user, token)
        if upload is None:
            return await gone(request, user)
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
        web.post(f"{BASE}/wydarzenia/nowe", guarded(create(EVENTS), _manages_any)),
        web.get(r"/panel/kalendarz/wydarzenia/{id:\d+}", guarded(event_detail)),
        web.get(f"{BASE}/terminy/nowy", guarded(deadline_new, _manages_any)),
        web.post(f"{BASE}/terminy/nowy", guarded(create(DEADLINES), _manages_any)),
        web.get(r"/panel/kalendarz/terminy/{id:\d+}", guarded(deadline_detail)),
        *[route for sort in (EVENTS, DEADLINES) for route in (
            web.get(rf"{BASE}/{sort.path}/{{id:\d+}}/edycja", guarded(on_managed(sort, edit))),
            web.post(rf"{BASE}/{sort.path}/{{id:\d+}}/edycja", guarded(save(sort))),
            web.get(rf"{BASE}/{sort.path}/{{id:\d+}}/odwolanie",
                    guarded(on_managed(sort, cancel_page))),
            web.post(rf"{BASE}/{sort.path}/{{id:\d+}}/odwolanie", guarded(cancel(sort))))],
        web.get(r"/panel/kalendarz/wydarzenia/{id:\d+}/spotkania/{key:\d{12}}/odwolanie",
                guarded(on_managed(EVENTS, cancel_page))),
        web.post(r"/panel/kalendarz/wydarzenia/{id:\d+}/spotkania/{key:\d{12}}/odwolanie",
                 guarded(cancel(EVENTS))),
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
        # start and end in Warsaw time: the label names only the day
        "when": {label: ", ".join(format_span(lang, datetime.fromisoformat(start),
                                              datetime.fromisoformat(end), all_day=all_day)
                                  for start, end, all_day in spans)
                 for label, spans in outcome.times.items()},
    }

