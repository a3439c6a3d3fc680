"""What an adapter is given by the service that hosts it.

The composition root (``bots.app.App``) satisfies :class:`Host` structurally, so adapters
build their components from it without importing the composition root.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from commands.clock import Clock
    from commands.core import Core
    from commands.ports import Messenger
    from store.db import Database


class Host(Protocol):
    """The shared parts an adapter uses: the command core, the database, the clock and the
    registry of own-initiative senders (``messengers``, keyed by platform) that the delivery
    worker, announcements and forums send through."""

    @property
    def core(self) -> Core: ...

    @property
    def db(self) -> Database: ...

    @property
    def clock(self) -> Clock: ...

    @property
    def messengers(self) -> dict[str, Messenger]: ...
