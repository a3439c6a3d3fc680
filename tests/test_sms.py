"""Urgent notices by SMS: the official SMSAPI client against a protocol-faithful fake, mobile
numbers, the signed acknowledgement link over HTTP, delivery reports, a crash mid-fan-out."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import aiohttp
import pytest
from aiohttp import web
from sqlalchemy import select
from sqlmodel import col

from adapters.console.adapter import ConsoleSession
from adapters.ratelimit import RetryPolicy
from adapters.sms.ack_pages import SmsPagesComponent
from adapters.sms.config import SmsConfig, parse_config
from adapters.sms.messenger import SmsMessenger
from bots.app import App
from commands.announcements.sms import (
    SmsSettings,
    ack_link,
    ack_token,
    planned_segments,
    preview_line,
    read_ack_token,
    report_line,
    segments,
    sms_after_reping,
    sms_deliveries,
    sms_recipients,
    sms_text,
)
from commands.config_schema import ConfigError
from commands.directory.phones import MobileReport, NumberKind, check_mobile, is_mobile_header
from commands.model import (
    ConversationKind,
    ConversationRef,
    OutboundMessage,
    Platform,
    message_from_json,
)
from commands.ports import RateLimited, Rejected, TransientFailure, Unreachable
from scheduler.delivery import DeliveryWorker
from store.announcement_models import Announcement, AnnouncementRecipient
from store.db import Database
from store.models import Delivery, DeliveryState, Person
from store.outbox import NewDelivery, enqueue
from store.sms import mobiles_of, set_mobile, sms_states
from store.sms_models import SmsReport
from tests.fakes.smsapi import FakeSmsapi, billed_parts
from tests.world import until

ADMIN = "m.zawadzka-hejmo@metropoliakrakowska.example.pl"
SECRET = "s" * 40
PUBLIC_URL = "https://lacznik.example.pl"


def _config(fake: FakeSmsapi, **extra: object) -> SmsConfig:
    values = {"token": fake.token, "api_base_url": fake.base_url, "sender": "Lacznik",
              "link_secret": SECRET, "public_url": PUBLIC_URL, "delivery_reports": False}
    return parse_config({**values, **extra})


def _ref(number: str, idx: str = "") -> ConversationRef:
    return ConversationRef(Platform.SMS, number, ConversationKind.PERSONAL,
                           extra={"idx": idx} if idx else {})


@contextlib.asynccontextmanager
async def serving(*routes: web.RouteDef) -> AsyncIterator[str]:
    """``routes`` on 127.0.0.1, port 0; yields the base URL."""
    app = web.Application()
    app.add_routes(list(routes))
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    server = site._server
    assert server is not None
    port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]  # asyncio.Server
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


# --- the client against the fake -------------------------------------------------------------


async def test_texts_arrive_with_the_right_sender_number_and_text() -> None:
    async with FakeSmsapi() as fake:
        messenger = SmsMessenger(_config(fake))
        try:
            sent = await messenger.send(_ref("+48601234567", "a1p2n1"),
                                        OutboundMessage(text="PILNE nr 1: Awaria wodociągu."))
        finally:
            await messenger.close()
    [sms] = fake.messages
    assert (sms.to, sms.sender, sms.message, sms.idx) == (
        "48601234567", "Lacznik", "PILNE nr 1: Awaria wodociągu.", "a1p2n1")
    assert sent.message_id == sms.id and sms.parts == 1


@pytest.mark.parametrize(("error", "status", "outcome"), [
    (13, 200, Unreachable),  # no valid recipient
    (11, 200, Rejected),  # no message / too long
    (14, 200, Rejected),  # sender name not registered
    (103, 200, TransientFailure),  # no points: retried later, with an alert in the log
    (101, 200, TransientFailure),  # authorisation
    (None, 503, TransientFailure),
])
async def test_provider_errors_become_the_neutral_outcomes(
        error: int | None, status: int, outcome: type[Exception],
        caplog: pytest.LogCaptureFixture) -> None:
    async with FakeSmsapi() as fake:
        messenger = SmsMessenger(_config(fake), policy=RetryPolicy(max_attempts=1))
        fake.fail_next(error=error, status=status)
        try:
            with caplog.at_level(logging.ERROR), pytest.raises(outcome):
                await messenger.send(_ref("+48601234567"), OutboundMessage(text="Test"))
        finally:
            await messenger.close()
    assert fake.messages == []
    if error == 103:
        assert "no points left" in caplog.text


async def test_a_rate_limit_is_waited_out_and_nothing_is_lost() -> None:
    async with FakeSmsapi() as fake:
        messenger = SmsMessenger(_config(fake), policy=RetryPolicy(max_rate_limited=3))
        fake.fail_next(error=203, status=429)
        try:
            await messenger.send(_ref("+48601234567"), OutboundMessage(text="Test"))
        finally:
            await messenger.close()
        assert len(fake.messages) == 1
        fake.fail_next(error=203, status=429)
        messenger = SmsMessenger(_config(fake), policy=RetryPolicy(max_rate_limited=0))
        with pytest.raises(RateLimited):
            await messenger.send(_ref("+48601234567"), OutboundMessage(text="Test"))
        await messenger.close()


async def test_the_pacing_keeps_within_the_published_limit() -> None:
    async with FakeSmsapi(requests_per_second=20) as fake:
        messenger = SmsMessenger(_config(fake, requests_per_second=20))
        numbers = [f"+4860{n:07d}" for n in range(45)]
        started = asyncio.get_running_loop().time()
        try:
            await asyncio.gather(*(messenger.send(_ref(n), OutboundMessage(text="T"))
                                   for n in numbers))
        finally:
            await messenger.close()
        took = asyncio.get_running_loop().time() - started
    assert len(fake.messages) == 45
    assert 2.0 <= took < 3.5  # 45 at 20/s: two full windows, then the rest
    assert fake.rate_limited <= 2  # a late thread may meet the edge of a window; waited out


# --- mobile numbers ---------------------------------------------------------------------------


def test_mobile_numbers_are_normalised_and_landlines_reported() -> None:
    assert check_mobile("601 234 567").number == "+48601234567"
    assert check_mobile("+48 601-234-567").number == "+48601234567"
    assert check_mobile("0048601234567").number == "+48601234567"
    landline = check_mobile("12 345 67 89")
    assert landline.kind == NumberKind.LANDLINE and landline.number == ""
    assert check_mobile("12345").kind == NumberKind.INVALID
    assert "nieprawidłowy telefon komórkowy" in check_mobile("12345").error
    assert check_mobile("").kind == NumberKind.EMPTY and check_mobile("").error == ""
    assert is_mobile_header("telefon komorkowy") and is_mobile_header("mobile")
    assert not is_mobile_header("telefon")
    report = MobileReport()
    report.add(2, "Jan Kowalski", check_mobile("601 234 567"))
    report.add(3, "Anna Nowak", landline)
    assert report.lines("pl") == [
        "Telefony komórkowe (tylko do pilnych SMS): 1",
        "Wiersz 3: Anna Nowak — +48 12 345 67 89 to telefon stacjonarny; SMS do tej osoby "
        "nie pójdzie."]


# --- the text, the link, the cost -------------------------------------------------------------


def test_the_sms_text_fits_three_segments_and_keeps_the_link() -> None:
    settings = SmsSettings(public_url="https://lacznik.example.pl", link_secret=b"k" * 32,
                           price_per_segment=Decimal("0.16"))
    link = ack_link(settings, 7, 123)
    assert link.startswith("https://lacznik.example.pl/a/") and len(link) < 60
    short = Announcement(id=7, number=3, author_id=1, urgent=True, audience="{}",
                         text="Awaria EZD — proszę nie wysyłać pism do 12:00.")
    text = sms_text("pl", short, link)
    assert text == f"PILNE nr 3: Awaria EZD — proszę nie wysyłać pism do 12:00. Potwierdź: {link}"
    long = Announcement(id=7, number=3, author_id=1, urgent=True, audience="{}",
                        text="Zażółć gęślą jaźń. " * 100)
    cut = sms_text("pl", long, link)
    assert segments(cut) <= 3 and cut.endswith(f"… Potwierdź: {link}")
    assert segments("a" * 160) == 1 and segments("a" * 161) == 2
    assert segments("ą" * 70) == 1 and segments("ą" * 71) == 2
    assert preview_line("pl", 12, 24, Decimal("0.16")) == "SMS: 12 (szac. koszt 3,84 zł)"
    assert preview_line("en", 1, 2, Decimal("0.165")) == "SMS: 1 (est. cost 0.33 zł)"
    assert preview_line("pl", 0, 0, Decimal("0.16")) == ""


def test_the_link_token_is_signed() -> None:
    token = ack_token(b"k" * 32, 7, 123)
    assert read_ack_token(b"k" * 32, token) == (7, 123)
    assert read_ack_token(b"x" * 32, token) is None  # another secret
    forged = ack_token(b"k" * 32, 7, 124)[:11] + token[11:]  # another person, same MAC
    assert read_ack_token(b"k" * 32, forged) is None
    assert read_ack_token(b"k" * 32, "short") is None
    assert read_ack_token(b"k" * 32, "!" * 27) is None


def test_the_sms_section_is_validated() -> None:
    def parse(**values: object) -> SmsConfig:
        return parse_config({"token": "t", "public_url": PUBLIC_URL, **values})

    with pytest.raises(ConfigError, match=r"\[sms\] provider"):
        parse(provider="twilio")
    with pytest.raises(ConfigError, match=r"\[sms\] link_secret"):
        parse(link_secret="short")
    with pytest.raises(ConfigError, match=r"\[sms\] sender"):
        parse(sender="A much too long name")
    with pytest.raises(ConfigError, match=r"\[sms\] api_base_url"):
        parse(api_base_url="ftp://x")
    with pytest.raises(ConfigError, match=r"\[sms\] public_url: is required"):
        parse_config({"token": "t"})  # the link in every SMS needs it
    with pytest.raises(ConfigError, match=r"\[sms\] token: is required"):
        parse_config({"public_url": PUBLIC_URL})
    config = parse(token="secret-token", api_base_url="http://127.0.0.1:8/")
    assert config.api_base_url == "http://127.0.0.1:8/" and "secret-token" not in repr(config)
    assert config.settings().public_url == PUBLIC_URL


# --- with the database --------------------------------------------------------------------------


async def _send_urgent(app: App, audience: str, text: str) -> Announcement:
    admin = ConsoleSession(app.core, ADMIN)
    await admin.say(f"/pilne {audience}: {text}")
    await admin.say("1")
    async with app.db.session() as session:
        announcement = (await session.execute(
            select(Announcement).where(col(Announcement.state) == "sent")
        )).scalars().one()
    return announcement


async def _recipients(app: App, announcement_id: int) -> list[Person]:
    async with app.db.session() as session:
        return list((await session.execute(
            select(Person).join(AnnouncementRecipient,
                                col(AnnouncementRecipient.person_id) == col(Person.id))
            .where(col(AnnouncementRecipient.announcement_id) == announcement_id)
            .order_by(col(Person.id))
        )).scalars().all())


async def test_only_people_without_a_messenger_and_with_a_mobile_get_an_sms(app: App) -> None:
    announcement = await _send_urgent(app, "gmina Wieliczka", "Awaria EZD do 12:00.")
    people = await _recipients(app, int(announcement.id or 0))
    first, second, third = (int(p.id or 0) for p in people[:3])
    async with app.db.session() as session:
        assert await set_mobile(session, first, "+48601234567")
        assert await set_mobile(session, second, "+48601234568")
        await session.commit()
        assert await mobiles_of(session, [first, second, third]) == {
            first: "+48601234567", second: "+48601234568"}
        # ``second`` has a messenger copy: no SMS for them; ``third`` has no mobile.
        recipients = await sms_recipients(session, [first, second, third], [second],
                                          {first: "en"})
    assert [(r.person_id, r.number, r.lang) for r in recipients] == [
        (first, "+48601234567", "en")]
    settings = SmsSettings(public_url="https://lacznik.example.pl", link_secret=b"k" * 32,
                           escalate_unacknowledged=True)
    assert planned_segments(announcement, recipients, settings) == 1
    [row] = sms_deliveries(announcement, recipients, settings, app.clock.now())
    assert (row.platform, row.person_id, row.source) == (
        "sms", first, f"announcement:{announcement.id}")
    assert '"conversation_id": "+48601234567"' in row.target
    text = message_from_json(row.payload).text
    assert text.startswith("URGENT no. 1: Awaria EZD do 12:00. Confirm: "
                           "https://lacznik.example.pl/a/")  # in the person's language
    # Still silent after the first re-ping: one SMS, if the office wants it — and never a
    # second one for the same announcement.
    async with app.db.session() as session:
        assert await sms_after_reping(session, announcement, second, 1, "pl", settings,
                                      app.clock.now()) == []  # no re-ping yet
        assert await sms_after_reping(session, announcement, third, 2, "pl", settings,
                                      app.clock.now()) == []  # no mobile number
        off = SmsSettings(public_url=settings.public_url, link_secret=settings.link_secret)
        assert await sms_after_reping(session, announcement, second, 2, "pl", off,
                                      app.clock.now()) == []  # not wanted
        escalation = await sms_after_reping(session, announcement, second, 2, "pl",
                                            settings, app.clock.now())
        assert await enqueue(session, [row, *escalation]) == 2
        again = await sms_after_reping(session, announcement, second, 3, "pl", settings,
                                       app.clock.now())
        first_again = await sms_after_reping(session, announcement, first, 2, "en",
                                             settings, app.clock.now())
        assert await enqueue(session, again + first_again) == 0  # one SMS each, at most
        await session.commit()
        assert await sms_states(session, f"announcement:{announcement.id}") == {"waiting": 2}
        assert await report_line(session, int(announcement.id or 0), "en") == \
            "SMS: waiting to be sent 2"


async def test_the_acknowledgement_link_works_over_http(app: App) -> None:
    announcement = await _send_urgent(app, "gmina Wieliczka", "Awaria EZD — nie wysyłać pism.")
    person = (await _recipients(app, int(announcement.id or 0)))[0]
    config = parse_config({"token": "t", "link_secret": SECRET, "public_url": PUBLIC_URL})
    pages = SmsPagesComponent(config, db=app.db, announcements=app.core.services.announcements)
    link = ack_link(config.settings(), int(announcement.id or 0), int(person.id or 0))
    path = link.removeprefix("https://lacznik.example.pl")
    status = app.core.services.announcements.status
    async with serving(*pages.routes()) as base, aiohttp.ClientSession() as http:
        async with http.get(base + path) as page:  # what a link preview fetches
            body = await page.text()
            assert page.status == 200 and "Potwierdzam" in body and "Awaria EZD" in body
            assert page.headers["Cache-Control"] == "no-store"
        assert (await status(int(announcement.id or 0)))["acknowledged"] == 0  # GET: nothing
        async with http.post(base + path) as done:
            assert done.status == 200 and "potwierdzenie zapisane" in await done.text()
        assert (await status(int(announcement.id or 0)))["acknowledged"] == 1
        async with http.post(base + path) as again:  # a second tap: nothing more
            assert again.status == 200 and "już potwierdzone" in await again.text()
        assert (await status(int(announcement.id or 0)))["acknowledged"] == 1
        forged = path[:-3] + ("AAA" if not path.endswith("AAA") else "BBB")
        for method in (http.get, http.post):
            async with method(base + forged) as refused:
                assert refused.status == 404 and "nieprawidłowy" in await refused.text()
        async with http.get(base + "/a/" + "x" * 27) as nonsense:
            assert nonsense.status == 404
    async with app.db.session() as session:
        platform = (await session.execute(
            select(col(AnnouncementRecipient.acknowledged_on)).where(
                col(AnnouncementRecipient.person_id) == person.id)
        )).scalar_one()
    assert platform == "sms"


async def _sms_row(database: Database, message_id: str, key: str) -> None:
    async with database.session() as session:
        await enqueue(session, [NewDelivery(
            dedupe_key=key, kind="announcement", platform="sms",
            target='{"platform": "sms", "conversation_id": "+48601234567"}',
            payload="{}",
            not_before=datetime.now(UTC),
            source="announcement:1")])
        await session.commit()
        row = (await session.execute(select(Delivery).where(
            col(Delivery.dedupe_key) == key))).scalars().one()
        row.state, row.message_id = DeliveryState.SENT.value, message_id
        session.add(row)
        await session.commit()


async def test_delivery_reports_are_recorded(database: Database) -> None:
    config_values = {"link_secret": SECRET}

    class NoAcks:
        async def acknowledge(self, announcement_id: int, *, person: Person, platform: str
                              ) -> str:
            return "missing"

    async with FakeSmsapi(report_retry=0.02) as fake:
        pages = SmsPagesComponent(parse_config({"token": fake.token, "public_url": PUBLIC_URL,
                                                **config_values}),
                                  db=database, announcements=NoAcks())
        async with serving(*pages.routes()) as base:
            config = _config(fake, public_url=base, delivery_reports=True)
            messenger = SmsMessenger(config)
            fake.undeliverable.add("48601234568")
            try:
                for number in ("+48601234567", "+48601234568"):
                    sent = await messenger.send(_ref(number), OutboundMessage(text="T"))
                    await _sms_row(database, sent.message_id, f"sms:{number}")
                # a message this service did not send (no outbox row): ignored
                await messenger.send(_ref("+48601234569"), OutboundMessage(text="T"))
                await fake.reports_sent(3)
            finally:
                await messenger.close()
            # Ours are taken ("OK"); for an id never recorded as sent it asks to be called
            # again (a report can outrun the record of its send), until the provider gives up.
            answers = {message_id: (status, body) for message_id, status, body in fake.callbacks}
            assert answers == {fake.messages[0].id: (200, "OK"), fake.messages[1].id: (200, "OK"),
                               fake.messages[2].id: (503, "RETRY")}
            guessed = {"MsgId": fake.messages[0].id, "status": "405",
                       "status_name": "UNDELIVERED"}
            async with aiohttp.ClientSession() as http, \
                    http.get(f"{base}/sms/reports/{'0' * 32}", params=guessed) as forged:
                assert forged.status == 404  # a guessed callback address
    async with database.session() as session:
        reports = {r.message_id: r.status_name for r in (await session.execute(
            select(SmsReport))).scalars()}
        assert reports == {fake.messages[0].id: "DELIVERED", fake.messages[1].id: "UNDELIVERED"}
        assert await sms_states(session, "announcement:1") == {"delivered": 1,
                                                                "undelivered": 1}
        assert await report_line(session, 1, "pl") == "SMS: doręczone 1, niedoręczone 1"


# --- through the outbox: a crash in the middle of the fan-out -----------------------------------


async def test_a_crash_in_the_middle_of_an_sms_fan_out_loses_nothing(app: App) -> None:
    announcement = await _send_urgent(app, "wszyscy", "Awaria wodociągu, komunikat 1.")
    people = await _recipients(app, int(announcement.id or 0))
    settings = SmsSettings(public_url="https://lacznik.example.pl", link_secret=b"k" * 32)
    async with app.db.session() as session:
        for n, person in enumerate(people):
            await set_mobile(session, int(person.id or 0), f"+4860{n:07d}")
        await session.commit()
        recipients = await sms_recipients(session, [int(p.id or 0) for p in people], [], {})
        await enqueue(session, sms_deliveries(announcement, recipients, settings,
                                              app.clock.now()))
        await session.commit()
    async with FakeSmsapi(requests_per_second=20) as fake:
        messenger = SmsMessenger(_config(fake, requests_per_second=20))
        first = asyncio.create_task(DeliveryWorker(
            db=app.db, clock=app.clock, messengers={"sms": messenger},
            worker_id="first").run_once())
        await until(lambda: len(fake.messages) >= len(recipients) // 2, within=60)
        first.cancel()  # kill -9: what it had claimed stays leased to a process that is gone
        with contextlib.suppress(asyncio.CancelledError):
            await first
        async with app.db.session() as session:
            in_flight = len((await session.execute(select(col(Delivery.id)).where(
                col(Delivery.state) == "sending"))).all())
        app.clock.advance(timedelta(minutes=6))  # type: ignore[attr-defined]  # ManualClock
        await DeliveryWorker(db=app.db, clock=app.clock, messengers={"sms": messenger},
                             worker_id="restarted").run_once()
        await messenger.close()
    received: dict[str, int] = {}
    for sms in fake.messages:
        received[sms.to] = received.get(sms.to, 0) + 1
    assert len(received) == len(recipients) and min(received.values()) == 1  # nobody lost
    # A repeat only for an SMS accepted just before the kill and not yet recorded.
    assert sum(received.values()) - len(recipients) <= in_flight
    async with app.db.session() as session:
        assert await sms_states(session, f"announcement:{announcement.id}") == {
            "sent": len(recipients)}


async def test_a_resend_after_a_crash_is_sent_again_not_refused() -> None:
    """The crash window: SMSAPI took the text, the outbox did not record it; the row is sent
    again with the same idx and arrives twice (documented) rather than ending as failed."""
    async with FakeSmsapi() as fake:
        messenger = SmsMessenger(_config(fake))
        try:
            first = await messenger.send(_ref("+48601234567", "a1p2n1"),
                                         OutboundMessage(text="PILNE nr 1: Awaria."))
            again = await messenger.send(_ref("+48601234567", "a1p2n1"),
                                         OutboundMessage(text="PILNE nr 1: Awaria."))
        finally:
            await messenger.close()
    assert [sms.idx for sms in fake.messages] == ["a1p2n1", "a1p2n1"]
    assert first.message_id != again.message_id


def test_the_fake_bills_by_its_own_gsm_table() -> None:
    """The provider's bill the preview's estimate is compared with is counted by the fake's
    own GSM 03.38 table, not by the estimate's function."""
    assert billed_parts("a" * 160) == 1 and billed_parts("a" * 161) == 2
    assert billed_parts("a" * 306) == 2 and billed_parts("a" * 307) == 3
    assert billed_parts("€" * 80) == 1 and billed_parts("€" * 81) == 2  # two septets each
    assert billed_parts("ą" * 70) == 1 and billed_parts("ą" * 71) == 2
    assert billed_parts("ą" * 134) == 2 and billed_parts("ą" * 135) == 3
    assert billed_parts("😀" * 35) == 1 and billed_parts("😀" * 36) == 2  # UTF-16 pairs


