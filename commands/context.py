"""What a handler gets (the context of one event) and what it gives back (a reply)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from commands.authz import NOTHING, Act, Actor, Target, may
from commands.model import InboundEvent, OutboundMessage
from commands.ports import Planned, Staged
from store.models import Person, Role
from store.people import Grant

if TYPE_CHECKING:
    from commands.core import Services


@dataclass(slots=True)
class Reply:
    """The core's answer to one event.

    ``messages`` go back to where the event came from (same thread). ``notice`` is a short
    toast for button presses (Telegram ``answerCallbackQuery``, Slack ephemeral); ``replace``
    asks the adapter to update the message whose button was pressed instead of adding one;
    ``leave`` asks the adapter to leave the conversation (an unregistered group).
    ``staged``: the outbox rows of this reply, written with the update's "done" mark (see
    :func:`commands.core.dedupe`), for the adapter to send at once.
    """

    messages: list[OutboundMessage] = field(default_factory=list)
    notice: str = ""
    replace: bool = False
    leave: bool = False
    staged: Staged | None = None

    @classmethod
    def of(cls, *messages: OutboundMessage, replace: bool = False) -> Reply:
        """A reply made of ``messages``."""
        return cls(list(messages), replace=replace)


ReplyPlan = Callable[[Reply], Sequence[Planned]]
"""What an adapter hands the core with an event: turns its reply into outbox rows."""


@dataclass(slots=True)
class Context:
    """One event on its way through the middleware to a handler."""

    event: InboundEvent
    services: Services
    now: datetime
    lang: str = "pl"
    person: Person | None = None
    grants: list[Grant] = field(default_factory=list)
    account_id: int | None = None  # the sender's messenger account, once known
    trusted: bool = False  # the local console: its user is who they say they are
    # The adapter's hook: where and how each message of the reply goes (quotes, edits of a
    # pressed message, threads); None: the adapter sends the reply itself.
    plan: ReplyPlan | None = None
    registered: bool | None = None  # a group's registration, once identify has looked
    # Whether the bot's question waits for this sender here, as identify read it with the
    # account (None: not read; commands.prompts then looks itself).
    prompt_waiting: bool | None = None

    @property
    def linked(self) -> bool:
        """The sender is a known person."""
        return self.person is not None

    def has_role(self, role: Role) -> bool:
        """The sender holds ``role`` somewhere (admins hold all): enough to be offered a
        command. Whether they may act on a given person, forum or gmina is :meth:`may`'s."""
        if any(g.role == Role.ADMIN for g in self.grants):
            return True
        if role == Role.MEMBER:
            return self.linked
        return any(g.role == role for g in self.grants)

    @property
    def who(self) -> Actor:
        """The sender as the rule book (commands/authz.py) sees them."""
        person_id = int(self.person.id) if self.person and self.person.id is not None else None
        return Actor(person_id, tuple(self.grants))

    def may(self, act: Act, target: Target = NOTHING) -> bool:
        """The sender may do ``act`` to ``target`` (the one rule book: commands/authz.py)."""
        return may(self.who, act, target)

    @property
    def actor(self) -> str:
        """How the audit log names the sender (ids, not personal data)."""
        person = f"person:{self.person.id}" if self.person else "unlinked"
        sender = self.event.sender
        return f"{person} via {sender.platform}:{sender.user_id}"
