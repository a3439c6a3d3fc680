"""Long polling with ``getUpdates``, reading raw updates so one bad update cannot stall it.

PTB's own ``Updater`` parses a whole batch with ``Update.de_json``; one unparseable update
makes it fetch the same batch forever. Here every raw update is handed on by itself and the
offset moves past it — once it is recorded: an update the database could not record keeps
the offset at it, and it is fetched again after a pause (the ones after it in that batch
come again too and are recognised as done).
"""

from __future__ import annotations

import asyncio
import logging
import random
import warnings
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from telegram import Bot
from telegram.error import Conflict, InvalidToken, RetryAfter, TelegramError
from telegram.warnings import PTBUserWarning

from adapters.telegram.errors import retry_after_seconds

__all__ = ["Poller"]

log = logging.getLogger(__name__)

_MAX_BACKOFF = 30.0


class Poller:
    """Fetches updates until cancelled; ``deliver`` gets each raw update dict and says
    whether it was recorded. ``room`` is awaited before each fetch (backpressure from the
    handlers)."""

    def __init__(
        self,
        *,
        bot: Bot,
        timeout: int,
        allowed_updates: Sequence[str],
        deliver: Callable[[Mapping[str, Any]], Awaitable[bool]],
        room: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self._bot = bot
        self._timeout = timeout
        self._allowed = list(allowed_updates)
        self._deliver = deliver
        self._room = room
        self.offset = 0  # the next update_id wanted; everything below it is confirmed
        # do_api_request is PTB's documented way to get raw results; it warns that a typed
        # get_updates exists, which is exactly what we must not use here.
        warnings.filterwarnings("ignore", message=r"Please use 'Bot\.getUpdates'",
                                category=PTBUserWarning)

    async def run(self) -> None:
        """Poll until cancelled. Network trouble backs off; a bad token stops polling."""
        failures = 0
        while True:
            if self._room is not None:
                await self._room()  # let the handlers catch up before fetching more
            try:
                batch = await self._fetch(wait=self._timeout)
            except InvalidToken:
                log.error("telegram: the token was rejected; polling stopped")
                raise
            except RetryAfter as exc:
                await asyncio.sleep(retry_after_seconds(exc))
                continue
            except TelegramError as exc:
                failures += 1
                delay = random.uniform(0.5, min(_MAX_BACKOFF, 2.0 ** failures))
                what = "another poller or a webhook is active" if isinstance(
                    exc, Conflict) else type(exc).__name__
                log.warning("telegram getUpdates failed (%s); retry in %.1fs", what, delay)
                await asyncio.sleep(delay)
                continue
            if batch == []:
                # The empty answer confirmed everything below the offset. Forget it: after a
                # week without updates Telegram picks the next update_id at random, possibly
                # below our offset, and a stale offset would skip it.
                self.offset = 0
            if await self._hand_on(batch):
                failures = 0
                continue
            failures += 1
            delay = random.uniform(0.5, min(_MAX_BACKOFF, 2.0 ** failures))
            log.warning("telegram: updates not recorded (database unavailable); fetched "
                        "again in %.1fs", delay)
            await asyncio.sleep(delay)

    async def confirm(self) -> None:
        """Tell Telegram that everything handed on so far is done (at shutdown)."""
        if self.offset:
            try:
                await self._fetch(wait=0, limit=1)
            except TelegramError as exc:
                log.info("telegram: final offset not confirmed (%s)", type(exc).__name__)

    async def _fetch(self, *, wait: int, limit: int = 100) -> Any:
        """One getUpdates call; ``wait`` is the long-poll time in seconds."""
        return await self._bot.do_api_request(
            "getUpdates",
            api_kwargs={"offset": self.offset or None, "limit": limit, "timeout": wait,
                        "allowed_updates": self._allowed},
            read_timeout=wait + 10,
        )

    async def _hand_on(self, batch: Any) -> bool:
        """Hand a batch on and wait until it is recorded; False if an update was not — the
        offset then stays at the first such update."""
        if not isinstance(batch, list):
            log.warning("telegram getUpdates returned no list; ignored")
            return True
        usable: list[tuple[int | None, Mapping[str, Any]]] = []
        for update in batch:
            if not isinstance(update, dict):
                log.warning("telegram getUpdates returned a non-object update; skipped")
                continue
            update_id = update.get("update_id")
            usable.append((update_id if isinstance(update_id, int)
                           and not isinstance(update_id, bool) else None, update))
        # All at once (the adapter keeps each chat in order), then wait for every record.
        recorded = await asyncio.gather(*(self._deliver(update) for _, update in usable))
        for (update_id, _), ok in zip(usable, recorded, strict=True):
            if not ok:
                if update_id is not None:
                    self.offset = update_id
                return False
            if update_id is not None:
                self.offset = max(self.offset, update_id + 1)
        ids = [i for i, _ in usable if i is not None]
        if ids:  # also past non-object updates at the end of the batch
            self.offset = max(self.offset, max(ids) + 1)
        return True
