"""deploy/lacznik.service: the service starts the way the unit starts it (its command, working
folder, environment file, user) and serves; the unit passes `systemd-analyze verify`; the
reverse proxy examples forward every public route the service has."""

from __future__ import annotations

import asyncio
import contextlib
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest

from store.db import Database
from tests.conftest import POSTGRES_URL, REPO
from tests.world import TEAMS_APP_ID, TENANT

DEPLOY = REPO / "deploy"
UNIT = DEPLOY / "lacznik.service"
VENV = Path(os.environ.get("VIRTUAL_ENV", REPO / ".venv"))


def parse_unit(path: Path) -> dict[str, dict[str, list[str]]]:
    """A systemd unit as section → key → values (keys may repeat; `#` and `;` comment)."""
    sections: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {})
            continue
        key, _, value = line.partition("=")
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


def environment_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines as systemd's EnvironmentFile= reads them (comments, optional quotes)."""
    values: dict[str, str] = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        key, _, value = line.partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        values[key.strip()] = value
    return values


def test_the_unit_restarts_and_is_hardened() -> None:
    service = parse_unit(UNIT)["Service"]
    one = {key: values[-1] for key, values in service.items()}
    assert one["ExecStart"] == "/opt/lacznik/venv/bin/lacznik run"
    assert (one["User"], one["Group"]) == ("lacznik", "lacznik")
    assert one["Restart"] == "on-failure" and one["KillSignal"] == "SIGTERM"
    for option in ("NoNewPrivileges", "PrivateTmp", "ProtectHome", "PrivateDevices"):
        assert one[option] == "yes", option
    assert one["ProtectSystem"] == "strict"
    assert one["WorkingDirectory"] in one["ReadWritePaths"].split()  # the only writable place
    assert one["CapabilityBoundingSet"] == ""  # no capabilities at all
    assert parse_unit(UNIT)["Install"]["WantedBy"] == ["multi-user.target"]


# --- where this checkout stands in for the installed paths -----------------------------------


def reachable_by_others(path: Path) -> bool:
    """Another user can run ``path``: it and every folder above it are open to others."""
    real = path.resolve()
    folders = [p for p in real.parents if p != Path("/")]
    return bool(real.stat().st_mode & 0o001) and all(p.stat().st_mode & 0o001 for p in folders)


@contextlib.contextmanager
def throwaway_user() -> Iterator[tuple[int, int] | None]:
    """A system user like the one docs/deploy.md creates, when the tests run as root and the
    checkout's interpreter is open to other users; otherwise None (the current user)."""
    useradd, userdel = shutil.which("useradd"), shutil.which("userdel")
    if os.geteuid() != 0 or useradd is None or userdel is None \
            or not reachable_by_others(VENV / "bin" / "python"):
        yield None
        return
    name = f"lacznik-t{uuid.uuid4().hex[:6]}"
    subprocess.run([useradd, "--system", "--no-create-home", "--home-dir", "/nonexistent",
                    "--shell", "/usr/sbin/nologin", name], check=True)
    try:
        entry = pwd.getpwnam(name)
        yield entry.pw_uid, entry.pw_gid
    finally:
        subprocess.run([userdel, name], check=False)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def installed(folder: Path) -> dict[str, Path]:
    """The unit's install paths mapped into ``folder`` (and this checkout's virtualenv)."""
    return {"/opt/lacznik/venv": VENV, "/etc/lacznik": folder / "etc",
            "/var/lib/lacznik": folder / "var"}


def relocate(text: str, paths: dict[str, Path]) -> str:
    for installed_path, here in paths.items():
        text = text.replace(installed_path, str(here))
    return text


@dataclass
class Install:
    """The service installed as docs/deploy.md says, under a scratch folder."""

    command: list[str]
    folder: Path
    state: Path
    environment: dict[str, str]
    port: int

    @property
    def journal(self) -> Path:
        return self.folder / "journal.log"

    def journal_text(self) -> str:
        return self.journal.read_text(encoding="utf-8", errors="replace")


