"""``lacznik doctor``: is this installation ready? One line per check, with what to do.

Checks the configuration, the database and its migrations, each switched-on messenger's
credentials (Telegram ``getMe``, Slack ``auth.test`` — and ``apps.connections.open`` for
Socket Mode —, Teams: a token from the configured authority with msal), where each messenger
sends its updates (Telegram ``getWebhookInfo``; Slack and Teams do not let a bot read the
address they post to, so the configured public URL is checked and named), and the clock
against a messenger's ``Date`` header (Teams tokens and Slack signatures depend on it).
Exit status 0 only when every check passes. Secrets never appear in a line: errors are named
by the platform's error code or the exception's type, never by a URL that holds a token.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import aiohttp

from bots.config import Config, ConfigError, load_config
from commands.texts import t

PASS, WARN, FAIL, SKIP = "pass", "warn", "fail", "skip"
SKEW_LIMIT_SECONDS = 60.0  # Slack refuses signatures older than 5 min; warn well before
HTTP_TIMEOUT_SECONDS = 15.0


@dataclass(frozen=True, slots=True)
class Finding:
    """One check's outcome and its line (in the terminal's language)."""

    status: str
    line: str


@dataclass(slots=True)
class _Examination:
    lang: str
    env: Mapping[str, str]
    wall_clock: Callable[[], float]
    findings: list[Finding] = field(default_factory=list)
    skew: tuple[float, str] | None = None  # (seconds, the server it was measured against)

    def add(self, status: str, key: str, **values: object) -> None:
        self.findings.append(Finding(status, t(self.lang, key, **values)))

    def note_date(self, headers: Mapping[str, str], source: str, sent: float,
                  received: float) -> None:
        """Remember the clock difference from a response's ``Date`` header (the first)."""
        if self.skew is not None or not headers.get("Date"):
            return
        try:
            # whole seconds, cut: the server's moment lies in the half-second after it
            server = parsedate_to_datetime(headers["Date"]).timestamp() + 0.5
        except (TypeError, ValueError):
            return
        # the middle of the request is our best guess of the moment the server answered
        local = (sent + received) / 2
        self.skew = (local - server, source)


def add_parser(sub: argparse._SubParsersAction) -> None:
    """``lacznik doctor``."""
    sub.add_parser("doctor", help="check the configuration, the database, each messenger's "
                   "credentials and webhook, and the clock; exit 0 only if all pass")


async def examine(path: Path | None, *, lang: str, env: Mapping[str, str] | None = None,
                  wall_clock: Callable[[], float] = time.time) -> list[Finding]:
    """Every check for the configuration at ``path`` (None: as ``lacznik`` finds it)."""
    environ = os.environ if env is None else env
    exam = _Examination(lang=lang, env=environ, wall_clock=wall_clock)
    try:
        config = load_config(path, env=dict(environ))
        sections = _validate_sections(config, environ)
    except ConfigError as exc:
        exam.add(FAIL, "doctor.config.bad", problem=str(exc))
        return exam.findings
    exam.add(PASS, "doctor.config.ok")
    await _database(exam, config)
    timeout = aiohttp.ClientTimeout(total=HTTP_TIMEOUT_SECONDS)
    async with aiohttp.ClientSession(timeout=timeout, trust_env=True) as http:
        if (telegram := sections.get("telegram")) is not None:
            await _telegram(exam, http, telegram)
        if (slack := sections.get("slack")) is not None:
            await _slack(exam, http, slack)
    if (teams := sections.get("teams")) is not None:
        await _teams(exam, teams)
    if not sections:
        exam.add(SKIP, "doctor.messengers.none")
    _clock(exam)
    return exam.findings


