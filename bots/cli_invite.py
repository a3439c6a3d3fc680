"""``lacznik invite (--all | --gmina NAME | --forum KEY) [--dry-run]`` and ``lacznik invite
status``: the e-mail campaign that invites people without a messenger to link one.

Register with ``cli_invite.add_parser(sub)`` in :mod:`bots.cli` and dispatch ``"invite":
cli_invite.invite``. Messages follow the terminal's language (as ``lacznik forums``).
"""

from __future__ import annotations

import argparse
import logging
import sys
from typing import TYPE_CHECKING, Any

import httpx

from adapters.email.config import EmailSettings, parse_config
from adapters.email.sender import SmtpSender
from bots.cli_demo import cli_lang
from commands.config_schema import ConfigError
from commands.directory.gminy import candidate_line, refusal, resolve_gmina
from commands.invitations.campaign import CampaignResult, CampaignSettings, InvitationCampaign
from commands.invitations.digest import DailyDigest
from commands.invitations.ports import BotUsername
from commands.texts import PLATFORM_NAMES, t
from scheduler.digest import DailyEmailJob
from store.forums import find_forum
from store.invitations import Scope, StatusRow, status

if TYPE_CHECKING:
    from bots.app import App

log = logging.getLogger(__name__)
MESSENGERS = ("teams", "telegram", "slack")


def add_parser(sub: argparse._SubParsersAction) -> None:
    """``lacznik invite`` with its options and the ``status`` sub-command."""
    invite = sub.add_parser(
        "invite", help="e-mail people without a messenger an invitation to link one",
        description="E-mail every person of the scope who has no messenger linked: a "
        "personal Telegram link (valid 14 days) and how Teams and Slack link. Running it "
        "again sends nobody the invitation twice, only the reminders that are due ([email] "
        "reminder_days, at most two). People who opted out get nothing. "
        "`lacznik invite status` shows who is linked, invited or not reachable.")
    invite.add_argument("what", nargs="?", choices=("status",),
                        help="status: linked / invited / not reachable per messenger and gmina")
    scope = invite.add_mutually_exclusive_group()
    scope.add_argument("--all", action="store_true", help="everyone in the directory")
    scope.add_argument("--gmina", metavar="NAME", help="the people of one gmina (any case, "
                       "or its TERYT code)")
    scope.add_argument("--forum", metavar="KEY", help="the members of a forum")
    invite.add_argument("--dry-run", action="store_true",
                        help="count what would be sent, send nothing")


def telegram_username(section: dict[str, Any] | None) -> BotUsername:
    """The bot's @username from Telegram's ``getMe`` (``[telegram] bot_username`` when
    getMe cannot be asked); None without a ``[telegram]`` section."""

    async def ask() -> str | None:
        if not section or not section.get("token"):
            return None
        from adapters.telegram.config import parse_config as telegram_config

        config = telegram_config(section)
        try:
            async with httpx.AsyncClient(timeout=10) as client:
                answer = await client.get(f"{config.bot_base_url}{config.token}/getMe")
            name = answer.json().get("result", {}).get("username")
            if isinstance(name, str) and name:
                return name
        except (httpx.HTTPError, ValueError):
            log.warning("Telegram getMe failed; using [telegram] bot_username")
        return config.bot_username or None

    return ask


def campaign_for(app: App, settings: EmailSettings, bot_username: BotUsername | None = None,
                 ) -> InvitationCampaign:
    """The campaign wired to SMTP and to the bot's @username (``bot_username``, else
    Telegram's getMe from ``[telegram]``). The e-mail explains the messengers configured
    besides Telegram (Teams and Slack when neither is)."""
    platforms = tuple(p for p in ("teams", "slack") if p in app.config.extra) or ("teams",
                                                                                  "slack")
    username = bot_username or telegram_username(app.config.extra.get("telegram"))
    return InvitationCampaign(
        app.db, app.clock, SmtpSender(settings), username,
        CampaignSettings(public_url=settings.public_url, reminder_days=settings.reminder_days,
                         platforms=platforms))


