"""Teams latency: activity received → reply posted, on loopback, through the real stack.

Each request is a real Bot Framework JWT (verified with cached keys), a personal-chat
directory question ("kto od śmieci w Wieliczce?") answered by the core on a real database,
rendered as an Adaptive Card and posted with an msal token to the fake Bot Connector. The
clock runs from just before the POST to /api/messages until the fake Connector has the reply.

Requests are paced (default 25/s, spread over 64 personal chats) so that Teams' own limits —
7 sends/s per chat, 50 requests/s per tenant, which the adapter enforces — do not turn the
measurement into a measurement of the rate limiter.

Run:  cd /work/main && /tmp/venv/bin/python bench/teams_latency.py [--requests 500] [--rate 25]
      [--database-url postgresql://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
from aiohttp import web
from sqlalchemy import text

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from adapters.teams.component import TeamsComponent  # noqa: E402
from adapters.teams.settings import parse_settings  # noqa: E402
from bots.app import App, build_app  # noqa: E402
from bots.config import Config, DatabaseConfig  # noqa: E402
from commands.directory.importer import parse_rows  # noqa: E402
from store.db import Database  # noqa: E402
from tests.fakes.teams_auth import ChannelTokenIssuer, FakeEntraAuthority  # noqa: E402
from tests.fakes.teams_connector import FakeBotConnector  # noqa: E402

APP_ID = "6f0c3c2e-3a43-4c1e-9d7a-0b5e6d1f2a30"
TENANT = "50612dbb-0237-4969-b378-8d42590f9c00"
SECRET = "bench-secret-" + "x" * 16
EMAIL = "a.nowak@wieliczka.example.pl"
CSV = (
    "gmina,teryt,topic,name,position,email,phone,preferred_contact,notes,confirmed_at\n"
    f"Wieliczka,1219053,gospodarka odpadami,Anna Nowak,inspektor,{EMAIL},+48 12 000 12 34,"
    "telefon,PSZOK,2026-10-01\n"
    "Skawina,1206113,oświata,Jan Kowalski,kierownik,j.kowalski@skawina.example.pl,"
    "+48 12 000 22 11,e-mail,,2026-10-01\n"
)


def _activity(n: int, user: int, service_url: str) -> dict[str, object]:
    return {
        "type": "message", "id": f"bench-{n}", "channelId": "msteams",
        "serviceUrl": service_url, "locale": "pl-PL", "textFormat": "plain",
        "text": "kto od śmieci w Wieliczce?",
        "from": {"id": f"29:user-{user}", "name": f"User {user}",
                 "aadObjectId": f"00000000-0000-0000-0000-{user:012d}"},
        "conversation": {"conversationType": "personal", "id": f"a:chat-{user}",
                         "tenantId": TENANT},
        "recipient": {"id": f"28:{APP_ID}", "name": "Łącznik"},
        "channelData": {"tenant": {"id": TENANT}},
    }


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def main(requests: int, rate: float, users: int, database_url: str | None) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="teams-bench-"))
    url = database_url or f"sqlite:///{workdir / 'bench.db'}"
    # PostgreSQL: a schema of our own, dropped at the end, so the database is left as found.
    schema = f"teams_bench_{os.getpid()}" if url.startswith("postgresql") else None
    db = Database(url, schema=schema)
    if schema:
        await _run_sql(db, f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
    app = build_app(Config(database=DatabaseConfig(url=url)), db=db)
    try:
        await _bench(app, requests, rate, users, url, workdir)
    finally:
        if schema:
            await _run_sql(db, f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        await app.close()


async def _run_sql(db: Database, statement: str) -> None:
    async with db.engine.begin() as connection:
        await connection.execute(text(statement))


async def _bench(app: App, requests: int, rate: float, users: int, url: str, workdir: Path
                 ) -> None:
    await app.prepare(with_sample=False)
    csv = workdir / "katalog.csv"
    csv.write_text(CSV, encoding="utf-8")
    async with app.db.session() as session:
        await app.importer.apply(session, parse_rows(csv), source="bench")
    app.directory.invalidate()

    with ChannelTokenIssuer() as issuer, FakeEntraAuthority() as entra:
        os.environ["REQUESTS_CA_BUNDLE"] = entra.ca_pem_path
        entra.register_app(APP_ID, SECRET, tenant_id=TENANT)
        settings = parse_settings({
            "app_id": APP_ID, "app_password": SECRET, "tenant_id": TENANT,
            "authority": entra.authority_base, "openid_metadata_url": issuer.openid_metadata_url,
        })
        component = TeamsComponent(app=app, settings=settings)
        web_app = web.Application()
        web_app.router.add_routes(component.routes())
        runner = web.AppRunner(web_app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        endpoint = f"http://127.0.0.1:{runner.addresses[0][1]}/api/messages"
        await component.start()
        async with FakeBotConnector(entra) as connector, aiohttp.ClientSession() as http:
            for user in range(users):
                connector.add_member(f"29:user-{user}", name=f"User {user}",
                                     aad_object_id=f"aad-{user}", email=EMAIL, tenant_id=TENANT)
            headers = {"Authorization": f"Bearer {issuer.mint(APP_ID, connector.service_url)}",
                       "Content-Type": "application/json"}

            async def ask(n: int) -> tuple[float, float]:
                body = json.dumps(_activity(n, n % users, connector.service_url)).encode()
                before = len(connector.calls)
                started = time.monotonic()
                async with http.post(endpoint, data=body, headers=headers) as response:
                    assert response.status == 200, response.status
                answered = time.monotonic()
                posted = [c for c in connector.calls[before:] if c.operation == "reply"]
                assert posted, "no reply reached the Connector"
                return posted[0].at - started, answered - started

            # Warm-up: link every user (member lookup), load keys, token, directory index.
            for n in range(users):
                await ask(-1 - n)
            await asyncio.sleep(1.5)  # let the per-chat windows of the warm-up pass
            connector.calls.clear()
            lookups_before = len([c for c in connector.calls if c.operation == "get_member"])

            to_reply: list[float] = []
            to_response: list[float] = []
            began = time.monotonic()
            for n in range(requests):
                due = began + n / rate
                await asyncio.sleep(max(0.0, due - time.monotonic()))
                reply, response = await ask(n)
                to_reply.append(reply * 1000)
                to_response.append(response * 1000)
            elapsed = time.monotonic() - began
            lookups = len([c for c in connector.calls if c.operation == "get_member"])
            tokens = len(entra.token_requests)
            throttled = connector.throttled_count
        await component.stop()
        await runner.cleanup()

    print(f"Teams: activity received -> reply posted ({requests} directory questions, "
          f"paced {rate:g}/s over {users} personal chats, {url.split(':')[0]})")
    print(f"  reply posted   p50 {_percentile(to_reply, .5):6.1f} ms   "
          f"p90 {_percentile(to_reply, .9):6.1f} ms   p99 {_percentile(to_reply, .99):6.1f} ms"
          f"   max {max(to_reply):6.1f} ms   mean {statistics.mean(to_reply):6.1f} ms")
    print(f"  HTTP 200 back  p50 {_percentile(to_response, .5):6.1f} ms   "
          f"p99 {_percentile(to_response, .99):6.1f} ms")
    print(f"  achieved rate {requests / elapsed:.1f}/s; token requests {tokens}; "
          f"member lookups during the run {lookups - lookups_before}; 429s {throttled}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--rate", type=float, default=25.0, help="activities per second")
    parser.add_argument("--users", type=int, default=64, help="personal chats to spread over")
    parser.add_argument("--database-url", help="default: a temporary SQLite file")
    options = parser.parse_args()
    asyncio.run(main(options.requests, options.rate, options.users, options.database_url))
