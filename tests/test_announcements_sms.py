"""Urgent announcements reach phones by SMS (issue 19, point 2), as the author and the staff
meet them: the preview counts the SMS and their cost, the one SMS carries a link that
acknowledges, /raport shows the provider's delivery reports and who cannot be reached, normal
announcements never go by SMS, and — when the office wants it — those silent after the first
re-ping get one SMS. The app is built from an ``[sms]`` section; the real SMSAPI client talks
to the protocol-faithful fake, the real Telegram adapter to the Telegram fake."""

from __future__ import annotations

import contextlib
import re
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta

import aiohttp
import pytest
from aiohttp import web
from sqlalchemy import func, select
from sqlmodel import col

from adapters.console.adapter import ConsoleSession
from adapters.sms.component import SmsComponent, build_sms_component
from adapters.telegram import build_telegram_component
from bots.app import App, build_app
from bots.config import Config, DatabaseConfig
from bots.sample_data import load_sample_data
from commands.clock import ManualClock
from commands.directory.language import Morphology
from commands.directory.phones import NumberKind, check_mobile
from commands.model import ConversationKind, ConversationRef, Platform
from store.db import Database
from store.models import Delivery, Person
from store.people import link_account
from store.sms import set_mobile
from tests.fakes.smsapi import FakeSmsapi
from tests.fakes.telegram_api import FakeTelegramServer

ADMIN = "m.zawadzka-hejmo@metropoliakrakowska.example.pl"
SECRET = "s" * 40
MOBILE = "+48601234567"
LANDLINE = "+48 12 278 00 00"  # Wieliczka's area code: a fixed line
TELEGRAM_CHAT = 7101


@dataclass
class Office:
    """The app with ``[sms]`` and Telegram running against their fakes, and three people of
    gmina Wieliczka: one on Telegram, one with only a mobile number, one with a landline."""

    app: App
    clock: ManualClock
    sms: FakeSmsapi
    tg: FakeTelegramServer
    base_url: str  # where the acknowledgement links and delivery reports are served
    on_telegram: Person
    mobile_only: Person
    landline_only: Person

    def admin(self) -> ConsoleSession:
        return ConsoleSession(self.app.core, ADMIN)

    async def send_urgent(self, text: str) -> str:
        """The admin previews an urgent announcement to gmina Wieliczka and sends it;
        returns the preview."""
        admin = self.admin()
        [preview] = await admin.say(f"/pilne gmina Wieliczka: {text}")
        [sent] = await admin.say("1")
        assert "wysłane" in sent
        return preview

    async def sms_rows(self) -> int:
        async with self.app.db.session() as session:
            return int(await session.scalar(select(func.count()).select_from(Delivery).where(
                col(Delivery.platform) == "sms")) or 0)

    async def reping(self) -> None:
        """Time for the next re-ping; the scheduler's round; the worker sends."""
        self.clock.advance(timedelta(minutes=16))
        await self.app.core.services.announcements.reping_round()
        await self.app.worker.run_once()


