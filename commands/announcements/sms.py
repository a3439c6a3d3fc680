"""Urgent announcements by SMS: who gets one, what it says, the signed acknowledgement link,
how many segments it costs, and the lines the preview and the report show.

The announcement service calls these; the SMS itself goes through the outbox as any copy
(platform ``"sms"``, target the person's E.164 number) and is sent by ``adapters/sms``.
Only people with a mobile number and no linked messenger get an SMS, and — when
``[sms] escalate_unacknowledged`` is on — those who have not acknowledged after the first
re-ping.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlmodel.ext.asyncio.session import AsyncSession

from commands.model import (
    ConversationKind,
    ConversationRef,
    OutboundMessage,
    Platform,
    Priority,
    message_to_json,
)
from commands.texts import t
from store.announcement_models import Announcement
from store.outbox import NewDelivery
from store.sms import mobiles_of, sms_states

SMS = Platform.SMS.value  # the platform name of the channel
ACK_PATH = "/a/"
SMS_TEXT_LIMIT = 3  # segments at most: the text is cut to fit, the link always stays

# GSM 03.38 basic alphabet (+ the extension table, whose characters count twice).
_GSM7 = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡"
    "ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
_GSM7_EXT = set("^{}\\[~]|€\f")


@dataclass(frozen=True, slots=True)
class SmsSettings:
    """What the core needs of ``[sms]``: where the link points, its secret, the price."""

    public_url: str  # the https address of this service; the link is public_url + /a/<token>
    link_secret: bytes
    price_per_segment: Decimal = Decimal("0.16")
    escalate_unacknowledged: bool = False


# --- segments -----------------------------------------------------------------------------


def gsm7_length(text: str) -> int | None:
    """Septets ``text`` takes in the GSM 7-bit alphabet, or None when it needs UCS-2."""
    length = 0
    for char in text:
        if char in _GSM7:
            length += 1
        elif char in _GSM7_EXT:
            length += 2
        else:
            return None
    return length


def segments(text: str) -> int:
    """How many SMS ``text`` is billed as: 160 GSM characters in one, 153 per part beyond;
    with any other character (Polish letters) 70 in one, 67 per part (UTF-16 code units)."""
    septets = gsm7_length(text)
    if septets is not None:
        return 1 if septets <= 160 else -(-septets // 153)
    units = len(text.encode("utf-16-le")) // 2
    return 1 if units <= 70 else -(-units // 67)


def estimated_cost(count: int, price_per_segment: Decimal) -> Decimal:
    """``count`` segments at ``price_per_segment`` złoty, to the grosz."""
    return (price_per_segment * count).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


# --- the signed acknowledgement link ------------------------------------------------------


def ack_token(secret: bytes, announcement_id: int, person_id: int) -> str:
    """A short token naming an announcement and a person, signed with HMAC-SHA256 (the
    first 12 bytes of the MAC: forging one takes 2^96 tries). 27 URL-safe characters."""
    body = struct.pack(">II", announcement_id, person_id)
    mac = hmac.new(secret, b"ack:" + body, hashlib.sha256).digest()[:12]
    return base64.urlsafe_b64encode(body + mac).decode().rstrip("=")


def read_ack_token(secret: bytes, token: str) -> tuple[int, int] | None:
    """(announcement id, person id) of a token :func:`ack_token` made, or None if forged."""
    if len(token) != 27:
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=")
    except ValueError:
        return None
    body, mac = raw[:8], raw[8:]
    expected = hmac.new(secret, b"ack:" + body, hashlib.sha256).digest()[:12]
    if len(raw) != 20 or not hmac.compare_digest(mac, expected):
        return None
    announcement_id, person_id = struct.unpack(">II", body)
    return announcement_id, person_id


def ack_link(settings: SmsSettings, announcement_id: int, person_id: int) -> str:
    """The link in the SMS that acknowledges in one tap."""
    token = ack_token(settings.link_secret, announcement_id, person_id)
    return f"{settings.public_url.rstrip('/')}{ACK_PATH}{token}"


def reports_key(secret: bytes) -> str:
    """The secret path part of the delivery-report callback (SMSAPI does not sign them)."""
    return hmac.new(secret, b"sms-reports", hashlib.sha256).hexdigest()[:32]


# --- the text -------------------------------------------------------------------------------


def sms_text(lang: str, announcement: Announcement, link: str) -> str:
    """The SMS: "PILNE nr 7: <text> Potwierdź: <link>", the text cut (…) so that the whole
    stays within :data:`SMS_TEXT_LIMIT` segments."""
    head = t(lang, "sms.head", number=announcement.number or announcement.id or 0)
    tail = t(lang, "sms.tail", link=link)
    body = " ".join(announcement.text.split())
    text = f"{head} {body} {tail}"
    while segments(text) > SMS_TEXT_LIMIT and body:
        body = body[:max(0, len(body) - max(1, len(body) // 10))].rstrip()
        text = f"{head} {body}… {tail}"
    return text


def sms_target(number: str, idx: str) -> str:
    """The outbox target of an SMS: the JSON of a conversation reference (as
    ``ConversationRef.to_json`` writes it) on platform ``sms``, to the E.164 ``number``;
    ``idx`` is our id of the message, sent to the provider and back in its reports."""
    return ConversationRef(Platform.SMS, number, ConversationKind.PERSONAL,
                           extra={"idx": idx}).to_json()


# --- planning ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SmsRecipient:
    """One person an SMS goes to."""

    person_id: int
    number: str  # E.164
    lang: str


async def sms_recipients(session: AsyncSession, people: Iterable[int],
                         reached: Iterable[int], languages: Mapping[int, str | None]
                         ) -> list[SmsRecipient]:
    """People of ``people`` not in ``reached`` (those with a messenger copy) who have a
    mobile number, in id order."""
    without = sorted(set(people) - set(reached))
    numbers = await mobiles_of(session, without)
    return [SmsRecipient(person_id, numbers[person_id], languages.get(person_id) or "pl")
            for person_id in without if numbers.get(person_id)]


def sms_deliveries(announcement: Announcement, recipients: Iterable[SmsRecipient],
                   settings: SmsSettings, now: datetime, *, ping: int = 1
                   ) -> list[NewDelivery]:
    """Outbox rows of the SMS copies (source ``announcement:<id>``, so an acknowledgement
    cancels those still waiting, as it does the messengers' copies)."""
    assert announcement.id is not None
    rows = []
    for recipient in recipients:
        link = ack_link(settings, announcement.id, recipient.person_id)
        message = OutboundMessage(text=sms_text(recipient.lang, announcement, link),
                                  priority=Priority.URGENT, lang=recipient.lang)
        idx = f"a{announcement.id}p{recipient.person_id}n{ping}"
        rows.append(NewDelivery(
            dedupe_key=f"ann:{announcement.id}:{recipient.person_id}:{SMS}:{ping}",
            kind="announcement", source=f"announcement:{announcement.id}", platform=SMS,
            target=sms_target(recipient.number, idx),
            payload=message_to_json(message), not_before=now,
            person_id=recipient.person_id,
        ))
    return rows


async def sms_after_reping(session: AsyncSession, announcement: Announcement, person_id: int,
                           pings: int, lang: str, settings: SmsSettings, now: datetime
                           ) -> list[NewDelivery]:
    """The SMS for someone still silent after the first re-ping (``pings`` ≥ 2), when
    ``[sms] escalate_unacknowledged`` is on and they have a mobile number. Its outbox key is
    that of a first SMS, so nobody gets more than one SMS per announcement."""
    if not settings.escalate_unacknowledged or pings < 2:
        return []
    number = (await mobiles_of(session, [person_id])).get(person_id)
    if not number:
        return []
    return sms_deliveries(announcement, [SmsRecipient(person_id, number, lang)], settings, now)


def planned_segments(announcement: Announcement, recipients: Iterable[SmsRecipient],
                     settings: SmsSettings) -> int:
    """Segments the SMS copies of ``announcement`` will take (the link has the same length
    for everyone, so a preview with a placeholder id counts right)."""
    return sum(segments(sms_text(r.lang, announcement,
                                 ack_link(settings, announcement.id or 0, r.person_id)))
               for r in recipients)


# --- what the author sees ---------------------------------------------------------------------


def preview_line(lang: str, count: int, segment_count: int,
                 price_per_segment: Decimal) -> str:
    """"N SMS, est. cost X zł" for the preview ("" when no SMS would go out)."""
    if not count:
        return ""
    cost = estimated_cost(segment_count, price_per_segment)
    return t(lang, "sms.preview", count=count, cost=f"{cost:.2f}".replace(
        ".", "," if lang == "pl" else "."))


async def report_line(session: AsyncSession, announcement_id: int, lang: str) -> str:
    """The SMS delivery states of an announcement in one line, from the provider's reports
    ("" when it sent no SMS)."""
    states = await sms_states(session, f"announcement:{announcement_id}")
    if not states:
        return ""
    parts = [t(lang, f"sms.state.{state}", count=n) for state, n in sorted(states.items())
             if n]
    return t(lang, "sms.report", states=", ".join(parts))
