"""Review findings on issue 19 (e-mail invitations, digest, SMS), each as a person notices."""

from __future__ import annotations

import argparse
from datetime import timedelta
from pathlib import Path

import pytest

from adapters.sms.config import parse_config as sms_config
from bots import cli_invite
from bots.app import App
from bots.cli_invite import daily_email_job
from bots.config import Config, ConfigError, ServerConfig, load_config
from commands.calendar.dates import utc
from commands.directory.importer import ImportError_, parse_rows
from commands.directory.phones import NumberKind, check_mobile
from store.announcement_models import Announcement, AnnouncementRecipient
from store.models import Person
from tests.fakes.smtp import smtp_server

HEADER = "gmina,teryt,topic,name,position,email,phone,preferred_contact,notes,confirmed_at\n"


@pytest.mark.parametrize("address", ["żaneta@gmina.example.pl", "a..b@gmina.example.pl",
                                     ".ala@gmina.example.pl", "ala.@gmina.example.pl"])
def test_the_import_refuses_an_address_no_mail_server_takes(tmp_path: Path,
                                                            address: str) -> None:
    path = tmp_path / "people.csv"
    path.write_text(HEADER + f"Wieliczka,1219053,odpady,Żaneta Lis,inspektor,{address},,,,\n",
                    encoding="utf-8")
    try:
        errors = parse_rows(path).errors
    except ImportError_ as exc:
        errors = exc.errors
    assert any(f"e-mail {address!r} is not valid / nieprawidłowy e-mail" in e
               for e in errors), errors


def test_the_import_accepts_the_usual_addresses(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text(HEADER + "Wieliczka,1219053,odpady,Ola Lis,inspektor,"
                    "o.lis+urzad@wieliczka.example.pl,,,,\n", encoding="utf-8")
    assert parse_rows(path).errors == []


# --- 3: one service-wide [server] public_url ---------------------------------------------

PUBLIC = "https://lacznik.urzad.example.pl"
SMS_FIXED = {"provider": "smsapi", "token": "abc123", "api_base_url": "http://127.0.0.1:9/",
             "sender": "Lacznik"}


def test_sms_with_only_its_fixed_keys_links_to_the_server_public_url(tmp_path: Path) -> None:
    path = tmp_path / "lacznik.toml"
    path.write_text(f'[server]\npublic_url = "{PUBLIC}/"\n\n[sms]\nprovider = "smsapi"\n'
                    'token = "abc123"\napi_base_url = "http://127.0.0.1:9/"\n'
                    'sender = "Lacznik"\n', encoding="utf-8")
    config = load_config(path, env={})
    assert config.server.public_url == PUBLIC
    assert sms_config(config.extra["sms"]).settings().public_url == PUBLIC
    own = Config(server=ServerConfig(public_url=PUBLIC),
                 extra={"sms": {**SMS_FIXED, "public_url": "https://sms.example.pl"}})
    assert sms_config(own.extra["sms"]).public_url == "https://sms.example.pl"  # override


def test_without_any_public_url_sms_and_email_stop_the_start_naming_it(
        bare_app: App, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"set \[server\] public_url"):
        sms_config(Config(extra={"sms": SMS_FIXED}).extra["sms"])
    bare_app.config = Config(database=bare_app.config.database, extra={"email": {
        "host": "127.0.0.1", "from": "lacznik@urzad.example.pl", "digest": True}})
    with pytest.raises(ConfigError) as raised:
        daily_email_job(bare_app)
    assert raised.value.setting == "[server] public_url"
    path = tmp_path / "lacznik.toml"
    path.write_text('[server]\npublic_url = "lacznik.example.pl"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\[server\] public_url: must be the service's "
                                          r"public https:// address"):
        load_config(path, env={})


async def test_email_with_only_its_fixed_keys_invites_and_sends_the_digest(
        bare_app: App, capsys: pytest.CaptureFixture[str]) -> None:
    async with bare_app.db.session() as session:
        anna_row = Person(name="Anna Kowalska", email="anna@wieliczka.example.pl")
        session.add(anna_row)
        await session.flush()
        news = Announcement(author_id=int(anna_row.id or 0), text="Zebranie w piątek.",
                            audience="{}", state="sent", number=1,
                            sent_at=utc(bare_app.clock.now()) - timedelta(hours=1))
        session.add(news)
        await session.flush()
        session.add(AnnouncementRecipient(announcement_id=int(news.id or 0),
                                          person_id=int(anna_row.id or 0), platforms=""))
        await session.commit()
    async with smtp_server() as server:
        fixed = {"host": "127.0.0.1", "port": server.port, "security": "none",
                 "from": "lacznik@urzad.example.pl", "digest": True}
        bare_app.config = Config(database=bare_app.config.database,
                                 server=ServerConfig(public_url=PUBLIC), extra={"email": fixed})
        args = argparse.Namespace(what=None, all=True, gmina=None, forum=None, dry_run=False)
        assert await cli_invite.invite(bare_app, args) == 0
        [anna] = server.received
        assert str(anna["List-Unsubscribe"]).strip().startswith(f"<{PUBLIC}/email/opt-out/")
        job = daily_email_job(bare_app)
        assert job is not None
        await job.run_once()  # digest = true is honoured
        assert [m["Subject"] for m in server.received][1:] == \
            ["Łącznik: 1 ogłoszenie z ostatniej doby"]
        bare_app.config = Config(database=bare_app.config.database, extra={"email": fixed})
        assert await cli_invite.invite(bare_app, args) == 2
        assert "[server] public_url" in capsys.readouterr().err


# --- 8: only numbers known to be mobile are texted ----------------------------------------


@pytest.mark.parametrize(("raw", "kind"), [
    ("+48 601 234 567", NumberKind.MOBILE), ("+48 12 345 67 89", NumberKind.LANDLINE),
    ("+1 212 555 0100", NumberKind.LANDLINE)])  # US: fixed line or mobile, cannot tell
def test_a_number_that_may_be_a_landline_is_not_texted(raw: str, kind: NumberKind) -> None:
    checked = check_mobile(raw)
    assert checked.kind == kind
    assert bool(checked.number) == (kind == NumberKind.MOBILE)
