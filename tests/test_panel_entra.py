"""Signing in to the office panel with a Microsoft account (Entra ID): OpenID Connect, the
authorization code flow with PKCE, through the real msal against a fake Entra ID over HTTPS."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlmodel import col, select

from adapters.panel import build_panel_component
from adapters.panel.entra import CLAIMS, TENANT, Refused, identity_of
from adapters.panel.pages.entra import FLOW_COOKIE
from adapters.panel.settings import PanelConfig
from bots.app import App
from bots.service import Service
from commands.clock import ManualClock
from store.models import AuditLog
from store.panel_models import PanelSession
from tests.fakes.entra_oidc import FakeEntraOidc
from tests.panel_helpers import (
    assert_accessible,
    chromium_page,
    panel_component,
    screenshot,
)
from tests.world import PROXY_VARIABLES, THE_OFFICE

TENANT_ID = "3f2b6a1e-8c47-4d0b-9a55-7e1c2d9b4f60"
TENANT_DOMAIN = "metropoliakrakowska.onmicrosoft.com"
OTHER_TENANT = "a9d0c3b2-1e4f-4a6b-8c7d-0e9f8a7b6c5d"
CLIENT_ID = "6c1e4b2a-9f3d-4e8a-b7c6-5d4e3f2a1b0c"
SECRET = "s3cr3t~value.of.the.panel.app"  # a test stand-in
ADMIN = THE_OFFICE.email
STRANGER = "nowy.pracownik@metropoliakrakowska.example.pl"  # in the tenant, not the directory
OUTSIDER = "jan.obcy@inna-organizacja.example.pl"  # another tenant's account
GUEST = "gosc@inna-organizacja.example.pl"  # another tenant's account, a guest in ours
START = "/panel/signin/entra"
CALLBACK = "/panel/signin/entra/callback"
# The panel silences this at import (it asks for the code in the query on purpose); pytest
# resets warning filters per test.
pytestmark = pytest.mark.filterwarnings("ignore:response_mode='form_post' is recommended")


@pytest.fixture
def microsoft(app: App, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeEntraOidc]:
    """Entra ID with the association's tenant, the panel's app registration and accounts."""
    for name in PROXY_VARIABLES:  # loopback calls go direct
        monkeypatch.delenv(name, raising=False)
    with FakeEntraOidc() as fake:
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", fake.ca_pem_path)  # msal trusts the fake CA
        fake.add_tenant(TENANT_ID, TENANT_DOMAIN, "metropoliakrakowska.example.pl")
        fake.add_tenant(OTHER_TENANT, "inna-organizacja.example.pl")
        fake.register_app(CLIENT_ID, SECRET, tenant_id=TENANT_ID,
                          redirect_uris=[app.config.server.base_url.rstrip("/") + CALLBACK])
        fake.add_user(ADMIN, name="Magdalena Zawadzka-Hejmo", tenant_id=TENANT_ID)
        fake.add_user(STRANGER, name="Nowy Pracownik", tenant_id=TENANT_ID)
        fake.add_user(OUTSIDER, name="Jan Obcy", tenant_id=OTHER_TENANT)
        fake.add_user(GUEST, name="Gość", tenant_id=OTHER_TENANT, guest_in=[TENANT_ID])
        yield fake


def entra_settings(fake: FakeEntraOidc, tenant: str = TENANT_ID) -> dict[str, str]:
    """The ``[panel]`` keys of Entra ID sign-in, pointed at the fake."""
    return {"entra_tenant_id": tenant, "entra_client_id": CLIENT_ID,
            "entra_client_secret": SECRET, "entra_authority": fake.authority_base}


def client_of(app: App, fake: FakeEntraOidc, tenant: str = TENANT_ID) -> TestClient[Any, Any]:
    """A browser of the service whose panel offers Entra ID sign-in."""
    component = panel_component(app, **entra_settings(fake, tenant))
    return TestClient(TestServer(Service(app, [component]).web_app()))


@pytest.fixture
async def browser(app: App, microsoft: FakeEntraOidc) -> AsyncIterator[TestClient[Any, Any]]:
    """A browser of the panel, Entra ID configured."""
    async with client_of(app, microsoft) as client:
        yield client


async def at_microsoft(fake: FakeEntraOidc, address: str) -> str:
    """The browser at Microsoft's sign-in page: the panel's address it is sent back to."""
    async with aiohttp.ClientSession() as http, http.get(
            address, ssl=fake.client_ssl_context(), allow_redirects=False) as answer:
        assert answer.status == 302, await answer.text()
        back = urlsplit(answer.headers["Location"])
    assert back.path == CALLBACK
    return f"{back.path}?{back.query}"


async def go_to_microsoft(client: TestClient[Any, Any]) -> str:
    """Press "sign in with Microsoft": the address at Microsoft the panel sends to."""
    started = await client.get(START, allow_redirects=False)
    assert started.status == 302
    return started.headers["Location"]


async def sign_in_with_microsoft(client: TestClient[Any, Any], fake: FakeEntraOidc,
                                 email: str) -> aiohttp.ClientResponse:
    """The whole round trip as ``email``; the panel's answer to Microsoft's redirect back."""
    fake.browser_signed_in_as(email)
    back = await at_microsoft(fake, await go_to_microsoft(client))
    return await client.get(back, allow_redirects=False)


def flow_cookie(client: TestClient[Any, Any]) -> str:
    """The sealed flow the panel left in ``client``'s browser."""
    return client.session.cookie_jar.filter_cookies(client.make_url(CALLBACK))[FLOW_COOKIE].value


