"""Katalog: the directory as a table, its entries, import and export, and the freshness
campaign.

The search understands what the bot understands: the text goes through the bot's own query
parsing and answer selection (:mod:`commands.directory.query`, ``DirectoryAnswers``) on the
in-memory index, plus names and e-mails (a table is also searched for a person). Without a
search the filters and the count run in SQL (:mod:`store.directory_listing`). Entries are
edited through the chat's own edit (:func:`commands.directory.handlers.edit_field`) with the
chat's rules (:func:`commands.authz.may`); import and export are for admins and go through
the importer of ``lacznik directory import``, with a preview of every row before anything is
written; the campaign (admins) is :mod:`commands.directory.freshness`.
"""

from __future__ import annotations

import asyncio
import secrets
import tempfile
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from weakref import WeakKeyDictionary

from aiohttp import web

from adapters.panel.texts import pt
from adapters.panel.web import (
    COOKIE,
    USER_KEY,
    NavItem,
    Panel,
    PanelUser,
    error_page,
    form_text,
    page,
    page_number,
    redirect,
    render,
)
from commands.authz import Act, may, person_target
from commands.directory.answers import AnswerState
from commands.directory.freshness import (
    NotAllowed,
    current_progress,
    cutoff_for,
    plan_campaign,
    start_campaign,
)
from commands.directory.handlers import edit_field
from commands.directory.import_preview import (
    MAX_UPLOAD,
    admin_choice,
    export_selection,
    message_in,
    parse_upload,
    preview,
)
from commands.directory.importer import write_export
from commands.directory.index import DirectoryIndex
from commands.directory.query import parse_query
from commands.directory.service import DirectoryService
from commands.texts import PLATFORM_NAMES
from store import directory_listing as listing
from store.directory import directory_version
from store.freshness import drop_upload, get_upload, put_upload
from store.models import Gmina, Person, Role
from store.people import grant_role, grants_of, person_by_email

NAV = NavItem(path="/panel/katalog", label="katalog.nav", order=10)
PAGE = listing.PAGE_SIZE
# The entry's fields the panel edits, as the chat names them (commands.directory.handlers).
EDITABLE = ("position", "phone", "preferred_contact", "notes", "language", "email")
UPLOAD_VALID = timedelta(hours=1)  # a preview not confirmed within this is gone
PREVIEW_ROWS = 500  # rows of a preview listed on the page (the counts cover all)
ADMIN_SELECT_MAX = 300  # a file with more e-mails gets a text field, not a long list


def _admin(user: PanelUser) -> bool:
    return user.admin


def _int(text: str) -> int | None:
    return int(text) if text.isdigit() and len(text) < 10 else None


@dataclass(frozen=True, slots=True)
class Selection:
    """The table's search and filters, as the address gives them."""

    text: str = ""
    gmina_id: int | None = None
    topic_id: int | None = None
    months: int | None = None  # older than this many months (or never confirmed)

    @classmethod
    def of(cls, request: web.Request) -> Selection:
        """Read ``?q=&gmina=&topic=&months=`` (nonsense is ignored)."""
        months = _int(request.query.get("months", "").strip())
        return cls(text=request.query.get("q", "").strip()[:200],
                   gmina_id=_int(request.query.get("gmina", "")),
                   topic_id=_int(request.query.get("topic", "")),
                   months=min(months, 240) if months else None)

    def query(self) -> str:
        """The selection as a query string ("" when empty)."""
        pairs = [("q", self.text), ("gmina", str(self.gmina_id or "")),
                 ("topic", str(self.topic_id or "")), ("months", str(self.months or ""))]
        return urlencode([(k, v) for k, v in pairs if v])


# --- search: the bot's understanding, on the in-memory index ---------------------------------

_FOLDED: WeakKeyDictionary[DirectoryIndex, dict[int, str]] = WeakKeyDictionary()
_PLAIN = str.maketrans("ąćęłńóśźż", "acelnoszz")


