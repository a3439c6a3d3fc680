"""Microsoft Entra ID sign-in to the panel: OpenID Connect, authorization code + PKCE, by msal.

msal keeps the protocol honest (``state`` against login CSRF, the PKCE ``code_verifier``
against a stolen code, the ``nonce`` against a replayed ID token). This module keeps each
browser's flow on the server (the browser holds only a random key, in an HttpOnly cookie),
runs msal's blocking HTTP in a thread, and decides whom the ID token names: a member of the
configured tenant, with an e-mail address. The ID token comes straight from the token
endpoint over TLS, so its signature need not be checked (OpenID Connect Core 3.1.3.7, step 6);
its tenant, issuer, audience and expiry are checked here, as msal (1.38+) leaves that to apps.
Nothing of the tokens is kept: a fresh msal client per step, no refresh token asked for.
"""

from __future__ import annotations

import asyncio
import logging
import re
import secrets
import warnings
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import msal

from adapters.panel.settings import PanelConfig

log = logging.getLogger(__name__)

# The code comes back in the query, not by form_post: Microsoft's cross-site POST would not
# carry the SameSite=Lax cookie naming the flow. The code in the browser's history is of no
# use to anyone: it is single-use, bound to the PKCE verifier and redeemed with the secret.
warnings.filterwarnings("ignore", message="response_mode='form_post' is recommended",
                        category=UserWarning, module=r"msal\.")

FLOW_LASTS = timedelta(minutes=10)  # from the redirect to Microsoft until the callback
MAX_FLOWS = 1000  # flows waiting at once; the oldest go first (anyone may start one)
SKEW = timedelta(minutes=5)
# msal adds openid and profile; "email" asks for the address. offline_access is excluded:
# signing in needs no refresh token, so none is issued or kept.
SCOPES = ["email"]
TIMEOUT_SECONDS = 15

# Reasons (for the log and the choice of page; never carries a token or a raw message).
NO_FLOW = "no_flow"  # no flow for this browser: expired, replayed or never started
STATE = "state"  # the callback's state is not the flow's
UNREACHABLE = "unreachable"  # the authority did not answer
TENANT = "tenant"  # the ID token is of another tenant
GUEST = "guest"  # a guest of the tenant, signed in by another identity provider
CLAIMS = "claims"  # issuer, audience or expiry wrong
NO_EMAIL = "no_email"  # no usable e-mail address in the ID token
AADSTS = re.compile(r"AADSTS(\d{4,7})")
# Entra's own refusals of an account from outside the tenant.
NOT_IN_TENANT = frozenset({"50020", "90072"})