def with_query(path: str, **changes: str) -> str:
    """``path`` with some query parameters replaced."""
    parts = urlsplit(path)
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    return f"{parts.path}?{urlencode({**query, **changes})}"


async def audit_rows(app: App, action: str) -> list[AuditLog]:
    async with app.db.session() as session:
        return list((await session.exec(select(AuditLog).where(
            col(AuditLog.action) == action))).all())


async def open_sessions(app: App) -> list[PanelSession]:
    async with app.db.session() as session:
        return list((await session.exec(select(PanelSession).where(
            col(PanelSession.ended_at).is_(None)))).all())


async def assert_not_signed_in(client: TestClient[Any, Any], app: App) -> None:
    assert (await client.get("/panel/", allow_redirects=False)).status == 303
    assert await open_sessions(app) == []


# --- signing in -----------------------------------------------------------------------------


async def test_an_admin_signs_in_with_microsoft_and_lands_on_the_panel(
        browser: TestClient[Any, Any], microsoft: FakeEntraOidc, app: App) -> None:
    signin = await (await browser.get("/panel/signin")).text()
    assert 'href="/panel/signin/entra"' in signin
    assert "Zaloguj się kontem Microsoft (Entra ID)" in signin

    started = await browser.get(START, allow_redirects=False)
    address = started.headers["Location"]
    assert address.startswith(f"{microsoft.authority_base}/{TENANT_ID}/oauth2/v2.0/authorize?")
    cookie = ";".join(started.headers.getall("Set-Cookie"))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Max-Age=600" in cookie
    assert "Path=/panel/signin/entra" in cookie
    assert "code_verifier" not in cookie and "nonce" not in cookie  # the flow is sealed

    microsoft.browser_signed_in_as(ADMIN)
    back = await browser.get(await at_microsoft(microsoft, address), allow_redirects=False)
    assert back.status == 303 and back.headers["Location"] == "/panel/"
    home = await browser.get("/panel/")
    assert home.url.path == "/panel/"
    assert "Magdalena Zawadzka-Hejmo" in await home.text()
    sessions = await (await browser.get("/panel/sesje")).text()
    assert "konto Microsoft" in sessions

    asked = microsoft.requests_to("authorize")[-1].query
    assert asked["code_challenge_method"] == "S256" and len(asked["code_challenge"]) == 43
    assert asked["nonce"] and asked["state"]
    assert "offline_access" not in asked["scope"].split()  # no refresh token wanted
    assert asked["prompt"] == "select_account"  # the person picks the account
    redeemed = microsoft.requests_to("token")[-1].form
    assert redeemed["code_verifier"] and redeemed["client_secret"] == SECRET
    assert microsoft.token_errors() == []
    rows = await audit_rows(app, "panel.signin")
    assert [json.loads(row.details)["via"] for row in rows] == ["entra"]


