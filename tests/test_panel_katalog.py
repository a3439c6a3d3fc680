"""The office panel's Katalog over HTTP, as an admin or a coordinator uses it: search as the
bot understands it, filters, an entry edited with the chat's rules, import with a preview and
a confirmation, export, and the freshness campaign with its progress (the messenger side
through the Telegram fake)."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import func, select, update
from sqlmodel import col

from bots.app import App
from bots.service import Service
from commands.directory.importer import export_rows, write_export
from store.models import AuditLog, ContactEntry, Forum, Gmina, Person, Topic
from tests.panel_helpers import panel_client, panel_component, sign_in
from tests.world import ADMIN, RENATA, World, telegram_buttons

__all__ = ["panel_client"]  # the fixture, used by name

Client = TestClient[Any, Any]
COORDINATOR = "w.fras@wieliczka.example.pl"  # coordinates Wieliczka
MARTA = "m.laskowska@wieliczka.example.pl"  # promocja; kultura; turystyka


async def _person(app: App, email: str) -> Person:
    async with app.db.session() as session:
        found = (await session.scalars(select(Person).where(Person.email == email))).first()
    assert found is not None
    return found


async def _gmina_id(app: App, name: str) -> int:
    async with app.db.session() as session:
        found = await session.scalar(select(Gmina.id).where(Gmina.name == name))
    assert found is not None
    return int(found)


def _names(page: str) -> list[str]:
    """The people a Katalog page lists, in order."""
    return re.findall(r'<th scope="row"><a href="/panel/katalog/\d+">([^<]+)</a></th>', page)


async def test_search_finds_who_the_bot_would_answer_with(app: App, panel_client: Client
                                                          ) -> None:
    await sign_in(panel_client, app, ADMIN)
    shown = await (await panel_client.get("/panel/katalog")).text()
    assert '<label for="katalog-q">Szukaj</label>' in shown
    page = await (await panel_client.get(
        "/panel/katalog", params={"q": "kto od śmieci w Wieliczce"})).text()
    assert _names(page) == ["Jolanta Kołodziej"]
    assert "Znalezione wpisy: 1" in page
    page = await (await panel_client.get("/panel/katalog", params={"q": "odpady Skawina"})).text()
    assert _names(page) == ["Tomasz Wesołowski"]
    page = await (await panel_client.get("/panel/katalog", params={"q": "Kołodziej"})).text()
    assert set(_names(page)) == {"Jolanta Kołodziej", "Leszek Kołodziej"}  # by name, too


async def test_the_search_field_is_labelled_search_in_english(app: App, panel_client: Client
                                                              ) -> None:
    async with app.db.session() as session:
        await session.execute(update(Person).where(Person.email == ADMIN).values(language="en"))
        await session.commit()
    await sign_in(panel_client, app, ADMIN)
    page = await (await panel_client.get("/panel/katalog")).text()
    assert '<label for="katalog-q">Search</label>' in page and '<html lang="en">' in page
    renata = await _person(app, RENATA.email)
    entry = await (await panel_client.get(f"/panel/katalog/{renata.id}")).text()
    assert "Renata Nowak — directory entry" in entry and "Correct the entry" in entry
    fresh = await (await panel_client.get("/panel/katalog/aktualnosc")).text()
    assert "No request has been sent yet." in fresh
    upload = await (await panel_client.get("/panel/katalog/import")).text()
    assert '<label for="import-file">CSV or XLSX file</label>' in upload


async def test_filters_by_gmina_topic_and_staleness(app: App, panel_client: Client) -> None:
    await sign_in(panel_client, app, COORDINATOR)  # any signed-in person reads the directory
    wieliczka = await _gmina_id(app, "Wieliczka")
    page = await (await panel_client.get("/panel/katalog",
                                         params={"gmina": str(wieliczka)})).text()
    names = _names(page)
    assert {"Renata Nowak", "Jolanta Kołodziej", "Anna Hajduk"} <= set(names)
    assert "Tomasz Wesołowski" not in names and names == sorted(names)
    # Older than 6 months on 2026-11-23: Renata (2025-12-09) and Anna (2025-10-18).
    page = await (await panel_client.get("/panel/katalog", params={
        "gmina": str(wieliczka), "months": "6"})).text()
    names = _names(page)
    assert {"Renata Nowak", "Anna Hajduk"} <= set(names)
    assert "Jolanta Kołodziej" not in names and "Wioletta Fraś" not in names
    async with app.db.session() as session:
        waste = await session.scalar(select(Topic.id).where(Topic.key == "odpady"))
    page = await (await panel_client.get("/panel/katalog", params={
        "gmina": str(wieliczka), "topic": str(waste)})).text()
    assert _names(page) == ["Jolanta Kołodziej"]
    # A search and the filters together.
    page = await (await panel_client.get("/panel/katalog", params={
        "q": "Wieliczka", "months": "6"})).text()
    assert "Jolanta Kołodziej" not in _names(page) and "Renata Nowak" in _names(page)


async def test_a_coordinator_edits_entries_of_their_gmina_only(app: App, panel_client: Client
                                                                ) -> None:
    csrf = await sign_in(panel_client, app, COORDINATOR)
    skawina = await _person(app, "t.wesolowski@skawina.example.pl")
    refused = await panel_client.post(f"/panel/katalog/{skawina.id}",
                                      data={"phone": "+48 12 999 99 99", "csrf": csrf})
    assert refused.status == 403
    assert (await _person(app, "t.wesolowski@skawina.example.pl")).phone == skawina.phone
    # Without the CSRF token nothing changes either, even in their own gmina.
    renata = await _person(app, RENATA.email)
    forged = await panel_client.post(f"/panel/katalog/{renata.id}",
                                     data={"phone": "+48 12 111 11 11"})
    assert forged.status == 403
    assert (await _person(app, RENATA.email)).phone == renata.phone
    # Her own gmina: saved, confirmed today, audited as done in the panel.
    saved = await panel_client.post(f"/panel/katalog/{renata.id}", allow_redirects=False,
                                    data={"phone": "+48 12 111 11 11", "csrf": csrf,
                                          "position": renata.position})
    assert saved.status == 303
    after = await _person(app, RENATA.email)
    assert after.phone == "+48 12 111 11 11" and after.confirmed_on == date(2026, 11, 23)
    async with app.db.session() as session:
        [row] = (await session.scalars(select(AuditLog).where(
            AuditLog.action == "directory.edit", AuditLog.target == f"person:{renata.id}"))).all()
    coordinator = await _person(app, COORDINATOR)
    assert row.actor == f"panel:person:{coordinator.id}" and '"phone"' in row.details
    # The chat's validation: a bad phone is refused with the reason, nothing saved.
    bad = await panel_client.post(f"/panel/katalog/{renata.id}",
                                  data={"phone": "zadzwoń", "csrf": csrf})
    assert bad.status == 400 and "zadzwoń" in await bad.text()
    assert (await _person(app, RENATA.email)).phone == "+48 12 111 11 11"
    # The e-mail links messengers: a coordinator cannot change it.
    mail = await panel_client.post(f"/panel/katalog/{renata.id}",
                                   data={"email": "x@example.pl", "csrf": csrf})
    assert mail.status == 400
    assert (await _person(app, RENATA.email)).email == RENATA.email


async def _real_data(app: App) -> None:
    """The sample directory as if it were an office's own (a real import keeps it)."""
    async with app.db.session() as session:
        for model in (Person, Gmina, Forum):
            await session.execute(update(model).values(demo=False))
        await session.commit()


