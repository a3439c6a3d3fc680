"""``/email/opt-out/{token}``: the opt-out link of every e-mail Łącznik sends.

GET shows a confirmation page (Polish, or English for a person whose language is English;
``?lang=`` overrides) and changes nothing — mail scanners open links. POST opts the person
out (idempotent); it is also the RFC 8058 one-click target of ``List-Unsubscribe-Post``.
The token is a random secret stored per person; every value on the page is HTML-escaped.
"""

from __future__ import annotations

import html

from aiohttp import web

from commands.clock import Clock
from commands.texts import pick_lang, t
from store.db import Database
from store.invitations import opt_out, preference_by_token
from store.models import Person

PATH = "/email/opt-out/{token}"
_HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
            "form-action 'self'", "Referrer-Policy": "no-referrer"}


def _page(lang: str, body: str) -> str:
    title = html.escape(t(lang, "optout.title"))
    return (f'<!doctype html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{title}</title>\n<style>body{{font-family:system-ui,sans-serif;"
            "max-width:40rem;margin:2rem auto;padding:0 1rem;line-height:1.5}</style>\n"
            f"</head>\n<body>\n<h1>{title}</h1>\n{body}\n</body>\n</html>\n")


class InvitePagesComponent:
    """Serves the opt-out page on the shared HTTP server."""

    name = "invite-pages"

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    def routes(self) -> list[web.RouteDef]:
        """GET asks, POST opts out."""
        return [web.get(PATH, self._ask), web.post(PATH, self._opt_out)]

    async def start(self) -> None:
        """Nothing to start."""

    async def stop(self) -> None:
        """Nothing to stop."""

    async def _who(self, request: web.Request, token: str) -> tuple[str, str] | None:
        async with self._db.session() as session:
            found = await preference_by_token(session, token)
            person = await session.get(Person, found.person_id) if found else None
        if person is None:
            return None
        return pick_lang(request.query.get("lang"), person.language), person.email or ""

    async def _ask(self, request: web.Request) -> web.Response:
        token = request.match_info["token"]
        who = await self._who(request, token)
        if who is None:
            return self._unknown(request)
        lang, email = who
        # action="": the browser posts to the address it shows (query included), which a
        # reverse proxy serving us under a path prefix (/lacznik/…) keeps; request.path lacks it.
        body = (f"<p>{html.escape(t(lang, 'optout.question', email=email))}</p>\n"
                f'<form method="post" action=""><button type="submit">'
                f"{html.escape(t(lang, 'optout.button'))}</button></form>")
        return self._respond(lang, body)

    async def _opt_out(self, request: web.Request) -> web.Response:
        token = request.match_info["token"]
        who = await self._who(request, token)
        if who is None:
            return self._unknown(request)
        async with self._db.session() as session:
            await opt_out(session, token, self._clock.now())
            await session.commit()
        lang, email = who
        return self._respond(lang, f"<p>{html.escape(t(lang, 'optout.done', email=email))}</p>")

    def _unknown(self, request: web.Request) -> web.Response:
        lang = pick_lang(request.query.get("lang"))
        return self._respond(lang, f"<p>{html.escape(t(lang, 'optout.unknown'))}</p>",
                             status=404)

    @staticmethod
    def _respond(lang: str, body: str, status: int = 200) -> web.Response:
        return web.Response(text=_page(lang, body), status=status, content_type="text/html",
                            charset="utf-8", headers={**_HEADERS, "Content-Language": lang})