def install(folder: Path, database: Database, user: tuple[int, int] | None) -> Install:
    """Fill in the shipped examples and lay out the unit's folders and files."""
    paths = installed(folder)
    service = {key: values[-1] for key, values in parse_unit(UNIT)["Service"].items()}
    etc, state = paths["/etc/lacznik"], Path(relocate(service["WorkingDirectory"], paths))
    etc.mkdir()
    state.mkdir(mode=0o700)
    port = free_port()
    config = (DEPLOY / "lacznik.toml.example").read_text(encoding="utf-8")
    config = config.replace("port = 8080", f"port = {port}")
    config += (f'\n[teams]\napp_id = "{TEAMS_APP_ID}"\ntenant_id = "{TENANT}"\n'
               'public_domain = "lacznik.gmina.example"\n')
    (etc / "lacznik.toml").write_text(config, encoding="utf-8")
    (etc / "lacznik.toml").chmod(0o640)
    url = (f"sqlite:///{state}/lacznik.db" if database.is_sqlite
           else f"{POSTGRES_URL}?options=-csearch_path%3D{database.schema}")
    secrets = (DEPLOY / "lacznik.env.example").read_text(encoding="utf-8")
    secrets = re.sub(r"(?m)^LACZNIK_DATABASE_URL=.*$", f"LACZNIK_DATABASE_URL={url}", secrets)
    secrets = re.sub(r"(?m)^LACZNIK_TEAMS_APP_PASSWORD=.*$",
                     "LACZNIK_TEAMS_APP_PASSWORD=not-a-real-secret", secrets)
    env_file = Path(relocate(service["EnvironmentFile"], paths))
    env_file.write_text(secrets, encoding="utf-8")
    env_file.chmod(0o600)  # root only: systemd reads it, the service never does
    if user is not None:
        uid, gid = user
        os.chown(etc / "lacznik.toml", 0, gid)  # root:lacznik 0640, as documented
        os.chown(state, uid, gid)
    # What systemd hands the process: a small environment, Environment= and the file.
    environment = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8",
                   "HOME": str(state)}
    for assignment in parse_unit(UNIT)["Service"].get("Environment", []):
        key, _, value = assignment.partition("=")
        environment[key] = relocate(value, paths)
    environment.update(environment_file(env_file))
    return Install(relocate(service["ExecStart"], paths).split(), folder, state, environment,
                   port)


async def test_the_service_starts_as_the_unit_starts_it(database: Database) -> None:
    folder = Path(tempfile.mkdtemp(prefix="lacznik-deploy-", dir="/tmp"))
    try:
        with throwaway_user() as user:
            os.chmod(folder, 0o755)  # noqa: S103 - the service's user must reach its folders
            setup = await asyncio.to_thread(install, folder, database, user)
            with open(setup.journal, "wb") as journal:  # noqa: ASYNC230
                process = subprocess.Popen(  # noqa: ASYNC220 - a long-running child
                    setup.command, cwd=setup.state, env=setup.environment,
                    stdin=subprocess.DEVNULL, stdout=journal, stderr=subprocess.STDOUT,
                    **({"user": user[0], "group": user[1], "extra_groups": []} if user else {}))
                try:
                    health, privacy = await _until_it_serves(setup, process)
                finally:
                    process.send_signal(signal.SIGTERM)
                    stopped = await asyncio.to_thread(process.wait, 30)
        journal_text = await asyncio.to_thread(setup.journal_text)
        assert health["status"] == "ok", journal_text
        assert {"teams", "legal-pages", "retention", "scheduler"} <= set(health["components"])
        assert privacy == 200
        assert stopped == 0, journal_text  # SIGTERM is a clean stop, not a failure
        assert "not-a-real-secret" not in journal_text  # secrets never reach the journal
        if database.is_sqlite:
            assert await asyncio.to_thread((setup.state / "lacznik.db").is_file)
    finally:
        await asyncio.to_thread(shutil.rmtree, folder, True)


async def _until_it_serves(setup: Install, process: subprocess.Popen[bytes]
                           ) -> tuple[dict[str, object], int]:
    base = f"http://127.0.0.1:{setup.port}"
    health: dict[str, object] | None = None
    async with aiohttp.ClientSession() as client:
        for _ in range(600):
            if process.poll() is not None:
                raise AssertionError("the service exited: "
                                     + await asyncio.to_thread(setup.journal_text))
            try:
                async with client.get(f"{base}/healthz") as response:
                    if response.status == 200:
                        health = await response.json()
                        # "degraded" while components are still starting one by one: wait
                        # for the whole service (the caller asserts it gets there).
                        if health.get("status") == "ok":
                            async with client.get(f"{base}/privacy") as page:
                                return health, page.status
            except aiohttp.ClientConnectionError:
                pass
            await asyncio.sleep(0.2)
        if health is not None:
            async with client.get(f"{base}/privacy") as page:
                return health, page.status
    raise AssertionError("no answer on /healthz within 120 s: "
                         + await asyncio.to_thread(setup.journal_text))


