"""Sending the core's :class:`Reply` back to where a Slack request came from.

Slash commands and buttons on ephemeral messages answer through ``response_url`` (only the
user sees it); mentions answer in their thread and DMs in the DM, with ``chat.postMessage``.
``Reply.replace`` updates the message whose button was pressed (paging). When a
``response_url`` is used up or expired, the answer goes to the user's DM instead.

Everything but the ``response_url`` calls takes the one way out (:class:`commands.ports.
Outbound`): :meth:`ReplyDelivery.plan` is Slack's hook that turns a reply into outbox rows,
written with the request's "done" mark and sent at once; what Slack does not take now waits
in the outbox and follows when it is back. A ``response_url`` answer is not a row: Slack
honours the URL only for 30 minutes and 5 uses, and an ephemeral message cannot be posted
later, so a failed one is sent (through the outbox) to the user's DM.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import replace

from adapters.slack.blocks import render, render_one
from adapters.slack.sender import SlackSender
from adapters.slack.texts import slack_text
from adapters.slack.translate import Inbound, personal_ref
from commands.context import Reply
from commands.model import (
    KIND_HELP,
    KIND_UNLINKED,
    ActionInvoked,
    ConversationRef,
    OutboundMessage,
)
from commands.ports import EDIT, DeliveryError, Outbound, OutboundKind, Outgoing, Planned

log = logging.getLogger(__name__)


class ReplyDelivery:
    """Delivers replies; ``commands`` (name → language) say what users are told to type."""

    def __init__(self, *, sender: SlackSender, commands: Mapping[str, str],
                 outbound: Outbound) -> None:
        self._sender = sender
        self._commands = commands
        self._outbound = outbound

    def plan(self, inbound: Inbound, reply: Reply) -> list[Planned]:
        """The outbox rows of ``reply``: every message that does not go by ``response_url``
        (those :meth:`deliver` answers itself)."""
        return [planned for planned in self._routes(inbound, reply) if planned is not None]

    async def deliver(self, reply: Reply, inbound: Inbound) -> None:
        """Send what ``reply`` holds: ``response_url`` answers now, then its outbox rows (or,
        for a request the core did not record, the rows written now)."""
        routes = self._routes(inbound, reply)
        for index, (message, route) in enumerate(zip(self._messages(reply), routes,
                                                     strict=True)):
            if route is None:
                await self._respond(inbound, message,
                                    replace_first=index == 0 and _replaces(inbound, reply))
        if reply.staged is not None:
            await self._outbound.send_staged(reply.staged)
        else:
            await self._outbound.send_now(self.plan(inbound, reply), kind=OutboundKind.REPLY,
                                          key=inbound.event.event_id)
        if reply.leave:
            # Slack apps stay in a channel until someone removes them; the core's gate keeps
            # the bot silent there meanwhile.
            log.info("asked to leave Slack channel %s: left to its members",
                     inbound.route.channel)

    # --- where each message goes --------------------------------------------------------------

    def _messages(self, reply: Reply) -> list[OutboundMessage]:
        """The messages to send (a bare notice is one), with Slack's hints."""
        messages = [self._with_hint(m) for m in reply.messages]
        if not messages and reply.notice:
            return [OutboundMessage(text=reply.notice, kind="notice")]
        return messages

    def _routes(self, inbound: Inbound, reply: Reply) -> list[Planned | None]:
        """Per message: its outbox row, or None where it goes by ``response_url``."""
        route = inbound.route
        routes: list[Planned | None] = []
        for index, message in enumerate(self._messages(reply)):
            notice = not reply.messages
            if notice:
                routes.append(None if route.response_url
                              else Planned(self._private(inbound), Outgoing(message)))
            elif index == 0 and _replaces(inbound, reply):
                if route.response_url:
                    routes.append(None)
                elif route.message_ts and not route.ephemeral:
                    routes.append(Planned(inbound.event.conversation,
                                          Outgoing(message, EDIT, route.message_ts)))
                else:
                    routes.append(self._posted(inbound, message, response_url=False))
            else:
                routes.append(self._posted(inbound, message, response_url=True))
        return routes

    def _posted(self, inbound: Inbound, message: OutboundMessage, *,
                response_url: bool) -> Planned | None:
        route = inbound.route
        if response_url and route.ephemeral and route.response_url:
            return None
        return Planned(inbound.event.conversation.in_thread(route.thread_ts), Outgoing(message))

    def _with_hint(self, message: OutboundMessage) -> OutboundMessage:
        """Slack takes every "/…" typed as a slash command of some app, so the core's
        "/start KOD" and "/moje-dane" need a word on how to type them here (by the message's
        kind, never its text)."""
        lang = message.lang
        command = next((name for name, language in self._commands.items() if language == lang),
                       next(iter(self._commands)))
        if message.kind == KIND_UNLINKED:
            hint = slack_text(lang, "link_hint", command=command)
            return replace(message, text=f"{message.text}\n\n{hint}")
        if message.kind == KIND_HELP:
            hint = slack_text(lang, "help_hint", command=command)
            return replace(message, footer=f"{message.footer}\n{hint}".strip())
        return message

    # --- response_url -------------------------------------------------------------------------

    async def _respond(self, inbound: Inbound, message: OutboundMessage, *,
                       replace_first: bool) -> None:
        """Answer through ``response_url``; if Slack no longer takes it, the way a request
        without one would have gone (the DM, or the pressed message's edit)."""
        route = inbound.route
        try:
            if replace_first:
                await self._sender.respond(route.response_url or "", render_one(message),
                                           replace=True, ephemeral=route.ephemeral)
            elif message.kind == "notice":
                await self._sender.respond(route.response_url or "", render_one(message))
            else:
                for part in render(message):
                    await self._sender.respond(route.response_url or "", part, ephemeral=True)
            return
        except DeliveryError as exc:
            log.info("response_url of %s unusable (%s): answering without it",
                     inbound.event.event_id, exc.reason)
        if replace_first and route.message_ts and not route.ephemeral:
            fallback = Planned(inbound.event.conversation,
                               Outgoing(message, EDIT, route.message_ts))
        elif replace_first:
            fallback = Planned(inbound.event.conversation.in_thread(route.thread_ts),
                               Outgoing(message))
        else:
            fallback = Planned(self._private(inbound), Outgoing(message))
        await self._outbound.send_now([fallback], kind=OutboundKind.REPLY,
                                      key=inbound.event.event_id)

    @staticmethod
    def _private(inbound: Inbound) -> ConversationRef:
        sender = inbound.event.sender
        return personal_ref(sender.user_id, sender.tenant_id)


def _replaces(inbound: Inbound, reply: Reply) -> bool:
    """The reply's first message replaces the message whose button was pressed (paging)."""
    return bool(reply.replace and reply.messages and isinstance(inbound.event, ActionInvoked))