async def _upload(client: Client, csrf: str, path: Path) -> aiohttp.ClientResponse:
    form = aiohttp.FormData()
    form.add_field("csrf", csrf)
    data = await asyncio.to_thread(path.read_bytes)
    form.add_field("file", data, filename=path.name, content_type="text/csv")
    return await client.post("/panel/katalog/import", data=form)


async def test_import_shows_each_rows_change_and_writes_only_when_confirmed(
        app: App, panel_client: Client, tmp_path: Path) -> None:
    await _real_data(app)
    async with app.db.session() as session:
        rows = await export_rows(session)
        entries_before = await session.scalar(select(func.count()).select_from(ContactEntry))
    renata = next(r for r in rows if r["email"] == RENATA.email)
    marta = next(r for r in rows if r["email"] == MARTA)
    changed = [{**renata, "phone": "+48 12 000 70 99"},
               {**marta, "topic": "promocja; kultura"},  # tourism no longer
               {**renata, "name": "Zofia Nowa", "email": "z.nowa@wieliczka.example.pl",
                "topic": "oświata"}]
    path = tmp_path / "katalog.csv"
    write_export(path, changed)
    csrf = await sign_in(panel_client, app, ADMIN)
    shown = await _upload(panel_client, csrf, path)
    page = await shown.text()
    assert shown.status == 200, page
    counts = re.search(r"<p id=\"preview-counts\">([^<]*)<", page)
    assert counts is not None and counts.group(1) == ("Wierszy: 3. Nowe osoby: 1, zmienione: 2, "
                                                    "bez zmian: 0, usuwane tematy: 1."), page
    assert re.search(r"Renata Nowak</th>.*?zmieniona.*?pola: Telefon", page, re.S)
    assert re.search(r"Marta Laskowska</th>.*?zmieniona.*?usunięte tematy: [^<]*turystyk", page,
                     re.S)
    assert re.search(r"Zofia Nowa</th>.*?dodana", page, re.S)
    # Nothing is written by the preview.
    assert (await _person(app, RENATA.email)).phone != "+48 12 000 70 99"
    async with app.db.session() as session:
        assert await session.scalar(select(Person.id).where(Person.name == "Zofia Nowa")) \
            is None
        assert await session.scalar(select(func.count()).select_from(ContactEntry)) \
            == entries_before
    token = re.search(r'name="token" value="([^"]+)"', page)
    assert token is not None
    # A forged token confirms nothing; a coordinator may not confirm at all.
    forged = await panel_client.post("/panel/katalog/import/potwierdz",
                                     data={"csrf": csrf, "token": "x" + token.group(1)})
    assert forged.status == 400
    assert (await _person(app, RENATA.email)).phone != "+48 12 000 70 99"
    # The preview belongs to the session that made it: the same admin elsewhere cannot use it.
    async with TestClient(TestServer(Service(app, [panel_component(app)]).web_app())) as other:
        other_csrf = await sign_in(other, app, ADMIN)
        elsewhere = await other.post("/panel/katalog/import/potwierdz",
                                     data={"csrf": other_csrf, "token": token.group(1)})
        assert elsewhere.status == 400
    assert (await _person(app, RENATA.email)).phone != "+48 12 000 70 99"
    confirmed = await panel_client.post("/panel/katalog/import/potwierdz", allow_redirects=False,
                                        data={"csrf": csrf, "token": token.group(1)})
    assert confirmed.status == 303
    assert (await _person(app, RENATA.email)).phone == "+48 12 000 70 99"
    zofia = await _person(app, "z.nowa@wieliczka.example.pl")
    assert zofia.name == "Zofia Nowa"
    marta_after = await _person(app, MARTA)
    async with app.db.session() as session:
        topics = " ".join((await session.scalars(
            select(Topic.name_pl).join(ContactEntry, ContactEntry.topic_id == Topic.id)
            .where(ContactEntry.person_id == marta_after.id))).all())
        audit = await session.scalar(select(func.count()).select_from(AuditLog).where(
            AuditLog.action == "directory.import"))
    assert "turystyk" not in topics and "kultur" in topics and audit == 1
    # The same token cannot be used twice.
    again = await panel_client.post("/panel/katalog/import/potwierdz",
                                    data={"csrf": csrf, "token": token.group(1)})
    assert again.status == 400


