"""Issue 18.2: ``lacznik doctor`` as an administrator runs it after installing, against the
fake Telegram, Slack and Entra ID (Teams' token authority) on a real database: one line per
check with what to do, in the terminal's language, exit status 0 only when all pass."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiohttp
import pytest

from bots.cli import main
from bots.doctor import FAIL, PASS, WARN, examine, report
from store.db import Database
from tests.conftest import POSTGRES_URL
from tests.fakes.slack_api import FakeSlackServer
from tests.fakes.teams_auth import FakeEntraAuthority
from tests.fakes.telegram_api import FakeTelegramServer
from tests.world import PROXY_VARIABLES, TEAMS_APP_ID, TEAMS_SECRET, TENANT

PUBLIC = "https://lacznik.gmina.example"


def cli_url(db: Database) -> str:
    """The URL the command line uses for the test's database (on PostgreSQL the run's own
    schema, as a libpq option)."""
    if db.is_sqlite:
        return db.url.render_as_string(hide_password=False)
    return f"{POSTGRES_URL}?options=-csearch_path%3D{db.schema}"


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch, entra: FakeEntraAuthority) -> Iterator[None]:
    """An English terminal; loopback calls go direct; msal trusts the fake authority's CA."""
    for name in (*PROXY_VARIABLES, "LC_ALL", "LC_MESSAGES", "LACZNIK_CONFIG",
                 "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN",
                 "LACZNIK_TEAMS_APP_PASSWORD", "LACZNIK_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", entra.ca_pem_path)
    yield


@pytest.fixture
async def fakes() -> AsyncIterator[tuple[FakeTelegramServer, FakeSlackServer]]:
    """Telegram's Bot API and Slack's Web API."""
    async with FakeTelegramServer() as telegram, FakeSlackServer() as slack:
        yield telegram, slack


def configuration(folder: Path, db: Database, telegram: FakeTelegramServer,
                  slack: FakeSlackServer, entra: FakeEntraAuthority, *,
                  telegram_token: str | None = None, telegram_extra: str = "",
                  slack_token: str | None = None, teams_secret: str = TEAMS_SECRET,
                  extra: str = "") -> Path:
    """A ``lacznik.toml`` with the three messengers pointed at the fakes."""
    path = folder / "lacznik.toml"
    path.write_text(f"""
[database]
url = "{cli_url(db)}"

[telegram]
token = "{telegram_token or telegram.token}"
api_base_url = "{telegram.url}"
{telegram_extra}

[slack]
bot_token = "{slack_token or slack.bot_token}"
signing_secret = "8f742231b10e8888abcd99yyyzzz85a5"
api_base_url = "{slack.api_url}"
public_url = "{PUBLIC}"

[teams]
app_id = "{TEAMS_APP_ID}"
tenant_id = "{TENANT}"
app_password = "{teams_secret}"
authority = "{entra.authority_base}"
public_domain = "lacznik.gmina.example"
{extra}
""", encoding="utf-8")
    return path


async def doctor(capsys: pytest.CaptureFixture[str], path: Path) -> tuple[int, list[str]]:
    """Run ``lacznik --config PATH doctor``; (exit status, the lines it printed)."""
    capsys.readouterr()
    status = await asyncio.to_thread(main, ["--config", str(path), "doctor"])
    return status, capsys.readouterr().out.splitlines()


def line(lines: list[str], start: str) -> str:
    """The one printed line whose check starts with ``start`` (after the status)."""
    [found] = [text for text in lines if text[2:].split(None, 1)[-1].startswith(start)]
    return found


