"""`lacznik db backup FILE` and `lacznik db restore FILE`, as an administrator runs them after
a disaster, on SQLite and PostgreSQL: every table comes back, row for row."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path

import pytest
from sqlalchemy import select, text

from bots.app import App
from bots.cli import main
from store.backup import table_counts
from store.db import Database
from store.models import AuditLog, Person
from store.people import audit, person_by_email
from tests.conftest import POSTGRES_URL
from tests.test_forums import ASKER, ask, setup_forum


def cli_url(db: Database) -> str:
    """The database URL the command line uses for the test's database (on PostgreSQL the
    run's own schema, as a libpq option)."""
    if db.is_sqlite:
        return db.url.render_as_string(hide_password=False)
    return f"{POSTGRES_URL}?options=-csearch_path%3D{db.schema}"


async def lacznik(monkeypatch: pytest.MonkeyPatch, db: Database | str, *argv: str) -> int:
    """Run ``lacznik ARGV`` (the real entry point) against ``db``; returns the exit status."""
    monkeypatch.setenv("LACZNIK_DATABASE_URL", db if isinstance(db, str) else cli_url(db))
    monkeypatch.delenv("LACZNIK_CONFIG", raising=False)
    # main() runs its own event loop: give it a thread of its own.
    return await asyncio.to_thread(main, list(argv))


async def snapshot(db: Database) -> tuple[dict[str, int], list[tuple[str, str | None]],
                                          list[tuple[str, str]]]:
    """Row counts of every table, and some rows: people, audit entries."""
    counts = {c.table: c.rows for c in await table_counts(db)}
    async with db.session() as session:
        people = [(p.name, p.email) for p in (await session.execute(
            select(Person).order_by(Person.id))).scalars()]  # type: ignore[arg-type]
        audits = [(a.actor, a.action) for a in (await session.execute(
            select(AuditLog).order_by(AuditLog.id))).scalars()]  # type: ignore[arg-type]
    return counts, people, audits


async def new_server(db: Database, folder: Path) -> Database:
    """An empty database with no tables at all, as on a new server: a new SQLite file, or
    the PostgreSQL schema emptied of every table."""
    if db.is_sqlite:
        return Database(f"sqlite:///{folder / 'nowy-serwer' / 'lacznik.db'}")
    tables = await table_counts(db)
    async with db.engine.begin() as connection:
        for table in tables:
            await connection.execute(text(f'DROP TABLE IF EXISTS "{table.table}" CASCADE'))
    return db


