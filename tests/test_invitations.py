"""Invitations by e-mail, as people receive them: a real SMTP server (aiosmtpd) in the test
process takes the e-mails; they are parsed and read as a person would read them."""

from __future__ import annotations

import argparse
import asyncio
import html
import re
import ssl
import time
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import urljoin

import aiohttp
import pytest
from aiohttp import web

from adapters.email.config import ConfigError, EmailSettings, parse_config
from adapters.email.sender import SmtpSender
from adapters.telegram.translate import BotIdentity
from bots import cli_invite
from bots.app import App
from bots.components import build_components
from bots.config import Config, ServerConfig
from bots.invite_pages import InvitePagesComponent
from bots.service import Service
from commands.clock import ManualClock
from commands.invitations.campaign import CampaignSettings, InvitationCampaign
from commands.invitations.ports import BotUsername, Mail
from scheduler.digest import DailyEmailJob
from store.invitations import Scope, preference, status
from store.models import Forum, ForumMember, Gmina, MessengerAccount, Person
from store.people import redeem_link_code
from tests.fakes.smtp import SmtpServer, self_signed, smtp_server
from tests.fakes.telegram_api import FakeTelegramServer

PUBLIC = "https://lacznik.example.pl"


async def bot() -> str:
    return "lacznik_test_bot"


async def no_telegram() -> None:
    return None


def settings(server: SmtpServer) -> EmailSettings:
    return EmailSettings(host="127.0.0.1", port=server.port, security="none",
                         sender="Łącznik <lacznik@urzad.example.pl>", public_url=PUBLIC)


def campaign(app: App, server: SmtpServer, username: BotUsername = bot) -> InvitationCampaign:
    return InvitationCampaign(app.db, app.clock, SmtpSender(settings(server)), username,
                              CampaignSettings(public_url=PUBLIC, retry_delays=(0.0, 0.0)))


async def people(app: App) -> dict[str, int]:
    """Anna (Polish), John (English), Linked (on Telegram), Nomail (no address)."""
    async with app.db.session() as session:
        gmina = Gmina(name="Wieliczka", teryt="1219063")
        session.add(gmina)
        await session.flush()
        rows = {
            "anna": Person(name="Anna Kowalska", email="anna@wieliczka.example.pl",
                           gmina_id=gmina.id),
            "john": Person(name="John <b>Smith</b>", email="john@wieliczka.example.pl",
                           language="en", gmina_id=gmina.id),
            "linked": Person(name="Ola Linked", email="ola@wieliczka.example.pl",
                             gmina_id=gmina.id),
            "nomail": Person(name="Bez Maila", gmina_id=gmina.id),
        }
        session.add_all(rows.values())
        await session.flush()
        session.add(MessengerAccount(platform="telegram", external_id="77",
                                     person_id=rows["linked"].id, private_ref="{}"))
        await session.commit()
        return {key: int(p.id or 0) for key, p in rows.items()}


