"""The admin pages in a real Chromium: the audit log filtered with the keyboard alone, a role
granted from the people page, axe on "Osoby i role", "Dziennik zdarzeń" and "Stan", and their
screenshots for docs/panel.md."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert

from bots.app import App
from store.models import AuditLog, Delivery
from store.people import person_by_email
from tests.panel_helpers import (
    assert_accessible,
    browser_page,
    browser_sign_in,
    panel_url,
    screenshot,
)

__all__ = ["browser_page", "panel_url"]  # the fixtures, imported for pytest

ADMIN = "m.zawadzka-hejmo@metropoliakrakowska.example.pl"
RENATA = "r.nowak@wieliczka.example.pl"


async def seed(app: App) -> None:
    """A few audit entries and outbox rows, so the pages show what they are for."""
    now = app.clock.now()
    async with app.db.session() as session:
        await session.execute(insert(AuditLog), [
            {"at": datetime(2026, 11, 20, 8, i, tzinfo=UTC), "actor": actor, "action": action,
             "target": target, "details": json.dumps(details)}
            for i, (actor, action, target, details) in enumerate((
                ("cli", "role.grant", "person:100", {"role": "admin"}),
                ("person:101 via telegram:7001", "directory.edit", "person:101",
                 {"fields": ["phone"]}),
                ("cli", "forum.create", "forum:PZP", {"forum_id": 7}),
                ("cli", "role.revoke", "person:103", {"role": "gmina_coordinator"}),
                ("person:104 via slack:U0AB", "directory.edit", "person:104",
                 {"fields": ["position"]})))])
        await session.execute(insert(Delivery), [
            {"dedupe_key": f"b:{i}", "kind": "notice", "platform": platform, "target": "{}",
             "payload": "{}", "state": state, "not_before": now, "reason": reason,
             "attempts": 0, "claimed_by": "", "message_id": "", "source": "",
             "conversation_key": "", "created_at": now}
            for i, (platform, state, reason) in enumerate((
                ("telegram", "sent", ""), ("telegram", "pending", ""),
                ("slack", "failed", "channel_not_found"),
                ("teams", "failed", "bot was removed from the conversation")))])
        await session.commit()


async def test_the_audit_log_is_filtered_with_the_keyboard(
        app: App, browser_page: Any, panel_url: str) -> None:
    page = browser_page
    await seed(app)
    await browser_sign_in(page, panel_url, app, ADMIN)
    await page.goto(panel_url + "/panel/dziennik")
    await assert_accessible(page)
    # Keyboard only: into the action list, pick by typing, over to the text field, Enter.
    await page.focus("#dz-actor")
    await page.keyboard.press("Tab")
    assert await page.evaluate("document.activeElement.id") == "dz-action"
    await page.keyboard.type("odebranie")  # the action's words, not its code
    assert await page.input_value("#dz-action") == "role.revoke"
    await page.keyboard.press("Tab")
    assert await page.evaluate("document.activeElement.id") == "dz-target"
    await page.keyboard.type("person:103")
    await page.keyboard.press("Enter")
    await page.wait_for_url("**/panel/dziennik?*action=role.revoke*")
    rows = page.locator("table tbody tr")
    assert await rows.count() == 1
    assert "odebranie roli" in await rows.first.inner_text()
    assert await page.input_value("#dz-action") == "role.revoke"  # the filter stays shown
    await assert_accessible(page)
    await page.goto(panel_url + "/panel/dziennik")
    await screenshot(page, "dziennik")


async def test_a_role_is_granted_from_the_people_page(
        app: App, browser_page: Any, panel_url: str) -> None:
    page = browser_page
    await browser_sign_in(page, panel_url, app, ADMIN)
    await page.goto(panel_url + "/panel/osoby")
    await assert_accessible(page)
    await screenshot(page, "osoby")
    await page.get_by_label("Imię, nazwisko lub e-mail").fill("Renata")
    await page.keyboard.press("Enter")
    await page.wait_for_url("**/panel/osoby?q=Renata*")
    await page.get_by_role("link", name="Renata Nowak").click()
    await assert_accessible(page)
    await page.get_by_label("Rola", exact=True).select_option("forum_moderator")
    await page.get_by_label("Forum (dla moderatora)").select_option(
        label="TRANSPORT — Forum Transportu")
    await page.get_by_role("button", name="Nadaj").click()
    await page.wait_for_url("**notice=osoby.granted*")
    assert "moderator forum TRANSPORT" in await page.locator("main").inner_text()
    await assert_accessible(page)
    async with app.db.session() as session:
        renata = await person_by_email(session, RENATA)
        assert renata is not None
    await page.goto(panel_url + "/panel/dziennik?action=role.grant")
    log = page.locator("table")
    assert "Renata Nowak" in await log.inner_text()
    assert await log.get_by_role("link", name="Renata Nowak").get_attribute("href") == \
        f"/panel/osoby/{renata.id}"
    # Taking the role away asks first, on a page of its own.
    await page.goto(panel_url + f"/panel/osoby/{renata.id}")
    await page.get_by_role("button", name="Odbierz rolę: moderator forum TRANSPORT").click()
    await page.get_by_role("heading", name="Potwierdź zmianę roli").wait_for()
    await assert_accessible(page)
    await page.get_by_role("button", name="Tak, odbierz rolę").click()
    await page.wait_for_url("**notice=osoby.revoked*")


async def test_the_health_page_is_accessible(app: App, browser_page: Any, panel_url: str
                                             ) -> None:
    page = browser_page
    await seed(app)
    await browser_sign_in(page, panel_url, app, ADMIN)
    await page.goto(panel_url + "/panel/stan")
    text = await page.locator("main").inner_text()
    assert "channel_not_found" in text and "Kolejka wysyłek" in text
    await assert_accessible(page)
    await screenshot(page, "stan")