async def test_the_tenant_may_be_configured_by_its_domain_name(
        app: App, microsoft: FakeEntraOidc) -> None:
    # Entra's ID tokens name the tenant by id (tid) even when it is addressed by domain.
    async with client_of(app, microsoft, tenant=TENANT_DOMAIN) as client:
        back = await sign_in_with_microsoft(client, microsoft, ADMIN)
        assert back.status == 303 and back.headers["Location"] == "/panel/"
        assert "Magdalena Zawadzka-Hejmo" in await (await client.get("/panel/")).text()


async def test_an_account_of_another_organisation_is_refused(
        browser: TestClient[Any, Any], microsoft: FakeEntraOidc, app: App) -> None:
    refused = await sign_in_with_microsoft(browser, microsoft, OUTSIDER)
    page = await refused.text()
    assert refused.status == 403
    assert "nie należy do organizacji stowarzyszenia" in page
    assert "AADSTS" not in page and OUTSIDER not in page
    await assert_not_signed_in(browser, app)


async def test_a_guest_of_the_tenant_is_refused(
        browser: TestClient[Any, Any], microsoft: FakeEntraOidc, app: App) -> None:
    # A guest's e-mail is set in their home organisation: it proves nothing here.
    refused = await sign_in_with_microsoft(browser, microsoft, GUEST)
    assert refused.status == 403
    assert "nie należy do organizacji stowarzyszenia" in await refused.text()
    await assert_not_signed_in(browser, app)
    rows = await audit_rows(app, "panel.signin_refused")
    assert [json.loads(row.details)["reason"] for row in rows] == ["guest"]
    assert GUEST not in rows[0].details


def test_an_id_token_of_another_tenant_or_for_another_app_is_refused() -> None:
    settings = PanelConfig(entra_tenant_id=TENANT_ID, entra_client_id=CLIENT_ID,
                           entra_client_secret=SECRET, entra_authority="https://login.example")
    now = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    good = {"tid": TENANT_ID, "iss": f"https://login.example/{TENANT_ID}/v2.0",
            "aud": CLIENT_ID, "exp": int((now + timedelta(hours=1)).timestamp()),
            "email": "Magdalena@Example.PL"}
    assert identity_of(good, settings=settings, discovered_tenant=TENANT_ID,
                       now=now).email == "magdalena@example.pl"
    for changed, reason in (
            ({"tid": OTHER_TENANT, "iss": f"https://login.example/{OTHER_TENANT}/v2.0"}, TENANT),
            ({"aud": "another-app"}, CLAIMS),
            ({"iss": f"https://elsewhere.example/{TENANT_ID}/v2.0"}, CLAIMS),
            ({"exp": int((now - timedelta(hours=1)).timestamp())}, CLAIMS)):
        with pytest.raises(Refused) as refused:
            identity_of({**good, **changed}, settings=settings, discovered_tenant=TENANT_ID,
                        now=now)
        assert refused.value.reason == reason, changed


