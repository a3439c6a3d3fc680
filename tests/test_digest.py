"""The daily digest as a person without a messenger receives it: one e-mail a day listing
the normal announcements they got on no messenger, through a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time, timedelta
from email.message import EmailMessage

import pytest

from adapters.email.config import EmailSettings
from adapters.email.sender import SmtpSender
from bots.app import App
from bots.cli_invite import daily_email_job
from bots.config import Config
from commands.calendar.dates import utc
from commands.clock import ManualClock
from commands.invitations.campaign import CampaignSettings, InvitationCampaign
from commands.invitations.digest import DailyDigest
from commands.invitations.ports import Mail
from scheduler.digest import DailyEmailJob, seconds_until
from store.announcement_models import Announcement, AnnouncementRecipient
from store.invitations import Scope, opt_out, preference
from store.models import Person
from tests.fakes.smtp import SmtpServer, smtp_server

PUBLIC = "https://lacznik.example.pl"


async def bot() -> str:
    return "lacznik_test_bot"


def digest(app: App, server: SmtpServer) -> DailyDigest:
    return DailyDigest(app.db, app.clock, SmtpSender(EmailSettings(
        host="127.0.0.1", port=server.port, security="none",
        sender="lacznik@urzad.example.pl", public_url=PUBLIC)), public_url=PUBLIC,
        retry_delays=(0.0,))


async def setup(app: App) -> dict[str, int]:
    async with app.db.session() as session:
        rows = {
            "author": Person(name="Biuro SMK", email="biuro@smk.example.pl"),
            "ewa": Person(name="Ewa Nowak", email="ewa@skawina.example.pl"),
            "tom": Person(name="Tom Brown", email="tom@skawina.example.pl", language="en"),
            "tg": Person(name="Piotr Telegram", email="piotr@skawina.example.pl"),
        }
        session.add_all(rows.values())
        await session.commit()
        return {key: int(p.id or 0) for key, p in rows.items()}


async def announce(app: App, ids: dict[str, int], text: str, *, number: int,
                   urgent: bool = False, hours_ago: float = 1) -> None:
    """An announcement sent ``hours_ago`` to Ewa and Tom (no messenger) and Piotr (on
    Telegram)."""
    async with app.db.session() as session:
        sent = Announcement(author_id=ids["author"], urgent=urgent, text=text, audience="{}",
                            state="sent", number=number,
                            sent_at=utc(app.clock.now()) - timedelta(hours=hours_ago))
        session.add(sent)
        await session.flush()
        for key, platforms in (("ewa", ""), ("tom", ""), ("tg", "telegram")):
            session.add(AnnouncementRecipient(announcement_id=int(sent.id or 0),
                                              person_id=ids[key], platforms=platforms))
        await session.commit()


def body(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


async def test_one_email_a_day_lists_the_normal_announcements(bare_app: App) -> None:
    ids = await setup(bare_app)
    clock = bare_app.clock
    assert isinstance(clock, ManualClock)
    await announce(bare_app, ids, "Zebranie w piątek o 10:00.", number=1, hours_ago=5)
    await announce(bare_app, ids, "Nowy wzór wniosku <PDF>.", number=2)
    await announce(bare_app, ids, "PILNE: awaria wodociągu.", number=3, urgent=True)
    await announce(bare_app, ids, "Stare ogłoszenie.", number=4, hours_ago=30)
    async with smtp_server() as server:
        job = digest(bare_app, server)
        done = await job.run()
        assert done.sent == 2
        [ewa] = server.to("ewa@skawina.example.pl")
        [tom] = server.to("tom@skawina.example.pl")
        assert not server.to("piotr@skawina.example.pl")  # got them on Telegram
        await job.run()  # the same day again: nothing new
        assert len(server.received) == 2
        clock.advance(timedelta(days=1))
        await announce(bare_app, ids, "Szkolenie RODO.", number=5)
        await job.run()
        assert len(server.received) == 4
        [_, next_day] = server.to("ewa@skawina.example.pl")
    text = body(ewa)
    assert ewa["Subject"] == "Łącznik: 2 ogłoszenia z ostatniej doby"
    assert tom["Subject"] == "Łącznik: 2 announcements of the last day"
    assert text.index("Zebranie w piątek") < text.index("Nowy wzór wniosku <PDF>")
    assert "PILNE" not in text and "Stare ogłoszenie" not in text
    assert "Ogłoszenie nr 1 — Biuro SMK" in text
    assert str(ewa["List-Unsubscribe"]).strip().startswith(f"<{PUBLIC}/email/opt-out/")
    html_part = ewa.get_body(("html",))
    assert html_part is not None and "&lt;PDF&gt;" in str(html_part.get_content())
    assert "Szkolenie RODO" in body(next_day) and "Zebranie" not in body(next_day)


async def test_opted_out_people_get_no_digest(bare_app: App) -> None:
    ids = await setup(bare_app)
    async with bare_app.db.session() as session:
        token = (await preference(session, ids["ewa"])).token
        await opt_out(session, token, bare_app.clock.now())
        await session.commit()
    await announce(bare_app, ids, "Zebranie w piątek.", number=1)
    async with smtp_server() as server:
        done = await digest(bare_app, server).run()
        assert (done.sent, done.opted_out) == (1, 1)
        assert not server.to("ewa@skawina.example.pl")


async def test_a_failed_digest_comes_the_next_day(bare_app: App) -> None:
    ids = await setup(bare_app)
    clock = bare_app.clock
    assert isinstance(clock, ManualClock)
    await announce(bare_app, ids, "Zebranie w piątek.", number=1)
    async with smtp_server() as server:
        server.busy = 4  # 451 to every try of both e-mails
        done = await digest(bare_app, server).run()
        assert (done.sent, done.failed) == (0, 2)
        clock.advance(timedelta(days=1))
        await announce(bare_app, ids, "Szkolenie RODO.", number=2)
        done = await digest(bare_app, server).run()
        assert done.sent == 2
        text = body(server.to("ewa@skawina.example.pl")[0])
    assert "Zebranie w piątek" in text and "Szkolenie RODO" in text


async def test_the_daily_job_sends_the_digest_only_when_switched_on(bare_app: App) -> None:
    ids = await setup(bare_app)
    await announce(bare_app, ids, "Zebranie w piątek.", number=1)
    async with smtp_server() as server:
        section = {"host": "127.0.0.1", "port": server.port, "security": "none",
                   "from": "lacznik@urzad.example.pl", "public_url": PUBLIC}
        bare_app.config = Config(database=bare_app.config.database, extra={"email": section})
        job = daily_email_job(bare_app)
        assert job is not None
        await job.run_once()
        assert server.received == []  # digest = false (the default)
        bare_app.config = Config(database=bare_app.config.database,
                                 extra={"email": {**section, "digest": True}})
        job = daily_email_job(bare_app)
        assert job is not None
        await job.run_once()
        assert len(server.to("ewa@skawina.example.pl")) == 1
        bare_app.config = Config(database=bare_app.config.database)
        assert daily_email_job(bare_app) is None  # no [email]: nothing scheduled


def test_the_daily_job_runs_at_seven_in_warsaw() -> None:
    winter = datetime(2026, 12, 7, 5, 0, tzinfo=UTC)  # 06:00 in Warsaw
    assert seconds_until(winter, time(7, 0)) == 3600
    assert seconds_until(winter + timedelta(hours=2), time(7, 0)) == 23 * 3600


async def test_a_malformed_address_loses_only_that_persons_digest(bare_app: App) -> None:
    ids = await setup(bare_app)
    async with bare_app.db.session() as session:
        ewa = await session.get(Person, ids["ewa"])
        assert ewa is not None
        ewa.email = "ewą@skawina.example.pl"  # no SMTP message can carry it
        session.add(ewa)
        await session.commit()
    await announce(bare_app, ids, "Zebranie w piątek.", number=1)
    async with smtp_server() as server:
        done = await digest(bare_app, server).run()
        assert (done.sent, done.failed) == (1, 1)
        assert len(server.to("tom@skawina.example.pl")) == 1


async def test_the_daily_job_sends_reminders_when_the_digest_fails(
        bare_app: App, caplog: pytest.LogCaptureFixture) -> None:
    """Each part of the daily job runs even when another one fails."""
    class BrokenSender:  # a MailSender whose connection breaks in an unforeseen way
        async def __aenter__(self) -> BrokenSender:
            raise RuntimeError("unforeseen")

        async def __aexit__(self, *exc: object) -> None:
            return None

        async def send(self, mail: Mail) -> None:
            return None

    ids = await setup(bare_app)
    clock = bare_app.clock
    assert isinstance(clock, ManualClock)
    await announce(bare_app, ids, "Zebranie w piątek.", number=1)
    async with smtp_server() as server:
        settings = EmailSettings(host="127.0.0.1", port=server.port, security="none",
                                 sender="lacznik@urzad.example.pl", public_url=PUBLIC)
        campaign = InvitationCampaign(bare_app.db, bare_app.clock, SmtpSender(settings), bot,
                                      CampaignSettings(public_url=PUBLIC, retry_delays=(0.0,)))
        await campaign.run(Scope(everyone=True))
        invited = len(server.received)
        clock.advance(timedelta(days=3))
        job = DailyEmailJob(clock=clock, campaign=campaign, digest=DailyDigest(
            bare_app.db, clock, BrokenSender(), public_url=PUBLIC))
        await job.run_once()
        assert len(server.received) == 2 * invited  # the reminders went
    assert "daily digest failed" in caplog.text


async def test_two_instances_at_once_send_each_digest_once(bare_app: App) -> None:
    """Two service instances on one database run the daily digest at the same moment."""
    ids = await setup(bare_app)
    await announce(bare_app, ids, "Zebranie w piątek.", number=1)
    async with smtp_server() as server:
        first, second = await asyncio.gather(digest(bare_app, server).run(),
                                             digest(bare_app, server).run())
        assert first.sent + second.sent == 2
        assert len(server.to("ewa@skawina.example.pl")) == 1
        assert len(server.to("tom@skawina.example.pl")) == 1
