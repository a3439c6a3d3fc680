"""Inbound authentication: the Bot Framework JWT on every request to ``/api/messages``.

Stricter than the Agents SDK's defaults (which only log a wrong issuer or serviceUrl and never
check endorsements): RS256 with a key from the configured OpenID metadata, audience = our app
id, issuer on the allow-list, ``exp``/``nbf``/``iss``/``aud``/``serviceurl`` required, the
``serviceurl`` claim equal to the activity's ``serviceUrl`` and, by default, the signing key
endorsed for the activity's channel.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp
import jwt

log = logging.getLogger(__name__)

ALGORITHM = "RS256"
LEEWAY_SECONDS = 300  # the clock skew Bot Framework documents for its tokens
MAX_TOKEN_LENGTH = 16_384


class ChannelAuthError(Exception):
    """The request is not from the Bot Framework channel. ``reason`` is safe to log."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class KeysUnavailable(ChannelAuthError):
    """No signing keys could be loaded: we cannot judge the request (answer 503, not 401)."""


@dataclass(frozen=True, slots=True)
class ChannelIdentity:
    """What a valid token vouches for."""

    service_url: str
    endorsements: frozenset[str] | None  # None: the key lists no endorsements
    claims: Mapping[str, Any]


class ChannelKeys:
    """The channel's signing keys, read from the OpenID metadata's ``jwks_uri`` and cached.

    Keys are refreshed after ``max_age`` seconds, and early when a token names an unknown key
    id, but at most once per ``min_refresh_interval`` so forged key ids cannot make us hammer
    the key endpoint. When a refresh fails the previous keys stay in use.
    """

    def __init__(
        self,
        *,
        metadata_url: str,
        session: Callable[[], aiohttp.ClientSession],
        max_age: float = 24 * 3600,
        min_refresh_interval: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._metadata_url = metadata_url
        self._session = session
        self._max_age = max_age
        self._min_refresh_interval = min_refresh_interval
        self._clock = clock
        self._keys: dict[str, jwt.PyJWK] = {}
        self._loaded_at: float | None = None
        self._tried_at: float | None = None
        self._lock = asyncio.Lock()

    async def key(self, kid: str) -> jwt.PyJWK:
        """The key with id ``kid``; raises :class:`ChannelAuthError` if there is none."""
        if self._needs_refresh(kid):
            async with self._lock:
                if self._needs_refresh(kid):
                    await self._refresh()
        if not self._keys and self._loaded_at is None:
            raise KeysUnavailable("signing keys unavailable")
        key = self._keys.get(kid)
        if key is None:
            raise ChannelAuthError("unknown signing key")
        return key

    def _needs_refresh(self, kid: str) -> bool:
        now = self._clock()
        fresh = self._loaded_at is not None and now - self._loaded_at < self._max_age
        if fresh and kid in self._keys:
            return False
        # Until the first success retry every second; afterwards at most every interval.
        interval = 1.0 if self._loaded_at is None else self._min_refresh_interval
        return self._tried_at is None or now - self._tried_at >= interval

    async def _refresh(self) -> None:
        self._tried_at = self._clock()
        try:
            metadata = await self._get_json(self._metadata_url)
            jwks_uri = metadata.get("jwks_uri") if isinstance(metadata, dict) else None
            if not isinstance(jwks_uri, str) or not jwks_uri.startswith(("https://", "http://")):
                raise ValueError("OpenID metadata without jwks_uri")
            document = await self._get_json(jwks_uri)
            keys = jwt.PyJWKSet.from_dict(document).keys
        except (aiohttp.ClientError, TimeoutError, ValueError, jwt.PyJWTError) as exc:
            log.warning("teams: could not load the channel's signing keys (%s)",
                        type(exc).__name__)
            return
        self._keys = {k.key_id: k for k in keys if k.key_id}
        self._loaded_at = self._clock()
        log.info("teams: loaded %d channel signing keys", len(self._keys))

    async def _get_json(self, url: str) -> Any:
        timeout = aiohttp.ClientTimeout(total=10)
        async with self._session().get(url, timeout=timeout) as response:
            if response.status != 200:
                raise ValueError(f"HTTP {response.status} from key endpoint")
            return await response.json(content_type=None)


class ChannelTokenValidator:
    """Checks the ``Authorization`` header of an inbound request, then its activity."""

    def __init__(
        self,
        *,
        app_id: str,
        issuers: tuple[str, ...],
        keys: ChannelKeys,
        require_endorsement: bool = True,
        leeway: int = LEEWAY_SECONDS,
    ) -> None:
        self._app_id = app_id
        self._issuers = issuers
        self._keys = keys
        self._require_endorsement = require_endorsement
        self._leeway = leeway

    async def authenticate(self, authorization: str | None) -> ChannelIdentity:
        """Verify the bearer token; raises :class:`ChannelAuthError` with a loggable reason."""
        scheme, _, token = (authorization or "").strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise ChannelAuthError("missing bearer token")
        if len(token) > MAX_TOKEN_LENGTH:
            raise ChannelAuthError("token too long")
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise ChannelAuthError("malformed token") from None
        if header.get("alg") != ALGORITHM:
            raise ChannelAuthError("algorithm not allowed")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise ChannelAuthError("token without key id")
        key = await self._keys.key(kid)
        try:
            claims = jwt.decode(
                token,
                key.key,
                algorithms=[ALGORITHM],
                audience=self._app_id,
                issuer=self._issuers,
                leeway=self._leeway,
                options={"require": ["exp", "nbf", "iss", "aud", "serviceurl"]},
            )
        except jwt.ExpiredSignatureError:
            raise ChannelAuthError("token expired") from None
        except jwt.InvalidAudienceError:
            raise ChannelAuthError("wrong audience") from None
        except jwt.InvalidIssuerError:
            raise ChannelAuthError("issuer not allowed") from None
        except jwt.MissingRequiredClaimError as exc:
            raise ChannelAuthError(f"claim {exc.claim} missing") from None
        except jwt.PyJWTError as exc:
            raise ChannelAuthError(f"invalid token ({type(exc).__name__})") from None
        service_url = claims.get("serviceurl")
        if not isinstance(service_url, str) or not service_url:
            raise ChannelAuthError("claim serviceurl missing")
        endorsements = key._jwk_data.get("endorsements")  # PyJWK keeps the raw JWK here
        return ChannelIdentity(
            service_url=service_url,
            endorsements=frozenset(str(e) for e in endorsements)
            if isinstance(endorsements, list) else None,
            claims=claims,
        )

    def check_activity(
        self, identity: ChannelIdentity, *, service_url: str | None, channel_id: str | None
    ) -> None:
        """The token must be for this activity: same serviceUrl, key endorsed for its channel."""
        if not service_url or _normal(identity.service_url) != _normal(service_url):
            raise ChannelAuthError("serviceUrl does not match the token")
        if self._require_endorsement and (
            identity.endorsements is None or (channel_id or "") not in identity.endorsements
        ):
            raise ChannelAuthError("signing key not endorsed for this channel")


def _normal(url: str) -> str:
    return url.strip().rstrip("/")
