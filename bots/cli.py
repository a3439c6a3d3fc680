"""The ``lacznik`` command line."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from bots import cli_forums, cli_ops
from bots.app import App, build_app
from bots.config import Config, ConfigError, StartupError, load_config
from bots.logformat import formatter
from bots.version import installed_version

log = logging.getLogger("lacznik")

ROLE_NAMES = ("admin", "forum_moderator", "gmina_coordinator")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lacznik",
        description="Łącznik — the municipal staff assistant in Teams, Telegram and Slack.",
    )
    parser.add_argument("--version", action="version", version=f"lacznik {_version()}",
                        help="show the installed version and exit")
    parser.add_argument("--config", type=Path, metavar="PATH",
                        help="configuration file (default: $LACZNIK_CONFIG, else lacznik.toml "
                        "or config.toml in this folder if present, else the embedded "
                        "default); relative paths in it are relative to its folder")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="log everything (debug); never SQL parameters or rows, nor the "
                        "messenger libraries' request bodies")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    sub.add_parser("run", help="start the service: HTTP server, messengers, scheduler (and the "
                   "console when started in a terminal)")

    chat = sub.add_parser("chat", help="talk to the bot in this terminal (no service needed)")
    who = chat.add_mutually_exclusive_group()
    who.add_argument("--as", dest="as_user", metavar="EMAIL",
                     help="speak as this person (default: [console] user, else the first "
                     "admin)")
    who.add_argument("--as-unlinked", action="store_true",
                     help="speak as a messenger account nobody has linked: what a person "
                     "outside the directory sees")
    chat.add_argument("--jsonl", action="store_true",
                      help="one message per input line, one JSON object per output line")

    db = sub.add_parser("db", help="database maintenance")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_sub.add_parser("upgrade", help="apply every pending migration")
    cli_ops.add_db_parsers(db_sub)

    directory = sub.add_parser("directory", help="the contact directory")
    dir_sub = directory.add_subparsers(dest="directory_command", required=True)
    imp = dir_sub.add_parser("import", help="import a CSV or XLSX file")
    imp.add_argument("file", type=Path, help=".csv (UTF-8 or Windows-1250, ',' or ';') or "
                     ".xlsx; see README 'Importing the directory'")
    imp.add_argument("--dry-run", action="store_true", help="show what would change")
    exp = dir_sub.add_parser("export", help="export the directory as CSV or XLSX")
    exp.add_argument("file", type=Path, help=".csv or .xlsx")
    exp.add_argument("--format", choices=("excel", "plain"), default="excel",
                     help="CSV: excel (default) = UTF-8 with BOM, ';', Polish headers, opens "
                     "in Polish Excel by double-click; plain = UTF-8, ',', English headers")

    roles = sub.add_parser("roles", help="who is admin, forum moderator or gmina coordinator")
    roles_sub = roles.add_subparsers(dest="roles_command", required=True)
    for verb in ("grant", "revoke"):
        cmd = roles_sub.add_parser(verb, help=f"{verb} a role")
        cmd.add_argument("email", help="the person's e-mail in the directory")
        cmd.add_argument("role", choices=ROLE_NAMES, help="one of %(choices)s")
        scope = cmd.add_mutually_exclusive_group()
        scope.add_argument("--forum", metavar="NAME", help="forum_moderator: the forum's key")
        scope.add_argument("--gmina", metavar="NAME",
                           help="gmina_coordinator: the gmina (name in any form, or TERYT "
                           "code; default: the person's own)")
    roles_sub.add_parser("list", help="list every role")

    topics = sub.add_parser("topics", help="the topic thesaurus")
    topics_sub = topics.add_subparsers(dest="topics_command", required=True)
    topics_sub.add_parser("list", help="every topic with its key")
    add = topics_sub.add_parser("add", help="a new topic")
    add.add_argument("key", help="short ASCII key, e.g. cmentarze")
    add.add_argument("name_pl", help="Polish name, e.g. 'cmentarze komunalne'")
    add.add_argument("--en", dest="name_en", default="", help="English name")
    synonym = topics_sub.add_parser("synonym", help="another word or phrase for a topic")
    synonym.add_argument("key", help="the topic's key (see `lacznik topics list`)")
    synonym.add_argument("phrase", help="in its dictionary form; it is inflected automatically")
    synonym.add_argument("--en", action="store_true", help="the phrase is English")

    events = sub.add_parser("events", help="forum events as calendar files (.ics)")
    events_sub = events.add_subparsers(dest="events_command", required=True)
    events_import = events_sub.add_parser(
        "import", help="import an .ics file (Outlook, SharePoint), recurrences included")
    events_import.add_argument("file", type=Path, help="the .ics file")
    events_import.add_argument("--forum", metavar="KEY",
                               help="the forum of events whose file names none")
    events_import.add_argument("--dry-run", action="store_true", help="show what would change")
    events_import.add_argument("--strict", action="store_true",
                               help="import nothing if any part of the file must be skipped")
    events_export = events_sub.add_parser("export", help="write events and deadlines as .ics")
    events_export.add_argument("file", type=Path, help="the .ics file to write")
    events_export.add_argument("--forum", metavar="KEY", help="only this forum")

    groups = sub.add_parser("groups", help="groups and channels the bot has seen")
    groups_sub = groups.add_subparsers(dest="groups_command", required=True)
    groups_sub.add_parser("list", help="every group with its key and whether it is registered")
    for verb in ("register", "unregister"):
        cmd = groups_sub.add_parser(verb, help=f"{verb} a group (the bot works only in "
                                    "registered groups)")
        cmd.add_argument("key", help="the key from `lacznik groups list`")

    forums = sub.add_parser("forums", help="forums: create, members, groups on the messengers")
    forums_sub = forums.add_subparsers(dest="forums_command", required=True)
    cli_forums.add_arguments(forums_sub)
    forums_sub.add_parser("list", help="every forum with its groups (numbered)")
    forum_link = forums_sub.add_parser(
        "link", help="make a group the forum's (its questions are posted there)")
    forum_link.add_argument("forum", help="the forum's key, e.g. PZP")
    forum_link.add_argument("group", help="the group's key from `lacznik groups list`")
    forum_link.add_argument("--topic", help="Telegram: the forum topic's id (message_thread_id)")
    forum_link.add_argument("--title", default="", help="a name to show for the group")
    forum_unlink = forums_sub.add_parser("unlink", help="the group no longer gets the "
                                         "forum's questions")
    forum_unlink.add_argument("forum", help="the forum's key, e.g. PZP")
    forum_unlink.add_argument("group", help="the group's key, or its number from "
                              "`lacznik forums list`")

    teams = sub.add_parser("teams", help="Microsoft Teams installation helpers")
    teams_sub = teams.add_subparsers(dest="teams_command", required=True)
    package = teams_sub.add_parser("package", help="the app package (zip) to upload to Teams")
    package.add_argument("--output", type=Path, default=Path("lacznik-teams.zip"),
                         help="zip file or directory (default: ./lacznik-teams.zip)")

    slack = sub.add_parser("slack", help="Slack installation helpers")
    slack_sub = slack.add_subparsers(dest="slack_command", required=True)
    manifest = slack_sub.add_parser("manifest", help="the app manifest to paste into Slack")
    manifest.add_argument("--public-url", help="the service's public https:// address "
                          "(default: [slack] public_url)")
    manifest.add_argument("--output", type=Path, help="write to this file instead of stdout")

    link = sub.add_parser("link", help="issue a one-time code that links a messenger account")
    link.add_argument("platform", choices=("telegram", "slack", "teams", "any"),
                      help="where the code may be used: %(choices)s")
    link.add_argument("email", help="the person's e-mail in the directory")

    from bots import cli_demo, cli_invite, cli_panel

    cli_demo.add_parser(sub)
    cli_invite.add_parser(sub)
    cli_panel.add_parser(sub)
    cli_ops.add_parsers(sub)
    from bots import doctor

    doctor.add_parser(sub)
    return parser


def _version() -> str:
    """The installed package's version (``pyproject.toml``)."""
    return installed_version()


