"""The database: engine, sessions and migrations.

SQLite (a file) is the embedded default; PostgreSQL is the production database. The service is
asyncio-only, so it talks to both through SQLAlchemy's asyncio engine (aiosqlite, psycopg 3);
Alembic migrations run on a short-lived synchronous engine before the service starts.

A SQLite file is called on the event loop's own thread (:mod:`store.sqlite_inline`; pass
``sqlite_on_loop=False`` for aiosqlite's thread): the hand-over to aiosqlite's thread cost
more CPU than the statements. Measured with ``bench/throughput.py`` (webhook directory
questions, 2-core machine shared with other work, same invocations, December 2026):

* CPU per answered update at 50/s: 12.7 and 11.4 ms on aiosqlite's thread, 9.1 and 7.9 ms on
  the loop (−29 %); reply p99 at 50/s 62 and 120 ms → 53 and 13 ms; worst event-loop lag at
  50/s 13 and 9 ms → 15 and 6 ms (no stall from commits: WAL with ``synchronous=NORMAL``
  does not wait for the disk on commit).
* A lock held by another writer is waited for asynchronously (busy timeout 0, retries with
  sleeps up to ``SQLITE_BUSY_SECONDS``): the loop runs on (tests/test_sqlite_on_loop.py).
* Rebuilding the directory index (~35,000 people, ``load_index_data``): worst loop gap
  183–347 ms on aiosqlite's thread (turning rows into objects is the loop's work either
  way), 266–454 ms on the loop (a call over 2 ms yields to the other tasks afterwards, so
  the gap is one query's reading and processing, not the whole load). It happens at start
  and after directory changes; building the index off the loop would remove both.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Protocol, cast

from alembic import command
from alembic.config import Config
from sqlalchemy import Table, event
from sqlalchemy.engine import URL, CursorResult, Result, make_url
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.orm import ORMExecuteState
from sqlmodel import Session, SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from store.sqlite_inline import inline_connector

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
CONNECT_TIMEOUT_SECONDS = 10  # PostgreSQL; an explicit connect_timeout in the URL wins
SQLITE_BUSY_SECONDS = 30.0  # how long a SQLite statement waits for another writer's lock


# Set in a session's ``info`` by whatever writes outbox rows, so that listeners hear of the commit.
OUTBOX_WRITTEN = "lacznik.outbox_written"
# Set in a session's ``info`` once it flushed rows or ran an INSERT, UPDATE or DELETE in the
# current transaction (see :func:`wrote`).
WROTE = "lacznik.wrote"


class DatabaseUrlError(ValueError):
    """The configured database URL is not one we can use."""


class DatabaseUnavailable(Exception):
    """The database cannot be reached or opened; the message is one line without a
    password."""


_SQLITE_UNAVAILABLE = ("unable to open", "locked", "disk i/o", "readonly", "read-only")


def connection_problem(exc: BaseException) -> str | None:
    """If ``exc`` means "the database is not reachable (yet)", why, in one line without a
    password; None for any other error (a bug, bad data), which waiting would not cure."""
    import sqlite3

    from sqlalchemy.exc import DBAPIError

    if isinstance(exc, DatabaseUnavailable):
        return str(exc)
    cause: BaseException = exc
    if isinstance(exc, DBAPIError):
        if exc.orig is None:
            return None
        cause = exc.orig
    postgres_errors: tuple[type[Exception], ...]
    try:
        import psycopg

        postgres_errors = (psycopg.OperationalError,)
    except ImportError:  # pragma: no cover - psycopg is a dependency
        postgres_errors = ()
    if isinstance(cause, postgres_errors):
        if getattr(cause, "sqlstate", None) is not None:
            return None  # the server answered a statement: not a connection problem
    elif isinstance(cause, sqlite3.OperationalError):
        if not any(word in str(cause).lower() for word in _SQLITE_UNAVAILABLE):
            return None
    elif not isinstance(cause, OSError | TimeoutError):
        return None
    lines = str(cause).strip().splitlines()
    reason = lines[0] if lines else type(cause).__name__
    return reason.removeprefix("connection failed: ")[:300]


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


def display_url(url: URL | str) -> str:
    """A database URL to show people: never the password; a SQLite file by its absolute
    path (so nobody wonders which ``data/lacznik.db`` is meant)."""
    try:
        parsed = url if isinstance(url, URL) else make_url(url)
    except Exception:
        return "(not a database URL)"
    database = parsed.database or ""
    if parsed.get_backend_name() == "sqlite" and database and database != ":memory:" \
            and not database.startswith("file:"):
        return f"sqlite:///{Path(database).expanduser().resolve()}"
    return parsed.render_as_string(hide_password=True)


class Database:
    """One database: an async engine for the service and Alembic for its schema."""

    def __init__(self, url: str, *, schema: str | None = None, echo: bool = False,
                 sqlite_on_loop: bool = True) -> None:
        self.url = parse_url(url)
        self.schema = schema  # a PostgreSQL schema, used to isolate test runs
        self.is_sqlite = self.url.get_backend_name() == "sqlite"
        self.is_postgres = self.url.get_backend_name() == "postgresql"
        self._ensure_sqlite_dir()
        inline = self._sqlite_file() if sqlite_on_loop else None
        self.sqlite_on_loop = inline is not None
        self.engine: AsyncEngine = create_async_engine(
            _with_driver(self.url, asynchronous=True),
            echo=echo,
            # Parameters are names, e-mails, phones, message texts: never in a log line or
            # an error message, whatever the log level.
            hide_parameters=True,
            connect_args=self._connect_args(),
            pool_pre_ping=self.is_postgres,
            **({"async_creator": inline_connector(inline, busy_seconds=SQLITE_BUSY_SECONDS)}
               if inline is not None else {}),
        )
        if self.is_sqlite:
            # On the loop's thread sqlite3 must never wait for a lock itself (see
            # store/sqlite_inline.py); aiosqlite's thread may.
            busy_ms = 0 if inline is not None else int(SQLITE_BUSY_SECONDS * 1000)
            event.listen(self.engine.sync_engine, "connect",
                         lambda connection, _record: _sqlite_pragmas(connection, busy_ms))
        # A session class of our own, so that listening to its commits sees only this
        # database's sessions.
        sessions = type("LacznikSession", (Session,), {})
        event.listen(sessions, "after_commit", self._after_commit)
        event.listen(sessions, "after_rollback", _forget_writes)
        event.listen(sessions, "after_flush", _note_flush)
        event.listen(sessions, "do_orm_execute", _note_statement)
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
        session.info.pop(WROTE, None)
        if not session.info.pop(OUTBOX_WRITTEN, False):
            return
        for listener in list(self._outbox_listeners):
            try:
                listener()
            except Exception:  # a listener is a hint to send sooner; the commit stands
                log.exception("outbox listener failed")

    @property
    def display_url(self) -> str:
        """The URL to show people: never the password; a SQLite file by its absolute path."""
        return display_url(self.url)

    def _ensure_sqlite_dir(self) -> None:
        """Create the SQLite file (and missing folders) readable by this user only: it holds
        personal data. SQLite gives its -wal and -shm files the database file's mode."""
        database = self.url.database
        if not (self.is_sqlite and database and database != ":memory:"
                and not database.startswith("file:")):
            return
        path = Path(database).expanduser()
        missing = [folder for folder in (path.parent, *path.parent.parents)
                   if not folder.exists()]
        try:
            for folder in reversed(missing):
                folder.mkdir(mode=0o700, exist_ok=True)
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except FileExistsError:
            pass  # an existing database keeps the modes its administrator chose
        except OSError as exc:
            raise DatabaseUnavailable(f"cannot create {exc.filename or path}: "
                                      f"{exc.strerror or type(exc).__name__}") from None

    def _sqlite_file(self) -> str | None:
        """The path of a SQLite database file (None: not SQLite, in memory or a URI)."""
        database = self.url.database
        if not (self.is_sqlite and database and database != ":memory:"
                and not database.startswith("file:")):
            return None
        return str(Path(database).expanduser())

    def _connect_args(self) -> dict[str, object]:
        if self.is_postgres:
            # A host that drops packets must not hold start-up for minutes per attempt.
            timeout: dict[str, object] = {"connect_timeout": CONNECT_TIMEOUT_SECONDS}
            if self.schema:
                return {**timeout, "options": f"-csearch_path={self.schema}"}
            return timeout
        if self.is_sqlite:
            return {"timeout": SQLITE_BUSY_SECONDS}
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
        if self.is_postgres and "connect_timeout" not in sync_url.query:
            sync_url = sync_url.update_query_dict(
                {"connect_timeout": str(CONNECT_TIMEOUT_SECONDS)})
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


