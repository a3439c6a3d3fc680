"""Announcements: quiet by default, urgent to the phone, acknowledged, and never lost.

Everything sent goes through the outbox (one row per recipient per messenger, written in the
same transaction that marks the announcement sent), so a crash mid fan-out loses nothing and
the delivery worker resumes where it stopped.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import insert, select, update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from commands.announcements.audience import Audience
from commands.announcements.sms import (
    SMS,
    SmsRecipient,
    SmsSettings,
    planned_segments,
    report_line,
    sms_after_reping,
    sms_deliveries,
    sms_recipients,
)
from commands.clock import Clock
from commands.model import (
    Button,
    ButtonStyle,
    ConversationRef,
    OutboundMessage,
    Priority,
    message_to_json,
)
from commands.ports import EDIT, Messenger, Outbound, OutboundKind, Outgoing, Planned
from commands.texts import PLATFORM_NAMES, t
from store.announcement_models import Announcement, AnnouncementRecipient
from store.announcements import (
    acknowledge,
    claim_copy_slot,
    copies_behind,
    copy_progress,
    delivery_report,
    due_for_reping,
    forum_groups,
    group_posts,
    linked_accounts,
    mark_sent,
    next_number,
    reachable_accounts,
    record_copy_shown,
    resolve_people,
    start_copy_counters,
)
from store.calendar import quiet_preferences
from store.calendar_models import QuietPreference
from store.db import Database, affected_rows
from store.forum_models import ForumGroup
from store.models import (
    Delivery,
    DeliveryState,
    Forum,
    Gmina,
    MessengerAccount,
    Person,
    Role,
    RoleGrant,
)
from store.outbox import NewDelivery, enqueue
from store.people import audit

log = logging.getLogger(__name__)

ACTION_SEND = "ann.send"
ACTION_CANCEL = "ann.cancel"
ACTION_ACK = "ann.ack"
MAX_TEXT = 3000  # fits one Telegram message, one Slack section and one Teams card
# A preview older than this is not sent: the counts the author confirmed may no longer hold.
DRAFT_VALID = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class AnnouncementSettings:
    """``[announcements]``"""

    reping_after: timedelta = timedelta(minutes=15)
    max_pings: int = 3  # the first delivery counts as one
    # The author's copy is edited at most this often per announcement: 2,000 acknowledgements
    # within minutes must not become 2,000 edits against the author's chat's rate limits.
    author_copy_every: timedelta = timedelta(seconds=15)


@dataclass(frozen=True, slots=True)
class Draft:
    """A previewed announcement: what the author confirms."""

    announcement_id: int
    recipients: int
    per_platform: Mapping[str, int]
    without_messenger: int
    groups: Mapping[str, int] = field(default_factory=dict)  # forum group posts per messenger
    unreachable: int = 0  # linked, but no messenger takes messages for them (blocked the bot…)
    author_left_out: bool = False  # the author was in the audience: they have their own copy
    sms: int = 0  # urgent, with [sms]: people without a messenger who get an SMS instead
    sms_segments: int = 0  # what those SMS are billed as
    sms_price: Decimal = Decimal(0)  # per segment, from [sms] price_per_segment


class AnnouncementService:
    """Drafts, sends, acknowledges, re-pings and reports announcements."""

    def __init__(self, *, db: Database, clock: Clock, messengers: Mapping[str, Messenger],
                 settings: AnnouncementSettings = AnnouncementSettings(),
                 hold_quiet: Callable[[datetime, QuietPreference | None], datetime] | None
                 = None, outbound: Outbound | None = None,
                 sms: SmsSettings | None = None) -> None:
        self._db = db
        self._clock = clock
        self._messengers = messengers
        self.outbound = outbound  # the way out of the author's copy (set by the root)
        self.settings = settings
        # [sms]: urgent announcements also reach people without a messenger by SMS.
        self.sms = sms
        # Normal announcements wait for the recipient's next working window (their own
        # quiet hours, /cisza, over the configured ones); urgent ones never do.
        self._hold_quiet = hold_quiet or (lambda moment, _preference: moment)

    def hold_quiet(self, moment: datetime, preference: QuietPreference | None) -> datetime:
        """When a quiet message due at ``moment`` may go to a person with the quiet-hours
        ``preference`` (their /cisza): the next working window (the freshness campaign
        waits like a normal announcement)."""
        return self._hold_quiet(moment, preference)

    async def draft(self, *, author: Person, urgent: bool, text: str, audience: Audience,
                    label: str) -> Draft:
        """Store a draft and count who would get it, per messenger."""
        return await self._plan(author=author, urgent=urgent, text=text, audience=audience,
                                label=label, store=True)

    async def estimate(self, *, author: Person, urgent: bool, text: str, audience: Audience
                       ) -> Draft:
        """The counts :meth:`draft` would show, storing nothing (the panel's live counts;
        ``announcement_id`` is 0)."""
        return await self._plan(author=author, urgent=urgent, text=text, audience=audience,
                                label="", store=False)

    async def _plan(self, *, author: Person, urgent: bool, text: str, audience: Audience,
                    label: str, store: bool) -> Draft:
        async with self._db.session() as session:
            people = await resolve_people(
                session, everyone=audience.everyone, forum_ids=audience.forum_ids,
                gmina_ids=audience.gmina_ids, roles={r.value for r in audience.roles},
                emails=audience.emails,
            )
            # The author has their own copy, with the counters: not a recipient (an urgent
            # one would ping them and tell their coordinator they did not acknowledge it).
            author_left_out = int(author.id or 0) in people
            people.discard(int(author.id or 0))
            accounts = await reachable_accounts(session, people)
            groups = await forum_groups(session, everyone=audience.everyone,
                                        forum_ids=audience.forum_ids) if urgent else []
            texted = await self._sms_recipients(session, urgent, people, accounts)
            announcement = Announcement(
                author_id=int(author.id or 0), urgent=urgent, text=text,
                audience=audience.to_json(), audience_label=label[:500],
                created_at=self._clock.now(),
            )
            if store:
                session.add(announcement)
                await session.commit()
        per_platform: Counter[str] = Counter()
        for person, linked in accounts.items():  # only people some messenger reaches
            if person in people:
                per_platform.update(a.platform for a in _copies(linked, urgent))
        # Those who get an SMS are counted there, not as without a messenger or cut off.
        cut_off = {p for p in people if not accounts.get(p)} - {r.person_id for r in texted}
        async with self._db.session() as session:
            unreachable = set(await linked_accounts(session, cut_off))
        return Draft(int(announcement.id or 0), len(people), dict(per_platform),
                     len(cut_off - unreachable), dict(Counter(g.platform for g in groups)),
                     unreachable=len(unreachable), author_left_out=author_left_out,
                     sms=len(texted),
                     sms_segments=(planned_segments(announcement, texted, self.sms)
                                   if self.sms and texted else 0),
                     sms_price=self.sms.price_per_segment if self.sms else Decimal(0))

    async def _sms_recipients(self, session: AsyncSession, urgent: bool, people: set[int],
                              accounts: Mapping[int, list[MessengerAccount]]
                              ) -> list[SmsRecipient]:
        """Who of ``people`` gets an SMS: only for an urgent announcement, with ``[sms]``,
        those no messenger reaches who have a mobile number."""
        if not urgent or self.sms is None:
            return []
        without = {p for p in people if not accounts.get(p)}
        languages = {int(pid): lang for pid, lang in (await session.execute(
            select(col(Person.id), col(Person.language)).where(col(Person.id).in_(without))
        )).all()}
        return await sms_recipients(session, without, people - without, languages)

    async def send(self, announcement_id: int, *, author: Person,
                   author_ref: ConversationRef | None, author_message_id: str | None
                   ) -> tuple[str, Announcement | None]:
        """Confirm a draft: "sent", "already" (a double press), "expired" (previewed more
        than :data:`DRAFT_VALID` ago; cancelled now), "cancelled" or "missing".
        ``author_ref`` None: confirmed outside a chat (the panel), no copy to keep current."""
        now = self._clock.now()
        async with self._db.session() as session:
            if not await mark_sent(session, announcement_id, int(author.id or 0), now,
                                   previewed_after=now - DRAFT_VALID):
                existing = await session.get(Announcement, announcement_id)
                if existing is not None and existing.state == "draft" \
                        and existing.author_id == author.id:
                    existing.state = "cancelled"
                    session.add(existing)
                    await session.commit()
                    return "expired", existing
                if existing is not None and existing.state == "cancelled":
                    return "cancelled", existing
                return ("already" if existing else "missing"), existing
            announcement = await session.get(Announcement, announcement_id)
            assert announcement is not None
            announcement.number = await next_number(session)  # only what is sent has one
            audience = _audience_of(announcement)
            people = await resolve_people(
                session, everyone=audience.everyone, forum_ids=audience.forum_ids,
                gmina_ids=audience.gmina_ids, roles={r.value for r in audience.roles},
                emails=audience.emails,
            )
            people.discard(int(author.id or 0))  # as in the preview: the author has their copy
            accounts = await reachable_accounts(session, people)
            author_label = await _person_label(session, author)
            languages: dict[int | None, str | None] = dict((await session.execute(
                select(col(Person.id), col(Person.language)).where(col(Person.id).in_(people))
            )).all())
            preferences = ({} if announcement.urgent
                           else await quiet_preferences(session, people))
            texted = await self._sms_recipients(session, announcement.urgent, people, accounts)
            by_sms = {r.person_id for r in texted}
            rows: list[NewDelivery] = []
            recipients: list[dict[str, object]] = []
            payloads: dict[str, str] = {}  # one copy per language, not per recipient
            for person_id in sorted(people):
                chosen = _copies(accounts.get(person_id, []), announcement.urgent)
                recipients.append({
                    "announcement_id": announcement_id, "person_id": person_id,
                    "platforms": SMS if person_id in by_sms
                    else ",".join(a.platform for a in chosen), "pings": 1,
                    "last_ping_at": now, "acknowledged_on": "",
                })
                rows += self._copies_for(announcement, person_id, chosen, author_label, 1, now,
                                         lang=languages.get(person_id) or "pl",
                                         payloads=payloads,
                                         quiet=preferences.get(person_id))
            if recipients:  # one executemany: thousands of recipients in one statement
                await session.execute(insert(AnnouncementRecipient), recipients)
            if self.sms is not None and texted:  # in the same transaction as the rest
                rows += sms_deliveries(announcement, texted, self.sms, now)
            copies = len(rows)
            groups: list[ForumGroup] = []
            if announcement.urgent:  # urgent ones are posted in the forums' groups as well
                groups = await forum_groups(session, everyone=audience.everyone,
                                            forum_ids=audience.forum_ids)
                rows += _group_posts(announcement, groups, author_label, now)
            announcement.author_ref = author_ref.to_json() if author_ref else None
            announcement.author_message_id = author_message_id or ""
            session.add(announcement)
            await start_copy_counters(session, announcement_id)
            await enqueue(session, rows)
            await audit(session, actor=f"person:{author.id}", action="announcement.send",
                        target=f"announcement:{announcement_id}",
                        details={"urgent": announcement.urgent, "recipients": len(people),
                                 "copies": copies, "groups": len(groups),
                                 "sms": len(texted),
                                 "audience": announcement.audience})
            await session.commit()
        return "sent", announcement

    def _copies_for(self, announcement: Announcement, person_id: int,
                    accounts: list[MessengerAccount], author_label: str, ping: int,
                    now: datetime, *, lang: str = "pl",
                    payloads: dict[str, str] | None = None,
                    quiet: QuietPreference | None = None) -> list[NewDelivery]:
        payloads = {} if payloads is None else payloads
        if lang not in payloads:
            payloads[lang] = message_to_json(copy_message(announcement, author_label, lang,
                                                          ping=ping))
        not_before = now if announcement.urgent else self._hold_quiet(now, quiet)
        rows = []
        for account in accounts:
            rows.append(NewDelivery(
                dedupe_key=f"ann:{announcement.id}:{person_id}:{account.platform}:{ping}",
                kind="announcement", source=f"announcement:{announcement.id}",
                platform=account.platform, target=str(account.private_ref),
                payload=payloads[lang], not_before=not_before,
                person_id=person_id, account_id=account.id,
            ))
        return rows

    async def cancel(self, announcement_id: int, *, author: Person) -> bool:
        """Drop a draft (nothing was sent)."""
        async with self._db.session() as session:
            result = await session.execute(
                update(Announcement).where(
                    col(Announcement.id) == announcement_id,
                    col(Announcement.author_id) == author.id,
                    col(Announcement.state) == "draft",
                ).values(state="cancelled")
            )
            await session.commit()
        return bool(affected_rows(result))

    async def acknowledge(self, announcement_id: int, *, person: Person, platform: str) -> str:
        """A recipient pressed "Potwierdzam": counts everywhere, stops further pings.

        "new", "again", "not_recipient", or "missing" (no such urgent announcement was sent:
        a forged or stale button — normal announcements are never acknowledged).
        """
        now = self._clock.now()
        async with self._db.session() as session:
            announcement = await session.get(Announcement, announcement_id)
            if announcement is None or not announcement.urgent or announcement.state != "sent":
                return "missing"
            outcome = await acknowledge(session, announcement_id, int(person.id or 0), platform,
                                        now)
            if outcome == "new":
                # Copies of this announcement still waiting for this person are not needed.
                await session.execute(
                    update(Delivery).where(
                        col(Delivery.source) == f"announcement:{announcement_id}",
                        col(Delivery.person_id) == person.id,
                        col(Delivery.state) == DeliveryState.PENDING.value,
                    ).values(state=DeliveryState.CANCELLED.value, reason="acknowledged")
                )
                await audit(session, actor=f"person:{person.id}",
                            action="announcement.acknowledge",
                            target=f"announcement:{announcement_id}",
                            details={"platform": platform})
            await session.commit()
        if outcome == "new":
            await self.refresh_author_copy(announcement_id)
        return outcome

    async def status(self, announcement_id: int) -> dict[str, int]:
        """Counters for the author's copy and ``/raport``, each person counted once, in the
        preview's terms: delivered + on the way + failed + without a messenger + cut off
        (linked, but no messenger takes messages for them) = recipients."""
        async with self._db.session() as session:
            recipients = list((await session.execute(
                select(AnnouncementRecipient).where(
                    col(AnnouncementRecipient.announcement_id) == announcement_id
                ))).scalars())
            deliveries = await delivery_report(session, f"announcement:{announcement_id}")
            cut_off = await linked_accounts(
                session, {r.person_id for r in recipients if not r.platforms})
        delivered = {p for p, _pl, state, _r in deliveries if state == DeliveryState.SENT.value}
        failed = {p for p, _pl, state, _r in deliveries
                  if state in (DeliveryState.FAILED.value, DeliveryState.DEAD.value)}
        pending = {p for p, _pl, state, _r in deliveries
                   if state in (DeliveryState.PENDING.value, DeliveryState.SENDING.value)}
        without = sum(1 for r in recipients if not r.platforms)
        return {
            "recipients": len(recipients),
            "delivered": len(delivered),
            "acknowledged": sum(1 for r in recipients if r.acknowledged_at),
            "pending": len(pending - delivered),
            # one copy failed while another is still on the way: on the way, not both
            "failed": len(failed - delivered - pending),
            "unreachable": without - len(cut_off),  # "bez komunikatora", as in the preview
            "cut_off": len(cut_off),  # "nieosiągalni", as in the preview
            "settled": len(delivered | failed),  # see copy_progress
        }

    async def author_copy(self, announcement_id: int, lang: str,
                          counts: Mapping[str, int] | None = None) -> OutboundMessage:
        """The author's copy: what was sent and the counters so far."""
        async with self._db.session() as session:
            announcement = await session.get(Announcement, announcement_id)
        assert announcement is not None
        counts = counts if counts is not None else await self.status(announcement_id)
        number = announcement.number or announcement_id
        return OutboundMessage(
            title=t(lang, "ann.sent_title", id=number), text=announcement.text,
            footer=count_line(lang, announcement.urgent, counts) + "\n"
            + t(lang, "ann.see_report", id=number), lang=lang,
        )

    async def copy_preview(self, *, author: Person, urgent: bool, text: str, lang: str
                           ) -> OutboundMessage:
        """A recipient's first copy of an announcement ``author`` would send (the panel's
        preview, rendered by each messenger's adapter)."""
        async with self._db.session() as session:
            label = await _person_label(session, author)
        draft = Announcement(author_id=int(author.id or 0), urgent=urgent, text=text,
                             audience="{}")
        return copy_message(draft, label, lang, ping=1)

    async def group_lines(self, announcement_id: int, lang: str) -> list[str]:
        """The report's lines of the posts in forum groups (see :meth:`report`)."""
        return await self._group_report(announcement_id, lang)

    async def refresh_author_copy(self, announcement_id: int) -> bool:
        """Show the latest counters in the author's copy, where the messenger allows edits —
        at most once per ``author_copy_every`` for each announcement, across instances.

        Too soon after the last refresh nothing happens here: the acknowledgements are in the
        database, and :meth:`flush_author_copies` shows them once the interval has passed (the
        latest counts win). True if the copy was edited.
        """
        now = self._clock.now()
        async with self._db.session() as session:
            announcement = await session.get(Announcement, announcement_id)
            if not (announcement and announcement.sent_at and announcement.author_ref
                    and announcement.author_message_id):
                return False
            ref = ConversationRef.from_json(announcement.author_ref)
            messenger = self._messengers.get(ref.platform.value)
            if messenger is None or not messenger.capabilities.edit:
                return False
            elapsed = int((now - _aware(announcement.sent_at)).total_seconds())
            if not await claim_copy_slot(
                    session, announcement_id, elapsed=elapsed,
                    every=int(self.settings.author_copy_every.total_seconds())):
                return False
            await session.commit()
            author = await session.get(Person, announcement.author_id)
        lang = (author.language if author else None) or "pl"
        counts = await self.status(announcement_id)  # read after the claim: nothing older
        if self.outbound is None:
            log.error("announcement %s: author's copy not updated: no outbound path",
                      announcement_id)
            return False
        # Through the one way out: an outbox row sent at once. Refused (deleted, too old,
        # bot blocked): the copy is not edited any more. Not taken now: the refresh stays
        # owed, and the row waits for the worker; a later refresh replaces it.
        [outcome] = await self.outbound.send_now(
            [Planned(ref, Outgoing(await self.author_copy(announcement_id, lang, counts),
                                   EDIT, announcement.author_message_id))],
            kind=OutboundKind.AUTHOR_COPY, key=str(announcement_id),
            source=f"author-copy:{announcement_id}", replaces=True)
        if outcome == "queued":
            log.info("announcement %s: author's copy not updated yet", announcement_id)
            return False
        if outcome == "failed":
            log.info("announcement %s: author's copy not updated (refused)", announcement_id)
        async with self._db.session() as session:
            await record_copy_shown(session, announcement_id, copy_progress(counts))
            await session.commit()
        return True

    async def flush_author_copies(self, *, within: timedelta = timedelta(days=7)) -> int:
        """Refresh the authors' copies that are behind — copies delivered or failed and
        acknowledgements since the last refresh (the last of a burst, or ones a restart
        interrupted) — each at most once per ``author_copy_every``. Returns how many were
        edited."""
        async with self._db.session() as session:
            behind = await copies_behind(session, sent_after=self._clock.now() - within)
        refreshed = 0
        for announcement_id in behind:
            try:  # one copy that cannot be edited must not hold up the others
                refreshed += await self.refresh_author_copy(announcement_id)
            except Exception:
                log.exception("author's copy of announcement %s not refreshed", announcement_id)
        return refreshed

    async def reping_round(self) -> int:
        """Ping unacknowledged recipients of urgent announcements again; escalate to their
        gmina's coordinators when the pings run out; then bring the authors' copies up to
        date (:meth:`flush_author_copies`). Safe to run on every instance. Returns how many
        recipients were pinged or escalated."""
        now = self._clock.now()
        done = 0
        async with self._db.session() as session:
            due = await due_for_reping(session, before=now - self.settings.reping_after,
                                       max_pings=self.settings.max_pings)
            for recipient, announcement in due:
                # Read before the UPDATE: the ORM synchronises the loaded row with it.
                pings, person_id = recipient.pings, recipient.person_id
                last = pings >= self.settings.max_pings
                # Only the instance whose update wins goes on (the others see 0 rows).
                claimed = await session.execute(
                    update(AnnouncementRecipient)
                    .where(col(AnnouncementRecipient.id) == recipient.id,
                           col(AnnouncementRecipient.pings) == pings)
                    .values(pings=pings + 1, last_ping_at=now,
                            escalated_at=now if last else recipient.escalated_at)
                )
                if not affected_rows(claimed):
                    continue
                author = await session.get(Person, announcement.author_id)
                label = await _person_label(session, author) if author else ""
                person = await session.get(Person, person_id)
                lang = (person.language if person else None) or "pl"
                if self.sms is not None:
                    # Still silent after the first re-ping: an SMS too, if the office wants
                    # it (its key is that of a first SMS: one per person and announcement).
                    await enqueue(session, await sms_after_reping(
                        session, announcement, person_id, pings, lang, self.sms, now))
                if not last:
                    accounts = (await reachable_accounts(session, {person_id})).get(
                        person_id, [])
                    await enqueue(session, self._copies_for(
                        announcement, person_id, accounts, label, pings + 1, now, lang=lang))
                else:
                    await enqueue(session, await self._escalation(session, announcement,
                                                                  recipient, now))
                    await audit(session, actor="system", action="announcement.escalate",
                                target=f"announcement:{announcement.id}",
                                details={"person": person_id, "pings": pings})
                done += 1
            await session.commit()
        await self.flush_author_copies()
        return done

    async def _escalation(self, session: AsyncSession, announcement: Announcement,
                          recipient: AnnouncementRecipient, now: datetime) -> list[NewDelivery]:
        """Tell the unacknowledging person's gmina coordinators, each in their language; if
        there is none to tell, tell the author, so that nobody is silently forgotten."""
        person = await session.get(Person, recipient.person_id)
        if person is None:
            return []
        gmina = await session.get(Gmina, person.gmina_id) if person.gmina_id else None
        coordinators = set((await session.execute(
            select(col(RoleGrant.person_id)).where(
                col(RoleGrant.role) == Role.GMINA_COORDINATOR.value,
                col(RoleGrant.gmina_id) == person.gmina_id,
            ))).scalars()) - {person.id} if person.gmina_id else set()
        accounts = await reachable_accounts(session, coordinators)
        key = "ann.escalation"
        if not accounts:
            accounts = await reachable_accounts(session, {announcement.author_id})
            key = "ann.escalation_nobody"
        languages: dict[int | None, str | None] = dict((await session.execute(
            select(col(Person.id), col(Person.language))
            .where(col(Person.id).in_(set(accounts)))
        )).all())
        rows = []
        for told_id, linked in accounts.items():
            lang = languages.get(told_id) or "pl"
            message = OutboundMessage(
                title=t(lang, "ann.escalation_title"),
                text=t(lang, key, name=person.name, gmina=gmina.name if gmina else "—",
                       id=announcement.number or announcement.id,
                       text=announcement.text[:300]),
                priority=Priority.NORMAL, lang=lang,
            )
            for account in _copies(linked, urgent=False):
                rows.append(NewDelivery(
                    # the author hears of it once per announcement, not once per person
                    dedupe_key=(f"ann:{announcement.id}:escalate:{person.id}:{told_id}"
                                if key == "ann.escalation"
                                else f"ann:{announcement.id}:escalate-author:{told_id}"),
                    kind="announcement", source=f"announcement:{announcement.id}:escalation",
                    platform=account.platform, target=str(account.private_ref),
                    payload=message_to_json(message), not_before=now,
                    person_id=told_id, account_id=account.id,
                ))
        return rows

    async def report(self, announcement_id: int, lang: str, *, limit: int | None = 30,
                     everyone: bool = False) -> OutboundMessage:
        """``/raport``: delivered, acknowledged, pending, failed — per person and messenger;
        at most ``limit`` people's lines (None: all). ``everyone``: this is already the
        report with every person (``/raport N wszystko``), which must not point to itself."""
        counts = await self.status(announcement_id)
        async with self._db.session() as session:
            announcement = await session.get(Announcement, announcement_id)
            deliveries = await delivery_report(session, f"announcement:{announcement_id}")
            recipients = list((await session.execute(
                select(AnnouncementRecipient, col(Person.name))
                .join(Person, col(Person.id) == col(AnnouncementRecipient.person_id))
                .where(col(AnnouncementRecipient.announcement_id) == announcement_id)
                .order_by(col(Person.name))
            )).all())
            cut_off = await linked_accounts(
                session, {r.person_id for r, _name in recipients if not r.platforms})
            # The SMS line in the provider's terms: delivered / not delivered per its reports.
            sms_line = await report_line(session, announcement_id, lang)
        assert announcement is not None
        # Each person on each messenger once, however often they were pinged there: delivered
        # if any copy got there, else on the way if one still may, else failed (last reason).
        outcome: dict[tuple[int, str], tuple[str, str]] = {}
        for person_id, platform, state, reason in deliveries:
            if state == DeliveryState.CANCELLED.value:
                continue  # not needed any more (acknowledged on another messenger): no failure
            key = (person_id or 0, platform)
            if state == DeliveryState.SENT.value or key not in outcome:
                outcome[key] = (_SHOWN_STATE.get(state, "failed"), reason)
            elif outcome[key][0] == "failed":
                outcome[key] = (_SHOWN_STATE.get(state, "failed"), reason or outcome[key][1])
        by_platform: dict[str, Counter[str]] = {}
        for (_person, platform), (state, _reason) in outcome.items():
            by_platform.setdefault(platform, Counter())[state] += 1
        lines = [t(lang, "ann.report_line", platform=PLATFORM_NAMES.get(p, p), sent=c["sent"],
                   pending=c["pending"], failed=c["failed"])
                 for p, c in sorted(by_platform.items()) if p != SMS]
        if sms_line:
            lines.append(sms_line)
        problems = []
        names = {r.person_id: name for r, name in recipients}
        for (person_id, platform), (state, reason) in sorted(
                outcome.items(), key=lambda item: (names.get(item[0][0], ""), item[0][1])):
            if state == "failed":
                problems.append(t(lang, "ann.failed_line", name=names.get(person_id, "?"),
                                  platform=PLATFORM_NAMES.get(platform, platform),
                                  reason=failure_reason(lang, reason)))
        for r, name in recipients:
            if r.platforms:
                continue
            for account in cut_off.get(r.person_id, []):
                problems.append(t(lang, "ann.failed_line", name=name,
                                  platform=PLATFORM_NAMES.get(account.platform,
                                                              account.platform),
                                  reason=failure_reason(lang, account.unreachable_reason)))
            if r.person_id not in cut_off:
                problems.append(t(lang, "ann.no_messenger", name=name))
        if announcement.urgent:
            problems += [t(lang, "ann.not_acknowledged", name=name)
                         for r, name in recipients if r.platforms and not r.acknowledged_at]
        shown = problems[:limit]
        number = announcement.number or announcement_id
        if limit is not None and len(problems) > limit:
            shown.append(t(lang, "ann.more_cut", count=len(problems) - limit,
                           cap=t(lang, "ann.report_cap", count=limit))
                         if everyone else
                         t(lang, "ann.more", count=len(problems) - limit, id=number))
        posts = await self._group_report(announcement_id, lang)
        return OutboundMessage(
            title=t(lang, "ann.report_title", id=number),
            text="\n".join([count_line(lang, announcement.urgent, counts), "", *lines,
                            *(["", t(lang, "ann.report_groups"), *posts] if posts else []),
                            *(["", *shown] if shown else [])]),
            lang=lang,
        )

    async def _group_report(self, announcement_id: int, lang: str) -> list[str]:
        """One line per post in a forum group: where, and whether it got there (or why not)."""
        async with self._db.session() as session:
            posts = await group_posts(session, _group_source(announcement_id))
            if not posts:
                return []
            ids = {int(k.rsplit(":", 1)[1]) for k, *_ in posts if k.rsplit(":", 1)[1].isdigit()}
            groups = {int(g.id or 0): (g, key) for g, key in (await session.execute(
                select(ForumGroup, col(Forum.key))
                .join(Forum, col(Forum.id) == col(ForumGroup.forum_id))
                .where(col(ForumGroup.id).in_(ids))
            )).all()}
        lines = []
        for dedupe_key, platform, conversation_key, state, reason in posts:
            number = dedupe_key.rsplit(":", 1)[1]
            group, forum = groups.get(int(number) if number.isdigit() else 0, (None, "?"))
            where = (group.title if group and group.title
                     else conversation_key.rsplit(":", 1)[-1])
            if state == DeliveryState.SENT.value:
                outcome = t(lang, "ann.post_sent")
            elif state in (DeliveryState.PENDING.value, DeliveryState.SENDING.value):
                outcome = t(lang, "ann.post_pending")
            else:
                outcome = t(lang, "ann.post_failed", reason=reason or state)
            lines.append(t(lang, "ann.group_line", platform=PLATFORM_NAMES.get(platform, platform),
                           group=where, forum=forum, state=outcome))
        return lines


