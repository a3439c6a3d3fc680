"""Fakes of Microsoft's token services for Teams tests.

* :class:`ChannelTokenIssuer` plays the Bot Framework channel (``login.botframework.com``) that
  signs the JWTs on INBOUND requests to the bot: OpenID metadata + JWKS + :meth:`mint`.
* :class:`FakeEntraAuthority` plays Entra ID (``login.microsoftonline.com``) for the bot's
  OUTBOUND client-credentials tokens, over HTTPS with a throw-away CA because msal only
  accepts ``https://`` authorities.

Both are served by a threaded stdlib HTTP server, not by the test's event loop: their clients
(msal via ``requests``, PyJWT's ``PyJWKClient`` via ``urllib``) are synchronous, and a blocking
call made on the loop thread would otherwise deadlock against a server on that same loop.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import ipaddress
import json
import ssl
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, Self
from urllib.parse import parse_qs, unquote, urlsplit

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

BOT_FRAMEWORK_ISSUER = "https://api.botframework.com"
BOT_FRAMEWORK_RESOURCE = "https://api.botframework.com"

_Reply = tuple[int, dict[str, Any]]


@dataclass(frozen=True)
class RecordedRequest:
    """One HTTP request received by an auth fake."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    form: dict[str, str]
    at: float = field(default_factory=time.monotonic)


# --------------------------------------------------------------------------- infrastructure


def _b64url_uint(value: int) -> str:
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _rsa_jwk(key: rsa.RSAPrivateKey, kid: str, **extra: Any) -> dict[str, Any]:
    numbers = key.public_key().public_numbers()
    return {
        "kty": "RSA",
        "use": "sig",
        "kid": kid,
        "n": _b64url_uint(numbers.n),
        "e": _b64url_uint(numbers.e),
        **extra,
    }


def _new_rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class _TestCA:
    """Throw-away CA and a leaf certificate for 127.0.0.1/localhost, kept in a temp dir."""

    def __init__(self) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="fake-ms-tls-")
        root = Path(self._dir.name)
        now = dt.datetime.now(dt.UTC)
        ca_key = ec.generate_private_key(ec.SECP256R1())
        ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Lacznik test CA")])
        ca_cert = (
            self._builder(ca_name, ca_name, ca_key.public_key(), now)
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(self._key_usage(cert_sign=True), critical=True)
            .sign(ca_key, hashes.SHA256())
        )
        leaf_key = ec.generate_private_key(ec.SECP256R1())
        leaf_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
        san = x509.SubjectAlternativeName(
            [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
        )
        leaf_cert = (
            self._builder(leaf_name, ca_name, leaf_key.public_key(), now)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(self._key_usage(cert_sign=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False)
            .add_extension(san, critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
            )
            .sign(ca_key, hashes.SHA256())
        )
        pem = serialization.Encoding.PEM
        self.ca_pem_path = root / "ca.pem"
        self.ca_pem_path.write_bytes(ca_cert.public_bytes(pem))
        self._leaf_path = root / "leaf.pem"
        self._leaf_path.write_bytes(
            leaf_cert.public_bytes(pem)
            + leaf_key.private_bytes(
                pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )

    @staticmethod
    def _builder(
        subject: x509.Name,
        issuer: x509.Name,
        public_key: ec.EllipticCurvePublicKey,
        now: dt.datetime,
    ) -> x509.CertificateBuilder:
        return (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(issuer)
            .public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=2))
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), False)
        )

    @staticmethod
    def _key_usage(*, cert_sign: bool) -> x509.KeyUsage:
        return x509.KeyUsage(
            digital_signature=True,
            content_commitment=False,
            key_encipherment=False,
            data_encipherment=False,
            key_agreement=False,
            key_cert_sign=cert_sign,
            crl_sign=cert_sign,
            encipher_only=False,
            decipher_only=False,
        )

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self._leaf_path)
        return context

    def client_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.ca_pem_path))

    def cleanup(self) -> None:
        self._dir.cleanup()


class _ThreadedJsonServer:
    """Serves ``app(request) -> (status, json)`` on 127.0.0.1:0 from a daemon thread."""

    def __init__(
        self, app: Callable[[RecordedRequest], _Reply], tls: ssl.SSLContext | None
    ) -> None:
        self._app = app
        self._tls = tls
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(self._app))
        server.daemon_threads = True
        if self._tls is not None:
            # Handshake lazily in the per-request thread, not in the accept loop.
            server.socket = self._tls.wrap_socket(
                server.socket, server_side=True, do_handshake_on_connect=False
            )
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("server not started")
        scheme = "https" if self._tls else "http"
        return f"{scheme}://127.0.0.1:{self._server.server_address[1]}"


