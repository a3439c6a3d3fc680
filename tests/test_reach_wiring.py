"""Issue 19's channels in the running service, wired by the composition root: with ``[sms]``
the SMS sender is messenger "sms" and the service serves the one-tap acknowledgement and
SMSAPI's delivery reports; with ``[email]`` the opt-out page and the daily e-mail job run.
Against the fake SMSAPI and a real SMTP server."""

from __future__ import annotations

import socket
import threading

import aiohttp
from sqlalchemy import select
from sqlmodel import col

from adapters.sms.config import parse_config
from bots.app import App
from bots.components import build_components
from bots.config import Config, ServerConfig
from bots.service import Service
from commands.announcements.sms import ack_link
from commands.model import ConversationKind, ConversationRef, OutboundMessage, Platform
from store.invitations import preference
from store.sms_models import SmsReport
from tests.fakes.smsapi import FakeSmsapi
from tests.fakes.smtp import smtp_server
from tests.test_rodo_reach import record_sent
from tests.test_sms import _recipients, _send_urgent

SECRET = "w" * 40


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_the_service_runs_the_sms_channel_and_the_opt_out_page(app: App) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    async with FakeSmsapi(report_retry=0.02) as fake, smtp_server() as smtp:
        sms = {"token": fake.token, "api_base_url": fake.base_url, "sender": "Lacznik",
               "public_url": base, "link_secret": SECRET}
        app.config = Config(database=app.config.database, server=ServerConfig(port=port),
                            extra={"sms": sms, "email": {
                                "host": "127.0.0.1", "port": smtp.port, "security": "none",
                                "from": "lacznik@urzad.example.pl", "public_url": base}})
        components = build_components(app)
        names = [c.name for c in components]
        assert {"sms", "invite-pages", "daily-email"} <= set(names)
        assert names.index("sms") < names.index("scheduler")  # stops after the worker
        messenger = app.messengers["sms"]
        service = Service(app, components)
        await service.start()
        try:
            announcement = await _send_urgent(app, "gmina Wieliczka", "Awaria EZD do 12:00.")
            person = (await _recipients(app, int(announcement.id or 0)))[0]
            link = ack_link(parse_config(sms).settings(), int(announcement.id or 0),
                            int(person.id or 0))
            assert link.startswith(f"{base}/a/")
            status = app.core.services.announcements.status
            async with aiohttp.ClientSession() as http:
                async with http.get(link) as page:
                    assert page.status == 200 and "Awaria EZD" in await page.text()
                async with http.post(link) as done:
                    assert "potwierdzenie zapisane" in await done.text()
                assert (await status(int(announcement.id or 0)))["acknowledged"] == 1

                # A text through the registered sender; its delivery report comes back to
                # the service's callback and is kept.
                ref = ConversationRef(Platform.CONSOLE, "+48601234567", ConversationKind.PERSONAL)
                sent = await messenger.send(ref, OutboundMessage(text="PILNE nr 1"))
                await record_sent(app.db, int(person.id or 0), "+48601234567", sent.message_id)
                await fake.reports_sent(1)
                assert fake.to("48601234567")[0].notify_url.startswith(f"{base}/sms/reports/")
                async with http.get(f"{base}/sms/reports/{'0' * 32}") as guessed:
                    assert guessed.status == 404

                async with app.db.session() as session:
                    token = (await preference(session, int(person.id or 0))).token
                    await session.commit()
                async with http.get(f"{base}/email/opt-out/{token}?lang=en") as opt_out:
                    assert opt_out.status == 200 and "Yes, opt me out" in await opt_out.text()
        finally:
            await service.stop()
    async with app.db.session() as session:
        reports = (await session.execute(select(col(SmsReport.status_name)).where(
            col(SmsReport.message_id) == sent.message_id))).scalars().all()
    assert reports == ["DELIVERED"]
    # Stopping the service waited for the texts in flight and freed the sender's threads.
    assert not [t for t in threading.enumerate() if t.name.startswith("sms_")]


async def test_without_the_sections_only_the_opt_out_page_runs(bare_app: App) -> None:
    names = [c.name for c in build_components(bare_app)]
    assert "invite-pages" in names  # links in e-mails sent earlier keep working
    assert "sms" not in names and "daily-email" not in names
    assert "sms" not in bare_app.messengers
