"""Backups of the whole database and their restore (``lacznik db backup|restore``).

SQLite uses sqlite3's online backup API: a consistent copy, page by page, safe while the
service writes (WAL mode lets it go on). PostgreSQL uses ``pg_dump -Fc`` / ``pg_restore`` of
the schema the service uses, so a database shared with other schemas is left alone.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.engine import URL

from store.db import Database

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"
_BOOKKEEPING = {"alembic_version"}


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why and what to do."""


@dataclass(frozen=True, slots=True)
class TableCount:
    """Rows in one table."""

    table: str
    rows: int


async def table_counts(db: Database) -> list[TableCount]:
    """Rows in every table of the database (of its schema on PostgreSQL), by name."""
    async with db.engine.connect() as connection:
        names = await connection.run_sync(lambda c: inspect(c).get_table_names())
        counts = []
        for name in sorted(names):
            rows = await connection.scalar(text(f'SELECT count(*) FROM "{name}"'))
            counts.append(TableCount(name, int(rows or 0)))
    return counts


async def holds_data(db: Database) -> bool:
    """True when any table but Alembic's bookkeeping has a row."""
    return any(c.rows for c in await table_counts(db) if c.table not in _BOOKKEEPING)


def _sqlite_path(db: Database) -> Path:
    database = db.url.database
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(database).expanduser()


def _kind_of(path: Path) -> str:
    if not path.is_file():
        raise BackupError(f"{path} does not exist")
    with path.open("rb") as handle:
        head = handle.read(16)
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PG_DUMP_MAGIC):
        return "postgresql"
    return "unknown"


# --- backup ----------------------------------------------------------------------------------


async def backup(db: Database, target: Path) -> None:
    """Write a backup of ``db`` to ``target`` (replaced only once the copy is complete)."""
    target = await asyncio.to_thread(_writable, target)
    partial = target.with_name(target.name + ".partial")
    # A backup holds every person's data: it is the owner's alone from its first byte (both
    # writers below fill the file created here and keep its mode).
    _private_file(partial)
    try:
        if db.is_sqlite:
            await asyncio.to_thread(_sqlite_backup, _sqlite_path(db), partial)
        else:
            await _pg_dump(db, partial)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)


def _private_file(path: Path) -> None:
    """Create ``path`` empty and readable by its owner only (the writers keep the mode)."""
    path.unlink(missing_ok=True)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def _writable(target: Path) -> Path:
    target = target.expanduser()
    if target.is_dir():
        raise BackupError(f"{target} is a folder: give a file name")
    target.parent.mkdir(parents=True, exist_ok=True)
    return target


def _sqlite_backup(source: Path, target: Path) -> None:
    if not source.is_file():
        raise BackupError(f"the database file {source} does not exist")
    with sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30) as src, \
            sqlite3.connect(target) as dst:
        # Small steps with pauses let the running service write between them.
        src.backup(dst, pages=1024, sleep=0.005)
    src.close()
    dst.close()


# --- restore ---------------------------------------------------------------------------------


async def restore(db: Database, source: Path, *, overwrite: bool) -> None:
    """Replace the contents of ``db`` with the backup in ``source``.

    Refuses (``BackupError``) when the database holds data and ``overwrite`` is false, and
    when the file is not a backup of this kind of database.
    """
    kind = await asyncio.to_thread(_kind_of, source)
    wanted = "sqlite" if db.is_sqlite else "postgresql"
    if kind == "unknown":
        raise BackupError(f"{source} is not a Łącznik backup (neither SQLite nor pg_dump -Fc)")
    if kind != wanted:
        raise BackupError(f"{source} is a {kind} backup but the configured database is "
                          f"{wanted}: restore it into a {kind} database")
    if not overwrite and await holds_data(db):
        raise BackupError("the database already holds data; restoring replaces all of it "
                          "(add --yes to do so)")
    if db.is_sqlite:
        await db.dispose()  # no pooled connection of ours holds a stale view of the file
        await asyncio.to_thread(_sqlite_restore, source, _sqlite_path(db))
    else:
        await _pg_restore(db, source)