async def test_import_and_export_are_for_admins(app: App, panel_client: Client,
                                                tmp_path: Path) -> None:
    csrf = await sign_in(panel_client, app, COORDINATOR)
    path = tmp_path / "katalog.csv"
    path.write_text("gmina,topic,name\nWieliczka,oświata,Ktoś Nowy\n", encoding="utf-8")
    assert (await _upload(panel_client, csrf, path)).status == 403
    assert (await panel_client.get("/panel/katalog/eksport")).status == 403
    assert (await panel_client.get("/panel/katalog/aktualnosc")).status == 403
    async with app.db.session() as session:
        assert await session.scalar(select(Person.id).where(Person.name == "Ktoś Nowy")) is None


async def test_export_downloads_what_the_filter_shows(app: App, panel_client: Client) -> None:
    await sign_in(panel_client, app, ADMIN)
    wieliczka = await _gmina_id(app, "Wieliczka")
    response = await panel_client.get("/panel/katalog/eksport",
                                      params={"gmina": str(wieliczka)})
    assert response.status == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    text = (await response.read()).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert {r["gmina"] for r in rows} == {"Wieliczka"}
    assert "Jolanta Kołodziej" in {r["imię i nazwisko"] for r in rows}
    everything = await panel_client.get("/panel/katalog/eksport")
    all_rows = list(csv.DictReader(io.StringIO((await everything.read()).decode("utf-8-sig")),
                                   delimiter=";"))
    assert len(all_rows) > len(rows) and "Skawina" in {r["gmina"] for r in all_rows}


