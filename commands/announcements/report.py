"""An announcement's report for the office panel: the chat's ``/raport`` in full — counters,
each messenger with its failures and their reasons, acknowledgements over time, the state of
the re-pings and escalations, and the people still to act (a page at a time, or all of them
for an export).

The counting is the database's (``store/announcement_report.py``); the words are the chat's
(:func:`count_line`, :func:`failure_reason`, the SMS and group-post lines), so the panel and
``/raport`` never disagree.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from commands.announcements.audience import Audience
from commands.announcements.service import (
    AnnouncementService,
    _audience_of,
    count_line,
    failure_reason,
)
from commands.announcements.sms import report_line
from commands.authz import Act, Actor, Target, may
from store.announcement_models import Announcement
from store.announcement_report import (
    FailureCount,
    Listed,
    PlatformCounts,
    StillToAct,
    acknowledgement_buckets,
    acknowledgement_span,
    count_sent,
    count_still_to_act,
    counters,
    messenger_outcomes,
    people_by_frame_language,
    ping_state,
    sent_page,
    still_to_act,
)
from store.announcements import by_number, resolve_people
from store.db import Database
from store.models import Person

PER_PAGE = 50
# Bucket lengths for the acknowledgement chart: the shortest that keeps it within MAX_BUCKETS.
BUCKET_SECONDS = (60, 300, 900, 1800, 3600, 3 * 3600, 6 * 3600, 86400)
MAX_BUCKETS = 48
EXPORT_BATCH = 500


@dataclass(frozen=True, slots=True)
class Bucket:
    """Acknowledgements in one stretch of time after sending, and all of them until its end."""

    start: datetime
    count: int
    total: int


@dataclass(frozen=True, slots=True)
class Reason:
    """People one messenger failed for one reason (in the reader's language)."""

    platform: str  # "" when the reason is no messenger at all
    text: str  # "" for ``no_messenger`` (the reader's page words it)
    people: int
    cut_off: bool  # their account there takes no messages: no copy was made
    kind: str = "failed"  # "failed", "cut_off" or "no_messenger" (no linked messenger)


@dataclass(frozen=True, slots=True)
class Pings:
    """The re-pings of an urgent announcement: the rule, and where they stand."""

    every: timedelta
    max_pings: int
    waiting: list[tuple[int, int]]  # (pings so far, unacknowledged people), fewest first
    escalated: int
    next_round: datetime | None  # when the earliest of them is re-pinged (or escalated)
    told: dict[str, int]  # the escalation messages to coordinators by outbox state
    sms_after_reping: bool  # [sms] escalate_unacknowledged


@dataclass(frozen=True, slots=True)
class ToAct:
    """A person still to act and why: ``status`` is one of ``not_acknowledged``,
    ``escalated``, ``pending``, ``failed``, ``cut_off``, ``no_messenger``."""

    person: StillToAct
    status: str
    platform: str  # the messenger the status is about ("" when none)
    reason: str  # why it failed, in the reader's language ("" when it did not)


@dataclass(frozen=True, slots=True)
class Report:
    """Everything the report page shows."""

    announcement: Announcement
    number: int
    author: str
    counts: dict[str, int]
    summary: str  # the counters in the words of the author's copy
    platforms: list[PlatformCounts]
    reasons: list[Reason]
    sms_line: str
    groups: list[str]
    buckets: list[Bucket]
    bucket_seconds: int
    pings: Pings | None  # None: not urgent (quiet announcements are not re-pinged)
    to_act: list[ToAct]
    to_act_total: int
    page: int
    pages: int


class AnnouncementReports:
    """Reports and the list of sent announcements, as the chat's rules allow them."""

    def __init__(self, *, db: Database, service: AnnouncementService) -> None:
        self._db = db
        self._service = service

    async def readable(self, who: Actor, number: int) -> Announcement | None:
        """The sent announcement people know as ``number`` (the chat's ``/raport 2``) if
        ``who`` may read its report (its author, admins) — else None, as if there were none
        (``/raport`` answers the same)."""
        async with self._db.session() as session:
            announcement = await by_number(session, number)
        if announcement is None or announcement.state != "sent" or not may(
                who, Act.READ_REPORT, Target(author_id=announcement.author_id)):
            return None
        return announcement

    async def listing(self, who: Actor, page: int) -> tuple[list[Listed], int]:
        """One page of the sent announcements ``who`` may read the reports of, newest first,
        and how many pages there are."""
        author = None if who.admin else who.person_id
        async with self._db.session() as session:
            total = await count_sent(session, author_id=author)
            pages = max(1, -(-total // PER_PAGE))
            rows = await sent_page(session, author_id=author,
                                   offset=(min(page, pages) - 1) * PER_PAGE, limit=PER_PAGE)
        return rows, pages

    async def report(self, announcement: Announcement, lang: str, *, page: int = 1) -> Report:
        """The report of a sent announcement (see :meth:`readable`), with one page of the
        people still to act."""
        announcement_id = int(announcement.id or 0)
        settings = self._service.settings
        async with self._db.session() as session:
            author = await session.get(Person, announcement.author_id)
            counts = await counters(session, announcement_id)
            platforms, failures = await messenger_outcomes(session, announcement_id)
            sms_line = await report_line(session, announcement_id, lang)
            span = await acknowledgement_span(session, announcement_id)
            sent_at = _aware(announcement.sent_at or announcement.created_at)
            seconds = bucket_seconds(span[1] - sent_at if span else timedelta(0))
            found = (await acknowledgement_buckets(session, announcement_id, start=sent_at,
                                                   seconds=seconds)) if span else []
            state = (await ping_state(session, announcement_id, max_pings=settings.max_pings)
                     if announcement.urgent else None)
            total = await count_still_to_act(session, announcement_id, announcement.urgent)
            pages = max(1, -(-total // PER_PAGE))
            page = min(max(page, 1), pages)
            people = await still_to_act(session, announcement_id, announcement.urgent,
                                        offset=(page - 1) * PER_PAGE, limit=PER_PAGE)
        buckets, running = [], 0
        for index, count in found:
            running += count
            buckets.append(Bucket(sent_at + timedelta(seconds=index * seconds), count, running))
        pings = None
        if state is not None:
            pings = Pings(
                every=settings.reping_after, max_pings=settings.max_pings,
                waiting=sorted(state.waiting_by_pings.items()), escalated=state.escalated,
                next_round=(state.oldest_ping + settings.reping_after
                            if state.oldest_ping else None),
                told=state.escalation_copies,
                sms_after_reping=bool(self._service.sms
                                      and self._service.sms.escalate_unacknowledged))
        return Report(
            announcement=announcement, number=int(announcement.number or announcement_id),
            author=author.name if author else "?", counts=counts,
            summary=count_line(lang, announcement.urgent, counts), platforms=platforms,
            reasons=_reasons(failures, lang, counts), sms_line=sms_line,
            groups=await self._service.group_lines(announcement_id, lang),
            buckets=buckets, bucket_seconds=seconds, pings=pings,
            to_act=[to_act(p, lang) for p in people], to_act_total=total, page=page,
            pages=pages)

    async def everyone_to_act(self, announcement: Announcement, lang: str
                              ) -> AsyncIterator[list[ToAct]]:
        """Every person still to act, a batch at a time (for the export)."""
        offset = 0
        while True:
            async with self._db.session() as session:
                batch = await still_to_act(session, int(announcement.id or 0),
                                           announcement.urgent, offset=offset,
                                           limit=EXPORT_BATCH)
            if not batch:
                return
            yield [to_act(p, lang) for p in batch]
            if len(batch) < EXPORT_BATCH:
                return
            offset += EXPORT_BATCH


def stored_audience(announcement: Announcement) -> Audience:
    """The audience a draft was made for, read as sending reads it."""
    return _audience_of(announcement)


def bucket_seconds(span: timedelta) -> int:
    """The shortest bucket that shows ``span`` in at most :data:`MAX_BUCKETS` points."""
    seconds = max(span.total_seconds(), 0)
    for length in BUCKET_SECONDS:
        if seconds / length < MAX_BUCKETS:
            return length
    days = int(seconds // (MAX_BUCKETS * 86400)) + 1
    return days * 86400


def to_act(person: StillToAct, lang: str) -> ToAct:
    """Why ``person`` is still to act, in the report's terms."""
    if not person.platforms:
        if person.cut_platform:
            return ToAct(person, "cut_off", person.cut_platform,
                         failure_reason(lang, person.cut_reason))
        return ToAct(person, "no_messenger", "", "")
    if person.escalated_at:  # pings ran out: the coordinator knows, however copies fared
        return ToAct(person, "escalated", "", "")
    if person.delivered:
        return ToAct(person, "not_acknowledged", "", "")
    if person.failed and not person.pending:
        return ToAct(person, "failed", person.failed_platform,
                     failure_reason(lang, person.failed_reason))
    return ToAct(person, "pending", "", "")


def _reasons(failures: list[FailureCount], lang: str, counts: dict[str, int]) -> list[Reason]:
    """Why people were not reached: the platforms' reasons in the reader's words (reasons
    that read the same are one), then the recipients with no linked messenger at all."""
    merged: dict[tuple[str, str, bool], int] = {}
    for failure in failures:
        key = (failure.platform, failure_reason(lang, failure.reason), failure.cut_off)
        merged[key] = merged.get(key, 0) + failure.people
    found = [Reason(p, text, n, cut, kind="cut_off" if cut else "failed")
             for (p, text, cut), n in
             sorted(merged.items(), key=lambda item: (item[0][0], -item[1], item[0][1]))]
    if counts.get("unreachable", 0):
        found.append(Reason("", "", counts["unreachable"], False, kind="no_messenger"))
    return found


async def frame_languages(db: Database, audience: Audience, author_id: int
                          ) -> dict[str, int]:
    """Who of ``audience`` (not its author) a messenger copy reaches, by the language of the
    copy's frame ("Ogłoszenie", "Od:"): {"pl": 10, "en": 2}."""
    async with db.session() as session:
        people = await resolve_people(
            session, everyone=audience.everyone, forum_ids=audience.forum_ids,
            gmina_ids=audience.gmina_ids, roles={r.value for r in audience.roles},
            emails=audience.emails)
        people.discard(author_id)
        return await people_by_frame_language(session, people)


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive UTC datetimes."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