def text_of(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    return str(body.get_content())


async def test_invitation_carries_a_working_link_in_the_persons_language(bare_app: App
                                                                         ) -> None:
    ids = await people(bare_app)
    async with smtp_server() as server:
        result = await campaign(bare_app, server).run(Scope(everyone=True))
        assert (result.invited, result.failed) == (2, [])
        [anna] = server.to("anna@wieliczka.example.pl")
        [john] = server.to("john@wieliczka.example.pl")
        assert not server.to("ola@wieliczka.example.pl")  # linked already
        assert server.connections == 1  # one SMTP session for the campaign
    assert anna["Subject"] == "Łącznik: połącz swój komunikator"
    assert john["Subject"] == "Łącznik: link your messenger"
    assert john["Content-Language"] == "en"
    text = text_of(anna)
    assert "Dzień dobry, Anna Kowalska!" in text and "Microsoft Teams" in text
    code = re.search(r"https://t\.me/lacznik_test_bot\?start=([A-Za-z0-9]+)", text)
    assert code is not None
    async with bare_app.db.session() as session:  # the link links Anna's Telegram
        assert await redeem_link_code(session, code.group(1), platform="telegram",
                                      now=bare_app.clock.now() + timedelta(days=13)) == \
            ids["anna"]
    unsubscribe = str(anna["List-Unsubscribe"]).strip()
    assert unsubscribe.startswith(f"<{PUBLIC}/email/opt-out/") and unsubscribe[1:-1] in text
    assert anna["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    html_part = john.get_body(("html",))
    assert html_part is not None
    assert "John &lt;b&gt;Smith&lt;/b&gt;" in str(html_part.get_content())


async def test_rerun_sends_nothing_twice_and_at_most_two_reminders(bare_app: App) -> None:
    await people(bare_app)
    clock = bare_app.clock
    assert isinstance(clock, ManualClock)
    async with smtp_server() as server:
        run = campaign(bare_app, server)
        await run.run(Scope(everyone=True))
        again = await run.run(Scope(everyone=True))
        assert (again.invited, again.reminded, len(server.received)) == (0, 0, 2)
        for days, expected in ((3, 4), (1, 4), (3, 6), (30, 6)):
            clock.advance(timedelta(days=days))
            await run.run(Scope(everyone=True))
            assert len(server.received) == expected
    subjects = [m["Subject"] for m in server.to("anna@wieliczka.example.pl")]
    assert subjects.count("Przypomnienie — Łącznik: połącz swój komunikator") == 2


async def test_opted_out_people_get_nothing(bare_app: App) -> None:
    await people(bare_app)
    clock = bare_app.clock
    assert isinstance(clock, ManualClock)
    async with smtp_server() as server:
        run = campaign(bare_app, server)
        await run.run(Scope(everyone=True))
        [anna] = server.to("anna@wieliczka.example.pl")
        path = str(anna["List-Unsubscribe"]).strip()[1:-1].removeprefix(PUBLIC)
        web_app = web.Application()
        web_app.add_routes(InvitePagesComponent(bare_app.db, clock).routes())
        runner = web.AppRunner(web_app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        try:
            async with aiohttp.ClientSession() as client:
                async with client.get(f"http://127.0.0.1:{port}{path}") as page:
                    assert page.status == 200
                    assert "Tak, wypisz mnie" in await page.text()
                clock.advance(timedelta(days=3))
                await run.run(Scope(everyone=True))  # a GET changed nothing: reminded
                assert len(server.to("anna@wieliczka.example.pl")) == 2
                for _ in range(2):  # idempotent
                    async with client.post(f"http://127.0.0.1:{port}{path}") as done:
                        assert done.status == 200
                        assert "Wypisano adres anna@wieliczka.example.pl" in await done.text()
                async with client.get(f"http://127.0.0.1:{port}/email/opt-out/nope") as bad:
                    assert bad.status == 404
        finally:
            await runner.cleanup()
        clock.advance(timedelta(days=4))
        result = await run.run(Scope(everyone=True))
        assert result.planned["opted_out"] == 1
        assert len(server.to("anna@wieliczka.example.pl")) == 2
        assert len(server.to("john@wieliczka.example.pl")) == 3


async def test_busy_server_451_then_250_delivers_once(bare_app: App) -> None:
    await people(bare_app)
    async with smtp_server() as server:
        server.busy = 1
        result = await campaign(bare_app, server).run(Scope(everyone=True))
        assert (result.invited, result.retry) == (2, 0)
        assert len(server.to("anna@wieliczka.example.pl")) == 1
        assert len(server.received) == 2


async def test_refused_recipient_is_reported_and_the_others_go(bare_app: App) -> None:
    await people(bare_app)
    async with smtp_server() as server:
        server.refuse["anna@wieliczka.example.pl"] = "550 5.1.1 No such user"
        run = campaign(bare_app, server)
        result = await run.run(Scope(everyone=True))
        assert result.failed == [("anna@wieliczka.example.pl", "smtp 550")]
        assert result.invited == 1 and len(server.to("john@wieliczka.example.pl")) == 1
        again = await run.run(Scope(everyone=True))
        assert again.planned["refused"] == 1 and len(server.received) == 1
        async with bare_app.db.session() as session:
            total = (await status(session))[-1]
        assert (total.people, total.linked["telegram"], total.invited,
                total.not_reachable) == (4, 1, 1, 2)  # Anna refused, Bez no e-mail


async def test_an_unusable_server_stops_the_run_and_the_next_run_sends(bare_app: App) -> None:
    await people(bare_app)
    async with smtp_server() as gone:
        closed = SmtpServer(port=gone.port)
    result = await campaign(bare_app, closed).run(Scope(everyone=True))
    assert result.stopped == "smtp server unreachable"
    assert (result.invited, result.retry, result.failed) == (0, 2, [])
    async with smtp_server() as server:
        result = await campaign(bare_app, server).run(Scope(everyone=True))
        assert result.invited == 2 and len(server.received) == 2


async def test_people_who_link_get_no_more_reminders(bare_app: App) -> None:
    ids = await people(bare_app)
    clock = bare_app.clock
    assert isinstance(clock, ManualClock)
    async with smtp_server() as server:
        run = campaign(bare_app, server)
        await run.run(Scope(everyone=True))
        async with bare_app.db.session() as session:
            session.add(MessengerAccount(platform="slack", external_id="U1",
                                         person_id=ids["john"], private_ref="{}"))
            await session.commit()
        clock.advance(timedelta(days=3))
        result = await run.run(Scope(everyone=True))
        assert (result.reminded, result.planned["linked"]) == (1, 2)
        assert len(server.to("john@wieliczka.example.pl")) == 1


async def test_without_telegram_the_email_explains_teams_and_slack(bare_app: App) -> None:
    await people(bare_app)
    async with smtp_server() as server:
        await campaign(bare_app, server, no_telegram).run(Scope(everyone=True))
        text = text_of(server.to("john@wieliczka.example.pl")[0])
    assert "t.me" not in text
    assert "Microsoft Teams: install the Łącznik app" in text and "Slack: add" in text


async def test_cli_dry_run_counts_and_sends_nothing_then_status(
        bare_app: App, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LC_ALL", "en_GB.UTF-8")
    await people(bare_app)
    bare_app.directory.invalidate()
    async with smtp_server() as server:
        bare_app.config = Config(database=bare_app.config.database, extra={"email": {
            "host": "127.0.0.1", "port": server.port, "security": "none",
            "from": "lacznik@urzad.example.pl", "public_url": PUBLIC}})
        args = argparse.Namespace(what=None, all=False, gmina="1219063", forum=None,
                                  dry_run=True)
        assert await cli_invite.invite(bare_app, args) == 0
        assert server.received == []
        out = capsys.readouterr().out
        assert "linked 1; invitations to send 2;" in out and "no e-mail 1" in out
        assert "nothing was sent" in out
        args.dry_run = False
        assert await cli_invite.invite(bare_app, args) == 0
        assert len(server.received) == 2
        args.what, args.gmina = "status", None  # status takes no scope (refused with one)
        assert await cli_invite.invite(bare_app, args) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[-1].split("\t") == ["total", "4", "0", "1", "0", "1", "2", "0", "1"]


@pytest.mark.parametrize(("section", "message"), [
    ({"from": "a@b.pl"}, "[email] host: is required"),
    ({"host": "h", "from": "nobody"}, "[email] from: must be an e-mail address"),
    ({"host": "h", "from": "a@b.pl", "security": "ssl"}, '[email] security: must be "starttls"'),
    ({"host": "h", "from": "a@b.pl", "password": "s3cret"}, "[email] username:"),
    ({"host": "h", "from": "a@b.pl", "reminder_days": [3, 7, 9]}, "[email] reminder_days:"),
])
def test_bad_email_settings_name_the_key(section: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(section)
    assert message in str(caught.value) and "s3cret" not in str(caught.value)


async def test_cli_forum_scope_and_the_bot_name_from_get_me(
        bare_app: App, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LC_ALL", "pl_PL.UTF-8")
    ids = await people(bare_app)
    async with bare_app.db.session() as session:
        forum = Forum(key="PZP", name_pl="Zamówienia publiczne")
        session.add(forum)
        await session.flush()
        session.add(ForumMember(forum_id=int(forum.id or 0), person_id=ids["john"]))
        await session.commit()
    async with smtp_server() as server, FakeTelegramServer() as telegram:
        bare_app.config = Config(database=bare_app.config.database, extra={
            "email": {"host": "127.0.0.1", "port": server.port, "security": "none",
                      "from": "lacznik@urzad.example.pl", "public_url": PUBLIC},
            "telegram": {"token": telegram.token, "api_base_url": telegram.url}})
        args = argparse.Namespace(what=None, all=False, gmina=None, forum="pzp",
                                  dry_run=False)
        assert await cli_invite.invite(bare_app, args) == 0
        assert "Wysłano: zaproszeń 1, przypomnień 0." in capsys.readouterr().out
        [john] = server.received
        args.forum = "XYZ"
        assert await cli_invite.invite(bare_app, args) == 2
        assert "Nie ma forum XYZ" in capsys.readouterr().err
    assert f"https://t.me/{telegram.username}?start=" in text_of(john)


async def test_the_service_serves_the_opt_out_page_and_names_the_running_bot(
        bare_app: App) -> None:
    """Wired by the composition root: ``build_components`` holds ``email_components``."""
    ids = await people(bare_app)
    async with bare_app.db.session() as session:
        token = (await preference(session, ids["john"])).token
        await session.commit()

    class RunningTelegram:  # what the Telegram component holds after getMe
        identity = BotIdentity(1, "LacznikUrzadBot")

    async with smtp_server() as server:
        bare_app.config = Config(database=bare_app.config.database,
                                 server=ServerConfig(port=0), extra={"email": {
                                     "host": "127.0.0.1", "port": server.port,
                                     "security": "none", "from": "lacznik@urzad.example.pl",
                                     "public_url": PUBLIC}})
        extra = cli_invite.email_components(bare_app, RunningTelegram())
        assert [c.name for c in extra] == ["invite-pages", "daily-email"]
        service = Service(bare_app, build_components(bare_app))  # the opt-out page in it
        await service.start()
        try:
            async with aiohttp.ClientSession() as client:
                url = f"http://127.0.0.1:{service.port}/email/opt-out/{token}"
                async with client.get(url) as page:
                    assert "Yes, opt me out" in await page.text()
        finally:
            await service.stop()
        clock = bare_app.clock
        assert isinstance(clock, ManualClock)
        await campaign(bare_app, server).run(Scope(everyone=True))
        clock.advance(timedelta(days=3))
        job = extra[1]
        assert isinstance(job, DailyEmailJob)
        await job.run_once()  # reminders, with the running bot's name
        reminder = server.to("anna@wieliczka.example.pl")[-1]
    assert reminder["Subject"].startswith("Przypomnienie")
    assert "https://t.me/LacznikUrzadBot?start=" in text_of(reminder)


@pytest.mark.parametrize("security", ["starttls", "tls"])
async def test_tls_modes_and_login(bare_app: App, tmp_path: Path, security: str) -> None:
    """STARTTLS (required by the server) or implicit TLS, with a login; a wrong password or
    a certificate nobody vouches for stops the run without marking anyone refused."""
    await people(bare_app)
    server_tls, client_tls = self_signed(tmp_path)
    modes = {"starttls": {"starttls": server_tls}, "tls": {"tls": server_tls}}[security]
    async with smtp_server(login=("lacznik", "s3cret"), **modes) as server:
        def run_with(password: str, context: ssl.SSLContext | None) -> InvitationCampaign:
            config = EmailSettings(host="localhost", port=server.port, security=security,  # type: ignore[arg-type]  # a Security literal from the parameter
                                   username="lacznik", password=password,
                                   sender="lacznik@urzad.example.pl", public_url=PUBLIC)
            return InvitationCampaign(bare_app.db, bare_app.clock,
                                      SmtpSender(config, tls_context=context), bot,
                                      CampaignSettings(public_url=PUBLIC, retry_delays=()))

        refused = await run_with("wrong", client_tls).run(Scope(everyone=True))
        assert refused.stopped == "smtp 535 login refused" and refused.failed == []
        untrusted = await run_with("s3cret", None).run(Scope(everyone=True))
        assert untrusted.stopped == "smtp server unreachable"
        result = await run_with("s3cret", client_tls).run(Scope(everyone=True))
        assert (result.invited, result.stopped) == (2, "")
        assert len(server.received) == 2


async def test_two_runs_at_once_send_each_person_one_email(bare_app: App) -> None:
    """An admin's `lacznik invite --all` while another is running (or the daily job)."""
    await people(bare_app)
    clock = bare_app.clock
    assert isinstance(clock, ManualClock)
    async with smtp_server() as server:
        first, second = campaign(bare_app, server), campaign(bare_app, server)
        await asyncio.gather(first.run(Scope(everyone=True)), second.run(Scope(everyone=True)))
        assert len(server.to("anna@wieliczka.example.pl")) == 1
        assert len(server.to("john@wieliczka.example.pl")) == 1
        clock.advance(timedelta(days=3))
        await asyncio.gather(first.run(Scope(everyone=True)),
                             second.run(Scope(everyone=True), reminders_only=True))
        assert len(server.received) == 4  # one reminder each


async def test_messages_per_minute_paces_the_sender() -> None:
    async with smtp_server() as server:
        paced = EmailSettings(host="127.0.0.1", port=server.port, security="none",
                              sender="lacznik@urzad.example.pl", public_url=PUBLIC,
                              messages_per_minute=600)  # one every 0.1 s
        started = time.monotonic()
        async with SmtpSender(paced) as sender:
            for n in range(4):
                await sender.send(Mail(to=f"p{n}@gmina.example.pl", to_name="P", subject="s",
                                       text="t", lang="pl", unsubscribe_url=f"{PUBLIC}/x"))
        assert time.monotonic() - started >= 0.3
        assert len(server.received) == 4 and server.connections == 1


async def test_a_malformed_address_or_name_fails_that_person_only(bare_app: App) -> None:
    """A line break in a name (Alt+Enter in a spreadsheet cell) goes as a space; an address
    that cannot be written into a message is that person's failure, the others go."""
    await people(bare_app)
    async with bare_app.db.session() as session:
        session.add_all([Person(name="Żaneta", email="żaneta@gmina.example.pl"),
                         Person(name="Jan\r\nKowal", email="jan@gmina.example.pl")])
        await session.commit()
    async with smtp_server() as server:
        run = campaign(bare_app, server)
        result = await run.run(Scope(everyone=True))
        assert result.failed == [("żaneta@gmina.example.pl", "invalid address")]
        assert result.invited == 3 and result.retry == 0
        [jan] = server.to("jan@gmina.example.pl")
        assert str(jan["To"]).startswith("Jan Kowal")
        again = await run.run(Scope(everyone=True))
        assert again.planned["refused"] == 1 and len(server.received) == 3


async def test_a_relay_refusing_the_message_stops_the_run_and_fails_nobody(bare_app: App
                                                                          ) -> None:
    """Microsoft 365 answers 554 5.2.0 SendAsDenied to DATA when the account may not send as
    ``from``: not the people's fault; once fixed, the next run invites them all."""
    await people(bare_app)
    async with smtp_server() as server:
        server.refuse_data = "554 5.2.0 STOREDRV.Submission.Exception:SendAsDeniedException"
        result = await campaign(bare_app, server).run(Scope(everyone=True))
        assert result.failed == [] and result.invited == 0 and result.retry == 2
        assert result.stopped == "smtp 554 refused by the server"
        server.refuse_data = ""
        again = await campaign(bare_app, server).run(Scope(everyone=True))
        assert again.invited == 2 and len(server.received) == 2


@pytest.mark.parametrize(("host", "refused"), [
    ("smtp.urzad.example.pl", True), ("10.0.0.5", True), ("localhost", False),
    ("127.0.0.1", False), ("::1", False)])
def test_a_login_over_plain_text_to_another_machine_is_refused(host: str, refused: bool
                                                               ) -> None:
    section = {"host": host, "from": "a@b.pl", "security": "none", "username": "lacznik",
               "password": "s3cret"}
    if not refused:
        assert parse_config(section).username == "lacznik"
        return
    with pytest.raises(ConfigError) as caught:
        parse_config(section)
    assert str(caught.value).startswith("configuration error in [email] security: must be")
    assert "s3cret" not in str(caught.value)
    assert parse_config({**section, "security": "starttls"}).security == "starttls"


@pytest.mark.parametrize(("env", "no_scope", "status_scope"), [
    ("pl_PL.UTF-8", "Podaj --all, --gmina NAZWA albo --forum KLUCZ",
     "`lacznik invite status` pokazuje zawsze wszystkich"),
    ("en_GB.UTF-8", "Give --all, --gmina NAME or --forum KEY",
     "`lacznik invite status` always shows everyone")])
async def test_cli_usage_errors_in_the_terminals_language(
        bare_app: App, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        env: str, no_scope: str, status_scope: str) -> None:
    monkeypatch.setenv("LC_ALL", env)
    args = argparse.Namespace(what=None, all=False, gmina=None, forum=None, dry_run=False)
    assert await cli_invite.invite(bare_app, args) == 2
    assert no_scope in capsys.readouterr().err
    for scope in ({"all": True}, {"gmina": "Wieliczka"}, {"forum": "PZP"}, {"dry_run": True}):
        status_args = argparse.Namespace(**{**vars(args), "what": "status", **scope})
        assert await cli_invite.invite(bare_app, status_args) == 2
        assert status_scope in capsys.readouterr().err


async def test_the_opt_out_form_works_behind_a_proxy_with_a_path_prefix(bare_app: App) -> None:
    """The office serves Łącznik at https://urzad…/lacznik/ and its proxy strips /lacznik."""
    await people(bare_app)
    async with smtp_server() as server:
        await campaign(bare_app, server).run(Scope(everyone=True))
        [anna] = server.to("anna@wieliczka.example.pl")
    path = str(anna["List-Unsubscribe"]).strip()[1:-1].removeprefix(PUBLIC)
    backend = web.Application()
    backend.add_routes(InvitePagesComponent(bare_app.db, bare_app.clock).routes())
    backend_runner = web.AppRunner(backend)
    await backend_runner.setup()
    await web.TCPSite(backend_runner, "127.0.0.1", 0).start()
    backend_port = backend_runner.addresses[0][1]

    async def strip_prefix(request: web.Request) -> web.Response:
        async with aiohttp.ClientSession() as upstream, upstream.request(
                request.method, f"http://127.0.0.1:{backend_port}/{request.match_info['tail']}",
                params=request.query, data=await request.read()) as answer:
            return web.Response(status=answer.status, body=await answer.read(),
                                content_type=answer.content_type)

    proxy = web.Application()
    proxy.add_routes([web.route("*", "/lacznik/{tail:.*}", strip_prefix)])
    proxy_runner = web.AppRunner(proxy)
    await proxy_runner.setup()
    await web.TCPSite(proxy_runner, "127.0.0.1", 0).start()
    page_url = f"http://127.0.0.1:{proxy_runner.addresses[0][1]}/lacznik{path}"
    try:
        async with aiohttp.ClientSession() as browser:
            async with browser.get(page_url) as page:
                found = re.search(r'<form method="post" action="([^"]*)"', await page.text())
            assert page.status == 200 and found is not None
            async with browser.post(urljoin(page_url, html.unescape(found.group(1)))) as done:
                assert done.status == 200
                assert "Wypisano adres anna@wieliczka.example.pl" in await done.text()
    finally:
        await proxy_runner.cleanup()
        await backend_runner.cleanup()
