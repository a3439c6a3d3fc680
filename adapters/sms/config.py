"""The ``[sms]`` configuration section, declared and validated once at start-up."""

from __future__ import annotations

import base64
from decimal import Decimal
from typing import Annotated, Any, Literal, Self
from urllib.parse import urlsplit

from pydantic import ConfigDict, Field, field_validator, model_validator

from commands.announcements.sms import SmsSettings
from commands.config_schema import ConfigError, Problem, SectionSchema, read_section, section_keys

DEFAULT_API_BASE_URL = "https://api.smsapi.pl/"


class SmsConfig(SectionSchema):
    """Validated ``[sms]`` settings. ``repr`` never shows the token or the link secret."""

    model_config = ConfigDict(str_strip_whitespace=True)  # merged with the strict base
    section = "sms"

    provider: Annotated[Literal["smsapi"], Problem('must be "smsapi"')] = "smsapi"
    token: str = Field(repr=False)  # SMSAPI's OAuth token (bearer)
    api_base_url: str = DEFAULT_API_BASE_URL  # replaces the provider's address (a stand-in)
    sender: Annotated[str, Field(max_length=11),
                      Problem("must be a sender name registered at SMSAPI (at most 11 "
                              "characters)")] = ""
    # This service's address: the link in every SMS and the report callback. Default: the
    # service-wide [server] public_url (bots.config fills it in); one of the two is required.
    public_url: str = ""
    link_secret: str = Field("", repr=False)  # signs the acknowledgement links
    price_per_segment: Annotated[float, Field(ge=0, le=10),
                                 Problem("must be a price in zł from 0 to 10", "must be a "
                                         "number, e.g. 0.16")] = 0.16
    requests_per_second: Annotated[int, Field(ge=1, le=1000),
                                   Problem("must be a whole number from 1 to 1000")] = 50
    escalate_unacknowledged: bool = False  # also text those silent after the first re-ping
    delivery_reports: bool = True  # ask SMSAPI to call /sms/reports/<key> (notify_url)

    @field_validator("token")
    @classmethod
    def _token(cls, token: str) -> str:
        if not token or any(c.isspace() for c in token):
            raise ConfigError("sms.token", "must be the OAuth token from the SMSAPI panel")
        return token

    @field_validator("api_base_url", "public_url")
    @classmethod
    def _url(cls, url: str, info: Any) -> str:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigError(f"sms.{info.field_name}", "must be an http:// or https:// URL")
        return url.rstrip("/") + ("/" if info.field_name == "api_base_url" else "")

    @model_validator(mode="after")
    def _a_public_url(self) -> Self:
        if not self.public_url:
            raise ConfigError("sms.public_url", "is required: set [server] public_url to the "
                              "service's public https:// address (every SMS links there), "
                              "or [sms] public_url", shape=True)
        return self

    @field_validator("link_secret")
    @classmethod
    def _secret(cls, secret: str) -> str:
        if secret and len(secret) < 32:
            raise ConfigError("sms.link_secret", "must be at least 32 characters "
                              "(e.g. `openssl rand -base64 32`)")
        return secret

    def settings(self) -> SmsSettings:
        """What the command core needs of this section."""
        return SmsSettings(public_url=self.public_url, link_secret=self.secret_bytes(),
                           price_per_segment=Decimal(str(self.price_per_segment)),
                           escalate_unacknowledged=self.escalate_unacknowledged)

    def secret_bytes(self) -> bytes:
        """The link secret; without one, a key derived from the token (links then change
        when the token does — set ``link_secret`` to keep them valid)."""
        if self.link_secret:
            return self.link_secret.encode()
        return base64.b64encode(("lacznik-sms-link:" + self.token).encode())


KEYS = section_keys(SmsConfig)


def parse_config(section: dict[str, Any]) -> SmsConfig:
    """Validate the raw ``[sms]`` table; raises :class:`ConfigError` naming the key."""
    return read_section(SmsConfig, section)