async def test_a_backup_restores_every_table(app: App, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    await setup_forum(app)  # people, forums, groups, accounts, a question and its outbox
    await ask(app)
    before = await snapshot(app.db)
    assert before[0]["person"] > 50 and before[0]["delivery"] > 0 and before[0]["question"] == 1
    backup = tmp_path / "kopia" / "lacznik.backup"

    assert await lacznik(monkeypatch, app.db, "db", "backup", str(backup)) == 0
    assert "backup written" in capsys.readouterr().out and backup.stat().st_size > 0
    assert backup.stat().st_mode & 0o077 == 0  # every person's data: the owner's file alone

    # Someone deletes people by mistake; restoring over data needs --yes.
    async with app.db.session() as session:
        asker = await person_by_email(session, ASKER)
        assert asker is not None
        await session.delete(asker)
        await audit(session, actor="cli", action="oops")
        await session.commit()
    assert await lacznik(monkeypatch, app.db, "db", "restore", str(backup)) == 2
    refused = capsys.readouterr().err
    assert "already holds data" in refused and "--yes" in refused
    assert (await snapshot(app.db))[0]["person"] == before[0]["person"] - 1  # untouched

    assert await lacznik(monkeypatch, app.db, "db", "restore", str(backup), "--yes") == 0
    assert "restored" in capsys.readouterr().out
    assert await snapshot(app.db) == before

    # A new, empty server: no --yes needed, and the restored database takes new rows.
    fresh = await new_server(app.db, tmp_path)
    assert await table_counts(fresh) == []
    assert await lacznik(monkeypatch, fresh, "db", "restore", str(backup)) == 0
    assert await snapshot(fresh) == before
    async with fresh.session() as session:
        session.add(Person(name="Nowa Osoba", email="nowa@skawina.example.pl"))
        await session.commit()  # sequences came back too (PostgreSQL)
    counts = (await snapshot(fresh))[0]
    assert counts["person"] == before[0]["person"] + 1
    if fresh is not app.db:
        await fresh.dispose()


async def test_restore_explains_what_is_wrong_with_the_file(
        app: App, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    nonsense = tmp_path / "notatki.txt"
    nonsense.write_text("to nie jest kopia\n", encoding="utf-8")
    assert await lacznik(monkeypatch, app.db, "db", "restore", str(nonsense), "--yes") == 1
    assert "is not a Łącznik backup" in capsys.readouterr().err
    missing = tmp_path / "nie-ma.backup"
    assert await lacznik(monkeypatch, app.db, "db", "restore", str(missing)) == 1
    assert "does not exist" in capsys.readouterr().err
    # A backup of the other kind of database.
    other = tmp_path / "other.backup"
    if app.db.is_sqlite:
        other.write_bytes(b"PGDMP\x01\x0e\x00" + b"\x00" * 100)
        expected = "is a postgresql backup but the configured database is sqlite"
    else:
        sqlite3.connect(other).execute("CREATE TABLE x (y)").connection.commit()
        expected = "is a sqlite backup but the configured database is postgresql"
    assert await lacznik(monkeypatch, app.db, "db", "restore", str(other), "--yes") == 1
    assert expected in capsys.readouterr().err
    assert (await snapshot(app.db))[0]["person"] > 50  # nothing was touched


async def test_a_postgresql_restore_that_fails_midway_puts_back_what_was_there(
        app: App, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    if app.db.is_sqlite:
        pytest.skip("SQLite restores by copying a whole file; nothing is emptied first")
    before = await snapshot(app.db)
    backup = tmp_path / "lacznik.backup"
    assert await lacznik(monkeypatch, app.db, "db", "backup", str(backup)) == 0
    # Damaged after its table of contents: pg_restore lists it, then fails in the data.
    data = bytearray(backup.read_bytes())
    data[-400:] = b"\xff" * 400
    backup.write_bytes(bytes(data))
    capsys.readouterr()
    assert await lacznik(monkeypatch, app.db, "db", "restore", str(backup), "--yes") == 1
    assert capsys.readouterr().err
    assert (await snapshot(app.db))[0] == before[0]  # every table as it was
    assert not (tmp_path / "lacznik.backup.before-restore").exists()  # no stray copy


async def test_postgresql_without_its_tools_says_what_to_install(
        postgres_schema: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    db = Database(POSTGRES_URL, schema=postgres_schema)  # SQLite needs no external tool
    monkeypatch.setenv("PATH", str(tmp_path))  # no pg_dump anywhere
    try:
        assert await lacznik(monkeypatch, db, "db", "backup", str(tmp_path / "x")) == 1
    finally:
        await db.dispose()
    assert "pg_dump is not installed" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


async def test_sqlite_backup_is_consistent_while_the_service_writes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'live.db'}"
    Database(url).upgrade_sync()
    writer = sqlite3.connect(tmp_path / "live.db", check_same_thread=False, timeout=30)
    writer.execute("PRAGMA journal_mode=WAL")
    stop, enough = threading.Event(), threading.Event()
    written = 0

    def write() -> None:  # the running service, adding audit entries as fast as it can
        nonlocal written
        while not stop.is_set():
            writer.execute("INSERT INTO auditlog (at, actor, action, target, details) "
                           "VALUES (CURRENT_TIMESTAMP, 'cli', 'load', '', '')")
            writer.commit()
            written += 1
            if written == 200:
                enough.set()

    thread = threading.Thread(target=write)
    thread.start()
    try:
        assert await asyncio.to_thread(enough.wait, 60)
        backup = tmp_path / "live.backup"
        assert await lacznik(monkeypatch, url, "db", "backup", str(backup)) == 0
    finally:
        stop.set()
        thread.join()
    writer.close()
    copy = sqlite3.connect(backup)
    assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    rows = copy.execute("SELECT count(*) FROM auditlog").fetchone()[0]
    copy.close()
    assert 200 <= rows <= written  # a moment's consistent state, taken while writes went on
