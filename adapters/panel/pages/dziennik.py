"""Dziennik zdarzeń: the audit log, filtered by who, action, target text and dates, newest
first, 50 a page, and exported as CSV with the same filters. Admins only.

Entries are shown as stored (ids, no contact data): a person's id links to their page on
"Osoby i role" rather than the log showing more about them. Dates are Polish calendar days.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlencode

from aiohttp import web

from adapters.panel.web import NavItem, Panel, PanelUser, page, page_number, render
from commands.clock import WARSAW
from commands.directory.importer import neutralise_cell
from store.people_panel import AuditFilter, AuditRow, audit_actions, audit_page, audit_rows

NAV = NavItem(path="/panel/dziennik", label="dziennik.nav", order=80,
              visible=lambda user: user.admin)
FIELDS = ("actor", "action", "target", "from", "to")
CSV_COLUMNS = ("at_utc", "actor", "action", "target", "details")


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
        given = [(k, v) for k, v in raw.items() if v]
        return render(request, "dziennik/index.html", {
            "found": found, "raw": raw, "bad_date": bad, "actions": actions, "local": local,
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