async def test_an_address_not_in_the_directory_is_refused_politely(
        browser: TestClient[Any, Any], microsoft: FakeEntraOidc, app: App) -> None:
    refused = await sign_in_with_microsoft(browser, microsoft, STRANGER)
    page = await refused.text()
    assert refused.status == 403 and '<html lang="pl">' in page
    assert "nie ma w katalogu" in page and 'href="/panel/signin"' in page
    assert "eyJ" not in page  # no token, nor any part of one
    assert "lacznik_panel=" not in ";".join(refused.headers.getall("Set-Cookie", []))
    await assert_not_signed_in(browser, app)
    rows = await audit_rows(app, "panel.signin_refused")
    assert [json.loads(row.details)["reason"] for row in rows] == ["unknown"]
    assert STRANGER not in rows[0].details


async def test_the_refusal_is_in_english_for_an_english_browser(
        app: App, microsoft: FakeEntraOidc) -> None:
    async with client_of(app, microsoft) as client:
        client.session.headers["Accept-Language"] = "en-GB,en;q=0.8"
        refused = await sign_in_with_microsoft(client, microsoft, STRANGER)
        page = await refused.text()
        assert '<html lang="en">' in page and "is not in Łącznik" in page


# --- the protocol's protections -------------------------------------------------------------


async def test_a_tampered_state_is_refused_before_any_code_is_redeemed(
        browser: TestClient[Any, Any], microsoft: FakeEntraOidc, app: App) -> None:
    microsoft.browser_signed_in_as(ADMIN)
    back = await at_microsoft(microsoft, await go_to_microsoft(browser))
    tampered = await browser.get(with_query(back, state="forged-state"), allow_redirects=False)
    assert tampered.status == 400
    assert "nie powiodło się" in await tampered.text()
    assert microsoft.requests_to("token") == []
    await assert_not_signed_in(browser, app)


async def test_a_replayed_callback_is_refused(
        browser: TestClient[Any, Any], microsoft: FakeEntraOidc, app: App) -> None:
    microsoft.browser_signed_in_as(ADMIN)
    address = await go_to_microsoft(browser)
    back = await at_microsoft(microsoft, address)
    flow_cookie = browser.session.cookie_jar.filter_cookies(browser.make_url(CALLBACK))
    assert (await browser.get(back, allow_redirects=False)).status == 303
    browser.session.cookie_jar.clear()
    # The same callback, with the same flow cookie as the first time: the flow is used up.
    replay = await browser.get(back, allow_redirects=False,
                               headers={"Cookie": "; ".join(
                                   f"{k}={v.value}" for k, v in flow_cookie.items())})
    assert replay.status == 400
    # ... and with a fresh flow of this browser: its state is not the old one.
    await go_to_microsoft(browser)
    again = await browser.get(back, allow_redirects=False)
    assert again.status == 400
    assert len(microsoft.requests_to("token")) == 1  # the code was redeemed once only
    assert len(await open_sessions(app)) == 1


async def test_a_stolen_code_is_useless_without_its_pkce_verifier(
        app: App, microsoft: FakeEntraOidc) -> None:
    async with client_of(app, microsoft) as victim, client_of(app, microsoft) as attacker:
        microsoft.browser_signed_in_as(ADMIN)
        stolen = await at_microsoft(microsoft, await go_to_microsoft(victim))
        code = parse_qs(urlsplit(stolen).query)["code"][0]
        # The attacker starts a flow of their own and brings the victim's code back to it:
        # the state matches the attacker's flow, but the verifier is not the victim's.
        own = parse_qs(urlsplit(await go_to_microsoft(attacker)).query)
        forged = await attacker.get(with_query(CALLBACK + "?x=1", code=code,
                                               state=own["state"][0]), allow_redirects=False)
        assert forged.status == 400
        assert (await attacker.get("/panel/", allow_redirects=False)).status == 303
        errors = microsoft.token_errors()
        assert len(errors) == 1 and errors[0].startswith("AADSTS501481")
        assert await open_sessions(app) == []


