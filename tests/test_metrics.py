"""Issue 18.4 and 18.7: ``GET /metrics`` as Prometheus scrapes it.

Off unless ``[metrics] enabled``; with ``[metrics] token`` only for ``Authorization: Bearer``.
What people do (a question on Telegram, a reminder that a 429 delays) shows in the counters;
the outbox, the parts' states and the version are read at scrape time. The dashboard and the
alert rules shipped in ``deploy/`` use only metric names ``/metrics`` serves.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bots.app import App, build_app
from bots.config import (
    Config,
    ConfigError,
    DatabaseConfig,
    MetricsConfig,
    ServerConfig,
    StartupError,
    load_config,
)
from bots.service import Service
from bots.supervision import Backoff
from bots.version import installed_version
from commands.clock import ManualClock
from commands.directory.language import Morphology
from store.db import Database
from tests.calendar_helpers import MEMBER, link_console, session_as
from tests.world import RENATA, World

REPO = Path(__file__).resolve().parents[1]
TOKEN = "s3cret-metrics-token-0123456789"


@pytest.fixture
async def bare_app(database: Database, clock: ManualClock, morphology: Morphology
                   ) -> AsyncIterator[App]:
    """The app with ``[metrics] enabled = true`` (and a token) on an empty database."""
    config = Config(database=app_database(database), server=ServerConfig(port=0),
                    metrics=MetricsConfig(enabled=True, token=TOKEN))
    app = build_app(config, clock=clock, db=database, morphology=morphology)
    await app.prepare(with_sample=False)
    yield app


def app_database(database: Database) -> DatabaseConfig:
    """The configuration naming the test's database."""
    return DatabaseConfig(url=str(database.url.render_as_string(False)))


@pytest.fixture
async def service(app: App) -> AsyncIterator[Service]:
    """The HTTP server of ``app`` (no components), on a free port."""
    running = Service(app, [])
    await running.start()
    try:
        yield running
    finally:
        await running.stop()


async def scrape(service: Service, token: str | None = TOKEN) -> tuple[int, str, str]:
    """(status, content type, body) of ``GET /metrics``."""
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    async with aiohttp.ClientSession() as client, client.get(
            f"http://127.0.0.1:{service.port}/metrics", headers=headers) as response:
        return response.status, response.headers.get("Content-Type", ""), await response.text()


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample: (name, labels) → value, parsed as Prometheus parses it."""
    found: dict[tuple[str, frozenset[tuple[str, str]]], float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return found


def value(text: str, name: str, **labels: str) -> float:
    """One sample's value (0 when it is not there yet)."""
    return samples(text).get((name, frozenset(labels.items())), 0.0)


def served_names(text: str) -> set[str]:
    """Every series name a query may use: samples, and the series of declared families."""
    names = {name for name, _labels in samples(text)}
    for family in text_string_to_metric_families(text):
        names.add(family.name)
        if family.type == "counter":
            names.add(family.name + "_total")
        if family.type == "histogram":
            names |= {family.name + suffix for suffix in ("_bucket", "_sum", "_count")}
        if family.type == "info":
            names.add(family.name + "_info")
    return names


# --- off, on, and the token ----------------------------------------------------------------


async def test_metrics_are_off_unless_configured(database: Database, clock: ManualClock,
                                                 morphology: Morphology) -> None:
    config = Config(database=app_database(database), server=ServerConfig(port=0))
    app = build_app(config, clock=clock, db=database, morphology=morphology)
    service = Service(app, [])
    await service.start()
    try:
        status, _type, _body = await scrape(service, token=None)
        assert status == 404
    finally:
        await service.stop()


async def test_with_a_token_a_scrape_needs_the_bearer_header(service: Service) -> None:
    for token in (None, "wrong-token-wrong-token", TOKEN + "x"):
        status, _type, body = await scrape(service, token=token)
        assert status == 401, token
        assert "lacznik" not in body.replace("Bearer", "")  # nothing leaks
    status, content_type, body = await scrape(service)
    assert status == 200
    assert content_type.startswith("text/plain") and "version=0.0.4" in content_type
    assert value(body, "lacznik_build_info", version=installed_version()) == 1.0


