"""``lacznik panel link EMAIL``: a one-time sign-in link to the office panel, printed.

For the first admin (before any messenger is linked) and for scripts: the URL is printed
alone on its own line; everything else goes to stderr.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from bots.app import panel_settings
from bots.cli_demo import cli_lang
from commands.panel_access import mint_link
from commands.texts import t
from store.people import audit, person_by_email

if TYPE_CHECKING:
    from bots.app import App


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Add ``panel link EMAIL``."""
    panel = sub.add_parser("panel", help="the office panel (web pages under /panel/)")
    panel_sub = panel.add_subparsers(dest="panel_command", required=True)
    link = panel_sub.add_parser(
        "link", help="print a one-time sign-in link (15 minutes) for a person",
        description="Print a one-time link that signs the person with this e-mail in to the "
        "office panel. It works once and for 15 minutes; it opens [server] public_url.")
    link.add_argument("email", help="the person's e-mail in the directory")


async def panel_command(app: App, args: argparse.Namespace) -> int:
    """Run ``lacznik panel link``."""
    lang = cli_lang()
    if not panel_settings(app.config).enabled:
        print(f"error: {t(lang, 'panel.cli.off')}", file=sys.stderr)
        return 2
    await app.prepare(with_sample=False)
    now = app.clock.now()
    async with app.db.session() as session:
        person = await person_by_email(session, args.email)
        if person is None or person.id is None:
            print(f"error: {t(lang, 'panel.cli.unknown', email=args.email)}", file=sys.stderr)
            return 2
        url = await mint_link(session, person.id, now=now,
                              base_url=app.config.server.base_url)
        await audit(session, actor="cli", action="panel.link_issued",
                    target=f"person:{person.id}", details={"via": "cli"})
        await session.commit()
    print(url)
    if not app.config.server.public_url:
        print(t(lang, "panel.cli.local_only"), file=sys.stderr)
    return 0