def setup_logging(args: argparse.Namespace, config: Config | None) -> None:
    """Where log lines go and how many: a headless service logs at ``[logging] level``, an
    interactive console or a one-off command only problems (the conversation stays
    readable), ``-v`` everything — but never SQL parameters or rows, which are personal data."""
    headless_service = args.command == "run" and not sys.stdin.isatty()
    if args.verbose:
        level = logging.DEBUG
    elif headless_service and config is not None:
        level = getattr(logging, config.logging.level.upper())
    else:
        level = logging.WARNING
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter(config.logging.format if config is not None else "text"))
    logging.basicConfig(level=level, handlers=[handler])
    logging.getLogger().setLevel(level)
    sql = config is not None and config.logging.sql and level <= logging.INFO
    # SQLAlchemy logs statements at INFO (parameters are hidden by the engine) and result
    # rows at DEBUG; aiosqlite logs every call with its parameters at DEBUG.
    logging.getLogger("sqlalchemy.engine").setLevel(logging.INFO if sql else logging.WARNING)
    logging.getLogger("sqlalchemy.pool").setLevel(logging.WARNING)
    logging.getLogger("aiosqlite").setLevel(logging.INFO)
    logging.getLogger("httpcore").setLevel(logging.INFO)  # headers at DEBUG (tokens)
    logging.getLogger("telegram").setLevel(logging.INFO)  # every call's parameters at DEBUG
    logging.getLogger("msal").setLevel(logging.INFO)  # token requests at DEBUG
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # one line a tick otherwise
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per Telegram poll


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``lacznik`` command."""
    args = _parser().parse_args(argv)
    if args.command == "doctor":  # reports a configuration error as one of its checks
        from bots import doctor

        setup_logging(args, None)
        return doctor.run(args)
    try:
        config = load_config(args.config)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    setup_logging(args, config)
    try:
        return asyncio.run(_dispatch(args, config))
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except StartupError as exc:
        print(f"error: cannot start — {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        from store.db import connection_problem, display_url

        log.debug("command failed", exc_info=True)
        problem = connection_problem(exc)
        if problem is not None:
            print(f"error: cannot use the database — check {config.database_setting} "
                  f"({display_url(config.database.url)}): {problem}", file=sys.stderr)
            return 1
        print(f"error: {type(exc).__name__}: {exc}".splitlines()[0], file=sys.stderr)
        print("(run with -v for details)", file=sys.stderr)
        return 1


async def _dispatch(args: argparse.Namespace, config: Config) -> int:
    from bots import cli_invite, cli_panel, commands_cli, run_commands

    app = build_app(config)
    try:
        handler = {
            "run": run_commands.run,
            "chat": run_commands.chat,
            "db": cli_ops.db,
            "people": cli_ops.people,
            "directory": commands_cli.directory,
            "roles": commands_cli.roles,
            "link": commands_cli.link,
            "events": commands_cli.events,
            "topics": commands_cli.topics,
            "slack": commands_cli.slack,
            "teams": commands_cli.teams,
            "groups": commands_cli.groups,
            "forums": forums_command,
            "demo": _demo_command,
            "invite": cli_invite.invite,
            "panel": cli_panel.panel_command,
        }[args.command]
        return await handler(app, args)
    finally:
        await _close(app)


async def forums_command(app: App, args: argparse.Namespace) -> int:
    """``lacznik forums list|link|unlink``: a forum's groups, as ``/forum`` manages them
    from inside a group."""
    from sqlalchemy import select

    from commands.model import ConversationRef
    from commands.texts import PLATFORM_NAMES
    from store.models import Conversation

    await app.prepare(with_sample=False)
    if args.forums_command in cli_forums.COMMANDS:  # add, rename, remove, members, import
        return await cli_forums.run(app, args)
    service = app.core.services.forums
    if args.forums_command == "list":
        for forum, groups in await service.listing():
            print(f"{forum.key}\t{forum.name_pl}")
            for group, live in groups:
                state = "" if live else "\t(gets no questions: unregistered or bot removed)"
                name = PLATFORM_NAMES.get(group.platform, group.platform)
                print(f"  #{group.id}\t{name}\t{group.conversation_key}\t"
                      f"{group.title or '-'}{state}")
        return 0
    if args.forums_command == "unlink" and args.group.lstrip("#").isdigit():
        outcome = await service.unlink_group(args.forum, int(args.group.lstrip("#")), by=None,
                                             may=None)
    else:
        async with app.db.session() as session:
            stored = (await session.execute(select(Conversation).where(
                Conversation.conversation_key == args.group))).scalars().first()
        if stored is None:
            print(f"error: no group {args.group!r} (see `lacznik groups list`)", file=sys.stderr)
            return 2
        ref = ConversationRef.from_json(stored.ref)
        if args.forums_command == "link":
            outcome = await service.link_group(args.forum, ref.in_thread(args.topic),
                                               title=args.title or stored.title, by=None,
                                               may=None)
        else:
            outcome = await service.unlink_group(args.forum, ref, by=None, may=None)
    if outcome == "unknown":
        print(f"error: no forum {args.forum!r} (see `lacznik forums list`)", file=sys.stderr)
        return 2
    if outcome == "not_linked":
        print(f"error: {args.group} is not a group of {args.forum.upper()}", file=sys.stderr)
        return 2
    print(f"{args.group}: {outcome} ({args.forum.upper()})")
    return 0


async def _demo_command(app: App, args: argparse.Namespace) -> int:
    from bots.cli_demo import demo_command

    return await demo_command(app, args)


async def _close(app: App) -> None:
    await app.close()


if __name__ == "__main__":
    raise SystemExit(main())
