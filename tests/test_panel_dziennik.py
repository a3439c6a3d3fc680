"""The panel's "Dziennik zdarzeń": the audit log filtered by who, action, text and Polish
calendar days, newest first, paged, exported as CSV with the same filters; admins only."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp.test_utils import TestClient
from sqlalchemy import delete, insert

from bots.app import App
from store.models import AuditLog
from store.people import person_by_email
from tests.panel_helpers import panel_client, sign_in

__all__ = ["panel_client"]  # the fixture, imported for pytest

ADMIN = "m.zawadzka-hejmo@metropoliakrakowska.example.pl"
OBARA = "k.obara@metropoliakrakowska.example.pl"
COORDINATOR = "w.fras@wieliczka.example.pl"
Client = TestClient[Any, Any]


async def pid(app: App, email: str) -> int:
    async with app.db.session() as session:
        person = await person_by_email(session, email)
        assert person is not None and person.id is not None
        return person.id


async def seed(app: App) -> int:
    """A known log: forum.create on 1 Nov, role.grant on 2 Nov (by Obara, in chat) and on
    3 Nov 00:30 Warsaw time (23:30 UTC on 2 Nov: a Polish 3 Nov entry), directory.edit by the
    command line on 10 Nov. Returns Obara's id."""
    obara = await pid(app, OBARA)
    rows = [
        (datetime(2026, 11, 1, 9, 0, tzinfo=UTC), "cli", "forum.create", "forum:PZP", {}),
        (datetime(2026, 11, 2, 9, 0, tzinfo=UTC), f"person:{obara} via telegram:7000",
         "role.grant", "person:101", {"role": "admin"}),
        (datetime(2026, 11, 2, 23, 30, tzinfo=UTC), f"panel:person:{obara}", "role.grant",
         "person:102", {"role": "gmina_coordinator"}),
        (datetime(2026, 11, 10, 9, 0, tzinfo=UTC), "cli", "directory.edit", "person:103",
         {"fields": ["phone"]}),
    ]
    async with app.db.session() as session:
        await session.execute(delete(AuditLog))  # the sample load's entries
        await session.execute(insert(AuditLog), [
            {"at": at, "actor": actor, "action": action, "target": target,
             "details": json.dumps(details)} for at, actor, action, target, details in rows])
        await session.commit()
    return obara


def targets(page: str) -> list[str]:
    """The "Czego dotyczy" cells, top to bottom; a linked person as "person:<id>"."""
    body = page.split("<tbody>", 1)[1] if "<tbody>" in page else ""
    cells = re.findall(r'<td data-label="Czego dotyczy">(.*?)</td>', body, re.S)
    linked = [re.search(r'href="/panel/osoby/(\d+)"', c) for c in cells]
    return [f"person:{m.group(1)}" if m else re.sub(r"<[^>]+>", "", c).strip()
            for c, m in zip(cells, linked, strict=True)]


async def test_filter_by_action_and_polish_days(app: App, panel_client: Client) -> None:
    await seed(app)
    await sign_in(panel_client, app, ADMIN)
    everything = await (await panel_client.get("/panel/dziennik")).text()
    # newest first; the sign-in itself is the newest entry (real time, after November)
    assert targets(everything)[-4:] == ["person:103", "person:102", "person:101", "forum:PZP"]

    grants = await (await panel_client.get("/panel/dziennik",
                                           params={"action": "role.grant"})).text()
    assert targets(grants) == ["person:102", "person:101"] and "Wpisów: 2" in grants

    # 3 November in Poland begins at 23:00 UTC on the 2nd
    third = await (await panel_client.get("/panel/dziennik", params={
        "action": "role.grant", "from": "2026-11-03", "to": "2026-11-03"})).text()
    assert targets(third) == ["person:102"]
    assert "2026-11-03 00:30:00" in third  # shown in Polish time

    early = await (await panel_client.get("/panel/dziennik", params={
        "from": "2026-11-01", "to": "2026-11-02"})).text()
    assert targets(early) == ["person:101", "forum:PZP"]

    bad = await (await panel_client.get("/panel/dziennik", params={"from": "3.11.2026"})).text()
    assert "Nieprawidłowa data" in bad


async def test_filter_by_who_and_by_text(app: App, panel_client: Client) -> None:
    obara = await seed(app)
    await sign_in(panel_client, app, ADMIN)
    by_name = await (await panel_client.get("/panel/dziennik",
                                            params={"actor": "obara"})).text()
    assert targets(by_name) == ["person:102", "person:101"]
    # one readable form however it was stored: the name, linked, and the channel
    assert by_name.count(f'<a href="/panel/osoby/{obara}">Krzysztof Obara</a>') == 2
    assert "przez Telegram" in by_name and "przez panel" in by_name
    assert OBARA not in by_name and "via telegram" not in by_name
    by_id = await (await panel_client.get("/panel/dziennik",
                                          params={"actor": f"person:{obara}"})).text()
    assert targets(by_id) == ["person:102", "person:101"]
    by_text = await (await panel_client.get("/panel/dziennik",
                                            params={"target": "coordinator"})).text()
    assert targets(by_text) == ["person:102"]  # found in the details
    wild = await (await panel_client.get("/panel/dziennik", params={"target": "%"})).text()
    assert targets(wild) == []  # a wildcard is a character, not "anything"


