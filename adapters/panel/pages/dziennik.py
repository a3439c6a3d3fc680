"""Dziennik zdarzeń: the audit log, filtered by who, action, target text and dates, newest
first, 50 a page, and exported as CSV with the same filters. Admins only.

Entries are shown readably for office staff: an action's label (its code kept small, for
searching), the acting person's name linked to their page on "Osoby i role" with the channel
("przez panel", "przez Telegram", "wiersz poleceń") however the actor was stored, and the
details as a short key: value list. No contact data. Dates are Polish calendar days. The CSV
export keeps the stored values.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlencode

from aiohttp import web

from adapters.panel.texts import known, pt
from adapters.panel.web import NavItem, Panel, PanelUser, page, page_number, render
from commands.clock import WARSAW
from commands.directory.importer import neutralise_cell
from commands.texts import PLATFORM_NAMES
from store.people_panel import (
    AuditFilter,
    AuditRow,
    audit_actions,
    audit_page,
    audit_rows,
    names_of,
)

NAV = NavItem(path="/panel/dziennik", label="dziennik.nav", order=80,
              visible=lambda user: user.admin)
FIELDS = ("actor", "action", "target", "from", "to")
CSV_COLUMNS = ("at_utc", "actor", "action", "target", "details")
# The ways an actor is stored: "panel:person:12", "person:12 via panel",
# "person:12 via telegram:7000", "person:12" (the chat), "telegram:7000", "cli", "system".
_PANEL_PERSON = re.compile(r"^panel:person:(\d+)$")
_PERSON = re.compile(r"^person:(\d+)(?: via ([\w-]+)(?::.*)?)?$")
_ACCOUNT = re.compile(r"^([a-z]+):(.+)$")
MAX_VALUE = 200


@dataclass(frozen=True, slots=True)
class Who:
    """An actor or target as a reader sees it: a person (linked) or a text, and a channel."""

    person_id: int | None
    name: str
    channel: str
    stored: str


def action_label(code: str, lang: str) -> str:
    """The action's words, or the code itself when it has none."""
    key = f"dziennik.act.{code}"
    return pt(lang, key) if known(key) else code


def who(stored: str, names: dict[int, str], lang: str) -> Who:
    """One readable form of however the actor (or a target) was stored."""
    if found := _PANEL_PERSON.match(stored):
        channel = "panel"
    elif found := _PERSON.match(stored):
        channel = found.group(2) or "chat"
    else:
        found = None
        channel = ""
    if found is not None:
        pid = int(found.group(1))
        return Who(pid, names.get(pid) or pt(lang, "dziennik.person_n", id=pid),
                   _channel(channel, lang), stored)
    if stored in ("cli", "system", "panel:entra", "unlinked"):
        return Who(None, pt(lang, f"dziennik.who.{stored.replace(':', '_')}"), "", stored)
    if (account := _ACCOUNT.match(stored)) and account.group(1) in PLATFORM_NAMES:
        return Who(None, pt(lang, "dziennik.account", id=account.group(2)),
                   _channel(account.group(1), lang), stored)
    return Who(None, stored, "", stored)


def _channel(name: str, lang: str) -> str:
    if name in ("panel", "chat"):
        return pt(lang, f"dziennik.via_{name}")
    return pt(lang, "dziennik.via", name=PLATFORM_NAMES.get(name, name))


def details(text: str, lang: str) -> list[tuple[str, str]]:
    """Stored details (JSON, possibly with JSON inside a value) as key: value pairs; text
    that is not a JSON object comes back as one unnamed line."""
    try:
        parsed = json.loads(text) if text else {}
    except ValueError:
        return [("", text[:MAX_VALUE])]
    if not isinstance(parsed, dict):
        return [("", _value(parsed, lang))]
    return [(_key(str(k), lang), _value(v, lang, key=str(k))) for k, v in parsed.items()
            if v not in (None, "", [], {})  # an empty scope says nothing to a reader
            and not (k == "via" and v == "panel")]  # the actor column says "przez panel"


def _key(name: str, lang: str) -> str:
    key = f"dziennik.key.{name}"
    return pt(lang, key) if known(key) else name


