"""``lacznik demo clear|load``: leaving the demo for real data, and what an import says about it.

The command line speaks the language of the terminal: Polish when ``LANG`` (or
``LC_ALL`` / ``LC_MESSAGES``) starts with ``pl``, English otherwise.
"""

from __future__ import annotations

import argparse
import os
from typing import TYPE_CHECKING

from commands.texts import t
from store.db import table_of
from store.demo import DemoRemoval, remove_demo
from store.directory import bump_version, count_people
from store.people import audit

if TYPE_CHECKING:
    from bots.app import App


def cli_lang() -> str:
    """``pl`` or ``en``, from the terminal's locale."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "")
        if value:
            return "pl" if value.lower().startswith("pl") else "en"
    return "en"


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Add ``demo clear [--dry-run]`` and ``demo load`` to the ``lacznik`` parser."""
    demo = sub.add_parser("demo", help="the fictional demo data (sample people and forums)")
    demo_sub = demo.add_subparsers(dest="demo_command", required=True)
    clear = demo_sub.add_parser(
        "clear", help="remove everything the demo created (people, forums, roles, "
        "announcements, questions, events, reminders, queued messages, linked accounts); "
        "real data is not touched")
    clear.add_argument("--dry-run", action="store_true",
                       help="only say what would be removed")
    demo_sub.add_parser("load", help="load the demo into an empty directory (again)")


def removal_lines(lang: str, removal: DemoRemoval, *, dry_run: bool) -> list[str]:
    """What removing the demo removed (or would remove), one kind a line."""
    if not removal.total:
        return []
    head = t(lang, "demo.would_remove" if dry_run else "demo.removed")
    return [head, *(f"  {t(lang, f'demo.kind.{kind}')}: {count}"
                    for kind, count in removal.items()), t(lang, "demo.untouched")]


async def demo_command(app: App, args: argparse.Namespace) -> int:
    """``lacznik demo clear [--dry-run]`` / ``lacznik demo load``."""
    from bots.sample_data import load_sample_data
    from store.models import Forum

    lang = cli_lang()
    await app.prepare(with_sample=False)
    if args.demo_command == "load":
        async with app.db.session() as session:
            people = await count_people(session)
        if people:
            print(t(lang, "demo.load_refused", count=people))
            return 1
        await load_sample_data(app, again=True)
        async with app.db.session() as session:
            people = await count_people(session)
            forums = len((await session.execute(table_of(Forum).select())).all())
        print(t(lang, "demo.loaded", people=t(lang, "demo.n_people", count=people),
                forums=t(lang, "demo.n_forums", count=forums)))
        return 0
    async with app.db.session() as session:
        removal = await remove_demo(session)
        if args.dry_run:
            await session.rollback()
        else:
            await bump_version(session)
            await audit(session, actor="cli", action="demo.clear", details=removal.counts)
            await session.commit()
    app.directory.invalidate()
    lines = removal_lines(lang, removal, dry_run=args.dry_run) or [t(lang, "demo.nothing")]
    if args.dry_run:
        lines.append(t(lang, "demo.dry_run"))
    elif removal.total:
        lines.append(t(lang, "demo.not_reloaded"))
    print("\n".join(lines))
    return 0