def test_the_unit_passes_systemd_analyze_verify(tmp_path: Path) -> None:
    tool = shutil.which("systemd-analyze")
    if tool is None:
        pytest.skip("systemd-analyze is not installed here (it comes with systemd)")
    # verify checks that ExecStart exists: point the unit at this checkout's virtualenv.
    copy = tmp_path / "lacznik.service"
    copy.write_text(relocate(UNIT.read_text(encoding="utf-8"),
                             {"/opt/lacznik/venv": VENV}), encoding="utf-8")
    result = subprocess.run([tool, "verify", str(copy)], capture_output=True, text=True,
                            check=False, timeout=120)
    assert result.returncode == 0, result.stderr
    problems = [line for line in result.stderr.splitlines()
                if str(copy) in line and "lacznik.service" in line]
    assert problems == [], problems  # no unknown key, bad value or unsafe setting


@pytest.mark.parametrize("example", ["Caddyfile.example", "nginx.conf.example"])
def test_the_reverse_proxy_examples_forward_every_public_route(example: str) -> None:
    """Every route a messenger or a calendar calls from outside is passed on; /healthz is not."""
    from adapters.slack.config import EVENTS_PATH
    from adapters.sms.messenger import REPORTS_PATH
    from adapters.teams.component import ENDPOINT_PATH
    from adapters.telegram.config import WEBHOOK_PATH
    from bots.calendar_feed import ROUTE
    from bots.invite_pages import PATH as OPT_OUT_PATH
    from bots.legal_pages import PAGES
    from commands.announcements.sms import ACK_PATH

    text = (DEPLOY / example).read_text(encoding="utf-8")
    # E-mail opt-out links, SMS acknowledgement links and SMS delivery reports come from
    # outside too.
    routes = [EVENTS_PATH, ENDPOINT_PATH, WEBHOOK_PATH, ROUTE.split("{")[0],
              *(f"/{page}" for page in PAGES), OPT_OUT_PATH.split("{")[0], ACK_PATH,
              REPORTS_PATH, "/panel"]
    for route in routes:
        assert route.lstrip("/") in text, route
    assert "healthz" not in text.replace("/healthz stays internal", "")
    assert "127.0.0.1:8080" in text


def test_the_backup_timer_passes_systemd_analyze_verify(tmp_path: Path) -> None:
    tool = shutil.which("systemd-analyze")
    if tool is None:
        pytest.skip("systemd-analyze is not installed here (it comes with systemd)")
    units = [tmp_path / name for name in ("lacznik-backup.service", "lacznik-backup.timer")]
    for unit in units:
        shutil.copy(DEPLOY / unit.name, unit)
    result = subprocess.run([tool, "verify", *map(str, units)], capture_output=True,
                            text=True, check=False, timeout=120)
    assert result.returncode == 0, result.stderr
    assert [line for line in result.stderr.splitlines() if str(tmp_path) in line] == []


async def test_lacznik_admin_runs_commands_with_the_service_configuration(
        database: Database) -> None:
    setpriv = shutil.which("setpriv")
    if os.geteuid() != 0 or setpriv is None:
        pytest.skip("lacznik-admin is run by root and needs setpriv (util-linux)")
    folder = Path(tempfile.mkdtemp(prefix="lacznik-admin-", dir="/tmp"))
    try:
        setup = await asyncio.to_thread(install, folder, database, None)
        paths = installed(folder)
        script = folder / "lacznik-admin"
        script.write_text(relocate((DEPLOY / "lacznik-admin").read_text(encoding="utf-8"),
                                   paths), encoding="utf-8")
        environment = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8",
                       "LACZNIK_USER": pwd.getpwuid(os.geteuid()).pw_name}

        def admin(*argv: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run(["/bin/sh", str(script), *argv], env=environment,
                                  capture_output=True, text=True, check=False, timeout=300)

        upgraded = await asyncio.to_thread(admin, "db", "upgrade")
        assert upgraded.returncode == 0, upgraded.stderr
        backup = folder / "kopia.backup"
        saved = await asyncio.to_thread(admin, "db", "backup", str(backup))
        assert saved.returncode == 0 and "backup written" in saved.stdout, saved.stderr
        unknown = await asyncio.to_thread(admin, "people", "export", "nikt@example.pl")
        assert unknown.returncode == 2 and "no person" in unknown.stderr
        if database.is_sqlite:  # the secrets file's database, not some default one
            assert (setup.state / "lacznik.db").is_file()
    finally:
        await asyncio.to_thread(shutil.rmtree, folder, True)
