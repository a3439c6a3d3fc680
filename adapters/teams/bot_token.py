"""Outbound authentication: the bot's client-credentials token from Entra ID, via msal.

msal is synchronous (it uses ``requests``), so every call runs in a worker thread; the token
is cached here until shortly before it expires, so a busy bot asks the authority about once
an hour. The authority is a setting (``instance_discovery=False``), so a sovereign cloud or a
local fake works; msal trusts ``REQUESTS_CA_BUNDLE`` for a private CA.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

import msal

from adapters.teams.settings import TeamsSettings
from commands.ports import Rejected, TransientFailure

log = logging.getLogger(__name__)

# Errors that mean "the configuration is wrong", not "try again later".
_CONFIG_ERRORS = frozenset({
    "invalid_client", "unauthorized_client", "invalid_scope", "invalid_resource",
    "invalid_request", "unsupported_grant_type",
})


class BotTokenProvider:
    """Gives a valid access token for the Bot Connector, refreshing it before expiry."""

    def __init__(
        self,
        *,
        settings: TeamsSettings,
        refresh_margin: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._settings = settings
        self._refresh_margin = refresh_margin
        self._clock = clock
        self._client: msal.ConfidentialClientApplication | None = None
        self._token: str | None = None
        self._expires_at = 0.0
        self._lock = asyncio.Lock()

    async def token(self) -> str:
        """A token valid for at least ``refresh_margin`` more seconds (or as long as issued)."""
        if self._token and self._clock() < self._expires_at:
            return self._token
        async with self._lock:
            if self._token and self._clock() < self._expires_at:
                return self._token
            result = await asyncio.to_thread(self._acquire)
            token = result["access_token"]
            lifetime = float(result.get("expires_in") or 0)
            # Refresh early, but never cache a short-lived token for longer than it lives.
            self._expires_at = self._clock() + max(lifetime - self._refresh_margin,
                                                   lifetime / 2)
            self._token = token
            return token

    def invalidate(self) -> None:
        """Forget the cached token (the Connector refused it)."""
        self._token = None
        self._expires_at = 0.0

    def _acquire(self) -> dict[str, Any]:
        """Blocking: build the msal client once, then ask for a token."""
        settings = self._settings
        try:
            if self._client is None:
                credential: str | dict[str, str]
                if settings.certificate is not None:
                    credential = settings.certificate.as_msal()
                else:
                    credential = settings.app_password or ""
                self._client = msal.ConfidentialClientApplication(
                    settings.app_id,
                    client_credential=credential,
                    authority=settings.authority_url,
                    instance_discovery=False,
                )
            result = self._client.acquire_token_for_client(scopes=[settings.bot_scope])
        except Exception as exc:  # requests/msal raise many kinds; all mean "not now"
            self._client = None
            log.warning("teams: token authority unreachable (%s)", type(exc).__name__)
            raise TransientFailure("token authority unreachable") from None
        if not isinstance(result, dict) or "access_token" not in result:
            error = str((result or {}).get("error", "unknown_error"))
            codes = (result or {}).get("error_codes") or []
            log.error("teams: the token authority refused the bot's credentials: %s %s",
                      error, codes)
            if error in _CONFIG_ERRORS:
                raise Rejected(f"bot credentials refused: {error}")
            raise TransientFailure(f"token authority: {error}")
        return result