def _validate_sections(config: Config, env: Mapping[str, str]) -> dict[str, Any]:
    """The messengers' validated settings; every other section validated as the service
    does at start (a :class:`ConfigError` names the key)."""
    from bots.app import reminder_settings
    from bots.config import announcement_settings, delivery_settings, forum_settings
    from bots.legal_pages import legal_settings
    from bots.retention_config import retention_settings

    extra = config.extra
    reminder_settings(config)
    announcement_settings(extra.get("announcements", {}))
    forum_settings(extra.get("forums", {}))
    delivery_settings(extra.get("delivery", {}))
    retention_settings(extra.get("retention", {}))
    legal_settings(extra.get("legal", {}))
    found: dict[str, Any] = {}
    if "telegram" in extra:
        from adapters.telegram.config import parse_config as telegram_config

        found["telegram"] = telegram_config(extra["telegram"])
    if "slack" in extra:
        from adapters.slack.config import parse_config as slack_config

        found["slack"] = slack_config(extra["slack"], env=env)
    if "teams" in extra:
        from adapters.teams.settings import parse_settings

        found["teams"] = parse_settings(extra["teams"], env=env)
    return found


# --- the database ---------------------------------------------------------------------------


async def _database(exam: _Examination, config: Config) -> None:
    from store.db import Database, connection_problem, display_url, parse_url

    url, setting = display_url(config.database.url), config.database_setting
    if _sqlite_file_missing(parse_url(config.database.url)):
        exam.add(FAIL, "doctor.db.missing", url=url, setting=setting)  # doctor creates nothing
        return
    db = Database(config.database.url)
    try:
        try:
            current = await _current_revisions(db)
        except Exception as exc:
            problem = connection_problem(exc) or type(exc).__name__
            exam.add(FAIL, "doctor.db.down", url=url, problem=problem, setting=setting)
            return
        exam.add(PASS, "doctor.db.ok", url=url)
        pending = await asyncio.to_thread(_pending, db, current)
        if pending:
            exam.add(FAIL, "doctor.migrations.pending", count=pending)
        else:
            exam.add(PASS, "doctor.migrations.ok", revision=", ".join(sorted(current)))
    finally:
        await db.dispose()


def _sqlite_file_missing(url: Any) -> bool:
    database = url.database or ""
    return (url.get_backend_name() == "sqlite" and bool(database) and database != ":memory:"
            and not database.startswith("file:") and not Path(database).expanduser().exists())


async def _current_revisions(db: Any) -> tuple[str, ...]:
    from alembic.runtime.migration import MigrationContext

    async with db.engine.connect() as connection:
        return tuple(await connection.run_sync(
            lambda sync: MigrationContext.configure(sync).get_current_heads()))


