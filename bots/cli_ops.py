"""Operations on the command line: ``lacznik db backup|restore`` and ``lacznik people
export|forget`` (RODO). Parsers are added to :mod:`bots.cli`'s; handlers take the app."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from store.backup import BackupError, backup, restore, table_counts
from store.rodo import RodoError, export_json, export_person, forget_person

if TYPE_CHECKING:
    from bots.app import App


def add_db_parsers(db_sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``lacznik db backup FILE`` and ``lacznik db restore FILE [--yes]``."""
    save = db_sub.add_parser("backup", help="write a backup of the whole database to FILE "
                             "(SQLite: safe while the service runs; PostgreSQL: pg_dump)")
    save.add_argument("file", type=Path, help="the backup file to write")
    load = db_sub.add_parser("restore", help="replace the database's contents with a backup")
    load.add_argument("file", type=Path, help="a file written by `lacznik db backup`")
    load.add_argument("--yes", action="store_true",
                      help="overwrite a database that already holds data")


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``lacznik people export EMAIL [--output FILE]`` and ``lacznik people forget EMAIL``."""
    people = sub.add_parser("people", help="RODO/GDPR: a person's data, export or erasure")
    people_sub = people.add_subparsers(dest="people_command", required=True)
    export = people_sub.add_parser("export", help="everything held about a person, as JSON")
    export.add_argument("email", help="the person's e-mail in the directory")
    export.add_argument("--output", type=Path, help="write to this file (default: stdout)")
    forget = people_sub.add_parser("forget", help="erase a person's personal data")
    forget.add_argument("email", help="the person's e-mail in the directory")
    forget.add_argument("--yes", action="store_true", help="do not ask for confirmation")


async def db(app: App, args: argparse.Namespace) -> int:
    """``lacznik db upgrade|backup|restore``."""
    if args.db_command == "backup":
        try:
            await backup(app.db, args.file)
        except BackupError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        tables = await table_counts(app.db)
        rows = sum(t.rows for t in tables)
        print(f"{args.file}: backup written ({len(tables)} tables, {rows} rows)")
        return 0
    if args.db_command == "restore":
        try:
            await restore(app.db, args.file, overwrite=args.yes)
        except BackupError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2 if "--yes" in str(exc) else 1
        await app.db.upgrade()  # a backup of an older version gets today's schema
        tables = await table_counts(app.db)
        print(f"{args.file}: restored ({len(tables)} tables, "
              f"{sum(t.rows for t in tables)} rows); restart the service")
        return 0
    from bots import commands_cli

    return await commands_cli.db(app, args)


async def people(app: App, args: argparse.Namespace) -> int:
    """``lacznik people export|forget EMAIL``."""
    await app.prepare(with_sample=False)
    if args.people_command == "export":
        return await _export(app, args)
    return await _forget(app, args)


async def _export(app: App, args: argparse.Namespace) -> int:
    async with app.db.session() as session:
        try:
            data = await export_person(session, args.email, now=app.clock.now())
        except RodoError:
            print(f"error: no person with e-mail {args.email!r}", file=sys.stderr)
            return 2
    text = export_json(data)
    if args.output is None:
        sys.stdout.write(text)
        return 0
    await asyncio.to_thread(_write_private, args.output, text)
    print(f"{args.output}: everything held about {args.email} (personal data: keep it safe)",
          file=sys.stderr)
    return 0


def _write_private(path: Path, text: str) -> None:
    """Write ``text`` readable by the owner only: the file is personal data."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)


async def _forget(app: App, args: argparse.Namespace) -> int:
    if not args.yes:
        if not sys.stdin.isatty():
            print("error: erasing cannot be undone; confirm with --yes when not at a terminal",
                  file=sys.stderr)
            return 2
        answer = await asyncio.to_thread(
            input, f"Erase all personal data of {args.email}? This cannot be undone. "
                   "Type the e-mail address again to confirm: ")
        if answer.strip().lower() != args.email.strip().lower():
            print("nothing erased", file=sys.stderr)
            return 1
    async with app.db.session() as session:
        try:
            done = await forget_person(session, args.email, actor="cli")
        except RodoError as exc:
            await session.rollback()
            if exc.reason == "last_admin":
                print(f"error: {args.email} is the last admin; grant admin to someone else "
                      "first (lacznik roles grant EMAIL admin)", file=sys.stderr)
            else:
                print(f"error: no person with e-mail {args.email!r}", file=sys.stderr)
            return 2
        await session.commit()
    app.directory.invalidate()
    removed = ", ".join(f"{table} {n}" for table, n in sorted(done.removed.items())) or "nothing"
    print(f"{args.email}: personal data erased (removed: {removed}; audit entries now name "
          f"{done.pseudonym})")
    return 0
