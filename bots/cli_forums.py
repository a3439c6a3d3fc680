"""``lacznik forums add|rename|remove|members|import``: forum administration from the command
line (the arguments are added to the ``forums`` parser of :mod:`bots.cli`).

Messages follow the terminal's language (``LC_ALL`` / ``LC_MESSAGES`` / ``LANG`` starting
with ``pl``: Polish, otherwise English).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from bots.cli_demo import cli_lang
from commands.forums.admin import ForumAdmin, ImportRefused, ImportResult, Refused, names
from commands.render import forum_name
from commands.texts import t

if TYPE_CHECKING:
    from bots.app import App

COMMANDS = frozenset({"add", "rename", "remove", "members", "import"})
SHOWN_ERRORS = 200


def add_arguments(forums_sub: argparse._SubParsersAction) -> None:
    """The sub-commands of ``lacznik forums`` this module runs."""
    add = forums_sub.add_parser(
        "add", help="create a forum", description="Create a forum. It has no members until "
        "you add them (`forums members add`, `forums import`); moderators: `lacznik roles "
        "grant EMAIL forum_moderator --forum KEY`.")
    add.add_argument("key", metavar="KEY",
                     help="short key people type, e.g. PZP (A-Z, digits, - or _)")
    add.add_argument("name_pl", metavar="NAME", help="Polish name, e.g. 'Forum Zamówień "
                     "Publicznych'")
    add.add_argument("--en", dest="name_en", default="", metavar="NAME", help="English name")
    add.add_argument("--topic", metavar="TOPIC",
                     help="the forum's topic key from `lacznik topics list`")

    rename = forums_sub.add_parser("rename", help="give a forum a new name",
                                   description="Give a forum a new name (its key stays).")
    rename.add_argument("key", metavar="KEY", help="the forum's key")
    rename.add_argument("name_pl", metavar="NAME", help="the new Polish name")
    rename.add_argument("--en", dest="name_en", default=None, metavar="NAME",
                        help="the new English name")

    remove = forums_sub.add_parser(
        "remove", help="delete a forum (archive one with history: --force)",
        description="Delete a forum with no questions or events. One that has them is "
        "refused unless --force, which archives it: it takes no more questions, leaves the "
        "lists and its groups, and its history stays searchable.")
    remove.add_argument("key", metavar="KEY", help="the forum's key")
    remove.add_argument("--force", action="store_true",
                        help="archive a forum that has questions or events")

    members = forums_sub.add_parser("members", help="a forum's members",
                                    description="Add, remove or list a forum's members.")
    members_sub = members.add_subparsers(dest="members_command", required=True)
    members_add = members_sub.add_parser(
        "add", help="make people members", description="Make people of the directory members "
        "of a forum. Any unknown e-mail changes nothing.")
    members_add.add_argument("key", metavar="KEY", help="the forum's key")
    members_add.add_argument("emails", nargs="+", metavar="EMAIL",
                             help="e-mail addresses of people in the directory")
    members_remove = members_sub.add_parser(
        "remove", help="take people out of a forum", description="Take people out of a forum "
        "(a moderator also loses the forum's moderator role). Any unknown e-mail changes "
        "nothing.")
    members_remove.add_argument("key", metavar="KEY", help="the forum's key")
    members_remove.add_argument("emails", nargs="+", metavar="EMAIL", help="e-mail addresses")
    members_list = members_sub.add_parser("list", help="list a forum's members and moderators")
    members_list.add_argument("key", metavar="KEY", help="the forum's key")

    imp = forums_sub.add_parser(
        "import", help="set forums' members from a CSV or XLSX file",
        description="Columns: forum (key), email (e-mail), optional rola/role "
        "(członek/member or moderator). Each forum named in the file gets exactly the file's "
        "members (people not in it leave); with a role column its moderators follow the file "
        "too. Any bad row imports nothing (rows are numbered as in the spreadsheet).")
    imp.add_argument("file", type=Path, help="CSV (UTF-8 or Windows-1250, , or ;) or XLSX")
    imp.add_argument("--dry-run", action="store_true", help="show what would change, change "
                     "nothing")


def _error(text: str) -> None:
    print(f"error: {text}", file=sys.stderr)


async def run(app: App, args: argparse.Namespace) -> int:
    """Run one of :data:`COMMANDS` (the database is prepared by the caller)."""
    lang = cli_lang()
    admin = ForumAdmin(db=app.db, forums=app.core.services.forums)
    try:
        if args.forums_command == "add":
            forum = await admin.create(args.key, args.name_pl, name_en=args.name_en,
                                       topic=args.topic, actor="cli")
            print(t(lang, "fadm.cli_created", key=forum.key, name=forum_name(forum, lang)))
            print(t(lang, "fadm.cli_next", key=forum.key))
            return 0
        if args.forums_command == "rename":
            forum, old = await admin.rename(args.key, args.name_pl, name_en=args.name_en,
                                            actor="cli")
            print(t(lang, "fadm.cli_renamed", key=forum.key, old=old, name=forum.name_pl))
            return 0
        if args.forums_command == "remove":
            removal = await admin.remove(args.key, force=args.force, actor="cli")
            key = "fadm.cli_archived" if removal.archived else "fadm.cli_deleted"
            print(t(lang, key, key=removal.forum.key, questions=removal.history.questions,
                    events=removal.history.events, groups=removal.groups))
            return 0
        if args.forums_command == "members":
            return await _members(admin, args, lang)
        return await _import(admin, args, lang)
    except Refused as refusal:
        _error(refusal.text(lang))
        return 1 if refusal.key == "fadm.has_history" else 2


async def _members(admin: ForumAdmin, args: argparse.Namespace, lang: str) -> int:
    if args.members_command == "list":
        forum, rows = await admin.members(args.key)
        if not rows:
            print(t(lang, "fadm.cli_members_none", key=forum.key))
        for row in rows:
            role = ("fadm.cli_role_member" if not row.moderator else
                    "fadm.cli_role_moderator" if row.member else "fadm.cli_role_moderator_only")
            print(t(lang, "fadm.cli_member_line", name=row.person.name,
                    email=row.person.email or "-", gmina=row.gmina or "-", role=t(lang, role)))
        return 0
    if args.members_command == "add":
        change = await admin.add_members(args.key, args.emails, actor="cli")
        if change.changed:
            print(t(lang, "fadm.added", key=change.forum.key, count=len(change.changed),
                    names=names(change.changed)))
        if change.unchanged:
            print(t(lang, "fadm.already", key=change.forum.key, names=names(change.unchanged)))
        return 0
    change = await admin.remove_members(args.key, args.emails, actor="cli")
    if change.changed:
        print(t(lang, "fadm.removed", key=change.forum.key, count=len(change.changed),
                names=names(change.changed)))
    if change.moderators:
        print(t(lang, "fadm.removed_moderators", key=change.forum.key,
                names=names(change.moderators)))
    if change.unchanged:
        print(t(lang, "fadm.not_members", key=change.forum.key, names=names(change.unchanged)))
    return 0


async def _import(admin: ForumAdmin, args: argparse.Namespace, lang: str) -> int:
    path: Path = args.file
    if not await asyncio.to_thread(path.is_file):
        _error(t(lang, "fadm.cli_no_file", file=str(path)))
        return 2
    try:
        result = await admin.import_file(path, dry_run=args.dry_run, actor="cli", lang=lang)
    except ImportRefused as refused:
        print(t(lang, "fadm.imp_refused", file=path, count=len(refused.errors)),
              file=sys.stderr)
        for error in refused.errors[:SHOWN_ERRORS]:
            print(f"  {error}", file=sys.stderr)
        if len(refused.errors) > SHOWN_ERRORS:
            print("  " + t(lang, "fadm.imp_more", count=len(refused.errors) - SHOWN_ERRORS),
                  file=sys.stderr)
        return 1
    _report(result, path, dry_run=args.dry_run, lang=lang)
    return 0


def _report(result: ImportResult, path: Path, *, dry_run: bool, lang: str) -> None:
    if dry_run:
        print(t(lang, "fadm.imp_dry", file=path, rows=result.rows))
    else:
        print(t(lang, "fadm.imp_done", file=path, rows=result.rows,
                forums=", ".join(p.forum.key for p in result.plans)))
    if not result.roles:
        print(t(lang, "fadm.imp_no_roles"))
    for plan in result.plans:
        if not plan.changes:
            print(t(lang, "fadm.imp_nothing", key=plan.forum.key))
            continue
        print(t(lang, "fadm.imp_forum_line", key=plan.forum.key, added=len(plan.add),
                removed=len(plan.remove), promoted=len(plan.promote),
                demoted=len(plan.demote)))
        for key, people in (("fadm.imp_add", plan.add), ("fadm.imp_remove", plan.remove),
                            ("fadm.imp_promote", plan.promote),
                            ("fadm.imp_demote", plan.demote)):
            for person in people:
                print(t(lang, key, name=person.name, email=person.email or "-"))
