"""Signing in and out, one's own sessions, the language, the home page.

A sign-in link's GET only shows a page: link previews (Slack, Teams) and mail scanners open
links, and must not use up the single use. The page submits itself at once in a browser
(``panel.js``) and shows a button where scripts are off; the POST signs the person in.
"""

from __future__ import annotations

from aiohttp import web

from adapters.panel.web import (
    COOKIE,
    HEADERS,
    PANEL_REQUEST,
    SIGNIN_PATH,
    Panel,
    PanelUser,
    current_user,
    error_page,
    form_text,
    page,
    pre_csrf,
    pre_csrf_ok,
    redirect,
    render,
)
from commands.panel_access import send_link_by_email
from commands.texts import pick_lang
from store.models import Forum, Gmina, Person
from store.panel import (
    end_session,
    end_sessions_of,
    link_owner,
    open_session,
    sessions_of,
    use_link,
)
from store.people import audit

LANG_COOKIE = "lacznik_lang"
MESSENGERS = ("telegram", "slack", "teams")  # where a sign-in link can be sent


def signin_routes(panel: Panel) -> list[web.AbstractRouteDef]:
    """The routes of signing in and out, sessions, language and home."""

    def anonymous(request: web.Request) -> str:
        request[PANEL_REQUEST] = panel
        return pick_lang(request.query.get("lang"), request.cookies.get(LANG_COOKIE),
                         request.headers.get("Accept-Language", "").split(",")[0])

    def respond(request: web.Request, template: str, lang: str,
                context: dict[str, object] | None = None, status: int = 200) -> web.Response:
        response = web.Response()
        token = pre_csrf(request, response, secure=panel.secure_cookies)
        messengers = any(name in panel.services.messengers for name in MESSENGERS)
        page_response = render(request, template,
                               {**(context or {}), "entra": panel.settings.entra,
                                "messengers": messengers},
                               lang=lang, csrf=token, status=status)
        for name, morsel in response.cookies.items():
            page_response.cookies[name] = morsel
        if request.query.get("lang"):
            page_response.set_cookie(LANG_COOKIE, lang, path="/panel", httponly=True,
                                     samesite="Lax", secure=panel.secure_cookies,
                                     max_age=365 * 86400)
        return page_response

    async def root(_request: web.Request) -> web.StreamResponse:
        return web.Response(status=308, headers={**HEADERS, "Location": "/panel/"})

    async def signin_form(request: web.Request) -> web.StreamResponse:
        return respond(request, "signin/form.html", anonymous(request))

    async def signin_request(request: web.Request) -> web.StreamResponse:
        lang = anonymous(request)
        if not await pre_csrf_ok(request):
            return error_page(request, 403, "common.error_csrf", lang=lang)
        form = await request.post()
        email = form_text(form, "email", limit=254)
        if not email or "@" not in email:
            return respond(request, "signin/form.html", lang,
                           {"error": "signin.email_invalid", "email": email}, status=400)
        await send_link_by_email(panel.db, email=email, now=panel.now(),
                                 base_url=panel.public_url)
        # The same answer whether or not the address is known: it tells nothing to a stranger.
        return respond(request, "signin/sent.html", lang)

    async def link_page(request: web.Request) -> web.StreamResponse:
        lang = anonymous(request)
        token = request.match_info["token"]
        current = await current_user(panel, request)
        if current is not None:
            # Someone else's link must not silently swap the account this browser is
            # signed in to (login CSRF): ask first, and never submit by itself.
            async with panel.db.session() as session:
                owner = await link_owner(session, token, now=panel.now())
                other = await session.get(Person, owner) if owner is not None else None
            if owner == current.person_id:
                return redirect(request, "/panel/")
            if other is not None:
                return respond(request, "signin/switch.html", current.lang,
                               {"token": token, "current": current.name, "other": other.name})
        return respond(request, "signin/link.html", lang, {"token": token})

    async def link_use(request: web.Request) -> web.StreamResponse:
        lang = anonymous(request)
        if not await pre_csrf_ok(request):
            return error_page(request, 403, "common.error_csrf", lang=lang)
        now = panel.now()
        async with panel.db.session() as session:
            person_id = await use_link(session, request.match_info["token"], now=now)
            if person_id is None:
                await session.commit()
                return respond(request, "signin/form.html", lang,
                               {"error": "signin.link_invalid"}, status=410)
            opened = await open_session(session, person_id, now=now,
                                        lasts=panel.settings.session_lasts, via="link",
                                        agent=request.headers.get("User-Agent", ""))
            await audit(session, actor=f"panel:person:{person_id}", action="panel.signin",
                        target=f"person:{person_id}", details={"via": "link"})
            await session.commit()
        return signed_in(panel, opened.cookie)

    async def home(request: web.Request, user: PanelUser) -> web.StreamResponse:
        # Each role with what it covers, so a person sees why they see what they see.
        roles: list[tuple[str, str]] = []
        async with panel.db.session() as session:
            if user.admin:
                roles.append(("home.role_admin", ""))
            gminy = [await session.get(Gmina, g) for g in sorted(user.coordinates())]
            forums = [await session.get(Forum, f) for f in sorted(user.moderates())]
        names = ", ".join(g.name for g in gminy if g is not None)
        if names:
            roles.append(("home.role_coordinator", names))
        keys = ", ".join(f.key for f in forums if f is not None)
        if keys:
            roles.append(("home.role_moderator", keys))
        return render(request, "home.html", {"roles": roles or [("home.role_member", "")]})

    async def signout(_request: web.Request, user: PanelUser) -> web.StreamResponse:
        async with panel.db.session() as session:
            await end_session(session, user.session_id, person_id=user.person_id,
                              now=panel.now())
            await audit(session, actor=f"panel:person:{user.person_id}",
                        action="panel.signout", target=f"person:{user.person_id}")
            await session.commit()
        response = web.Response(status=303, headers={
            **HEADERS, "Location": SIGNIN_PATH + "?notice=signin.signed_out"})
        response.del_cookie(COOKIE, path="/panel")
        return response

    async def sessions(request: web.Request, user: PanelUser) -> web.StreamResponse:
        async with panel.db.session() as session:
            rows = await sessions_of(session, user.person_id, now=panel.now(),
                                     idle=panel.settings.idle)
        return render(request, "sessions.html", {"sessions": rows,
                                                 "current": user.session_id})

    async def end_one(request: web.Request, user: PanelUser) -> web.StreamResponse:
        raw = request.match_info["session_id"]
        if not raw.isdigit() or len(raw) > 12:
            raise web.HTTPNotFound()
        async with panel.db.session() as session:
            ended = await end_session(session, int(raw), person_id=user.person_id,
                                      now=panel.now())
            if ended:
                await audit(session, actor=f"panel:person:{user.person_id}",
                            action="panel.session_end", target=f"person:{user.person_id}")
            await session.commit()
        if int(raw) == user.session_id:
            response = web.Response(status=303, headers={**HEADERS, "Location": SIGNIN_PATH})
            response.del_cookie(COOKIE, path="/panel")
            return response
        return redirect(request, "/panel/sesje",
                        notice="sessions.ended" if ended else "sessions.not_found")

    async def end_others(request: web.Request, user: PanelUser) -> web.StreamResponse:
        async with panel.db.session() as session:
            count = await end_sessions_of(session, user.person_id, now=panel.now(),
                                          keep=user.session_id)
            await audit(session, actor=f"panel:person:{user.person_id}",
                        action="panel.session_end", target=f"person:{user.person_id}",
                        details={"count": count})
            await session.commit()
        return redirect(request, "/panel/sesje", notice="sessions.ended_others")

    async def language(request: web.Request, user: PanelUser) -> web.StreamResponse:
        form = await request.post()
        lang = form_text(form, "lang", limit=5)
        if lang not in ("pl", "en"):
            return error_page(request, 400, "common.error_bad_request", lang=user.lang)
        async with panel.db.session() as session:
            person = await session.get(Person, user.person_id)
            if person is not None:
                person.language = lang
                session.add(person)
                await session.commit()
        back = form_text(form, "back", limit=1000)
        # Back to the same page and search; only a path of the panel (no other site).
        if not back.startswith("/panel/") or "//" in back or "\\" in back:
            back = "/panel/"
        return web.Response(status=303, headers={**HEADERS, "Location": back})

    return [
        web.get("/panel", root),
        web.get("/panel/", page(panel, home)),
        web.get(SIGNIN_PATH, signin_form),
        web.post(SIGNIN_PATH, signin_request),
        web.get("/panel/signin/link/{token}", link_page),
        web.post("/panel/signin/link/{token}", link_use),
        web.post("/panel/signout", page(panel, signout)),
        web.get("/panel/sesje", page(panel, sessions)),
        web.post("/panel/sesje/koniec-innych", page(panel, end_others)),
        web.post("/panel/sesje/{session_id}/koniec", page(panel, end_one)),
        web.post("/panel/jezyk", page(panel, language)),
    ]


def signed_in(panel: Panel, cookie: str) -> web.Response:
    """The response that lands a freshly signed-in browser on ``/panel/`` with its cookie."""
    response = web.Response(status=303, headers={**HEADERS, "Location": "/panel/"})
    response.set_cookie(COOKIE, cookie, path="/panel", httponly=True, samesite="Lax",
                        secure=panel.secure_cookies,
                        max_age=int(panel.settings.session_lasts.total_seconds()))
    return response