def _plain(text: str) -> str:
    """Lower case without Polish diacritics: cheap enough for 35,000 names at once (the
    Unicode decomposition of :func:`fold` took most of a second)."""
    return text.casefold().translate(_PLAIN)


def _folded_names(index: DirectoryIndex) -> dict[int, str]:
    """Each person's name and e-mail, folded (built once per index)."""
    found = _FOLDED.get(index)
    if found is None:
        found = {p.id: _plain(f"{p.name} {p.email or ''}") for p in index.persons.values()}
        _FOLDED[index] = found
    return found


async def search(directory: DirectoryService, text: str) -> list[int]:
    """People a search finds, best first: those the bot would answer the text with (every
    gmina it names), then people whose name or e-mail holds it."""
    index = await directory.index()
    query = parse_query(text, index)
    found: dict[int, None] = {}
    if not query.is_empty:
        states = [AnswerState(gmina_id, query.topic_ids, query.words)
                  for mention in query.mentions for gmina_id in sorted(mention.ids)]
        if not states and not query.outside:
            states = [AnswerState(None, query.topic_ids, query.words)]
        for state in states:
            gmina = index.gminy.get(state.gmina_id) if state.gmina_id else None
            # The answer's own selection (which people, in which order), without its paging.
            for person, _gmina in directory.answers.rows(index, state, gmina):
                found.setdefault(person.id)
    needle = _plain(text.strip())
    if len(needle) >= 3:
        for person_id, folded in _folded_names(index).items():
            if needle in folded:
                found.setdefault(person_id)
    return list(found)


_CHOICES: WeakKeyDictionary[DirectoryIndex, tuple[list[tuple[int, str]],
                                                  list[tuple[int, str, str]]]] = (
    WeakKeyDictionary())


def _choices(index: DirectoryIndex) -> tuple[list[tuple[int, str]], list[tuple[int, str, str]]]:
    """The filters' options — gminy that have people (the powiat tells equal names apart),
    topics someone handles — from the index (made once per index, not queried per page)."""
    found = _CHOICES.get(index)
    if found is None:
        used = {p.gmina_id for p in index.persons.values() if p.gmina_id} | set(index.by_gmina)
        shown = sorted((index.gminy[i] for i in used if i in index.gminy),
                       key=lambda g: (g.name, g.powiat, g.id))
        names = Counter(g.name for g in shown)
        gminy = [(g.id, f"{g.name} ({g.powiat})" if names[g.name] > 1 and g.powiat else g.name)
                 for g in shown]
        topics = sorted(((t.id, t.name_pl, t.name_en) for t in index.topics.values()
                         if index.by_topic.get(t.id)), key=lambda x: (x[1], x[0]))
        found = (gminy, topics)
        _CHOICES[index] = found
    return found


def _keep(index: DirectoryIndex, person_id: int, chosen: Selection, cutoff: date | None
          ) -> bool:
    """The filters, for the people a search found (from the index, already in memory)."""
    person = index.persons.get(person_id)
    if person is None:
        return False
    entries = index.by_person.get(person_id, ())
    if chosen.gmina_id is not None and person.gmina_id != chosen.gmina_id and not any(
            e.gmina_id == chosen.gmina_id for e in entries):
        return False
    if chosen.topic_id is not None and not any(e.topic_id == chosen.topic_id for e in entries):
        return False
    return cutoff is None or person.confirmed_on is None or person.confirmed_on <= cutoff


async def _selected_ids(panel: Panel, chosen: Selection) -> list[int] | None:
    """The ids a search selects after the filters; None without a search (SQL filters)."""
    if not chosen.text:
        return None
    directory = panel.services.directory
    cutoff = cutoff_for(directory.today(), chosen.months) if chosen.months else None
    index = await directory.index()
    return [i for i in await search(directory, chosen.text) if _keep(index, i, chosen, cutoff)]


def _filter(panel: Panel, chosen: Selection) -> listing.ListingFilter:
    cutoff = (cutoff_for(panel.services.directory.today(), chosen.months)
              if chosen.months else None)
    return listing.ListingFilter(gmina_id=chosen.gmina_id, topic_id=chosen.topic_id,
                                 stale_cutoff=cutoff)


