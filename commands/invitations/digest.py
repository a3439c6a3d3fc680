"""The daily digest: people who got normal announcements on no messenger get ONE e-mail a
day listing them (never one e-mail per announcement); urgent ones are not in it (they go by
messenger or SMS), opted-out people get nothing, a day without news sends nothing.

Each person's ``digest_until`` moves forward in the same transaction that decides to send,
before the e-mail goes out, by compare-and-set from the value this run read: when two
instances share one database, only the one whose update changed the row sends. A crash
after that loses one person's digest of that day rather than sending it twice (a digest is
a convenience, the announcements stay in the archive). A failed send puts ``digest_until``
back so the next day's digest includes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from commands.calendar.dates import utc
from commands.clock import Clock
from commands.invitations import messages
from commands.invitations.campaign import send_with_retries
from commands.invitations.ports import MailSender, ServerUnavailable
from commands.texts import pick_lang
from store.db import Database
from store.digest import DigestItem, digest_items, move_digest_until
from store.invitations import preference, preferences_of
from store.models import Person

LOOK_BACK = timedelta(days=1)  # a person's first digest covers the last day


@dataclass(slots=True)
class DigestResult:
    """What a digest run did."""

    sent: int = 0
    failed: int = 0
    opted_out: int = 0


class DailyDigest:
    """Once a day (``[email] digest = true``): one e-mail per person with the day's normal
    announcements they got on no messenger."""

    def __init__(self, db: Database, clock: Clock, sender: MailSender, *, public_url: str,
                 retry_delays: tuple[float, ...] = (2.0, 10.0)) -> None:
        self._db = db
        self._clock = clock
        self._sender = sender
        self._public_url = public_url
        self._retry_delays = retry_delays

    async def run(self) -> DigestResult:
        """Send today's digests."""
        now = utc(self._clock.now())
        result = DigestResult()
        async with self._db.session() as session:
            items = await digest_items(session, since=now - LOOK_BACK - timedelta(days=6),
                                       until=now)
            preferences = await preferences_of(session, set(items))
        async with self._sender:
            for person_id, found in items.items():
                pref = preferences.get(person_id)
                if pref is not None and pref.opted_out_at is not None:
                    result.opted_out += 1
                    continue
                seen = pref.digest_until if pref else None
                since = utc(seen) if seen else now - LOOK_BACK
                mine = [item for item in found if utc(item.sent_at) > since]
                if mine and not await self._send(person_id, mine, seen, now, result):
                    break  # the mail server cannot be used: the rest wait for tomorrow
        return result

    async def _send(self, person_id: int, items: list[DigestItem], seen: datetime | None,
                    now: datetime, result: DigestResult) -> bool:
        """Send one digest, if this run is the one that moves the person's ``digest_until``
        from ``seen`` (another instance on the same database may have); False when the mail
        server cannot be used at all."""
        async with self._db.session() as session:
            person = await session.get(Person, person_id)
            if person is None or not person.email:
                return True
            token = (await preference(session, person_id)).token
            if not await move_digest_until(session, person_id, seen=seen, to=now, sent_at=now):
                return True  # another run sends (or sent) this digest
            await session.commit()
            lang, name, email = pick_lang(person.language), person.name, person.email
        mail = messages.digest(lang=lang, name=name, email=email, items=items,
                               unsubscribe=messages.unsubscribe_url(self._public_url, token))
        error = await send_with_retries(self._sender, mail, self._retry_delays)
        if error is None:
            result.sent += 1
            return True
        result.failed += 1
        async with self._db.session() as session:  # tomorrow's digest includes these
            await move_digest_until(session, person_id, seen=now, sent_at=None,
                                    to=seen if seen is not None else now - LOOK_BACK)
            await session.commit()
        return not isinstance(error, ServerUnavailable)