def _reserve_port() -> socket.socket:
    """A bound loopback socket: its address goes into ``[sms] public_url`` before the
    server that uses it is built."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    return sock


@contextlib.asynccontextmanager
async def office(database: Database, clock: ManualClock, morphology: Morphology, *,
                 escalate: bool = False) -> AsyncIterator[Office]:
    sock = _reserve_port()
    base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    async with FakeSmsapi(report_retry=0.05) as fake, FakeTelegramServer() as tg:
        section = {"token": fake.token, "api_base_url": fake.base_url, "sender": "Lacznik",
                   "link_secret": SECRET, "public_url": base_url,
                   "escalate_unacknowledged": escalate}
        config = Config(database=DatabaseConfig(url=str(database.url.render_as_string(False))),
                        extra={"sms": section})
        app = build_app(config, clock=clock, db=database, morphology=morphology)
        await app.prepare(with_sample=False)
        await load_sample_data(app)
        app.directory.invalidate()
        sms: SmsComponent = build_sms_component(app, section)  # what the service runs
        telegram = build_telegram_component(app, {"token": tg.token, "api_base_url": tg.url})
        server = web.Application()
        server.add_routes(sms.routes())
        runner = web.AppRunner(server, access_log=None)
        await runner.setup()
        await web.SockSite(runner, sock).start()
        await telegram.start()
        try:
            people = await _three_people(app)
            yield Office(app, clock, fake, tg, base_url, *people)
        finally:
            await telegram.stop()
            await sms.stop()
            await runner.cleanup()


async def _three_people(app: App) -> tuple[Person, Person, Person]:
    async with app.db.session() as session:
        staff = list((await session.execute(
            select(Person).where(col(Person.email).like("%@wieliczka.example.pl"))
            .order_by(col(Person.id))
        )).scalars().all())
        on_telegram, mobile_only, landline_only = staff[:3]
        ref = ConversationRef(Platform.TELEGRAM, str(TELEGRAM_CHAT), ConversationKind.PERSONAL)
        await link_account(session, platform="telegram", tenant_id="",
                           external_id=str(TELEGRAM_CHAT), person_id=int(on_telegram.id or 0),
                           private_ref=ref.to_json())
        # The directory import stores mobiles only; a landline stays the desk phone.
        assert check_mobile(LANDLINE).kind == NumberKind.LANDLINE
        landline_only.phone = LANDLINE
        session.add(landline_only)
        for person in staff:
            await set_mobile(session, int(person.id or 0),
                             MOBILE if person.id == mobile_only.id else "")
        await session.commit()
    return on_telegram, mobile_only, landline_only


@pytest.fixture
async def wieliczka(database: Database, clock: ManualClock, morphology: Morphology
                    ) -> AsyncIterator[Office]:
    async with office(database, clock, morphology) as world:
        yield world


async def test_an_urgent_announcement_reaches_the_mobile_and_its_link_acknowledges(
        wieliczka: Office) -> None:
    world = wieliczka
    preview = await world.send_urgent("Awaria wodociągu, nie pić wody z kranu.")
    # 12 people: one on Telegram, one by SMS, ten with neither. Polish letters: 70 characters
    # a segment, so the text with its link is two, at 0,16 zł each.
    assert "Wysłać do 12 osób? Teams 0, Telegram 1, Slack 0, SMS: 1 (szac. koszt 0,32 zł), " \
           "bez komunikatora 10" in preview
    await world.app.worker.run_once()
    [sms] = world.sms.messages  # one SMS, to the mobile; none to the landline
    assert sms.to == MOBILE.lstrip("+") and sms.sender == "Lacznik"
    assert sms.parts == 2  # what the provider bills is what the preview estimated
    assert sms.message.startswith("PILNE nr 1: Awaria wodociągu, nie pić wody z kranu. "
                                  f"Potwierdź: {world.base_url}/a/")
    assert len(world.tg.sent_messages(TELEGRAM_CHAT)) == 1  # the Telegram copy as before
    await world.sms.reports_sent(1)  # SMSAPI's delivery report reaches the callback

    link = sms.message.rsplit(" ", 1)[1]
    async with aiohttp.ClientSession() as http:
        async with http.get(link) as page:  # a link preview fetching it acknowledges nothing
            assert page.status == 200 and "Potwierdzam" in await page.text()
        async with http.post(link) as done:  # the tap on the page's button
            assert done.status == 200 and "potwierdzenie zapisane" in await done.text()

    [report] = await world.admin().say("/raport 1")
    assert "potwierdzone: 1" in report and "bez komunikatora: 10" in report
    assert "SMS: doręczone 1" in report  # from the provider's delivery report
    assert f"{world.landline_only.name} — brak połączonego komunikatora" in report
    assert world.mobile_only.name not in report  # reached and acknowledged: nothing to do
    assert f"{world.on_telegram.name} — jeszcze nie potwierdził(a)" in report


async def test_a_normal_announcement_never_goes_by_sms(wieliczka: Office) -> None:
    admin = wieliczka.admin()
    [preview] = await admin.say("/ogloszenie gmina Wieliczka: Zebranie w czwartek o 10:00.")
    assert "SMS" not in preview and "bez komunikatora 11" in preview
    await admin.say("1")
    await wieliczka.app.worker.run_once()
    assert await wieliczka.sms_rows() == 0 and wieliczka.sms.messages == []


@pytest.mark.parametrize("escalate", [False, True])
async def test_silent_after_the_first_reping_get_one_sms_only_when_configured(
        database: Database, clock: ManualClock, morphology: Morphology, escalate: bool) -> None:
    async with office(database, clock, morphology, escalate=escalate) as world:
        async with world.app.db.session() as session:  # the Telegram user has a mobile too
            await set_mobile(session, int(world.on_telegram.id or 0), "+48601000001")
            await session.commit()
        await world.send_urgent("Ewakuacja budynku B.")
        await world.app.worker.run_once()
        assert [m.to for m in world.sms.messages] == [MOBILE.lstrip("+")]
        await world.reping()  # the first re-ping, on Telegram only
        assert len(world.tg.sent_messages(TELEGRAM_CHAT)) == 2
        assert len(world.sms.messages) == 1
        await world.reping()  # still silent after it: an SMS, if the office wants one
        await world.reping()  # the pings ran out: the coordinator is told; no more SMS
        await world.reping()
        texted = sorted(m.to for m in world.sms.messages)
        assert texted == (["48601000001", MOBILE.lstrip("+")] if escalate
                          else [MOBILE.lstrip("+")])  # one SMS per person, at most
        if escalate:
            [late] = world.sms.to("+48601000001")
            assert re.search(r"^PILNE nr 1: Ewakuacja budynku B\. Potwierdź: http\S+/a/\S+$",
                             late.message)
