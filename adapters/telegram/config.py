"""The ``[telegram]`` configuration section, declared and validated once at start-up."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import ConfigDict, Field, ValidationInfo, field_validator

from commands.config_schema import STRIPPED, ConfigError, Problem, SectionSchema, read_section

WEBHOOK_PATH = "/telegram/webhook"
DEFAULT_API_BASE_URL = "https://api.telegram.org"

_TOKEN_RE = re.compile(r"\d+:[A-Za-z0-9_-]+")
_SECRET_RE = re.compile(r"[A-Za-z0-9_-]{1,256}")  # what setWebhook accepts as secret_token
_USERNAME_RE = re.compile(r"[A-Za-z][A-Za-z0-9_]{3,31}")

Mode = Literal["polling", "webhook"]


def _whole(low: int, high: int) -> Problem:
    return Problem(f"must be a whole number from {low} to {high}")


class TelegramConfig(SectionSchema):
    """Validated ``[telegram]`` settings. ``repr`` never shows the token or the secret."""

    model_config = ConfigDict(str_strip_whitespace=True)  # merged with the strict base
    section = "telegram"

    token: str = Field(repr=False)
    mode: Annotated[Mode, STRIPPED, Problem('must be "polling" or "webhook"')] = "polling"
    webhook_url: str = ""
    # validated also when absent: webhook mode needs one (see _webhook)
    webhook_secret: str = Field("", repr=False, validate_default=True)
    api_base_url: str = DEFAULT_API_BASE_URL
    bot_username: str = ""
    poll_timeout: Annotated[int, Field(ge=0, le=50), _whole(0, 50)] = 30
    max_messages_per_second: Annotated[int, Field(ge=1, le=1000), _whole(1, 1000)] = 30
    # Messages to one chat in any 3 seconds (Telegram allows about one a second; a burst of
    # 3 lets a reply split in three go out at once).
    chat_messages_per_three_seconds: Annotated[
        int, Field(ge=1, le=30), _whole(1, 30)] = 3

    @field_validator("token")
    @classmethod
    def _bot_token(cls, token: str) -> str:
        if not _TOKEN_RE.fullmatch(token):
            # Never echo the value: it is a secret.
            raise ConfigError("telegram.token", "must be the bot token from @BotFather "
                              "(digits, a colon, then letters, digits, _ or -)")
        return token

    @field_validator("api_base_url")
    @classmethod
    def _api_base_url(cls, url: str) -> str:
        url = url.rstrip("/")
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigError("telegram.api_base_url", "must be an http:// or https:// URL")
        return url

    @field_validator("bot_username")
    @classmethod
    def _username(cls, name: str) -> str:
        name = name.removeprefix("@")
        if name and not _USERNAME_RE.fullmatch(name):
            raise ConfigError("telegram.bot_username", "must be the bot's @username")
        return name

    @field_validator("webhook_secret")
    @classmethod
    def _webhook(cls, secret: str, info: ValidationInfo) -> str:
        # The last of the webhook keys: checked here, before the keys that follow.
        if "mode" not in info.data or "webhook_url" not in info.data:
            return secret  # reported as they are
        if info.data["mode"] == "webhook":
            parts = urlsplit(info.data["webhook_url"])
            if parts.scheme != "https" or not parts.hostname:
                raise ConfigError("telegram.webhook_url",
                                  f"webhook mode needs the public https:// URL that reaches "
                                  f"{WEBHOOK_PATH} on this service")
            if not _SECRET_RE.fullmatch(secret):
                raise ConfigError("telegram.webhook_secret",
                                  "webhook mode needs a secret of 1-256 characters "
                                  "A-Z, a-z, 0-9, _ or -")
        elif secret and not _SECRET_RE.fullmatch(secret):
            raise ConfigError("telegram.webhook_secret",
                              "must be 1-256 characters A-Z, a-z, 0-9, _ or -")
        return secret

    @property
    def bot_base_url(self) -> str:
        """What ``telegram.Bot`` takes as ``base_url`` (it appends the token)."""
        return f"{self.api_base_url}/bot"


def parse_config(section: dict[str, Any]) -> TelegramConfig:
    """Validate the raw ``[telegram]`` table; raises :class:`ConfigError` naming the key."""
    return read_section(TelegramConfig, section)
