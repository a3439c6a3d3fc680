"""Start-up as an operator meets it: one messenger that cannot start stops nothing else, the
service waits for its database, errors name the setting to check, ``/healthz`` tells the
truth, and the files and logs keep personal data to themselves."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import create_engine, text

from adapters.console.adapter import ConsoleSession
from adapters.slack import build_slack_component
from adapters.telegram import build_telegram_component
from bots.app import App, build_app
from bots.config import Config, DatabaseConfig, ServerConfig, StartupError
from bots.service import Service
from bots.supervision import Backoff
from bots.version import installed_version
from commands.clock import ManualClock
from commands.directory.language import Morphology
from store.db import Database
from store.models import Delivery  # noqa: F401  (the outbox table is part of the schema)
from tests.conftest import POSTGRES_URL, _postgres_available
from tests.fakes.slack_api import FakeSlackServer
from tests.fakes.telegram_api import FakeTelegramServer
from tests.test_cli_and_service import REPO, run_cli
from tests.world import ADMIN, RENATA, SIGNING_SECRET, World, until

FAST = Backoff(first=0.05, cap=0.2)  # retries within the test's patience


def free_port() -> int:
    """A port nothing listens on (bound and released at once)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Relay:
    """A TCP relay from ``port`` to ``target``: a service that comes up later on a port the
    service was told about (a Telegram API, a PostgreSQL server)."""

    def __init__(self, port: int, target: int) -> None:
        self.port, self.target = port, target
        self._server: asyncio.Server | None = None
        self._pipes: set[asyncio.Task[None]] = set()

    async def __aenter__(self) -> Relay:
        self._server = await asyncio.start_server(self._connect, "127.0.0.1", self.port)
        return self

    async def __aexit__(self, *_exc: object) -> None:
        assert self._server is not None
        self._server.close()
        for pipe in list(self._pipes):
            pipe.cancel()
        await asyncio.gather(*self._pipes, return_exceptions=True)

    async def _connect(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target)
        for source, sink in ((reader, up_writer), (up_reader, writer)):
            task = asyncio.create_task(self._pipe(source, sink))
            self._pipes.add(task)
            task.add_done_callback(self._pipes.discard)

    @staticmethod
    async def _pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
        try:
            while data := await source.read(65536):
                sink.write(data)
                await sink.drain()
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            with contextlib.suppress(Exception):
                sink.close()


async def health(service: Service) -> tuple[int, dict[str, Any], str]:
    """Status, JSON body and ``Server`` header of ``GET /healthz``."""
    async with aiohttp.ClientSession() as client, client.get(
            f"http://127.0.0.1:{service.port}/healthz") as response:
        return response.status, await response.json(), response.headers.get("Server", "")


async def until_healthy(service: Service, check: Callable[[dict[str, Any]], bool],
                        within: float = 15.0) -> dict[str, Any]:
    """Poll ``/healthz`` until ``check(body)``."""
    deadline = time.monotonic() + within
    while True:
        _status, body, _server = await health(service)
        if check(body):
            return body
        if time.monotonic() > deadline:
            raise AssertionError(f"/healthz never got there: {body}")
        await asyncio.sleep(0.05)


def served_on_port_0(app: App) -> None:
    app.config = Config(database=app.config.database, server=ServerConfig(port=0))


# --- one messenger that cannot start stops nothing -----------------------------------------


@pytest.fixture
async def fakes() -> AsyncIterator[tuple[FakeTelegramServer, FakeSlackServer]]:
    async with FakeTelegramServer() as tg, FakeSlackServer() as slack:
        slack.add_user(RENATA.slack or "", email=RENATA.email, real_name=RENATA.name)
        yield tg, slack


