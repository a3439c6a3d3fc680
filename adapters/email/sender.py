"""An SMTP sender with aiosmtplib: one connection reused for a whole batch (a campaign, a
digest run), reconnected when the server drops it, paced if the server limits senders.

SMTP answers become the neutral delivery errors once, here: 4xx (421 "closing", 450/451/452
"try later") and lost connections or timeouts are :class:`TransientFailure`; a 5xx refusing
the recipient on RCPT (550 no such user, 551, 553) is :class:`Unreachable` (that person
only); any other 5xx (554 SendAsDenied or a content filter after DATA, 552 too large, relay
denied) is :class:`ServerUnavailable`: the relay refuses us, not the person, so the batch
stops and everyone stays to retry. The password is never logged; log lines
name the SMTP code, never the address.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
import time
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

import aiosmtplib

from adapters.email.config import EmailSettings
from commands.invitations.ports import Mail, ServerUnavailable
from commands.ports import DeliveryError, TransientFailure, Unreachable

log = logging.getLogger(__name__)

_RECIPIENT_CODES = frozenset({550, 551, 553})


def build_message(mail: Mail, settings: EmailSettings) -> EmailMessage:
    """The MIME message: UTF-8 text/plain (with an HTML alternative when given), the
    person's language, and one-click unsubscribe headers."""
    message = EmailMessage()
    message["From"] = settings.sender_address
    # A directory cell may hold a line break (Alt+Enter in a spreadsheet): never a header's.
    name = " ".join(mail.to_name.split())
    message["To"] = Address(display_name=name, addr_spec=mail.to)
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = make_msgid(domain=settings.sender_address.domain or None)
    message["List-Unsubscribe"] = f"<{mail.unsubscribe_url}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(mail.text, subtype="plain", charset="utf-8")
    if mail.html:
        message.add_alternative(mail.html, subtype="html", charset="utf-8")
    message["Content-Language"] = mail.lang  # after the content: set_content drops Content-*
    return message


def delivery_error(exc: Exception) -> DeliveryError:
    """The neutral error of an SMTP failure."""
    if isinstance(exc, aiosmtplib.SMTPSenderRefused):
        # Our own "from" is refused: the same for every recipient.
        return ServerUnavailable(f"smtp {exc.code} sender refused")
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        # One recipient per message: its refusal is the message's.
        return delivery_error(exc.recipients[0]) if exc.recipients else Unreachable("smtp 550")
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        code = exc.code
        if 400 <= code < 500:
            return TransientFailure(f"smtp {code}")
        if isinstance(exc, aiosmtplib.SMTPRecipientRefused) and code in _RECIPIENT_CODES:
            return Unreachable(f"smtp {code}")
        if 500 <= code < 600 and not isinstance(exc, aiosmtplib.SMTPServerDisconnected):
            # Any other refusal (554 5.2.0 SendAsDenied after DATA, a content filter, relay
            # denied) says nothing about this person: the next e-mail would be refused alike.
            # Stop the run and keep everyone to retry, rather than burn the whole directory.
            return ServerUnavailable(f"smtp {code} refused by the server")
        return TransientFailure(f"smtp {code}")
    # Disconnected, connect errors, timeouts, resets: try again later.
    return TransientFailure("smtp connection")


class SmtpSender:
    """``async with SmtpSender(settings) as sender: await sender.send(mail)`` — one
    connection for the batch; each :meth:`send` raises a :class:`DeliveryError` only."""

    def __init__(self, settings: EmailSettings, *, tls_context: ssl.SSLContext | None = None
                 ) -> None:
        self._settings = settings
        self._tls_context = tls_context  # None: the system's CAs, certificates verified
        self._smtp: aiosmtplib.SMTP | None = None
        self._last_sent = 0.0

    async def __aenter__(self) -> SmtpSender:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        """Say QUIT (or just drop the connection if the server is gone)."""
        smtp, self._smtp = self._smtp, None
        if smtp is not None and smtp.is_connected:
            try:
                await smtp.quit()
            except (aiosmtplib.SMTPException, OSError):
                smtp.close()

    async def _connection(self) -> aiosmtplib.SMTP:
        if self._smtp is not None and self._smtp.is_connected:
            return self._smtp
        s = self._settings
        smtp = aiosmtplib.SMTP(
            hostname=s.host, port=s.port, timeout=s.timeout_seconds,
            use_tls=s.security == "tls", start_tls=s.security == "starttls",
            username=s.username or None, password=s.password or None,
            tls_context=self._tls_context,
        )
        await smtp.connect()
        self._smtp = smtp
        return smtp

    async def _pace(self) -> None:
        per_minute = self._settings.messages_per_minute
        if per_minute:
            wait = self._last_sent + 60.0 / per_minute - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            self._last_sent = time.monotonic()

    async def send(self, mail: Mail) -> None:
        """Send one e-mail; raises :class:`TransientFailure` (:class:`ServerUnavailable`: the
        batch stops) or :class:`Unreachable`."""
        await self._pace()
        try:
            message = build_message(mail, self._settings)
        except ValueError:  # HeaderDefect too: a non-ASCII local part, CR/LF in the address
            # This person's address cannot be written into a message: their failure only.
            log.info("e-mail not sent: invalid address")
            raise Unreachable("invalid address") from None
        try:
            smtp = await self._connection()
        except aiosmtplib.SMTPAuthenticationError as exc:
            log.warning("SMTP login refused (%s): check [email] username and password",
                        exc.code)
            raise ServerUnavailable(f"smtp {exc.code} login refused") from None
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            log.warning("SMTP server %s:%s not usable: %s", self._settings.host,
                        self._settings.port, type(exc).__name__)
            raise ServerUnavailable("smtp server unreachable") from None
        try:
            await smtp.send_message(message, sender=self._settings.sender_address.addr_spec,
                                    recipients=[mail.to])
        except (TimeoutError, aiosmtplib.SMTPException, OSError) as exc:
            error = delivery_error(exc)
            log.info("e-mail not sent: %s", error.reason)
            if isinstance(error, TransientFailure) and self._smtp is not None:
                # 421 closes the session; a reset leaves it unusable: start afresh next time.
                self._smtp.close()
                self._smtp = None
            else:
                await self._reset()
            raise error from None

    async def _reset(self) -> None:
        """After a refused recipient, RSET so the connection takes the next message."""
        if self._smtp is not None and self._smtp.is_connected:
            try:
                await self._smtp.rset()
            except (aiosmtplib.SMTPException, OSError):
                self._smtp.close()
                self._smtp = None
