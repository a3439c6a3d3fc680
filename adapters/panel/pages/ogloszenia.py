"""Ogłoszenia: compose an announcement (audience, quiet or urgent, live counts per messenger,
a preview as each messenger shows it, the SMS cost), confirm it on a page of its own, and
follow its report live — per messenger, with failure reasons, acknowledgements over time,
re-pings and escalation, and the people still to act (exported as CSV).

It drives the chat's own service (``AnnouncementService``: draft → send, exactly as the
"Wyślij" button does) under the chat's rules (``commands.authz`` ``ANNOUNCE_*``,
``READ_REPORT``). Without JavaScript every page works; ``ogloszenia.js`` only counts as one
types and refreshes the report.

A sent announcement's pages are at the number people see and the chat's ``/raport 2`` takes
(/panel/ogloszenia/2); a draft has no number yet and is addressed by its id under
/panel/ogloszenia/szkic/<id>/.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from typing import Any

import aiohttp_jinja2
from aiohttp import web
from markupsafe import Markup
from sqlalchemy import select
from sqlmodel import col

from adapters.panel.charts import Point, line_chart
from adapters.panel.texts import pt
from adapters.panel.web import (
    HEADERS,
    JINJA_KEY,
    NavItem,
    Panel,
    PanelUser,
    error_page,
    form_text,
    page,
    page_number,
    redirect,
    render,
    when,
)
from adapters.slack.blocks import render as slack_render
from adapters.teams.cards import render_parts
from adapters.telegram.render import render_message
from commands.announcements.audience import Audience
from commands.announcements.audience import may_address as shared_may_address
from commands.announcements.report import (
    AnnouncementReports,
    Report,
    ToAct,
    frame_languages,
    stored_audience,
)
from commands.announcements.service import DRAFT_VALID, MAX_TEXT, Draft
from commands.announcements.sms import preview_line
from commands.authz import Act, Target, may
from commands.clock import WARSAW
from commands.directory.importer import neutralise_cell
from commands.model import OutboundMessage, Priority
from commands.texts import PLATFORM_NAMES
from store.announcement_models import Announcement
from store.models import Forum, Gmina, Person, Role


def sender(user: PanelUser) -> bool:
    """Who may announce at all: admins, coordinators, moderators (the chat's SENDERS)."""
    return user.admin or bool(user.coordinates()) or bool(user.moderates())


NAV = NavItem(path="/panel/ogloszenia", label="ogloszenia.nav", order=40, visible=sender)
BASE = "/panel/ogloszenia"
MESSENGERS = ("teams", "telegram", "slack")  # the preview's order, as in the chat
BROAD = {"everyone": Audience(everyone=True),
         "coordinators": Audience(roles={Role.GMINA_COORDINATOR}),
         "moderators": Audience(roles={Role.FORUM_MODERATOR})}
BROAD_LABELS = {"everyone": "wszyscy", "coordinators": "koordynatorzy",
                "moderators": "moderatorzy"}  # as the author would write them in the chat
ADDRESS = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")  # looks like a whole e-mail address
CSV_FIELDS = ("csv_name", "csv_email", "csv_gmina", "csv_status", "csv_messengers",
              "csv_pings", "csv_last_ping")


# --- the compose form ------------------------------------------------------------------------


@dataclass(slots=True)
class Choice:
    """What the compose form asks for."""

    kind: str = ""
    forum: str = ""
    gmina: str = ""
    email: str = ""
    urgent: bool = False
    text: str = ""

    @classmethod
    def of(cls, form: Mapping[str, Any]) -> Choice:
        """Read a submitted compose form."""
        return cls(kind=form_text(form, "kind", limit=20),
                   forum=form_text(form, "forum", limit=12),
                   gmina=form_text(form, "gmina", limit=12),
                   email=form_text(form, "email", limit=254).lower(),
                   urgent=form_text(form, "mode", limit=10) == "urgent",
                   text=form_text(form, "text", limit=MAX_TEXT * 2))


@dataclass(slots=True)
class Resolved:
    """A valid audience, its label (as it would read in the chat) — or why not."""

    audience: Audience = field(default_factory=Audience)
    label: str = ""
    error: str = ""  # a text key
    forbidden: bool = False
    incomplete: bool = False  # nothing to check yet (no audience, forum, address chosen)


def kinds_for(user: PanelUser) -> list[str]:
    """The audiences ``user`` may pick from (the rest would be refused)."""
    kinds = (["everyone", "coordinators", "moderators"]
             if may(user.actor, Act.ANNOUNCE_EVERYONE) else [])
    if user.admin or user.moderates():
        kinds.append("forum")
    if user.admin or user.coordinates():
        kinds.append("gmina")
    return [*kinds, "person"]


async def options_for(panel: Panel, user: PanelUser) -> tuple[list[tuple[str, str]],
                                                               list[tuple[str, str]]]:
    """The forums and gminy ``user`` may address, for the selects."""
    async with panel.db.session() as session:
        forums = list((await session.execute(select(Forum).order_by(col(Forum.key)))).scalars())
        gminy = list((await session.execute(
            select(col(Gmina.id), col(Gmina.name)).order_by(col(Gmina.name)))).all())
    forum_options = [(str(f.id), f"{f.key} — "
                      f"{f.name_pl if user.lang == 'pl' else (f.name_en or f.name_pl)}")
                     for f in forums
                     if may(user.actor, Act.ANNOUNCE_FORUM, Target(forum_id=f.id))]
    gmina_options = [(str(g), str(name)) for g, name in gminy
                     if may(user.actor, Act.ANNOUNCE_GMINA, Target(gmina_id=int(g)))]
    return forum_options, gmina_options


async def resolve(panel: Panel, user: PanelUser, choice: Choice) -> Resolved:
    """The audience the form names, checked against the chat's rules."""
    if choice.kind not in ("everyone", "coordinators", "moderators", "forum", "gmina",
                           "person"):
        return Resolved(error="ogloszenia.err_audience", incomplete=not choice.kind)
    if choice.kind == "forum" and not choice.forum:
        return Resolved(error="ogloszenia.err_forum", incomplete=True)
    if choice.kind == "gmina" and not choice.gmina:
        return Resolved(error="ogloszenia.err_gmina", incomplete=True)
    if choice.kind == "person" and not ADDRESS.fullmatch(choice.email):
        # Not an address yet (empty, or still being typed): nobody to look up.
        return Resolved(error="ogloszenia.err_email", incomplete=True)
    if choice.kind in BROAD:
        found = Resolved(audience=BROAD[choice.kind], label=BROAD_LABELS[choice.kind])
    elif choice.kind == "forum":
        async with panel.db.session() as session:
            forum = (await session.get(Forum, int(choice.forum))
                     if choice.forum.isdigit() else None)
        if forum is None:
            return Resolved(error="ogloszenia.err_forum")
        found = Resolved(audience=Audience(forum_ids={int(forum.id or 0)}),
                         label=f"forum {forum.key}")
    elif choice.kind == "gmina":
        async with panel.db.session() as session:
            gmina = (await session.get(Gmina, int(choice.gmina))
                     if choice.gmina.isdigit() else None)
        if gmina is None:
            return Resolved(error="ogloszenia.err_gmina")
        found = Resolved(audience=Audience(gmina_ids={int(gmina.id or 0)}),
                         label=f"gmina {gmina.name}")
    else:
        async with panel.db.session() as session:
            # E-mails are stored in lower case (the unique index finds them).
            person = await session.scalar(select(Person).where(
                col(Person.email) == choice.email)) if choice.email else None
        if person is None:
            return Resolved(error="ogloszenia.err_person")
        found = Resolved(audience=Audience(emails={str(person.email).lower()}),
                         label=str(person.email))
    if not await may_address(panel, user, found.audience):
        return Resolved(forbidden=True)
    return found


async def may_address(panel: Panel, user: PanelUser, audience: Audience) -> bool:
    """The chat's rule (``/ogloszenie``, :func:`commands.announcements.audience.may_address`);
    every named address must be a person of the directory."""
    async with panel.db.session() as session:
        named = list((await session.execute(select(Person).where(
            col(Person.email).in_(audience.emails)))).scalars()) if audience.emails else []
        allowed = await shared_may_address(
            session, user.actor, broad=audience.everyone or bool(audience.roles),
            forum_ids=audience.forum_ids, gmina_ids=audience.gmina_ids, named=named)
    return allowed and len(named) == len(audience.emails)


def text_error(text: str) -> tuple[str, dict[str, object]] | None:
    """Why the text cannot be sent (a text key and its values), or None."""
    if not text:
        return "ogloszenia.err_text", {}
    # Telegram counts UTF-16 code units (as the chat's /ogloszenie does).
    length = len(text.encode("utf-16-le")) // 2
    if length > MAX_TEXT:
        return "ogloszenia.err_long", {"count": length, "limit": MAX_TEXT}
    return None


# --- previews: each messenger's adapter renders the copy ----------------------------------------


@dataclass(frozen=True, slots=True)
class Preview:
    """A recipient's copy as one messenger shows it."""

    platform: str
    name: str
    lines: list[tuple[str, str]]  # (style: "title" / "footer" / "", text)
    buttons: list[str]
    parts: int  # messages (or cards) the copy takes
    notification: str  # what the phone's notification reads
    note: str  # a text key: sound, alert, silence


class _TelegramText(HTMLParser):
    """Telegram's HTML (bold title, italic footer) back into styled lines."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[tuple[str, str]] = [("", "")]
        self.style = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.style = {"b": "title", "i": "footer"}.get(tag, self.style)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("b", "i"):
            self.style = ""

    def handle_data(self, data: str) -> None:
        for index, piece in enumerate(data.split("\n")):
            if index:
                self.lines.append(("", ""))
            style, text = self.lines[-1]
            self.lines[-1] = (style or (self.style if piece.strip() else ""), text + piece)


def _slack_plain(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def previews(message: OutboundMessage) -> list[Preview]:
    """The copy as Telegram, Slack and Teams show it, from each adapter's own rendering."""
    found = []
    chunks = render_message(message)
    lines: list[tuple[str, str]] = []
    for chunk in chunks:
        parser = _TelegramText()
        parser.feed(chunk.html)
        lines += [line for line in parser.lines if line[1].strip()]
    keyboard = chunks[-1].keyboard if chunks else None
    found.append(Preview(
        "telegram", PLATFORM_NAMES["telegram"], lines,
        [b.text for row in (keyboard.inline_keyboard if keyboard else ()) for b in row],
        len(chunks), lines[0][1] if lines else "",
        "ogloszenia.telegram_silent" if message.priority == Priority.QUIET
        else "ogloszenia.telegram_sound"))
    slack = slack_render(message)
    lines, buttons = [], []
    for part in slack:
        for block in part.blocks:
            if block["type"] == "section":
                text = _slack_plain(block["text"]["text"])
                title = not lines and text.startswith("*") and text.endswith("*")
                lines.append(("title", text[1:-1]) if title else ("", text))
            elif block["type"] == "context":
                lines += [("footer", _slack_plain(e["text"])) for e in block["elements"]]
            elif block["type"] == "actions":
                buttons += [e["text"]["text"] for e in block["elements"]]
    found.append(Preview("slack", PLATFORM_NAMES["slack"], lines, buttons, len(slack),
                         _slack_plain(slack[0].text).split("\n", 1)[0] if slack else "",
                         "ogloszenia.slack_note"))
    cards = render_parts(message)
    lines = []
    for card in cards:
        for element in card.blocks:
            inline = (element.element.get("inlines") or [{}])[0]
            style = ("title" if inline.get("weight") == "Bolder"
                     else "footer" if inline.get("isSubtle") else "")
            lines.append((style, element.plain))
    found.append(Preview("teams", PLATFORM_NAMES["teams"], lines,
                         [b.label for b in (cards[-1].buttons if cards else ())], len(cards),
                         cards[0].summary if cards else "",
                         "ogloszenia.teams_alert" if message.priority == Priority.URGENT
                         else "ogloszenia.teams_no_alert"))
    return found


@dataclass(frozen=True, slots=True)
class Frame:
    """The previews in one language of the copy's frame ("Ogłoszenie", "Od:"), and how many
    recipients a messenger copy in that language reaches."""

    lang: str
    people: int
    previews: list[Preview]


# --- counts ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Reach:
    """Whom a draft reaches, in people: by messenger or SMS, and who not and why."""

    recipients: int
    reached: int  # a messenger copy or an SMS goes to them
    where: str  # "Teams: 3, Telegram: 3, SMS: 2" (people each; urgent: on every messenger)
    without: int  # no linked messenger (and no SMS)
    unreachable: int  # linked, but no messenger takes messages for them

    @property
    def missed(self) -> int:
        """Recipients nothing will reach."""
        return self.without + self.unreachable


def reach_of(draft: Draft) -> Reach:
    """What :class:`Draft`'s counts mean for people (each is counted once in exactly one of:
    a messenger, SMS, no messenger, unreachable)."""
    where = [f"{name}: {n}" for name, n in count_rows(draft) if n]
    if draft.sms:
        where.append(f"SMS: {draft.sms}")
    missed = draft.without_messenger + draft.unreachable
    return Reach(draft.recipients, max(draft.recipients - missed, 0), ", ".join(where),
                 draft.without_messenger, draft.unreachable)


def count_rows(draft: Draft) -> list[tuple[str, int]]:
    """Copies per messenger: Teams, Telegram, Slack (always), then any other."""
    rows = [(PLATFORM_NAMES[p], draft.per_platform.get(p, 0)) for p in MESSENGERS]
    return rows + [(PLATFORM_NAMES.get(p, p), n) for p, n in sorted(draft.per_platform.items())
                   if p not in MESSENGERS]


def counts_json(draft: Draft) -> dict[str, object]:
    """The numbers of a preview, for the page's script (and anyone scripting it)."""
    return {"recipients": draft.recipients,
            "per_platform": {p: draft.per_platform.get(p, 0)
                             for p in sorted({*MESSENGERS, *draft.per_platform})},
            "without_messenger": draft.without_messenger, "unreachable": draft.unreachable,
            "sms": draft.sms, "sms_segments": draft.sms_segments,
            "groups": dict(draft.groups), "author_left_out": draft.author_left_out}


async def _person(panel: Panel, user: PanelUser) -> Person:
    async with panel.db.session() as session:
        person = await session.get(Person, user.person_id)
    if person is None:
        raise web.HTTPForbidden()
    return person


def _text(lang: str) -> Any:
    def text(key: str, /, **values: object) -> str:
        return pt(lang, key, **values)
    return text


def fragment(request: web.Request, user: PanelUser, template: str,
             context: Mapping[str, Any]) -> str:
    """A part of a page rendered alone (for the script that refreshes it)."""
    values = {"user": user, "lang": user.lang, "csrf": user.csrf, "_": _text(user.lang),
              "nav": [], "notice": "", "path": request.path, **context}
    return aiohttp_jinja2.render_string(template, request, values, app_key=JINJA_KEY)


# --- the report ----------------------------------------------------------------------------------


def bucket_text(lang: str, seconds: int) -> str:
    """"5 min", "3 godz.", "2 × 24 godz." — the length of one point of the chart."""
    if seconds < 3600:
        return pt(lang, "ogloszenia.bucket_minutes", count=seconds // 60)
    if seconds < 86400:
        return pt(lang, "ogloszenia.bucket_hours", count=seconds // 3600)
    return pt(lang, "ogloszenia.bucket_days", count=seconds // 86400)


def local_time(moment: datetime, *, day: bool = False) -> str:
    """A moment in Polish time: "10:35" (or with the day)."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(WARSAW).strftime("%Y-%m-%d %H:%M" if day else "%H:%M")


def seconds(moment: datetime) -> str:
    """A moment in Polish time to the second: "10:35:07"."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(WARSAW).strftime("%H:%M:%S")


def chart(report: Report, lang: str, now: datetime) -> Markup | None:
    """Acknowledgements over time: one point per bucket in which someone acknowledged,
    at the running total, from sending until now; None before the first acknowledgement."""
    if not report.buckets:
        return None
    sent = report.announcement.sent_at or report.announcement.created_at
    start = sent if sent.tzinfo else sent.replace(tzinfo=UTC)
    day = report.buckets[-1].start - start >= timedelta(days=1)
    points = [Point((b.start - start).total_seconds() / 60, b.total,
                    local_time(b.start, day=day)) for b in report.buckets]
    # Up to now, but no wider than the acknowledgements' own span shown by the buckets.
    until = max(points[-1].x + report.bucket_seconds / 60,
                min((now - start).total_seconds() / 60,
                    points[-1].x + report.bucket_seconds * 12 / 60))
    return line_chart(
        points, chart_id=f"acks-{report.number}", title=pt(lang, "ogloszenia.chart"),
        description=pt(lang, "ogloszenia.chart_desc", acked=report.counts["acknowledged"],
                       recipients=report.counts["recipients"],
                       bucket=bucket_text(lang, report.bucket_seconds)),
        y_max=report.counts["recipients"], x_min=0, x_max=until, origin=True)


def status_text(row: ToAct, lang: str) -> str:
    """A person's state in the list of people still to act."""
    return pt(lang, f"ogloszenia.status.{row.status}",
              platform=PLATFORM_NAMES.get(row.platform, row.platform), reason=row.reason)


def messengers_text(platforms: str) -> str:
    """"telegram,teams" → "Telegram, Teams"."""
    return ", ".join(PLATFORM_NAMES.get(p, p) for p in platforms.split(",") if p)


def report_context(report: Report, user: PanelUser, now: datetime) -> dict[str, Any]:
    """What the report page and its refreshed parts show."""
    number = report.number  # the number people see, and the chat's /raport takes
    told = report.pings.told if report.pings else {}
    counts = report.counts
    return {
        "report": report, "chart": chart(report, user.lang, now), "names": PLATFORM_NAMES,
        "status_text": lambda row: status_text(row, user.lang),
        "messengers_text": messengers_text, "local_time": local_time, "when": when,
        "bucket": bucket_text(user.lang, report.bucket_seconds),
        "told": {"sent": told.get("sent", 0),
                 "pending": told.get("pending", 0) + told.get("sending", 0),
                 "failed": sum(n for s, n in told.items()
                               if s not in ("sent", "pending", "sending", "cancelled"))},
        # One copy per person and messenger (re-pings go where the first copy went).
        "copies": sum(p.delivered + p.pending + p.failed for p in report.platforms),
        "missed": counts["unreachable"] + counts["cut_off"],
        "report_url": f"{BASE}/{number}", "json_url": f"{BASE}/{number}/raport.json",
        "export_url": f"{BASE}/{number}/osoby.csv",
    }


def _csv_line(values: list[str]) -> str:
    buffer = io.StringIO()
    # The directory export's dialect (commands.directory.importer.write_export): ";" and a
    # UTF-8 BOM, which Polish Excel opens by double-click; a cell a spreadsheet would run as
    # a formula is written as text (= + - @, tab, CR and their full-width forms).
    csv.writer(buffer, delimiter=";").writerow([neutralise_cell(v) for v in values])
    return buffer.getvalue()


def choice_of(announcement: Announcement) -> Choice:
    """The compose form a stored draft was made from (to edit it again)."""
    audience = stored_audience(announcement)
    choice = Choice(urgent=announcement.urgent, text=announcement.text)
    if audience.everyone:
        choice.kind = "everyone"
    elif audience.roles:
        choice.kind = next((kind for kind, broad in BROAD.items()
                            if broad.roles == audience.roles), "")
    elif audience.forum_ids:
        choice.kind, choice.forum = "forum", str(min(audience.forum_ids))
    elif audience.gmina_ids:
        choice.kind, choice.gmina = "gmina", str(min(audience.gmina_ids))
    elif audience.emails:
        choice.kind, choice.email = "person", min(audience.emails)
    return choice


# --- the routes ----------------------------------------------------------------------------------


def routes(panel: Panel) -> list[web.RouteDef]:
    """The list, compose, count, confirm, send, edit again, cancel, report, its JSON and its
    export. A draft is addressed by its id under /szkic/ (it has no number yet); a sent
    announcement by the number people see and the chat's ``/raport`` takes."""
    reports = AnnouncementReports(db=panel.db, service=panel.services.announcements)
    service = panel.services.announcements

    def key(request: web.Request) -> int:
        return int(request.match_info["id"])

    def report_url(announcement: Announcement | None) -> str:
        if announcement is None or not announcement.number:
            return BASE
        return f"{BASE}/{announcement.number}"

    async def index(request: web.Request, user: PanelUser) -> web.StreamResponse:
        page_no = page_number(request)
        rows, pages = await reports.listing(user.actor, page_no)
        return render(request, "ogloszenia/index.html", {
            "rows": rows, "page": min(page_no, pages), "pages": pages, "base": BASE,
            "when": when})

    async def compose_page(request: web.Request, user: PanelUser, choice: Choice, *,
                           draft: Draft | None = None, frames: list[Frame] | None = None,
                           error: str = "", error_values: Mapping[str, object] | None = None,
                           status: int = 200) -> web.Response:
        forums, gminy = await options_for(panel, user)
        return render(request, "ogloszenia/compose.html", {
            "choice": choice, "kinds": kinds_for(user), "forums": forums, "gminy": gminy,
            "limit": MAX_TEXT, "error": error, "error_values": error_values or {},
            **counts_context(draft, choice, frames, user.lang)}, status=status)

    def counts_context(draft: Draft | None, choice: Choice, frames: list[Frame] | None,
                       lang: str, problem: str = "") -> dict[str, Any]:
        sms = ""
        if draft is not None and draft.sms:
            sms = preview_line(lang, draft.sms, draft.sms_segments, draft.sms_price)
        return {"draft": draft, "rows": count_rows(draft) if draft else [],
                "reach": reach_of(draft) if draft else None,
                "frames": frames or [], "urgent": choice.urgent, "sms_line": sms,
                "problem": problem,
                "groups_total": sum(draft.groups.values()) if draft else 0}

    async def frames_for(author: Person, audience: Audience, urgent: bool, text: str
                         ) -> list[Frame]:
        """The previews as recipients get them: in Polish (the frame most get), and in
        English too when some recipients read English."""
        languages = await frame_languages(panel.db, audience, int(author.id or 0))
        found = []
        for lang in ("pl", "en"):
            if lang == "pl" or languages.get(lang):
                found.append(Frame(lang, languages.get(lang, 0), previews(
                    await service.copy_preview(author=author, urgent=urgent, text=text,
                                               lang=lang))))
        return found

    async def evaluate(user: PanelUser, choice: Choice
                       ) -> tuple[Resolved, Draft | None, list[Frame]]:
        resolved = await resolve(panel, user, choice)
        if resolved.error or resolved.forbidden:
            return resolved, None, []
        author = await _person(panel, user)
        draft = await service.estimate(author=author, urgent=choice.urgent,
                                       text=choice.text or "…", audience=resolved.audience)
        frames = await frames_for(author, resolved.audience, choice.urgent,
                                  choice.text) if choice.text else []
        return resolved, draft, frames

    async def compose(request: web.Request, user: PanelUser) -> web.StreamResponse:
        kinds = kinds_for(user)
        choice = Choice(kind=kinds[0] if len(kinds) == 1 else "")
        again = request.query.get("szkic", "")
        if again.isdigit() and len(again) <= 12:  # "Wróć do edycji": the draft's form
            found = await own_draft(user, int(again))
            if found is not None and found.state != "sent":
                choice = choice_of(found)
        return await compose_page(request, user, choice)

    async def compose_post(request: web.Request, user: PanelUser) -> web.StreamResponse:
        form = await request.post()
        choice = Choice.of(form)
        resolved, draft, frames = await evaluate(user, choice)
        if resolved.forbidden:
            return error_page(request, 403, "common.error_forbidden", lang=user.lang)
        if resolved.error:
            return await compose_page(request, user, choice, error=resolved.error,
                                      status=400)
        if form_text(form, "do", limit=10) != "preview":  # "Policz": numbers only
            return await compose_page(request, user, choice, draft=draft, frames=frames)
        problem = text_error(choice.text)
        if problem is not None:
            return await compose_page(request, user, choice, draft=draft, frames=frames,
                                      error=problem[0], error_values=problem[1], status=400)
        author = await _person(panel, user)
        made = await service.draft(author=author, urgent=choice.urgent, text=choice.text,
                                   audience=resolved.audience, label=resolved.label)
        if made.recipients == 0:
            await service.cancel(made.announcement_id, author=author)
            return await compose_page(request, user, choice, draft=draft, frames=frames,
                                      error="ogloszenia.err_nobody", status=400)
        async with panel.db.session() as session:
            await panel.audit(session, user, "announcement.draft",
                              f"announcement:{made.announcement_id}",
                              {"urgent": choice.urgent, "recipients": made.recipients})
            await session.commit()
        return redirect(request, f"{BASE}/szkic/{made.announcement_id}/potwierdz")

    async def count(request: web.Request, user: PanelUser) -> web.StreamResponse:
        """The live counts. An incomplete form (no audience, forum or whole address yet) is
        no error: "incomplete" and the hint; a wrong one "invalid" and why; else "ready"."""
        choice = Choice.of(await request.post())
        resolved, draft, frames = await evaluate(user, choice)
        if resolved.forbidden:
            return web.json_response({"error": pt(user.lang, "common.error_forbidden")},
                                     status=403, headers=HEADERS)
        if resolved.error or draft is None:
            state = "incomplete" if resolved.incomplete else "invalid"
            problem = "" if resolved.incomplete else resolved.error
            html = fragment(request, user, "ogloszenia/_counts.html",
                            counts_context(None, choice, None, user.lang, problem))
            return web.json_response({"state": state, "html": html, **(
                {} if resolved.incomplete else {"error": pt(user.lang, resolved.error)})},
                headers=HEADERS)
        html = fragment(request, user, "ogloszenia/_counts.html",
                        counts_context(draft, choice, frames, user.lang))
        return web.json_response({"state": "ready", **counts_json(draft), "html": html},
                                 headers=HEADERS)

    async def own_draft(user: PanelUser, announcement_id: int) -> Announcement | None:
        async with panel.db.session() as session:
            found = await session.get(Announcement, announcement_id)
        if found is None or found.author_id != user.person_id:
            return None
        return found

    async def confirm(request: web.Request, user: PanelUser) -> web.StreamResponse:
        found = await own_draft(user, key(request))
        if found is None or found.state == "cancelled":
            return error_page(request, 404, "ogloszenia.missing", lang=user.lang)
        if found.state == "sent":
            return redirect(request, report_url(found), notice="ogloszenia.already")
        created = found.created_at if found.created_at.tzinfo else found.created_at.replace(
            tzinfo=UTC)
        if created < panel.now() - DRAFT_VALID:
            return redirect(request, f"{BASE}/nowe", notice="ogloszenia.expired")
        audience = stored_audience(found)
        if not await may_address(panel, user, audience):
            return error_page(request, 403, "common.error_forbidden", lang=user.lang)
        author = await _person(panel, user)
        draft = await service.estimate(author=author, urgent=found.urgent, text=found.text,
                                       audience=audience)
        frames = await frames_for(author, audience, found.urgent, found.text)
        choice = Choice(urgent=found.urgent, text=found.text)
        return render(request, "ogloszenia/confirm.html", {
            "announcement": found, "base": BASE, "draft_url": f"{BASE}/szkic/{found.id}",
            "reach_above": True,
            **counts_context(draft, choice, frames, user.lang)})

    async def send(request: web.Request, user: PanelUser) -> web.StreamResponse:
        announcement_id = key(request)
        found = await own_draft(user, announcement_id)
        if found is None:
            return error_page(request, 404, "ogloszenia.missing", lang=user.lang)
        if found.state == "draft" and not await may_address(panel, user,
                                                            stored_audience(found)):
            return error_page(request, 403, "common.error_forbidden", lang=user.lang)
        author = await _person(panel, user)
        outcome, sent = await service.send(announcement_id, author=author, author_ref=None,
                                           author_message_id=None)
        if outcome == "sent":
            async with panel.db.session() as session:
                await panel.audit(session, user, "announcement.confirm",
                                  f"announcement:{announcement_id}", {"urgent": found.urgent})
                await session.commit()
            # The report says what was queued for whom (no notice: "Wysłane" would claim
            # more than may be true — nobody may be reachable).
            return redirect(request, report_url(sent), query={"wyslane": "1"})
        if outcome == "already":
            return redirect(request, report_url(sent), notice="ogloszenia.already")
        if outcome == "expired":
            return redirect(request, f"{BASE}/nowe", notice="ogloszenia.expired")
        return redirect(request, BASE, notice="ogloszenia.cancelled"
                        if outcome == "cancelled" else "ogloszenia.missing")

    async def drop(request: web.Request, user: PanelUser) -> Announcement | None:
        """Cancel the user's draft (None: there is none); the announcement as it was."""
        announcement_id = key(request)
        found = await own_draft(user, announcement_id)
        if found is None:
            return None
        if await service.cancel(announcement_id, author=await _person(panel, user)):
            async with panel.db.session() as session:
                await panel.audit(session, user, "announcement.cancel",
                                  f"announcement:{announcement_id}")
                await session.commit()
        return found

    async def cancel(request: web.Request, user: PanelUser) -> web.StreamResponse:
        found = await drop(request, user)
        if found is None:
            return error_page(request, 404, "ogloszenia.missing", lang=user.lang)
        if found.state == "sent":
            return redirect(request, report_url(found), notice="ogloszenia.already")
        return redirect(request, f"{BASE}/nowe", notice="ogloszenia.cancelled")

    async def edit(request: web.Request, user: PanelUser) -> web.StreamResponse:
        """"Wróć do edycji": this draft is dropped (a new one is made from the form) and the
        form comes back as it was filled in."""
        found = await drop(request, user)
        if found is None:
            return error_page(request, 404, "ogloszenia.missing", lang=user.lang)
        if found.state == "sent":
            return redirect(request, report_url(found), notice="ogloszenia.already")
        return redirect(request, f"{BASE}/nowe", query={"szkic": str(found.id)})

    async def readable(request: web.Request, user: PanelUser) -> Announcement | None:
        return await reports.readable(user.actor, key(request))

    async def report(request: web.Request, user: PanelUser) -> web.StreamResponse:
        found = await readable(request, user)
        if found is None:
            return error_page(request, 404, "ogloszenia.missing", lang=user.lang)
        shown = await reports.report(found, user.lang, page=page_number(request))
        return render(request, "ogloszenia/report.html", {
            **report_context(shown, user, panel.now()), "base": BASE,
            "just_sent": request.query.get("wyslane") == "1",
            "updated": seconds(panel.now())})

    async def report_json(request: web.Request, user: PanelUser) -> web.StreamResponse:
        found = await readable(request, user)
        if found is None:
            return web.json_response({"error": pt(user.lang, "ogloszenia.missing")},
                                     status=404, headers=HEADERS)
        shown = await reports.report(found, user.lang, page=page_number(request))
        context = {**report_context(shown, user, panel.now()), "base": BASE}
        return web.json_response({
            "counts": shown.counts, "to_act": shown.to_act_total, "summary": shown.summary,
            "platforms": {p.platform: {"delivered": p.delivered, "acknowledged": p.acknowledged,
                                       "pending": p.pending, "failed": p.failed}
                          for p in shown.platforms},
            "updated": pt(user.lang, "ogloszenia.updated", time=seconds(panel.now())),
            "live": fragment(request, user, "ogloszenia/_live.html", context),
            "people": fragment(request, user, "ogloszenia/_people.html", context),
        }, headers=HEADERS)

    async def export(request: web.Request, user: PanelUser) -> web.StreamResponse:
        found = await readable(request, user)
        if found is None:
            return error_page(request, 404, "ogloszenia.missing", lang=user.lang)
        async with panel.db.session() as session:
            await panel.audit(session, user, "announcement.export", f"announcement:{found.id}")
            await session.commit()
        number = found.number or found.id
        response = web.StreamResponse(headers={
            **HEADERS, "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": f'attachment; filename="ogloszenie-{number}-osoby.csv"'})
        await response.prepare(request)
        # The BOM tells spreadsheet programs the file is UTF-8 (Polish letters).
        await response.write(("\ufeff" + _csv_line(
            [pt(user.lang, f"ogloszenia.{f}") for f in CSV_FIELDS])).encode())
        async for batch in reports.everyone_to_act(found, user.lang):
            await response.write("".join(_csv_line([
                row.person.name, row.person.email, row.person.gmina,
                status_text(row, user.lang), messengers_text(row.person.platforms),
                str(row.person.pings),
                row.person.last_ping_at.astimezone(UTC).isoformat(timespec="seconds")
                if row.person.last_ping_at and row.person.platforms else ""])
                for row in batch).encode())
        await response.write_eof()
        return response

    ident = r"{id:\d{1,12}}"
    draft = f"{BASE}/szkic/{ident}"
    return [
        web.get(BASE, page(panel, index, allow=sender)),
        web.get(f"{BASE}/nowe", page(panel, compose, allow=sender)),
        web.post(f"{BASE}/nowe", page(panel, compose_post, allow=sender)),
        web.post(f"{BASE}/policz", page(panel, count, allow=sender)),
        web.get(f"{draft}/potwierdz", page(panel, confirm, allow=sender)),
        web.post(f"{draft}/wyslij", page(panel, send, allow=sender)),
        web.post(f"{draft}/popraw", page(panel, edit, allow=sender)),
        web.post(f"{draft}/anuluj", page(panel, cancel, allow=sender)),
        web.get(f"{BASE}/{ident}", page(panel, report)),
        web.get(f"{BASE}/{ident}/raport.json", page(panel, report_json)),
        web.get(f"{BASE}/{ident}/osoby.csv", page(panel, export)),
    ]
