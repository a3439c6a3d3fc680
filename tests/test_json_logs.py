"""Issue 18.5: ``[logging] format = "json"`` — one JSON object per line for a log collector,
with time, level, logger, message and, where known, the update's id, its platform and the
component; never a name, an e-mail, a phone or what someone wrote."""

from __future__ import annotations

import argparse
import io
import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from bots.cli import setup_logging
from bots.config import Config, LoggingConfig, ServerConfig, StartupError
from bots.logformat import formatter
from bots.service import Service
from bots.supervision import Backoff
from tests.world import ANNA, World

REPO = Path(__file__).resolve().parents[1]
PERSONAL = ("Anna", "Hajduk", "a.hajduk@", "Jolanta", "Kołodziej", "j.kolodziej@",
            "+48 12", "śmieci", "Wieliczce")


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """Everything logged, at DEBUG, as ``lacznik run -v`` with ``format = "json"`` writes it
    (pytest keeps its own handlers on the root logger, so ours is added beside them)."""
    loggers = [logging.getLogger(name) for name in logging.root.manager.loggerDict]
    before = {logger: logger.level for logger in [logging.getLogger(), *loggers]}
    config = Config(logging=LoggingConfig(format="json"))
    setup_logging(argparse.Namespace(verbose=True, command="run"), config)
    written = io.StringIO()
    handler = logging.StreamHandler(written)
    handler.setFormatter(formatter(config.logging.format))
    logging.getLogger().addHandler(handler)
    yield written
    logging.getLogger().removeHandler(handler)
    for logger, level in before.items():
        logger.setLevel(level)


def parsed(text: str) -> list[dict[str, Any]]:
    """Every line as JSON (each line must be one object)."""
    lines = [json.loads(line) for line in text.splitlines() if line.strip()]
    for line in lines:
        assert {"time", "level", "logger", "message"} <= set(line), line
        datetime.fromisoformat(line["time"].replace("Z", "+00:00"))
        assert line["level"] in ("debug", "info", "warning", "error", "critical")
    return lines


class _Refused:
    """A messenger whose token is refused: its start fails, the service retries it."""

    name = "telegram"

    def routes(self) -> list[object]:
        return []

    async def start(self) -> None:
        raise StartupError("telegram.token", "Telegram refused the token")

    async def stop(self) -> None:
        return None


async def test_lines_carry_the_update_id_platform_and_component_and_no_personal_data(
        world: World, json_log: io.StringIO) -> None:
    # Anna is in the Slack workspace but not linked: her first message links her by the
    # e-mail Slack vouches for, which the core logs while handling the update.
    await world.slack_says(ANNA, "kto od śmieci w Wieliczce?")
    assert "Jolanta Kołodziej" in world.on_slack(ANNA)[-1]["text"]
    world.app.config = replace(world.app.config, server=ServerConfig(port=0))
    service = Service(world.app, [_Refused()], backoff=Backoff(first=30.0))  # type: ignore[list-item]
    await service.start()
    await service.stop()

    text = json_log.getvalue()
    lines = parsed(text)
    [linked] = [line for line in lines if line["message"].startswith("linked slack account")]
    assert linked["platform"] == "slack" and linked["event_id"].startswith("Ev")
    assert linked["logger"] == "commands.core" and linked["level"] == "info"
    [refused] = [line for line in lines if line["message"].startswith("telegram cannot start")]
    assert refused["component"] == "telegram" and refused["level"] == "warning"
    assert "check [telegram] token" in refused["message"]
    # an adapter's own lines name their platform even outside an update
    logging.getLogger("adapters.telegram.component").info("telegram bot @%s: polling", "bot")
    assert parsed(json_log.getvalue())[-1]["platform"] == "telegram"
    for value in PERSONAL:
        assert value not in text, value


def test_a_real_process_writes_only_json_lines(tmp_path: Path) -> None:
    config = tmp_path / "lacznik.toml"
    config.write_text('[database]\nurl = "sqlite:///v.db"\n[logging]\nformat = "json"\n',
                      encoding="utf-8")
    environment = {k: v for k, v in os.environ.items() if not k.startswith("LACZNIK_")}
    environment["PYTHONPATH"] = str(REPO)
    result = subprocess.run(
        [sys.executable, "-m", "bots.cli", "-v", "--config", str(config), "chat", "--jsonl"],
        cwd=tmp_path, input="kto od śmieci w Wieliczce?\n", capture_output=True, text=True,
        timeout=120, env=environment, check=False)
    assert result.returncode == 0, result.stderr
    assert "Jolanta Kołodziej" in result.stdout  # the answer names her…
    lines = parsed(result.stderr)  # …every log line is JSON…
    assert any(line["level"] == "debug" for line in lines)
    for value in PERSONAL:  # …and none carries what was asked or who answers it
        assert value not in result.stderr, value


def test_the_format_is_checked(tmp_path: Path) -> None:
    from bots.config import ConfigError, load_config

    path = tmp_path / "lacznik.toml"
    path.write_text('[logging]\nformat = "xml"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as refused:
        load_config(path, env={})
    assert str(refused.value) == ("configuration error in [logging] format: must be one of "
                                  "text, json")
