"""Shared rig for the Teams adapter tests (no tests here).

A :class:`TeamsRig` runs the real Teams component on a loopback aiohttp server, with the
channel's token issuer, the Entra authority and the Bot Connector faked protocol-faithfully
(``tests/fakes``): inbound activities from ``tests/data/payloads/teams`` are signed as real
JWTs, replies travel through msal + our Connector client to the fake, on a real database.
"""

from __future__ import annotations

import copy
import json
import re
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from adapters.ratelimit import RetryPolicy
from adapters.teams.component import TeamsComponent
from adapters.teams.settings import parse_settings
from bots.app import App
from commands.directory.importer import parse_rows
from tests.fakes.teams_auth import ChannelTokenIssuer, FakeEntraAuthority
from tests.fakes.teams_connector import ConnectorCall, FakeBotConnector

PAYLOADS = Path(__file__).resolve().parent / "data" / "payloads" / "teams"
APP_ID = "6f0c3c2e-3a43-4c1e-9d7a-0b5e6d1f2a30"
SECRET = "not-a-real-secret-" + "x" * 12
TENANT = "50612dbb-0237-4969-b378-8d42590f9c00"
FOREIGN_TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
ADAPTIVE = "application/vnd.microsoft.card.adaptive"

# A small directory: Wieliczka's waste officer (she is also our Teams user), seven education
# officers in Skawina (two pages), and a note full of markup that must stay literal.
DIRECTORY_CSV = (
    "gmina,teryt,topic,name,position,email,phone,preferred_contact,notes,confirmed_at\n"
    "Wieliczka,1219053,gospodarka odpadami,Anna Nowak,inspektor ds. odpadów,"
    "a.nowak@wieliczka.example.pl,+48 12 000 12 34,\"telefon, 8:00–15:00\","
    "\"*pilne* _tylko_ [klik](https://evil.example) <at>Ktoś</at> &amp;\",2026-10-01\n"
    + "".join(
        f"Skawina,1206113,oświata,Osoba{i} Oświatowa,referent,"
        f"osoba{i}@skawina.example.pl,+48 12 000 22 1{i},e-mail,,2026-09-01\n"
        for i in range(7)
    )
)
ANNA_EMAIL = "a.nowak@wieliczka.example.pl"


async def load_directory(app: App, tmp_path: Path) -> App:
    """Import :data:`DIRECTORY_CSV` into ``app``'s database."""
    path = tmp_path / "katalog.csv"
    path.write_text(DIRECTORY_CSV, encoding="utf-8")
    parsed = parse_rows(path)
    assert not parsed.errors, parsed.errors
    async with app.db.session() as session:
        await app.importer.apply(session, parsed, source="test")
    app.directory.invalidate()
    return app


def payload(name: str) -> dict[str, Any]:
    """A sample activity; the docs' raw samples get their typos fixed (double ``{``,
    trailing commas) — nothing else is changed."""
    text = (PAYLOADS / name).read_text(encoding="utf-8")
    if name.endswith(".docs_raw.txt"):
        text = re.sub(r"^\s*\{\s*\{", "{", text, count=1)
        text = re.sub(r",\s*}\s*$", "}", text.strip())
    return json.loads(text)


def set_tenant(activity: dict[str, Any], tenant: str) -> dict[str, Any]:
    """Point every tenant field of ``activity`` at ``tenant``."""
    channel_data = activity.setdefault("channelData", {})
    channel_data["tenant"] = {"id": tenant}
    if isinstance(activity.get("conversation"), dict) and "tenantId" in activity["conversation"]:
        activity["conversation"]["tenantId"] = tenant
    return activity


@dataclass
class Posted:
    """What the Bot Connector got back from our endpoint."""

    status: int
    body: Any