def _value(value: object, lang: str, *, key: str = "") -> str:
    if isinstance(value, str) and value[:1] in ("{", "["):
        with contextlib.suppress(ValueError):
            value = json.loads(value)  # JSON stored inside a value: shown, not escaped
    if value is None or value == "" or value == []:
        shown = "—"
    elif isinstance(value, dict):
        shown = ", ".join(f"{k}: {_value(v, lang)}" for k, v in value.items())
    elif isinstance(value, list):
        shown = ", ".join(_value(v, lang) for v in value)
    elif isinstance(value, bool):
        shown = pt(lang, "dziennik.yes" if value else "dziennik.no")
    elif key == "role" and known(f"osoby.role_name.{value}"):
        shown = pt(lang, f"osoby.role_name.{value}")
    else:
        shown = str(value)
    return shown if len(shown) <= MAX_VALUE else shown[:MAX_VALUE - 1] + "…"


def _day(text: str) -> date | str | None:
    """A YYYY-MM-DD day, None when empty, "bad" when not a date."""
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return "bad"


def _start_of(day: date) -> datetime:
    """The UTC moment a Polish calendar day begins."""
    return datetime.combine(day, time(), tzinfo=WARSAW).astimezone(UTC)


def read_filter(request: web.Request) -> tuple[AuditFilter, dict[str, str], bool]:
    """The filter a request asks for, the raw values to show back, and whether a date was
    not understood (it is then ignored)."""
    raw = {name: request.query.get(name, "").strip()[:200] for name in FIELDS}
    since, until = _day(raw["from"]), _day(raw["to"])
    bad = since == "bad" or until == "bad"
    return AuditFilter(
        actor=raw["actor"], action=raw["action"], target=raw["target"],
        since=_start_of(since) if isinstance(since, date) else None,
        until=_start_of(until + timedelta(days=1)) if isinstance(until, date) else None,
    ), raw, bad


def local(moment: datetime) -> str:
    """A stored moment in Polish time, to the second."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(WARSAW).strftime("%Y-%m-%d %H:%M:%S")


def _csv_line(row: AuditRow | tuple[str, ...]) -> str:
    buffer = io.StringIO()
    values = row if isinstance(row, tuple) else (
        (row.at if row.at.tzinfo else row.at.replace(tzinfo=UTC)).astimezone(UTC).isoformat(),
        row.actor, row.action, row.target, row.details)
    # A cell a spreadsheet would run as a formula is written as text (the directory
    # export's rule: = + - @, tab, CR and their full-width forms).
    safe = [neutralise_cell(v) for v in map(str, values)]
    csv.writer(buffer).writerow(safe)
    return buffer.getvalue()


def routes(panel: Panel) -> list[web.RouteDef]:
    """The log page and its CSV export."""

    async def index(request: web.Request, user: PanelUser) -> web.StreamResponse:
        filters, raw, bad = read_filter(request)
        async with panel.db.session() as session:
            found = await audit_page(session, filters, page_number(request))
            actions = await audit_actions(session)
            people = [r.actor_id for r in found.rows] + [r.target_id for r in found.rows]
            names = await names_of(session, [p for p in people if p is not None])
        given = [(k, v) for k, v in raw.items() if v]
        lang = user.lang
        return render(request, "dziennik/index.html", {
            "found": found, "raw": raw, "bad_date": bad, "local": local,
            "actions": [(a, action_label(a, lang)) for a in actions],
            "label": lambda code: action_label(code, lang),
            "who": lambda stored: who(stored, names, lang),
            "details": lambda text: details(text, lang),
            "pager_url": "/panel/dziennik" + ("?" + urlencode(given) if given else ""),
            "export_url": "/panel/dziennik.csv" + ("?" + urlencode(given) if given else ""),
        })

    async def export(request: web.Request, user: PanelUser) -> web.StreamResponse:
        filters, raw, _bad = read_filter(request)
        response = web.StreamResponse(headers={
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": 'attachment; filename="dziennik.csv"',
            "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"})
        await response.prepare(request)
        await response.write(("\ufeff" + _csv_line(CSV_COLUMNS)).encode())  # BOM: Excel
        async with panel.db.session() as session:
            await panel.audit(session, user, "audit.export", "",
                              {k: v for k, v in raw.items() if v})
            await session.commit()
            async for chunk in audit_rows(session, filters):
                await response.write("".join(_csv_line(row) for row in chunk).encode())
        await response.write_eof()
        return response

    admin = lambda user: user.admin  # noqa: E731
    return [web.get("/panel/dziennik", page(panel, index, allow=admin)),
            web.get("/panel/dziennik.csv", page(panel, export, allow=admin))]
