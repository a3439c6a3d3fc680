"""Who a Slack user is (``users.info``), cached for a while per user.

The e-mail is passed to the core only when Slack vouches for it: a confirmed address of a
real person (not a bot, not deactivated) in one of the allowed workspaces. The core then links
the account to the directory person with that e-mail.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from adapters.slack.sender import SlackSender
from commands.ports import DeliveryError

CACHE_SECONDS = 15 * 60.0
MAX_CACHED = 10_000


@dataclass(frozen=True, slots=True)
class SlackUser:
    """What the adapter needs to know about a Slack user."""

    user_id: str
    team_id: str
    name: str
    email: str | None  # only a confirmed address
    is_bot: bool
    deleted: bool


def user_from_api(data: Mapping[str, Any]) -> SlackUser:
    """A ``users.info`` ``user`` object as :class:`SlackUser`."""
    found = data.get("profile")
    profile: Mapping[str, Any] = found if isinstance(found, Mapping) else {}
    is_bot = bool(data.get("is_bot")) or bool(profile.get("bot_id"))
    deleted = bool(data.get("deleted"))
    email = str(profile.get("email") or "").strip() or None
    if is_bot or deleted or data.get("is_email_confirmed") is False:
        email = None
    name = next((str(v) for v in (profile.get("real_name"), profile.get("display_name"),
                                  data.get("real_name"), data.get("name")) if v), "")
    return SlackUser(user_id=str(data.get("id") or ""), team_id=str(data.get("team_id") or ""),
                     name=name, email=email, is_bot=is_bot, deleted=deleted)


class SlackUsers:
    """``users.info`` with a per-user cache; a failed lookup is simply not cached."""

    def __init__(self, *, sender: SlackSender, ttl: float = CACHE_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._sender = sender
        self._ttl = ttl
        self._clock = clock
        self._cache: OrderedDict[str, tuple[float, SlackUser | None]] = OrderedDict()

    async def get(self, user_id: str) -> SlackUser | None:
        """The user, or None if Slack does not know them or cannot say right now."""
        now = self._clock()
        cached = self._cache.get(user_id)
        if cached is not None and cached[0] > now:
            return cached[1]
        try:
            data = await self._sender.user_info(user_id)
        except DeliveryError:
            return None  # rate limited or down: answer without linking, ask again next time
        user = user_from_api(data) if data is not None else None
        self._cache[user_id] = (now + self._ttl, user)
        self._cache.move_to_end(user_id)
        while len(self._cache) > MAX_CACHED:
            self._cache.popitem(last=False)
        return user