async def test_a_sign_in_left_for_more_than_ten_minutes_is_refused(
        browser: TestClient[Any, Any], microsoft: FakeEntraOidc, app: App,
        clock: ManualClock) -> None:
    microsoft.browser_signed_in_as(ADMIN)
    back = await at_microsoft(microsoft, await go_to_microsoft(browser))
    clock.advance(timedelta(minutes=10, seconds=1))
    late = await browser.get(back, allow_redirects=False)
    assert late.status == 400 and "10 minut" in await late.text()
    await assert_not_signed_in(browser, app)


async def test_two_thousand_anonymous_starts_do_not_push_out_a_waiting_sign_in(
        browser: TestClient[Any, Any], microsoft: FakeEntraOidc, app: App) -> None:
    # The flow waits in the person's own browser: there is no list on the server to flood.
    microsoft.browser_signed_in_as(ADMIN)
    back = await at_microsoft(microsoft, await go_to_microsoft(browser))  # at Microsoft
    gate = asyncio.Semaphore(16)
    async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as anonymous:
        async def start() -> int:
            async with gate, anonymous.get(browser.make_url(START),
                                           allow_redirects=False) as started:
                return started.status
        statuses = await asyncio.gather(*(start() for _ in range(2000)))
    assert set(statuses) == {302}
    signed_in = await browser.get(back, allow_redirects=False)
    assert signed_in.status == 303 and signed_in.headers["Location"] == "/panel/"
    assert "Magdalena Zawadzka-Hejmo" in await (await browser.get("/panel/")).text()
    # Nor did each start make the panel call Microsoft: the tenant's configuration was
    # fetched once.
    assert len([r for r in microsoft.requests
                if r.path.endswith("/.well-known/openid-configuration")]) == 1


async def test_a_tampered_or_expired_flow_cookie_is_refused_politely(
        browser: TestClient[Any, Any], microsoft: FakeEntraOidc, app: App,
        clock: ManualClock) -> None:
    microsoft.browser_signed_in_as(ADMIN)
    back = await at_microsoft(microsoft, await go_to_microsoft(browser))
    genuine = flow_cookie(browser)
    middle = len(genuine) // 2
    flipped = genuine[:middle] + ("A" if genuine[middle] != "A" else "B") + genuine[middle + 1:]
    browser.session.cookie_jar.clear()
    for forged in (flipped, genuine[:-20], "not-a-flow", genuine + "x" * 4000):
        refused = await browser.get(back, allow_redirects=False,
                                    headers={"Cookie": f"{FLOW_COOKIE}={forged}"})
        page = await refused.text()
        assert refused.status == 400 and '<html lang="pl">' in page
        assert "nie powiodło się" in page and 'href="/panel/signin"' in page
        assert f"{FLOW_COOKIE}=\"\"" in ";".join(refused.headers.getall("Set-Cookie"))
    # The genuine cookie, kept past its ten minutes by a browser that ignores Max-Age: the
    # expiry sealed inside it still counts.
    clock.advance(timedelta(minutes=10, seconds=1))
    late = await browser.get(back, allow_redirects=False,
                             headers={"Cookie": f"{FLOW_COOKIE}={genuine}"})
    assert late.status == 400 and "10 minut" in await late.text()
    assert microsoft.requests_to("token") == []  # no code was redeemed for any of them
    await assert_not_signed_in(browser, app)


async def test_a_flow_cookie_of_one_browser_does_not_fit_another_browsers_callback(
        browser: TestClient[Any, Any], microsoft: FakeEntraOidc, app: App) -> None:
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as other:
        # Another browser starts a sign-in of its own and so holds a genuine flow cookie ...
        async with other.get(browser.make_url(START), allow_redirects=False) as started:
            assert started.status == 302
        microsoft.browser_signed_in_as(ADMIN)
        back = await at_microsoft(microsoft, await go_to_microsoft(browser))
        # ... and brings it to the callback meant for this browser (its code and state).
        async with other.get(browser.make_url(back), allow_redirects=False) as stolen:
            assert stolen.status == 400
            assert "nie powiodło się" in await stolen.text()
        async with other.get(browser.make_url("/panel/"), allow_redirects=False) as home:
            assert home.status == 303  # not signed in
    assert microsoft.requests_to("token") == []
    assert await open_sessions(app) == []
    # The person whose callback it was still signs in with their own flow.
    signed_in = await browser.get(back, allow_redirects=False)
    assert signed_in.status == 303 and signed_in.headers["Location"] == "/panel/"