_SHOWN_STATE = {DeliveryState.SENT.value: "sent", DeliveryState.PENDING.value: "pending",
                DeliveryState.SENDING.value: "pending"}
# What the platforms (through the adapters) and the worker give as reasons → a text key.
_REASONS = (
    ("blocked", "reason.blocked"), ("deactivated", "reason.inactive"),
    ("account_inactive", "reason.inactive"), ("user_not_found", "reason.inactive"),
    ("removed", "reason.removed"), ("not_in_channel", "reason.removed"),
    ("is_archived", "reason.removed"), ("never_started", "reason.never_started"),
    ("chat_not_found", "reason.not_found"), ("channel_not_found", "reason.not_found"),
    ("not reachable in Teams", "reason.teams_not_installed"),
    ("is not configured", "reason.not_configured"), ("no longer useful", "reason.too_late"),
    ("acknowledged", "reason.acknowledged"),
)


def count_line(lang: str, urgent: bool, counts: Mapping[str, int]) -> str:
    """The counters of a sent announcement in one line, in the preview's terms ("bez
    komunikatora", "nieosiągalni" only when there are any)."""
    cut_off = counts.get("cut_off", 0)
    values: dict[str, object] = {
        **counts, "cut_off": t(lang, "ann.count_cut_off", count=cut_off) if cut_off else ""}
    return t(lang, "ann.count_line_urgent" if urgent else "ann.count_line", **values)