async def test_freshness_campaign_from_the_page_to_the_messenger_and_back(
        world: World, panel_client: Client) -> None:
    app = world.app
    await world.link(RENATA)
    csrf = await sign_in(panel_client, app, ADMIN)
    page = await (await panel_client.get("/panel/katalog/aktualnosc")).text()
    assert "Nie było jeszcze żadnej prośby." in page
    started = await panel_client.post("/panel/katalog/aktualnosc", allow_redirects=False,
                                      data={"csrf": csrf, "months": "6"})
    assert started.status == 303
    await world.deliver()
    [question] = world.on_telegram(RENATA)
    assert "Renata Nowak" in question["text"]
    assert telegram_buttons(question) == ["Dane aktualne", "Popraw"]
    page = await (await panel_client.get("/panel/katalog/aktualnosc")).text()
    assert 'data-count="asked">1<' in page and 'data-count="confirmed">0<' in page
    await world.telegram_press(RENATA, question, "Dane aktualne")
    assert (await _person(app, RENATA.email)).confirmed_on == date(2026, 11, 23)
    page = await (await panel_client.get("/panel/katalog/aktualnosc")).text()
    assert 'data-count="confirmed">1<' in page and 'data-count="no_answer">0<' in page
    assert 'data-count="up_to_date">1<' in page
    async with app.db.session() as session:
        assert await session.scalar(select(func.count()).select_from(AuditLog).where(
            AuditLog.action == "directory.freshness_start")) == 1


async def test_an_xlsx_file_is_previewed_like_a_csv(app: App, panel_client: Client,
                                                    tmp_path: Path) -> None:
    await _real_data(app)
    async with app.db.session() as session:
        rows = await export_rows(session)
    renata = next(r for r in rows if r["email"] == RENATA.email)
    path = tmp_path / "katalog.xlsx"
    write_export(path, [{**renata, "position": "kierownik Wydziału Zamówień"}])
    csrf = await sign_in(panel_client, app, ADMIN)
    form = aiohttp.FormData()
    form.add_field("csrf", csrf)
    form.add_field("file", await asyncio.to_thread(path.read_bytes), filename=path.name,
                   content_type="application/vnd.openxmlformats-officedocument."
                                "spreadsheetml.sheet")
    page = await (await panel_client.post("/panel/katalog/import", data=form)).text()
    assert re.search(r"Renata Nowak</th>.*?zmieniona.*?pola: Stanowisko", page, re.S), page
    # The progress counters as JSON, for the page's script (admins only, like the page).
    assert (await panel_client.get("/panel/katalog/aktualnosc.json")).status == 200