async def test_a_sign_in_started_on_one_instance_finishes_on_another(
        app: App, microsoft: FakeEntraOidc) -> None:
    # Two panels behind one proxy (or one restarted meanwhile): the flow cookie's key comes
    # from the app's client secret, which both have.
    async with client_of(app, microsoft) as first, client_of(app, microsoft) as second:
        microsoft.browser_signed_in_as(ADMIN)
        back = await at_microsoft(microsoft, await go_to_microsoft(first))
        signed_in = await second.get(back, allow_redirects=False,
                                     headers={"Cookie": f"{FLOW_COOKIE}={flow_cookie(first)}"})
        assert signed_in.status == 303 and signed_in.headers["Location"] == "/panel/"
        assert len(await open_sessions(app)) == 1


async def test_without_entra_settings_there_is_no_microsoft_sign_in(
        panel_client: TestClient[Any, Any]) -> None:
    assert (await panel_client.get(START, allow_redirects=False)).status == 404
    assert (await panel_client.get(CALLBACK, allow_redirects=False)).status == 404
    page = await (await panel_client.get("/panel/signin")).text()
    assert "Microsoft" not in page and "/panel/signin/entra" not in page


async def test_an_unreachable_microsoft_gets_a_polite_page(
        app: App, microsoft: FakeEntraOidc) -> None:
    async with client_of(app, microsoft) as client:
        microsoft.close()
        down = await client.get(START, allow_redirects=False)
        assert down.status == 502
        assert "nie odpowiada" in await down.text()


# --- in a real browser ----------------------------------------------------------------------


@pytest.fixture
async def entra_panel_url(app: App, microsoft: FakeEntraOidc) -> AsyncIterator[str]:
    """The service on a free local port, its panel offering Entra ID sign-in (registered at
    the fake with that port's callback address)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    microsoft.register_app(CLIENT_ID, SECRET, tenant_id=TENANT_ID,
                           redirect_uris=[base + CALLBACK])
    component = build_panel_component(
        app, PanelConfig.model_validate(entra_settings(microsoft)), public_url=base,
        importer=app.importer, morphology=app.morphology)
    server = TestServer(Service(app, [component]).web_app(), host="127.0.0.1", port=port)
    await server.start_server()
    try:
        yield base
    finally:
        await server.close()


@pytest.fixture
async def trusting_page() -> AsyncIterator[Any]:
    """A Chromium page that accepts the fake Entra ID's throw-away certificate."""
    async with chromium_page(ignore_https_errors=True) as page:
        yield page


async def test_in_a_browser_the_microsoft_button_signs_in(
        app: App, microsoft: FakeEntraOidc, entra_panel_url: str, trusting_page: Any) -> None:
    page = trusting_page
    await page.goto(entra_panel_url + "/panel/signin")
    await assert_accessible(page)
    await screenshot(page, "signin-entra")
    microsoft.browser_signed_in_as(STRANGER)
    await page.get_by_role("link", name="Zaloguj się kontem Microsoft (Entra ID)").click()
    await page.wait_for_url("**" + CALLBACK + "?*")
    assert "nie ma w katalogu" in await page.inner_text("main")
    await assert_accessible(page)
    microsoft.browser_signed_in_as(ADMIN)
    await page.get_by_role("link", name="Spróbuj jeszcze raz kontem Microsoft").click()
    await page.wait_for_url(entra_panel_url + "/panel/")
    assert "Magdalena Zawadzka-Hejmo" in await page.inner_text("header")
