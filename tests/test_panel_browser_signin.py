"""The panel's sign-in, home and sessions pages in a real Chromium: opening a link signs in,
the keyboard reaches everything, and axe finds no WCAG 2.1 AA violation."""

from __future__ import annotations

from typing import Any

from bots.app import App
from tests.panel_helpers import (
    assert_accessible,
    browser_sign_in,
    link_for,
    screenshot,
)
from tests.world import THE_OFFICE


async def test_opening_a_link_signs_in_and_every_page_is_accessible(
        browser_page: Any, panel_url: str, app: App) -> None:
    page = browser_page
    await page.goto(panel_url + "/panel/")
    assert page.url == panel_url + "/panel/signin"  # no session: the sign-in page, no data
    assert await page.get_attribute("html", "lang") == "pl"
    await assert_accessible(page)
    await screenshot(page, "logowanie")

    await browser_sign_in(page, panel_url, app, THE_OFFICE.email)
    assert "Magdalena Zawadzka-Hejmo" in await page.inner_text("main")
    await assert_accessible(page)
    await screenshot(page, "start")

    # The keyboard: the first Tab lands on "skip to content", Enter moves to the content.
    await page.keyboard.press("Tab")
    assert await page.evaluate("document.activeElement.className") == "skip"
    await page.keyboard.press("Enter")
    assert await page.evaluate("document.activeElement.id") == "main"

    await page.click("text=Moje sesje")
    await page.wait_for_url(panel_url + "/panel/sesje")
    assert "ta przeglądarka" in await page.inner_text("main")
    await assert_accessible(page)

    await page.click("button:has-text('English')")
    await page.wait_for_url(panel_url + "/panel/sesje")
    assert await page.get_attribute("html", "lang") == "en"
    assert "this browser" in await page.inner_text("main")


async def test_a_used_link_says_so_in_the_browser(browser_page: Any, panel_url: str,
                                                 app: App) -> None:
    link = panel_url + await link_for(app, THE_OFFICE.email)
    await browser_page.goto(link)
    await browser_page.wait_for_url(panel_url + "/panel/")
    await browser_page.context.clear_cookies()
    await browser_page.goto(link)
    await browser_page.wait_for_load_state()
    assert "został już użyty albo wygasł" in await browser_page.inner_text("main")
    await assert_accessible(browser_page)


async def test_the_link_the_bot_sent_on_telegram_signs_in_in_the_browser(
        browser_page: Any, panel_url: str, app: App, world: Any) -> None:
    import re

    await world.link(THE_OFFICE)
    await world.telegram_says(THE_OFFICE, "/panel")
    texts = [m.get("text", "") for m in world.on_telegram(THE_OFFICE)]
    [link] = [found.group(0) for text in texts
              if (found := re.search(r"https?://\S+/panel/signin/link/\S+", text))]
    # The link names the service's public address; this test's server listens elsewhere.
    await browser_page.goto(panel_url + "/panel/" + link.split("/panel/", 1)[1])
    await browser_page.wait_for_url(panel_url + "/panel/")
    assert "Magdalena Zawadzka-Hejmo" in await browser_page.inner_text("main")
    await assert_accessible(browser_page)
