"""``lacznik run`` and ``lacznik chat`` as a new user meets them: the database in use is shown,
a run with nobody to talk to says what to do instead, and ``chat --as-unlinked`` shows what a
person outside the directory sees."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from bots.cli_demo import cli_lang  # one rule for every command-line text's language
from commands.texts import t

if TYPE_CHECKING:
    from bots.app import App

MESSENGERS = ("telegram", "slack", "teams")


def _out(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


async def run(app: App, args: argparse.Namespace) -> int:
    """``lacznik run``: refuse when it would have nobody to talk to (no terminal for the
    console, no messenger configured, no ``[panel]`` section asking for the office panel
    alone — ``make run`` in a script), else the service."""
    from bots import commands_cli
    from bots.app import panel_settings

    lang = cli_lang()
    interactive = sys.stdin.isatty()
    panel_only = "panel" in app.config.extra and panel_settings(app.config).enabled
    if not interactive and not panel_only and not any(
            name in app.config.extra for name in MESSENGERS):
        print(t(lang, "startup.no_terminal"), file=sys.stderr)
        return 2
    if interactive and app.config.console.enabled:
        _out(t(lang, "startup.database", url=app.db.display_url) + "\n")
    return await commands_cli.run(app, args)


async def chat(app: App, args: argparse.Namespace) -> int:
    """``lacznik chat``: the console without the service; ``--as-unlinked`` speaks as a
    messenger account nobody has linked to the directory."""
    from adapters.console.adapter import ConsoleSession, run_console, stdin_lines
    from bots import commands_cli

    if not getattr(args, "as_unlinked", False):
        if not args.jsonl:
            _out(t(cli_lang(), "startup.database", url=app.db.display_url) + "\n")
        return await commands_cli.chat(app, args)
    await app.prepare()
    if not args.jsonl:
        lang = cli_lang()
        _out(t(lang, "startup.database", url=app.db.display_url) + "\n")
        _out(t(lang, "startup.unlinked_console") + "\n")
    # No e-mail: the console then finds nobody, exactly as for an account nobody linked.
    session = ConsoleSession(app.core, UNLINKED)
    await run_console(session, stdin_lines(), _out, jsonl=args.jsonl)
    return 0


UNLINKED = "unlinked-console-user"  # not an e-mail, so it never matches a person