async def test_an_unreachable_telegram_stops_nothing_and_recovers_by_itself(
        app: App, fakes: tuple[FakeTelegramServer, FakeSlackServer],
        caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    tg, slack_fake = fakes
    closed = free_port()  # a wrong api_base_url, or Telegram behind a network that is down
    served_on_port_0(app)
    telegram = build_telegram_component(
        app, {"token": tg.token, "api_base_url": f"http://127.0.0.1:{closed}"})
    slack = build_slack_component(app, {"bot_token": slack_fake.bot_token,
                                        "signing_secret": SIGNING_SECRET,
                                        "api_base_url": slack_fake.api_url})
    service = Service(app, [telegram, slack], backoff=FAST)
    caplog.set_level(logging.INFO)
    await asyncio.wait_for(service.start(), 30)
    try:
        status, body, _ = await health(service)
        assert status == 200 and body["status"] == "degraded"
        assert body["database"] == {"state": "ok"}
        assert body["components"]["slack"] == {"state": "ok"}
        down = body["components"]["telegram"]
        assert down["state"] == "down" and down["check"] == "[telegram] api_base_url"
        assert f"127.0.0.1:{closed}" in down["problem"] and tg.token not in json.dumps(body)
        assert any("[telegram] api_base_url" in r.getMessage() for r in caplog.records)

        # Slack and the console answer meanwhile.
        async with aiohttp.ClientSession() as http:
            world = World(app, tg, telegram, slack_fake, slack,
                          f"http://127.0.0.1:{service.port}/slack/events",
                          None, None, http)  # type: ignore[arg-type]  # no Teams here
            await world.link(RENATA)
            await world.slack_says(RENATA, "kto od śmieci w Wieliczce?")
            assert "Jolanta Kołodziej" in json.dumps(world.on_slack(RENATA)[-1],
                                                     ensure_ascii=False)
            console = ConsoleSession(app.core, ADMIN)
            assert "Jolanta Kołodziej" in (await console.say("kto od śmieci w Wieliczce?"))[0]

            # Telegram comes back on the address it was given: the retries pick it up.
            async with Relay(closed, int(tg.url.rsplit(":", 1)[1])):
                body = await until_healthy(
                    service, lambda b: b["components"]["telegram"]["state"] == "ok")
                assert body["status"] == "ok"
                await world.telegram_says(RENATA, "kto od śmieci w Wieliczce?")
                assert "Jolanta Kołodziej" in world.on_telegram(RENATA)[-1]["text"]
                await service.stop()
    finally:
        await service.stop()
    assert not [r for r in caplog.records if tg.token in r.getMessage()]


async def test_a_component_that_fails_is_retried_with_backoff_and_logged(
        app: App, caplog: pytest.LogCaptureFixture) -> None:
    class Flaky:
        """Refused twice (a token problem), then fine."""

        name = "flaky"
        attempts = 0
        stopped = False

        def routes(self) -> list[Any]:
            return []

        async def start(self) -> None:
            self.attempts += 1
            if self.attempts < 3:
                raise StartupError("flaky.token", "refused")

        async def stop(self) -> None:
            self.stopped = True

    flaky = Flaky()
    served_on_port_0(app)
    service = Service(app, [flaky], backoff=FAST)
    caplog.set_level(logging.INFO)
    await service.start()
    try:
        body = await until_healthy(service, lambda b: b["components"]["flaky"]["state"] == "ok")
        assert body["status"] == "ok" and flaky.attempts == 3
        lines = [r.getMessage() for r in caplog.records if "flaky cannot start" in r.getMessage()]
        assert len(lines) == 2 and all("check [flaky] token: refused" in line for line in lines)
    finally:
        await service.stop()
    assert flaky.stopped


# --- the database ---------------------------------------------------------------------------


@pytest.fixture
def postgres_schema_name() -> Any:
    if not _postgres_available():
        if os.environ.get("LACZNIK_REQUIRE_POSTGRES") == "1":
            pytest.fail("PostgreSQL is required")
        pytest.skip("PostgreSQL not reachable")
    schema = f"lacznik_startup_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    yield schema
    engine = create_engine(POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://"))
    with engine.begin() as connection:
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    engine.dispose()


async def test_the_service_waits_for_its_database(
        postgres_schema_name: str, morphology: Morphology, clock: ManualClock,
        caplog: pytest.LogCaptureFixture) -> None:
    closed = free_port()
    # trust authentication ignores the password; it must still never be shown
    url = f"postgresql://postgres:sekret-haslo@127.0.0.1:{closed}/test"
    config = Config(database=DatabaseConfig(url=url), server=ServerConfig(port=0))
    app = build_app(config, clock=clock, morphology=morphology,
                    db=Database(url, schema=postgres_schema_name))
    service = Service(app, [], backoff=FAST)
    caplog.set_level(logging.INFO)
    starting = asyncio.create_task(service.start())
    try:
        await until(lambda: service.port is not None)
        await until(lambda: any("[database] url" in r.getMessage() for r in caplog.records))
        status, body, _ = await health(service)
        assert status == 503 and body["status"] == "down"
        assert body["database"]["state"] == "down"
        assert body["database"]["check"] == "[database] url"
        assert not starting.done()
        waiting = next(r.getMessage() for r in caplog.records
                       if "[database] url" in r.getMessage())
        assert f"postgresql://postgres:***@127.0.0.1:{closed}/test" in waiting
        # PostgreSQL becomes reachable at the configured address
        async with Relay(closed, 5432):
            await asyncio.wait_for(starting, 60)
            status, body, _ = await health(service)
            assert status == 200 and body == {"status": "ok", "version": installed_version(),
                                              "database": {"state": "ok"}, "components": {}}
            assert "Jolanta Kołodziej" in (
                await ConsoleSession(app.core, ADMIN).say("kto od śmieci w Wieliczce?"))[0]
            await service.stop()
    finally:
        starting.cancel()
        await asyncio.gather(starting, return_exceptions=True)
        await service.stop()
    assert not [r for r in caplog.records if "sekret-haslo" in r.getMessage()]


def _telegram_somewhere_closed(tmp_path: Path, *extra: str) -> Path:
    """A configuration with a messenger (so `run` is a service without a terminal)."""
    config = tmp_path / "lacznik.toml"
    config.write_text("\n".join([
        *extra,
        "[telegram]",
        'token = "123456789:AAFakeTelegramTokenForTests_0123456789"',
        f'api_base_url = "http://127.0.0.1:{free_port()}"',
    ]) + "\n", encoding="utf-8")
    return config


@pytest.mark.parametrize("level", ["info", "warning"])
def test_lacznik_run_waits_for_an_unreachable_database_until_stopped(
        tmp_path: Path, level: str) -> None:
    port = free_port()
    config = _telegram_somewhere_closed(
        tmp_path, "[logging]", f'level = "{level}"', "[server]", f"port = {port}",
        "[database]", f'url = "postgresql://lacznik:sekret@127.0.0.1:{free_port()}/lacznik"')
    environment = {k: v for k, v in os.environ.items() if not k.startswith("LACZNIK_")}
    environment["PYTHONPATH"] = str(REPO)
    process = subprocess.Popen(
        [sys.executable, "-m", "bots.cli", "--config", str(config), "run"], cwd=tmp_path,
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=environment)
    try:
        deadline = time.monotonic() + 60
        answer: tuple[int, dict[str, Any]] | None = None
        while time.monotonic() < deadline and answer is None:
            assert process.poll() is None, process.communicate()
            with contextlib.suppress(OSError):
                answer = _get(port, "/healthz")
            time.sleep(0.2)
        assert answer is not None and answer[0] == 503
        assert answer[1]["database"]["check"] == "[database] url"
        time.sleep(1.5)  # a few more attempts
        assert process.poll() is None  # it waits; it did not exit
    finally:
        process.send_signal(signal.SIGTERM)
        _out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert "check [database] url: " in err
    assert "postgresql://lacznik:***@127.0.0.1" in err and "sekret" not in err
    shown = "INFO bots.service: database: postgresql://lacznik:***@127.0.0.1:" in err
    assert shown == (level == "info")  # [logging] level of a headless service


def _get(port: int, path: str) -> tuple[int, dict[str, Any]]:
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_one_off_commands_name_the_database_setting(tmp_path: Path) -> None:
    url = f"postgresql://lacznik:sekret@127.0.0.1:{free_port()}/lacznik"
    from_env = run_cli(["db", "upgrade"], tmp_path, env={"LACZNIK_DATABASE_URL": url})
    assert from_env.returncode == 1
    [line] = from_env.stderr.strip().splitlines()
    assert line.startswith("error: cannot use the database — check LACZNIK_DATABASE_URL "
                           "([database] url) (postgresql://lacznik:***@127.0.0.1:")
    assert "sekret" not in from_env.stderr
    config = tmp_path / "lacznik.toml"
    config.write_text(f'[database]\nurl = "{url}"\n', encoding="utf-8")
    from_file = run_cli(["--config", str(config), "roles", "list"], tmp_path)
    assert from_file.returncode == 1
    assert "check [database] url (postgresql://lacznik:***@" in from_file.stderr


async def test_a_port_in_use_is_one_line_naming_server_port(app: App, tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        app.config = Config(database=app.config.database, server=ServerConfig(port=port))
        with pytest.raises(StartupError) as error:
            await Service(app, []).start()
        assert error.value.setting == "[server] port"
        config = _telegram_somewhere_closed(tmp_path, "[server]", f"port = {port}")
        result = run_cli(["--config", str(config), "run"], tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip() == (f"error: cannot start — [server] port: 127.0.0.1:{port} "
                                     "is already in use (another Łącznik, or another "
                                     "program); choose a free port")


# --- the HTTP server ------------------------------------------------------------------------


async def test_the_server_header_names_no_version(app: App) -> None:
    served_on_port_0(app)
    service = Service(app, [])
    await service.start()
    try:
        _status, _body, server = await health(service)
        assert server == "Lacznik"
        async with aiohttp.ClientSession() as client:
            for method, path in (("GET", "/nothing-here"), ("POST", "/healthz"),
                                 ("GET", "/healthz")):
                async with client.request(method, f"http://127.0.0.1:{service.port}{path}"
                                          ) as response:
                    assert response.headers.get("Server") == "Lacznik", (method, path)
        # a request aiohttp cannot even parse
        reader, writer = await asyncio.open_connection("127.0.0.1", service.port)
        writer.write(b"NONSENSE \x00\x01 HTTP/9\r\n\r\n")
        await writer.drain()
        head = (await asyncio.wait_for(reader.read(4096), 10)).decode("latin-1")
        writer.close()
        assert "aiohttp" not in head.lower() and "python" not in head.lower(), head
    finally:
        await service.stop()


# --- personal data stays in the database ---------------------------------------------------


def test_sqlite_files_are_private_and_relative_to_the_config_file(tmp_path: Path) -> None:
    folder = tmp_path / "conf"
    folder.mkdir()
    (folder / "lacznik.toml").write_text('[database]\nurl = "sqlite:///dane/baza/l.db"\n',
                                         encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = run_cli(["--config", "../conf/lacznik.toml", "db", "upgrade"], elsewhere)
    assert result.returncode == 0, result.stderr
    database = folder / "dane" / "baza" / "l.db"
    assert database.is_file() and not (elsewhere / "dane").exists()
    assert (folder / "dane").stat().st_mode & 0o777 == 0o700
    assert (folder / "dane" / "baza").stat().st_mode & 0o777 == 0o700
    assert database.stat().st_mode & 0o777 == 0o600
    # the write-ahead log and shared memory files follow the database file's mode
    connection = sqlite3.connect(database)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("CREATE TABLE probe (x)")
    connection.commit()
    try:
        for suffix in ("-wal", "-shm"):
            assert Path(f"{database}{suffix}").stat().st_mode & 0o777 == 0o600
    finally:
        connection.close()


def test_verbose_logs_carry_no_sql_parameters(tmp_path: Path) -> None:
    env = {"LACZNIK_DATABASE_URL": f"sqlite:///{tmp_path}/v.db"}
    question = "kto od śmieci w Wieliczce?\n"
    verbose = run_cli(["-v", "chat", "--jsonl"], tmp_path, stdin=question, env=env)
    assert verbose.returncode == 0, verbose.stderr
    assert "Jolanta Kołodziej" in verbose.stdout  # the answer names her…
    for value in ("Kołodziej", "j.kolodziej@", "Wieliczk", "śmieci"):
        assert value not in verbose.stderr  # …the log does not
    assert "DEBUG" in verbose.stderr  # -v does log more
    config = tmp_path / "lacznik.toml"
    config.write_text("[logging]\nsql = true\n", encoding="utf-8")
    with_sql = run_cli(["-v", "--config", str(config), "chat", "--jsonl"], tmp_path,
                       stdin=question, env=env)
    assert "SELECT" in with_sql.stderr and "parameters hidden" in with_sql.stderr
    for value in ("Kołodziej", "j.kolodziej@", "Wieliczk", "śmieci"):
        assert value not in with_sql.stderr


# --- the command line -----------------------------------------------------------------------


def test_version_comes_from_the_package(tmp_path: Path) -> None:
    from importlib.metadata import version

    result = run_cli(["--version"], tmp_path)
    assert result.returncode == 0 and result.stdout.strip() == f"lacznik {version('lacznik')}"


def test_every_command_and_argument_has_help() -> None:
    import argparse

    from bots.cli import _parser

    missing: list[str] = []

    def walk(parser: argparse.ArgumentParser, path: str) -> None:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                helped = {choice.dest for choice in action._choices_actions if choice.help}
                for name, sub in action.choices.items():
                    if name not in helped:
                        missing.append(f"{path} {name}")
                    walk(sub, f"{path} {name}")
            elif not action.help and not isinstance(action, argparse._HelpAction):
                missing.append(f"{path} {'/'.join(action.option_strings) or action.dest}")

    walk(_parser(), "lacznik")
    assert not missing, missing


def test_run_without_a_terminal_says_to_use_chat(tmp_path: Path) -> None:
    for lang, expected in (("pl_PL.UTF-8", "brak terminala"), ("en_GB.UTF-8", "no terminal")):
        result = run_cli(["run"], tmp_path, stdin="kto od śmieci w Wieliczce?\n",
                         env={"LANG": lang, "LC_ALL": ""})
        assert result.returncode == 2
        assert expected in result.stderr and "lacznik chat" in result.stderr
        assert result.stdout == ""


def test_chat_as_unlinked_shows_what_an_unlinked_person_sees(tmp_path: Path) -> None:
    env = {"LANG": "pl_PL.UTF-8", "LC_ALL": ""}
    questions = "kto od śmieci w Wieliczce?\n/moje-dane\n"
    result = run_cli(["chat", "--as-unlinked", "--jsonl"], tmp_path, stdin=questions, env=env)
    assert result.returncode == 0, result.stderr
    replies = [json.loads(line)["replies"] for line in result.stdout.splitlines()]
    assert len(replies) == 2
    for reply in replies:
        assert "Nie znam jeszcze tego konta" in reply[0] and "Kołodziej" not in reply[0]
    linked = run_cli(["chat", "--jsonl"], tmp_path, stdin=questions, env=env)
    assert "Jolanta Kołodziej" in json.loads(linked.stdout.splitlines()[0])["replies"][0]
    interactive = run_cli(["chat", "--as-unlinked"], tmp_path, stdin="", env=env)
    data = (tmp_path / "data" / "lacznik.db").resolve()
    assert interactive.stdout.startswith(f"Baza danych: sqlite:///{data}\n"
                                         "Łącznik — konsola jako osoba niepołączona")


def test_a_certificate_path_is_relative_to_the_config_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    from adapters.teams.settings import parse_settings
    from bots.config import load_config

    folder = tmp_path / "conf"
    (folder / "certs").mkdir(parents=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    (folder / "certs" / "bot.pem").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    (folder / "lacznik.toml").write_text(
        '[teams]\napp_id = "6f0c3c2e-3a43-4c1e-9d7a-0b5e6d1f2a31"\n'
        'tenant_id = "50612dbb-0237-4969-b378-8d42590f9c00"\n'
        'certificate_path = "certs/bot.pem"\n'
        f'certificate_thumbprint = "{"AB" * 20}"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)  # started from elsewhere
    config = load_config(Path("conf/lacznik.toml"), env={})
    settings = parse_settings(config.extra["teams"], env={})
    assert settings.certificate is not None and settings.certificate.thumbprint == "AB" * 20


async def test_a_slack_unreachable_at_start_is_degraded_until_it_answers(
        app: App, fakes: tuple[FakeTelegramServer, FakeSlackServer],
        monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    tg, slack_fake = fakes
    closed = free_port()
    served_on_port_0(app)
    fake_api = slack_fake.api_url
    port = int(fake_api.split("://", 1)[1].split("/", 1)[0].rsplit(":", 1)[1])
    slack = build_slack_component(app, {
        "bot_token": slack_fake.bot_token, "signing_secret": SIGNING_SECRET,
        "api_base_url": fake_api.replace(f":{port}", f":{closed}")})
    service = Service(app, [slack], backoff=FAST)
    await service.start()
    try:
        status, body, _ = await health(service)
        assert status == 200 and body["status"] == "degraded"
        assert body["components"]["slack"]["state"] == "degraded"
        assert body["components"]["slack"]["check"] == "[slack] api_base_url"
        async with Relay(closed, port), aiohttp.ClientSession() as http:
            world = World(app, tg, None, slack_fake, slack,  # type: ignore[arg-type]
                          f"http://127.0.0.1:{service.port}/slack/events", None, None, http)
            await world.link(RENATA)
            await world.slack_says(RENATA, "kto od śmieci w Wieliczce?")
            assert "Jolanta Kołodziej" in json.dumps(world.on_slack(RENATA)[-1],
                                                     ensure_ascii=False)
            _status, body, _ = await health(service)
            assert body["components"]["slack"] == {"state": "ok"} and body["status"] == "ok"
            await service.stop()
    finally:
        await service.stop()


def test_lacznik_run_with_telegram_unreachable_serves_and_says_what_to_check(
        tmp_path: Path) -> None:
    port = free_port()
    config = _telegram_somewhere_closed(tmp_path, "[server]", f"port = {port}")
    environment = {k: v for k, v in os.environ.items() if not k.startswith("LACZNIK_")}
    environment["PYTHONPATH"] = str(REPO)
    process = subprocess.Popen(
        [sys.executable, "-m", "bots.cli", "--config", str(config), "run"], cwd=tmp_path,
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=environment)
    try:
        deadline = time.monotonic() + 90
        answer: tuple[int, dict[str, Any]] | None = None
        while time.monotonic() < deadline:
            assert process.poll() is None, process.communicate()
            with contextlib.suppress(OSError):
                answer = _get(port, "/healthz")
                if answer[1]["components"].get("scheduler", {}).get("state") == "ok":
                    break
            time.sleep(0.2)
        assert answer is not None
        status, body = answer
        assert status == 200 and body["status"] == "degraded"
        assert body["database"] == {"state": "ok"}
        assert body["components"]["telegram"]["state"] == "down"
        assert body["components"]["telegram"]["check"] == "[telegram] api_base_url"
        assert {name for name, part in body["components"].items() if part["state"] == "ok"} \
            >= {"scheduler", "reminders"}
    finally:
        process.send_signal(signal.SIGTERM)
        _out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert "telegram cannot start (attempt 1) — check [telegram] api_base_url" in err
    assert "AAFakeTelegramTokenForTests" not in err


async def test_teams_with_a_refused_secret_is_degraded_and_names_the_setting(
        world: World) -> None:
    from adapters.teams import parse_settings as teams_settings
    from adapters.teams.component import TeamsComponent
    from commands.model import ConversationKind, ConversationRef, OutboundMessage, Platform
    from commands.ports import DeliveryError
    from tests.world import JOLANTA, TEAMS_APP_ID, TENANT, teams_chat

    teams = TeamsComponent(app=world.app, settings=teams_settings({
        "app_id": TEAMS_APP_ID, "app_password": "a-secret-entra-does-not-know-" + "x" * 8,
        "tenant_id": TENANT, "authority": world.teams.settings.authority}))
    served_on_port_0(world.app)
    service = Service(world.app, [teams], backoff=FAST)
    await service.start()
    try:
        _status, body, _ = await health(service)
        assert body["components"]["teams"] == {"state": "ok"}  # nobody contacted at start
        ref = ConversationRef(Platform.TEAMS, teams_chat(JOLANTA), ConversationKind.PERSONAL,
                              tenant_id=TENANT, service_url=world.connector.service_url,
                              extra={"user_id": JOLANTA.teams or ""})
        with pytest.raises(DeliveryError):
            await teams.messenger.send(ref, OutboundMessage(text="Dzień dobry"))
        status, body, _ = await health(service)
        assert status == 200 and body["status"] == "degraded"
        assert body["components"]["teams"]["state"] == "degraded"
        assert body["components"]["teams"]["check"] == "[teams] app_password"
        assert "secret-entra-does-not-know" not in json.dumps(body)
    finally:
        await service.stop()
