"""The ``[telegram]`` configuration section, validated once at start-up."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

from commands.config_schema import ConfigError

WEBHOOK_PATH = "/telegram/webhook"
DEFAULT_API_BASE_URL = "https://api.telegram.org"

_TOKEN_RE = re.compile(r"\d+:[A-Za-z0-9_-]+")
_SECRET_RE = re.compile(r"[A-Za-z0-9_-]{1,256}")  # what setWebhook accepts as secret_token
_USERNAME_RE = re.compile(r"[A-Za-z][A-Za-z0-9_]{3,31}")

Mode = Literal["polling", "webhook"]


@dataclass(frozen=True, slots=True, kw_only=True)
class TelegramConfig:
    """Validated ``[telegram]`` settings. ``repr`` never shows the token or the secret."""

    token: str
    mode: Mode = "polling"
    webhook_url: str = ""
    webhook_secret: str = ""
    api_base_url: str = DEFAULT_API_BASE_URL
    bot_username: str = ""
    poll_timeout: int = 30
    max_messages_per_second: int = 30

    def __repr__(self) -> str:
        return (f"TelegramConfig(mode={self.mode!r}, api_base_url={self.api_base_url!r}, "
                f"webhook_url={self.webhook_url!r}, bot_username={self.bot_username!r})")

    @property
    def bot_base_url(self) -> str:
        """What ``telegram.Bot`` takes as ``base_url`` (it appends the token)."""
        return f"{self.api_base_url}/bot"


_KEYS = ("token", "mode", "webhook_url", "webhook_secret", "api_base_url", "bot_username",
         "poll_timeout", "max_messages_per_second")
KEYS = _KEYS  # every accepted key (config.example.toml lists them; a test compares)


def parse_config(section: dict[str, Any]) -> TelegramConfig:
    """Validate the raw ``[telegram]`` table; raises :class:`ConfigError` naming the key."""
    for key in section:
        if key not in _KEYS:
            raise ConfigError(f"telegram.{key}", f"unknown key (known: {', '.join(_KEYS)})")
    token = _text(section, "token")
    if not _TOKEN_RE.fullmatch(token):
        # Never echo the value: it is a secret.
        raise ConfigError("telegram.token", "must be the bot token from @BotFather "
                          "(digits, a colon, then letters, digits, _ or -)")
    mode = _text(section, "mode", "polling")
    if mode not in ("polling", "webhook"):
        raise ConfigError("telegram.mode", 'must be "polling" or "webhook"')
    webhook_url = _text(section, "webhook_url", "")
    webhook_secret = _text(section, "webhook_secret", "")
    if mode == "webhook":
        parts = urlsplit(webhook_url)
        if parts.scheme != "https" or not parts.hostname:
            raise ConfigError("telegram.webhook_url",
                              f"webhook mode needs the public https:// URL that reaches "
                              f"{WEBHOOK_PATH} on this service")
        if not _SECRET_RE.fullmatch(webhook_secret):
            raise ConfigError("telegram.webhook_secret",
                              "webhook mode needs a secret of 1-256 characters "
                              "A-Z, a-z, 0-9, _ or -")
    elif webhook_secret and not _SECRET_RE.fullmatch(webhook_secret):
        raise ConfigError("telegram.webhook_secret",
                          "must be 1-256 characters A-Z, a-z, 0-9, _ or -")
    api_base_url = _text(section, "api_base_url", DEFAULT_API_BASE_URL).rstrip("/")
    api_parts = urlsplit(api_base_url)
    if api_parts.scheme not in ("http", "https") or not api_parts.hostname:
        raise ConfigError("telegram.api_base_url", "must be an http:// or https:// URL")
    bot_username = _text(section, "bot_username", "").removeprefix("@")
    if bot_username and not _USERNAME_RE.fullmatch(bot_username):
        raise ConfigError("telegram.bot_username", "must be the bot's @username")
    poll_timeout = _number(section, "poll_timeout", 30, 0, 50)
    per_second = _number(section, "max_messages_per_second", 30, 1, 1000)
    return TelegramConfig(
        token=token, mode=mode,  # type: ignore[arg-type]  # checked above
        webhook_url=webhook_url, webhook_secret=webhook_secret, api_base_url=api_base_url,
        bot_username=bot_username, poll_timeout=poll_timeout,
        max_messages_per_second=per_second,
    )


def _text(section: dict[str, Any], key: str, default: str | None = None) -> str:
    value = section.get(key, default)
    if value is None:
        raise ConfigError(f"telegram.{key}", "is required")
    if not isinstance(value, str):
        raise ConfigError(f"telegram.{key}", "must be a string")
    return value.strip()


def _number(section: dict[str, Any], key: str, default: int, low: int, high: int) -> int:
    value = section.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ConfigError(f"telegram.{key}", f"must be a whole number from {low} to {high}")
    return value
