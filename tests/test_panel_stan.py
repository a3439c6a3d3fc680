"""The panel's "Stan": each part's state as /healthz shows it, the outbox by state and by how
long rows have waited, failed sends of the last day with their reasons, and 429s."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import insert

from adapters.ratelimit import RateLimitWatch
from bots.app import App
from commands.model import (
    ConversationKind,
    ConversationRef,
    OutboundMessage,
    Platform,
    message_to_json,
)
from store.models import Delivery
from store.outbox import NewDelivery, enqueue
from tests.panel_helpers import panel_client, sign_in

__all__ = ["panel_client"]  # the fixture, imported for pytest

ADMIN = "m.zawadzka-hejmo@metropoliakrakowska.example.pl"
COORDINATOR = "w.fras@wieliczka.example.pl"
Client = TestClient[Any, Any]


def cell(page: str, state: str, age: str | None = None) -> int:
    """The number in the outbox table's cell of ``state`` (and ``age``)."""
    marker = f'data-state="{state}"' + (f' data-age="{age}"' if age else "") + ">"
    found = re.search(re.escape(marker) + r"(\d+)<", page)
    assert found, f"no cell {marker}"
    return int(found.group(1))


async def outbox_rows(app: App) -> None:
    """A failure the delivery worker records (a messenger that is not configured), then rows
    in every state at known ages."""
    now = app.clock.now()
    async with app.db.session() as session:
        ref = ConversationRef(Platform.SMS, "+48600100200", ConversationKind.PERSONAL)
        await enqueue(session, [NewDelivery(
            dedupe_key="stan:sms", kind="notice", platform="sms", target=ref.to_json(),
            payload=message_to_json(OutboundMessage(text="Test")), not_before=now)])
        await session.commit()
    assert await app.worker.run_once() == 1

    def row(n: int, state: str, due: timedelta, reason: str = "") -> dict[str, object]:
        return {"dedupe_key": f"stan:{n}", "kind": "notice", "platform": "telegram",
                "target": "{}", "payload": "{}", "state": state, "not_before": now + due,
                "reason": reason, "attempts": 0, "claimed_by": "", "message_id": "",
                "source": "", "conversation_key": "", "created_at": now - timedelta(days=4)}

    rows = [
        row(1, "pending", -timedelta(minutes=2)), row(2, "pending", -timedelta(minutes=3)),
        *(row(10 + i, "pending", timedelta(hours=1)) for i in range(3)),
        row(20, "pending", -timedelta(hours=3), "rate_limited"),
        row(30, "sending", -timedelta(minutes=30)),
        *(row(40 + i, "sent", -timedelta(hours=2)) for i in range(4)),
        row(50, "failed", -timedelta(days=3), "an old failure"),
        row(60, "dead", -timedelta(hours=2), "connection timed out"),
    ]
    async with app.db.session() as session:
        await session.execute(insert(Delivery), rows)
        await session.commit()


async def test_outbox_counts_and_failures_match_the_rows(app: App, panel_client: Client
                                                         ) -> None:
    await outbox_rows(app)
    await sign_in(panel_client, app, ADMIN)
    response = await panel_client.get("/panel/stan")
    page = await response.text()
    assert response.status == 200
    assert [cell(page, s) for s in ("pending", "sending", "sent", "failed", "dead")] == \
        [6, 1, 4, 2, 1]
    assert cell(page, "pending", "scheduled") == 3
    assert cell(page, "pending", "5m") == 2
    assert cell(page, "pending", "24h") == 1
    assert cell(page, "sending", "1h") == 1
    assert cell(page, "pending", "older") == 0

    failures = page.split("Nieudane wysyłki z ostatniej doby", 1)[1].split("<h2>", 1)[0]
    assert "sms is not configured" in failures  # recorded by the delivery worker
    assert "connection timed out" in failures
    assert "an old failure" not in failures  # three days ago
    retried = page.split("Ponawiane wysyłki", 1)[1].split("<h2>", 1)[0]
    assert "rate_limited" in retried
    # the clock stands at 10:00 in Warsaw; the oldest waiting row fell due three hours ago
    assert "Najstarszy czekający wiersz jest wymagalny od: 2026-11-23 07:00:00" in page


async def test_parts_are_shown_as_healthz_shows_them(app: App, panel_client: Client) -> None:
    await sign_in(panel_client, app, ADMIN)
    health = await (await panel_client.get("/healthz")).json()
    page = await (await panel_client.get("/panel/stan")).text()
    overall = {"ok": "działa, ale nie skonfigurowano żadnego komunikatora",  # none here
               "degraded": "częściowo działa", "down": "nie działa"}
    assert f"Stan ogólny: {overall[health['status']]}" in page
    database = health["database"]
    assert "baza danych" in page and database.get("problem", "") in page
    for name in health["components"]:
        assert f'<code>{name}</code></small></th>' in page or \
            f'<th scope="row">{name}</th>' in page
    # the technical names get words, the name itself kept small
    assert "panel" in health["components"]
    assert 'panel biura<br><small class="hint"><code>panel</code>' in page


