"""The freshness campaign: ask everyone whose entry is older than N months to confirm it.

An admin starts it (the office panel); each person asked gets their entry on one messenger
(the one their entry prefers, like a normal announcement) through the outbox, with the
buttons "Dane aktualne" (the entry is confirmed today) and "Popraw" (the bot asks what to
correct; the answer runs ``/moje-dane``, the chat's own edit). The campaign's requests count
who answered how.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from dateutil.relativedelta import relativedelta

from commands import prompts
from commands.authz import Actor
from commands.context import Context, Reply
from commands.directory.index import DirectoryIndex
from commands.model import (
    Button,
    ButtonStyle,
    ContactCard,
    OutboundMessage,
    Priority,
    message_to_json,
)
from commands.registry import Action, CommandRegistry
from commands.texts import pick_lang, t
from store.announcements import reachable_accounts
from store.calendar import quiet_preferences
from store.db import saved_id
from store.directory import confirm_entry
from store.freshness import (
    Progress,
    add_requests,
    answer,
    create_campaign,
    latest_campaign,
    progress,
    set_counts,
    stale_people,
)
from store.freshness_models import ANSWER_CONFIRMED, ANSWER_CORRECTED
from store.models import Role
from store.outbox import NewDelivery, enqueue
from store.people import audit

if TYPE_CHECKING:
    from commands.core import Services

ACTION_FRESH = "fr.ok"
ACTION_FIX = "fr.fix"
KIND = "notice"  # an own-initiative message: the delivery worker sends it
EDIT_COMMAND = "moje-dane"  # what "Popraw" hands the person's next message to
ANYONE = frozenset({Role.MEMBER})


class NotAllowed(Exception):
    """Only admins start a campaign."""


@dataclass(frozen=True, slots=True)
class Started:
    """A campaign just started: how many were asked, how many had no messenger."""

    campaign_id: int
    asked: int
    unreachable: int
    cutoff: date


@dataclass(frozen=True, slots=True)
class Plan:
    """Who a campaign would ask, before it is started: people with a messenger by the
    platform they would be asked on, and those who cannot be reached (none linked)."""

    months: int
    cutoff: date
    by_platform: dict[str, int]
    unreachable: int

    @property
    def asked(self) -> int:
        """People who would get the question."""
        return sum(self.by_platform.values())


def cutoff_for(today: date, months: int) -> date:
    """The last confirmation day that counts as older than ``months`` months on ``today``
    (:meth:`commands.directory.answers.DirectoryAnswers.is_stale`'s rule, as a date)."""
    return today - relativedelta(months=months)


def entry_card(index: DirectoryIndex, person_id: int, lang: str, *, stale: bool
               ) -> ContactCard | None:
    """A person's entry as the chat shows it (from the in-memory index)."""
    person = index.persons.get(person_id)
    if person is None:
        return None
    gmina = index.gminy.get(person.gmina_id) if person.gmina_id else None
    return ContactCard(
        name=person.name, gmina=gmina.name if gmina else person.organisation,
        position=person.position,
        topics=tuple(x.name(lang) for x in index.topics_of(person_id)),
        email=person.email or "", phone=person.phone,
        preferred_contact=person.preferred_contact, notes=person.notes,
        confirmed_on=person.confirmed_on, stale=stale)


def request_message(card: ContactCard | None, request_id: int, lang: str) -> OutboundMessage:
    """The question a person gets: their entry and the two buttons."""
    when = card.confirmed_on.isoformat() if card and card.confirmed_on else t(lang, "fresh.never")
    return OutboundMessage(
        title=t(lang, "fresh.title"), text=t(lang, "fresh.ask", date=when),
        cards=(card,) if card else (), footer=t(lang, "fresh.footer"),
        buttons=(Button(t(lang, "fresh.ok"), ACTION_FRESH, str(request_id), ButtonStyle.PRIMARY),
                 Button(t(lang, "fresh.fix"), ACTION_FIX, str(request_id))),
        priority=Priority.QUIET, lang=lang)


async def plan_campaign(services: Services, *, months: int) -> Plan:
    """What :func:`start_campaign` with ``months`` would do now (it writes nothing): the
    same people, each on the messenger it would use."""
    months = max(1, min(int(months), 120))
    cutoff = cutoff_for(services.directory.today(), months)
    async with services.db.session() as session:
        people = await stale_people(session, cutoff)
        accounts = await reachable_accounts(session, {pid for pid, _lang in people})
    by_platform: dict[str, int] = {}
    for pid, _lang in people:
        linked = accounts.get(pid)
        if linked:
            by_platform[linked[0].platform] = by_platform.get(linked[0].platform, 0) + 1
    asked = sum(by_platform.values())
    return Plan(months, cutoff, dict(sorted(by_platform.items())), len(people) - asked)


async def start_campaign(services: Services, who: Actor, *, months: int,
                         actor_label: str = "") -> Started:
    """Ask everyone whose entry was last confirmed ``months`` months ago or earlier (or
    never) to confirm it. Admins only (:class:`NotAllowed`). Everything — the campaign, one
    request and one outbox row per person — is written in one transaction: the delivery
    worker sends the messages once it commits."""
    if who.person_id is None or not who.admin:
        raise NotAllowed
    months = max(1, min(int(months), 120))
    today = services.directory.today()
    cutoff = cutoff_for(today, months)
    now = services.clock.now()
    index = await services.directory.index()
    async with services.db.session() as session:
        people = await stale_people(session, cutoff)
        accounts = await reachable_accounts(session, {pid for pid, _lang in people})
        campaign = await create_campaign(session, started_by=who.person_id, started_at=now,
                                         months=months, cutoff=cutoff)
        campaign_id = saved_id(campaign)
        asked = [(pid, accounts[pid][0].platform) for pid, _lang in people if accounts.get(pid)]
        requests = await add_requests(session, campaign_id, asked)
        # Not urgent: like a normal announcement, each question waits for its recipient's
        # working hours (the configured quiet hours, and their own /cisza).
        hold = services.announcements.hold_quiet
        quiet = await quiet_preferences(session, [pid for pid, _platform in asked])
        rows: list[NewDelivery] = []
        for pid, language in people:
            linked = accounts.get(pid)
            if not linked or pid not in requests:
                continue
            lang = pick_lang(language)
            account = linked[0]
            message = request_message(entry_card(index, pid, lang, stale=True), requests[pid],
                                      lang)
            rows.append(NewDelivery(
                dedupe_key=f"fresh:{campaign_id}:{pid}", kind=KIND,
                source=f"freshness:{campaign_id}", platform=account.platform,
                target=str(account.private_ref), payload=message_to_json(message),
                not_before=hold(now, quiet.get(pid)), person_id=pid,
                account_id=account.id))
        await enqueue(session, rows)
        await set_counts(session, campaign, asked=len(rows), unreachable=len(people) - len(rows))
        await audit(session, actor=actor_label or f"person:{who.person_id}",
                    action="directory.freshness_start", target=f"freshness:{campaign_id}",
                    details={"months": months, "asked": len(rows),
                             "unreachable": len(people) - len(rows)})
        await session.commit()
    return Started(campaign_id, len(rows), len(people) - len(rows), cutoff)


async def current_progress(services: Services) -> Progress | None:
    """The latest campaign's counters (None: there was none)."""
    async with services.db.session() as session:
        campaign = await latest_campaign(session)
        return await progress(session, campaign) if campaign is not None else None


# --- the buttons ---------------------------------------------------------------------------


async def still_correct(ctx: Context, value: str) -> Reply:
    """"Dane aktualne": the entry is confirmed today; the question shows it was answered."""
    person = ctx.person
    if person is None or person.id is None or not value.isdigit():
        return Reply(notice=t(ctx.lang, "error.stale_button"))
    today = ctx.services.directory.today()
    async with ctx.services.db.session() as session:
        outcome = await answer(session, int(value), person.id, ANSWER_CONFIRMED, ctx.now)
        if outcome == "missing":
            return Reply(notice=t(ctx.lang, "error.stale_button"))
        if not await confirm_entry(session, person.id, today):
            return Reply(notice=t(ctx.lang, "error.stale_button"))
        await session.commit()
    ctx.services.directory.invalidate()
    text = t(ctx.lang, "fresh.confirmed", date=today.isoformat())
    card = entry_card(await ctx.services.directory.index(), person.id, ctx.lang, stale=False)
    shown = OutboundMessage(title=t(ctx.lang, "fresh.title"), text=text,
                            cards=(card,) if card else (), lang=ctx.lang)
    return Reply([shown], notice=text, replace=True)


async def correct_it(ctx: Context, value: str) -> Reply:
    """"Popraw": counted as a correction; the bot asks what to change, and the person's next
    message runs /moje-dane with it (the chat's edit: validated, and it confirms the entry)."""
    person = ctx.person
    if person is None or person.id is None or not value.isdigit():
        return Reply(notice=t(ctx.lang, "error.stale_button"))
    async with ctx.services.db.session() as session:
        outcome = await answer(session, int(value), person.id, ANSWER_CORRECTED, ctx.now)
        if outcome == "missing":
            return Reply(notice=t(ctx.lang, "error.stale_button"))
        await session.commit()
    reply = await prompts.ask(ctx, t(ctx.lang, "fresh.what"), command=EDIT_COMMAND, args="",
                              style=prompts.APPEND)
    reply.notice = t(ctx.lang, "fresh.what_notice")
    return reply


def register(registry: CommandRegistry) -> None:
    """Add the campaign's two buttons."""
    registry.add_action(Action(ACTION_FRESH, still_correct, roles=ANYONE))
    registry.add_action(Action(ACTION_FIX, correct_it, roles=ANYONE))
