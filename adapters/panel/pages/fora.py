"""Fora: the forums, their members and moderators, their groups on each messenger, the
questions waiting for an answer and the FAQ.

Admins see and create every forum and grant the moderator role; a moderator sees and edits
the forums they moderate (``Act.MODERATE_FORUM``). Every change goes through the same
services as the chat and the command line (:class:`commands.forums.admin.ForumAdmin`,
:class:`commands.forums.faq.FaqCuration`, ``ForumService.unlink_group``), so the rules and
the audit are theirs. Lists are counted and paged in SQL: an archive has tens of thousands of
questions.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from adapters.panel.texts import pt
from adapters.panel.web import (
    Handler,
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
from commands.authz import Act, Target, may, moderated_forums
from commands.clock import WARSAW
from commands.forums.admin import (
    ForumAdmin,
    ForumPlan,
    ImportRefused,
    Refused,
    emails_from_csv,
    split_emails,
)
from commands.forums.faq import FaqCuration
from commands.render import forum_name
from commands.texts import PLATFORM_NAMES, t
from store.forum_groups import groups_of
from store.forum_models import ForumGroup, Question
from store.forum_questions import (
    count_faq,
    faq_page,
    first_answers,
    forum_question,
    open_stats,
    unanswered_page,
)
from store.forums import (
    active_forum,
    directory_matches,
    forum_summaries,
    member_page,
    people_by_email,
    person_by_id,
)
from store.models import Forum, Person

PAGE_SIZE = 50
MAX_UPLOAD = 1024 * 1024  # aiohttp's own limit for a form: a list of e-mails is far smaller
MAX_EMAILS = 5000
# The create form's field each refusal is about (the error box links to it).
CREATE_FIELDS = {"fadm.bad_key": "key", "fadm.exists": "key", "fadm.exists_archived": "key",
                 "fadm.bad_name": "name_pl", "fadm.unknown_topic": "key"}


def _may_use(user: PanelUser) -> bool:
    return user.admin or bool(user.moderates())


NAV = NavItem(path="/panel/fora", label="fora.nav", order=30, visible=_may_use)


def _moderates(user: PanelUser, forum: Forum) -> bool:
    return may(user.actor, Act.MODERATE_FORUM, Target(forum_id=forum.id))


def _pages(total: int) -> int:
    return max(1, -(-total // PAGE_SIZE))


def _ages(lang: str, now: datetime) -> Callable[[datetime | None], str]:
    """How long ago, in words ("3 dni"), for the templates."""

    def age(then: datetime | None) -> str:
        if then is None:
            return ""
        seconds = max(0.0, (now - _aware(then)).total_seconds())
        if seconds < 3600:
            return t(lang, "fadm.age_minutes", count=int(seconds // 60))
        if seconds < 48 * 3600:
            return t(lang, "fadm.age_hours", count=int(seconds // 3600))
        return t(lang, "fadm.age_days", count=int(seconds // 86400))

    return age


def _when(then: datetime | None) -> str:
    """A moment as Warsaw's date and time."""
    return _aware(then).astimezone(WARSAW).strftime("%d.%m.%Y %H:%M") if then else ""


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # SQLite drops the zone


