"""Osoby i role: people with their roles and messengers; admins grant and revoke roles.

Admins see everyone and change roles (audited, never leaving the association without an
admin: :func:`store.people_panel.change_role`); gmina coordinators see the people of their
gminy, read only; everyone else gets 403. A role takes effect in chat at once: the chat
reads a person's grants with every message.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from adapters.panel.web import (
    NavItem,
    Panel,
    PanelUser,
    form_text,
    page,
    page_number,
    redirect,
    render,
)
from commands.authz import Act, may
from commands.directory.gminy import refusal, resolve_gmina
from store.models import Role
from store.people_panel import (
    ROLE_FILTERS,
    PeopleFilter,
    PersonRow,
    RoleRefused,
    change_role,
    forum_choices,
    people_page,
    person_row,
)

GRANTABLE = (Role.ADMIN, Role.GMINA_COORDINATOR, Role.FORUM_MODERATOR)


def _may_view(user: PanelUser) -> bool:
    return user.admin or bool(user.coordinates())


NAV = NavItem(path="/panel/osoby", label="osoby.nav", order=70, visible=_may_view)


def _scope(user: PanelUser) -> frozenset[int] | None:
    """The gminy whose people ``user`` sees: None for admins (everyone)."""
    return None if user.admin else frozenset(user.coordinates())


def _visible(user: PanelUser, person: PersonRow) -> bool:
    scope = _scope(user)
    return scope is None or (person.gmina_id is not None and person.gmina_id in scope)


def _int(text: str) -> int | None:
    return int(text) if text.isdigit() and len(text) < 12 else None


def routes(panel: Panel) -> list[web.RouteDef]:
    """The people list, one person's roles, and the role change."""

    async def index(request: web.Request, user: PanelUser) -> web.StreamResponse:
        query = request.query.get("q", "").strip()[:100]
        role = request.query.get("role", "")
        role = role if role in ROLE_FILTERS else ""
        filters = PeopleFilter(query=query, role=role, gmina_ids=_scope(user))
        async with panel.db.session() as session:
            found = await people_page(session, filters, page_number(request))
        params = urlencode([(k, v) for k, v in (("q", query), ("role", role)) if v])
        return render(request, "osoby/index.html", {
            "found": found, "query": query, "role": role, "role_filters": ROLE_FILTERS,
            "pager_url": "/panel/osoby" + ("?" + params if params else ""),
        })

    async def detail(request: web.Request, user: PanelUser, *, status: int = 200,
                     error: str = "", error_lines: list[str] | None = None
                     ) -> web.StreamResponse:
        person_id = _int(request.match_info["id"])
        async with panel.db.session() as session:
            person = await person_row(session, person_id) if person_id is not None else None
            forums = await forum_choices(session, user.lang) if user.admin else []
        if person is None or not _visible(user, person):
            raise web.HTTPNotFound()
        return render(request, "osoby/person.html", {
            "person": person, "forums": forums, "grantable": GRANTABLE, "error": error,
            "error_lines": error_lines or [],
        }, status=status)

    async def show(request: web.Request, user: PanelUser) -> web.StreamResponse:
        return await detail(request, user)

    async def confirmation(request: web.Request, user: PanelUser, person_id: int,
                           form: Mapping[str, Any], role: Role, grant: bool
                           ) -> web.StreamResponse:
        """The second step of granting admin or revoking any role: what will happen, the
        same form again with ``confirm=1``, and a way back (no JavaScript needed)."""
        async with panel.db.session() as session:
            person = await person_row(session, person_id)
        if person is None:
            raise web.HTTPNotFound()
        forum_id, gmina_id = _int(form_text(form, "forum_id")), _int(form_text(form, "gmina_id"))
        held = next((r for r in person.roles if r.role == role.value
                     and (role != Role.FORUM_MODERATOR or r.forum_id == forum_id)
                     and (role != Role.GMINA_COORDINATOR or r.gmina_id == gmina_id)), None)
        return render(request, "osoby/confirm.html", {
            "person": person, "grant": grant, "role": role.value, "held": held,
            "forum_id": forum_id or "", "gmina_id": gmina_id or "",
            "self_admin": not grant and role == Role.ADMIN and person_id == user.person_id,
        })

    async def change(request: web.Request, user: PanelUser) -> web.StreamResponse:
        person_id = _int(request.match_info["id"])
        form = await request.post()
        grant = form_text(form, "do") == "grant"
        chosen = form_text(form, "role")
        if not chosen:  # the select's first entry, "— choose a role —"
            return await detail(request, user, status=400, error="osoby.refused.no_role")
        try:
            role = Role(chosen)
        except ValueError:
            role = Role.MEMBER
        if person_id is None or role not in GRANTABLE:
            return await detail(request, user, status=400, error="osoby.refused.bad_role")
        if (role == Role.ADMIN or not grant) and form_text(form, "confirm") != "1":
            # Granting admin and taking any role away are asked twice: one stray click on
            # a default option must not hand out (or take away) the association's keys.
            return await confirmation(request, user, person_id, form, role, grant)
        forum_id = _int(form_text(form, "forum_id")) if role == Role.FORUM_MODERATOR else None
        gmina_id: int | None = None
        if role == Role.GMINA_COORDINATOR:
            given = _int(form_text(form, "gmina_id")) if not grant else None
            gmina_text = form_text(form, "gmina", limit=200)
            if given is not None:
                gmina_id = given
            elif gmina_text:
                resolution = resolve_gmina(gmina_text, await panel.services.directory.index())
                if resolution.gmina is None:
                    # The chat's own answer: unknown, outside the directory, or which of
                    # several namesakes (with the TERYT codes to write instead).
                    lines = refusal(resolution, user.lang).splitlines()
                    return await detail(request, user, status=400,
                                        error_lines=[line for line in lines if line.strip()])
                gmina_id = resolution.gmina.id
            else:
                async with panel.db.session() as session:
                    own = await person_row(session, person_id)
                gmina_id = own.gmina_id if own else None
        async with panel.db.session() as session:
            try:
                changed = await change_role(session, person_id, role, grant=grant,
                                            forum_id=forum_id, gmina_id=gmina_id)
            except RoleRefused as refused:
                await session.rollback()
                return await detail(request, user, status=409,
                                    error=f"osoby.refused.{refused.reason}")
            if changed:
                await panel.audit(session, user, "role.grant" if grant else "role.revoke",
                                  f"person:{person_id}",
                                  {"role": role.value, "forum_id": forum_id,
                                   "gmina_id": gmina_id})
            await session.commit()
        if changed and not grant and role == Role.ADMIN and person_id == user.person_id:
            # Their own admin role is gone: this page is no longer theirs to see.
            return redirect(request, "/panel/", notice="osoby.revoked_self")
        notice = ("osoby.granted" if grant else "osoby.revoked") if changed \
            else "osoby.unchanged"
        return redirect(request, f"/panel/osoby/{person_id}", notice=notice)

    return [
        web.get("/panel/osoby", page(panel, index, allow=_may_view)),
        web.get("/panel/osoby/{id}", page(panel, show, allow=_may_view)),
        web.post("/panel/osoby/{id}/role",
                 page(panel, change, allow=lambda u: may(u.actor, Act.MANAGE_ROLES))),
    ]