@dataclass
class TeamsRig:
    """The running component and everything around it."""

    app: App
    component: TeamsComponent
    connector: FakeBotConnector
    issuer: ChannelTokenIssuer
    entra: FakeEntraAuthority
    url: str
    http: aiohttp.ClientSession

    def activity(self, sample: str, *, tenant: str = TENANT, **changes: Any) -> dict[str, Any]:
        """A payload sample addressed to this rig (serviceUrl, tenant, fresh id)."""
        activity = copy.deepcopy(payload(sample))
        activity["serviceUrl"] = self.connector.service_url
        activity["id"] = f"{activity.get('id') or 'act'}-{uuid.uuid4().hex[:8]}"
        set_tenant(activity, tenant)
        activity.update(changes)
        return activity

    def token(self, **kwargs: Any) -> str:
        """A channel token for this bot and the fake Connector (``mint`` arguments apply)."""
        service_url = kwargs.pop("service_url", self.connector.service_url)
        return self.issuer.mint(APP_ID, service_url, **kwargs)

    async def post(self, activity: dict[str, Any], *, token: str | None = "",
                   raw: bytes | None = None) -> Posted:
        """POST to ``/api/messages``; ``token=""`` mints a valid one, ``None`` sends none."""
        headers = {"Content-Type": "application/json"}
        if token is not None:
            headers["Authorization"] = f"Bearer {token or self.token()}"
        data = raw if raw is not None else json.dumps(activity).encode()
        async with self.http.post(self.url, data=data, headers=headers) as response:
            text = await response.text()
            body = json.loads(text) if text else None
            return Posted(response.status, body)

    def sent(self, operation: str | None = None) -> list[ConnectorCall]:
        """Answered Connector calls that posted or changed activities."""
        ops = {operation} if operation else {"send", "reply", "update", "create_conversation"}
        return [c for c in self.connector.calls if c.operation in ops and c.status < 300]


def card_of(call: ConnectorCall) -> dict[str, Any]:
    """The Adaptive Card an activity call carried."""
    body = call.body.get("activity", call.body) if call.operation == "create_conversation" \
        else call.body
    [attachment] = body["attachments"]
    assert attachment["contentType"] == ADAPTIVE
    return attachment["content"]


def runs(card: dict[str, Any]) -> list[dict[str, Any]]:
    """Every TextRun of a card, in order."""
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "TextRun":
                found.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(card.get("body", []))
    return found


def card_text(card: dict[str, Any]) -> str:
    """The visible text of a card (its runs joined)."""
    return "".join(r["text"] for r in runs(card))


def actions(card: dict[str, Any]) -> list[dict[str, Any]]:
    """Every button of a card."""
    return [a for block in card.get("body", []) if block.get("type") == "ActionSet"
            for a in block["actions"]]


def settings_section(issuer: ChannelTokenIssuer, entra: FakeEntraAuthority) -> dict[str, Any]:
    """A ``[teams]`` section pointing at the fakes."""
    return {
        "app_id": APP_ID, "app_password": SECRET, "tenant_id": TENANT,
        "authority": entra.authority_base, "openid_metadata_url": issuer.openid_metadata_url,
        "public_domain": "bot.example.pl",
    }


@asynccontextmanager
async def teams_rig(
    app: App,
    issuer: ChannelTokenIssuer,
    entra: FakeEntraAuthority,
    monkeypatch: pytest.MonkeyPatch,
    *,
    budget: int | None = None,
    max_body_bytes: int = 100 * 1024,
    enforce_rate_limits: bool = False,
) -> AsyncIterator[TeamsRig]:
    """Start the component on port 0 with a fresh fake Connector."""
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", entra.ca_pem_path)
    entra.register_app(APP_ID, SECRET, tenant_id=TENANT)
    settings = parse_settings(settings_section(issuer, entra))
    extra = {"budget": budget} if budget else {}
    component = TeamsComponent(app=app, settings=settings,
                               retry_policy=RetryPolicy(base_delay=0.05), **extra)
    web_app = web.Application()
    web_app.router.add_routes(component.routes())
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    await component.start()
    async with FakeBotConnector(entra, max_body_bytes=max_body_bytes,
                                enforce_rate_limits=enforce_rate_limits) as connector, \
            aiohttp.ClientSession() as http:
        try:
            yield TeamsRig(app, component, connector, issuer, entra,
                           f"http://127.0.0.1:{port}/api/messages", http)
        finally:
            await component.stop()
            await runner.cleanup()
