"""The ``[slack]`` configuration section, validated once at start-up.

Secrets may stay out of the file: a missing ``bot_token``, ``signing_secret`` or ``app_token``
is read from ``SLACK_BOT_TOKEN``, ``SLACK_SIGNING_SECRET`` or ``SLACK_APP_TOKEN``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import ConfigDict, Field, ValidationInfo, field_validator

from adapters.net import is_loopback
from commands.config_schema import STRIPPED, ConfigError, Problem, SectionSchema, read_section

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


class SlackConfig(SectionSchema):
    """Validated ``[slack]`` settings. ``repr`` never shows a token or the signing secret.

    ``commands`` maps each slash command to the language its answers use by default
    ("pl", "en" or "" for the person's own choice). ``allowed_team_ids`` empty means: only
    the workspace the bot token belongs to.
    """

    model_config = ConfigDict(str_strip_whitespace=True)  # merged with the strict base
    section = "slack"
    # The mode first: which secrets are needed depends on it.
    checked_in = ("mode", "bot_token", "signing_secret", "app_token", "api_base_url",
                  "allowed_team_ids", "commands", "public_url", "app_name", "proxy")

    bot_token: str = Field("", repr=False)
    signing_secret: str = Field("", repr=False)
    app_token: str = Field("", repr=False)
    # validated also when absent: the secrets it needs are checked with it (see _secrets)
    mode: Annotated[Mode, STRIPPED, Problem('must be "http" or "socket"'),
                    Field(validate_default=True)] = "http"
    api_base_url: str = DEFAULT_API_BASE_URL
    allowed_team_ids: frozenset[str] = frozenset()
    commands: dict[str, str] = Field(default_factory=lambda: dict(DEFAULT_COMMANDS))
    public_url: str = ""
    app_name: Annotated[str, Field(min_length=1, max_length=35),
                        Problem("must be 1 to 35 characters (Slack's limit)",
                                "must be a string")] = DEFAULT_APP_NAME
    proxy: str = Field("", repr=False)  # may carry credentials

    @field_validator("mode")
    @classmethod
    def _secrets(cls, mode: Mode, info: ValidationInfo) -> Mode:
        """With ``require_secrets`` in the context: the tokens this mode needs (declared
        before the mode, so read here, right after it, as they always were)."""
        read = info.data  # a secret of the wrong type is not there: reported as it is
        if info.context and info.context.get("require_secrets") and set(_ENV) <= set(read):
            _check_secrets(read["bot_token"], read["signing_secret"], read["app_token"],
                           mode=mode)
        return mode

    @field_validator("api_base_url")
    @classmethod
    def _api_base_url(cls, url: str) -> str:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigError("slack.api_base_url", "must be an https:// URL")
        if parts.scheme == "http" and not is_loopback(parts.hostname):
            # The token travels with every call: plain HTTP only to this machine (a sandbox).
            raise ConfigError("slack.api_base_url", "must use https:// (http:// only for "
                              "localhost)")
        return url if url.endswith("/") else url + "/"

    @field_validator("allowed_team_ids", mode="before")
    @classmethod
    def _teams(cls, value: object) -> frozenset[str]:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(
            isinstance(v, str) and _TEAM_RE.fullmatch(v) for v in value
        ):
            raise ConfigError("slack.allowed_team_ids",
                              'must be a list of workspace ids such as ["T0123ABCD"]')
        return frozenset(value)

    @field_validator("commands", mode="before")
    @classmethod
    def _commands(cls, value: object) -> dict[str, str]:
        if isinstance(value, list):
            value = {name: "" for name in value}
        if not isinstance(value, Mapping) or not value:
            raise ConfigError("slack.commands", 'must be a table such as { "/kto" = "pl", '
                              '"/who" = "en" } or a list of command names')
        commands: dict[str, str] = {}
        for name, lang in value.items():
            if not isinstance(name, str) or not _COMMAND_RE.fullmatch(name):
                raise ConfigError("slack.commands", f"{str(name)[:40]!r} is not a Slack "
                                  "command name (a slash, then up to 31 lower-case letters, "
                                  "digits, - or _)")
            if lang not in ("pl", "en", ""):
                raise ConfigError("slack.commands", f'the language of {name} must be "pl", '
                                  '"en" or ""')
            commands[name] = lang
        return commands

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, url: str) -> str:
        url = url.rstrip("/")
        if url:
            parts = urlsplit(url)
            if parts.scheme != "https" or not parts.hostname or parts.query or parts.fragment:
                raise ConfigError("slack.public_url", "must be the public https:// address "
                                  "of this service (Slack sends requests to it)")
        return url

    @field_validator("proxy")
    @classmethod
    def _proxy(cls, proxy: str) -> str:
        if proxy and urlsplit(proxy).scheme not in ("http", "https"):
            raise ConfigError("slack.proxy", "must be an http:// or https:// proxy URL")
        return proxy


def parse_config(section: Mapping[str, Any], *, env: Mapping[str, str] | None = None,
                 require_secrets: bool = True) -> SlackConfig:
    """Validate the raw ``[slack]`` table; raises :class:`ConfigError` naming the key.

    A secret missing from the table comes from its environment variable.
    ``require_secrets=False`` checks everything but the tokens (for the manifest, which an
    admin writes before Slack has issued any token).
    """
    environ: Mapping[str, str] = env or {}
    raw = dict(section) if isinstance(section, Mapping) else section
    if isinstance(raw, dict):
        for key, name in _ENV.items():
            if key not in raw and environ.get(name):
                raw[key] = environ[name]
    return read_section(SlackConfig, raw, context={"require_secrets": require_secrets})


def _check_secrets(bot_token: str, signing_secret: str, app_token: str, *, mode: str) -> None:
    # Never echo a value: they are secrets.
    if not _BOT_TOKEN_RE.fullmatch(bot_token):
        raise ConfigError("slack.bot_token", "must be the Bot User OAuth Token (xoxb-…) from "
                          "OAuth & Permissions, or set SLACK_BOT_TOKEN")
    if mode == "http" and len(signing_secret) < 8:
        raise ConfigError("slack.signing_secret", "HTTP mode needs the Signing Secret from "
                          "Basic Information, or set SLACK_SIGNING_SECRET")
    if mode == "socket" and not _APP_TOKEN_RE.fullmatch(app_token):
        raise ConfigError("slack.app_token", "Socket Mode needs an app-level token (xapp-…) "
                          "with connections:write, or set SLACK_APP_TOKEN")
