"""Who a Teams user is: their e-mail and UPN, as the Bot Connector vouches for them.

A Teams activity carries only ids (``29:…`` and the Entra object id), not an e-mail; to link
an account to a directory person we ask the Connector for the member once (``GET …/members/
{id}``, what ``TeamsInfo.get_member`` does) and cache the answer. Only unlinked senders are
looked up, so no personal data is fetched that the bot does not need.
"""

from __future__ import annotations

import logging
import re
import time
from collections import OrderedDict
from collections.abc import Callable

from adapters.teams.connector import ConnectorClient
from adapters.teams.limits import TeamsLimits, thread_of
from commands.model import ConversationRef
from commands.ports import DeliveryError

log = logging.getLogger(__name__)

_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[A-Za-z]{2,}$")


class MemberAddresses:
    """E-mail and UPN of conversation members, cached per (tenant, user)."""

    def __init__(
        self,
        *,
        connector: ConnectorClient,
        limits: TeamsLimits,
        ttl: float = 3600.0,
        failure_ttl: float = 300.0,
        max_entries: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._connector = connector
        self._limits = limits
        self._ttl = ttl
        self._failure_ttl = failure_ttl
        self._max_entries = max_entries
        self._clock = clock
        self._cache: OrderedDict[tuple[str, str], tuple[float, tuple[str, ...]]] = OrderedDict()

    async def addresses(self, ref: ConversationRef, user_id: str) -> tuple[str, ...]:
        """The member's e-mail, then UPN if different (both only if they look like e-mails)."""
        key = (ref.tenant_id or "", user_id)
        cached = self._cache.get(key)
        if cached is not None and cached[0] > self._clock():
            self._cache.move_to_end(key)
            return cached[1]
        found: tuple[str, ...] = ()
        ttl = self._ttl
        if ref.service_url and ref.conversation_id and user_id:
            conversation = thread_of(ref.conversation_id)
            service_url = ref.service_url
            try:
                member = await self._limits.run(
                    lambda: self._connector.get_member(service_url, conversation, user_id),
                    tenant_id=ref.tenant_id, conversation_id=conversation, read=True,
                )
            except DeliveryError as exc:
                log.info("teams: member lookup for %s failed (%s)", user_id, exc.reason)
                ttl = self._failure_ttl
            else:
                candidates = (member.email, member.user_principal_name)
                found = tuple(dict.fromkeys(
                    c.strip() for c in candidates if c and _EMAIL.match(c.strip())
                ))
        self._cache[key] = (self._clock() + ttl, found)
        self._cache.move_to_end(key)
        while len(self._cache) > self._max_entries:
            self._cache.popitem(last=False)
        return found
