"""The ``[panel]`` configuration section: the office panel's sessions and Entra ID sign-in."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any, Self
from urllib.parse import urlsplit

from pydantic import ConfigDict, Field, field_validator, model_validator

from commands.config_schema import ConfigError, Problem, SectionSchema, read_section

DEFAULT_ENTRA_AUTHORITY = "https://login.microsoftonline.com"


class PanelConfig(SectionSchema):
    """Validated ``[panel]`` settings. ``repr`` never shows the Entra client secret."""

    model_config = ConfigDict(str_strip_whitespace=True)
    section = "panel"

    enabled: bool = True  # serve /panel/ on the [server] port
    session_hours: Annotated[int, Field(ge=1, le=720),
                             Problem("must be a whole number of hours from 1 to 720")] = 12
    idle_minutes: Annotated[int, Field(ge=5, le=1440),
                            Problem("must be a whole number of minutes from 5 to 1440")] = 120
    # Microsoft Entra ID (OpenID Connect, authorization code + PKCE): on when client_id is set.
    entra_tenant_id: str = ""
    entra_client_id: str = ""
    entra_client_secret: str = Field("", repr=False)
    entra_authority: str = DEFAULT_ENTRA_AUTHORITY  # replaced by a stand-in in tests

    @field_validator("entra_authority")
    @classmethod
    def _url(cls, url: str, info: Any) -> str:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigError(f"panel.{info.field_name}", "must be an http:// or https:// URL")
        return url.rstrip("/")

    @model_validator(mode="after")
    def _entra_complete(self) -> Self:
        # Sign-in must name one organisation: with "common" and the like, anybody's Microsoft
        # account would reach the tenant check, which refuses every one of them.
        if not self.entra_client_id:
            return self
        if self.entra_tenant_id.lower() in ("", "common", "organizations", "consumers"):
            raise ConfigError("panel.entra_tenant_id", "must be the organisation's tenant "
                              "(Directory ID or domain, e.g. gmina.onmicrosoft.com) when "
                              "entra_client_id is set")
        if not self.entra_client_secret:
            raise ConfigError("panel.entra_client_secret", "is required when "
                              "entra_client_id is set (Entra: Certificates & secrets)")
        return self

    @property
    def session_lasts(self) -> timedelta:
        """How long a session lives at most."""
        return timedelta(hours=self.session_hours)

    @property
    def idle(self) -> timedelta:
        """How long a session lives without use."""
        return timedelta(minutes=self.idle_minutes)

    @property
    def entra(self) -> bool:
        """Entra ID sign-in is configured."""
        return bool(self.entra_client_id)


def parse_config(raw: object) -> PanelConfig:
    """Validate ``[panel]`` (absent: the defaults); raises :class:`ConfigError` naming the key."""
    return read_section(PanelConfig, raw if raw is not None else {})
