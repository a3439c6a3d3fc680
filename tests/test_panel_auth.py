"""Signing in to the office panel: one-time links from the messenger, the chat and the
command line; sessions that expire, are listed and can be ended; CSRF on every change."""

from __future__ import annotations

import asyncio
import re
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient, TestServer
from sqlmodel import select

from bots.app import App
from bots.service import Service
from commands.clock import ManualClock
from store.models import Person
from store.panel_models import PanelSession
from tests.panel_helpers import (
    csrf_of,
    link_for,
    open_link,
    panel_component,
    sign_in,
)
from tests.world import RENATA, THE_OFFICE, World, telegram_in_group

ADMIN = THE_OFFICE.email
URL = re.compile(r"https?://\S+/panel/signin/link/\S+")


async def test_the_panel_without_a_session_sends_to_sign_in_and_shows_no_data(
        panel_client: TestClient[Any, Any]) -> None:
    response = await panel_client.get("/panel/", allow_redirects=False)
    assert response.status == 303
    assert response.headers["Location"] == "/panel/signin"
    assert "Zawadzka" not in await response.text()
    signin = await panel_client.get("/panel/signin")
    page = await signin.text()
    assert signin.status == 200 and '<html lang="pl">' in page
    assert "Zawadzka" not in page
    # No messenger in this installation: the page says how to get a link instead of
    # offering to send one that could not arrive.
    assert "lacznik panel link" in page and "Wyślij mi link" not in page


async def test_a_link_signs_in_once_and_lands_on_the_panel(
        panel_client: TestClient[Any, Any], app: App) -> None:
    link = await link_for(app, ADMIN)
    assert await open_link(panel_client, link)
    home = await panel_client.get("/panel/")
    assert "Magdalena Zawadzka-Hejmo" in await home.text()
    panel_client.session.cookie_jar.clear()
    again = await panel_client.get(link)
    used = await panel_client.post(link, data={"csrf": csrf_of(await again.text())},
                                   allow_redirects=False)
    assert used.status == 410
    assert "został już użyty albo wygasł" in await used.text()
    assert (await panel_client.get("/panel/", allow_redirects=False)).status == 303


async def test_a_link_expires_after_fifteen_minutes(
        panel_client: TestClient[Any, Any], app: App, clock: ManualClock) -> None:
    link = await link_for(app, ADMIN)
    clock.advance(timedelta(minutes=15, seconds=1))
    assert await open_link(panel_client, link) == ""


async def test_a_change_without_the_csrf_token_is_refused_and_changes_nothing(
        panel_client: TestClient[Any, Any], app: App) -> None:
    csrf = await sign_in(panel_client, app, ADMIN)
    forged = await panel_client.post("/panel/jezyk", data={"lang": "en", "back": "/panel/"},
                                     allow_redirects=False)
    assert forged.status == 403
    wrong = await panel_client.post("/panel/jezyk", data={"lang": "en", "csrf": csrf + "x"},
                                    allow_redirects=False)
    assert wrong.status == 403
    async with app.db.session() as session:
        person = (await session.exec(select(Person).where(Person.email == ADMIN))).one()
        assert person.language != "en"
    ok = await panel_client.post("/panel/jezyk", data={"lang": "en", "csrf": csrf},
                                 allow_redirects=False)
    assert ok.status == 303
    home = await panel_client.get("/panel/")
    assert '<html lang="en">' in await home.text()


async def test_the_session_cookie_is_http_only_and_same_site_lax(
        panel_client: TestClient[Any, Any], app: App) -> None:
    shown = await panel_client.get(await link_for(app, ADMIN))
    path = shown.url.path
    used = await panel_client.post(path, data={"csrf": csrf_of(await shown.text())},
                                   allow_redirects=False)
    header = ";".join(used.headers.getall("Set-Cookie"))
    assert "lacznik_panel=" in header
    assert "HttpOnly" in header and "SameSite=Lax" in header and "Path=/panel" in header
    assert "Secure" not in header  # plain http on this machine: a Secure cookie would be lost


