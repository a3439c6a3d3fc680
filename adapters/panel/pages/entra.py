"""Signing in with a Microsoft account (Entra ID), where ``[panel] entra_client_id`` is set.

``GET /panel/signin/entra`` sends the browser to Microsoft; Microsoft sends it back to
``/panel/signin/entra/callback``, where the person the ID token names is looked up in the
directory by e-mail and signed in. Anything else gets a short page, never a token or a raw
error. Without the setting neither address exists (404). The protocol is in
:mod:`adapters.panel.entra`.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from aiohttp import web

from adapters.panel.entra import FLOW_LASTS, GUEST, TENANT, UNREACHABLE, EntraSignIn, Refused
from adapters.panel.signin import LANG_COOKIE, signed_in
from adapters.panel.web import HEADERS, PANEL_REQUEST, Panel, render
from commands.texts import pick_lang
from store.panel import open_session
from store.people import audit, person_by_email

if TYPE_CHECKING:
    from sqlmodel.ext.asyncio.session import AsyncSession

log = logging.getLogger(__name__)

START_PATH = "/panel/signin/entra"
CALLBACK_PATH = "/panel/signin/entra/callback"
FLOW_COOKIE = "lacznik_entra_flow"
UNKNOWN = "unknown"  # signed in at Microsoft, but nobody in the directory has that address


def routes(panel: Panel) -> list[web.RouteDef]:
    """The two addresses of the Entra ID sign-in (none when it is not configured)."""
    if not panel.settings.entra:
        return []
    entra = EntraSignIn(panel.settings, redirect_uri=panel.public_url + CALLBACK_PATH)

    def language(request: web.Request) -> str:
        request[PANEL_REQUEST] = panel
        return pick_lang(request.cookies.get(LANG_COOKIE),
                         request.headers.get("Accept-Language", "").split(",")[0])

    def refused(request: web.Request, reason: str) -> web.Response:
        if reason == UNKNOWN:
            key, status = "entra.refused_unknown", 403
        elif reason in (TENANT, GUEST):
            key, status = "entra.refused_tenant", 403
        elif reason == UNREACHABLE:
            key, status = "entra.refused_unreachable", 502
        else:
            key, status = "entra.refused_failed", 400
        response = render(request, "entra/refused.html", {"message_key": key},
                          status=status, lang=language(request), csrf="")
        response.del_cookie(FLOW_COOKIE, path=START_PATH)
        return response

    async def begin(request: web.Request) -> web.StreamResponse:
        try:
            sealed, address = await entra.begin(now=panel.now())
        except Refused as refusal:
            return refused(request, refusal.reason)
        response = web.Response(status=302, headers={**HEADERS, "Location": address})
        # The flow itself, sealed (encrypted, authenticated, its expiry inside): the panel
        # keeps nothing of it, so anonymous starts cannot push a waiting sign-in out.
        response.set_cookie(FLOW_COOKIE, sealed, path=START_PATH, httponly=True, samesite="Lax",
                            secure=panel.secure_cookies,
                            max_age=int(FLOW_LASTS.total_seconds()))
        return response

    async def callback(request: web.Request) -> web.StreamResponse:
        now = panel.now()
        try:
            identity = await entra.finish(request.cookies.get(FLOW_COOKIE, ""), request.query,
                                          now=now)
        except Refused as refusal:
            log.info("panel: Entra ID sign-in refused (%s)", refusal.reason)
            if refusal.reason in (TENANT, GUEST):  # Microsoft vouched for someone: on record
                async with panel.db.session() as session:
                    await _audit_refusal(session, refusal.reason)
                    await session.commit()
            return refused(request, refusal.reason)
        async with panel.db.session() as session:
            person = await person_by_email(session, identity.email)
            if person is None or person.id is None:
                log.info("panel: Entra ID sign-in refused (%s)", UNKNOWN)
                await _audit_refusal(session, UNKNOWN)
                await session.commit()
                return refused(request, UNKNOWN)
            opened = await open_session(session, person.id, now=now,
                                        lasts=panel.settings.session_lasts, via="entra",
                                        agent=request.headers.get("User-Agent", ""))
            await audit(session, actor=f"panel:person:{person.id}", action="panel.signin",
                        target=f"person:{person.id}", details={"via": "entra"})
            await session.commit()
        response = signed_in(panel, opened.cookie)
        response.del_cookie(FLOW_COOKIE, path=START_PATH)
        return response

    return [web.get(START_PATH, begin), web.get(CALLBACK_PATH, callback)]


async def _audit_refusal(session: AsyncSession, reason: str) -> None:
    # No address or name: only that Microsoft signed someone in whom the panel refused.
    await audit(session, actor="panel:entra", action="panel.signin_refused", target="",
                details={"via": "entra", "reason": reason})