# --- the first real import: the demo goes, and the office keeps an admin ----------------------

NEW_ADMIN = "k.nowa@skawina.example.pl"


def _first_file(tmp_path: Path) -> Path:
    path = tmp_path / "nasz-katalog.csv"
    path.write_text("gmina,teryt,topic,name,email\n"
                    "Skawina,1206113,oświata,Kinga Nowa," + NEW_ADMIN + "\n"
                    "Skawina,1206113,odpady,Piotr Nowy,p.nowy@skawina.example.pl\n",
                    encoding="utf-8")
    return path


def _token(page: str) -> str:
    found = re.search(r'name="token" value="([^"]+)"', page)
    assert found is not None, page
    return found.group(1)


async def _demo_left(app: App) -> int:
    async with app.db.session() as session:
        return int(await session.scalar(
            select(func.count()).select_from(Person).where(col(Person.demo).is_(True))) or 0)


async def test_the_first_real_import_lists_the_demo_people_and_names_a_new_admin(
        app: App, panel_client: Client, tmp_path: Path) -> None:
    demo_people = await _demo_left(app)
    assert demo_people > 50
    csrf = await sign_in(panel_client, app, ADMIN)  # the demo's own admin
    page = await (await _upload(panel_client, csrf, _first_file(tmp_path))).text()
    # The preview says plainly what goes: everyone of the demo, by name, with the admin.
    warning = re.search(r'<div class="warning" id="demo-warning".*?</div>', page, re.S)
    assert warning is not None, page
    assert f"Import usunie całą demonstrację (osób: {demo_people})" in warning.group(0)
    assert "Zniknie też Twoje konto demonstracyjne" in warning.group(0)
    assert "Po imporcie nie będzie żadnego administratora" in warning.group(0)
    assert "zostają w katalogu bez zmian" not in page.replace(
        "Prawdziwe osoby, których nie ma w pliku, zostają w katalogu bez zmian", "")
    removed = re.search(r'<table class="responsive" id="removed-table">.*?</table>', page, re.S)
    assert removed is not None
    assert removed.group(0).count('<tr class="change-removed">') == demo_people
    assert re.search(r"Magdalena Zawadzka-Hejmo</th>.*?usunięta · administrator · to Ty",
                     removed.group(0), re.S)
    assert "Renata Nowak</th>" in removed.group(0)
    # The confirmation needs a person of the file as the admin: none, or someone else, is
    # refused and nothing is written.
    token = _token(page)
    assert f'<option value="{NEW_ADMIN}">Kinga Nowa &lt;{NEW_ADMIN}&gt;</option>' in page
    missing = await panel_client.post("/panel/katalog/import/potwierdz",
                                      data={"csrf": csrf, "token": token})
    text = await missing.text()
    assert missing.status == 400 and "Wybierz, kto z pliku zostanie administratorem" in text
    outsider = await panel_client.post("/panel/katalog/import/potwierdz", data={
        "csrf": csrf, "token": _token(text), "admin_email": RENATA.email})
    text = await outsider.text()
    assert outsider.status == 400 and f"Adresu {RENATA.email} nie ma w pliku" in text
    assert await _demo_left(app) == demo_people
    # Confirmed with a person of the file: the demo goes, she is the admin, and the page says
    # what happened and how she signs in — the importing demo admin is signed out.
    done = await panel_client.post("/panel/katalog/import/potwierdz", data={
        "csrf": csrf, "token": _token(text), "admin_email": NEW_ADMIN.upper()})
    text = await done.text()
    assert done.status == 200, text
    assert "Import zakończony" in text and f"Usunięto demonstrację (osób: {demo_people})" in text
    assert f"Administratorem biura jest teraz Kinga Nowa ({NEW_ADMIN})" in text
    assert f"<code>lacznik panel link {NEW_ADMIN}</code>" in text
    assert "Twoja sesja się zakończyła" in text and "Wyloguj" not in text
    assert await _demo_left(app) == 0
    after = await panel_client.get("/panel/katalog", allow_redirects=False)
    assert after.status == 303 and after.headers["Location"].startswith("/panel/signin")
    async with app.db.session() as session:
        audits = {row.action: json.loads(row.details) for row in (await session.scalars(
            select(AuditLog).where(col(AuditLog.action).in_(["directory.import", "role.grant"]))))}
    assert audits["directory.import"]["demo_people_removed"] == demo_people
    assert audits["role.grant"]["role"] == "admin"
    # The new admin signs in with a link (as `lacznik panel link` gives) and runs the office.
    async with TestClient(TestServer(Service(app, [panel_component(app)]).web_app())) as other:
        await sign_in(other, app, NEW_ADMIN)
        assert (await other.get("/panel/katalog/import")).status == 200