class Refused(Exception):
    """The sign-in is refused; ``reason`` is a short code (or ``entra:<error>`` as Microsoft
    answered), safe to log."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Identity:
    """Whom Microsoft signed in: their e-mail address (lower-case) in the tenant."""

    email: str
    tenant: str


class EntraSignIn:
    """Starts and finishes Entra ID sign-ins for one panel (flows kept in memory)."""

    def __init__(self, settings: PanelConfig, *, redirect_uri: str,
                 max_flows: int = MAX_FLOWS) -> None:
        self._settings = settings
        self._redirect_uri = redirect_uri
        self._max_flows = max_flows
        self._flows: OrderedDict[str, tuple[datetime, dict[str, Any]]] = OrderedDict()

    @property
    def authority(self) -> str:
        """The tenant's authority URL msal talks to."""
        return f"{self._settings.entra_authority}/{self._settings.entra_tenant_id}"

    @property
    def waiting(self) -> int:
        """How many flows wait for their callback."""
        return len(self._flows)

    async def begin(self, *, now: datetime) -> tuple[str, str]:
        """A new flow: (the key for the browser's cookie, the address at Microsoft to go to).
        Raises :class:`Refused` (``unreachable``) when the authority does not answer."""
        try:
            flow = await asyncio.to_thread(self._initiate)
        except Exception as exc:  # requests/msal raise many kinds: the authority is not there
            log.warning("panel: Entra ID authority unreachable (%s)", type(exc).__name__)
            raise Refused(UNREACHABLE) from None
        key = secrets.token_urlsafe(24)
        self._keep(key, flow, now)
        return key, str(flow["auth_uri"])

    async def finish(self, key: str, response: Mapping[str, str], *,
                     now: datetime) -> Identity:
        """Redeem the callback's ``response`` (its query) for the flow under ``key`` (used
        up either way); raises :class:`Refused`."""
        flow = self._take(key, now)
        if flow is None:
            raise Refused(NO_FLOW)
        result, tenant = await asyncio.to_thread(self._redeem, flow, dict(response))
        if "error" in result:
            codes = {str(code) for code in result.get("error_codes") or []} | set(
                AADSTS.findall(str(result.get("error_description", ""))[:300]))
            log.info("panel: Entra ID refused the sign-in (%s %s)",
                     str(result["error"])[:60], ",".join(sorted(codes))[:60])
            if codes & NOT_IN_TENANT:
                raise Refused(TENANT)
            raise Refused(f"entra:{str(result['error'])[:60]}")
        claims = result.get("id_token_claims")
        if not isinstance(claims, dict):
            raise Refused(CLAIMS)
        return identity_of(claims, settings=self._settings, discovered_tenant=tenant, now=now)

    # -- blocking, in a thread -------------------------------------------------------------

    def _client(self) -> Any:
        # Fresh per step: msal's token cache would otherwise keep every user's tokens.
        return msal.ConfidentialClientApplication(
            self._settings.entra_client_id,
            client_credential=self._settings.entra_client_secret,
            authority=self.authority,
            # The authority is what the admin configured (or a stand-in in tests): no
            # lookup of it at login.microsoftonline.com.
            instance_discovery=False,
            exclude_scopes=["offline_access"],
            timeout=TIMEOUT_SECONDS,
        )

    def _initiate(self) -> dict[str, Any]:
        flow: dict[str, Any] = self._client().initiate_auth_code_flow(
            scopes=list(SCOPES), redirect_uri=self._redirect_uri,
            # The account picker: on a shared office computer, or after an account the panel
            # refused, the person chooses which Microsoft account signs in.
            prompt="select_account")
        return flow

    def _redeem(self, flow: dict[str, Any], response: dict[str, str]
                ) -> tuple[dict[str, Any], str]:
        try:
            client = self._client()
            result = client.acquire_token_by_auth_code_flow(flow, response)
        except ValueError:  # msal: the state does not match (login CSRF) or a bad response
            log.info("panel: Entra ID callback refused (state)")
            raise Refused(STATE) from None
        except Exception as exc:  # the authority unreachable, or the nonce did not match
            log.warning("panel: Entra ID sign-in failed (%s)", type(exc).__name__)
            raise Refused(UNREACHABLE if _network(exc) else CLAIMS) from None
        # The tenant's id as the authority names it (a GUID even when configured by domain).
        tenant = str(getattr(getattr(client, "authority", None), "tenant", "") or "")
        return (result if isinstance(result, dict) else {"error": "no_result"}), tenant

    # -- the flows ---------------------------------------------------------------------------

    def _keep(self, key: str, flow: dict[str, Any], now: datetime) -> None:
        self._drop_expired(now)
        while len(self._flows) >= self._max_flows:
            self._flows.popitem(last=False)
        self._flows[key] = (now, flow)

    def _take(self, key: str, now: datetime) -> dict[str, Any] | None:
        self._drop_expired(now)
        if not key or len(key) > 100:
            return None
        found = self._flows.pop(key, None)
        return found[1] if found is not None else None

    def _drop_expired(self, now: datetime) -> None:
        while self._flows:
            oldest = next(iter(self._flows.values()))[0]
            if now - oldest < FLOW_LASTS:
                break
            self._flows.popitem(last=False)


def _network(exc: Exception) -> bool:
    return type(exc).__module__.startswith(("requests", "urllib3")) or isinstance(exc, OSError)


def identity_of(claims: Mapping[str, Any], *, settings: PanelConfig, discovered_tenant: str,
                now: datetime) -> Identity:
    """Whom the ID token ``claims`` name, if they may sign in; raises :class:`Refused`.

    The tenant must be the configured one (``tid``: by id, or the id the authority told when
    configured by domain name); guests, whom another identity provider signed in, are refused:
    their ``email`` is set outside the tenant, so it would not prove who they are.
    """
    tid = str(claims.get("tid") or "").lower()
    tenants = {settings.entra_tenant_id.lower(), discovered_tenant.lower()} - {""}
    if not tid or tid not in tenants:
        raise Refused(TENANT)
    issuer = str(claims.get("iss") or "")
    if issuer.rstrip("/").lower() != f"{settings.entra_authority}/{tid}/v2.0".lower():
        raise Refused(CLAIMS)
    audience = claims.get("aud")
    if audience != settings.entra_client_id and not (
            isinstance(audience, list) and settings.entra_client_id in audience):
        raise Refused(CLAIMS)
    expires = claims.get("exp")
    if not isinstance(expires, int | float) or (
            datetime.fromtimestamp(expires, UTC) + SKEW <= now):
        raise Refused(CLAIMS)
    idp = str(claims.get("idp") or "").rstrip("/").lower()
    if idp and idp not in (issuer.rstrip("/").lower(), f"https://sts.windows.net/{tid}"):
        raise Refused(GUEST)
    for name in ("email", "preferred_username"):
        value = str(claims.get(name) or "").strip().lower()
        if "@" in value and len(value) <= 254 and " " not in value:
            return Identity(email=value, tenant=tid)
    raise Refused(NO_EMAIL)