def _sqlite_restore(source: Path, target: Path) -> None:
    with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as src:
        tables = {row[0] for row in src.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "alembic_version" not in tables:
            raise BackupError(f"{source} is an SQLite file but not a Łącznik database")
        target.parent.mkdir(parents=True, exist_ok=True)
        with sqlite3.connect(target, timeout=30) as dst:
            src.backup(dst)  # page-wise and atomic for readers of the target
        dst.close()
    src.close()


# --- PostgreSQL tools ------------------------------------------------------------------------


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not installed; on Debian/Ubuntu: apt install "
                          "postgresql-client (the same major version as the server or newer)")
    return path


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """The libpq URI for the command-line tools, and an environment with the password (so it
    is not visible in the process list)."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


async def _schema(db: Database) -> str:
    async with db.engine.connect() as connection:
        return str(await connection.scalar(text("SELECT current_schema()")))


async def _run(command: list[str], env: dict[str, str]) -> None:
    def call() -> subprocess.CompletedProcess[str]:
        # the tool's path comes from shutil.which and every argument is ours
        return subprocess.run(command, env=env, capture_output=True, text=True,  # noqa: S603
                              check=False)

    result = await asyncio.to_thread(call)
    if result.returncode != 0:
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        raise BackupError(f"{Path(command[0]).name} failed: "
                          + ("; ".join(lines[-3:]) or f"exit status {result.returncode}"))


async def _pg_dump(db: Database, target: Path) -> None:
    tool = _tool("pg_dump")
    uri, env = _libpq(db.url)
    schema = await _schema(db)
    await _run([tool, "--format=custom", f"--schema={schema}", "--no-owner",
                f"--file={target}", f"--dbname={uri}"], env)


async def _pg_restore(db: Database, source: Path) -> None:
    tool = _tool("pg_restore")
    uri, env = _libpq(db.url)
    schema = await _schema(db)
    listing = await asyncio.to_thread(
        subprocess.run, [tool, "--list", str(source)], env=env, capture_output=True,
        text=True, check=False)
    if listing.returncode != 0 or " TABLE DATA " not in listing.stdout:
        raise BackupError(f"{source} cannot be read by pg_restore")
    if f" TABLE {schema} alembic_version " not in listing.stdout:
        dumped = sorted({line.split(" TABLE ")[1].split()[0] for line in
                         listing.stdout.splitlines() if " TABLE " in line and
                         " TABLE DATA " not in line})
        raise BackupError(f"{source} holds schema {', '.join(dumped) or '?'}, but the "
                          f"database uses {schema}: restore it with the same schema")
    # Empty the schema first: tables of a newer migration that the backup does not know
    # would otherwise remain beside the restored ones. Emptying commits before pg_restore
    # runs, so what is there now is dumped first: a restore that fails brings it back.
    async with db.engine.connect() as connection:
        present = await connection.run_sync(lambda c: inspect(c).get_table_names())
    safety = source.with_name(source.name + ".before-restore")
    if present:
        _private_file(safety)
        await _pg_dump(db, safety)
    async with db.engine.begin() as connection:
        names = await connection.run_sync(lambda c: inspect(c).get_table_names())
        for name in names:
            await connection.execute(text(f'DROP TABLE IF EXISTS "{schema}"."{name}" CASCADE'))
        sequences = (await connection.execute(text(
            "SELECT sequence_name FROM information_schema.sequences "
            "WHERE sequence_schema = :schema"), {"schema": schema})).scalars().all()
        for name in sequences:
            await connection.execute(text(f'DROP SEQUENCE IF EXISTS "{schema}"."{name}"'))
    await db.dispose()
    # --section pre-data would recreate the schema itself, which exists: restore its
    # contents only, in one transaction (all or nothing).
    restore = [tool, "--no-owner", "--no-privileges", "--single-transaction",
               "--exit-on-error", f"--schema={schema}", f"--dbname={uri}"]
    try:
        await _run([*restore, str(source)], env)
    except BackupError:
        if present:  # put back what was there (same schema, same tool)
            await db.dispose()
            await _run([*restore, str(safety)], env)
        raise
    finally:
        safety.unlink(missing_ok=True)