def _make_handler(app: Callable[[RecordedRequest], _Reply]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            url = urlsplit(self.path)
            form: dict[str, str] = {}
            if "x-www-form-urlencoded" in self.headers.get("Content-Type", ""):
                parsed = parse_qs(raw.decode(), keep_blank_values=True)
                form = {key: values[-1] for key, values in parsed.items()}
            request = RecordedRequest(
                method=self.command,
                path=url.path,
                query={key: values[-1] for key, values in parse_qs(url.query).items()},
                headers=dict(self.headers.items()),
                form=form,
            )
            status, payload = app(request)
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = _serve

        def log_message(self, *args: Any) -> None:
            """Keep test output quiet."""

        def handle_one_request(self) -> None:
            try:
                super().handle_one_request()
            except (OSError, ssl.SSLError):  # e.g. a client that rejected our certificate
                self.close_connection = True

    return Handler


class _ServerFake:
    """Start/stop plumbing shared by the auth fakes (sync and async context managers)."""

    _http: _ThreadedJsonServer

    def start(self) -> Self:
        """Bind 127.0.0.1 on a free port and serve from a background thread."""
        self._http.start()
        return self

    def close(self) -> None:
        """Stop serving."""
        self._http.close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    async def __aenter__(self) -> Self:
        return self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


# --------------------------------------------------------------------------- inbound


class ChannelTokenIssuer(_ServerFake):
    """The Bot Framework channel: signs inbound requests and publishes its keys.

    Serves ``/v1/.well-known/openidconfiguration`` and ``/v1/.well-known/keys`` like
    ``login.botframework.com``. The Agents SDK 1.9 has no metadata-URL setting: it picks the
    JWKS URL from ``iss``, so point it here with ``monkeypatch.setitem(microsoft_agents.hosting
    .core.authorization._entra_issuers.BOTFRAMEWORK_JWKS_URIS, BOT_FRAMEWORK_ISSUER,
    issuer.jwks_url)``.
    """

    def __init__(
        self,
        *,
        issuer: str = BOT_FRAMEWORK_ISSUER,
        endorsements: Sequence[str] = ("msteams",),
        tls: bool = False,
    ) -> None:
        self.issuer = issuer
        self.endorsements = list(endorsements)
        self.kid = base64.urlsafe_b64encode(uuid.uuid4().bytes).rstrip(b"=").decode()
        self._key = _new_rsa_key()
        self._ca = _TestCA() if tls else None
        self._http = _ThreadedJsonServer(
            self._serve, self._ca.server_context() if self._ca else None
        )
        self._lock = threading.Lock()
        self._requests: list[RecordedRequest] = []

    @cached_property
    def _forged_key(self) -> rsa.RSAPrivateKey:
        return _new_rsa_key()

    def close(self) -> None:
        super().close()
        if self._ca:
            self._ca.cleanup()

    @property
    def base_url(self) -> str:
        return self._http.base_url

    @property
    def openid_metadata_url(self) -> str:
        return f"{self.base_url}/v1/.well-known/openidconfiguration"

    @property
    def jwks_url(self) -> str:
        return f"{self.base_url}/v1/.well-known/keys"

    @property
    def ca_pem_path(self) -> str | None:
        """CA bundle to trust when created with ``tls=True``, else ``None``."""
        return str(self._ca.ca_pem_path) if self._ca else None

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    @property
    def public_key(self) -> rsa.RSAPublicKey:
        return self._key.public_key()

    def jwks(self) -> dict[str, Any]:
        """The published key set (only the good key)."""
        return {"keys": [_rsa_jwk(self._key, self.kid, endorsements=self.endorsements)]}

    def mint(
        self,
        app_id: str,
        service_url: str,
        *,
        issuer: str = BOT_FRAMEWORK_ISSUER,
        expires_in: int = 3600,
        not_before_offset: int = 0,
        key: Literal["good", "forged"] = "good",
        extra_claims: Mapping[str, Any] | None = None,
    ) -> str:
        """Return an RS256 channel token for ``app_id``.

        ``key="forged"`` signs with a key that is not published but carries the same ``kid``.
        ``extra_claims`` are merged last; a value of ``None`` removes that claim.
        Note validators allow clock skew (Agents SDK: 300 s), so "expired" needs
        ``expires_in`` below ``-300``.
        """
        now = int(time.time())
        claims: dict[str, Any] = {
            "serviceurl": service_url,
            "nbf": now + not_before_offset,
            "exp": now + expires_in,
            "iat": now,
            "iss": issuer,
            "aud": app_id,
        }
        for name, value in (extra_claims or {}).items():
            if value is None:
                claims.pop(name, None)
            else:
                claims[name] = value
        signing_key = self._key if key == "good" else self._forged_key
        return jwt.encode(claims, signing_key, algorithm="RS256", headers={"kid": self.kid})

    def _serve(self, request: RecordedRequest) -> _Reply:
        with self._lock:
            self._requests.append(request)
        if request.method != "GET":
            return 405, {"error": "method not allowed"}
        if request.path == "/v1/.well-known/openidconfiguration":
            return 200, {
                "issuer": self.issuer,
                "authorization_endpoint": "https://invalid.botframework.com",
                "jwks_uri": self.jwks_url,
                "id_token_signing_alg_values_supported": ["RS256"],
                "token_endpoint_auth_methods_supported": ["private_key_jwt"],
            }
        if request.path == "/v1/.well-known/keys":
            return 200, self.jwks()
        return 404, {"error": "not found"}


# --------------------------------------------------------------------------- outbound


@dataclass(frozen=True)
class _AppRegistration:
    client_secret: str
    tenant_id: str | None


class FakeEntraAuthority(_ServerFake):
    """Entra ID token authority for the bot's client-credentials flow, over HTTPS.

    Use ``msal.ConfidentialClientApplication(client_id, client_credential=secret,
    authority=fake.authority(tenant), instance_discovery=False)`` and trust ``ca_pem_path``
    (``REQUESTS_CA_BUNDLE`` or msal's ``verify=`` argument).
    """

    def __init__(
        self,
        *,
        token_lifetime: int = 3599,
        resources: Iterable[str] = (BOT_FRAMEWORK_RESOURCE,),
    ) -> None:
        self.token_lifetime = token_lifetime
        self.resources = frozenset(resources)
        self.kid = uuid.uuid4().hex
        self._key = _new_rsa_key()
        self._ca = _TestCA()
        self._http = _ThreadedJsonServer(self._serve, self._ca.server_context())
        self._lock = threading.Lock()
        self._apps: dict[str, _AppRegistration] = {}
        self._requests: list[RecordedRequest] = []
        self._issued: list[str] = []
        self._issued_set: set[str] = set()

    def register_app(
        self, client_id: str, client_secret: str, *, tenant_id: str | None = None
    ) -> None:
        """Register a bot app; with ``tenant_id`` set, only that tenant issues its tokens."""
        with self._lock:
            self._apps[client_id] = _AppRegistration(client_secret, tenant_id)

    def close(self) -> None:
        super().close()
        self._ca.cleanup()

    @property
    def authority_base(self) -> str:
        """``https://127.0.0.1:PORT``; the authority is ``f"{authority_base}/{tenant}"``."""
        return self._http.base_url

    def authority(self, tenant: str) -> str:
        return f"{self.authority_base}/{tenant}"

    def token_endpoint(self, tenant: str) -> str:
        return f"{self.authority(tenant)}/oauth2/v2.0/token"

    @property
    def ca_pem_path(self) -> str:
        return str(self._ca.ca_pem_path)

    def client_ssl_context(self) -> ssl.SSLContext:
        """An SSL context trusting the test CA (for aiohttp/httpx clients)."""
        return self._ca.client_context()

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    @property
    def token_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.method == "POST" and r.path.endswith("/token")]

    @property
    def issued_tokens(self) -> list[str]:
        with self._lock:
            return list(self._issued)

    def is_valid(self, token: str, *, audience: str = BOT_FRAMEWORK_RESOURCE) -> bool:
        """Whether ``token`` was issued here, is unexpired and is for ``audience``."""
        with self._lock:
            if token not in self._issued_set:
                return False
        try:
            jwt.decode(
                token,
                self._key.public_key(),
                algorithms=["RS256"],
                audience=audience,
                options={"require": ["exp", "aud", "iss"]},
            )
        except jwt.PyJWTError:
            return False
        return True

    # -- HTTP -------------------------------------------------------------------------------

    def _serve(self, request: RecordedRequest) -> _Reply:
        with self._lock:
            self._requests.append(request)
        parts = [unquote(p) for p in request.path.split("/") if p]
        if not parts:
            return 404, {"error": "not_found"}
        tenant, rest = parts[0], parts[1:]
        if request.method == "GET" and rest == ["v2.0", ".well-known", "openid-configuration"]:
            return 200, self._openid_configuration(tenant)
        if request.method == "GET" and rest == ["discovery", "v2.0", "keys"]:
            return 200, {"keys": [_rsa_jwk(self._key, self.kid)]}
        if request.method == "POST" and rest == ["oauth2", "v2.0", "token"]:
            return self._token(tenant, request.form)
        return 404, {"error": "not_found"}

    def _openid_configuration(self, tenant: str) -> dict[str, Any]:
        base = self.authority(tenant)
        return {
            "token_endpoint": f"{base}/oauth2/v2.0/token",
            "token_endpoint_auth_methods_supported": [
                "client_secret_post",
                "private_key_jwt",
                "client_secret_basic",
            ],
            "jwks_uri": f"{base}/discovery/v2.0/keys",
            "response_modes_supported": ["query", "fragment", "form_post"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "response_types_supported": ["code", "id_token", "code id_token", "token id_token"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "issuer": f"{base}/v2.0",
            "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
            "tenant_region_scope": "EU",
        }

    def _token(self, tenant: str, form: Mapping[str, str]) -> _Reply:
        if form.get("grant_type") != "client_credentials":
            return _aad_error(400, "unsupported_grant_type", 70003, "grant type not supported.")
        client_id = form.get("client_id", "")
        with self._lock:
            app = self._apps.get(client_id)
        if app is None or (app.tenant_id is not None and app.tenant_id != tenant):
            return _aad_error(
                400,
                "unauthorized_client",
                700016,
                f"Application with identifier '{client_id}' was not found in the directory "
                f"'{tenant}'.",
            )
        if form.get("client_secret") != app.client_secret:
            return _aad_error(
                401,
                "invalid_client",
                7000215,
                "Invalid client secret provided. Ensure the secret being sent in the request "
                f"is the client secret value, not the client secret ID, for a secret added to "
                f"app '{client_id}'.",
            )
        scopes = form.get("scope", "").split()
        if len(scopes) != 1 or not scopes[0].endswith("/.default"):
            return _aad_error(
                400,
                "invalid_scope",
                1002012,
                f"The provided value for scope {form.get('scope', '')} is not valid. Client "
                "credential flows must have a scope value with /.default suffixed to the "
                "resource identifier (application ID URI).",
            )
        resource = scopes[0].removesuffix("/.default")
        if resource not in self.resources:
            return _aad_error(
                400,
                "invalid_resource",
                500011,
                f"The resource principal named {resource} was not found in the tenant named "
                f"{tenant}.",
            )
        token = self._sign_access_token(client_id, tenant, resource)
        with self._lock:
            self._issued.append(token)
            self._issued_set.add(token)
        return 200, {
            "token_type": "Bearer",
            "expires_in": self.token_lifetime,
            "ext_expires_in": self.token_lifetime,
            "access_token": token,
        }

    def _sign_access_token(self, client_id: str, tenant: str, resource: str) -> str:
        now = int(time.time())
        oid = str(uuid.UUID(bytes=hashlib.sha256(client_id.encode()).digest()[:16]))
        claims = {
            "aud": resource,
            "iss": f"https://sts.windows.net/{tenant}/",
            "iat": now,
            "nbf": now,
            "exp": now + self.token_lifetime,
            "appid": client_id,
            "appidacr": "1",
            "idp": f"https://sts.windows.net/{tenant}/",
            "oid": oid,
            "sub": oid,
            "tid": tenant,
            "uti": uuid.uuid4().hex,
            "ver": "1.0",
        }
        return jwt.encode(
            claims, self._key, algorithm="RS256", headers={"kid": self.kid, "typ": "JWT"}
        )


def _aad_error(status: int, error: str, code: int, description: str) -> _Reply:
    """An error body shaped like Entra's token endpoint errors."""
    trace_id, correlation_id = str(uuid.uuid4()), str(uuid.uuid4())
    timestamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%SZ")
    return status, {
        "error": error,
        "error_description": (
            f"AADSTS{code}: {description} Trace ID: {trace_id} "
            f"Correlation ID: {correlation_id} Timestamp: {timestamp}"
        ),
        "error_codes": [code],
        "timestamp": timestamp,
        "trace_id": trace_id,
        "correlation_id": correlation_id,
        "error_uri": "https://login.microsoftonline.com/error?code=" + str(code),
    }