def _pending(db: Any, current: tuple[str, ...]) -> int:
    """How many revisions lie between the database's and the installed heads."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(db.alembic_config())
    if set(current) == set(script.get_heads()):
        return 0
    return sum(1 for _ in script.iterate_revisions("heads", current or "base"))


# --- messengers -----------------------------------------------------------------------------


async def _call(exam: _Examination, http: aiohttp.ClientSession, method: str, url: str, *,
                source: str, **kwargs: Any) -> tuple[int, Any] | str:
    """(status, JSON body) of one API call, noting its ``Date``; or why it failed (the
    exception's type: its text may hold the URL, and a Telegram URL holds the token)."""
    sent = exam.wall_clock()
    try:
        async with http.request(method, url, **kwargs) as response:
            received = exam.wall_clock()
            exam.note_date(response.headers, source, sent, received)
            try:
                body = await response.json(content_type=None)
            except ValueError:
                body = None
            return response.status, body
    except (aiohttp.ClientError, TimeoutError, OSError) as exc:
        return type(exc).__name__


async def _telegram(exam: _Examination, http: aiohttp.ClientSession, config: Any) -> None:
    base = f"{config.api_base_url}/bot{config.token}"
    shown = config.api_base_url
    answer = await _call(exam, http, "GET", f"{base}/getMe", source=shown)
    if isinstance(answer, str):
        exam.add(FAIL, "doctor.unreachable", platform="Telegram", url=shown, problem=answer,
                 setting="[telegram] api_base_url")
        return
    status, body = answer
    if status != 200 or not isinstance(body, dict) or not body.get("ok"):
        problem = _telegram_problem(status, body)
        exam.add(FAIL, "doctor.telegram.refused", problem=problem)
        return
    exam.add(PASS, "doctor.telegram.ok", username=body["result"].get("username", "?"))
    answer = await _call(exam, http, "GET", f"{base}/getWebhookInfo", source=shown)
    if isinstance(answer, str) or answer[0] != 200 or not isinstance(answer[1], dict):
        problem = answer if isinstance(answer, str) else _telegram_problem(*answer)
        exam.add(FAIL, "doctor.unreachable", platform="Telegram (getWebhookInfo)", url=shown,
                 problem=problem, setting="[telegram] api_base_url")
        return
    info = answer[1].get("result") or {}
    actual = str(info.get("url") or "")
    if config.mode == "webhook":
        if actual != config.webhook_url:
            exam.add(FAIL, "doctor.telegram.webhook_mismatch", actual=actual or "—",
                     expected=config.webhook_url)
            return
        exam.add(PASS, "doctor.telegram.webhook_ok", url=actual)
        if info.get("last_error_message"):
            exam.add(WARN, "doctor.telegram.webhook_error",
                     problem=str(info["last_error_message"])[:200], url=actual)
    elif actual:
        exam.add(FAIL, "doctor.telegram.polling_webhook", actual=actual)
    else:
        exam.add(PASS, "doctor.telegram.polling_ok")


def _telegram_problem(status: int, body: Any) -> str:
    description = body.get("description") if isinstance(body, dict) else None
    return f"HTTP {status}" + (f" {str(description)[:120]}" if description else "")


async def _slack(exam: _Examination, http: aiohttp.ClientSession, config: Any) -> None:
    shown = config.api_base_url
    proxy = config.proxy or None
    answer = await _call(exam, http, "POST", f"{shown}auth.test", source=shown, proxy=proxy,
                         headers={"Authorization": f"Bearer {config.bot_token}"})
    if isinstance(answer, str):
        exam.add(FAIL, "doctor.unreachable", platform="Slack", url=shown, problem=answer,
                 setting="[slack] api_base_url")
        return
    status, body = answer
    if not isinstance(body, dict) or not body.get("ok"):
        exam.add(FAIL, "doctor.slack.refused", problem=_slack_problem(status, body))
        return
    exam.add(PASS, "doctor.slack.ok", team=body.get("team", "?"), user=body.get("user", "?"))
    if config.mode == "socket":
        answer = await _call(exam, http, "POST", f"{shown}apps.connections.open", source=shown,
                             proxy=proxy,
                             headers={"Authorization": f"Bearer {config.app_token}"})
        if isinstance(answer, str):
            exam.add(FAIL, "doctor.unreachable", platform="Slack", url=shown, problem=answer,
                     setting="[slack] api_base_url")
        elif not isinstance(answer[1], dict) or not answer[1].get("ok"):
            exam.add(FAIL, "doctor.slack.app_refused", problem=_slack_problem(*answer))
        else:
            exam.add(PASS, "doctor.slack.app_ok")
        exam.add(PASS, "doctor.slack.socket")
        return
    if config.public_url:  # validated: https, a host, no query
        exam.add(PASS, "doctor.slack.url_ok", url=config.public_url,
                 events=f"{config.public_url}/slack/events")
    else:
        exam.add(WARN, "doctor.slack.url_missing")


def _slack_problem(status: int, body: Any) -> str:
    error = body.get("error") if isinstance(body, dict) else None
    return str(error)[:80] if error else f"HTTP {status}"


async def _teams(exam: _Examination, settings: Any) -> None:
    authority = settings.authority_url
    outcome = await asyncio.to_thread(_teams_token, settings)
    if outcome[0] == "unreachable":
        exam.add(FAIL, "doctor.teams.unreachable", authority=authority, problem=outcome[1])
    elif outcome[0] == "refused":
        exam.add(FAIL, "doctor.teams.refused", authority=authority, problem=outcome[1])
    else:
        exam.add(PASS, "doctor.teams.ok", authority=authority)
    if exam.skew is None:
        await asyncio.to_thread(_teams_date, exam, settings)
    if settings.public_domain:
        exam.add(PASS, "doctor.teams.url_ok", domain=settings.public_domain)
    else:
        exam.add(WARN, "doctor.teams.url_missing")


def _teams_token(settings: Any) -> tuple[str, str]:
    """Blocking: ("ok", ""), ("refused", error code) or ("unreachable", why) — the way the
    adapter asks (:mod:`adapters.teams.bot_token`), without its retries."""
    import msal

    credential: Any = (settings.certificate.as_msal() if settings.certificate is not None
                       else settings.app_password or "")
    try:
        client = msal.ConfidentialClientApplication(
            settings.app_id, client_credential=credential, authority=settings.authority_url,
            instance_discovery=False)
        result = client.acquire_token_for_client(scopes=[settings.bot_scope])
    except Exception as exc:  # requests/msal raise many kinds: the authority is not there
        return "unreachable", type(exc).__name__
    if isinstance(result, dict) and "access_token" in result:
        return "ok", ""
    return "refused", str((result or {}).get("error", "unknown_error"))[:80]


def _teams_date(exam: _Examination, settings: Any) -> None:
    """Blocking: the authority's ``Date``, asked as msal asks it (``requests``, trusting
    ``REQUESTS_CA_BUNDLE``)."""
    import requests

    url = f"{settings.authority_url}/v2.0/.well-known/openid-configuration"
    sent = exam.wall_clock()
    try:
        response = requests.get(url, timeout=HTTP_TIMEOUT_SECONDS)
    except requests.RequestException:
        return
    exam.note_date(response.headers, settings.authority, sent, exam.wall_clock())


# --- the clock ------------------------------------------------------------------------------


def _clock(exam: _Examination) -> None:
    if exam.skew is None:
        exam.add(SKIP, "doctor.clock.skip")
        return
    seconds, source = exam.skew
    shown = f"{seconds:+.0f}"
    if abs(seconds) > SKEW_LIMIT_SECONDS:
        exam.add(WARN, "doctor.clock.skewed", skew=shown, source=source)
    else:
        exam.add(PASS, "doctor.clock.ok", skew=shown, source=source)


# --- the command ----------------------------------------------------------------------------


def report(findings: list[Finding], *, lang: str, source: str) -> tuple[str, int]:
    """The text ``lacznik doctor`` prints and its exit status (0: every check passed)."""
    width = max(len(t(lang, f"doctor.status.{s}")) for s in (PASS, WARN, FAIL, SKIP))
    lines = [t(lang, "doctor.title", source=source)]
    for finding in findings:
        label = t(lang, f"doctor.status.{finding.status}")
        lines.append(f"  {label:<{width}}  {finding.line}")
    counted = [f for f in findings if f.status != SKIP]
    bad = sum(1 for f in counted if f.status != PASS)
    lines.append(t(lang, "doctor.summary.bad", bad=bad, count=len(counted)) if bad
                 else t(lang, "doctor.summary.ok", count=len(counted)))
    return "\n".join(lines), (1 if bad else 0)


def run(args: argparse.Namespace) -> int:
    """``lacznik doctor``: print one line per check; 0 only when all pass, else 1."""
    from bots.cli_demo import cli_lang

    lang = cli_lang()
    findings = asyncio.run(examine(args.config, lang=lang))
    source = str(args.config or os.environ.get("LACZNIK_CONFIG") or _found_file()
                 or t(lang, "doctor.embedded"))
    text, status = report(findings, lang=lang, source=source)
    print(text)
    return status


def _found_file() -> str:
    from bots.config import DEFAULT_CONFIG_FILES

    return next((name for name in DEFAULT_CONFIG_FILES if Path(name).is_file()), "")
