"""A real SMTP server (aiosmtpd) on a free port of this test's event loop.

It keeps every message it accepted; ``refuse`` maps an address to a 5xx answer on RCPT,
``busy`` answers DATA with 451 that many times before accepting (a greylisting or
overloaded server); ``refuse_data`` answers DATA with a 5xx (a relay refusing our sender,
a content filter).
"""

from __future__ import annotations

import asyncio
import email
import ipaddress
import ssl
import warnings
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from typing import Any

from aiosmtpd.smtp import SMTP, AuthResult, Envelope, Session
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


@dataclass
class SmtpServer:
    """What the server took, and how it misbehaves."""

    port: int = 0
    received: list[EmailMessage] = field(default_factory=list)
    refuse: dict[str, str] = field(default_factory=dict)  # address → "550 …"
    busy: int = 0  # DATA answers 451 this many times first
    refuse_data: str = ""  # DATA answers this (e.g. "554 5.2.0 SendAsDenied") while set
    connections: int = 0

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope,
                          address: str, rcpt_options: list[str]) -> str:
        if address.lower() in self.refuse:
            return self.refuse[address.lower()]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope
                          ) -> str:
        if self.refuse_data:
            return self.refuse_data
        if self.busy:
            self.busy -= 1
            return "451 4.3.0 Try again later"
        content = envelope.original_content or b""
        message = email.message_from_bytes(content, policy=default)
        assert isinstance(message, EmailMessage)
        self.received.append(message)
        return "250 Message accepted"

    def to(self, address: str) -> list[EmailMessage]:
        """Every message received for ``address``."""
        return [m for m in self.received if address.lower() in str(m["To"]).lower()]


@asynccontextmanager
async def smtp_server(*, tls: ssl.SSLContext | None = None, starttls: ssl.SSLContext | None = None,
                      login: tuple[str, str] | None = None) -> AsyncIterator[SmtpServer]:
    """Serve SMTP on 127.0.0.1, a free port, until the block ends: plain, implicit TLS
    (``tls``), or STARTTLS required before anything else (``starttls``); ``login``: the
    only user and password AUTH accepts (then required)."""
    state = SmtpServer()

    def check(server: SMTP, session: Session, envelope: Envelope, mechanism: str,
              data: Any) -> AuthResult:
        ok = login is not None and (data.login.decode(), data.password.decode()) == login
        return AuthResult(success=ok, handled=False)

    def protocol() -> Any:
        state.connections += 1
        with warnings.catch_warnings():
            # aiosmtpd cannot tell an implicit-TLS transport (``tls``) from a plain one and
            # warns that AUTH is allowed without TLS; with ``tls`` it never is.
            warnings.simplefilter("ignore", UserWarning)
            return SMTP(state, hostname="localhost", decode_data=False,
                        tls_context=starttls, require_starttls=starttls is not None,
                        authenticator=check if login else None,
                        auth_required=login is not None, auth_require_tls=tls is None)

    server = await asyncio.get_running_loop().create_server(protocol, "127.0.0.1", 0,
                                                            ssl=tls)
    state.port = server.sockets[0].getsockname()[1]
    try:
        yield state
    finally:
        server.close()
        await server.wait_closed()


def self_signed(folder: Path) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """A certificate for ``localhost``/127.0.0.1: the server's context and a client context
    that trusts exactly it."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5)).not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([
            x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "smtp.crt", folder / "smtp.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(cert_path, key_path)
    client = ssl.create_default_context(cafile=str(cert_path))
    return server, client