def test_the_token_can_come_from_the_environment_and_must_be_long(tmp_path: Path) -> None:
    path = tmp_path / "lacznik.toml"
    path.write_text("[metrics]\nenabled = true\n", encoding="utf-8")
    config = load_config(path, env={"LACZNIK_METRICS_TOKEN": TOKEN})
    assert config.metrics.enabled and config.metrics.token == TOKEN
    assert TOKEN not in repr(config)
    path.write_text('[metrics]\nenabled = true\ntoken = "short"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as refused:
        load_config(path, env={})
    assert refused.value.setting == "[metrics] token" and "short" not in str(refused.value)


async def test_the_version_is_on_healthz_too(service: Service) -> None:
    async with aiohttp.ClientSession() as client, client.get(
            f"http://127.0.0.1:{service.port}/healthz") as response:
        assert (await response.json())["version"] == installed_version()


# --- what happens shows ----------------------------------------------------------------------


async def test_a_question_and_a_reminder_are_counted_and_the_outbox_read_at_scrape(
        app: App, service: Service) -> None:
    await link_console(app, MEMBER)
    me = session_as(app, MEMBER)
    await me.say("kto od śmieci w Wieliczce?")
    await me.say("/przypomnij za 2 godziny zadzwonić do GOPS")
    _status, _type, body = await scrape(service)
    assert value(body, "lacznik_inbound_updates_total", messenger="console",
                 kind="message") == 2
    assert value(body, "lacznik_reply_seconds_count", messenger="console") == 2
    assert value(body, "lacznik_outbox_rows", state="pending") == 1
    assert value(body, "lacznik_outbox_oldest_due_seconds") == 0  # due in two hours

    # The service was away: the reminder is ten minutes overdue, and the scrape says so.
    assert isinstance(app.clock, ManualClock)
    app.clock.advance(timedelta(hours=2, minutes=10))
    _status, _type, body = await scrape(service)
    assert value(body, "lacznik_outbox_oldest_due_seconds") == 600

    assert await app.worker.run_once() == 1
    _status, _type, body = await scrape(service)
    assert value(body, "lacznik_outbox_rows", state="pending") == 0
    assert value(body, "lacznik_outbox_rows", state="sent") == 1
    assert value(body, "lacznik_outbox_oldest_due_seconds") == 0
    assert value(body, "lacznik_sends_total", messenger="console", result="sent") == 1
    assert value(body, "lacznik_delivery_lateness_seconds_count", kind="reminder") == 1
    assert value(body, "lacznik_delivery_lateness_seconds_sum", kind="reminder") == 600
    assert value(body, "lacznik_delivery_lateness_seconds_bucket", kind="reminder",
                 le="300.0") == 0
    assert value(body, "lacznik_delivery_lateness_seconds_bucket", kind="reminder",
                 le="900.0") == 1


async def test_a_429_from_telegram_is_counted_for_telegram(world: World) -> None:
    service = Service(world.app, [])
    await service.start()
    try:
        await world.link(RENATA)
        await world.telegram_says(RENATA, "/przypomnij za 2 godziny zadzwonić do GOPS")
        world.clock.advance(timedelta(hours=2))
        assert RENATA.telegram is not None
        world.tg.fail_next("sendMessage", chat_id=RENATA.telegram, retry_after=1)
        assert await world.deliver() >= 1  # her Telegram (and Slack) copies
        assert world.on_telegram(RENATA)[-1]["text"].startswith("Przypomnienie")
        _status, _type, body = await scrape(service)
        assert value(body, "lacznik_inbound_updates_total", messenger="telegram",
                     kind="message") == 1
        assert value(body, "lacznik_rate_limited_total", messenger="telegram") == 1
        assert value(body, "lacznik_sends_total", messenger="telegram", result="sent") == 1
    finally:
        await service.stop()


class _Broken:
    """A component whose start always fails (a messenger with a refused token)."""

    name = "telegram"

    def routes(self) -> list[object]:
        return []

    async def start(self) -> None:
        raise StartupError("telegram.token", "Telegram refused the token")

    async def stop(self) -> None:
        return None


async def test_component_states_are_those_healthz_shows(app: App) -> None:
    service = Service(app, [_Broken()], backoff=Backoff(first=30.0))  # type: ignore[list-item]
    await service.start()
    try:
        _status, _type, body = await scrape(service)
    finally:
        await service.stop()
    assert value(body, "lacznik_component_state", component="database", state="ok") == 1
    assert value(body, "lacznik_component_state", component="telegram", state="down") == 1
    assert value(body, "lacznik_component_state", component="telegram", state="ok") == 0


# --- what ships in deploy/ uses what is served ----------------------------------------------


async def test_the_dashboard_and_alert_rules_use_only_served_metrics(service: Service) -> None:
    _status, _type, body = await scrape(service)
    served = served_names(body)
    dashboard = json.loads((REPO / "deploy" / "grafana-dashboard.json").read_text("utf-8"))
    exprs = [target["expr"] for panel in dashboard["panels"]
             for target in panel.get("targets", [])]
    assert exprs, "the dashboard has no queries"
    alerts = (REPO / "deploy" / "prometheus-alerts.yml").read_text("utf-8")
    used = set(re.findall(r"\blacznik_[a-z_]+", " ".join(exprs) + alerts))
    assert used - served == set()
    # every metric family is on the dashboard
    families = {f.name for f in text_string_to_metric_families(body)
                if not f.name.endswith("_created")}  # prometheus_client's start times
    assert {f for f in families if not any(u.startswith(f) for u in used)} \
        <= {"lacznik_metrics_database_errors"}


def test_the_core_counts_through_the_composition_root_only() -> None:
    import ast

    offenders = []
    for path in (REPO / "commands").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            offenders += [f"{path.name}: {n}" for n in names
                          if n.split(".")[0] == "prometheus_client"]
    assert offenders == []


def test_a_real_lacznik_run_serves_metrics_on_its_port_behind_the_token(
        tmp_path: Path) -> None:
    import contextlib
    import os
    import signal
    import socket
    import subprocess
    import sys
    import time
    import urllib.error
    import urllib.request

    def free_port() -> int:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            return int(probe.getsockname()[1])

    def get(path: str, token: str | None = None) -> tuple[int, str]:
        request = urllib.request.Request(f"http://127.0.0.1:{port}{path}")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 (loopback)
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    port = free_port()
    config = tmp_path / "lacznik.toml"
    config.write_text(f"""
[server]
port = {port}
[metrics]
enabled = true
[logging]
format = "json"
[telegram]
token = "123456789:AAFakeTelegramTokenForTests_0123456789"
api_base_url = "http://127.0.0.1:{free_port()}"
""", encoding="utf-8")
    environment = {k: v for k, v in os.environ.items() if not k.startswith("LACZNIK_")}
    environment |= {"PYTHONPATH": str(REPO), "LACZNIK_METRICS_TOKEN": TOKEN}
    process = subprocess.Popen(
        [sys.executable, "-m", "bots.cli", "--config", str(config), "run"], cwd=tmp_path,
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=environment)
    try:
        deadline = time.monotonic() + 90
        body = ""
        while time.monotonic() < deadline:
            assert process.poll() is None, process.communicate()
            with contextlib.suppress(OSError):
                _status, body = get("/metrics", TOKEN)
                if value(body, "lacznik_component_state", component="scheduler",
                         state="ok") == 1:
                    break
            time.sleep(0.2)
        assert get("/metrics")[0] == 401
        assert value(body, "lacznik_component_state", component="telegram", state="down") == 1
        assert value(body, "lacznik_component_state", component="database", state="ok") == 1
        assert value(body, "lacznik_build_info", version=installed_version()) == 1
        assert value(body, "lacznik_outbox_rows", state="pending") == 0
    finally:
        process.send_signal(signal.SIGTERM)
        _out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    lines = [json.loads(line) for line in err.splitlines()]  # [logging] format = "json"
    [refused] = [line for line in lines if line["message"].startswith("telegram cannot start")]
    assert refused["component"] == "telegram"
    assert TOKEN not in err and "AAFakeTelegramTokenForTests" not in err
