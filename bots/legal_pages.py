"""``GET /privacy`` and ``GET /terms``: the privacy policy and the terms of use.

Polish by default, English with ``?lang=en``. The text comes from the ``[legal]`` section;
without it a default names the data the service holds, why, for how long and whom to ask.
The Teams app package and the Slack manifest link here. Every piece of text is HTML-escaped.
"""

from __future__ import annotations

import html
import re
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from aiohttp import web

from bots.config import ConfigError
from commands.texts import t

KEYS = ("controller", "contact", "privacy_pl", "privacy_en", "terms_pl", "terms_en")
PAGES = ("privacy", "terms")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")


def legal_settings(section: Mapping[str, Any]) -> dict[str, str]:
    """Validate ``[legal]``; raises :class:`ConfigError` naming the key."""
    if not isinstance(section, Mapping):
        raise ConfigError("legal", "must be a table")
    values: dict[str, str] = {}
    for key, value in section.items():
        if key not in KEYS:
            raise ConfigError(f"legal.{key}", f"unknown key (known: {', '.join(KEYS)})")
        if not isinstance(value, str):
            raise ConfigError(f"legal.{key}", "must be a string")
        if len(value) > 50_000:
            raise ConfigError(f"legal.{key}", "at most 50,000 characters")
        values[key] = value.strip()
    if values.get("contact") and not _EMAIL.match(values["contact"]):
        raise ConfigError("legal.contact", "must be an e-mail address")
    return values


def _paragraphs(text: str) -> str:
    """Plain text to HTML: blank lines separate paragraphs, lines starting "- " are lists."""
    blocks: list[str] = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = [line.strip() for line in block.splitlines() if line.strip()]
        if lines and all(line.startswith("- ") for line in lines):
            items = "".join(f"<li>{html.escape(line[2:])}</li>" for line in lines)
            blocks.append(f"<ul>{items}</ul>")
        elif lines:
            blocks.append("<p>" + "<br>".join(html.escape(line) for line in lines) + "</p>")
    return "\n".join(blocks)


class LegalPagesComponent:
    """Serves the two pages on the shared HTTP server."""

    name = "legal-pages"

    def __init__(self, section: Mapping[str, Any]) -> None:
        self._settings = legal_settings(section)

    def routes(self) -> list[web.RouteDef]:
        """``/privacy`` and ``/terms`` (GET; HEAD comes with it)."""
        return [web.get(f"/{page}", self._handler(page)) for page in PAGES]

    async def start(self) -> None:
        """Nothing to start."""

    async def stop(self) -> None:
        """Nothing to stop."""

    def page(self, page: str, lang: str) -> str:
        """The whole HTML document of ``page`` ("privacy" or "terms") in ``lang``."""
        values = {
            "controller": self._settings.get("controller")
            or t(lang, "legal.default_controller"),
            "contact": self._settings.get("contact") or t(lang, "legal.default_contact"),
        }
        body = self._settings.get(f"{page}_{lang}") or t(lang, f"legal.{page}.body", **values)
        title = t(lang, f"legal.{page}.title")
        other = "en" if lang == "pl" else "pl"
        switch = t(lang, "legal.switch")
        return (
            f'<!doctype html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{html.escape(title)}</title>\n"
            "<style>body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;"
            "padding:0 1rem;line-height:1.5}</style>\n</head>\n<body>\n"
            f"<h1>{html.escape(title)}</h1>\n{_paragraphs(body)}\n"
            f'<p><a href="/{page}?lang={other}">{html.escape(switch)}</a></p>\n'
            "</body>\n</html>\n"
        )

    def _handler(self, page: str) -> Callable[[web.Request], Awaitable[web.Response]]:
        async def handle(request: web.Request) -> web.Response:
            lang = "en" if request.query.get("lang", "").lower().startswith("en") else "pl"
            return web.Response(
                text=self.page(page, lang), content_type="text/html", charset="utf-8",
                headers={"Cache-Control": "public, max-age=3600", "Content-Language": lang,
                         "Content-Security-Policy": "default-src 'none'; "
                         "style-src 'unsafe-inline'", "X-Content-Type-Options": "nosniff"})

        return handle