async def invite(app: App, args: argparse.Namespace) -> int:
    """Run ``lacznik invite``."""
    lang = cli_lang()
    await app.prepare(with_sample=False)
    scoped = bool(args.all or args.gmina or args.forum)
    if args.what == "status":
        if scoped or args.dry_run:
            print(f"error: {t(lang, 'invite.cli.status_scope')}", file=sys.stderr)
            return 2
        async with app.db.session() as session:
            rows = await status(session)
        print(status_table(rows, lang))
        return 0
    if not scoped:
        print(f"error: {t(lang, 'invite.cli.no_scope')}", file=sys.stderr)
        return 2
    section = app.config.extra.get("email")
    if not section:
        print(f"error: {t(lang, 'invite.cli.no_email')}", file=sys.stderr)
        return 2
    settings = parse_config(section)
    if not settings.public_url:
        print(f"error: {t(lang, 'invite.cli.no_public_url')}", file=sys.stderr)
        return 2
    scope, label = Scope(everyone=True), "--all"
    if args.gmina:
        resolution = resolve_gmina(args.gmina, await app.directory.index())
        if resolution.gmina is None:
            print(f"error: {refusal(resolution, lang)}", file=sys.stderr)
            return 2
        scope, label = Scope(gmina_id=resolution.gmina.id), candidate_line(resolution.gmina,
                                                                            lang)
    elif args.forum:
        async with app.db.session() as session:
            found = await find_forum(session, args.forum)
        if found is None:
            print(f"error: {t(lang, 'invite.cli.unknown_forum', key=args.forum)}",
                  file=sys.stderr)
            return 2
        scope, label = Scope(forum_id=found[0].id), found[0].key
    campaign = campaign_for(app, settings)
    result = await campaign.run(scope, dry_run=args.dry_run)
    print(t(lang, "invite.cli.scope", scope=label))
    print(counts_line(result, lang))
    if args.dry_run:
        print(t(lang, "invite.cli.dry_run"))
        return 0
    print(t(lang, "invite.cli.sent", invited=result.invited, reminded=result.reminded))
    for email, reason in result.failed:
        print(t(lang, "invite.cli.failed", email=email, reason=reason), file=sys.stderr)
    if result.stopped:
        print(t(lang, "invite.cli.stopped", reason=result.stopped, host=settings.host,
                port=settings.port), file=sys.stderr)
    if result.retry:
        print(t(lang, "invite.cli.retry", count=result.retry), file=sys.stderr)
    return 1 if result.failed or result.retry else 0


def counts_line(result: CampaignResult, lang: str) -> str:
    """What the campaign found, in one line."""
    p = result.planned
    return t(lang, "invite.cli.counts", people=sum(p.values()), linked=p["linked"],
             invite=p["invite"], remind=p["remind"], waiting=p["waiting"],
             opted_out=p["opted_out"], no_email=p["no_email"], refused=p["refused"])


def status_table(rows: list[StatusRow], lang: str) -> str:
    """``lacznik invite status``: one line per gmina and the total, tab-separated; ``+N ✗``
    after a messenger's count: people linked there whom it no longer reaches."""
    header = [t(lang, "invite.status.gmina"), t(lang, "invite.status.people"),
              *(PLATFORM_NAMES[m] for m in MESSENGERS), t(lang, "invite.status.linked"),
              t(lang, "invite.status.invited"), t(lang, "invite.status.opted_out"),
              t(lang, "invite.status.not_reachable")]
    lines = ["\t".join(header)]
    for index, row in enumerate(rows):
        name = t(lang, "invite.status.total") if index == len(rows) - 1 else (
            row.name or t(lang, "invite.status.no_gmina"))
        cells = [name, str(row.people)]
        for messenger in MESSENGERS:
            cell = str(row.linked[messenger])
            if row.unreachable[messenger]:
                cell += f" (+{row.unreachable[messenger]} ✗)"
            cells.append(cell)
        cells += [str(row.any_linked), str(row.invited), str(row.opted_out),
                  str(row.not_reachable)]
        lines.append("\t".join(cells))
    return "\n".join(lines)


def daily_email_job(app: App, bot_username: BotUsername | None = None) -> DailyEmailJob | None:
    """The once-a-day job for the scheduler: the digest (with ``[email] digest = true``) and
    the due invitation reminders; None without ``[email]``. Without a public address
    (``[server] public_url`` or ``[email] public_url``) there is no opt-out link to give: a
    :class:`ConfigError` stops the start-up. ``bot_username``: the running Telegram
    component's getMe, when the service has one."""
    section = app.config.extra.get("email")
    if not section:
        return None
    settings = parse_config(section)
    if not settings.public_url:
        # Reminders and digests carry an opt-out link: refuse to start rather than send none.
        raise ConfigError("server.public_url", "is required with [email]: the service's "
                          "public https:// address (every e-mail's opt-out link points there)")
    digest = DailyDigest(app.db, app.clock, SmtpSender(settings),
                         public_url=settings.public_url) if settings.digest else None
    return DailyEmailJob(clock=app.clock, digest=digest,
                         campaign=campaign_for(app, settings, bot_username))


def email_components(app: App, telegram: object | None = None) -> list[Any]:
    """What the service runs for e-mail: the opt-out page (always: links in e-mails sent
    earlier keep working) and, with ``[email]``, the daily job. ``telegram``: the running
    Telegram component, whose getMe identity names the bot in reminders."""
    from bots.invite_pages import InvitePagesComponent

    username: BotUsername | None = None
    if telegram is not None:
        async def from_component() -> str | None:
            identity = getattr(telegram, "identity", None)
            name = getattr(identity, "username", None)
            if isinstance(name, str) and name:
                return name
            return await telegram_username(app.config.extra.get("telegram"))()

        username = from_component
    job = daily_email_job(app, username)
    return [InvitePagesComponent(app.db, app.clock), *([job] if job else [])]
