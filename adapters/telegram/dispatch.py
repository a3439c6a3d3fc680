"""Running update handlers concurrently across chats but in order within each chat."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

__all__ = ["OrderedDispatcher"]

log = logging.getLogger(__name__)
T = TypeVar("T")


class OrderedDispatcher(Generic[T]):
    """``submit(key, item)`` runs ``handle(item)`` in a task; items of one key run one after
    another in submission order (a chat's messages are answered in order, and a chat waiting
    for its rate limit delays nobody else)."""

    def __init__(self, *, handle: Callable[[T], Awaitable[None]], max_pending: int = 2000
                 ) -> None:
        self._handle = handle
        self._max_pending = max_pending
        self._tails: dict[Hashable, asyncio.Task[None]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._room = asyncio.Event()

    @property
    def pending(self) -> int:
        """Items submitted and not finished yet."""
        return len(self._tasks)

    def submit(self, key: Hashable, item: T) -> None:
        """Schedule ``item`` after every earlier item with the same ``key``."""
        previous = self._tails.get(key)
        task = asyncio.create_task(self._run(previous, item))
        self._tails[key] = task
        self._tasks.add(task)
        task.add_done_callback(lambda done: self._finished(key, done))

    async def room(self) -> None:
        """Wait while ``max_pending`` items are in progress (the producer should slow down)."""
        while len(self._tasks) >= self._max_pending:
            self._room.clear()
            await self._room.wait()

    async def drain(self) -> None:
        """Wait until everything submitted so far (and anything it submits) is done."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def _run(self, previous: asyncio.Task[None] | None, item: T) -> None:
        if previous is not None:
            await asyncio.wait({previous})  # its outcome does not matter, only its end
        try:
            await self._handle(item)
        except Exception:
            log.exception("telegram update handler failed")

    def _finished(self, key: Hashable, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if len(self._tasks) < self._max_pending:
            self._room.set()
        if self._tails.get(key) is task:
            del self._tails[key]
