"""The panel's "Ogłoszenia" in a real Chromium: an urgent announcement composed with the
keyboard alone (live counts appear as one types), confirmed on its own page, and a report
that refreshes itself as people acknowledge on their messengers; axe on every page."""

from __future__ import annotations

import re
from datetime import timedelta
from itertools import pairwise
from typing import Any

from bots.app import App
from tests.panel_helpers import assert_accessible, browser_sign_in, screenshot
from tests.world import ANNA, JOLANTA, RECIPIENTS, RENATA, THE_OFFICE, World
from tests.world import COORDINATOR as FRAS


async def tab_to(page: Any, selector_id: str, *, limit: int = 60) -> None:
    """Press Tab until the element with ``selector_id`` has the focus."""
    for _ in range(limit):
        if await page.evaluate("document.activeElement && document.activeElement.id") \
                == selector_id:
            return
        await page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached #{selector_id}")


async def test_compose_an_urgent_announcement_by_keyboard_and_follow_its_report(
        browser_page: Any, panel_url: str, app: App, world: World) -> None:
    page = browser_page
    await world.link(*RECIPIENTS, FRAS)
    assert JOLANTA.telegram is not None
    world.tg.block_chat(JOLANTA.telegram)  # a failure with its reason in the report
    await browser_sign_in(page, panel_url, app, THE_OFFICE.email)
    await page.goto(panel_url + "/panel/ogloszenia")
    await assert_accessible(page)
    await page.click("text=Nowe ogłoszenie")
    await page.wait_for_url(panel_url + "/panel/ogloszenia/nowe")
    await assert_accessible(page)

    # The audience: arrows move within the radio group (everyone … gmina), Tab to the
    # gmina list, whose options are chosen by typing.
    await tab_to(page, "kind-everyone")
    for _ in range(4):
        await page.keyboard.press("ArrowDown")
    assert await page.is_checked("#kind-gmina")
    assert await page.is_visible("#f-gmina") and not await page.is_visible("#f-email")
    await tab_to(page, "f-gmina")
    await page.keyboard.type("Wieli")
    assert await page.eval_on_selector("#f-gmina", "s => s.selectedOptions[0].text") \
        == "Wieliczka"
    await tab_to(page, "mode-quiet")
    await page.keyboard.press("ArrowDown")
    assert await page.is_checked("#mode-urgent")
    await tab_to(page, "f-text")
    await page.keyboard.type("Awaria EZD — proszę nie wysyłać pism do 12:00.")
    # The counts appear without pressing "Policz" (the page's script asks as one types).
    await page.wait_for_selector("#counts-table", timeout=10_000)
    assert "Odbiorcy (osoby): 12" in await page.inner_text("#counts")
    assert "Potwierdzam" in await page.inner_text("#preview-teams")
    # The previews stand apart: no two cards touch.
    boxes = [await page.locator(f"#preview-{p}").bounding_box()
             for p in ("telegram", "slack", "teams")]
    for one, other in pairwise(boxes):
        assert one is not None and other is not None
        apart = (other["y"] - (one["y"] + one["height"]),
                 other["x"] - (one["x"] + one["width"]))
        assert max(apart) >= 8, (one, other)
    await assert_accessible(page)
    await screenshot(page, "ogloszenia-nowe")
    await tab_to(page, "")  # leave the text area: the next buttons have no id
    await page.focus("button[value=preview]")
    await page.keyboard.press("Enter")
    await page.wait_for_url("**/potwierdz")
    assert "Wysłać do 12 osób?" in await page.inner_text("h2#question")
    assert re.search(r"nie dotrze do osób: \d+ z 12\.",
                     await page.inner_text("#confirm-warning"))
    await assert_accessible(page)
    await screenshot(page, "ogloszenia-potwierdzenie")
    # "Wróć do edycji" brings the form back as it was; then on to the confirmation again.
    await tab_to(page, "edit")
    await page.keyboard.press("Enter")
    await page.wait_for_url("**/panel/ogloszenia/nowe?szkic=*")
    assert await page.is_checked("#kind-gmina") and await page.is_checked("#mode-urgent")
    assert await page.input_value("#f-text") == "Awaria EZD — proszę nie wysyłać pism do 12:00."
    await page.focus("button[value=preview]")
    await page.keyboard.press("Enter")
    await page.wait_for_url("**/potwierdz")
    await tab_to(page, "send")
    await page.keyboard.press("Enter")
    await page.wait_for_url("**/panel/ogloszenia/1?wyslane=1")
    assert "Ogłoszenie nr 1" in await page.inner_text("h1")
    assert re.search(r"Przekazano do wysyłki wiadomości: [1-9]\d* — do osób: \d+ z 12\.",
                     await page.inner_text("#sent-notice"))
    await assert_accessible(page)

    # People get it on their messengers and acknowledge; the open report catches up alone.
    while await world.deliver():
        pass
    world.clock.advance(timedelta(minutes=2))
    await world.telegram_press(RENATA, world.on_telegram(RENATA)[-1], "Potwierdzam")
    world.clock.advance(timedelta(minutes=7))
    assert await world.slack_press(ANNA, world.on_slack(ANNA)[-1], "Potwierdzam") == 200
    await world.slack.drain()
    await page.locator("#report-summary", has_text="potwierdzone: 2").wait_for(
        timeout=15_000)
    assert await page.locator("#report-live svg[role=img]").count() == 1
    assert await page.locator("#report-live circle.chart-point").count() == 2
    assert "zablokował(a) bota" in await page.inner_text("#reasons-table")
    await page.click("#chart-details summary")
    assert await page.locator("#chart-table tbody tr").count() >= 1
    await assert_accessible(page)
    await screenshot(page, "ogloszenia-raport")


async def test_choosing_one_person_shows_no_error_and_no_failed_request(
        browser_page: Any, panel_url: str, app: App) -> None:
    page = browser_page
    failed: list[str] = []
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400
            else None)
    await browser_sign_in(page, panel_url, app, THE_OFFICE.email)
    await page.goto(panel_url + "/panel/ogloszenia/nowe")
    async with page.expect_response("**/panel/ogloszenia/policz") as answer:
        await page.check("#kind-person")
    assert (await answer.value).status == 200
    await page.wait_for_timeout(300)
    counts = await page.inner_text("#counts")
    assert "Nie znam osoby" not in counts and "Naciśnij „Policz”" in counts
    async with page.expect_response("**/panel/ogloszenia/policz") as answer:
        await page.fill("#f-email", "r.now")  # still being typed
    assert (await answer.value).status == 200
    assert "Nie znam osoby" not in await page.inner_text("#counts")
    await page.fill("#f-email", RENATA.email)
    await page.locator("#counts-summary", has_text="Odbiorcy (osoby): 1").wait_for(
        timeout=10_000)
    assert failed == []
    await assert_accessible(page)