def failure_reason(lang: str, reason: str) -> str:
    """Why a copy did not arrive, in the reader's language (the platform's own words kept in
    brackets when there is no better text)."""
    for marker, key in _REASONS:
        if marker in reason:
            return t(lang, key)
    return t(lang, "reason.other", reason=(reason or "?")[:120])


def copy_message(announcement: Announcement, author_label: str, lang: str, *, ping: int
                 ) -> OutboundMessage:
    """A recipient's copy: urgent ones loud and with the acknowledge button."""
    if announcement.urgent:
        title = t(lang, "ann.urgent_title" if ping == 1 else "ann.reping_title")
        return OutboundMessage(
            title=title, text=announcement.text, footer=t(lang, "ann.from", author=author_label),
            buttons=(Button(t(lang, "ann.ack"), ACTION_ACK, str(announcement.id),
                            ButtonStyle.PRIMARY),),
            priority=Priority.URGENT, lang=lang,
        )
    return OutboundMessage(title=t(lang, "ann.title"), text=announcement.text,
                           footer=t(lang, "ann.from", author=author_label),
                           priority=Priority.QUIET, lang=lang)


def group_message(announcement: Announcement, author_label: str) -> OutboundMessage:
    """The post in a forum group: as loud as the platform allows there, with the acknowledge
    button, which counts only for a recipient who presses it (each for themselves)."""
    return OutboundMessage(
        title=t("pl", "ann.urgent_title"), text=announcement.text,
        footer=t("pl", "ann.group_footer", author=author_label),
        buttons=(Button(t("pl", "ann.ack"), ACTION_ACK, str(announcement.id),
                        ButtonStyle.PRIMARY),),
        priority=Priority.URGENT, lang="pl",
    )