async def test_behind_https_the_cookie_is_secure(app: App) -> None:
    from adapters.panel import build_panel_component
    from adapters.panel.settings import PanelConfig

    component = build_panel_component(app, PanelConfig(), public_url="https://lacznik.example.pl",
                                      importer=app.importer, morphology=app.morphology)
    async with TestClient(TestServer(Service(app, [component]).web_app())) as client:
        shown = await client.get(await link_for(app, ADMIN))
        assert "Secure" in ";".join(shown.headers.getall("Set-Cookie"))
        # This test's client speaks plain http, so it keeps no Secure cookie: send it back
        # as the browser behind the https proxy would.
        token = csrf_of(await shown.text())
        used = await client.post(shown.url.path, data={"csrf": token}, allow_redirects=False,
                                 headers={"Cookie": f"lacznik_panel_pre={token}"})
        assert used.status == 303
        assert "Secure" in ";".join(used.headers.getall("Set-Cookie"))


async def test_sessions_are_listed_and_one_browser_can_end_another(
        app: App, clock: ManualClock) -> None:
    web_app = Service(app, [panel_component(app)]).web_app()
    async with TestClient(TestServer(web_app)) as laptop, \
            TestClient(TestServer(Service(app, [panel_component(app)]).web_app())) as phone:
        csrf = await sign_in(laptop, app, ADMIN)
        await sign_in(phone, app, ADMIN)
        listing = await (await laptop.get("/panel/sesje")).text()
        assert listing.count("/koniec\"") == 2
        assert "ta przeglądarka" in listing
        ended = await laptop.post("/panel/sesje/koniec-innych", data={"csrf": csrf},
                                  allow_redirects=False)
        assert ended.status == 303
        assert (await phone.get("/panel/", allow_redirects=False)).status == 303
        assert (await laptop.get("/panel/", allow_redirects=False)).status == 200


async def test_an_idle_session_expires(panel_client: TestClient[Any, Any], app: App,
                                       clock: ManualClock) -> None:
    await sign_in(panel_client, app, ADMIN)
    clock.advance(timedelta(minutes=119))
    assert (await panel_client.get("/panel/", allow_redirects=False)).status == 200
    clock.advance(timedelta(minutes=119))  # used a moment ago: still within the idle limit
    assert (await panel_client.get("/panel/", allow_redirects=False)).status == 200
    clock.advance(timedelta(minutes=121))
    assert (await panel_client.get("/panel/", allow_redirects=False)).status == 303


async def test_signing_out_ends_the_session(panel_client: TestClient[Any, Any],
                                            app: App) -> None:
    csrf = await sign_in(panel_client, app, ADMIN)
    out = await panel_client.post("/panel/signout", data={"csrf": csrf}, allow_redirects=False)
    assert out.status == 303 and out.headers["Location"].startswith("/panel/signin")
    async with app.db.session() as session:
        rows = (await session.exec(select(PanelSession))).all()
    assert rows and all(row.ended_at is not None for row in rows)


def _local(url: str, client: TestClient[Any, Any]) -> str:
    return url.split("://", 1)[1].split("/", 1)[1].join(["/", ""])


async def test_send_me_a_link_goes_to_the_messenger_never_to_the_browser(
        world: World, app: App) -> None:
    await world.link(RENATA)
    async with TestClient(TestServer(Service(app, [panel_component(app)]).web_app())) as client:
        form = await client.get("/panel/signin")
        assert "Wyślij mi link" in await form.text()  # the messengers are there to carry it
        sent = await client.post("/panel/signin", data={
            "email": RENATA.email, "csrf": csrf_of(await form.text())})
        page = await sent.text()
        assert sent.status == 200 and "Sprawdź swój komunikator" in page
        assert "/panel/signin/link/" not in page
        unknown = await client.post("/panel/signin", data={
            "email": "nikt@nigdzie.example.pl", "csrf": csrf_of(await form.text())})
        assert "Sprawdź swój komunikator" in await unknown.text()  # tells a stranger nothing
        await world.deliver()
        texts = [m.get("text", "") for m in world.on_telegram(RENATA)]
        links = [found.group(0) for text in texts if (found := URL.search(text))]
        assert len(links) == 1
        assert await open_link(client, _local(links[0], client))
        home = await client.get("/panel/")
        assert "Renata Nowak" in await home.text()


