"""A fake of Microsoft Entra ID for web sign-in: OpenID Connect, authorization code + PKCE.

What a web app's sign-in meets at ``login.microsoftonline.com``, over HTTPS with a throw-away
CA (msal accepts only ``https://`` authorities; trust :attr:`FakeEntraOidc.ca_pem_path` through
``REQUESTS_CA_BUNDLE``), from a threaded stdlib server (msal's ``requests`` calls block):

* ``/{tenant}/v2.0/.well-known/openid-configuration`` (tenant by id or by a domain name; the
  endpoints it names carry the tenant id, as Entra's do) and ``/{tenant}/discovery/v2.0/keys``;
* ``/{tenant}/oauth2/v2.0/authorize``: stands for the person signing in at Microsoft as
  whoever :meth:`FakeEntraOidc.browser_signed_in_as` set; redirects to the app's
  ``redirect_uri`` with ``code`` and ``state`` (or with ``error`` when the account is not in
  the tenant, AADSTS50020). An unknown app or redirect address gets an error page, not a
  redirect, as at Microsoft;
* ``/{tenant}/oauth2/v2.0/token``: redeems a code once, checking the client's secret, the
  ``redirect_uri`` and the PKCE ``code_verifier`` against the ``code_challenge`` (S256); returns
  an RS256 ID token with ``iss``/``aud``/``nonce``/``tid``/``oid``/``email`` as Entra's v2.0
  tokens have them (``idp`` for guests).
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import ssl
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

import jwt

from tests.fakes.teams_auth import (
    RecordedRequest,
    _aad_error,
    _new_rsa_key,
    _rsa_jwk,
    _TestCA,
)

CODE_LIFETIME = 600  # seconds an authorization code may wait to be redeemed
TOKEN_LIFETIME = 3600
MULTI_TENANT = frozenset({"common", "organizations"})


@dataclass(frozen=True)
class Reply:
    """What the fake answers: JSON, HTML or a redirect."""

    status: int
    body: bytes = b""
    content_type: str = "application/json; charset=utf-8"
    location: str = ""

    @classmethod
    def json(cls, status: int, payload: Mapping[str, Any]) -> Reply:
        return cls(status, json.dumps(payload).encode())

    @classmethod
    def error(cls, status: int, error: str, code: int, description: str) -> Reply:
        return cls.json(*_aad_error(status, error, code, description))

    @classmethod
    def page(cls, status: int, text: str) -> Reply:
        return cls(status, f"<!doctype html><title>Entra</title><p>{text}</p>".encode(),
                   "text/html; charset=utf-8")

    @classmethod
    def redirect(cls, location: str) -> Reply:
        return cls(302, location=location)


@dataclass(frozen=True)
class Tenant:
    """A directory: its id and the domain names it may be addressed by."""

    tenant_id: str
    domains: frozenset[str]


@dataclass(frozen=True)
class App:
    """An app registration: its secret and the redirect addresses it accepts."""

    client_id: str
    secret: str
    tenant_id: str
    redirect_uris: frozenset[str]


@dataclass(frozen=True)
class User:
    """An account: member of its home tenant, guest of others."""

    email: str
    name: str
    tenant_id: str
    oid: str
    guest_in: frozenset[str] = frozenset()
    upn: str = ""


@dataclass
class _Code:
    client_id: str
    redirect_uri: str
    challenge: str
    method: str
    nonce: str
    scope: list[str]
    user: User
    tenant_id: str
    issued: float = field(default_factory=time.monotonic)
    redeemed: bool = False


class FakeEntraOidc:
    """Entra ID for an app's users signing in (see the module's docstring)."""

    def __init__(self) -> None:
        self.kid = uuid.uuid4().hex
        self._key = _new_rsa_key()
        self._ca = _TestCA()
        self._lock = threading.Lock()
        self._tenants: dict[str, Tenant] = {}
        self._apps: dict[str, App] = {}
        self._users: dict[str, User] = {}
        self._codes: dict[str, _Code] = {}
        self._requests: list[RecordedRequest] = []
        self._answers: list[tuple[str, int, dict[str, Any]]] = []
        self._signed_in: User | None = None
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- set-up --------------------------------------------------------------------------------

    def add_tenant(self, tenant_id: str, *domains: str) -> None:
        """A directory, addressed by ``tenant_id`` or any of ``domains``."""
        with self._lock:
            self._tenants[tenant_id] = Tenant(tenant_id, frozenset(d.lower() for d in domains))

    def register_app(self, client_id: str, secret: str, *, tenant_id: str,
                     redirect_uris: Iterable[str]) -> None:
        """A web app registered in ``tenant_id`` (single tenant)."""
        with self._lock:
            self._apps[client_id] = App(client_id, secret, tenant_id, frozenset(redirect_uris))

    def add_user(self, email: str, *, name: str, tenant_id: str,
                 guest_in: Iterable[str] = (), upn: str = "") -> None:
        """An account of ``tenant_id`` (and a guest in ``guest_in``)."""
        oid = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{tenant_id}/{email}"))
        with self._lock:
            self._users[email.lower()] = User(email, name, tenant_id, oid,
                                              frozenset(guest_in), upn)

    def browser_signed_in_as(self, email: str | None) -> None:
        """Who signs in when the browser reaches the authorize page (None: nobody)."""
        with self._lock:
            self._signed_in = self._users[email.lower()] if email else None

    # -- running -------------------------------------------------------------------------------

    def start(self) -> Self:
        """Serve HTTPS on 127.0.0.1 (a free port) from a background thread."""
        server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self._serve))
        server.daemon_threads = True
        # Handshake lazily in the per-request thread, not in the accept loop.
        server.socket = self._ca.server_context().wrap_socket(
            server.socket, server_side=True, do_handshake_on_connect=False)
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def close(self) -> None:
        """Stop serving and forget the CA."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None
        self._ca.cleanup()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    async def __aenter__(self) -> Self:
        return self.start()

    async def __aexit__(self, exc_type: type[BaseException] | None,
                        exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    @property
    def authority_base(self) -> str:
        """``https://127.0.0.1:PORT`` (the ``[panel] entra_authority``)."""
        if self._server is None:
            raise RuntimeError("not started")
        return f"https://127.0.0.1:{self._server.server_address[1]}"

    @property
    def ca_pem_path(self) -> str:
        """The CA bundle its certificate chains to."""
        return str(self._ca.ca_pem_path)

    def client_ssl_context(self) -> ssl.SSLContext:
        """An SSL context trusting the fake (for the test's own "browser" requests)."""
        return self._ca.client_context()

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received, in order."""
        with self._lock:
            return list(self._requests)

    def requests_to(self, endpoint: str) -> list[RecordedRequest]:
        """Requests to ``authorize`` or ``token``."""
        return [r for r in self.requests if r.path.endswith(f"/oauth2/v2.0/{endpoint}")]

    def token_errors(self) -> list[str]:
        """The ``error_description`` of every refused token request, in order."""
        with self._lock:
            return [str(body.get("error_description", "")) for path, status, body
                    in self._answers if path.endswith("/token") and status >= 400]

    # -- HTTP ----------------------------------------------------------------------------------

    def _serve(self, request: RecordedRequest) -> Reply:
        with self._lock:
            self._requests.append(request)
        parts = [unquote(p) for p in request.path.split("/") if p]
        if not parts:
            return Reply.json(404, {"error": "not_found"})
        tenant = self._tenant(parts[0])
        rest = parts[1:]
        if tenant is None:
            return Reply.error(400, "invalid_tenant", 90002,
                               f"Tenant '{parts[0][:60]}' not found.")
        if request.method == "GET" and rest == ["v2.0", ".well-known", "openid-configuration"]:
            return Reply.json(200, self._configuration(tenant))
        if request.method == "GET" and rest == ["discovery", "v2.0", "keys"]:
            return Reply.json(200, {"keys": [_rsa_jwk(self._key, self.kid)]})
        if request.method == "GET" and rest == ["oauth2", "v2.0", "authorize"]:
            return self._authorize(tenant, request.query)
        if request.method == "POST" and rest == ["oauth2", "v2.0", "token"]:
            reply = self._token(tenant, request.form, request.headers)
            with self._lock:
                self._answers.append((request.path, reply.status, json.loads(reply.body)))
            return reply
        return Reply.json(404, {"error": "not_found"})

    def _tenant(self, name: str) -> str | None:
        name = name.lower()
        if name in MULTI_TENANT:
            return name
        with self._lock:
            for tenant in self._tenants.values():
                if name == tenant.tenant_id.lower() or name in tenant.domains:
                    return tenant.tenant_id
        return None

    def _configuration(self, tenant: str) -> dict[str, Any]:
        base = f"{self.authority_base}/{tenant}"
        issuer_tenant = "{tenantid}" if tenant in MULTI_TENANT else tenant
        return {
            "token_endpoint": f"{base}/oauth2/v2.0/token",
            "token_endpoint_auth_methods_supported": [
                "client_secret_post", "private_key_jwt", "client_secret_basic"],
            "jwks_uri": f"{base}/discovery/v2.0/keys",
            "response_modes_supported": ["query", "fragment", "form_post"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "issuer": f"{self.authority_base}/{issuer_tenant}/v2.0",
            "request_uri_parameter_supported": False,
            "userinfo_endpoint": "https://graph.microsoft.com/oidc/userinfo",
            "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
            "http_logout_supported": True,
            "frontchannel_logout_supported": True,
            "end_session_endpoint": f"{base}/oauth2/v2.0/logout",
            "claims_supported": ["sub", "iss", "aud", "exp", "iat", "auth_time", "nonce",
                                 "preferred_username", "name", "tid", "ver", "email", "oid"],
            "tenant_region_scope": "EU",
            "cloud_instance_name": "microsoftonline.com",
        }

    def _authorize(self, tenant: str, query: Mapping[str, str]) -> Reply:
        client_id = query.get("client_id", "")
        with self._lock:
            app = self._apps.get(client_id)
            user = self._signed_in
        if app is None or (tenant not in MULTI_TENANT and app.tenant_id != tenant):
            return Reply.page(400, f"AADSTS700016: Application with identifier '{client_id}' "
                                   f"was not found in the directory '{tenant}'.")
        redirect_uri = query.get("redirect_uri", "")
        if redirect_uri not in app.redirect_uris:
            return Reply.page(400, "AADSTS50011: The redirect URI specified in the request "
                                   "does not match the redirect URIs configured for the "
                                   "application.")
        state = query.get("state", "")

        def back(**params: str) -> Reply:
            if state:
                params["state"] = state
            return Reply.redirect(f"{redirect_uri}?{urlencode(params)}")

        if query.get("response_type") != "code":
            return back(error="unsupported_response_type",
                        error_description="AADSTS700054: response_type is not enabled.")
        scope = query.get("scope", "").split()
        if "openid" not in scope:
            return back(error="invalid_request",
                        error_description="AADSTS900144: The request body must contain "
                                          "the following parameter: 'scope' with openid.")
        method = query.get("code_challenge_method", "plain")
        if query.get("code_challenge") and method not in ("S256", "plain"):
            return back(error="invalid_request",
                        error_description="AADSTS501491: Invalid code_challenge_method.")
        if user is None:
            return Reply.page(200, "Sign in to your account")  # a person would type here
        home = tenant if tenant not in MULTI_TENANT else user.tenant_id
        if user.tenant_id != home and home not in user.guest_in:
            return back(error="access_denied",
                        error_description=f"AADSTS50020: User account '{user.email}' from "
                                          "identity provider does not exist in tenant "
                                          f"'{home}' and cannot access the application "
                                          f"'{client_id}' in that tenant.")
        code = secrets.token_urlsafe(48)
        with self._lock:
            self._codes[code] = _Code(
                client_id=client_id, redirect_uri=redirect_uri,
                challenge=query.get("code_challenge", ""), method=method,
                nonce=query.get("nonce", ""), scope=scope, user=user, tenant_id=home)
        client_info = _b64(json.dumps({"uid": user.oid, "utid": user.tenant_id}).encode())
        return back(code=code, client_info=client_info,
                    session_state=str(uuid.uuid4()))

    def _token(self, tenant: str, form: Mapping[str, str],
               headers: Mapping[str, str]) -> Reply:
        if form.get("grant_type") != "authorization_code":
            return Reply.error(400, "unsupported_grant_type", 70003,
                               "The app requested an unsupported grant type.")
        client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
        basic = headers.get("Authorization", "")
        if basic.startswith("Basic "):
            client_id, _, secret = base64.b64decode(basic[6:]).decode().partition(":")
        with self._lock:
            app = self._apps.get(client_id)
        if app is None:
            return Reply.error(400, "unauthorized_client", 700016,
                               f"Application with identifier '{client_id}' was not found "
                               f"in the directory '{tenant}'.")
        if not secret or not secrets.compare_digest(secret, app.secret):
            return Reply.error(401, "invalid_client", 7000215,
                               "Invalid client secret provided.")
        with self._lock:
            grant = self._codes.get(form.get("code", ""))
            fresh = grant is not None and not grant.redeemed
            if grant is not None:
                grant.redeemed = True  # used once, whatever comes next
        if grant is None or grant.client_id != client_id or (
                tenant not in MULTI_TENANT and grant.tenant_id != tenant):
            return Reply.error(400, "invalid_grant", 70000,
                               "The provided value for the 'code' parameter is not valid.")
        if not fresh:
            return Reply.error(400, "invalid_grant", 54005,
                               "OAuth2 Authorization code was already redeemed, please "
                               "retry with a new valid code or use an existing refresh "
                               "token.")
        if time.monotonic() - grant.issued > CODE_LIFETIME:
            return Reply.error(400, "invalid_grant", 70008,
                               "The provided authorization code or refresh token has "
                               "expired due to inactivity.")
        if form.get("redirect_uri", "") != grant.redirect_uri:
            return Reply.error(400, "invalid_grant", 500112,
                               "The reply address does not match the reply address that "
                               "was used to get the authorization code.")
        if grant.challenge and not _pkce_ok(form.get("code_verifier", ""), grant):
            return Reply.error(400, "invalid_grant", 501481,
                               "The Code_Verifier does not match the code_challenge "
                               "supplied in the authorization request.")
        return Reply.json(200, self._tokens(grant))

    def _tokens(self, grant: _Code) -> dict[str, Any]:
        user, tenant = grant.user, grant.tenant_id
        now = int(time.time())
        issuer = f"{self.authority_base}/{tenant}/v2.0"
        claims: dict[str, Any] = {
            "aud": grant.client_id, "iss": issuer, "iat": now, "nbf": now,
            "exp": now + TOKEN_LIFETIME, "name": user.name, "nonce": grant.nonce,
            "oid": user.oid, "preferred_username": user.upn or user.email,
            "sub": _b64(hashlib.sha256(f"{user.oid}{grant.client_id}".encode()).digest()),
            "tid": tenant, "ver": "2.0", "uti": uuid.uuid4().hex[:22],
        }
        if "email" in grant.scope:
            claims["email"] = user.email
        if user.tenant_id != tenant:  # a guest: another identity provider signed them in
            claims["idp"] = f"https://sts.windows.net/{user.tenant_id}/"
        id_token = jwt.encode(claims, self._key, algorithm="RS256",
                              headers={"kid": self.kid, "typ": "JWT"})
        access = jwt.encode({"aud": "00000003-0000-0000-c000-000000000000", "iss": issuer,
                             "iat": now, "exp": now + TOKEN_LIFETIME, "oid": user.oid,
                             "tid": tenant, "scp": "openid profile email"},
                            self._key, algorithm="RS256", headers={"kid": self.kid})
        return {
            "token_type": "Bearer", "scope": "openid profile email",
            "expires_in": TOKEN_LIFETIME, "ext_expires_in": TOKEN_LIFETIME,
            "access_token": access, "id_token": id_token,
            "client_info": _b64(json.dumps({"uid": user.oid,
                                            "utid": user.tenant_id}).encode()),
        }


def _pkce_ok(verifier: str, grant: _Code) -> bool:
    if not 43 <= len(verifier) <= 128:
        return False
    if grant.method == "S256":
        expected = _b64(hashlib.sha256(verifier.encode("ascii")).digest())
    else:
        expected = verifier
    return secrets.compare_digest(expected, grant.challenge)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _handler(app: Callable[[RecordedRequest], Reply]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            url = urlsplit(self.path)
            form: dict[str, str] = {}
            if "x-www-form-urlencoded" in self.headers.get("Content-Type", ""):
                parsed = parse_qs(raw.decode(), keep_blank_values=True)
                form = {key: values[-1] for key, values in parsed.items()}
            reply = app(RecordedRequest(
                method=self.command, path=url.path,
                query={key: values[-1] for key, values in parse_qs(url.query).items()},
                headers=dict(self.headers.items()), form=form))
            self.send_response(reply.status)
            if reply.location:
                self.send_header("Location", reply.location)
            self.send_header("Content-Type", reply.content_type)
            self.send_header("Content-Length", str(len(reply.body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(reply.body)

        do_GET = do_POST = _serve

        def log_message(self, *args: Any) -> None:
            """Keep test output quiet."""

        def handle_one_request(self) -> None:
            try:
                super().handle_one_request()
            except (OSError, ssl.SSLError):  # e.g. a client that rejected the certificate
                self.close_connection = True

    return Handler