def routes(panel: Panel) -> list[web.RouteDef]:
    """The table, an entry, import, export and the campaign."""
    directory = panel.services.directory

    async def index(request: web.Request, user: PanelUser) -> web.StreamResponse:
        chosen = Selection.of(request)
        number = page_number(request)
        found = await _selected_ids(panel, chosen)
        async with panel.db.session() as session:
            if found is None:
                total = await listing.count(session, _filter(panel, chosen))
                pages = max(1, -(-total // PAGE))
                rows = await listing.page(session, _filter(panel, chosen), min(number, pages))
            else:
                total = len(found)
                pages = max(1, -(-total // PAGE))
                start = (min(number, pages) - 1) * PAGE
                rows = await listing.by_ids(session, found[start : start + PAGE])
        gminy, topics = _choices(await directory.index())
        query = chosen.query()
        return render(request, "katalog/index.html", {
            "rows": rows, "total": total, "page": min(number, pages), "pages": pages,
            "chosen": chosen, "gminy": gminy, "topics": topics,
            "stale_months": directory.answers.stale_after_months,
            "today": directory.today(), "is_stale": directory.answers.is_stale,
            "pager_url": "/panel/katalog" + ("?" + query if query else ""),
            "export_url": "/panel/katalog/eksport" + ("?" + query if query else ""),
        })

    async def _entry(person_id: int | None) -> tuple[Person | None, Any]:
        if person_id is None:
            return None, None
        async with panel.db.session() as session:
            person = await session.get(Person, person_id)
            if person is None or person.id is None:
                return None, None
            target = person_target(person.id, person.gmina_id,
                                   await grants_of(session, person.id))
            gmina = await session.get(Gmina, person.gmina_id) if person.gmina_id else None
        return person, (target, gmina.name if gmina else person.organisation)

    def _may_edit(user: PanelUser, target: Any) -> bool:
        return may(user.actor, Act.EDIT_OWN, target) or may(user.actor, Act.EDIT_ENTRY, target)

    async def show(request: web.Request, user: PanelUser, *, status: int = 200,
                   errors: list[str] | None = None, values: dict[str, str] | None = None
                   ) -> web.StreamResponse:
        person, found = await _entry(_int(request.match_info["id"]))
        if person is None:
            raise web.HTTPNotFound()
        target, where = found
        index = await directory.index()
        topics = [x.name(user.lang) for x in index.topics_of(int(person.id or 0))]
        shown = {name: str(getattr(person, name) or "") for name in EDITABLE}
        return render(request, "katalog/entry.html", {
            "person": person, "where": where, "topics": topics,
            "may_edit": _may_edit(user, target),
            "may_email": may(user.actor, Act.EDIT_IDENTITY),
            "values": {**shown, **(values or {})}, "errors": errors or [],
            "stale": directory.answers.is_stale(person.confirmed_on, directory.today()),
        }, status=status)

    async def entry(request: web.Request, user: PanelUser) -> web.StreamResponse:
        return await show(request, user)

    async def save(request: web.Request, user: PanelUser) -> web.StreamResponse:
        person, found = await _entry(_int(request.match_info["id"]))
        if person is None or person.id is None:
            raise web.HTTPNotFound()
        target, _where = found
        if not _may_edit(user, target):  # the chat's rule: own entry, or a coordinator's
            return error_page(request, 403, "katalog.not_yours", lang=user.lang)
        form = await request.post()
        errors: list[str] = []
        posted: dict[str, str] = {}
        for name in EDITABLE:
            if name not in form:
                continue
            # A browser sends a textarea's line breaks as CRLF; the chat stores LF.
            value = form_text(form, name, limit=2100).replace("\r\n", "\n")
            posted[name] = value
            if value == str(getattr(person, name) or "") or (name == "language" and not value):
                continue
            outcome = await edit_field(
                panel.services, who=user.actor, actor_label=f"panel:person:{user.person_id}",
                person_id=person.id, field_name=name, value=value,
                actor_is_self=person.id == user.person_id, audited=True)
            if not outcome.saved:
                label = _field_label(user.lang, name)
                errors.append(_text(user.lang, outcome.key, **{**outcome.values,
                                                               "field": label}))
        if errors:
            return await show(request, user, status=400, errors=errors, values=posted)
        return redirect(request, f"/panel/katalog/{person.id}", notice="katalog.saved")

    async def export(request: web.Request, user: PanelUser) -> web.StreamResponse:
        chosen = Selection.of(request)
        found = await _selected_ids(panel, chosen)
        plain = request.query.get("format") == "plain"
        async with panel.db.session() as session:
            if found is None and chosen.gmina_id is None and chosen.topic_id is None \
                    and chosen.months is None:
                rows = await export_selection(session, None)
            else:
                ids = set(found if found is not None
                          else await listing.ids(session, _filter(panel, chosen)))
                rows = await export_selection(session, ids)
            await panel.audit(session, user, "directory.export", "directory",
                              {"rows": len(rows), "filtered": bool(chosen.query())})
            await session.commit()
        body = await asyncio.to_thread(_export_body, rows, plain=plain)  # CPU: off the loop
        stamp = directory.today().isoformat()
        return web.Response(body=body, content_type="text/csv", charset="utf-8", headers={
            "Content-Disposition": f'attachment; filename="katalog-{stamp}.csv"',
            "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"})

    async def import_form(request: web.Request, user: PanelUser) -> web.StreamResponse:
        return render(request, "katalog/import.html", {"errors": []})

    async def upload(request: web.Request, user: PanelUser) -> web.StreamResponse:
        form = await request.post()
        sent = form.get("file")
        if not isinstance(sent, web.FileField) or not sent.filename:
            return render(request, "katalog/import.html",
                          {"errors": [], "file_error": _text(user.lang, "katalog.import_no_file")},
                          status=400)
        data = sent.file.read(MAX_UPLOAD + 1)
        filename = Path(sent.filename or "plik.csv").name[:200]
        if len(data) > MAX_UPLOAD:
            return render(request, "katalog/import.html",
                          {"errors": [_text(user.lang, "katalog.import_too_big")]}, status=400)
        return await _preview(request, user, data, filename, token=None)

    def _refused(request: web.Request, user: PanelUser, errors: list[str]) -> web.Response:
        """The upload form with the file's problems, in the reader's language only."""
        return render(request, "katalog/import.html",
                      {"errors": [message_in(user.lang, e) for e in errors]}, status=400)

    async def _preview(request: web.Request, user: PanelUser, data: bytes, filename: str, *,
                       token: str | None, changed: bool = False, admin_error: str = "",
                       admin_email: str = "") -> web.StreamResponse:
        # Reading a file is CPU work: in a thread, so webhooks and the outbox keep running.
        # The database stays here, on the loop (a connection does not cross threads).
        parsed = await asyncio.to_thread(parse_upload, data, filename)
        async with panel.db.session() as session:
            result = await preview(session, parsed, morphology=directory.morphology,
                                   thesaurus=directory.thesaurus)
            if result.errors:
                return _refused(request, user, result.errors)
            me = await session.get(Person, user.person_id)
            version = await directory_version(session)
            now = panel.now()
            if token is not None:
                await drop_upload(session, token)
            token = secrets.token_urlsafe(24)
            await put_upload(session, token=token, person_id=user.person_id,
                             session_id=user.session_id, filename=filename, data=data,
                             version=version, now=now, keep_after=now - UPLOAD_VALID)
            await session.commit()
        shown = [row for row in result.rows if row.status != "unchanged"]
        return render(request, "katalog/preview.html", {
            "result": result, "filename": filename, "token": token,
            "shown": shown[:PREVIEW_ROWS], "more": max(0, len(shown) - PREVIEW_ROWS),
            "changed": changed, "total_rows": len(result.rows),
            "i_am_demo": bool(me is not None and me.demo and result.demo_people),
            "removed_more": max(0, result.demo_people - len(result.removed_people)),
            "admin_select": len(result.file_people) <= ADMIN_SELECT_MAX,
            "admin_error": admin_error, "admin_email": admin_email,
        }, status=400 if admin_error else 200)

    async def confirm(request: web.Request, user: PanelUser) -> web.StreamResponse:
        form = await request.post()
        token = form_text(form, "token", limit=100)
        now = panel.now()
        async with panel.db.session() as session:
            stored = await get_upload(session, token, user.person_id, user.session_id,
                                      created_after=now - UPLOAD_VALID) if token else None
            if stored is None:
                return render(request, "katalog/import.html",
                              {"errors": [_text(user.lang, "katalog.import_expired")]},
                              status=400)
            data, filename, version = stored.data, stored.filename, stored.version
            current = await directory_version(session)
        if current != version:  # the directory changed since the preview: show it anew
            return await _preview(request, user, data, filename, token=token, changed=True)
        parsed = await asyncio.to_thread(parse_upload, data, filename)  # as in _preview
        if parsed.errors:
            return _refused(request, user, parsed.errors)
        typed = form_text(form, "admin_email", limit=254)
        async with panel.db.session() as session:
            no_admin_left = await listing.admins(session, demo=False) == 0
        chosen = admin_choice(parsed, typed) if no_admin_left else None
        if no_admin_left and chosen is None:
            # Nobody could sign in as admin afterwards: the import waits for a name.
            key = "katalog.admin_not_in_file" if typed else "katalog.admin_missing"
            return await _preview(request, user, data, filename, token=token,
                                  admin_error=_text(user.lang, key, email=typed),
                                  admin_email=typed)
        async with panel.db.session() as session:
            summary = await panel.importer.apply(session, parsed, today=directory.today())
            await panel.audit(session, user, "directory.import", filename[:200], {
                "rows": len(parsed.rows), "added": summary.people_added,
                "updated": summary.people_updated, "entries_removed": summary.entries_removed,
                "demo_people_removed": summary.demo_removed.counts.get("people", 0),
                "demo_removed": summary.demo_removed.total})
            admin = await person_by_email(session, chosen) if chosen else None
            if admin is not None and admin.id is not None:
                await grant_role(session, admin.id, Role.ADMIN)
                await panel.audit(session, user, "role.grant", f"person:{admin.id}",
                                  {"role": Role.ADMIN.value, "forum_id": None,
                                   "gmina_id": None, "why": "directory.import"})
            await drop_upload(session, token)
            await session.commit()
            still_here = await session.get(Person, user.person_id) is not None
        directory.invalidate()
        if still_here and admin is None and not summary.demo_removed.counts.get("people"):
            return redirect(request, "/panel/katalog", notice="katalog.imported")
        return _imported_page(request, user, signed_out=not still_here,
                              admin=admin, demo_people=summary.demo_removed.counts.get(
                                  "people", 0), added=summary.people_added,
                              updated=summary.people_updated)

    async def cancel_import(request: web.Request, user: PanelUser) -> web.StreamResponse:
        form = await request.post()
        token = form_text(form, "token", limit=100)
        async with panel.db.session() as session:
            if token and await get_upload(session, token, user.person_id, user.session_id,
                                          created_after=panel.now() - UPLOAD_VALID):
                await drop_upload(session, token)
                await session.commit()
        return redirect(request, "/panel/katalog", notice="katalog.import_cancelled")

    def _months(text: str) -> int:
        months = _int(text) or directory.answers.stale_after_months
        return max(1, min(months, 120))

    async def freshness(request: web.Request, user: PanelUser) -> web.StreamResponse:
        months = _months(request.query.get("months", ""))
        cutoff = cutoff_for(directory.today(), months)
        async with panel.db.session() as session:
            stale = await listing.count(session, listing.ListingFilter(stale_cutoff=cutoff))
        progress = await current_progress(panel.services)
        started = _int(request.query.get("started", ""))
        return render(request, "katalog/freshness.html", {
            "progress": progress, "months": months, "cutoff": cutoff, "stale": stale,
            "just_started": progress is not None and progress.campaign_id == started})

    async def plan(request: web.Request, user: PanelUser) -> web.StreamResponse:
        found = await plan_campaign(panel.services,
                                    months=_months(request.query.get("months", "")))
        return render(request, "katalog/fresh_confirm.html", {
            "plan": found, "platforms": [(PLATFORM_NAMES.get(p, p), n)
                                         for p, n in found.by_platform.items()]})

    async def start(request: web.Request, user: PanelUser) -> web.StreamResponse:
        form = await request.post()
        months = _int(form_text(form, "months", limit=4))
        if months is None or not 1 <= months <= 120:
            return error_page(request, 400, "katalog.fresh_bad_months", lang=user.lang)
        try:
            started = await start_campaign(panel.services, user.actor, months=months,
                                           actor_label=f"panel:person:{user.person_id}")
        except NotAllowed:
            return error_page(request, 403, "common.error_forbidden", lang=user.lang)
        # The page says how many were asked and how many could not be (no bare "sent").
        return redirect(request, "/panel/katalog/aktualnosc",
                        query={"started": str(started.campaign_id), "months": str(months)})

    async def progress_json(request: web.Request, user: PanelUser) -> web.StreamResponse:
        found = await current_progress(panel.services)
        if found is None:
            return web.json_response({})
        return web.json_response({"asked": found.asked, "confirmed": found.confirmed,
                                  "corrected": found.corrected, "no_answer": found.no_answer,
                                  "up_to_date": found.up_to_date,
                                  "unreachable": found.unreachable})

    return [
        web.get("/panel/katalog", page(panel, index)),
        web.get("/panel/katalog/eksport", page(panel, export, allow=_admin)),
        web.get("/panel/katalog/import", page(panel, import_form, allow=_admin)),
        web.post("/panel/katalog/import", page(panel, upload, allow=_admin,
                                                max_body=MAX_UPLOAD + 64 * 1024)),
        web.post("/panel/katalog/import/potwierdz", page(panel, confirm, allow=_admin)),
        web.post("/panel/katalog/import/anuluj", page(panel, cancel_import, allow=_admin)),
        web.get("/panel/katalog/aktualnosc", page(panel, freshness, allow=_admin)),
        web.post("/panel/katalog/aktualnosc", page(panel, start, allow=_admin)),
        web.get("/panel/katalog/aktualnosc/potwierdz", page(panel, plan, allow=_admin)),
        web.get("/panel/katalog/aktualnosc.json", page(panel, progress_json, allow=_admin)),
        web.get(r"/panel/katalog/{id:\d+}", page(panel, entry)),
        web.post(r"/panel/katalog/{id:\d+}", page(panel, save)),
    ]


def _imported_page(request: web.Request, user: PanelUser, *, signed_out: bool,
                   admin: Person | None, demo_people: int, added: int, updated: int
                   ) -> web.Response:
    """What a confirmed import did; when it removed the importing person (the demo's
    admin), their session is over: the page says so and how the new admin signs in."""
    if signed_out:
        del request[USER_KEY]  # the page is shown signed out: no menu, no stale name
    response = render(request, "katalog/imported.html", {
        "signed_out": signed_out, "admin": admin, "demo_people": demo_people,
        "added": added, "updated": updated}, lang=user.lang, csrf="")
    if signed_out:
        response.del_cookie(COOKIE, path="/panel")
    return response


def _export_body(rows: list[dict[str, str]], *, plain: bool) -> bytes:
    """The CSV of ``rows`` as ``lacznik directory export`` writes it."""
    with tempfile.TemporaryDirectory(prefix="lacznik-export-") as folder:
        path = Path(folder) / "katalog.csv"
        write_export(path, rows, plain=plain)
        return path.read_bytes()


def _text(lang: str, key: str, **values: object) -> str:
    return pt(lang, key, **values)


def _field_label(lang: str, name: str) -> str:
    return pt(lang, f"katalog.field.{name}")