async def test_the_sign_in_form_without_its_token_sends_nothing(world: World,
                                                                 app: App) -> None:
    await world.link(RENATA)
    async with TestClient(TestServer(Service(app, [panel_component(app)]).web_app())) as client:
        refused = await client.post("/panel/signin", data={"email": RENATA.email})
        assert refused.status == 403
        await world.deliver()
        assert not [m for m in world.on_telegram(RENATA) if "/panel/" in m.get("text", "")]


async def test_slash_panel_in_a_private_chat_gives_a_link_and_in_a_group_does_not(
        world: World, app: App) -> None:
    await world.link(RENATA)
    await world.telegram_says(RENATA, "/panel")
    texts = [m.get("text", "") for m in world.on_telegram(RENATA)]
    links = [found.group(0) for text in texts if (found := URL.search(text))]
    assert len(links) == 1
    async with TestClient(TestServer(Service(app, [panel_component(app)]).web_app())) as client:
        assert await open_link(client, _local(links[0], client))
    await telegram_in_group(world, RENATA, -100777, "/panel")
    group = " ".join(m.get("text", "") for m in world.on_telegram_group(-100777))
    assert "/panel/signin/link/" not in group


def test_lacznik_panel_link_prints_one_url_that_signs_in(tmp_path: Path) -> None:
    config = tmp_path / "lacznik.toml"
    config.write_text(f'[database]\nurl = "sqlite:///{tmp_path / "db.sqlite"}"\n', "utf-8")

    async def scenario() -> None:
        from bots.app import build_app
        from bots.config import load_config

        app = build_app(load_config(config))
        await app.prepare(with_sample=True)
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bots.cli", "--config", str(config), "panel", "link", ADMIN,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        out, _err = await process.communicate()
        assert process.returncode == 0
        lines = out.decode().splitlines()
        assert len(lines) == 1 and URL.fullmatch(lines[0]), lines
        async with TestClient(TestServer(Service(app, [panel_component(app)]).web_app())) as c:
            assert await open_link(c, _local(lines[0], c))
            assert "Magdalena Zawadzka-Hejmo" in await (await c.get("/panel/")).text()
        unknown = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bots.cli", "--config", str(config), "panel", "link",
            "nikt@example.pl", stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        out, err = await unknown.communicate()
        assert unknown.returncode == 2 and out == b"" and b"nikt@example.pl" in err
        await app.close()

    asyncio.run(scenario())


async def test_retention_drops_used_up_links_and_ended_sessions_but_keeps_live_ones(
        panel_client: TestClient[Any, Any], app: App, clock: ManualClock) -> None:
    from scheduler.retention import RetentionSettings, enforce
    from store.panel_models import PanelLink

    await link_for(app, ADMIN)  # never used: expires in 15 minutes
    await sign_in(panel_client, app, ADMIN)
    clock.advance(timedelta(days=2))
    fresh = await link_for(app, ADMIN)
    await sign_in(panel_client, app, ADMIN)  # a live session, signed in today
    removed = await enforce(app.db, clock.now(), RetentionSettings())
    assert removed["panel_sign_ins"] == 3  # the two links and the session of two days ago
    async with app.db.session() as session:
        links = (await session.exec(select(PanelLink))).all()
        sessions = (await session.exec(select(PanelSession))).all()
    assert len(links) == 2  # today's two links stay
    assert fresh.startswith("/panel/signin/link/")
    assert len(sessions) == 1
    assert (await panel_client.get("/panel/", allow_redirects=False)).status == 200