async def test_csv_export_has_the_filtered_rows(app: App, panel_client: Client) -> None:
    await seed(app)
    await sign_in(panel_client, app, ADMIN)
    exported = await panel_client.get("/panel/dziennik.csv", params={"action": "role.grant"})
    assert exported.status == 200
    assert exported.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO((await exported.read()).decode("utf-8-sig"))))
    assert rows[0] == ["at_utc", "actor", "action", "target", "details"]
    assert [r[3] for r in rows[1:]] == ["person:102", "person:101"]
    assert rows[1][0] == "2026-11-02T23:30:00+00:00"
    page = await (await panel_client.get("/panel/dziennik",
                                         params={"action": "audit.export"})).text()
    assert "Wpisów: 1" in page  # the export is itself recorded


async def test_the_log_is_paged_newest_first(app: App, panel_client: Client) -> None:
    start = datetime(2026, 10, 1, tzinfo=UTC)
    async with app.db.session() as session:
        await session.execute(insert(AuditLog), [
            {"at": start + timedelta(minutes=i), "actor": "cli", "action": "bulk.test",
             "target": f"n:{i}", "details": "{}"} for i in range(120)])
        await session.commit()
    await sign_in(panel_client, app, ADMIN)
    first = await (await panel_client.get("/panel/dziennik",
                                          params={"action": "bulk.test"})).text()
    assert targets(first)[:2] == ["n:119", "n:118"] and len(targets(first)) == 50
    assert "1 / 3" in first and "page=2" in first and "action=bulk.test" in first
    third = await (await panel_client.get("/panel/dziennik",
                                          params={"action": "bulk.test", "page": "3"})).text()
    assert targets(third)[-1] == "n:0" and len(targets(third)) == 20


async def test_only_admins_read_the_log(app: App, panel_client: Client) -> None:
    await seed(app)
    await sign_in(panel_client, app, COORDINATOR)
    for path in ("/panel/dziennik", "/panel/dziennik.csv"):
        refused = await panel_client.get(path)
        assert refused.status == 403
        assert "person:101" not in await refused.text()
    assert 'href="/panel/dziennik"' not in await (await panel_client.get("/panel/")).text()


async def test_csv_export_writes_formula_like_cells_as_text(app: App,
                                                            panel_client: Client) -> None:
    async with app.db.session() as session:
        await session.execute(delete(AuditLog))
        await session.execute(insert(AuditLog), [
            {"at": datetime(2026, 11, 20, 9, 0, tzinfo=UTC), "actor": "cli",
             "action": "forum.import", "target": target, "details": "{}"}
            for target in ("\t=HYPERLINK(\"http://x\")", "＝HYPERLINK(1)", "=1+1", "plik.csv")])
        await session.commit()
    await sign_in(panel_client, app, ADMIN)
    exported = await panel_client.get("/panel/dziennik.csv", params={"action": "forum.import"})
    rows = list(csv.reader(io.StringIO((await exported.read()).decode("utf-8-sig"))))
    cells = sorted(r[3] for r in rows[1:])
    assert all(c.startswith("'") for c in cells if c != "plik.csv")  # a spreadsheet shows text
    assert "plik.csv" in cells


async def test_entries_read_as_words_for_office_staff(app: App, panel_client: Client) -> None:
    obara = await pid(app, OBARA)
    async with app.db.session() as session:
        await session.execute(delete(AuditLog))
        await session.execute(insert(AuditLog), [
            {"at": datetime(2026, 11, 3, 9, i, tzinfo=UTC), "actor": actor, "action": action,
             "target": "", "details": details} for i, (actor, action, details) in enumerate([
                (f"person:{obara} via panel", "announcement.send",
                 json.dumps({"via": "panel", "filters": json.dumps({"gmina": "Wieliczka"}),
                             "recipients": 12})),
                (f"person:{obara}", "role.grant", json.dumps({"role": "gmina_coordinator",
                                                               "forum_id": None})),
                ("cli", "custom.thing", "not json"),
            ])])
        await session.commit()
    await sign_in(panel_client, app, ADMIN)
    page = await (await panel_client.get("/panel/dziennik",
                                         params={"from": "2026-11-03", "to": "2026-11-03"})
                  ).text()
    body = page.split("<tbody>", 1)[1]
    assert "wysłanie ogłoszenia" in body and "<code>announcement.send</code>" in body
    assert "nadanie roli" in body and "custom.thing" in body  # an unknown code as it is
    assert "wiersz poleceń" in body and "przez komunikator" in body
    assert "gmina: Wieliczka" in body and "recipients:</span> 12" in body
    assert "rola:</span> koordynator gminy" in body  # the role's words in the details
    assert "forum (nr)" not in body  # an empty scope is left out
    assert "&#34;" not in body and "&quot;" not in body and "\\" not in body  # no raw JSON
    assert "not json" in body
    assert 'data-label="Kto"' in body and 'data-label="Szczegóły"' in body
    # the action filter offers the words, the code alongside
    assert '<option value="role.grant">nadanie roli (role.grant)</option>' in page
    for stored in ("person", "panel:person", "person:{} via panel"):
        who = f"{stored}:{obara}" if "{}" not in stored else stored.format(obara)
        found = await (await panel_client.get("/panel/dziennik", params={
            "actor": who, "from": "2026-11-03", "to": "2026-11-03"})).text()
        assert "Wpisów: 2" in found, who  # every stored form of the same person
