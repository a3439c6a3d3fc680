"""Calendar feeds: secret .ics addresses that Outlook and phones subscribe to.

A token is 32 random bytes (``secrets.token_urlsafe``); only its SHA-256 is stored, so the
address is shown once, when issued. Access is checked on every fetch: a forum's feed stops
working for someone who left the forum.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from commands.authz import Act, Target, actor, may
from commands.calendar.dates import utc
from commands.calendar.ics import FeedDeadline, FeedEvent, build_calendar
from commands.calendar.reminders import ReminderService, forum_name, person_lang
from commands.clock import Clock
from commands.texts import t
from store.calendar import (
    all_forums,
    deadlines_for_feed,
    events_for_feed,
    feed_by_token,
    forum_ids_of,
    live_feed,
    overrides_by_event,
    persons_by_id,
    token_hash,
)
from store.calendar_models import CalendarFeed, Deadline, Event
from store.db import Database
from store.models import Forum, Person
from store.people import grants_of

HISTORY = timedelta(days=180)  # past events a feed still shows
CANCELLED_SHOWN = timedelta(days=60)  # cancelled events stay (STATUS:CANCELLED) this long


@dataclass(frozen=True, slots=True)
class FeedBody:
    """A rendered feed and its entity tag."""

    body: bytes
    etag: str


class FeedService:
    """Issues feed addresses and renders feeds."""

    def __init__(self, *, db: Database, clock: Clock, reminders: ReminderService,
                 base_url: str) -> None:
        self._db = db
        self._clock = clock
        self._reminders = reminders
        self.base_url = base_url.rstrip("/")

    def url(self, token: str) -> str:
        """The public address of a feed."""
        return f"{self.base_url}/calendar/{token}.ics"

    async def existing(self, person_id: int, forum_id: int | None) -> CalendarFeed | None:
        """The person's live feed of that scope, if any (its token cannot be shown again)."""
        async with self._db.session() as session:
            return await live_feed(session, person_id=person_id, forum_id=forum_id)

    async def issue(self, person_id: int, forum_id: int | None) -> str:
        """A new secret address; the person's previous one of the same scope stops working."""
        now = self._clock.now()
        token = secrets.token_urlsafe(32)
        async with self._db.session() as session:
            old = await live_feed(session, person_id=person_id, forum_id=forum_id)
            if old is not None:
                old.revoked_at = now
                session.add(old)
            session.add(CalendarFeed(token_hash=token_hash(token), person_id=person_id,
                                     forum_id=forum_id, created_at=now))
            await session.commit()
        return self.url(token)

    async def render(self, token: str) -> FeedBody | None:
        """The feed behind ``token``; None if there is none (or no longer any access)."""
        if not token or len(token) > 100:
            return None
        now = self._clock.now()
        async with self._db.session() as session:
            feed = await feed_by_token(session, token)
            if feed is None:
                return None
            person = await session.get(Person, feed.person_id)
            if person is None:
                return None
            lang = person_lang(person)
            my_forums = await forum_ids_of(session, feed.person_id)
            if feed.forum_id is not None:
                grants = await grants_of(session, feed.person_id)
                allowed = may(actor(feed.person_id, grants), Act.READ_FORUM,
                              Target(forum_id=feed.forum_id, member_of=frozenset(my_forums)))
                forum = await session.get(Forum, feed.forum_id)
                if not allowed or forum is None:
                    return None
                name = t(lang, "cal.feed.forum_name", forum=forum_name(forum, lang))
                events = await events_for_feed(session, forum_ids=[feed.forum_id],
                                               organiser_id=None, history_since=now - HISTORY,
                                               cancelled_since=now - CANCELLED_SHOWN)
            else:
                name = t(lang, "cal.feed.own_name", name=person.name)
                events = await events_for_feed(session, forum_ids=my_forums,
                                               organiser_id=feed.person_id,
                                               history_since=now - HISTORY,
                                               cancelled_since=now - CANCELLED_SHOWN)
            deadlines = []
            for deadline in await deadlines_for_feed(session, history_since=now - HISTORY,
                                                     cancelled_since=now - CANCELLED_SHOWN):
                if feed.forum_id is not None:
                    if deadline.forum_id == feed.forum_id:
                        deadlines.append(deadline)
                elif feed.person_id in await self._reminders.deadline_recipients(session,
                                                                                 deadline):
                    deadlines.append(deadline)
            feed_events, feed_deadlines = await _feed_items(session, events, deadlines)
            if feed.last_used_at is None or utc(feed.last_used_at) < now - timedelta(hours=1):
                feed.last_used_at = now
                session.add(feed)
                await session.commit()
        body = build_calendar(name=name, events=feed_events, deadlines=feed_deadlines, now=now,
                              lang=lang)
        # The entity tag ignores DTSTAMP (the fetch time), so an unchanged feed is a 304.
        stable = b"\n".join(line for line in body.splitlines()
                            if not line.startswith(b"DTSTAMP"))
        return FeedBody(body, hashlib.sha256(stable).hexdigest()[:32])

    async def export(self, *, forum_ids: set[int] | None, name: str, lang: str = "pl") -> bytes:
        """Every event and deadline (of some forums), cancelled ones included, as one file —
        what ``lacznik events export`` writes for Outlook or SharePoint."""
        now = self._clock.now()
        async with self._db.session() as session:
            forums = await all_forums(session)
            wanted = forum_ids if forum_ids is not None else {int(f.id or 0) for f in forums}
            events = await events_for_feed(session, forum_ids=wanted, organiser_id=None,
                                           history_since=now - timedelta(days=3650),
                                           cancelled_since=now - timedelta(days=3650))
            deadlines = [d for d in await deadlines_for_feed(
                session, history_since=now - timedelta(days=3650),
                cancelled_since=now - timedelta(days=3650))
                if forum_ids is None or d.forum_id in forum_ids]
            feed_events, feed_deadlines = await _feed_items(session, events, deadlines)
        return build_calendar(name=name, events=feed_events, deadlines=feed_deadlines, now=now,
                              lang=lang)


async def _feed_items(session: AsyncSession, events: list[Event], deadlines: list[Deadline]
                      ) -> tuple[list[FeedEvent], list[FeedDeadline]]:
    """Events and deadlines with their forums and organisers, ready for a VCALENDAR."""
    forums = {f.id: f for f in await all_forums(session)}
    overrides = await overrides_by_event(session, [int(e.id or 0) for e in events])
    organisers = await persons_by_id(session, [e.organiser_id for e in events
                                               if e.organiser_id])
    feed_events = []
    for event in events:
        forum = forums.get(event.forum_id)
        organiser = organisers.get(event.organiser_id) if event.organiser_id else None
        feed_events.append(FeedEvent(
            event, tuple(overrides.get(int(event.id or 0), [])),
            forum.key if forum else "", forum.name_pl if forum else "",
            organiser.name if organiser else "", (organiser.email or "") if organiser else "",
        ))
    feed_deadlines = [
        FeedDeadline(d, forums[d.forum_id].key if d.forum_id in forums else "",
                     forums[d.forum_id].name_pl if d.forum_id in forums else "")
        for d in deadlines
    ]
    return feed_events, feed_deadlines