def _group_source(announcement_id: int | None) -> str:
    """Group posts have their own source: the recipients' counters and pings ignore them."""
    return f"announcement:{announcement_id}:groups"


def _group_posts(announcement: Announcement, groups: list[ForumGroup], author_label: str,
                 now: datetime) -> list[NewDelivery]:
    payload = message_to_json(group_message(announcement, author_label))
    return [
        NewDelivery(
            dedupe_key=f"ann:{announcement.id}:group:{group.id}", kind="announcement",
            source=_group_source(announcement.id), platform=group.platform, target=group.ref,
            payload=payload, not_before=now,
        )
        for group in groups
    ]


def _copies(accounts: list[MessengerAccount], urgent: bool) -> list[MessengerAccount]:
    """Urgent: every messenger the person is on. Normal: one (the preferred, else the first
    linked; see :func:`reachable_accounts`)."""
    return list(accounts) if urgent else list(accounts[:1])


def _audience_of(announcement: Announcement) -> Audience:
    data = json.loads(announcement.audience)
    return Audience(everyone=data["everyone"], forum_ids=set(data["forums"]),
                    gmina_ids=set(data["gminy"]), roles={Role(r) for r in data["roles"]},
                    emails=set(data["emails"]))


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive UTC datetimes."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


async def _person_label(session: AsyncSession, person: Person) -> str:
    gmina = await session.get(Gmina, person.gmina_id) if person.gmina_id else None
    where = gmina.name if gmina else person.organisation
    return f"{person.name} ({where})" if where else person.name