def test_entra_sign_in_must_name_one_organisation_and_its_secret() -> None:
    import pytest

    from adapters.panel.settings import parse_config
    from commands.config_schema import ConfigError

    with pytest.raises(ConfigError, match=r"\[panel\] entra_tenant_id"):
        parse_config({"entra_client_id": "app", "entra_tenant_id": "common",
                      "entra_client_secret": "s"})
    with pytest.raises(ConfigError, match=r"\[panel\] entra_client_secret"):
        parse_config({"entra_client_id": "app", "entra_tenant_id": "gmina.onmicrosoft.com"})
    assert not parse_config(None).entra  # no Entra settings: only messenger links


async def test_what_a_person_did_in_the_panel_is_in_their_rodo_export_and_erased_with_them(
        panel_client: TestClient[Any, Any], app: App) -> None:
    from store.models import AuditLog
    from store.rodo import export_person, forget_person
    from tests.world import COORDINATOR

    csrf = await sign_in(panel_client, app, COORDINATOR.email)
    async with app.db.session() as session:
        renata = (await session.exec(select(Person).where(Person.email == RENATA.email))).one()
    edited = await panel_client.post(f"/panel/katalog/{renata.id}", allow_redirects=False,
                                     data={"phone": "+48 12 111 11 11", "csrf": csrf,
                                           "position": renata.position})
    assert edited.status == 303  # the coordinator corrected a colleague of their gmina
    async with app.db.session() as session:
        coordinator = (await session.exec(select(Person).where(
            Person.email == COORDINATOR.email))).one()
        exported = await export_person(session, COORDINATOR.email, now=app.clock.now())
        assert any(entry["action"] == "directory.edit" for entry in exported["audit_entries"])
        forgotten = await forget_person(session, COORDINATOR.email, actor="cli")
        await session.commit()
        [row] = (await session.exec(select(AuditLog).where(
            AuditLog.action == "directory.edit"))).all()
    assert row.target == f"person:{renata.id}"  # the colleague's entry keeps its history
    assert f"person:{coordinator.id}" not in row.actor and forgotten.pseudonym in row.actor


async def test_a_directory_file_over_two_megabytes_reaches_the_import_but_a_webhook_size_form_elsewhere_does_not(  # noqa: E501
        panel_client: TestClient[Any, Any], app: App) -> None:
    from aiohttp import FormData

    csrf = await sign_in(panel_client, app, ADMIN)
    rows = "".join(f"Osoba {n};osoba{n}@wieliczka.example.pl;Wieliczka;odpady;{'x' * 200}\n"
                   for n in range(12_000))  # about 3 MB: a big association's whole directory
    assert len(rows.encode()) > 2 * 1024 * 1024
    form = FormData()
    form.add_field("csrf", csrf)
    form.add_field("file", "imie_nazwisko;email;gmina;tematy;uwagi\n" + rows,
                   filename="katalog.csv", content_type="text/csv")
    upload = await panel_client.post("/panel/katalog/import", data=form)
    assert upload.status != 413  # the panel's own 20 MB limit, not the webhooks' 2 MB
    big = await panel_client.post("/panel/jezyk", data={"csrf": csrf, "lang": "x" * 3_000_000})
    assert big.status == 413


async def test_someone_elses_link_does_not_silently_switch_a_signed_in_browser(
        panel_client: TestClient[Any, Any], app: App) -> None:
    await sign_in(panel_client, app, ADMIN)
    foreign = await link_for(app, RENATA.email)  # sent to the admin by someone else
    shown = await panel_client.get(foreign)
    page = await shown.text()
    assert "data-autosubmit" not in page
    assert "Magdalena Zawadzka-Hejmo" in page and "Renata Nowak" in page
    home = await panel_client.get("/panel/")
    assert "Magdalena Zawadzka-Hejmo" in await home.text()  # still the admin
    # Asked and confirmed, the switch happens (the link is the holder's to use).
    used = await panel_client.post(foreign, data={"csrf": csrf_of(page)}, allow_redirects=False)
    assert used.status == 303
    assert "Renata Nowak" in await (await panel_client.get("/panel/")).text()
    # One's own fresh link while signed in: straight home, the link kept for later.
    own = await link_for(app, RENATA.email)
    again = await panel_client.get(own, allow_redirects=False)
    assert again.status == 303 and again.headers["Location"] == "/panel/"


