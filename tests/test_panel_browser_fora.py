"""The forum pages in a real Chromium: an admin creates a forum with the keyboard alone, and
axe finds no WCAG 2.1 AA violation on any forum page."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bots.app import App
from store.forum_models import Answer, Question
from store.forums import active_forum
from tests.panel_helpers import assert_accessible, browser_sign_in, screenshot

ADMIN = "m.zawadzka-hejmo@metropoliakrakowska.example.pl"


async def tab_to(page: Any, element_id: str, *, limit: int = 80) -> None:
    """Press Tab until the element with ``element_id`` has the focus (as a keyboard user)."""
    for _ in range(limit):
        await page.keyboard.press("Tab")
        if await page.evaluate("document.activeElement.id") == element_id:
            return
    raise AssertionError(f"Tab never reached #{element_id}")


async def seed_questions(app: App) -> int:
    """An open question, and an answered one in PZP's FAQ with a curated wording."""
    async with app.db.session() as session:
        pzp = await active_forum(session, "PZP")
        assert pzp is not None
        now = app.clock.now()
        session.add(Question(forum_id=int(pzp.id or 0), text="Jak liczyć próg unijny?",
                             created_at=now - timedelta(days=3)))
        faq = Question(forum_id=int(pzp.id or 0), text="Czy jest wzór klauzuli?",
                       state="answered", faq=True, public_text="Wzór klauzuli waloryzacyjnej",
                       created_at=now - timedelta(days=9))
        session.add(faq)
        await session.flush()
        session.add(Answer(question_id=int(faq.id or 0), author_label="Paulina Sikora, Skawina",
                           platform="console", conversation_key="console:grupa",
                           message_id="m-1", text="Tak, w załączniku."))
        await session.commit()
        return int(faq.id or 0)


async def test_a_forum_is_created_by_keyboard_and_every_forum_page_is_accessible(
        browser_page: Any, panel_url: str, app: App) -> None:
    page = browser_page
    faq_id = await seed_questions(app)
    await browser_sign_in(page, panel_url, app, ADMIN)
    await page.goto(panel_url + "/panel/fora")
    assert "PZP" in await page.inner_text("table")
    await assert_accessible(page)
    await screenshot(page, "fora")

    # Keyboard only: Tab to "Klucz", type, Tab to "Nazwa", type, Tab to the button, Enter.
    await tab_to(page, "fora-key")
    await page.keyboard.type("MIESZKANIA")
    await page.keyboard.press("Tab")
    assert await page.evaluate("document.activeElement.id") == "fora-name"
    await page.keyboard.type("Forum Mieszkalnictwa")
    await page.keyboard.press("Tab")  # the English name: optional
    await page.keyboard.press("Tab")
    assert await page.evaluate("document.activeElement.tagName") == "BUTTON"
    await page.keyboard.press("Enter")
    await page.wait_for_url(panel_url + "/panel/fora/MIESZKANIA?notice=fora.created")
    assert "Forum MIESZKANIA: Forum Mieszkalnictwa" in await page.inner_text("h1")
    assert "Forum utworzone" in await page.inner_text("[role=status]")
    await assert_accessible(page)

    for path in ("/panel/fora/PZP", "/panel/fora/PZP/czlonkowie?osoba=walczak",
                 "/panel/fora/PZP/import", "/panel/fora/PZP/pytania", "/panel/fora/PZP/faq",
                 "/panel/fora/PZP/faq/kandydaci", f"/panel/fora/PZP/faq/{faq_id}"):
        await page.goto(panel_url + path)
        await assert_accessible(page)
    await page.goto(panel_url + "/panel/fora/PZP/pytania")
    assert "Jak liczyć próg unijny?" in await page.inner_text("table")
    await page.goto(panel_url + "/panel/fora/PZP/faq")
    assert "Wzór klauzuli waloryzacyjnej" in await page.inner_text("table")


async def test_form_errors_show_at_the_top_and_keep_what_was_typed(
        browser_page: Any, panel_url: str, app: App) -> None:
    page = browser_page
    await browser_sign_in(page, panel_url, app, ADMIN)
    await page.goto(panel_url + "/panel/fora")
    await page.get_by_label("Klucz").fill("PZP")
    await page.get_by_label("Nazwa", exact=True).fill("Drugie forum")
    await page.get_by_role("button", name="Utwórz forum").click()
    alert = page.get_by_role("alert")
    assert "Forum PZP już istnieje" in await alert.inner_text()
    box = await alert.bounding_box()
    assert box is not None and box["y"] < (page.viewport_size or {"height": 720})["height"]
    assert await page.input_value("#fora-key") == "PZP"  # kept, and marked
    assert await page.get_attribute("#fora-key", "aria-invalid") == "true"
    await assert_accessible(page)

    await page.goto(panel_url + "/panel/fora/PZP/czlonkowie")
    await page.get_by_label("Adresy e-mail").fill("a.walczak@krakow.example.pl nikt@example.pl")
    await page.get_by_role("button", name="Dodaj", exact=True).click()
    assert "nikt@example.pl" in await page.get_by_role("alert").inner_text()
    assert await page.input_value("#fora-emails") == "nikt@example.pl"
    await assert_accessible(page)