def channel_state(page: str, name: str) -> str:
    found = re.search(rf'data-channel="{name}" class="(ok|bad)">([^<]*)<', page)
    assert found, name
    return found.group(2)


async def test_messengers_not_configured_are_listed_and_the_state_is_not_fine(app: App
                                                                             ) -> None:
    from aiohttp import web

    from tests.panel_helpers import panel_component

    async def all_well() -> tuple[int, dict[str, object]]:
        return 200, {"status": "ok", "database": {"state": "ok"},
                     "components": {"scheduler": {"state": "ok"}, "retention": {"state": "ok"}}}

    component = panel_component(app)
    component.bind_health(all_well)
    application = web.Application()
    component.setup_web(application)
    application.router.add_routes(component.routes())
    assert not {"telegram", "slack", "teams", "sms"} & set(app.messengers)
    async with TestClient(TestServer(application)) as client:
        await sign_in(client, app, ADMIN)
        page = await (await client.get("/panel/stan")).text()
        for name in ("telegram", "slack", "teams", "sms", "email"):
            assert channel_state(page, name) == "nie skonfigurowany", name
        headline = re.search(r'<p class="(ok|bad)"><strong>Stan ogólny: ([^<]*)<', page)
        assert headline and headline.group(1) == "bad"  # every part is ok, yet nobody is reached
        assert "nie skonfigurowano żadnego komunikatora" in headline.group(2)
        assert 'harmonogram zadań<br><small class="hint"><code>scheduler</code>' in page
        assert "usuwanie starych danych" in page

        class Telegram:
            platform = "telegram"

        app.messengers["telegram"] = Telegram()  # type: ignore[assignment]  # its name counts
        page = await (await client.get("/panel/stan")).text()
    assert channel_state(page, "telegram") == "skonfigurowany"
    assert channel_state(page, "slack") == "nie skonfigurowany"
    assert '<p class="ok"><strong>Stan ogólny: działa<' in page


async def test_429s_are_counted_per_messenger(app: App, panel_client: Client) -> None:
    class Limited:
        """A messenger as the root sees it: its adapter's watch of the 429s it waits out."""

        platform = "telegram"
        rate_limits = RateLimitWatch()

    app.messengers["telegram"] = Limited()  # type: ignore[assignment]  # only its hook is used
    await outbox_rows(app)
    await sign_in(panel_client, app, ADMIN)
    first = await (await panel_client.get("/panel/stan")).text()
    assert "Ograniczenia liczby wywołań" in first
    Limited.rate_limits.limited()
    # an hour later (the panel session stays: it ends after two idle hours)
    app.clock.advance(timedelta(minutes=61))  # type: ignore[attr-defined]  # the ManualClock
    Limited.rate_limits.limited()
    Limited.rate_limits.limited()
    page = await (await panel_client.get("/panel/stan")).text()
    limits = page.split("Odpowiedzi 429 od komunikatorów", 1)[1].split("</table>", 1)[0]
    row = re.search(r'<th scope="row">telegram</th><td class="num"[^>]*>(\d+)</td>'
                    r'<td class="num"[^>]*>(\d+)</td><td class="num"[^>]*>(\d+)</td>', limits)
    assert row, limits
    assert row.groups() == ("2", "3", "1")  # last hour, last day, rows held after a 429


async def test_only_admins_see_the_health_page(app: App, panel_client: Client) -> None:
    await sign_in(panel_client, app, COORDINATOR)
    refused = await panel_client.get("/panel/stan")
    assert refused.status == 403 and "Kolejka wysyłek" not in await refused.text()


async def test_without_healthz_the_state_is_unknown_and_english_is_spoken(app: App) -> None:
    from aiohttp import web

    from store.people import person_by_email
    from tests.panel_helpers import panel_component

    async with app.db.session() as session:
        person = await person_by_email(session, ADMIN)
        assert person is not None
        person.language = "en"
        session.add(person)
        await session.commit()
    component = panel_component(app)  # not bound to a service: no /healthz to show
    application = web.Application()
    component.setup_web(application)
    application.router.add_routes(component.routes())
    async with TestClient(TestServer(application)) as client:
        await sign_in(client, app, ADMIN)
        page = await (await client.get("/panel/stan")).text()
    assert "Overall: unknown (this instance does not give the panel its /healthz)" in page
    assert "Outbox" in page and 'lang="en"' in page