async def test_a_first_import_without_any_e_mail_cannot_leave_the_office_without_admin(
        app: App, panel_client: Client, tmp_path: Path) -> None:
    path = tmp_path / "bez-adresow.csv"
    path.write_text("gmina,topic,name\nSkawina,oświata,Kinga Nowa\n", encoding="utf-8")
    csrf = await sign_in(panel_client, app, ADMIN)
    page = await (await _upload(panel_client, csrf, path)).text()
    assert 'id="import-no-emails"' in page and "W pliku nie ma żadnego adresu e-mail" in page
    assert "Usuń demonstrację i importuj" not in page
    forced = await panel_client.post("/panel/katalog/import/potwierdz",
                                     data={"csrf": csrf, "token": _token(page)})
    assert forced.status == 400
    assert await _demo_left(app) > 0


async def test_an_import_that_keeps_a_real_admin_asks_for_no_new_one(
        app: App, panel_client: Client, tmp_path: Path) -> None:
    async with app.db.session() as session:  # the office's own admin, not the demo's
        await session.execute(update(Person).where(col(Person.email) == ADMIN).values(demo=False))
        await session.commit()
    csrf = await sign_in(panel_client, app, ADMIN)
    page = await (await _upload(panel_client, csrf, _first_file(tmp_path))).text()
    assert 'id="demo-warning"' in page and "Zniknie też Twoje konto" not in page
    assert 'name="admin_email"' not in page and "żadnego administratora" not in page
    done = await panel_client.post("/panel/katalog/import/potwierdz",
                                   data={"csrf": csrf, "token": _token(page)})
    text = await done.text()
    assert done.status == 200 and "Usunięto demonstrację" in text
    assert "Twoja sesja się zakończyła" not in text and "Wyloguj" in text
    assert (await panel_client.get("/panel/katalog/import")).status == 200  # still admin


async def test_import_problems_are_told_in_the_readers_language(
        app: App, panel_client: Client, tmp_path: Path) -> None:
    csrf = await sign_in(panel_client, app, ADMIN)
    bad = tmp_path / "zly.csv"
    bad.write_text("gmina,topic,name,email\nSkawina,oświata,Zła Osoba,zla-osoba\n"
                   "Skawina,oświata,,bez.nazwiska@skawina.example.pl\n", encoding="utf-8")
    page = await (await _upload(panel_client, csrf, bad)).text()
    assert "Wiersz 2: nieprawidłowy adres e-mail &#39;zla-osoba&#39;" in page, page
    assert "Wiersz 3: kolumna „imię i nazwisko” jest pusta" in page
    assert "is not valid" not in page and "Row 2" not in page
    columns = tmp_path / "kolumny.csv"
    columns.write_text("gmina,nazwisko\nSkawina,Ktoś\n", encoding="utf-8")
    page = await (await _upload(panel_client, csrf, columns)).text()
    assert "Brak kolumn: tematy, imię i nazwisko (w pliku są: gmina, nazwisko)" in page, page
    assert "Missing columns" not in page
    broken = tmp_path / "arkusz.xlsx"
    broken.write_bytes(b"to nie jest arkusz")
    page = await (await _upload(panel_client, csrf, broken)).text()
    assert "To nie jest czytelny plik XLSX" in page and "zip file" not in page
    nothing = aiohttp.FormData()
    nothing.add_field("csrf", csrf)
    nothing.add_field("file", b"", filename="", content_type="application/octet-stream")
    empty = await panel_client.post("/panel/katalog/import", data=nothing)
    assert empty.status == 400 and "Wybierz plik CSV lub XLSX." in await empty.text()
    async with app.db.session() as session:
        await session.execute(update(Person).where(col(Person.email) == ADMIN)
                              .values(language="en"))
        await session.commit()
    page = await (await _upload(panel_client, csrf, bad)).text()
    assert "Row 2: e-mail &#39;zla-osoba&#39; is not valid" in page
    assert "nieprawidłowy" not in page


