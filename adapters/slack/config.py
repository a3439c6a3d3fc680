"""The ``[slack]`` configuration section, validated once at start-up.

Secrets may stay out of the file: a missing ``bot_token``, ``signing_secret`` or ``app_token``
is read from ``SLACK_BOT_TOKEN``, ``SLACK_SIGNING_SECRET`` or ``SLACK_APP_TOKEN``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlsplit

from adapters.slack.proxy import is_loopback
from commands.config_schema import ConfigError

EVENTS_PATH = "/slack/events"
DEFAULT_API_BASE_URL = "https://slack.com/api/"
DEFAULT_COMMANDS: Mapping[str, str] = {"/kto": "pl", "/who": "en"}
DEFAULT_APP_NAME = "Łącznik"

Mode = Literal["http", "socket"]

_BOT_TOKEN_RE = re.compile(r"xoxb-[A-Za-z0-9-]+")
_APP_TOKEN_RE = re.compile(r"xapp-[A-Za-z0-9-]+")
_TEAM_RE = re.compile(r"[TE][A-Z0-9]{2,20}")
# Slack: lower case, no spaces, at most 32 characters with the slash.
_COMMAND_RE = re.compile(r"/[a-z0-9_\-ąćęłńóśźż]{1,31}")
_ENV = {"bot_token": "SLACK_BOT_TOKEN", "signing_secret": "SLACK_SIGNING_SECRET",
        "app_token": "SLACK_APP_TOKEN"}
_KEYS = ("bot_token", "signing_secret", "app_token", "mode", "api_base_url",
         "allowed_team_ids", "commands", "public_url", "app_name", "proxy")
KEYS = _KEYS  # every accepted key (config.example.toml lists them; a test compares)


@dataclass(frozen=True, slots=True, kw_only=True)
class SlackConfig:
    """Validated ``[slack]`` settings. ``repr`` never shows a token or the signing secret.

    ``commands`` maps each slash command to the language its answers use by default
    ("pl", "en" or "" for the person's own choice). ``allowed_team_ids`` empty means: only
    the workspace the bot token belongs to.
    """

    bot_token: str = field(repr=False)
    signing_secret: str = field(default="", repr=False)
    app_token: str = field(default="", repr=False)
    mode: Mode = "http"
    api_base_url: str = DEFAULT_API_BASE_URL
    allowed_team_ids: frozenset[str] = frozenset()
    commands: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_COMMANDS))
    public_url: str = ""
    app_name: str = DEFAULT_APP_NAME
    proxy: str = field(default="", repr=False)  # may carry credentials


def parse_config(section: Mapping[str, Any], *, env: Mapping[str, str] | None = None,
                 require_secrets: bool = True) -> SlackConfig:
    """Validate the raw ``[slack]`` table; raises :class:`ConfigError` naming the key.

    ``require_secrets=False`` checks everything but the tokens (for the manifest, which an
    admin writes before Slack has issued any token).
    """
    environ: Mapping[str, str] = env or {}
    for key in section:
        if key not in _KEYS:
            raise ConfigError(f"slack.{key}", f"unknown key (known: {', '.join(_KEYS)})")
    mode = _text(section, "mode", "http")
    if mode not in ("http", "socket"):
        raise ConfigError("slack.mode", 'must be "http" or "socket"')
    secrets = {key: _text(section, key, environ.get(name, "")) for key, name in _ENV.items()}
    if require_secrets:
        _check_secrets(secrets, mode)
    return SlackConfig(
        bot_token=secrets["bot_token"], signing_secret=secrets["signing_secret"],
        app_token=secrets["app_token"], mode=mode,  # type: ignore[arg-type]  # checked above
        api_base_url=_api_base_url(section), allowed_team_ids=_teams(section),
        commands=_commands(section), public_url=_public_url(section),
        app_name=_app_name(section), proxy=_proxy(section),
    )


def _check_secrets(secrets: Mapping[str, str], mode: str) -> None:
    # Never echo a value: they are secrets.
    if not _BOT_TOKEN_RE.fullmatch(secrets["bot_token"]):
        raise ConfigError("slack.bot_token", "must be the Bot User OAuth Token (xoxb-…) from "
                          "OAuth & Permissions, or set SLACK_BOT_TOKEN")
    if mode == "http" and len(secrets["signing_secret"]) < 8:
        raise ConfigError("slack.signing_secret", "HTTP mode needs the Signing Secret from "
                          "Basic Information, or set SLACK_SIGNING_SECRET")
    if mode == "socket" and not _APP_TOKEN_RE.fullmatch(secrets["app_token"]):
        raise ConfigError("slack.app_token", "Socket Mode needs an app-level token (xapp-…) "
                          "with connections:write, or set SLACK_APP_TOKEN")


def _api_base_url(section: Mapping[str, Any]) -> str:
    url = _text(section, "api_base_url", DEFAULT_API_BASE_URL)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError("slack.api_base_url", "must be an https:// URL")
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        # The token travels with every call: plain HTTP only to this machine (a sandbox).
        raise ConfigError("slack.api_base_url", "must use https:// (http:// only for "
                          "localhost)")
    return url if url.endswith("/") else url + "/"


def _teams(section: Mapping[str, Any]) -> frozenset[str]:
    value = section.get("allowed_team_ids", [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(
        isinstance(v, str) and _TEAM_RE.fullmatch(v) for v in value
    ):
        raise ConfigError("slack.allowed_team_ids",
                          'must be a list of workspace ids such as ["T0123ABCD"]')
    return frozenset(value)


def _commands(section: Mapping[str, Any]) -> dict[str, str]:
    value = section.get("commands", DEFAULT_COMMANDS)
    if isinstance(value, list):
        value = {name: "" for name in value}
    if not isinstance(value, Mapping) or not value:
        raise ConfigError("slack.commands", 'must be a table such as { "/kto" = "pl", '
                          '"/who" = "en" } or a list of command names')
    commands: dict[str, str] = {}
    for name, lang in value.items():
        if not isinstance(name, str) or not _COMMAND_RE.fullmatch(name):
            raise ConfigError("slack.commands", f"{str(name)[:40]!r} is not a Slack command "
                              "name (a slash, then up to 31 lower-case letters, digits, - or _)")
        if lang not in ("pl", "en", ""):
            raise ConfigError("slack.commands", f'the language of {name} must be "pl", "en" '
                              'or ""')
        commands[name] = lang
    return commands


def _public_url(section: Mapping[str, Any]) -> str:
    url = _text(section, "public_url", "").rstrip("/")
    if url:
        parts = urlsplit(url)
        if parts.scheme != "https" or not parts.hostname or parts.query or parts.fragment:
            raise ConfigError("slack.public_url", "must be the public https:// address of this "
                              "service (Slack sends requests to it)")
    return url


def _app_name(section: Mapping[str, Any]) -> str:
    name = _text(section, "app_name", DEFAULT_APP_NAME)
    if not 1 <= len(name) <= 35:
        raise ConfigError("slack.app_name", "must be 1 to 35 characters (Slack's limit)")
    return name


def _proxy(section: Mapping[str, Any]) -> str:
    proxy = _text(section, "proxy", "")
    if proxy and urlsplit(proxy).scheme not in ("http", "https"):
        raise ConfigError("slack.proxy", "must be an http:// or https:// proxy URL")
    return proxy


def _text(section: Mapping[str, Any], key: str, default: str) -> str:
    value = section.get(key, default)
    if not isinstance(value, str):
        raise ConfigError(f"slack.{key}", "must be a string")
    return value.strip()
