"""The ``[teams]`` configuration section, validated into :class:`TeamsSettings`.

Every endpoint the adapter talks to (the Bot Framework key metadata, the Entra token authority)
is a setting, so tests can point the real clients at local fakes and sovereign clouds work.
"""

from __future__ import annotations

import hashlib
import os
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from pydantic import ConfigDict, Field, ValidationInfo, field_validator

from adapters.net import is_loopback
from commands.config_schema import (
    ConfigError,
    Problem,
    SectionSchema,
    read_section,
    section_keys,
)

BOT_FRAMEWORK_METADATA_URL = "https://login.botframework.com/v1/.well-known/openidconfiguration"
BOT_FRAMEWORK_ISSUER = "https://api.botframework.com"
ENTRA_AUTHORITY = "https://login.microsoftonline.com"
BOT_FRAMEWORK_SCOPE = "https://api.botframework.com/.default"
DEFAULT_DEVELOPER = "Metropolia Krakowska"
PASSWORD_ENV = "LACZNIK_TEAMS_APP_PASSWORD"  # noqa: S105 - a variable name, not a secret

_DOMAIN = re.compile(r"^(?=.{1,253}$)(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_VERSION = re.compile(r"^\d{1,4}\.\d{1,4}\.\d{1,4}$")
_THUMBPRINT = re.compile(r"^[0-9A-Fa-f]{40}$")


@dataclass(frozen=True, slots=True)
class CertificateCredential:
    """A certificate the bot proves its identity with (instead of a client secret)."""

    private_key_pem: str = field(repr=False)
    thumbprint: str  # SHA-1, hex, as Entra shows it
    public_certificate_pem: str | None = field(default=None, repr=False)

    def as_msal(self) -> dict[str, str]:
        """The ``client_credential`` dictionary msal expects."""
        credential = {"private_key": self.private_key_pem, "thumbprint": self.thumbprint}
        if self.public_certificate_pem:
            credential["public_certificate"] = self.public_certificate_pem
        return credential


@dataclass(frozen=True, slots=True)
class TeamsSettings:
    """Validated ``[teams]`` settings. Secrets never appear in ``repr``."""

    app_id: str
    tenant_id: str
    app_password: str | None = field(default=None, repr=False)
    certificate: CertificateCredential | None = field(default=None, repr=False)
    allowed_tenants: frozenset[str] = frozenset()
    authority: str = ENTRA_AUTHORITY
    openid_metadata_url: str = BOT_FRAMEWORK_METADATA_URL
    allowed_issuers: tuple[str, ...] = (BOT_FRAMEWORK_ISSUER,)
    require_endorsement: bool = True
    bot_scope: str = BOT_FRAMEWORK_SCOPE
    public_domain: str = ""
    app_version: str = "1.0.0"
    developer_name: str = DEFAULT_DEVELOPER
    website_url: str = ""
    privacy_url: str = ""
    terms_url: str = ""

    @property
    def bot_id(self) -> str:
        """The bot's account id in Teams conversations."""
        return f"28:{self.app_id}"

    @property
    def authority_url(self) -> str:
        """The tenant's token authority, e.g. ``https://login.microsoftonline.com/<tenant>``."""
        return f"{self.authority}/{self.tenant_id}"


def _check_url(key: str, value: str, *, https_only: bool = False) -> str:
    """An absolute URL (or empty); plain http only for a loopback host (a local fake)."""
    if not value:
        return ""
    parts = urlsplit(value)
    if not parts.hostname or parts.scheme not in ("https", "http"):
        raise ConfigError(f"teams.{key}", "must be an absolute https:// URL")
    if parts.scheme == "http" and (https_only or not is_loopback(parts.hostname)):
        raise ConfigError(f"teams.{key}", "must use https://")
    return value


def _check_guid(key: str, value: str) -> str:
    try:
        uuid.UUID(value)
    except ValueError:
        raise ConfigError(key, f"{value!r} is not a GUID") from None
    return value.lower()


_LIST = Problem("must be a list of non-empty strings")


class TeamsSection(SectionSchema):
    """``[teams]`` as written in the file; :meth:`settings` turns it into what the adapter
    runs with (the credential read, the defaults that follow from other keys filled in)."""

    model_config = ConfigDict(str_strip_whitespace=True)  # merged with the strict base
    section = "teams"
    checked_in = ("app_id", "tenant_id", "app_password", "certificate_path",
                  "certificate_thumbprint", "certificate_password", "allowed_tenants",
                  "allowed_issuers", "public_domain", "app_version", "website_url",
                  "require_endorsement", "authority", "openid_metadata_url", "bot_scope",
                  "developer_name", "privacy_url", "terms_url")

    # validated also when absent, to say "required" (see _guid)
    app_id: str = Field("", validate_default=True)
    tenant_id: str = Field("", validate_default=True)
    app_password: str = Field("", repr=False)
    certificate_path: str = ""
    certificate_thumbprint: str = ""
    # validated also when absent: the credential is checked with it (see _credential)
    certificate_password: str = Field("", repr=False, validate_default=True)
    allowed_tenants: Annotated[list[Annotated[str, Field(min_length=1)]], _LIST] = Field(
        default_factory=list)
    authority: str = ""
    openid_metadata_url: str = ""
    allowed_issuers: Annotated[list[Annotated[str, Field(min_length=1)]], _LIST] = Field(
        default_factory=list)
    require_endorsement: bool = True
    bot_scope: str = ""
    public_domain: str = ""
    app_version: str = ""
    developer_name: str = ""
    website_url: str = ""
    privacy_url: str = ""
    terms_url: str = ""

    @field_validator("app_id", "tenant_id")
    @classmethod
    def _guid(cls, value: str, info: ValidationInfo) -> str:
        if not value:
            raise ConfigError(f"teams.{info.field_name}", "required")
        return _check_guid(f"teams.{info.field_name}", value)

    @field_validator("certificate_thumbprint", "certificate_password", mode="before")
    @classmethod
    def _needs_path(cls, value: object, info: ValidationInfo) -> object:
        """Without a certificate these keys mean nothing: any value is a mistake, and an
        empty one (of whatever kind) is no value."""
        if info.data.get("certificate_path", "-"):  # given, or itself wrong: read as it is
            return value
        if value:
            raise ConfigError(f"teams.{info.field_name}", "needs certificate_path")
        return ""

    @field_validator("certificate_password")
    @classmethod
    def _credential(cls, password: str, info: ValidationInfo) -> str:
        """The secret or the certificate, checked right after their keys (before the keys
        that follow, as always) when the context gives ``env`` and ``require_credentials``
        (:func:`parse_settings` does; :meth:`settings` reads the certificate again)."""
        read = info.data
        if info.context is None or not {"app_password", "certificate_path",
                                        "certificate_thumbprint"} <= set(read):
            return password  # a key of them is wrong itself: reported as it is
        certificate = _certificate(read["certificate_path"], password,
                                   read["certificate_thumbprint"])
        _client_secret(read["app_password"], env=info.context["env"], certificate=certificate,
                       required=info.context["require_credentials"])
        return password

    @field_validator("allowed_tenants", "allowed_issuers", mode="before")
    @classmethod
    def _one_or_more(cls, value: object) -> object:
        return [value] if isinstance(value, str) else value

    @field_validator("allowed_tenants")
    @classmethod
    def _tenants(cls, tenants: list[str]) -> list[str]:
        return [_check_guid("teams.allowed_tenants", tenant) for tenant in tenants]

    @field_validator("authority")
    @classmethod
    def _authority(cls, url: str) -> str:
        return _check_url("authority", url, https_only=True).rstrip("/")

    @field_validator("openid_metadata_url", "website_url", "privacy_url", "terms_url")
    @classmethod
    def _url(cls, url: str, info: ValidationInfo) -> str:
        return _check_url(str(info.field_name), url)

    @field_validator("bot_scope")
    @classmethod
    def _scope(cls, scope: str) -> str:
        if scope and not scope.endswith("/.default"):
            raise ConfigError("teams.bot_scope", "must end with /.default (client credentials)")
        return scope

    @field_validator("public_domain")
    @classmethod
    def _domain(cls, domain: str) -> str:
        domain = domain.lower()
        if domain and not _DOMAIN.match(domain):
            raise ConfigError("teams.public_domain", "must be a host name like bot.gmina.pl")
        return domain

    @field_validator("app_version")
    @classmethod
    def _version(cls, version: str) -> str:
        if version and not _VERSION.match(version):
            raise ConfigError("teams.app_version", "must look like 1.0.0")
        return version

    def settings(self, *, env: Mapping[str, str],
                 require_credentials: bool = True) -> TeamsSettings:
        """What the adapter runs with; the client secret may come from ``env``."""
        certificate = _certificate(self.certificate_path, self.certificate_password,
                                   self.certificate_thumbprint)
        password = _client_secret(self.app_password, env=env, certificate=certificate,
                                  required=require_credentials)
        website = self.website_url or (f"https://{self.public_domain}/"
                                       if self.public_domain else "")
        return TeamsSettings(
            app_id=self.app_id,
            tenant_id=self.tenant_id,
            app_password=password or None,
            certificate=certificate,
            allowed_tenants=frozenset(self.allowed_tenants or [self.tenant_id]),
            authority=self.authority or ENTRA_AUTHORITY,
            openid_metadata_url=self.openid_metadata_url or BOT_FRAMEWORK_METADATA_URL,
            allowed_issuers=tuple(self.allowed_issuers or [BOT_FRAMEWORK_ISSUER]),
            require_endorsement=self.require_endorsement,
            bot_scope=self.bot_scope or BOT_FRAMEWORK_SCOPE,
            public_domain=self.public_domain,
            app_version=self.app_version or "1.0.0",
            developer_name=self.developer_name[:32] or DEFAULT_DEVELOPER,
            website_url=website,
            privacy_url=self.privacy_url or website,
            terms_url=self.terms_url or website,
        )



def _certificate(path: str, password: str, thumbprint: str) -> CertificateCredential | None:
    if not path:
        return None  # and no thumbprint or password (see TeamsSection._needs_path)
    return read_certificate(Path(path).expanduser(), password=password, thumbprint=thumbprint)


def _client_secret(app_password: str, *, env: Mapping[str, str],
               certificate: CertificateCredential | None, required: bool) -> str:
    """The client secret ("" with a certificate, or with neither when not ``required``);
    it may come from the environment instead of the file."""
    password = app_password or env.get(PASSWORD_ENV, "")
    if password and certificate:
        raise ConfigError("teams.app_password", "give either app_password or certificate_path")
    if not password and not certificate and required:
        raise ConfigError(
            "teams.app_password",
            f"required (or certificate_path, or the {PASSWORD_ENV} environment variable)",
        )
    return password


def parse_settings(
    section: Mapping[str, Any],
    *,
    env: Mapping[str, str] | None = None,
    require_credentials: bool = True,
) -> TeamsSettings:
    """Validate the raw ``[teams]`` table; raises :class:`ConfigError` naming the bad key.

    The client secret may come from ``LACZNIK_TEAMS_APP_PASSWORD`` instead of the file.
    ``require_credentials=False`` is for building the app package, which needs no secret.
    """
    environ = os.environ if env is None else env
    if isinstance(section, Mapping):
        known = sorted(section_keys(TeamsSection))  # listed alphabetically, as always
        for name in section:
            if name not in known:
                raise ConfigError(f"teams.{name}",
                                  f"unknown key (known: {', '.join(known)})", shape=True)
    asked = {"env": environ, "require_credentials": require_credentials}
    return read_section(TeamsSection, section, context=asked).settings(
        env=environ, require_credentials=require_credentials)


def read_certificate(path: Path, *, password: str, thumbprint: str) -> CertificateCredential:
    """The private key (and certificate, if the PEM has one) in ``certificate_path``."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError("teams.certificate_path", f"cannot read {path}: {exc.strerror}") from None
    try:
        key = serialization.load_pem_private_key(data, password=password.encode() or None)
    except (ValueError, TypeError):
        raise ConfigError(
            "teams.certificate_path",
            "must be a PEM file with the private key (and, ideally, the certificate); "
            "check certificate_password",
        ) from None
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    certificate_pem: str | None = None
    thumbprint = thumbprint.replace(":", "")
    if b"-----BEGIN CERTIFICATE-----" in data:
        certificate = x509.load_pem_x509_certificate(data)
        der = certificate.public_bytes(serialization.Encoding.DER)
        computed = hashlib.sha1(der, usedforsecurity=False).hexdigest().upper()
        if thumbprint and thumbprint.upper() != computed:
            raise ConfigError("teams.certificate_thumbprint",
                              "does not match the certificate in certificate_path")
        thumbprint = computed
        certificate_pem = certificate.public_bytes(serialization.Encoding.PEM).decode()
    if not _THUMBPRINT.match(thumbprint):
        raise ConfigError("teams.certificate_thumbprint",
                          "required (40 hex digits) when the PEM has no certificate")
    return CertificateCredential(key_pem, thumbprint.upper(), certificate_pem)
