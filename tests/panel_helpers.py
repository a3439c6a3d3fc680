"""Fixtures for the office panel's tests: an HTTP client signed in as someone, and a real
Chromium (Debian's package, driven by Playwright) with axe for the browser tests.

The fixtures (``panel_client``, ``browser_page``, ``panel_url``) are a pytest plugin registered
in ``tests/conftest.py``: take them by name, do not import them; import the functions
(``sign_in``, ``assert_accessible``, …).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from adapters.panel import PanelComponent, build_panel_component
from adapters.panel.settings import PanelConfig
from bots.app import App
from bots.service import Service
from commands.panel_access import LINK_PATH, LINK_VALID_FOR
from store.panel import issue_link
from store.people import person_by_email

REPO = Path(__file__).resolve().parents[1]
SCREENSHOTS = REPO / "docs" / "panel"
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
_CSRF = re.compile(r'<meta name="csrf-token" content="([^"]*)">')


def panel_component(app: App, **settings: Any) -> PanelComponent:
    """The panel for ``app`` with ``settings`` (``[panel]`` keys) over the defaults."""
    return build_panel_component(app, PanelConfig(**settings),
                                 public_url=app.config.server.base_url,
                                 importer=app.importer, morphology=app.morphology)


@pytest.fixture
async def panel_client(app: App) -> AsyncIterator[TestClient[Any, Any]]:
    """An HTTP client of the service's web application, panel included (no session yet)."""
    service = Service(app, [panel_component(app)])
    async with TestClient(TestServer(service.web_app())) as client:
        yield client


def csrf_of(page: str) -> str:
    """The CSRF token a panel page carries (its ``<meta name="csrf-token">``)."""
    found = _CSRF.search(page)
    assert found, "the page carries no CSRF token"
    return found.group(1)


async def link_for(app: App, email: str) -> str:
    """A fresh sign-in link path (``/panel/signin/link/…``) for the person with ``email``."""
    async with app.db.session() as session:
        person = await person_by_email(session, email)
        assert person is not None and person.id is not None, f"no person {email}"
        token = await issue_link(session, person.id, now=app.clock.now(),
                                 valid_for=LINK_VALID_FOR)
        await session.commit()
    return LINK_PATH + token


async def open_link(client: TestClient[Any, Any], path: str) -> str:
    """Open a sign-in link as a browser does (the page, then its form); returns the CSRF
    token of the page it lands on, or "" when it did not sign in."""
    shown = await client.get(path)
    token = csrf_of(await shown.text())
    used = await client.post(path, data={"csrf": token}, allow_redirects=False)
    if used.status != 303:
        return ""
    home = await client.get("/panel/")
    return csrf_of(await home.text()) if home.url.path == "/panel/" else ""


async def sign_in(client: TestClient[Any, Any], app: App, email: str) -> str:
    """Sign the person with ``email`` in; the client keeps the cookie. Returns the CSRF
    token for state-changing requests."""
    token = await open_link(client, await link_for(app, email))
    assert token, f"{email} could not sign in"
    return token


# --- the browser --------------------------------------------------------------------------------

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def chromium() -> str | None:
    """Debian's chromium, if installed (``apt install chromium``)."""
    for candidate in (os.environ.get("LACZNIK_CHROMIUM", ""), *CHROMIUM_CANDIDATES):
        if candidate and Path(candidate).exists():
            return candidate
    found = shutil.which("chromium")
    return found


@contextlib.asynccontextmanager
async def chromium_page(**context_options: Any) -> AsyncIterator[Any]:
    """A Playwright page in a real Chromium (Polish, 1280×900 unless ``context_options`` say
    otherwise); skips the test with a clear message where there is no Chromium."""
    executable = chromium()
    if executable is None:
        pytest.skip("no Chromium for the browser tests: install Debian's package "
                    "(`sudo apt install chromium`) or set LACZNIK_CHROMIUM")
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=executable,
                                                   args=CHROMIUM_ARGS)
        context = await browser.new_context(**{
            "locale": "pl-PL", "viewport": {"width": 1280, "height": 900},
            **context_options})
        try:
            yield await context.new_page()
        finally:
            await context.close()
            await browser.close()


@pytest.fixture
async def browser_page() -> AsyncIterator[Any]:
    """A Playwright page in a real Chromium; skips with a clear message without one."""
    async with chromium_page() as page:
        yield page


@pytest.fixture
async def panel_url(app: App) -> AsyncIterator[str]:
    """The service (panel included) on a free local port: its base URL."""
    service = Service(app, [panel_component(app)])
    server = TestServer(service.web_app(), host="127.0.0.1")
    await server.start_server()
    try:
        yield str(server.make_url("")).rstrip("/")
    finally:
        await server.close()


async def browser_sign_in(page: Any, base_url: str, app: App, email: str) -> None:
    """Open a fresh sign-in link in the browser, as the person would from their messenger."""
    await page.goto(base_url + await link_for(app, email))
    await page.wait_for_url(base_url + "/panel/")


async def assert_accessible(page: Any) -> None:
    """axe-core finds no WCAG 2.1 A/AA violation on the page as it is now."""
    from axe_playwright_python.async_playwright import Axe

    results = await Axe().run(page, options={
        "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
        "resultTypes": ["violations"]})
    assert results.violations_count == 0, results.generate_report()


async def screenshot(page: Any, name: str) -> None:
    """Save ``docs/panel/<name>.png`` when ``LACZNIK_PANEL_SCREENSHOTS=1`` (docs/panel.md
    shows them)."""
    if os.environ.get("LACZNIK_PANEL_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