@pytest.mark.parametrize(("language", "lang", "words"), [
    ("en-GB", "en", "I confirm"), ('"><i>', "pl", "Potwierdzam"),
    ("de", "pl", "Potwierdzam")])
async def test_the_acknowledgement_page_speaks_a_supported_language(
        app: App, language: str, lang: str, words: str) -> None:
    announcement = await _send_urgent(app, "gmina Wieliczka", "Awaria EZD — nie wysyłać pism.")
    person = (await _recipients(app, int(announcement.id or 0)))[0]
    async with app.db.session() as session:
        stored = await session.get(Person, person.id)
        assert stored is not None
        stored.language = language
        session.add(stored)
        await session.commit()
    config = parse_config({"token": "t", "link_secret": SECRET, "public_url": PUBLIC_URL})
    pages = SmsPagesComponent(config, db=app.db, announcements=app.core.services.announcements)
    path = ack_link(config.settings(), int(announcement.id or 0), int(person.id or 0)
                    ).removeprefix(PUBLIC_URL)
    async with serving(*pages.routes()) as base, aiohttp.ClientSession() as http:
        for method in (http.get, http.post):
            async with method(base + path) as page:
                body = await page.text()
                assert page.status == 200 and f'<html lang="{lang}">' in body
                assert '"><i>' not in body
        async with http.get(base + path) as page:
            assert words in await page.text()
