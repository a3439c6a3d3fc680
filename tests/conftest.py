"""Shared fixtures: a real database (SQLite and PostgreSQL), the app, a console, no network.

Every test that takes ``app`` or ``database`` runs once on SQLite and once on PostgreSQL
(127.0.0.1:5432, database ``test``), each test run in its own schema so parallel runs do not
meet. Set ``LACZNIK_REQUIRE_POSTGRES=1`` (CI does) to fail instead of skipping when
PostgreSQL is down.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlmodel import SQLModel

from adapters.console.adapter import ConsoleSession
from bots.app import App, build_app
from bots.config import Config, DatabaseConfig
from commands.clock import WARSAW, ManualClock
from commands.directory.language import Morphology
from store.db import Database

REPO = Path(__file__).resolve().parents[1]
POSTGRES_URL = os.environ.get("LACZNIK_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=WARSAW)  # a Monday morning

# the three messengers against their fakes (``world``, ``entra``) for end-to-end tests
pytest_plugins = ["tests.world", "tests.panel_helpers"]


# --- no network beyond this machine ---------------------------------------------------------

_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def _allowed(address: object) -> bool:
    if isinstance(address, tuple) and address:
        host = str(address[0])
        if host == "localhost":
            return True
        try:
            return ipaddress.ip_address(host).is_loopback
        except ValueError:
            return False
    return True  # unix sockets


def _guarded_connect(self: socket.socket, address: object) -> None:
    if not _allowed(address):
        raise ConnectionRefusedError(f"tests may not reach the network ({address!r})")
    _real_connect(self, address)  # type: ignore[arg-type]


def _guarded_connect_ex(self: socket.socket, address: object) -> int:
    if not _allowed(address):
        raise ConnectionRefusedError(f"tests may not reach the network ({address!r})")
    return _real_connect_ex(self, address)  # type: ignore[arg-type]


socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign]


# --- databases -------------------------------------------------------------------------------


def _postgres_available() -> bool:
    try:
        engine = create_engine(POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://"),
                               connect_args={"connect_timeout": 3})
        with engine.connect():
            pass
        engine.dispose()
        return True
    except Exception:
        return False


@pytest.fixture(scope="session")
def morphology() -> Morphology:
    """One morfeusz2 instance for the session (its caches make tests fast)."""
    return Morphology()


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated SQLite database file for this test session."""
    url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    Database(url).upgrade_sync()
    yield url


@pytest.fixture(scope="session")
def postgres_schema() -> Iterator[str]:
    """A migrated PostgreSQL schema for this test session, dropped afterwards."""
    if not _postgres_available():
        if os.environ.get("LACZNIK_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL is required but not reachable at {POSTGRES_URL}")
        pytest.skip("PostgreSQL not reachable")
    schema = f"lacznik_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    Database(POSTGRES_URL, schema=schema).upgrade_sync()
    yield schema
    engine = create_engine(POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://"))
    with engine.begin() as connection:
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
async def database(request: pytest.FixtureRequest) -> AsyncIterator[Database]:
    """An empty, migrated database on each backend."""
    if request.param == "sqlite":
        db = Database(request.getfixturevalue("sqlite_url"))
    else:
        db = Database(POSTGRES_URL, schema=request.getfixturevalue("postgres_schema"))
    await _empty(db)
    yield db
    await db.dispose()


async def _empty(db: Database) -> None:
    async with db.engine.begin() as connection:
        # Only tables the migrations created (a feature's new tables get theirs later).
        existing = set(await connection.run_sync(lambda c: inspect(c).get_table_names()))
        tables = [t.name for t in reversed(SQLModel.metadata.sorted_tables) if t.name in existing]
        if db.is_postgres:
            names = ", ".join(f'"{name}"' for name in tables)
            await connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for name in tables:
                await connection.execute(text(f'DELETE FROM "{name}"'))


# --- the application -------------------------------------------------------------------------


@pytest.fixture
def clock() -> ManualClock:
    """A clock standing at Monday 23 November 2026, 10:00 in Warsaw."""
    return ManualClock(NOW)


@pytest.fixture
async def bare_app(database: Database, clock: ManualClock, morphology: Morphology
                   ) -> AsyncIterator[App]:
    """The app on an empty database (thesaurus installed, no sample data)."""
    config = Config(database=DatabaseConfig(url=str(database.url.render_as_string(False))))
    app = build_app(config, clock=clock, db=database, morphology=morphology)
    await app.prepare(with_sample=False)
    yield app


@pytest.fixture
async def app(bare_app: App) -> App:
    """The app with the shipped sample directory loaded."""
    from bots.sample_data import load_sample_data

    await load_sample_data(bare_app)
    bare_app.directory.invalidate()
    return bare_app


@pytest.fixture
def console(app: App) -> ConsoleSession:
    """The console, speaking as the first office admin of the sample data."""
    return ConsoleSession(app.core, "m.zawadzka-hejmo@metropoliakrakowska.example.pl")
