"""The ``[teams]`` configuration section, validated into :class:`TeamsSettings`.

Every endpoint the adapter talks to (the Bot Framework key metadata, the Entra token authority)
is a setting, so tests can point the real clients at local fakes and sovereign clouds work.
"""

from __future__ import annotations

import hashlib
import ipaddress
import os
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from commands.config_schema import ConfigError

BOT_FRAMEWORK_METADATA_URL = "https://login.botframework.com/v1/.well-known/openidconfiguration"
BOT_FRAMEWORK_ISSUER = "https://api.botframework.com"
ENTRA_AUTHORITY = "https://login.microsoftonline.com"
BOT_FRAMEWORK_SCOPE = "https://api.botframework.com/.default"
DEFAULT_DEVELOPER = "Metropolia Krakowska"
PASSWORD_ENV = "LACZNIK_TEAMS_APP_PASSWORD"  # noqa: S105 - a variable name, not a secret

_DOMAIN = re.compile(r"^(?=.{1,253}$)(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_VERSION = re.compile(r"^\d{1,4}\.\d{1,4}\.\d{1,4}$")
_THUMBPRINT = re.compile(r"^[0-9A-Fa-f]{40}$")

_KEYS = frozenset({
    "app_id", "app_password", "certificate_path", "certificate_thumbprint",
    "certificate_password", "tenant_id", "allowed_tenants", "authority", "openid_metadata_url",
    "allowed_issuers", "require_endorsement", "bot_scope", "public_domain", "app_version",
    "developer_name", "website_url", "privacy_url", "terms_url",
})
KEYS = _KEYS  # every accepted key (config.example.toml lists them; a test compares)


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
    if not isinstance(section, Mapping):
        raise ConfigError("teams", "must be a table")
    for key in section:
        if key not in _KEYS:
            raise ConfigError(f"teams.{key}", f"unknown key (known: {', '.join(sorted(_KEYS))})")
    app_id = _guid(section, "app_id", required=True)
    tenant_id = _guid(section, "tenant_id", required=True)
    password = _string(section, "app_password") or environ.get(PASSWORD_ENV, "")
    certificate = _certificate(section)
    if password and certificate:
        raise ConfigError("teams.app_password", "give either app_password or certificate_path")
    if not password and not certificate and require_credentials:
        raise ConfigError(
            "teams.app_password",
            f"required (or certificate_path, or the {PASSWORD_ENV} environment variable)",
        )
    allowed = _string_list(section, "allowed_tenants") or [tenant_id]
    for tenant in allowed:
        _check_guid("teams.allowed_tenants", tenant)
    issuers = _string_list(section, "allowed_issuers") or [BOT_FRAMEWORK_ISSUER]
    domain = _string(section, "public_domain").lower()
    if domain and not _DOMAIN.match(domain):
        raise ConfigError("teams.public_domain", "must be a host name like bot.gmina.pl")
    version = _string(section, "app_version") or "1.0.0"
    if not _VERSION.match(version):
        raise ConfigError("teams.app_version", "must look like 1.0.0")
    website = _url(section, "website_url") or (f"https://{domain}/" if domain else "")
    endorse = section.get("require_endorsement", True)
    if not isinstance(endorse, bool):
        raise ConfigError("teams.require_endorsement", "must be true or false")
    return TeamsSettings(
        app_id=app_id,
        tenant_id=tenant_id,
        app_password=password or None,
        certificate=certificate,
        allowed_tenants=frozenset(t.lower() for t in allowed),
        authority=(_url(section, "authority", https_only=True) or ENTRA_AUTHORITY).rstrip("/"),
        openid_metadata_url=_url(section, "openid_metadata_url") or BOT_FRAMEWORK_METADATA_URL,
        allowed_issuers=tuple(issuers),
        require_endorsement=endorse,
        bot_scope=_scope(section),
        public_domain=domain,
        app_version=version,
        developer_name=_string(section, "developer_name")[:32] or DEFAULT_DEVELOPER,
        website_url=website,
        privacy_url=_url(section, "privacy_url") or website,
        terms_url=_url(section, "terms_url") or website,
    )


# --- helpers -------------------------------------------------------------------------------


def _string(section: Mapping[str, Any], key: str) -> str:
    value = section.get(key, "")
    if not isinstance(value, str):
        raise ConfigError(f"teams.{key}", "must be a string")
    return value.strip()


def _string_list(section: Mapping[str, Any], key: str) -> list[str]:
    value = section.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ConfigError(f"teams.{key}", "must be a list of non-empty strings")
    return [v.strip() for v in value]


def _check_guid(key: str, value: str) -> None:
    try:
        uuid.UUID(value)
    except ValueError:
        raise ConfigError(key, f"{value!r} is not a GUID") from None


def _guid(section: Mapping[str, Any], key: str, *, required: bool) -> str:
    value = _string(section, key)
    if not value:
        if required:
            raise ConfigError(f"teams.{key}", "required")
        return ""
    _check_guid(f"teams.{key}", value)
    return value.lower()


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _url(section: Mapping[str, Any], key: str, *, https_only: bool = False) -> str:
    """An absolute URL; plain http only for a loopback host (a local fake)."""
    value = _string(section, key)
    if not value:
        return ""
    parts = urlsplit(value)
    if not parts.hostname or parts.scheme not in ("https", "http"):
        raise ConfigError(f"teams.{key}", "must be an absolute https:// URL")
    if parts.scheme == "http" and (https_only or not _is_loopback(parts.hostname)):
        raise ConfigError(f"teams.{key}", "must use https://")
    return value


def _scope(section: Mapping[str, Any]) -> str:
    scope = _string(section, "bot_scope") or BOT_FRAMEWORK_SCOPE
    if not scope.endswith("/.default"):
        raise ConfigError("teams.bot_scope", "must end with /.default (client credentials)")
    return scope


def _certificate(section: Mapping[str, Any]) -> CertificateCredential | None:
    path_text = _string(section, "certificate_path")
    if not path_text:
        for name in ("certificate_thumbprint", "certificate_password"):
            if section.get(name):
                raise ConfigError(f"teams.{name}", "needs certificate_path")
        return None
    path = Path(path_text).expanduser()
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError("teams.certificate_path", f"cannot read {path}: {exc.strerror}") from None
    password = _string(section, "certificate_password").encode() or None
    try:
        key = serialization.load_pem_private_key(data, password=password)
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
    thumbprint = _string(section, "certificate_thumbprint").replace(":", "")
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
