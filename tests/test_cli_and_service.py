"""The `lacznik` command line and the running service, as an administrator uses them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest

from bots.app import App
from bots.config import Config, ConfigError, ServerConfig, load_config
from bots.service import Service

LACZNIK = [sys.executable, "-m", "bots.cli"]
REPO = Path(__file__).resolve().parents[1]


def run_cli(args: list[str], cwd: Path, stdin: str = "", env: dict[str, str] | None = None
            ) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("LACZNIK_")}
    environment["PYTHONPATH"] = str(REPO)
    environment.update(env or {})
    return subprocess.run([*LACZNIK, *args], cwd=cwd, input=stdin, capture_output=True,
                          text=True, timeout=120, env=environment, check=False)


def test_embedded_default_answers_in_a_real_process(tmp_path: Path) -> None:
    """No configuration at all: SQLite + sample data, scripted with --jsonl."""
    questions = "kto od śmieci w Wieliczce?\n/kto oświata\n1\n/pomoc\n"
    result = run_cli(["chat", "--jsonl"], tmp_path, stdin=questions)
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["message"] for line in lines] == questions.split("\n")[:-1]
    assert "Jolanta Kołodziej — Wieliczka" in lines[0]["replies"][0]
    assert "Strona 1 z 3" in lines[1]["replies"][0]
    assert "Strona 2 z 3" in lines[2]["replies"][0]  # the "Dalej ›" button, pressed by number
    assert "/kto <temat> <gmina>" in lines[3]["replies"][0]
    assert (tmp_path / "data" / "lacznik.db").is_file()


def test_roles_and_link_codes_from_the_command_line(tmp_path: Path) -> None:
    env = {"LACZNIK_DATABASE_URL": f"sqlite:///{tmp_path}/roles.db"}
    assert run_cli(["db", "upgrade"], tmp_path, env=env).returncode == 0
    # An empty database gets no sample data from maintenance commands: import a list first.
    csv_path = tmp_path / "lista.csv"
    csv_path.write_text("gmina,temat,imię i nazwisko,e-mail\nSkawina,oświata,Jan Nowak,"
                        "j.nowak@skawina.example.pl\n", encoding="utf-8")
    assert run_cli(["directory", "import", str(csv_path)], tmp_path, env=env).returncode == 0
    granted = run_cli(["roles", "grant", "j.nowak@skawina.example.pl", "gmina_coordinator",
                       "--gmina", "Skawina"], tmp_path, env=env)
    assert granted.returncode == 0 and "granted" in granted.stdout
    listed = run_cli(["roles", "list"], tmp_path, env=env)
    assert "j.nowak@skawina.example.pl\tgmina_coordinator\tgmina Skawina" in listed.stdout
    unknown = run_cli(["roles", "grant", "nobody@example.pl", "admin"], tmp_path, env=env)
    assert unknown.returncode == 2 and "no person with e-mail" in unknown.stderr
    code = run_cli(["link", "telegram", "j.nowak@skawina.example.pl"], tmp_path, env=env)
    assert code.returncode == 0 and "/start " in code.stdout and "valid 24 h" in code.stdout
    revoked = run_cli(["roles", "revoke", "j.nowak@skawina.example.pl", "gmina_coordinator",
                       "--gmina", "Skawina"], tmp_path, env=env)
    assert "revoked" in revoked.stdout
    assert run_cli(["roles", "list"], tmp_path, env=env).stdout.strip() == ""


def test_admins_extend_the_thesaurus(tmp_path: Path) -> None:
    env = {"LACZNIK_DATABASE_URL": f"sqlite:///{tmp_path}/t.db"}
    csv_path = tmp_path / "lista.csv"
    csv_path.write_text("gmina,temat,imię i nazwisko,e-mail\nSkawina,gospodarka odpadami,"
                        "Jan Nowak,j.nowak@skawina.example.pl\n", encoding="utf-8")
    assert run_cli(["directory", "import", str(csv_path)], tmp_path, env=env).returncode == 0
    question = "kto od gratów w Skawinie?\n"  # slang the thesaurus does not know yet
    before = run_cli(["chat", "--jsonl", "--as", "j.nowak@skawina.example.pl"], tmp_path,
                     stdin=question, env=env)
    assert "Jan Nowak" not in before.stdout
    added = run_cli(["topics", "synonym", "odpady", "grat"], tmp_path, env=env)
    assert added.returncode == 0, added.stderr
    after = run_cli(["chat", "--jsonl", "--as", "j.nowak@skawina.example.pl"], tmp_path,
                    stdin=question, env=env)
    assert "Jan Nowak" in after.stdout  # "gratów" is an inflected form of the new synonym
    missing = run_cli(["topics", "synonym", "nie-ma-takiego", "x"], tmp_path, env=env)
    assert missing.returncode == 2 and "no topic" in missing.stderr


def test_broken_import_is_reported_and_exits_non_zero(tmp_path: Path) -> None:
    env = {"LACZNIK_DATABASE_URL": f"sqlite:///{tmp_path}/b.db"}
    broken = tmp_path / "zla.csv"
    broken.write_text("gmina,name\nSkawina,Jan\n", encoding="utf-8")
    result = run_cli(["directory", "import", str(broken)], tmp_path, env=env)
    assert result.returncode == 1
    assert "nothing imported" in result.stderr and "brak kolumn: topic" in result.stderr


@pytest.mark.parametrize(
    ("toml", "key"),
    [
        ("[server]\nport = 99999\n", "[server] port"),
        ("[server]\nport = \"80\"\n", "[server] port"),
        ("[database]\nurl = \"mysql://x\"\n", "[database] url"),
        ("[directory]\nstale_after_months = 0\n", "[directory] stale_after_months"),
        ("[directory]\nunknown = 1\n", "[directory] unknown"),
        ("[nonsense]\n", "nonsense"),
        ("[server\n", "not valid TOML"),
    ],
)
def test_invalid_configuration_names_the_key(tmp_path: Path, toml: str, key: str) -> None:
    path = tmp_path / "lacznik.toml"
    path.write_text(toml, encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_config(path, env={})
    assert key in str(error.value)
    result = run_cli(["--config", str(path), "db", "upgrade"], tmp_path)
    assert result.returncode == 2 and key in result.stderr


@pytest.mark.parametrize(
    ("toml", "key"),
    [
        ("[announcements]\nmax_pings = 0\n", "[announcements] max_pings"),
        ("[announcements]\nreping_after = 5\n", "[announcements] reping_after"),
        ("[forums]\nunanswered_after_hours = \"day\"\n", "[forums] unanswered_after_hours"),
        ("[delivery]\nlease_seconds = 1\n", "[delivery] lease_seconds"),
        ("[announcements]\nauthor_copy_every_seconds = 0\n",
         "[announcements] author_copy_every_seconds"),
        ("[delivery]\nworkers = 4\n", "[delivery] workers"),
    ],
)
def test_invalid_feature_settings_stop_start_up(tmp_path: Path, toml: str, key: str) -> None:
    path = tmp_path / "lacznik.toml"
    path.write_text(toml, encoding="utf-8")
    result = run_cli(["--config", str(path), "db", "upgrade"], tmp_path)
    assert result.returncode == 2 and key in result.stderr


def test_environment_overrides_the_database_url(tmp_path: Path) -> None:
    path = tmp_path / "lacznik.toml"
    path.write_text("[database]\nurl = \"sqlite:///a.db\"\n", encoding="utf-8")
    config = load_config(path, env={"LACZNIK_DATABASE_URL": "postgresql://u@h/db"})
    assert config.database.url == "postgresql://u@h/db"


async def test_service_health_endpoint(app: App) -> None:
    app.config = Config(database=app.config.database, server=ServerConfig(port=0))
    service = Service(app)
    await service.start()
    try:
        async with aiohttp.ClientSession() as client, client.get(
            f"http://127.0.0.1:{service.port}/healthz"
        ) as response:
            assert response.status == 200
            assert (await response.json())["status"] == "ok"
    finally:
        await service.stop()
