"""What every panel page is built from: the signed-in person, the guard, rendering, CSRF.

A page handler is ``async (request, user) -> response`` wrapped by :func:`page`, which finds
the session from its cookie (none: GET goes to the sign-in page, other methods get 403),
checks the CSRF token of every state-changing request before the handler runs, and asks the
page's own ``allow`` rule. Rendering is Jinja2 with autoescape on; every page gets the same
security headers (no inline script or style: the CSP forbids both).
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import aiohttp_jinja2
from aiohttp import web

from adapters.panel.texts import known, pt
from commands.authz import Actor, actor
from commands.texts import pick_lang
from store.models import Person
from store.panel import live_session, touch
from store.people import audit as audit_row
from store.people import grants_of

if TYPE_CHECKING:
    from sqlmodel.ext.asyncio.session import AsyncSession

    from adapters.panel.settings import PanelConfig
    from commands.clock import Clock
    from commands.core import Services
    from commands.directory.importer import DirectoryImporter
    from commands.directory.language import Morphology
    from store.db import Database

COOKIE = "lacznik_panel"
PRE_COOKIE = "lacznik_panel_pre"  # CSRF of the forms shown before signing in
SIGNIN_PATH = "/panel/signin"
TOUCH_EVERY = timedelta(minutes=1)  # last-seen is written at most this often per session
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"),
}

Health = Callable[[], Awaitable[tuple[int, dict[str, object]]]]


@dataclass(frozen=True, slots=True)
class PanelUser:
    """The signed-in person, as every page sees them."""

    person_id: int
    name: str
    email: str
    lang: str
    actor: Actor
    session_id: int
    csrf: str

    @property
    def admin(self) -> bool:
        """Holds the association-wide admin role."""
        return self.actor.admin

    def coordinates(self) -> set[int]:
        """Gminy this person coordinates."""
        return self.actor.coordinates()

    def moderates(self) -> set[int]:
        """Forums this person moderates."""
        return self.actor.moderates()


@dataclass(frozen=True, slots=True)
class NavItem:
    """A page's entry in the top navigation."""

    path: str
    label: str  # a text key
    order: int = 50
    visible: Callable[[PanelUser], bool] = lambda _user: True


@dataclass(slots=True)
class Panel:
    """What every page gets: the shared services and settings."""

    db: Database
    clock: Clock
    services: Services
    importer: DirectoryImporter
    morphology: Morphology
    settings: PanelConfig
    public_url: str
    secure_cookies: bool
    health: Health | None = None
    nav: list[NavItem] = field(default_factory=list)

    async def audit(self, session: AsyncSession, user: PanelUser, action: str,
                    target: str = "", details: str | Mapping[str, object] = "") -> None:
        """Record an action done in the panel (the caller commits)."""
        extra = dict(details) if isinstance(details, Mapping) else (
            {"note": details} if details else {})
        await audit_row(session, actor=f"panel:person:{user.person_id}", action=action,
                        target=target, details={"via": "panel", **extra})

    def now(self) -> datetime:
        """The current moment."""
        return self.clock.now()


Handler = Callable[[web.Request, PanelUser], Awaitable[web.StreamResponse]]

JINJA_KEY: web.AppKey[Any] = web.AppKey("lacznik_panel_jinja", object)
USER_KEY: web.RequestKey[PanelUser] = web.RequestKey("lacznik_panel_user", PanelUser)


def page(panel: Panel, handler: Handler, *,
         allow: Callable[[PanelUser], bool] = lambda _user: True,
         max_body: int | None = None) -> Callable[
             [web.Request], Awaitable[web.StreamResponse]]:
    """Wrap ``handler``: a session is required, CSRF is checked, ``allow`` must pass.
    ``max_body``: this route takes bodies up to that many bytes (file uploads), where the
    server's own limit (2 MB, the messengers' webhooks) is too small."""

    async def guarded(request: web.Request) -> web.StreamResponse:
        if max_body is not None:
            request = request.clone(client_max_size=max_body)
        request[PANEL_REQUEST] = panel
        user = await current_user(panel, request)
        if user is None:
            if request.method in SAFE_METHODS:
                raise web.HTTPSeeOther(SIGNIN_PATH)
            return error_page(request, 403, "common.error_signin", lang=_lang_hint(request))
        request[USER_KEY] = user
        if request.method not in SAFE_METHODS and not await _csrf_ok(request, user.csrf):
            return error_page(request, 403, "common.error_csrf", lang=user.lang)
        if not allow(user):
            return error_page(request, 403, "common.error_forbidden", lang=user.lang)
        try:
            return await handler(request, user)
        except web.HTTPNotFound:  # an id that names nothing: the panel's own page
            return error_page(request, 404, "common.error_not_found", lang=user.lang)

    return guarded


PANEL_REQUEST: web.RequestKey[Panel] = web.RequestKey("lacznik_panel_panel", Panel)


async def current_user(panel: Panel, request: web.Request) -> PanelUser | None:
    """The person whose live session the request's cookie names, or None."""
    cookie = request.cookies.get(COOKIE, "")
    if not cookie:
        return None
    now = panel.now()
    async with panel.db.session() as session:
        row = await live_session(session, cookie, now=now, idle=panel.settings.idle)
        if row is None or row.id is None:
            return None
        person = await session.get(Person, row.person_id)
        if person is None or person.id is None:
            return None
        grants = await grants_of(session, person.id)
        last = row.last_seen_at
        if last.tzinfo is None:
            last = last.replace(tzinfo=now.tzinfo)
        if now - last >= TOUCH_EVERY:
            await touch(session, row.id, now=now)
            await session.commit()
    return PanelUser(person_id=person.id, name=person.name, email=person.email or "",
                     lang=pick_lang(person.language), actor=actor(person.id, grants),
                     session_id=row.id, csrf=row.csrf)


