"""The Katalog page in a real Chromium: searching with the keyboard alone ("kto od śmieci w
Wieliczce"), opening an entry and correcting it, the import preview and the freshness page;
axe on each, and the screenshot for docs/panel.md."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select

from bots.app import App
from commands.directory.importer import export_rows, write_export
from store.models import Person
from tests.panel_helpers import (
    assert_accessible,
    browser_page,
    browser_sign_in,
    panel_url,
    screenshot,
)

__all__ = ["browser_page", "panel_url"]  # the fixtures, imported for pytest

ADMIN = "m.zawadzka-hejmo@metropoliakrakowska.example.pl"
COORDINATOR = "w.fras@wieliczka.example.pl"  # coordinates Wieliczka


async def test_search_by_keyboard_and_correct_an_entry(
        app: App, browser_page: Any, panel_url: str) -> None:
    page = browser_page
    await browser_sign_in(page, panel_url, app, COORDINATOR)
    await page.goto(panel_url + "/panel/katalog")
    await assert_accessible(page)
    # The search field by its visible label, then the keyboard alone: type, Enter.
    search = page.get_by_label("Szukaj", exact=True)
    await search.focus()
    await page.keyboard.type("kto od śmieci w Wieliczce")
    await page.keyboard.press("Enter")
    await page.wait_for_url("**/panel/katalog?*q=*")
    rows = page.locator("table tbody tr")
    assert await rows.count() == 1
    assert "Jolanta Kołodziej" in await rows.first.inner_text()
    assert await page.input_value("#katalog-q") == "kto od śmieci w Wieliczce"
    await assert_accessible(page)
    # Open the entry with the keyboard: focus its link, Enter.
    await page.get_by_role("link", name="Jolanta Kołodziej").focus()
    await page.keyboard.press("Enter")
    await page.wait_for_url("**/panel/katalog/*")
    await assert_accessible(page)
    phone = page.get_by_label("Telefon", exact=True)
    await phone.fill("+48 12 000 55 55")
    await phone.press("Enter")  # submits the form
    await page.wait_for_url("**/panel/katalog/*?notice=katalog.saved")
    assert "Zapisano" in await page.locator("p.notice").inner_text()
    async with app.db.session() as session:
        stored = await session.scalar(select(Person.phone).where(
            Person.email == "j.kolodziej@wieliczka.example.pl"))
    assert stored == "+48 12 000 55 55"


async def test_import_preview_and_freshness_pages_are_accessible(
        app: App, browser_page: Any, panel_url: str, tmp_path: Path) -> None:
    page = browser_page
    async with app.db.session() as session:
        rows = await export_rows(session)
    renata = next(r for r in rows if r["email"] == "r.nowak@wieliczka.example.pl")
    path = tmp_path / "katalog.csv"
    write_export(path, [{**renata, "phone": "+48 12 000 70 99"}])
    await browser_sign_in(page, panel_url, app, ADMIN)
    await page.goto(panel_url + "/panel/katalog?q=Wieliczka")  # as the office sees it
    await assert_accessible(page)
    await screenshot(page, "katalog")
    await page.goto(panel_url + "/panel/katalog/import")
    await assert_accessible(page)
    await page.get_by_label("Plik CSV lub XLSX").set_input_files(str(path))
    await page.get_by_role("button", name="Pokaż zmiany").click()
    await page.wait_for_selector("#preview-counts")
    assert "Wierszy: 1." in await page.inner_text("#preview-counts")
    await assert_accessible(page)
    await screenshot(page, "katalog-import")
    await page.get_by_role("button", name="Anuluj").click()
    await page.wait_for_url("**/panel/katalog?notice=katalog.import_cancelled")
    await page.goto(panel_url + "/panel/katalog/aktualnosc")
    await assert_accessible(page)
    await screenshot(page, "katalog-aktualnosc")


async def test_a_first_import_names_the_new_admin_and_says_the_session_ended(
        app: App, browser_page: Any, panel_url: str, tmp_path: Path) -> None:
    page = browser_page
    path = tmp_path / "nasz-katalog.csv"
    path.write_text("gmina,teryt,topic,name,email\n"
                    "Skawina,1206113,oświata,Kinga Nowa,k.nowa@skawina.example.pl\n",
                    encoding="utf-8")
    await browser_sign_in(page, panel_url, app, ADMIN)
    # On a desktop the search box holds the queries the page suggests.
    await page.set_viewport_size({"width": 1366, "height": 900})
    await page.goto(panel_url + "/panel/katalog")
    box = await page.locator("#katalog-q").bounding_box()
    assert box is not None and box["width"] >= 480
    await page.goto(panel_url + "/panel/katalog/import")
    await page.get_by_role("button", name="Pokaż zmiany").click()  # no file chosen
    await page.wait_for_selector("#import-file-error")
    assert "Wybierz plik CSV lub XLSX." in await page.inner_text("#import-file-error")
    await assert_accessible(page)
    await page.get_by_label("Plik CSV lub XLSX").set_input_files(str(path))
    await page.get_by_role("button", name="Pokaż zmiany").click()
    await page.wait_for_selector("#demo-warning")
    assert "Zniknie też Twoje konto demonstracyjne" in await page.inner_text("#demo-warning")
    await assert_accessible(page)
    await screenshot(page, "katalog-import-demo")
    await page.get_by_label("Kto z pliku zostanie administratorem biura").select_option(
        "k.nowa@skawina.example.pl")
    await page.get_by_role("button", name="Usuń demonstrację i importuj").click()
    await page.wait_for_selector("#imported-signed-out")
    assert "lacznik panel link k.nowa@skawina.example.pl" in await page.inner_text("main")
    await assert_accessible(page)
    await page.goto(panel_url + "/panel/katalog")
    assert "/panel/signin" in page.url  # signed out: the demo admin is gone


async def test_the_campaign_confirmation_page_is_accessible(
        app: App, browser_page: Any, panel_url: str) -> None:
    page = browser_page
    await browser_sign_in(page, panel_url, app, ADMIN)
    await page.goto(panel_url + "/panel/katalog/aktualnosc")
    await page.get_by_label("Wpisy niepotwierdzone od (miesięcy)").fill("6")
    await page.get_by_role("button", name="Policz").click()
    await page.wait_for_url("**/aktualnosc?months=6")
    await page.locator("#fresh-prepare").click()
    await page.wait_for_url("**/aktualnosc/potwierdz?months=6")
    assert "Nikt nie dostanie prośby" in await page.inner_text("main")
    await assert_accessible(page)