async def test_everything_configured_right_passes_with_exit_0(
        database: Database, fakes: tuple[FakeTelegramServer, FakeSlackServer],
        entra: FakeEntraAuthority, terminal: None, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    telegram, slack = fakes
    path = configuration(tmp_path, database, telegram, slack, entra)
    status, lines = await doctor(capsys, path)
    assert status == 0, "\n".join(lines)
    assert lines[0] == f"Łącznik doctor — configuration: {path}"
    assert line(lines, "Telegram: token accepted").endswith(f"bot @{telegram.username}")
    assert "polling, no webhook in the way" in line(lines, "Telegram: polling")
    assert line(lines, "Slack: token accepted").strip().startswith("OK")
    assert f"{PUBLIC}/slack/events" in line(lines, "Slack: public URL")
    assert entra.authority(TENANT) in line(lines, "Teams: bot token obtained")
    assert "https://lacznik.gmina.example/api/messages" in line(lines, "Teams: public address")
    assert line(lines, "migrations: the schema is up to date").strip().startswith("OK")
    assert line(lines, "clock:").strip().startswith("OK")
    assert all(text.strip().startswith("OK") for text in lines[1:-1]), lines
    assert lines[-1] == f"Everything is fine ({len(lines) - 2} checks)."
    assert entra.token_requests  # a real token was asked for


async def test_wrong_credentials_fail_each_naming_its_setting(
        database: Database, fakes: tuple[FakeTelegramServer, FakeSlackServer],
        entra: FakeEntraAuthority, terminal: None, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    telegram, slack = fakes
    wrong_telegram = "123456:wrong-token-from-somewhere-else"
    wrong_slack = "xoxb-0000-wrong-token"
    wrong_secret = "not-the-secret-" + "z" * 20
    path = configuration(tmp_path, database, telegram, slack, entra,
                         telegram_token=wrong_telegram, slack_token=wrong_slack,
                         teams_secret=wrong_secret)
    status, lines = await doctor(capsys, path)
    assert status == 1
    assert line(lines, "Telegram: token refused") == (
        "  FAIL  Telegram: token refused (HTTP 401 Unauthorized) — check [telegram] token "
        "(from @BotFather)")
    assert line(lines, "Slack: bot token refused") == (
        "  FAIL  Slack: bot token refused (invalid_auth) — check [slack] bot_token (or "
        "SLACK_BOT_TOKEN)")
    teams = line(lines, f"Teams: {entra.authority(TENANT)} refused")
    assert teams.strip().startswith("FAIL") and "(invalid_client)" in teams
    assert "[teams] app_id, app_password (or certificate_path) and tenant_id" in teams
    assert lines[-1] == f"To fix: 3 of {len(lines) - 2} checks."
    printed = "\n".join(lines)
    for secret in (wrong_telegram, wrong_slack, wrong_secret, TEAMS_SECRET):
        assert secret not in printed


async def test_a_webhook_registered_elsewhere_is_a_failure_with_both_addresses(
        database: Database, fakes: tuple[FakeTelegramServer, FakeSlackServer],
        entra: FakeEntraAuthority, terminal: None, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    telegram, slack = fakes
    ours = f"{PUBLIC}/telegram/webhook"
    elsewhere = "https://old-server.gmina.example/telegram/webhook"
    async with aiohttp.ClientSession() as http, http.post(
            f"{telegram.base_url}{telegram.token}/setWebhook", json={"url": elsewhere}) as r:
        assert r.status == 200
    webhook = (f'mode = "webhook"\nwebhook_url = "{ours}"\n'
               'webhook_secret = "s3cret_token-for-webhooks"')
    path = configuration(tmp_path, database, telegram, slack, entra, telegram_extra=webhook)
    status, lines = await doctor(capsys, path)
    assert status == 1
    assert line(lines, "Telegram: the webhook is registered at") == (
        f"  FAIL  Telegram: the webhook is registered at {elsewhere}, but [telegram] "
        f"webhook_url is {ours} — start the service (it registers the webhook at start) and "
        "make sure no other installation uses this token")

    # the service registered it where the configuration says: passes
    async with aiohttp.ClientSession() as http, http.post(
            f"{telegram.base_url}{telegram.token}/setWebhook", json={"url": ours}) as r:
        assert r.status == 200
    status, lines = await doctor(capsys, path)
    assert status == 0, "\n".join(lines)
    assert line(lines, "Telegram: webhook registered at") == (
        f"  OK    Telegram: webhook registered at {ours}")

    # polling while a webhook is set gets nothing
    path = configuration(tmp_path, database, telegram, slack, entra)
    status, lines = await doctor(capsys, path)
    assert status == 1
    assert line(lines, "Telegram: polling, but a webhook").strip().startswith("FAIL")


async def test_a_clock_minutes_off_is_a_warning_and_not_a_pass(
        database: Database, fakes: tuple[FakeTelegramServer, FakeSlackServer],
        entra: FakeEntraAuthority, terminal: None, tmp_path: Path) -> None:
    telegram, slack = fakes
    path = configuration(tmp_path, database, telegram, slack, entra)
    findings = await examine(path, lang="en", wall_clock=lambda: time.time() + 600)
    [clock] = [f for f in findings if f.line.startswith("clock:")]
    assert clock.status == WARN
    assert clock.line.startswith(f"clock: +600 s off {telegram.url}") or \
        clock.line.startswith(f"clock: +599 s off {telegram.url}") or \
        clock.line.startswith(f"clock: +601 s off {telegram.url}"), clock.line
    assert "timedatectl set-ntp true" in clock.line
    assert all(f.status == PASS for f in findings if f is not clock)
    _text, status = report(findings, lang="en", source=str(path))
    assert status == 1


async def test_pending_migrations_and_a_bad_key_say_what_to_run_or_fix(
        terminal: None, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    from alembic.script import ScriptDirectory

    old = Database(f"sqlite:///{tmp_path / 'old.db'}")
    script = ScriptDirectory.from_config(old.alembic_config())
    revisions = list(script.walk_revisions())  # newest first
    old.upgrade_sync(revisions[-1].revision)  # the first migration only
    await old.dispose()
    path = tmp_path / "lacznik.toml"
    path.write_text('[database]\nurl = "sqlite:///old.db"\n', encoding="utf-8")
    monkeypatch.setenv("LANG", "pl_PL.UTF-8")
    status, lines = await doctor(capsys, path)
    assert status == 1
    assert line(lines, "migracje:") == (
        f"  BŁĄD   migracje: {len(revisions) - 1} do zastosowania — uruchom `lacznik db "
        "upgrade` (albo zrestartuj usługę: robi to przy starcie)")
    assert lines[-1] == "Do poprawy: 1 z 3 sprawdzeń."

    path.write_text('[database]\nurl = "sqlite:///old.db"\n[metrics]\nenabled = "tak"\n',
                    encoding="utf-8")
    status, lines = await doctor(capsys, path)
    assert status == 1
    assert lines[1] == ("  BŁĄD   konfiguracja: configuration error in [metrics] enabled: "
                        "must be true or false — popraw ten klucz i uruchom doctor ponownie")


async def test_an_unreachable_api_names_the_setting(
        database: Database, fakes: tuple[FakeTelegramServer, FakeSlackServer],
        entra: FakeEntraAuthority, terminal: None, tmp_path: Path) -> None:
    telegram, slack = fakes
    path = configuration(tmp_path, database, telegram, slack, entra)
    url = telegram.url
    await telegram.stop()  # the API is gone (a firewall, a wrong address)
    findings = await examine(path, lang="en")
    [down] = [f for f in findings if f.line.startswith("Telegram:")]
    assert down.status == FAIL
    assert down.line.startswith(f"Telegram: {url} does not answer (")
    assert down.line.endswith("— check [telegram] api_base_url, the network and the proxy")