async def _csrf_ok(request: web.Request, expected: str) -> bool:
    given = request.headers.get("X-CSRF-Token", "")
    if not given and request.content_type in ("application/x-www-form-urlencoded",
                                              "multipart/form-data"):
        form = await request.post()  # aiohttp keeps it: the handler reads it again for free
        value = form.get("csrf", "")
        given = value if isinstance(value, str) else ""
    return bool(given) and bool(expected) and hmac.compare_digest(given.encode(),
                                                                  expected.encode())


async def pre_csrf_ok(request: web.Request) -> bool:
    """The CSRF check of forms shown before signing in (double-submit cookie)."""
    return await _csrf_ok(request, request.cookies.get(PRE_COOKIE, ""))


def pre_csrf(request: web.Request, response: web.StreamResponse, *, secure: bool) -> str:
    """The token for a pre-sign-in form: the one the browser has, or a new one set on
    ``response``."""
    token = request.cookies.get(PRE_COOKIE, "")
    if len(token) < 20:
        token = secrets.token_urlsafe(24)
    response.set_cookie(PRE_COOKIE, token, path="/panel", httponly=True, samesite="Lax",
                        secure=secure, max_age=3600)
    return token


def _lang_hint(request: web.Request) -> str:
    return pick_lang(request.query.get("lang"), request.cookies.get("lacznik_lang"))


def user_of(request: web.Request) -> PanelUser | None:
    """The signed-in person of a request that went through :func:`page`."""
    found = request.get(USER_KEY)
    return found if isinstance(found, PanelUser) else None


def render(request: web.Request, template: str, context: Mapping[str, Any] | None = None, *,
           status: int = 200, lang: str | None = None, csrf: str | None = None
           ) -> web.Response:
    """Render ``template`` with the page's context; adds the security headers."""
    user = user_of(request)
    panel = request.get(PANEL_REQUEST)
    language = lang or (user.lang if user else _lang_hint(request))
    nav = [item for item in (panel.nav if isinstance(panel, Panel) else [])
           if user is not None and item.visible(user)]
    notice = request.query.get("notice", "")

    def text(key: str, /, **values: object) -> str:
        return pt(language, key, **values)

    values: dict[str, Any] = {
        "user": user, "lang": language, "csrf": csrf if csrf is not None else (
            user.csrf if user else ""),
        "_": text, "nav": nav, "path": request.path, "path_qs": request.path_qs,
        "notice": notice if notice and known(notice) else "",
        **(context or {}),
    }
    response = aiohttp_jinja2.render_template(template, request, values, status=status,
                                              app_key=JINJA_KEY)
    response.headers.update(HEADERS)
    response.headers["Content-Language"] = language
    return response


def error_page(request: web.Request, status: int, key: str, *, lang: str) -> web.Response:
    """A short page saying what went wrong (``key``: a text)."""
    return render(request, "error.html", {"message_key": key, "status": status},
                  status=status, lang=lang)


def redirect(_request: web.Request, path: str, *, notice: str | None = None,
             query: Mapping[str, str] | None = None) -> web.Response:
    """A 303 to ``path`` (inside the panel), showing the text ``notice`` once. Return it."""
    if not path.startswith("/panel"):
        raise ValueError("panel redirects stay inside /panel")
    params = dict(query or {})
    if notice:
        params["notice"] = notice
    location = path + (("?" + urlencode(params)) if params else "")
    return web.Response(status=303, headers={**HEADERS, "Location": location})


def form_text(form: Mapping[str, Any], name: str, *, limit: int = 2000) -> str:
    """A form field as stripped text (files and missing fields are ""), cut to ``limit``."""
    value = form.get(name, "")
    return value.strip()[:limit] if isinstance(value, str) else ""


def when(moment: datetime | None, lang: str = "pl") -> str:
    """A stored moment as people in Poland read it: Warsaw time, "2026-11-23 10:00"."""
    if moment is None:
        return "—"
    from commands.clock import WARSAW

    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(WARSAW).strftime("%Y-%m-%d %H:%M")


def browser(agent: str) -> str:
    """A browser's User-Agent as a person recognises it: "Chrome on Windows"."""
    if not agent:
        return "—"
    names = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"),
             ("Chrome/", "Chrome"), ("Safari/", "Safari"))
    systems = (("Windows", "Windows"), ("Android", "Android"), ("iPhone", "iPhone"),
               ("iPad", "iPad"), ("Mac OS X", "macOS"), ("Linux", "Linux"))
    name = next((label for mark, label in names if mark in agent), "")
    system = next((label for mark, label in systems if mark in agent), "")
    return " · ".join(part for part in (name, system) if part) or agent[:60]


def page_number(request: web.Request) -> int:
    """The ``?page=`` of a list (1 when absent or nonsense)."""
    raw = request.query.get("page", "1")
    return max(1, min(int(raw), 100_000)) if raw.isdigit() else 1