# --- the freshness campaign: a confirmation first, then exactly what happened ----------------


async def test_the_campaign_is_confirmed_first_and_says_who_was_asked(
        world: World, panel_client: Client) -> None:
    app = world.app
    await world.link(RENATA)
    csrf = await sign_in(panel_client, app, ADMIN)
    page = await (await panel_client.get("/panel/katalog/aktualnosc?months=6")).text()
    assert page.count("Wpisy niepotwierdzone od (miesięcy)") == 1  # one field, one label
    stale = int(re.findall(r"Wpisów potwierdzonych [^:]*: (\d+)\.", page)[0])
    assert 'href="/panel/katalog/aktualnosc/potwierdz?months=6"' in page
    plan = await (await panel_client.get("/panel/katalog/aktualnosc/potwierdz?months=6")).text()
    assert re.search(r"<th scope=\"row\">Telegram</th><td class=\"num\">1</td>", plan), plan
    assert "Prośbę dostanie osób: 1." in plan
    assert f"Osób bez połączonego komunikatora: {stale - 1}" in plan
    assert "Wyślij prośbę (osób: 1)" in plan
    await world.deliver()
    assert world.on_telegram(RENATA) == []  # looking at the plan sends nothing
    started = await panel_client.post("/panel/katalog/aktualnosc", allow_redirects=False,
                                      data={"csrf": csrf, "months": "6"})
    assert started.status == 303 and "started=" in started.headers["Location"]
    page = await (await panel_client.get(started.headers["Location"])).text()
    result = re.search(r'<p class="notice result"[^>]*>([^<]*)</p>', page)
    assert result is not None, page
    assert "Wysłano prośbę do osób: 1" in result.group(1)
    assert f"Nie zapytano osób bez komunikatora: {stale - 1}." in result.group(1)
    assert "Prośby wysłane" not in page


async def test_a_campaign_that_reaches_nobody_is_a_warning_not_a_success(
        app: App, panel_client: Client) -> None:
    csrf = await sign_in(panel_client, app, ADMIN)
    plan = await (await panel_client.get("/panel/katalog/aktualnosc/potwierdz?months=6")).text()
    assert "Nikt nie dostanie prośby" in plan and 'action="/panel/katalog/aktualnosc"' not in plan
    started = await panel_client.post("/panel/katalog/aktualnosc", allow_redirects=False,
                                      data={"csrf": csrf, "months": "6"})
    page = await (await panel_client.get(started.headers["Location"])).text()
    assert re.search(r'<p class="warning result" role="alert" id="fresh-result">Nikogo nie '
                     r'zapytano: żadna z tych osób \(\d+\)', page), page
    assert 'class="notice' not in page


async def test_the_entry_form_explains_the_empty_message_language(
        app: App, panel_client: Client) -> None:
    await sign_in(panel_client, app, ADMIN)
    renata = await _person(app, RENATA.email)
    page = await (await panel_client.get(f"/panel/katalog/{renata.id}")).text()
    assert re.search(r'<option value=""( selected)?>— jak w komunikatorze —</option>', page)
    assert "Bez wyboru bot pisze w języku komunikatora tej osoby." in page
