"""The panel's "Kalendarz" in a real Chromium: a moderator plans a meeting with the keyboard
alone (date and time pickers included), every page passes axe, and the page is pictured for
docs/panel.md."""

from __future__ import annotations

from datetime import date
from typing import Any

from bots.app import App
from tests.calendar_helpers import MEMBER, MODERATOR, link_console, session_as
from tests.panel_helpers import assert_accessible, browser_sign_in, screenshot


async def tab_to(page: Any, target: str) -> None:
    """Press Tab until the field ``target`` has the focus (a date or time field takes a few
    presses: one per part), as someone on a keyboard does."""
    for _ in range(6):
        await page.keyboard.press("Tab")
        if await page.evaluate("document.activeElement.id") == target:
            return
    raise AssertionError(f"Tab never reaches #{target}")


async def type_date(page: Any, selector: str, day: date) -> None:
    """Type a date into a date field, in the order of its parts that the browser's own
    language gives (day first in Polish, month first in American English)."""
    parts = {"d": f"{day.day:02d}", "m": f"{day.month:02d}", "y": f"{day.year}"}
    for order in ("dmy", "mdy", "ymd"):
        await page.evaluate("document.activeElement.blur()")  # back to its first part
        await page.focus(selector)
        await page.keyboard.type("".join(parts[c] for c in order))
        if await page.input_value(selector) == day.isoformat():
            return
    raise AssertionError(f"could not type {day} into {selector}")


ICS = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//PL\r\nBEGIN:VEVENT\r\n"
    "UID:pzp-2026-12@smk\r\nDTSTAMP:20261120T120000Z\r\n"
    "DTSTART;TZID=Europe/Warsaw:20261201T100000\r\nDTEND;TZID=Europe/Warsaw:20261201T120000\r\n"
    "SUMMARY:Posiedzenie Forum PZP\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")


async def test_a_moderator_plans_a_meeting_with_the_keyboard(
        browser_page: Any, panel_url: str, app: App) -> None:
    page = browser_page
    await link_console(app, MODERATOR, MEMBER)
    await browser_sign_in(page, panel_url, app, MODERATOR)
    await page.goto(panel_url + "/panel/kalendarz")
    await assert_accessible(page)

    await page.focus("text=Nowe wydarzenie")
    await page.keyboard.press("Enter")
    await page.wait_for_url(panel_url + "/panel/kalendarz/wydarzenia/nowe")
    await assert_accessible(page)

    await page.focus("#k-forum")
    await page.keyboard.press("ArrowDown")  # the one forum they moderate
    await tab_to(page, "k-title")
    await page.keyboard.type("Narada w sprawie przetargu")
    await tab_to(page, "k-start_date")
    await type_date(page, "#k-start_date", date(2026, 11, 24))
    await tab_to(page, "k-start_time")
    await page.keyboard.type("1000A")  # "A": AM where the browser shows a 12-hour clock
    await tab_to(page, "k-end_date")  # the end date: the same day
    await tab_to(page, "k-end_time")
    await page.keyboard.type("1100A")
    await tab_to(page, "k-location")
    await page.keyboard.type("sala 5")
    await page.keyboard.press("Enter")  # submits the form

    await page.wait_for_url(panel_url + "/panel/kalendarz/wydarzenia/1*")
    main = await page.inner_text("main")
    assert "Zapisano wydarzenie." in main
    assert "Zaplanowane przypomnienia: 4, dla osób: 2." in main
    assert "wtorek, 24 listopada 2026, 10:00–11:00" in main
    assert "przypomnienie o spotkaniu (1 godz. przed)" in main
    await assert_accessible(page)
    [agenda] = await session_as(app, MEMBER).say("/wydarzenia PZP")
    assert "10:00–11:00 Narada w sprawie przetargu [PZP] · sala 5" in agenda

    await page.goto(panel_url + "/panel/kalendarz")
    assert "Narada w sprawie przetargu" in await page.inner_text("main")
    await assert_accessible(page)
    await screenshot(page, "kalendarz")


async def test_refusals_cancelling_and_an_import_preview_are_accessible(
        browser_page: Any, panel_url: str, app: App, tmp_path: Any) -> None:
    page = browser_page
    await browser_sign_in(page, panel_url, app, MODERATOR)
    await page.goto(panel_url + "/panel/kalendarz/wydarzenia/nowe")
    await page.select_option("#k-forum", label="PZP — Forum Prawa Zamówień Publicznych")
    await page.fill("#k-title", "Narada")
    await page.fill("#k-start_date", "2026-11-20")  # the past
    await page.fill("#k-start_time", "10:00")
    await page.click("button[type=submit]:has-text('Zapisz wydarzenie')")
    await page.wait_for_load_state()
    assert "Ten termin już minął" in await page.inner_text("[role=alert]")
    assert await page.get_attribute("#k-start_date", "aria-invalid") == "true"
    await assert_accessible(page)

    await page.fill("#k-start_date", "2026-11-30")
    await page.click("button[type=submit]:has-text('Zapisz wydarzenie')")
    await page.wait_for_url(panel_url + "/panel/kalendarz/wydarzenia/1*")
    await page.click("text=Odwołaj")
    await page.wait_for_url(panel_url + "/panel/kalendarz/wydarzenia/1/odwolanie")
    await assert_accessible(page)
    await page.click("text=Tak, odwołaj wydarzenie")
    await page.wait_for_url(panel_url + "/panel/kalendarz/wydarzenia/1*")
    assert "Wydarzenie odwołane." in await page.inner_text("main")
    await assert_accessible(page)

    await page.goto(panel_url + "/panel/kalendarz/import")
    await assert_accessible(page)
    path = tmp_path / "posiedzenia.ics"
    path.write_bytes(ICS.encode())
    await page.set_input_files("#k-file", str(path))
    await page.select_option("#k-forum", label="PZP — Forum Prawa Zamówień Publicznych")
    await page.click("button:has-text('Pokaż podgląd')")
    await page.wait_for_url(panel_url + "/panel/kalendarz/import/*")
    assert "Zostaną dodane (1)" in await page.inner_text("main")
    await assert_accessible(page)
    await page.click("button:has-text('Importuj')")
    await page.wait_for_load_state()
    assert "Dodano: 1" in await page.inner_text("main")
    await assert_accessible(page)
    await page.goto(panel_url + "/panel/kalendarz/terminy/nowy")
    await assert_accessible(page)

    await page.set_viewport_size({"width": 375, "height": 800})  # a phone
    await page.goto(panel_url + "/panel/kalendarz?span=cancelled")
    assert "Narada" in await page.inner_text("main")
    await assert_accessible(page)
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the page scrolls sideways on a phone ({width}px)"
