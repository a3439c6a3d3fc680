"""The office panel on the service's HTTP server: sign-in, sessions, home and every page
module of :mod:`adapters.panel.pages` (found by listing the package)."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import aiohttp_jinja2
import jinja2
from aiohttp import web

from adapters.panel import pages as pages_package
from adapters.panel.signin import signin_routes
from adapters.panel.web import (
    JINJA_KEY,
    PANEL_REQUEST,
    USER_KEY,
    Health,
    NavItem,
    Panel,
    browser,
    current_user,
    error_page,
    when,
)
from commands.texts import pick_lang

HERE = Path(__file__).resolve().parent


class PanelComponent:
    """Serves ``/panel/``; nothing to start: it uses the database and the services."""

    name = "panel"

    def __init__(self, panel: Panel) -> None:
        self.panel = panel
        self._modules = [importlib.import_module(f"{pages_package.__name__}.{info.name}")
                         for info in sorted(pkgutil.iter_modules(pages_package.__path__),
                                            key=lambda m: m.name)
                         if not info.ispkg and not info.name.startswith("_")]
        nav = [module.NAV for module in self._modules
               if isinstance(getattr(module, "NAV", None), NavItem)]
        panel.nav[:] = sorted(nav, key=lambda item: (item.order, item.path))

    def setup_web(self, application: web.Application) -> None:
        """Give the shared application the panel's templates (autoescaped)."""
        env = aiohttp_jinja2.setup(
            application, app_key=JINJA_KEY,
            loader=jinja2.FileSystemLoader(str(HERE / "templates")),
            autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
            trim_blocks=True, lstrip_blocks=True)
        env.filters["when"] = when
        env.filters["browser"] = browser

    async def _not_found(self, request: web.Request) -> web.StreamResponse:
        """A page under /panel/ that does not exist: the panel's own page (in the person's
        language, with the navigation when signed in), not aiohttp's plain text. A route
        of its own, registered last, so the messengers' webhooks pass through nothing more."""
        request[PANEL_REQUEST] = self.panel
        user = await current_user(self.panel, request)
        if user is not None:
            request[USER_KEY] = user
        lang = user.lang if user else pick_lang(request.query.get("lang"),
                                                request.cookies.get("lacznik_lang"))
        return error_page(request, 404, "common.error_not_found", lang=lang)

    def routes(self) -> list[web.AbstractRouteDef]:
        """Sign-in, sessions, home, static files and every page's routes."""
        defs: list[web.AbstractRouteDef] = [
            *signin_routes(self.panel),
            web.static("/panel/static", HERE / "static", append_version=False),
        ]
        for module in self._modules:
            defs += module.routes(self.panel)
        defs.append(web.route("*", "/panel/{tail:.*}", self._not_found))  # last: the rest
        return defs

    def bind_health(self, health: Health) -> None:
        """What ``/healthz`` says, for the health page."""
        self.panel.health = health

    async def start(self) -> None:
        """Nothing to start."""

    async def stop(self) -> None:
        """Nothing to stop."""
