"""Invitation campaign figures: ``lacznik invite --all`` to 2,000 people without a messenger,
through the real campaign (link code, opt-out token and invitation record per person, two
commits each) and the SMTP sender, to an aiosmtpd server on this machine.

Prints the wall time, e-mails per second, the time per e-mail (p50 / p99 / max, from one
e-mail's claim to its record), SMTP connections used, and what a second run sends (nothing:
every invitation is recorded).

    .venv/bin/python bench/invitations_bench.py                   # SQLite in a temp dir
    .venv/bin/python bench/invitations_bench.py --database-url postgresql://postgres@127.0.0.1/test
    .venv/bin/python bench/invitations_bench.py --count 500       # smaller

The SMTP server runs in a child process (as a real mail relay would), so its parsing does
not share the campaign's CPU; with PostgreSQL the bench uses a fresh schema, dropped
afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
import warnings
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import aiosmtplib  # noqa: E402
from sqlalchemy import insert, text  # noqa: E402

from adapters.email.config import EmailSettings  # noqa: E402
from adapters.email.sender import SmtpSender  # noqa: E402
from commands.clock import SystemClock  # noqa: E402
from commands.invitations.campaign import CampaignSettings, InvitationCampaign  # noqa: E402
from commands.invitations.ports import Mail  # noqa: E402
from store.db import Database  # noqa: E402
from store.invitations import Scope  # noqa: E402
from store.models import Person  # noqa: E402

SERVER = """
import asyncio, sys
from aiosmtpd.smtp import SMTP

class Handler:
    count = 0
    async def handle_DATA(self, server, session, envelope):
        Handler.count += 1
        return "250 OK"

async def main():
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(Handler(), hostname="localhost"),
                                      "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    print(Handler.count, flush=True)

asyncio.run(main())
"""


class TimedSender(SmtpSender):
    """The real sender, timing each e-mail and counting connections."""

    def __init__(self, settings: EmailSettings) -> None:
        super().__init__(settings)
        self.times: list[float] = []
        self.connections = 0

    async def _connection(self) -> aiosmtplib.SMTP:
        fresh = self._smtp is None or not self._smtp.is_connected
        smtp = await super()._connection()
        self.connections += fresh
        return smtp

    async def send(self, mail: Mail) -> None:
        started = time.perf_counter()
        await super().send(mail)
        self.times.append(time.perf_counter() - started)


async def username() -> str:
    return "lacznik_bench_bot"


async def bench(url: str, schema: str | None, count: int, server: subprocess.Popen[str],
                port: int) -> None:
    db = Database(url, schema=schema)
    await asyncio.to_thread(db.upgrade_sync)
    now = SystemClock().now()
    async with db.session() as session:
        await session.execute(insert(Person), [
            {"name": f"Osoba {n}", "email": f"osoba{n}@gmina.example.pl", "source": "import",
             "notes": "", "position": "", "phone": "", "preferred_contact": "",
             "organisation": "", "demo": False, "created_at": now, "updated_at": now}
            for n in range(count)])
        await session.commit()
    assert server.stdout is not None and server.stdin is not None
    settings = EmailSettings(host="127.0.0.1", port=port, security="none",
                             sender="Łącznik <lacznik@urzad.example.pl>",
                             public_url="https://lacznik.example.pl")
    sender = TimedSender(settings)
    campaign = InvitationCampaign(db, SystemClock(), sender, username,
                                  CampaignSettings(public_url=settings.public_url))
    started = time.perf_counter()
    result = await campaign.run(Scope(everyone=True))
    wall = time.perf_counter() - started
    again = await campaign.run(Scope(everyone=True))
    server.stdin.close()
    received = int(server.stdout.readline())
    server.wait()
    times = sorted(sender.times)
    print(f"database: {db.display_url}")
    print(f"people: {count}; invited: {result.invited}; failed: {len(result.failed)}; "
          f"received by the server: {received}")
    print(f"wall: {wall:.1f} s; {result.invited / wall:.0f} e-mails/s; SMTP connections: "
          f"{sender.connections}")
    print(f"SMTP send per e-mail: p50 {statistics.median(times) * 1000:.1f} ms, "
          f"p99 {times[int(len(times) * 0.99) - 1] * 1000:.1f} ms, "
          f"max {times[-1] * 1000:.1f} ms")
    per_mail = wall / max(result.invited, 1) * 1000
    print(f"campaign time per e-mail (database + SMTP): {per_mail:.1f} ms")
    print(f"second run: invited {again.invited}, reminded {again.reminded} "
          f"(every invitation recorded: nothing twice)")
    await db.dispose()


def main() -> None:
    # SQLModel deprecates session.execute(); a bulk insert of people needs it.
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--database-url", help="postgresql://… (a fresh schema is used)")
    args = parser.parse_args()
    server = subprocess.Popen([sys.executable, "-c", SERVER], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    assert server.stdout is not None
    port = int(server.stdout.readline())
    if args.database_url:
        schema = f"bench_invite_{uuid.uuid4().hex[:8]}"
        try:
            asyncio.run(bench(args.database_url, schema, args.count, server, port))
        finally:
            from sqlalchemy import create_engine

            engine = create_engine(args.database_url.replace("postgresql://",
                                                             "postgresql+psycopg://"))
            with engine.begin() as connection:
                connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            engine.dispose()
        return
    with tempfile.TemporaryDirectory() as folder:
        asyncio.run(bench(f"sqlite:///{folder}/bench.db", None, args.count, server, port))


if __name__ == "__main__":
    main()
