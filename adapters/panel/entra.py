"""Microsoft Entra ID sign-in to the panel: OpenID Connect, authorization code + PKCE, by msal.

msal keeps the protocol honest (``state`` against login CSRF, the PKCE ``code_verifier``
against a stolen code, the ``nonce`` against a replayed ID token). This module seals each
browser's flow into the browser's own cookie (:class:`FlowSeal`: encrypted and authenticated,
its 10-minute expiry inside), so the server keeps no list of waiting sign-ins that anonymous
starts could flood; it runs msal's blocking HTTP in a thread and decides whom the ID token
names: a member of the configured tenant, with an e-mail address. The ID token comes straight
from the token endpoint over TLS, so its signature need not be checked (OpenID Connect Core
3.1.3.7, step 6); its tenant, issuer, audience and expiry are checked here, as msal (1.38+)
leaves that to apps. Nothing of the tokens is kept: one msal client per panel, with a token
cache that keeps nothing, and no refresh token asked for.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import logging
import re
import secrets
import threading
import warnings
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import msal
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from adapters.panel.settings import PanelConfig

log = logging.getLogger(__name__)

# The code comes back in the query, not by form_post: Microsoft's cross-site POST would not
# carry the SameSite=Lax cookie holding the flow. The code in the browser's history is of no
# use to anyone: it is single-use, bound to the PKCE verifier and redeemed with the secret.
warnings.filterwarnings("ignore", message="response_mode='form_post' is recommended",
                        category=UserWarning, module=r"msal\.")

FLOW_LASTS = timedelta(minutes=10)  # from the redirect to Microsoft until the callback
MAX_SPENT = 10_000  # used-up flows remembered (see EntraSignIn._spend)
MAX_SEALED = 3000  # characters of a flow cookie; a real one has about 500
SKEW = timedelta(minutes=5)
# msal adds openid and profile; "email" asks for the address. offline_access is excluded:
# signing in needs no refresh token, so none is issued or kept.
SCOPES = ["email"]
TIMEOUT_SECONDS = 15

# Reasons (for the log and the choice of page; never carries a token or a raw message).
NO_FLOW = "no_flow"  # no usable flow cookie: missing, tampered, expired or used up
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


class FlowSeal:
    """Seals a flow for the browser to keep: AES-256-GCM, the expiry inside the sealed part.

    The key is derived (HKDF-SHA256) from the app's client secret rather than drawn at
    random per process, so every instance of the panel behind one proxy, and the panel
    after a restart, opens the cookies the others sealed; rotating the secret retires them.
    ``context`` (the app and its callback address) is bound as associated data: a cookie
    sealed for one configuration does not open under another.
    """

    VERSION = b"\x01"

    def __init__(self, secret: str, *, context: str) -> None:
        key = HKDF(algorithm=SHA256(), length=32, salt=b"lacznik panel entra flow",
                   info=b"flow cookie v1").derive(secret.encode())
        self._aead = AESGCM(key)
        self._context = self.VERSION + context.encode()

    def seal(self, flow: Mapping[str, Any], *, expires: datetime) -> str:
        """``flow`` and its expiry, encrypted and authenticated, as a cookie-safe string."""
        payload = json.dumps({"flow": dict(flow), "expires": int(expires.timestamp())},
                             separators=(",", ":")).encode()
        nonce = secrets.token_bytes(12)
        sealed = self.VERSION + nonce + self._aead.encrypt(nonce, payload, self._context)
        return base64.urlsafe_b64encode(sealed).rstrip(b"=").decode("ascii")

    def open(self, sealed: str, *, now: datetime) -> dict[str, Any] | None:
        """The flow sealed in ``sealed``; None when it is not ours, altered or expired."""
        if not sealed or len(sealed) > MAX_SEALED:
            return None
        try:
            raw = base64.urlsafe_b64decode(sealed + "=" * (-len(sealed) % 4))
            if raw[:1] != self.VERSION or len(raw) < 1 + 12 + 16:
                return None
            payload = json.loads(self._aead.decrypt(raw[1:13], raw[13:], self._context))
        except (binascii.Error, ValueError, InvalidTag):
            return None
        expires, flow = payload.get("expires"), payload.get("flow")
        if not isinstance(expires, int) or not isinstance(flow, dict):
            return None
        if datetime.fromtimestamp(expires, UTC) <= now:
            return None
        return flow


class _KeepNoTokens(msal.TokenCache):
    """msal's cache, keeping nothing: the panel wants to know who signed in, not to hold
    anyone's tokens (one client serves every sign-in, so its cache would gather them all)."""

    def add(self, event: Any, now: Any = None) -> None:
        return None


