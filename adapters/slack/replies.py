"""Sending the core's :class:`Reply` back to where a Slack request came from.

Slash commands and buttons on ephemeral messages answer through ``response_url`` (only the
user sees it); mentions answer in their thread and DMs in the DM, with ``chat.postMessage``.
``Reply.replace`` updates the message whose button was pressed (paging). When a
``response_url`` is used up or expired, the answer goes to the user's DM instead.

Everything but the ``response_url`` calls goes through :class:`adapters.reply_path.ReplyPath`:
what Slack does not take now (an outage) waits in the outbox and follows when it is back. A
``response_url`` answer is not queued: Slack honours the URL only for 30 minutes and 5 uses,
and an ephemeral message cannot be posted later, so a failed one is sent (or queued) to the
user's DM.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import replace

from adapters.reply_path import ReplyPath
from adapters.slack.blocks import render, render_one
from adapters.slack.messenger import SlackMessenger
from adapters.slack.sender import SlackSender
from adapters.slack.texts import slack_text
from adapters.slack.translate import Inbound, personal_ref
from commands.context import Reply
from commands.model import ActionInvoked, ConversationRef, OutboundMessage
from commands.ports import DeliveryError
from commands.texts import t
from store.replies import EDIT, Outgoing

log = logging.getLogger(__name__)


class ReplyDelivery:
    """Delivers replies; ``commands`` (name → language) say what users are told to type."""

    def __init__(self, *, sender: SlackSender, messenger: SlackMessenger,
                 commands: Mapping[str, str], path: ReplyPath) -> None:
        self._sender = sender
        self._messenger = messenger
        self._commands = commands
        self._path = path

    async def deliver(self, reply: Reply, inbound: Inbound) -> None:
        """Send every message of ``reply``; a bare notice goes only to the user."""
        messages = [self._with_hint(m) for m in reply.messages]
        if not messages:
            if reply.notice:
                await self._notice(inbound, reply.notice)
            return
        replace_first = reply.replace and isinstance(inbound.event, ActionInvoked)
        for index, message in enumerate(messages):
            if index == 0 and replace_first:
                await self._replace(inbound, message)
            else:
                await self._post(inbound, message)
        if reply.leave:
            # Slack apps stay in a channel until someone removes them; the core's gate keeps
            # the bot silent there meanwhile.
            log.info("asked to leave Slack channel %s: left to its members",
                     inbound.route.channel)

    def _with_hint(self, message: OutboundMessage) -> OutboundMessage:
        """Slack takes every "/…" typed as a slash command of some app, so the core's
        "/start KOD" and "/moje-dane" need a word on how to type them here."""
        lang = message.lang
        command = next((name for name, language in self._commands.items() if language == lang),
                       next(iter(self._commands)))
        if message.text == t(lang, "error.unlinked"):
            hint = slack_text(lang, "link_hint", command=command)
            return replace(message, text=f"{message.text}\n\n{hint}")
        if message.title == t(lang, "help.title"):
            hint = slack_text(lang, "help_hint", command=command)
            return replace(message, footer=f"{message.footer}\n{hint}".strip())
        return message

    async def _post(self, inbound: Inbound, message: OutboundMessage) -> None:
        route = inbound.route
        if route.ephemeral and route.response_url:
            try:
                for part in render(message):
                    await self._sender.respond(route.response_url, part, ephemeral=True)
                return
            except DeliveryError as exc:
                log.info("response_url of %s unusable (%s): answering in the DM",
                         inbound.event.event_id, exc.reason)
            await self._queue(inbound, self._private(inbound), Outgoing(message))
            return
        await self._queue(inbound, inbound.event.conversation.in_thread(route.thread_ts),
                          Outgoing(message))

    async def _queue(self, inbound: Inbound, ref: ConversationRef, item: Outgoing) -> None:
        """Send now, or through the outbox when Slack does not take it now."""
        await self._path.deliver(ref, [item], event_id=inbound.event.event_id)

    async def _replace(self, inbound: Inbound, message: OutboundMessage) -> None:
        route = inbound.route
        if route.response_url:
            try:
                await self._sender.respond(route.response_url, render_one(message),
                                           replace=True, ephemeral=route.ephemeral)
                return
            except DeliveryError as exc:
                log.info("could not replace via response_url for %s (%s)",
                         inbound.event.event_id, exc.reason)
        if route.message_ts and not route.ephemeral:
            await self._queue(inbound, inbound.event.conversation,
                              Outgoing(message, EDIT, route.message_ts))
            return
        await self._post(replace(inbound, route=replace(route, response_url=None)), message)

    async def _notice(self, inbound: Inbound, notice: str) -> None:
        """A short note for the person who pressed a button (Slack has no toasts)."""
        message = OutboundMessage(text=notice)
        route = inbound.route
        if route.response_url:
            try:
                await self._sender.respond(route.response_url, render_one(message))
                return
            except DeliveryError as exc:
                log.info("notice for %s not delivered via response_url (%s)",
                         inbound.event.event_id, exc.reason)
        await self._queue(inbound, self._private(inbound), Outgoing(message))

    @staticmethod
    def _private(inbound: Inbound) -> ConversationRef:
        sender = inbound.event.sender
        return personal_ref(sender.user_id, sender.tenant_id)
