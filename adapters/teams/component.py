"""The Teams adapter as a service component: its route, its HTTP session, its life cycle."""

from __future__ import annotations

import logging

import aiohttp
from aiohttp import web

from adapters.hosting import Host
from adapters.lifecycle import DEGRADED, Health
from adapters.ratelimit import RetryPolicy
from adapters.teams.bot_token import BotTokenProvider
from adapters.teams.cards import DEFAULT_BUDGET
from adapters.teams.channel_auth import ChannelKeys, ChannelTokenValidator
from adapters.teams.connector import ConnectorClient
from adapters.teams.endpoint import TeamsEndpoint
from adapters.teams.limits import TeamsLimits
from adapters.teams.members import MemberAddresses
from adapters.teams.messenger import TeamsMessenger
from adapters.teams.settings import TeamsSettings
from adapters.teams.translate import CommandWords
from commands.config_schema import setting_name
from commands.ports import Rejected, TransientFailure

ENDPOINT_PATH = "/api/messages"
DRAIN_SECONDS = 10.0
_SDK_ACTIVITY_LOGGER = "microsoft_agents.activity.activity"


class _NoActivityDumps(logging.Filter):
    """The activity model logs every validation error with the offending input (message
    text, names) at ERROR level; we answer 400 and log the activity id instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Validation error for Activity")


class _WatchedTokens:
    """The bot's token provider, remembering whether the last request for a token failed:
    Teams fetches it on first use, so this is how ``/healthz`` learns of a refused secret."""

    def __init__(self, tokens: BotTokenProvider) -> None:
        self._tokens = tokens
        self.problem: tuple[str, str] | None = None  # (key, problem) of the last failure

    async def token(self) -> str:
        try:
            token = await self._tokens.token()
        except Rejected as exc:
            self.problem = ("teams.app_password", f"Entra refused the bot's credentials "
                            f"({exc.reason}); check certificate_path too")
            raise
        except TransientFailure:
            self.problem = ("teams.authority", "the token authority is not reachable")
            raise
        self.problem = None
        return token

    def invalidate(self) -> None:
        self._tokens.invalidate()


class TeamsComponent:
    """Microsoft Teams: ``POST /api/messages`` in, the Bot Connector out."""

    name = "teams"

    def __init__(
        self,
        *,
        app: Host,
        settings: TeamsSettings,
        budget: int = DEFAULT_BUDGET,
        retry_policy: RetryPolicy | None = None,
    ) -> None:
        self.settings = settings
        self._http: aiohttp.ClientSession | None = None
        self._stopped = False
        self._log_filter = _NoActivityDumps()
        self.tokens = BotTokenProvider(settings=settings)
        keys = ChannelKeys(metadata_url=settings.openid_metadata_url, session=self._session)
        self.validator = ChannelTokenValidator(
            app_id=settings.app_id, issuers=settings.allowed_issuers, keys=keys,
            require_endorsement=settings.require_endorsement,
        )
        self._watched = _WatchedTokens(self.tokens)
        connector = ConnectorClient(session=self._session,
                                    tokens=self._watched)  # type: ignore[arg-type]  # typed as the provider; this wrapper has its methods
        limits = TeamsLimits(policy=retry_policy)
        self.messenger = TeamsMessenger(connector=connector, limits=limits, settings=settings,
                                        db=app.db, budget=budget)
        self.endpoint = TeamsEndpoint(
            core=app.core, db=app.db, settings=settings, validator=self.validator,
            messenger=self.messenger,
            members=MemberAddresses(connector=connector, limits=limits),
            words=CommandWords.from_registry(app.core.registry),
        )

    def routes(self) -> list[web.RouteDef]:
        """The messaging endpoint to enter in the Azure Bot registration."""
        return [web.post(ENDPOINT_PATH, self.endpoint.handle)]

    async def start(self) -> None:
        """Open the HTTP session; keys and the token are fetched on first use."""
        logging.getLogger(_SDK_ACTIVITY_LOGGER).addFilter(self._log_filter)
        self._session()

    def health(self) -> Health | None:
        """Degraded while the bot cannot get a token for its own messages (checked on use:
        Teams starts without contacting anyone)."""
        if self._watched.problem is None:
            return None
        key, problem = self._watched.problem
        return Health(DEGRADED, check=setting_name(key), problem=problem)

    async def stop(self) -> None:
        """Let requests in progress deliver their replies, then close the HTTP session."""
        await self.endpoint.drain(DRAIN_SECONDS)
        self._stopped = True
        if self._http is not None:
            await self._http.close()
            self._http = None
        logging.getLogger(_SDK_ACTIVITY_LOGGER).removeFilter(self._log_filter)

    def _session(self) -> aiohttp.ClientSession:
        """One pooled session for the Connector (every region) and the key endpoint."""
        if self._stopped:
            raise RuntimeError("the Teams component is stopped")
        if self._http is None or self._http.closed:
            self._http = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=100, ttl_dns_cache=300),
                headers={"User-Agent": "Lacznik-Teams/1.0"},
            )
        return self._http