def _short(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _group_name(group: ForumGroup) -> str:
    return group.title or group.conversation_key.split(":", 2)[-1]


def _actor(user: PanelUser) -> str:
    """How the audit names a panel user (as :meth:`Panel.audit` does)."""
    return f"panel:person:{user.person_id}"


def _int(text: str) -> int | None:
    return int(text) if text.isdigit() and len(text) < 12 else None


def routes(panel: Panel) -> list[web.RouteDef]:
    """The forum list and creation; each forum's details, members, import, groups,
    unanswered questions and FAQ."""
    admin_service = ForumAdmin(db=panel.db, forums=panel.services.forums)
    curation = FaqCuration(db=panel.db, morphology=panel.morphology,
                           archive=panel.services.forums.search_archive)

    def common(user: PanelUser) -> dict[str, Any]:
        return {"age": _ages(user.lang, panel.now()), "when": _when, "short": _short,
                "forum_name": lambda f: forum_name(f, user.lang),
                "platform_name": lambda p: PLATFORM_NAMES.get(p, p),
                "group_name": _group_name}

    async def load(request: web.Request, user: PanelUser) -> Forum | web.Response:
        """The forum of the address, if this person may moderate it (else the error page)."""
        async with panel.db.session() as session:
            forum = await active_forum(session, request.match_info["key"][:40])
        if forum is None:
            return error_page(request, 404, "fora.not_found", lang=user.lang)
        if not _moderates(user, forum):
            return error_page(request, 403, "fora.forbidden", lang=user.lang)
        return forum

    async def person(user: PanelUser) -> Person:
        async with panel.db.session() as session:
            found = await person_by_id(session, user.person_id)
        if found is None:  # the session outlived the entry: nobody to act as
            raise web.HTTPForbidden()
        return found

    # --- the list and a new forum ---------------------------------------------------------

    async def index(request: web.Request, user: PanelUser, *, error: str = "",
                    values: dict[str, str] | None = None, status: int = 200,
                    field: str = "") -> web.StreamResponse:
        async with panel.db.session() as session:
            rows = await forum_summaries(session, moderated_forums(user.actor))
        return render(request, "fora/index.html", {
            **common(user), "rows": rows, "error": error, "error_field": field,
            "values": values or {"key": "", "name_pl": "", "name_en": ""},
        }, status=status)

    async def create(request: web.Request, user: PanelUser) -> web.StreamResponse:
        form = await request.post()
        values = {"key": form_text(form, "key", limit=60),
                  "name_pl": form_text(form, "name_pl", limit=400),
                  "name_en": form_text(form, "name_en", limit=400)}
        try:
            forum = await admin_service.create(values["key"], values["name_pl"],
                                               name_en=values["name_en"], actor=_actor(user))
        except Refused as refused:
            return await index(request, user, error=refused.text(user.lang), values=values,
                               status=400, field=CREATE_FIELDS.get(refused.key, "key"))
        return redirect(request, f"/panel/fora/{forum.key}", notice="fora.created")

    # --- one forum: details and groups ----------------------------------------------------

    async def show(request: web.Request, user: PanelUser, *, error: str = "",
                   status: int = 200) -> web.StreamResponse:
        forum = await load(request, user)
        if isinstance(forum, web.Response):
            return forum
        async with panel.db.session() as session:
            [summary] = await forum_summaries(session, [int(forum.id or 0)])
            groups = await groups_of(session, int(forum.id or 0))
        return render(request, "fora/forum.html", {
            **common(user), "forum": forum, "summary": summary, "groups": groups,
            "error": error, "section": "overview",
        }, status=status)

    async def save(request: web.Request, user: PanelUser) -> web.StreamResponse:
        forum = await load(request, user)
        if isinstance(forum, web.Response):
            return forum
        form = await request.post()
        try:
            await admin_service.rename(forum.key, form_text(form, "name_pl", limit=400),
                                       name_en=form_text(form, "name_en", limit=400),
                                       actor=_actor(user), may=moderated_forums(user.actor))
        except Refused as refused:
            return await show(request, user, error=refused.text(user.lang), status=400)
        return redirect(request, f"/panel/fora/{forum.key}", notice="fora.saved")

    async def unlink(request: web.Request, user: PanelUser) -> web.StreamResponse:
        forum = await load(request, user)
        if isinstance(forum, web.Response):
            return forum
        group_id = _int(request.match_info["group"])
        outcome = "not_linked" if group_id is None else await panel.services.forums.unlink_group(
            forum.key, group_id, by=await person(user), may=moderated_forums(user.actor))
        if outcome == "forbidden":
            return error_page(request, 403, "fora.forbidden", lang=user.lang)
        return redirect(request, f"/panel/fora/{forum.key}",
                        notice="fora.unlinked" if outcome == "unlinked" else "fora.not_linked")

    # --- members --------------------------------------------------------------------------

    async def members(request: web.Request, user: PanelUser, *, error: str = "",
                      error_lines: list[str] | None = None, status: int = 200,
                      emails: str = "", added: int = 0) -> web.StreamResponse:
        forum = await load(request, user)
        if isinstance(forum, web.Response):
            return forum
        text = request.query.get("q", "").strip()[:100]
        pick = request.query.get("osoba", "").strip()[:100]
        number = page_number(request)
        async with panel.db.session() as session:
            rows, total = await member_page(session, int(forum.id or 0), text=text,
                                            offset=(number - 1) * PAGE_SIZE, limit=PAGE_SIZE)
            matches = await directory_matches(session, int(forum.id or 0), pick)
        base = f"/panel/fora/{forum.key}/czlonkowie"
        return render(request, "fora/members.html", {
            **common(user), "forum": forum, "rows": rows, "total": total, "text": text,
            "pick": pick, "matches": matches, "page": number, "pages": _pages(total),
            "pager_url": base + ("?" + urlencode({"q": text}) if text else ""),
            "error": error, "error_lines": error_lines or [], "section": "members",
            "emails": emails, "added": added,
        }, status=status)

    async def add(request: web.Request, user: PanelUser) -> web.StreamResponse:
        forum = await load(request, user)
        if isinstance(forum, web.Response):
            return forum
        form = await request.post()
        typed = split_emails(form_text(form, "emails", limit=20000))
        known, unknown = await split_known(typed)
        changed: list[Person] = []
        if known:
            try:
                change = await admin_service.add_members(
                    forum.key, known, actor=_actor(user), may=moderated_forums(user.actor))
            except Refused as refused:
                return await members(request, user, error=refused.text(user.lang),
                                     status=400, emails="\n".join(typed))
            changed = change.changed
        if unknown or not typed:
            # The known ones are in; the unknown ones stay in the box to be corrected.
            error = pt(user.lang, "fora.unknown_kept", emails=", ".join(unknown[:20])
                       + (" …" if len(unknown) > 20 else "")) if unknown \
                else pt(user.lang, "fora.no_emails")
            return await members(request, user, error=error, emails="\n".join(unknown),
                                 added=len(changed), status=200 if known else 400)
        return redirect(request, f"/panel/fora/{forum.key}/czlonkowie",
                        notice="fora.members_added" if changed
                        else "fora.members_unchanged")

    async def split_known(emails: list[str]) -> tuple[list[str], list[str]]:
        """The addresses the directory knows, and those it does not, in the given order."""
        async with panel.db.session() as session:
            found = await people_by_email(session, emails)
        return [e for e in emails if e in found], [e for e in emails if e not in found]

    async def remove(request: web.Request, user: PanelUser) -> web.StreamResponse:
        forum = await load(request, user)
        if isinstance(forum, web.Response):
            return forum
        form = await request.post()
        try:
            await admin_service.remove_members(
                forum.key, [form_text(form, "email", limit=300)], actor=_actor(user),
                may=moderated_forums(user.actor))
        except Refused as refused:
            return await members(request, user, error=refused.text(user.lang),
                                 status=403 if refused.key.endswith("need_admin") else 400)
        return redirect(request, f"/panel/fora/{forum.key}/czlonkowie",
                        notice="fora.members_removed")

    async def moderator(request: web.Request, user: PanelUser) -> web.StreamResponse:
        forum = await load(request, user)
        if isinstance(forum, web.Response):
            return forum
        form = await request.post()
        grant = form_text(form, "do") == "grant"
        try:
            change = await admin_service.set_moderators(
                forum.key, [form_text(form, "email", limit=300)], grant=grant,
                actor=_actor(user))
        except Refused as refused:
            return await members(request, user, error=refused.text(user.lang), status=400)
        notice = ("fora.moderator_granted" if grant else "fora.moderator_revoked") \
            if change.changed else "fora.moderator_unchanged"
        return redirect(request, f"/panel/fora/{forum.key}/czlonkowie", notice=notice)

    # --- import: a file, its preview, the confirmation ------------------------------------

    async def import_form(request: web.Request, user: PanelUser, *, errors: list[str] | None
                          = None, status: int = 200) -> web.StreamResponse:
        forum = await load(request, user)
        if isinstance(forum, web.Response):
            return forum
        return render(request, "fora/import.html", {
            **common(user), "forum": forum, "errors": errors or [], "section": "members",
        }, status=status)

    async def preview(request: web.Request, user: PanelUser) -> web.StreamResponse:
        forum = await load(request, user)
        if isinstance(forum, web.Response):
            return forum
        form = await request.post()
        upload = form.get("file")
        if not isinstance(upload, web.FileField) or not upload.filename:
            return await import_form(request, user, errors=[pt(user.lang, "fora.import_no_file")],
                                     status=400)
        data = upload.file.read(MAX_UPLOAD + 1)
        if len(data) > MAX_UPLOAD:
            return await import_form(request, user, errors=[pt(user.lang, "fora.import_too_big")],
                                     status=400)
        replace = form_text(form, "replace") == "1"
        try:
            listed = emails_from_csv(data, user.lang)[:MAX_EMAILS]
            emails, skipped = await split_known(listed)
            # An address the directory does not know is a row to skip, not a reason to
            # refuse the file: the preview names it and the rest can be confirmed.
            plan = await admin_service.plan_members(
                forum.key, emails, replace=replace, dry_run=True, actor=_actor(user),
                may=moderated_forums(user.actor)) if emails else ForumPlan(forum)
        except ImportRefused as refused:
            return await import_form(request, user, errors=refused.errors, status=400)
        except Refused as refused:
            return await import_form(request, user, errors=[refused.text(user.lang)],
                                     status=400)
        return render(request, "fora/preview.html", {
            **common(user), "forum": forum, "plan": plan, "emails": "\n".join(emails),
            "listed": len(listed), "skipped": skipped, "replace": replace,
            "section": "members", "filename": str(upload.filename)[:200],
        })

    async def confirm(request: web.Request, user: PanelUser) -> web.StreamResponse:
        forum = await load(request, user)
        if isinstance(forum, web.Response):
            return forum
        form = await request.post()
        emails = split_emails(form_text(form, "emails", limit=MAX_EMAILS * 260))[:MAX_EMAILS]
        try:
            await admin_service.plan_members(
                forum.key, emails, replace=form_text(form, "replace") == "1", dry_run=False,
                actor=_actor(user), may=moderated_forums(user.actor),
                source=form_text(form, "filename", limit=200))
        except Refused as refused:
            return await import_form(request, user, errors=[refused.text(user.lang)],
                                     status=400)
        return redirect(request, f"/panel/fora/{forum.key}/czlonkowie", notice="fora.imported")

    # --- unanswered questions -------------------------------------------------------------

    async def unanswered(request: web.Request, user: PanelUser) -> web.StreamResponse:
        forum = await load(request, user)
        if isinstance(forum, web.Response):
            return forum
        number = page_number(request)
        async with panel.db.session() as session:
            stats = (await open_stats(session, [int(forum.id or 0)])).get(int(forum.id or 0))
            rows = await unanswered_page(session, int(forum.id or 0),
                                         offset=(number - 1) * PAGE_SIZE, limit=PAGE_SIZE)
        total = stats.count if stats else 0
        return render(request, "fora/unanswered.html", {
            **common(user), "forum": forum, "rows": rows, "total": total, "page": number,
            "pages": _pages(total), "pager_url": f"/panel/fora/{forum.key}/pytania",
            "section": "unanswered",
        })

    # --- the FAQ --------------------------------------------------------------------------

    async def faq_list(request: web.Request, user: PanelUser, *, faq: bool
                       ) -> web.StreamResponse:
        forum = await load(request, user)
        if isinstance(forum, web.Response):
            return forum
        number = page_number(request)
        forum_id = int(forum.id or 0)
        async with panel.db.session() as session:
            total = await count_faq(session, forum_id, faq=faq)
            other = await count_faq(session, forum_id, faq=not faq)
            rows = await faq_page(session, forum_id, faq=faq, offset=(number - 1) * PAGE_SIZE,
                                  limit=PAGE_SIZE)
            answers = await first_answers(session, rows)
        return render(request, "fora/faq.html" if faq else "fora/candidates.html", {
            **common(user), "forum": forum, "rows": rows, "answers": answers, "total": total,
            "other": other, "page": number, "pages": _pages(total), "section": "faq",
            "pager_url": f"/panel/fora/{forum.key}/faq" + ("" if faq else "/kandydaci"),
        })

    async def faq(request: web.Request, user: PanelUser) -> web.StreamResponse:
        return await faq_list(request, user, faq=True)

    async def candidates(request: web.Request, user: PanelUser) -> web.StreamResponse:
        return await faq_list(request, user, faq=False)

    async def question_of(request: web.Request, forum: Forum) -> Question | None:
        number = _int(request.match_info["id"])
        if number is None:
            return None
        async with panel.db.session() as session:
            return await forum_question(session, int(forum.id or 0), number)

    async def curate(request: web.Request, user: PanelUser) -> web.StreamResponse:
        """Promote or demote (``/dodaj``, ``/usun``)."""
        forum = await load(request, user)
        if isinstance(forum, web.Response):
            return forum
        question = await question_of(request, forum)
        if question is None:
            return error_page(request, 404, "fora.question_not_found", lang=user.lang)
        by, scope = await person(user), moderated_forums(user.actor)
        if request.match_info["verb"] == "dodaj":
            outcome = await curation.promote(int(question.id or 0), by=by, may=scope)
            back = f"/panel/fora/{forum.key}/faq/{question.id}" if outcome == "added" \
                else f"/panel/fora/{forum.key}/faq/kandydaci"
        else:
            outcome = await curation.demote(int(question.id or 0), by=by, may=scope)
            back = f"/panel/fora/{forum.key}/faq"
        if outcome == "forbidden":
            return error_page(request, 403, "fora.forbidden", lang=user.lang)
        if outcome == "unknown":
            return error_page(request, 404, "fora.question_not_found", lang=user.lang)
        return redirect(request, back, notice=f"fora.faq_{outcome}")

    async def wording(request: web.Request, user: PanelUser, *, error: str = "",
                      values: dict[str, str] | None = None, status: int = 200
                      ) -> web.StreamResponse:
        forum = await load(request, user)
        if isinstance(forum, web.Response):
            return forum
        question = await question_of(request, forum)
        if question is None:
            return error_page(request, 404, "fora.question_not_found", lang=user.lang)
        async with panel.db.session() as session:
            answer = (await first_answers(session, [question])).get(int(question.id or 0))
        return render(request, "fora/wording.html", {
            **common(user), "forum": forum, "question": question, "answer": answer,
            "error": error, "section": "faq",
            "values": values or {"text": question.public_text or "",
                                 "answer": question.public_answer or ""},
        }, status=status)

    async def reword(request: web.Request, user: PanelUser) -> web.StreamResponse:
        forum = await load(request, user)
        if isinstance(forum, web.Response):
            return forum
        question = await question_of(request, forum)
        if question is None:
            return error_page(request, 404, "fora.question_not_found", lang=user.lang)
        form = await request.post()
        values = {"text": form_text(form, "text", limit=10000),
                  "answer": form_text(form, "answer", limit=10000)}
        outcome = await curation.reword(int(question.id or 0), values["text"],
                                        values["answer"], by=await person(user),
                                        may=moderated_forums(user.actor))
        if outcome == "forbidden":
            return error_page(request, 403, "fora.forbidden", lang=user.lang)
        if outcome != "saved":
            return await wording(request, user, error=f"fora.faq_{outcome}", values=values,
                                 status=400)
        return redirect(request, f"/panel/fora/{forum.key}/faq", notice="fora.faq_saved")

    def guarded(handler: Handler) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        return page(panel, handler, allow=_may_use)

    base = "/panel/fora/{key}"
    return [
        web.get("/panel/fora", guarded(index)),
        web.post("/panel/fora", page(panel, create, allow=lambda u: u.admin)),
        web.get(base, guarded(show)),
        web.post(base, guarded(save)),
        web.post(base + "/grupy/{group}/odlacz", guarded(unlink)),
        web.get(base + "/czlonkowie", guarded(members)),
        web.post(base + "/czlonkowie/dodaj", guarded(add)),
        web.post(base + "/czlonkowie/usun", guarded(remove)),
        web.post(base + "/moderatorzy", page(panel, moderator, allow=lambda u: u.admin)),
        web.get(base + "/import", guarded(import_form)),
        web.post(base + "/import", guarded(preview)),
        web.post(base + "/import/zatwierdz", guarded(confirm)),
        web.get(base + "/pytania", guarded(unanswered)),
        web.get(base + "/faq", guarded(faq)),
        web.get(base + "/faq/kandydaci", guarded(candidates)),
        web.get(base + "/faq/{id:\\d+}", guarded(wording)),
        web.post(base + "/faq/{id:\\d+}", guarded(reword)),
        web.post(base + "/faq/{id:\\d+}/{verb:dodaj|usun}", guarded(curate)),
    ]