class EntraSignIn:
    """Starts and finishes Entra ID sign-ins for one panel; each flow lives in its browser."""

    def __init__(self, settings: PanelConfig, *, redirect_uri: str) -> None:
        self._settings = settings
        self._redirect_uri = redirect_uri
        self._seal = FlowSeal(settings.entra_client_secret,
                              context=f"{settings.entra_client_id} {redirect_uri}")
        self._spent: OrderedDict[str, datetime] = OrderedDict()
        self._app: Any = None
        self._app_lock = threading.Lock()

    @property
    def authority(self) -> str:
        """The tenant's authority URL msal talks to."""
        return f"{self._settings.entra_authority}/{self._settings.entra_tenant_id}"

    async def begin(self, *, now: datetime) -> tuple[str, str]:
        """A new flow: (the sealed flow for the browser's cookie, the address at Microsoft
        to go to). Raises :class:`Refused` (``unreachable``) when the authority does not
        answer."""
        try:
            flow = await asyncio.to_thread(self._initiate)
        except Exception as exc:  # requests/msal raise many kinds: the authority is not there
            log.warning("panel: Entra ID authority unreachable (%s)", type(exc).__name__)
            raise Refused(UNREACHABLE) from None
        address = str(flow.pop("auth_uri"))  # the browser has it; the cookie need not
        return self._seal.seal(flow, expires=now + FLOW_LASTS), address

    async def finish(self, sealed: str, response: Mapping[str, str], *,
                     now: datetime) -> Identity:
        """Redeem the callback's ``response`` (its query) for the flow ``sealed`` in the
        browser's cookie (used up once its state matched); raises :class:`Refused`."""
        flow = self._seal.open(sealed, now=now)
        if flow is None:
            raise Refused(NO_FLOW)
        state = str(flow.get("state") or "")
        if not state or not secrets.compare_digest(
                state.encode(), str(response.get("state", "")).encode()):
            log.info("panel: Entra ID callback refused (state)")
            raise Refused(STATE)  # another browser's callback, or a forged one
        if not self._spend(state, now):
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

    def _spend(self, state: str, now: datetime) -> bool:
        """Use the flow of ``state`` up; False when it was used already.

        Only a genuine, unexpired flow cookie whose state the callback carries gets here,
        and an entry lasts only as long as its flow could. Dropping the oldest entries when
        there are too many refuses nobody: it only lets a replayed callback through to
        Microsoft, which redeems an authorization code once only.
        """
        while self._spent and next(iter(self._spent.values())) <= now:
            self._spent.popitem(last=False)
        if state in self._spent:
            return False
        while len(self._spent) >= MAX_SPENT:
            self._spent.popitem(last=False)
        self._spent[state] = now + FLOW_LASTS
        return True

    # -- blocking, in a thread -------------------------------------------------------------

    def _client(self) -> Any:
        # One client per panel: building one fetches the tenant's OpenID configuration from
        # Microsoft, so a client per request would let anyone make the panel call out at
        # will. Reuse is safe: msal's initiate_auth_code_flow and
        # acquire_token_by_auth_code_flow keep nothing of a flow between calls (the flow
        # travels in the dict passed in), and the token cache keeps nothing. A client that
        # failed to build is not kept: the next sign-in tries again.
        with self._app_lock:
            if self._app is None:
                self._app = msal.ConfidentialClientApplication(
                    self._settings.entra_client_id,
                    client_credential=self._settings.entra_client_secret,
                    authority=self.authority,
                    # The authority is what the admin configured (or a stand-in in tests):
                    # no lookup of it at login.microsoftonline.com.
                    instance_discovery=False,
                    exclude_scopes=["offline_access"],
                    timeout=TIMEOUT_SECONDS,
                    token_cache=_KeepNoTokens(),
                )
            return self._app

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
