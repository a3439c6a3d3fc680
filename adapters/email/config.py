"""The ``[email]`` configuration section, declared and validated once at start-up.

The file's key ``from`` is a Python keyword, so the declared schema is built with
:func:`pydantic.create_model` (the key keeps its name in the file, in errors and in
``accepted_keys``) and then turned into :class:`EmailSettings`, what the sender runs with.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.utils import parseaddr
from typing import Annotated, Any, Literal, Self
from urllib.parse import urlsplit

from pydantic import ConfigDict, Field, create_model, model_validator

from commands.config_schema import (
    ConfigError,
    Problem,
    SectionSchema,
    read_section,
    section_keys,
)

Security = Literal["starttls", "tls", "none"]
DEFAULT_PORTS: dict[str, int] = {"starttls": 587, "tls": 465, "none": 25}
_ADDRESS_RE = re.compile(r"[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+")


class _EmailFields(SectionSchema):
    """Every ``[email]`` key but ``from`` (added by :data:`EmailSection`)."""

    model_config = ConfigDict(str_strip_whitespace=True)
    section = "email"

    host: Annotated[str, Field(min_length=1), Problem("must be the SMTP server's host name",
                                                      "must be a string")]
    # 0: the usual port of ``security`` (587 STARTTLS, 465 TLS, 25 none)
    port: Annotated[int, Field(ge=0, le=65535), Problem(
        "must be a whole number from 0 to 65535")] = 0
    security: Annotated[Security, Problem('must be "starttls", "tls" or "none"')] = "starttls"
    username: str = ""
    password: str = Field("", repr=False)
    digest: bool = False  # people without a messenger get one e-mail a day of normal news
    # The service's public address: opt-out links point at <public_url>/email/opt-out/…
    # Default: the service-wide [server] public_url (bots.config fills it in).
    public_url: str = ""
    # Reminders to people who have not linked, days after the invitation (at most two).
    reminder_days: Annotated[list[int], Problem(
        "must be a list of at most two increasing whole numbers of days from 1 to 60")] = \
        Field(default_factory=lambda: [3, 7])
    timeout_seconds: Annotated[int, Field(ge=1, le=300), Problem(
        "must be a whole number from 1 to 300")] = 30
    # Pacing for servers that limit senders (Microsoft 365: 30 a minute); 0 = no pacing.
    messages_per_minute: Annotated[int, Field(ge=0, le=100_000), Problem(
        "must be a whole number from 0 to 100000")] = 0

    @model_validator(mode="after")
    def _rules(self) -> Self:
        sender = str(getattr(self, "from", ""))
        _, address = parseaddr(sender)
        if not _ADDRESS_RE.fullmatch(address):
            raise ConfigError("email.from", 'must be an e-mail address, e.g. '
                              '"Łącznik <lacznik@urzad.example.pl>"')
        if self.public_url:
            parts = urlsplit(self.public_url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise ConfigError("email.public_url", "must be the service's public https:// "
                                  "address (opt-out links point there)")
        days = self.reminder_days
        if len(days) > 2 or any(not 1 <= d <= 60 for d in days) or days != sorted(set(days)):
            raise ConfigError("email.reminder_days", "must be a list of at most two "
                              "increasing whole numbers of days from 1 to 60")
        if bool(self.username) != bool(self.password):
            raise ConfigError("email.password" if self.username else "email.username",
                              "username and password go together (or leave both empty)")
        if self.security == "none" and self.username and not is_loopback(self.host):
            # The login would cross the network in plain text.
            raise ConfigError("email.security", 'must be "starttls" or "tls" to log in to a '
                              'server on another machine ("none" sends the password in '
                              "plain text)")
        return self


def is_loopback(host: str) -> bool:
    """Whether ``host`` is this machine (``localhost``, 127.0.0.0/8, ``::1``)."""
    if host.lower().rstrip(".") == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


# The declared schema: the fields above plus ``from`` (the sender of every e-mail).
EmailSection = create_model(
    "EmailSection", __base__=_EmailFields,
    **{"from": (Annotated[str, Field(min_length=1), Problem(
        'must be an e-mail address, e.g. "Łącznik <lacznik@urzad.example.pl>"',
        "must be a string")], ...)},  # type: ignore[call-overload]  # a keyword as field name
)
KEYS = section_keys(EmailSection)  # config.example.toml lists them; a test compares


@dataclass(frozen=True, slots=True)
class EmailSettings:
    """What the SMTP sender and the campaign run with. ``repr`` never shows the password."""

    host: str
    sender: str  # the ``from`` key: "Name <address>" or an address
    port: int = 587
    security: Security = "starttls"
    username: str = ""
    password: str = field(default="", repr=False)
    digest: bool = False
    public_url: str = ""
    reminder_days: tuple[int, ...] = (3, 7)
    timeout_seconds: float = 30.0
    messages_per_minute: int = 0

    @property
    def sender_address(self) -> Address:
        """``from`` as a header value (display name kept)."""
        name, address = parseaddr(self.sender)
        return Address(display_name=name, addr_spec=address)


def parse_config(section: dict[str, Any]) -> EmailSettings:
    """Validate the raw ``[email]`` table; raises :class:`ConfigError` naming the key."""
    read = read_section(EmailSection, section)
    return EmailSettings(
        host=read.host, sender=str(getattr(read, "from")),
        port=read.port or DEFAULT_PORTS[read.security], security=read.security,
        username=read.username, password=read.password, digest=read.digest,
        public_url=read.public_url.rstrip("/"), reminder_days=tuple(read.reminder_days),
        timeout_seconds=float(read.timeout_seconds),
        messages_per_minute=read.messages_per_minute,
    )
