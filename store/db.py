"""The database: engine, sessions and migrations.

SQLite (a file) is the embedded default; PostgreSQL is the production database. The service is
asyncio-only, so it talks to both through SQLAlchemy's asyncio engine (aiosqlite, psycopg 3);
Alembic migrations run on a short-lived synchronous engine before the service starts.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel import Session
from sqlmodel.ext.asyncio.session import AsyncSession

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


# Set in a session's ``info`` by whatever writes outbox rows, so that listeners hear of the commit.
OUTBOX_WRITTEN = "lacznik.outbox_written"


class DatabaseUrlError(ValueError):
    """The configured database URL is not one we can use."""


def _with_driver(url: URL, *, asynchronous: bool) -> URL:
    backend = url.get_backend_name()
    if backend == "sqlite":
        return url.set(drivername="sqlite+aiosqlite" if asynchronous else "sqlite")
    if backend == "postgresql":
        return url.set(drivername="postgresql+psycopg")
    raise DatabaseUrlError(f"unsupported database {backend!r}: use sqlite:/// or postgresql://")


def parse_url(text: str) -> URL:
    """Parse and check a database URL (``sqlite:///path`` or ``postgresql://…``)."""
    try:
        url = make_url(text)
    except Exception as exc:
        raise DatabaseUrlError(f"not a database URL: {exc}") from None
    _with_driver(url, asynchronous=True)
    return url


class Database:
    """One database: an async engine for the service and Alembic for its schema."""

    def __init__(self, url: str, *, schema: str | None = None, echo: bool = False) -> None:
        self.url = parse_url(url)
        self.schema = schema  # a PostgreSQL schema, used to isolate test runs
        self.is_sqlite = self.url.get_backend_name() == "sqlite"
        self.is_postgres = self.url.get_backend_name() == "postgresql"
        self._ensure_sqlite_dir()
        self.engine: AsyncEngine = create_async_engine(
            _with_driver(self.url, asynchronous=True),
            echo=echo,
            connect_args=self._connect_args(),
            pool_pre_ping=self.is_postgres,
        )
        if self.is_sqlite:
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
        # A session class of our own, so that listening to its commits sees only this
        # database's sessions.
        sessions = type("LacznikSession", (Session,), {})
        event.listen(sessions, "after_commit", self._after_commit)
        event.listen(sessions, "after_rollback", lambda session: session.info.pop(
            OUTBOX_WRITTEN, None))
        self._outbox_listeners: list[Callable[[], None]] = []
        self._sessions = async_sessionmaker(
            self.engine, class_=AsyncSession, expire_on_commit=False,
            sync_session_class=sessions,
        )

    def on_outbox_commit(self, listener: Callable[[], None]) -> Callable[[], None]:
        """Call ``listener`` (on the event loop, without awaiting) after each commit that
        wrote outbox rows; returns the function that stops it."""
        self._outbox_listeners.append(listener)
        return lambda: self._outbox_listeners.remove(listener)

    def _after_commit(self, session: Session) -> None:
        if not session.info.pop(OUTBOX_WRITTEN, False):
            return
        for listener in list(self._outbox_listeners):
            try:
                listener()
            except Exception:  # a listener is a hint to send sooner; the commit stands
                log.exception("outbox listener failed")

    def _ensure_sqlite_dir(self) -> None:
        database = self.url.database
        if self.is_sqlite and database and database != ":memory:":
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)

    def _connect_args(self) -> dict[str, object]:
        if self.is_postgres and self.schema:
            return {"options": f"-csearch_path={self.schema}"}
        if self.is_sqlite:
            return {"timeout": 30}
        return {}

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session; the caller commits. Rolled back on error."""
        async with self._sessions() as session:
            try:
                yield session
            except BaseException:
                await session.rollback()
                raise

    def alembic_config(self) -> Config:
        """Alembic configuration pointing at our migrations and this database."""
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
        sync_url = _with_driver(self.url, asynchronous=False)
        cfg.set_main_option(
            "sqlalchemy.url", sync_url.render_as_string(hide_password=False).replace("%", "%%")
        )
        if self.schema:
            cfg.set_main_option("lacznik.schema", self.schema)
        return cfg

    def upgrade_sync(self, revision: str = "head") -> None:
        """Bring the schema up to ``revision`` (blocking; for the command line)."""
        command.upgrade(self.alembic_config(), revision)

    async def upgrade(self, revision: str = "head") -> None:
        """Bring the schema up to ``revision`` without blocking the event loop."""
        await asyncio.to_thread(self.upgrade_sync, revision)

    async def dispose(self) -> None:
        """Close every pooled connection."""
        await self.engine.dispose()


def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
    # WAL lets the console, the CLI and the service read while one writes; foreign keys are off
    # by default in SQLite.
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")  # safe with WAL; fsync at checkpoints
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()