def wrote(session: AsyncSession) -> bool:
    """The session's transaction has written (flushed rows, or run an INSERT, UPDATE or
    DELETE through it) or holds changes a commit would write. A session that only read
    need not commit: closing it ends the read (and on SQLite never took the write lock)."""
    sync = session.sync_session
    return bool(sync.info.get(WROTE) or sync.new or sync.dirty or sync.deleted)


async def commit_if_written(session: AsyncSession) -> bool:
    """Commit if the session wrote anything (see :func:`wrote`); whether it committed."""
    if not wrote(session):
        return False
    await session.commit()
    return True


def _note_flush(session: Session, _flush_context: object) -> None:
    session.info[WROTE] = True


def _note_statement(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info[WROTE] = True


def _forget_writes(session: Session) -> None:
    session.info.pop(WROTE, None)
    session.info.pop(OUTBOX_WRITTEN, None)


def affected_rows(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE matched. Its result is a ``CursorResult``, which
    ``Session.execute`` types as a plain ``Result`` (without ``rowcount``)."""
    return int(cast("CursorResult[Any]", result).rowcount or 0)


class _Saved(Protocol):
    @property
    def id(self) -> int | None: ...


def saved_id(row: _Saved) -> int:
    """The primary key of a row already written (flushed or read): the models type it as
    optional, since a new row has none yet."""
    if row.id is None:
        raise ValueError(f"{type(row).__name__} has no id yet: it was not flushed")
    return row.id


def table_of(model: type[SQLModel]) -> Table:
    """The table of a ``table=True`` model (SQLModel sets ``__table__`` when it creates the
    class, so type checkers do not see it)."""
    table = getattr(model, "__table__", None)
    if not isinstance(table, Table):
        raise TypeError(f"{model.__name__} is not a table model")
    return table


def _sqlite_pragmas(dbapi_connection: DBAPIConnection, busy_ms: int) -> None:
    # WAL lets the console, the CLI and the service read while one writes; foreign keys are off
    # by default in SQLite.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")  # safe with WAL; fsync at checkpoints
    cursor.execute(f"PRAGMA busy_timeout={int(busy_ms)}")
    cursor.close()