async def test_a_nonsense_session_number_is_not_found(panel_client: TestClient[Any, Any],
                                                      app: App) -> None:
    csrf = await sign_in(panel_client, app, ADMIN)
    ended = await panel_client.post("/panel/sesje/" + "9" * 30 + "/koniec", data={"csrf": csrf})
    assert ended.status == 404


def test_a_headless_service_with_a_panel_section_serves_the_panel_alone(tmp_path: Path) -> None:
    import os
    import signal
    import socket
    import subprocess
    import time
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = tmp_path / "lacznik.toml"
    config.write_text(f'[server]\nport = {port}\n[database]\nurl = "sqlite:///'
                      f'{tmp_path / "db.sqlite"}"\n[panel]\nenabled = true\n', "utf-8")
    environment = {k: v for k, v in os.environ.items() if not k.startswith("LACZNIK_")}
    environment["PYTHONPATH"] = str(Path(__file__).resolve().parents[1])
    process = subprocess.Popen(
        [sys.executable, "-m", "bots.cli", "--config", str(config), "run"], cwd=tmp_path,
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=environment)
    try:
        deadline, page = time.monotonic() + 90, ""
        while time.monotonic() < deadline and "Logowanie do panelu biura" not in page:
            assert process.poll() is None, process.communicate()
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/panel/signin",
                                            timeout=5) as response:
                    page = response.read().decode()
            except OSError:
                time.sleep(0.3)
        assert "Logowanie do panelu biura" in page
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=30)
    assert process.returncode == 0


async def test_a_missing_page_is_the_panels_own_not_found_page(
        panel_client: TestClient[Any, Any], app: App) -> None:
    anonymous = await panel_client.get("/panel/nie-ma-takiej")
    assert anonymous.status == 404
    assert "Nie znaleziono" in await anonymous.text()
    await sign_in(panel_client, app, ADMIN)
    missing = await panel_client.get("/panel/katalog/999999")
    page = await missing.text()
    assert missing.status == 404 and "Nie znaleziono" in page and 'href="/panel/katalog"' in page
    assert (await panel_client.get("/healthz-nope")).status == 404  # outside the panel: as before


async def test_signing_out_says_so(panel_client: TestClient[Any, Any], app: App) -> None:
    csrf = await sign_in(panel_client, app, ADMIN)
    out = await panel_client.post("/panel/signout", data={"csrf": csrf})
    assert "Wylogowano" in await out.text()


async def test_the_home_page_names_what_each_role_covers(
        panel_client: TestClient[Any, Any], app: App) -> None:
    from tests.world import COORDINATOR

    await sign_in(panel_client, app, COORDINATOR.email)
    home = await (await panel_client.get("/panel/")).text()
    assert "koordynator gminy: Wieliczka" in home


async def test_switching_language_keeps_the_page_and_its_search(
        panel_client: TestClient[Any, Any], app: App) -> None:
    csrf = await sign_in(panel_client, app, ADMIN)
    page = await (await panel_client.get("/panel/katalog?q=odpady+Skawina")).text()
    assert 'name="back" value="/panel/katalog?q=odpady+Skawina"' in page
    switched = await panel_client.post("/panel/jezyk", allow_redirects=False, data={
        "csrf": csrf, "lang": "en", "back": "/panel/katalog?q=odpady+Skawina"})
    assert switched.headers["Location"] == "/panel/katalog?q=odpady+Skawina"
    elsewhere = await panel_client.post("/panel/jezyk", allow_redirects=False, data={
        "csrf": csrf, "lang": "pl", "back": "/panel//evil.example/x"})
    assert elsewhere.headers["Location"] == "/panel/"
