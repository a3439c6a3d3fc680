"""A real SMTP server (aiosmtpd) on a free port of this test's event loop.

It keeps every message it accepted; ``refuse`` maps an address to a 5xx answer on RCPT,
``busy`` answers DATA with 451 that many times before accepting (a greylisting or
overloaded server).
"""

from __future__ import annotations

import asyncio
import email
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session


@dataclass
class SmtpServer:
    """What the server took, and how it misbehaves."""

    port: int = 0
    received: list[EmailMessage] = field(default_factory=list)
    refuse: dict[str, str] = field(default_factory=dict)  # address → "550 …"
    busy: int = 0  # DATA answers 451 this many times first
    connections: int = 0

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope,
                          address: str, rcpt_options: list[str]) -> str:
        if address.lower() in self.refuse:
            return self.refuse[address.lower()]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope
                          ) -> str:
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
async def smtp_server() -> AsyncIterator[SmtpServer]:
    """Serve SMTP on 127.0.0.1, a free port, until the block ends."""
    state = SmtpServer()

    def protocol() -> Any:
        state.connections += 1
        return SMTP(state, hostname="localhost", decode_data=False)

    server = await asyncio.get_running_loop().create_server(protocol, "127.0.0.1", 0)
    state.port = server.sockets[0].getsockname()[1]
    try:
        yield state
    finally:
        server.close()
        await server.wait_closed()
