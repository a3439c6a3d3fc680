"""``POST /api/messages``: authenticate, translate, hand to the core, deliver the reply.

Status codes the Bot Connector gets: 401 for a missing or invalid token (nothing is
processed), 400 for a body that is not an activity, 403 for a tenant not on the allow-list,
503 when our signing keys cannot be loaded or the database could not record the activity
(the Connector delivers it again), 200 otherwise — unknown activity types included.
An ``adaptiveCard/action`` invoke is answered in the HTTP response (the updated card).

Replies take the one way out (:class:`commands.ports.Outbound`): :func:`plan` is Teams' hook
that turns a reply into outbox rows (a reply chain's ``replyToId``, the PUT of a pressed
card), written with the activity's "done" mark and sent at once; what the Connector does not
take now waits in the outbox and follows when it is back. The invoke response itself is not
a row: Teams shows it to the person who pressed only as the body of that very HTTP answer
(there is no later call that delivers it), so it is always answered at once, synchronously;
the card update for everyone (a PUT) and any further messages take the outbox's way.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Mapping
from functools import partial
from typing import Any

from aiohttp import web
from microsoft_agents.activity import Activity
from pydantic import ValidationError

from adapters.inbound import BodyLost, read_body
from adapters.teams.cards import ADAPTIVE_CARD, render_parts
from adapters.teams.channel_auth import ChannelAuthError, ChannelTokenValidator, KeysUnavailable
from adapters.teams.members import MemberAddresses
from adapters.teams.messenger import TeamsMessenger
from adapters.teams.references import forget, remember_channel, remember_installation
from adapters.teams.settings import TeamsSettings
from adapters.teams.translate import (
    CHANGE_EVENTS,
    EXECUTE_INVOKE,
    CommandWords,
    change_event,
    channel_change,
    channel_data,
    conversation_ref,
    execute_event,
    membership_event,
    message_event,
    sender_of,
    tenant_of,
    title_of,
)
from commands.context import Reply
from commands.core import Core
from commands.model import (
    ActionInvoked,
    BotRemoved,
    ConversationKind,
    ConversationRef,
    InboundEvent,
    MessageReceived,
    OutboundMessage,
    Platform,
)
from commands.ports import EDIT, OutboundKind, Outgoing, Planned
from store.availability import is_outage
from store.db import Database
from store.people import find_account, person_by_email

log = logging.getLogger(__name__)

TEAMS_CHANNEL = "msteams"
MESSAGE_RESPONSE = "application/vnd.microsoft.activity.message"


class TeamsEndpoint:
    """The aiohttp handler of the messaging endpoint."""

    def __init__(
        self,
        *,
        core: Core,
        db: Database,
        settings: TeamsSettings,
        validator: ChannelTokenValidator,
        messenger: TeamsMessenger,
        members: MemberAddresses,
        words: CommandWords,
    ) -> None:
        self._core = core
        self._db = db
        self._settings = settings
        self._validator = validator
        self._messenger = messenger
        outbound = core.services.outbound
        if outbound is None:
            raise RuntimeError("the core has no outbound path (Services.outbound)")
        outbound.register(Platform.TEAMS.value, messenger.trying_once())
        self._outbound = outbound
        self._members = members
        self._words = words
        self._accepting = True
        self._in_flight = 0
        self._idle = asyncio.Event()
        self._idle.set()

    async def handle(self, request: web.Request) -> web.Response:
        """Serve one request from the Bot Connector."""
        if not self._accepting:
            return _status(503, "shutting down")  # the Connector retries elsewhere or later
        self._in_flight += 1
        self._idle.clear()
        try:
            return await self._handle(request)
        finally:
            self._in_flight -= 1
            if not self._in_flight:
                self._idle.set()

    async def drain(self, seconds: float) -> None:
        """Refuse new requests; wait (up to ``seconds``) for those in progress to finish."""
        self._accepting = False
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._idle.wait(), seconds)

    async def _handle(self, request: web.Request) -> web.Response:
        authorization = request.headers.get("Authorization")
        if authorization is not None and not authorization.isascii():
            # A JWT is ASCII; aiohttp hands other bytes on as surrogates that jwt cannot encode.
            log.warning("teams: request refused: authorization header is not ASCII")
            return _status(401, "unauthorized", headers={"WWW-Authenticate": "Bearer"})
        try:
            identity = await self._validator.authenticate(authorization)
        except KeysUnavailable as exc:
            log.warning("teams: cannot check a request: %s", exc.reason)
            return _status(503, "signing keys unavailable")
        except ChannelAuthError as exc:
            log.warning("teams: request refused: %s", exc.reason)
            return _status(401, "unauthorized", headers={"WWW-Authenticate": "Bearer"})
        body = await _json_body(request)
        if body is None:
            return _status(400, "body is not a JSON object")
        activity = read_activity(body)
        if activity is None:
            log.info("teams: request refused: not a valid activity")
            return _status(400, "not a valid activity")
        channel = str(activity.channel_id) if activity.channel_id else None
        try:
            self._validator.check_activity(identity, service_url=activity.service_url,
                                           channel_id=channel)
        except ChannelAuthError as exc:
            log.warning("teams: activity %s refused: %s", activity.id, exc.reason)
            return _status(401, "unauthorized", headers={"WWW-Authenticate": "Bearer"})
        if channel != TEAMS_CHANNEL:
            log.info("teams: activity %s from channel %s ignored", activity.id, channel)
            return _status(200)
        tenant = tenant_of(activity)
        if tenant not in self._settings.allowed_tenants:
            log.warning("teams: activity %s from tenant %s refused", activity.id, tenant or "-")
            return _status(403, "tenant not allowed")
        try:
            return await self._dispatch(activity, body, tenant)
        except Exception as exc:
            if is_outage(exc):  # not recorded: the Bot Connector is to deliver it again
                log.warning("teams: activity %s not recorded (database unavailable)",
                            activity.id)
                return _status(503, "not recorded; deliver again")
            log.exception("teams: activity %s (%s) failed", activity.id, activity.type)
            return _status(500, "internal error")

    async def _dispatch(self, activity: Activity, body: dict[str, Any], tenant: str
                        ) -> web.Response:
        kind = activity.type
        changed = channel_data(activity).event_type in CHANGE_EVENTS
        if kind == "message":
            await self._on_message(activity, body, tenant)
        elif kind == "invoke":
            return await self._on_invoke(activity, body, tenant)
        elif kind in ("messageUpdate", "messageDelete") or (
                kind == "conversationUpdate" and changed):
            await self._on_change(activity, body, tenant)
        elif kind == "conversationUpdate":
            await self._on_conversation_update(activity, body, tenant)
        elif kind == "installationUpdate":
            await self._on_installation_update(activity, tenant)
        else:
            log.debug("teams: %s activity %s acknowledged and ignored", kind, activity.id)
        return _status(200)

    # --- activity kinds ------------------------------------------------------------------------

    async def _on_message(self, activity: Activity, body: dict[str, Any], tenant: str) -> None:
        ref = conversation_ref(activity, tenant)
        sender = sender_of(activity, tenant, email=await self._verified_email(activity, ref))
        event = message_event(activity, ref, sender, self._words, raw=body)
        reply = await self._core.handle_recorded(
            event, plan=partial(plan, ref, event, reply_to=activity.id))
        await self._deliver(reply, ref, event, reply_to=activity.id)

    async def _on_change(self, activity: Activity, body: dict[str, Any], tenant: str) -> None:
        """An edit, deletion or restoration of a message (a relayed answer's mirrors follow)."""
        ref = conversation_ref(activity, tenant)
        event = change_event(activity, ref, sender_of(activity, tenant), raw=body)
        if event is not None:
            await self._core.handle_recorded(event)  # nothing to answer: the mirrors are the answer

    async def _on_invoke(self, activity: Activity, body: dict[str, Any], tenant: str
                         ) -> web.Response:
        if activity.name != EXECUTE_INVOKE:
            log.debug("teams: invoke %s acknowledged and ignored", activity.name)
            return _status(200)
        ref = conversation_ref(activity, tenant)
        sender = sender_of(activity, tenant, email=await self._verified_email(activity, ref))
        event = execute_event(activity, ref, sender, raw=body)
        if event is None:
            return web.json_response({"statusCode": 400, "type": "application/vnd.microsoft.error",
                                      "value": {"code": "BadRequest",
                                                "message": "unreadable action"}})
        reply = await self._core.handle_recorded(event, plan=partial(_invoke_plan, ref, event))
        response: dict[str, Any] = {"statusCode": 200, "type": MESSAGE_RESPONSE,
                                    "value": reply.notice}
        if reply.replace and reply.messages:
            # The invoke response redraws the card for the presser (synchronous: see the
            # module's docstring); the PUT for everyone is a row of the plan.
            parts = render_parts(reply.messages[0])
            if parts:
                response = {"statusCode": 200, "type": ADAPTIVE_CARD, "value": parts[0].card()}
        await self._send(reply, _invoke_plan(ref, event, reply), event)
        return web.json_response(response)

    async def _on_conversation_update(self, activity: Activity, body: dict[str, Any],
                                      tenant: str) -> None:
        change = channel_change(activity)
        if change is not None:
            await remember_channel(self._db, change, tenant_id=tenant,
                                   service_url=activity.service_url)
            return
        ref = conversation_ref(activity, tenant)
        personal = ref.kind == ConversationKind.PERSONAL
        email = await self._verified_email(activity, ref) if personal else None
        sender = sender_of(activity, tenant, email=email)
        title = title_of(activity)
        event = membership_event(activity, ref, sender,
                                 raw={**body, "title": title} if title else body)
        if event is None:
            return
        reply = await self._core.handle_recorded(
            event, plan=partial(plan, ref.in_thread(None), event, reply_to=None))
        if isinstance(event, BotRemoved):
            await forget(self._db, ref.in_thread(None))
            return
        await self._deliver(reply, ref.in_thread(None), event, reply_to=None)
        if personal:
            # Opening the app in a personal chat is Teams' "Start": greet and explain linking.
            welcome = MessageReceived(
                platform=Platform.TEAMS, event_id=f"{activity.id}:welcome", conversation=ref,
                sender=sender, raw=body, text="/start",
            )
            greeting = await self._core.handle_recorded(
                welcome, plan=partial(plan, ref, welcome, reply_to=None))
            await self._deliver(greeting, ref, welcome, reply_to=None)

    async def _on_installation_update(self, activity: Activity, tenant: str) -> None:
        ref = conversation_ref(activity, tenant).in_thread(None)
        action = (activity.action or "").lower()
        if action.startswith("remove"):
            await forget(self._db, ref)
        elif action.startswith("add"):
            await remember_installation(self._db, ref, title=title_of(activity))

    # --- helpers -------------------------------------------------------------------------------

    async def _deliver(self, reply: Reply, ref: ConversationRef, event: InboundEvent,
                       *, reply_to: str | None) -> None:
        """Post the core's reply where the event came from (same thread)."""
        if reply.leave:
            log.info("teams: asked to leave %s; a Teams bot cannot remove itself, an admin "
                     "removes the app", ref.key)
        await self._send(reply, plan(ref, event, reply, reply_to=reply_to), event)

    async def _send(self, reply: Reply, planned: list[Planned], event: InboundEvent) -> None:
        """The reply's rows: recorded with the activity (send them now), or written now."""
        if reply.staged is not None:
            await self._outbound.send_staged(reply.staged)
        else:
            await self._outbound.send_now(planned, kind=OutboundKind.REPLY, key=event.event_id)

    async def _verified_email(self, activity: Activity, ref: ConversationRef) -> str | None:
        """The sender's e-mail from the Connector — only for senders not linked yet."""
        user_id = activity.from_property.id if activity.from_property else None
        if not user_id or user_id.startswith("28:"):
            return None
        async with self._db.session() as session:
            account = await find_account(session, Platform.TEAMS.value, ref.tenant_id or "",
                                         user_id)
        if account is not None and account.person_id is not None:
            return None
        addresses = await self._members.addresses(ref, user_id)
        if len(addresses) > 1:  # e-mail and UPN differ: take the one the directory knows
            async with self._db.session() as session:
                for address in addresses:
                    if await person_by_email(session, address) is not None:
                        return address
        return addresses[0] if addresses else None


def plan(ref: ConversationRef, event: InboundEvent, reply: Reply, *,
         reply_to: str | None) -> list[Planned]:
    """Teams' hook of the way out: a message answers the activity in its reply chain
    (``reply_to``); a page turned replaces the pressed card (PUT); a bare notice is a
    message."""
    messages = list(reply.messages)
    items: list[Outgoing] = []
    if isinstance(event, ActionInvoked) and reply.replace and messages and event.message_id:
        items.append(Outgoing(messages.pop(0), EDIT, event.message_id))
    elif not messages and reply.notice:
        messages = [OutboundMessage(text=reply.notice)]
    items += [Outgoing(message, reply_to=reply_to or "") for message in messages]
    return [Planned(ref, item) for item in items]


def _invoke_plan(ref: ConversationRef, event: InboundEvent, reply: Reply) -> list[Planned]:
    """An ``adaptiveCard/action``'s rows: the PUT of the pressed card for everyone (its
    presser sees the invoke response) and any further messages; the notice is the response."""
    messages = list(reply.messages)
    items: list[Outgoing] = []
    if reply.replace and messages:
        first = messages.pop(0)
        if isinstance(event, ActionInvoked) and event.message_id:
            items.append(Outgoing(first, EDIT, event.message_id))
    items += [Outgoing(message) for message in messages]
    return [Planned(ref, item) for item in items]


def read_activity(body: Mapping[str, Any]) -> Activity | None:
    """The activity in a JSON object; None if it is not one (the SDK's validators raise
    TypeError and ValueError besides pydantic's ValidationError, e.g. for an empty
    ``channelId``)."""
    try:
        return Activity.model_validate(body)
    except (ValidationError, ValueError, TypeError):
        return None


async def _json_body(request: web.Request) -> dict[str, Any] | None:
    try:
        data = json.loads(await read_body(request))
    except (BodyLost, ValueError, RecursionError):  # cut off, not UTF-8/JSON, too deep
        return None
    return data if isinstance(data, dict) else None


def _status(status: int, error: str = "", *, headers: Mapping[str, str] | None = None
            ) -> web.Response:
    if status == 200:
        return web.Response(status=200)
    return web.json_response({"error": error}, status=status, headers=headers)
