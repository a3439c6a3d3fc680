"""The running service: the HTTP server (health, messenger webhooks from the adapters) and the
components that need starting and stopping.

Start-up order: the HTTP server (so ``/healthz`` answers at once), then the database (waited
for, with backoff, while ``/healthz`` says 503), then each component — one that cannot start
is retried in the background and the others go on (see :mod:`bots.supervision`).
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import hmac
import logging
import signal
import socket
from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol

from aiohttp import web, web_response
from sqlalchemy import text

from bots.app import App
from bots.config import StartupError
from bots.memory import settle_heap
from bots.metrics import CONTENT_TYPE as METRICS_CONTENT_TYPE
from bots.supervision import DEGRADED, DOWN, OK, Backoff, Health, Supervised, until_ready
from bots.version import installed_version
from store.db import connection_problem

log = logging.getLogger(__name__)

SERVER_HEADER = "Lacznik"  # no product version: it only helps an attacker pick an exploit
FIRST_ATTEMPT_SECONDS = 20.0  # how long start-up waits for one component before going on
HEALTH_QUERY_SECONDS = 5.0


class Component(Protocol):
    """Something with an explicit life cycle (a messenger adapter, the scheduler).

    It may also offer ``health() -> Health | None`` to say how it is doing once started.
    ``start()`` may be called again after it failed: it must not leave half-open resources.
    """

    name: str

    def routes(self) -> Sequence[web.AbstractRouteDef]:
        """HTTP routes it serves on the shared server (webhooks, pages, static files)."""
        ...

    async def start(self) -> None:
        """Begin working (connect, poll, schedule); raise :class:`StartupError` naming the
        setting to check when it cannot."""
        ...

    async def stop(self) -> None:
        """Stop cleanly."""
        ...


class Service:
    """The HTTP server plus every configured component."""

    def __init__(self, app: App, components: list[Component] | None = None, *,
                 backoff: Backoff | None = None,
                 first_attempt: float = FIRST_ATTEMPT_SECONDS) -> None:
        self.app = app
        self.components = list(components or [])
        self._backoff = backoff or Backoff()
        self._first_attempt = first_attempt
        self._supervised = [Supervised(c, backoff=self._backoff) for c in self.components]
        for component in self.components:
            # The office panel shows the same health as /healthz.
            bind = getattr(component, "bind_health", None)
            if callable(bind):
                bind(self.health)
        self._runner: web.AppRunner | None = None
        self._database = Health(DOWN, check=app.config.database_setting, problem="starting")
        self._database_ready = False
        self.port: int | None = None

    def web_app(self) -> web.Application:
        """The aiohttp application with every route."""
        _hide_server_version()
        application = web.Application(client_max_size=2 * 1024 * 1024)
        application.on_response_prepare.append(_server_header)
        application.router.add_get("/healthz", self._health)
        if self.app.metrics is not None:
            application.router.add_get("/metrics", self._metrics)
        for component in self.components:
            setup = getattr(component, "setup_web", None)
            if callable(setup):  # e.g. the panel's templates
                setup(application)
            application.router.add_routes(component.routes())
        return application

    # --- health --------------------------------------------------------------------------

    async def health(self) -> tuple[int, dict[str, object]]:
        """The HTTP status and body of ``/healthz``: 503 only when the service cannot work
        at all (no database); a component that is down makes it ``degraded``."""
        database = self._database if not self._database_ready else await self._probe()
        parts = {s.name: s.health() for s in self._supervised}
        if database.state != OK:
            status = DOWN
        elif all(part.state == OK for part in parts.values()):
            status = OK
        else:
            status = DEGRADED
        body: dict[str, object] = {
            "status": status, "version": installed_version(), "database": database.as_json(),
            "components": {name: part.as_json() for name, part in parts.items()},
        }
        return (503 if status == DOWN else 200), body

    async def _probe(self) -> Health:
        try:
            async with asyncio.timeout(HEALTH_QUERY_SECONDS), self.app.db.session() as session:
                await session.execute(text("SELECT 1"))
        except Exception as exc:
            problem = connection_problem(exc) or type(exc).__name__
            if self._database.state == OK:  # once per outage, not once per probe
                log.warning("database unreachable — check %s: %s",
                            self.app.config.database_setting, problem)
            self._database = Health(DOWN, check=self.app.config.database_setting,
                                    problem=problem)
            return self._database
        if self._database.state != OK:
            log.warning("database reachable again")
        self._database = Health(OK)
        return self._database

    async def _health(self, _request: web.Request) -> web.Response:
        status, body = await self.health()
        return web.json_response(body, status=status)

    async def _metrics(self, request: web.Request) -> web.Response:
        """``GET /metrics``: Prometheus text; with ``[metrics] token``, only for
        ``Authorization: Bearer TOKEN``."""
        metrics = self.app.metrics
        assert metrics is not None  # the route exists only then
        token = self.app.config.metrics.token
        if token:
            given = request.headers.get("Authorization", "")
            expected = f"Bearer {token}"
            if not hmac.compare_digest(given.encode(), expected.encode()):
                return web.Response(status=401, text="401: Authorization: Bearer <[metrics] "
                                    "token> required\n",
                                    headers={"WWW-Authenticate": 'Bearer realm="metrics"'})
        _status, health = await self.health()
        body = await metrics.render(db=self.app.db, clock=self.app.clock, health=health)
        return web.Response(body=body, headers={"Content-Type": METRICS_CONTENT_TYPE})

    # --- life cycle ----------------------------------------------------------------------

    async def start(self) -> None:
        """Start the server, wait for the database, then start every component."""
        if self.app.metrics is not None:
            self.app.metrics.start(self.app.messengers.values())
        await self._serve()
        setting = self.app.config.database_setting
        log.info("database: %s", self.app.db.display_url)

        def note(health: Health) -> None:
            self._database = health

        await until_ready(self.app.prepare, what=f"database {self.app.db.display_url}",
                          backoff=self._backoff, check=setting,
                          retry_on=connection_problem, report=note)
        self._database_ready = True
        for supervised in self._supervised:
            await supervised.start(wait=self._first_attempt)
        # The directory index is most of the long-lived heap: build it now rather than at the
        # first question, then keep the garbage collector off everything start-up made
        # (bots/memory.py: full collections of it stalled every reply for 150–450 ms).
        try:
            await self.app.directory.index()
        except Exception:
            log.exception("directory index not built at start-up")
        settle_heap()

    async def _serve(self) -> None:
        """The HTTP server; a port or host it cannot use is a :class:`StartupError`."""
        self._runner = web.AppRunner(self.web_app(), access_log=None)
        await self._runner.setup()
        server = self.app.config.server
        site = web.TCPSite(self._runner, server.host, server.port)
        try:
            await site.start()
        except OSError as exc:
            await self._runner.cleanup()
            self._runner = None
            raise _bind_error(exc, server.host, server.port) from None
        addresses = self._runner.addresses  # what the sockets are bound to (port 0: chosen)
        self.port = int(addresses[0][1]) if addresses else server.port
        log.info("HTTP server on %s:%s", server.host, self.port)

    async def stop(self) -> None:
        """Stop components (in reverse), the server and the database."""
        for supervised in reversed(self._supervised):
            try:
                await supervised.stop()
            except Exception:
                log.exception("%s did not stop cleanly", supervised.name)
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self.app.metrics is not None:
            self.app.metrics.stop()
        await self.app.close()

    async def run(self, foreground: Callable[[], Awaitable[None]] | None = None) -> None:
        """Run until ``foreground`` ends (the console) or a stop signal arrives; a signal
        also ends a start-up that is still waiting for the database."""
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, stop.set)
        try:
            if await _first(self.start(), stop):
                if foreground is not None:
                    await _first(foreground(), stop)
                else:
                    await stop.wait()
        finally:
            await self.stop()


async def _first(work: Awaitable[None], stop: asyncio.Event) -> bool:
    """Run ``work`` until it ends (True) or ``stop`` is set (False, ``work`` cancelled);
    its exception propagates."""
    task = asyncio.ensure_future(work)
    waiter = asyncio.create_task(stop.wait())
    await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
    waiter.cancel()
    if not task.done():
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        return False
    task.result()
    return True


def _bind_error(exc: OSError, host: str, port: int) -> StartupError:
    if exc.errno == errno.EADDRINUSE:
        return StartupError("server.port", f"{host}:{port} is already in use (another "
                            "Łącznik, or another program); choose a free port")
    if exc.errno == errno.EACCES:
        return StartupError("server.port", f"port {port} needs administrator rights; use "
                            "one above 1023 behind your reverse proxy")
    if isinstance(exc, socket.gaierror) or exc.errno == errno.EADDRNOTAVAIL:
        return StartupError("server.host", f"{host!r} is not an address of this machine")
    return StartupError("server.port", f"cannot listen on {host}:{port} "
                        f"({exc.strerror or type(exc).__name__})")


async def _server_header(_request: web.Request, response: web.StreamResponse) -> None:
    response.headers["Server"] = SERVER_HEADER


def _hide_server_version() -> None:
    """Also for answers aiohttp gives before any route is found (a request it cannot parse),
    which skip ``on_response_prepare``: the default it fills in is a module constant."""
    if hasattr(web_response, "SERVER_SOFTWARE"):
        web_response.SERVER_SOFTWARE = SERVER_HEADER
