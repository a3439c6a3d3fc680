"""The invitation campaign: e-mail every person of a scope who has no messenger linked,
with a personal Telegram link and how Teams and Slack link; then at most two reminders.

Why not the outbox: the delivery worker sends per messenger a chat message (an
:class:`~commands.model.OutboundMessage`: text and buttons) to a stored conversation,
ordered and paced per chat. An e-mail has a subject, headers (``List-Unsubscribe``) and an
HTML alternative, its address is on the person, and a campaign is one batch over one SMTP
connection — it does not fit the :class:`~commands.ports.Messenger` port without bending it.
So the campaign sends itself, with a record per person that makes it safe to run again:

1. in one transaction (for up to :data:`CLAIM_BATCH` people): the invitation row marked
   ``sending`` — only if no other run did so since this one planned (two runs at once, or
   the daily job beside an admin's run, send each person one e-mail) — and a new link code
   (only its hash is stored);
2. the e-mail is handed to SMTP (a 4xx or a dropped connection is retried at once, a few
   times, with a pause);
3. in a second transaction: ``sent`` (and which reminder it was), ``failed`` (the server
   refused the address or the message: never retried for that address) or ``retry``.

A re-run skips everyone whose e-mail was recorded as sent and only sends reminders that are
due. The one window left is a crash between 2 and 3: the server took the e-mail, the record
says ``sending``; after :data:`LEASE_MINUTES` a re-run sends that person the e-mail again
(at least once, as the messengers' outbox). Opted-out people and people who linked get
nothing, whatever the scope.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from commands.calendar.dates import local, utc
from commands.clock import Clock
from commands.invitations import messages
from commands.invitations.ports import BotUsername, Mail, MailSender, ServerUnavailable
from commands.ports import DeliveryError, TransientFailure
from commands.texts import pick_lang
from store.db import Database, saved_id
from store.invitation_models import Invitation, InvitationState
from store.invitations import (
    Scope,
    claim,
    invitations_of,
    linked_people,
    people_in_scope,
    preferences_of,
    record,
    set_code,
    tokens_for,
)
from store.models import Person
from store.people import _hash, issue_link_code  # the hash LinkCode rows are keyed by

CODE_VALID_FOR = timedelta(days=14)
LEASE_MINUTES = 15
CLAIM_BATCH = 25  # people claimed per transaction (their e-mails are recorded one by one)


@dataclass(frozen=True, slots=True)
class CampaignSettings:
    """How the campaign runs. ``retry_delays``: pauses before each retry of a passing SMTP
    failure; ``platforms``: the messengers besides Telegram the e-mail explains."""

    public_url: str
    reminder_days: tuple[int, ...] = (3, 7)
    retry_delays: tuple[float, ...] = (2.0, 10.0)
    platforms: tuple[str, ...] = ("teams", "slack")


class Action(StrEnum):
    """What the campaign does for one person."""

    INVITE = "invite"
    REMIND = "remind"
    LINKED = "linked"
    WAITING = "waiting"  # invited; no reminder due (or both sent)
    OPTED_OUT = "opted_out"
    NO_EMAIL = "no_email"
    REFUSED = "refused"  # the server refused this address before


@dataclass(slots=True)
class CampaignResult:
    """What a run found and did. ``planned`` counts every :class:`Action`; ``failed`` names
    the addresses not sent to with the reason."""

    planned: Counter[str] = field(default_factory=Counter)
    invited: int = 0
    reminded: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    retry: int = 0
    stopped: str = ""  # why the run stopped early (the mail server could not be used)


def plan(person: Person, *, linked: bool, invitation: Invitation | None, opted_out: bool,
         now: datetime, reminder_days: Sequence[int]) -> Action:
    """What is due for ``person`` now."""
    if linked:
        return Action.LINKED
    if opted_out:
        return Action.OPTED_OUT
    if not person.email:
        return Action.NO_EMAIL
    if invitation is None or invitation.email != person.email:
        return Action.INVITE
    stale = invitation.attempt_at is not None and \
        utc(invitation.attempt_at) < now - timedelta(minutes=LEASE_MINUTES)
    if invitation.state == InvitationState.SENDING and not stale:
        return Action.WAITING  # another run is sending it right now
    if invitation.state == InvitationState.FAILED:
        return Action.REFUSED
    if invitation.sent_at is None:
        return Action.INVITE
    if invitation.reminders < len(reminder_days):
        due = utc(invitation.sent_at) + timedelta(days=reminder_days[invitation.reminders])
        if now >= due:
            return Action.REMIND
    return Action.WAITING


class InvitationCampaign:
    """``lacznik invite``: plan (``dry_run``) or send the invitations and due reminders."""

    def __init__(self, db: Database, clock: Clock, sender: MailSender, bot_username: BotUsername,
                 settings: CampaignSettings) -> None:
        self._db = db
        self._clock = clock
        self._sender = sender
        self._bot_username = bot_username
        self._settings = settings

    async def run(self, scope: Scope, *, dry_run: bool = False,
                  reminders_only: bool = False) -> CampaignResult:
        """Plan every person of ``scope``; unless ``dry_run``, send what is due
        (``reminders_only``: the daily job, which never invites anyone new)."""
        now = utc(self._clock.now())
        result = CampaignResult()
        async with self._db.session() as session:
            people = await people_in_scope(session, scope)
            ids = {saved_id(p) for p in people}
            linked = await linked_people(session, ids)
            invitations = await invitations_of(session, ids)
            preferences = await preferences_of(session, ids)
        due: list[tuple[Person, Action, Invitation | None]] = []
        for person in people:
            pid = saved_id(person)
            pref = preferences.get(pid)
            action = plan(person, linked=pid in linked, invitation=invitations.get(pid),
                          opted_out=pref is not None and pref.opted_out_at is not None,
                          now=now, reminder_days=self._settings.reminder_days)
            result.planned[action.value] += 1
            if action == Action.REMIND or (action == Action.INVITE and not reminders_only):
                due.append((person, action, invitations.get(pid)))
        if dry_run or not due:
            return result
        username = await self._bot_username()
        async with self._sender:
            for first in range(0, len(due), CLAIM_BATCH):
                claimed = await self._claim(due[first:first + CLAIM_BATCH], username)
                for person, action, mail in claimed:
                    if result.stopped:  # claimed, not tried: the next run sends it
                        await self._record(person, action, InvitationState.RETRY,
                                           result.stopped)
                        result.retry += 1
                    else:
                        await self._send_one(person, action, mail, result)
                if result.stopped:
                    break
        return result

    async def _claim(self, batch: Sequence[tuple[Person, Action, Invitation | None]],
                     username: str | None) -> list[tuple[Person, Action, Mail]]:
        """Claim ``batch`` in one transaction (``sending`` records, link codes, opt-out
        tokens) and return the e-mails to send. Whoever another run claimed meanwhile is
        left to it."""
        now = utc(self._clock.now())
        claimed = []
        async with self._db.session() as session:
            tokens = await tokens_for(session, {saved_id(p) for p, _, _ in batch})
            for person, action, seen in batch:
                pid, email = saved_id(person), str(person.email)
                if not await claim(session, person, email=email, seen=seen, now=now,
                                   stale_before=now - timedelta(minutes=LEASE_MINUTES)):
                    continue
                # The Telegram link carries the code; Teams and Slack link by the e-mail.
                code = ""
                if username:
                    code = await issue_link_code(session, pid, platform="telegram",
                                                 valid_for=CODE_VALID_FOR, now=now)
                    await set_code(session, pid, _hash(code))
                claimed.append((person, action, messages.invitation(
                    lang=pick_lang(person.language), name=person.name, email=email,
                    telegram_link=f"https://t.me/{username}?start={code}" if code else None,
                    valid_until=local(now + CODE_VALID_FOR).date(),
                    platforms=self._settings.platforms,
                    unsubscribe=messages.unsubscribe_url(self._settings.public_url,
                                                         tokens[pid]),
                    reminder=action == Action.REMIND)))
            await session.commit()
        return claimed

    async def _send_one(self, person: Person, action: Action, mail: Mail,
                        result: CampaignResult) -> None:
        """Send one claimed e-mail and record its outcome at once (its own commit: a crash
        leaves at most this one person's e-mail unrecorded)."""
        error = await send_with_retries(self._sender, mail, self._settings.retry_delays)
        if error is None:
            state = InvitationState.SENT
            if action == Action.REMIND:
                result.reminded += 1
            else:
                result.invited += 1
        elif isinstance(error, TransientFailure):
            state = InvitationState.RETRY
            result.retry += 1
            if isinstance(error, ServerUnavailable):
                result.stopped = error.reason
        else:
            state = InvitationState.FAILED
            result.failed.append((mail.to, error.reason))
        await self._record(person, action, state, error.reason if error else "")

    async def _record(self, person: Person, action: Action, state: InvitationState,
                      error: str) -> None:
        async with self._db.session() as session:
            await record(session, saved_id(person), state=state,
                         reminder=action == Action.REMIND, error=error,
                         now=utc(self._clock.now()))
            await session.commit()


async def send_with_retries(sender: MailSender, mail: Mail,
                            delays: Sequence[float]) -> DeliveryError | None:
    """Send ``mail``; a passing failure (4xx, dropped connection) is retried after each of
    ``delays``. None when the server took it, else the last error."""
    for pause in (*delays, None):
        try:
            await sender.send(mail)
            return None
        except TransientFailure as exc:
            if pause is None:
                return exc
            await asyncio.sleep(pause)
        except DeliveryError as exc:
            return exc
    return None  # unreachable: the loop returns on its last pass
