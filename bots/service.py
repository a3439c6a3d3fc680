"""The running service: the HTTP server (health now, messenger webhooks from the adapters)
and the components that need starting and stopping."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable
from typing import Protocol

from aiohttp import web
from sqlalchemy import text

from bots.app import App

log = logging.getLogger(__name__)


class Component(Protocol):
    """Something with an explicit life cycle (a messenger adapter, the scheduler)."""

    name: str

    def routes(self) -> list[web.RouteDef]:
        """HTTP routes it serves on the shared server (webhooks)."""
        ...

    async def start(self) -> None:
        """Begin working (connect, poll, schedule)."""
        ...

    async def stop(self) -> None:
        """Stop cleanly."""
        ...


class Service:
    """The HTTP server plus every configured component."""

    def __init__(self, app: App, components: list[Component] | None = None) -> None:
        self.app = app
        self.components = list(components or [])
        self._runner: web.AppRunner | None = None
        self.port: int | None = None

    def web_app(self) -> web.Application:
        """The aiohttp application with every route."""
        application = web.Application(client_max_size=2 * 1024 * 1024)
        application.router.add_get("/healthz", self._health)
        for component in self.components:
            application.router.add_routes(component.routes())
        return application

    async def _health(self, _request: web.Request) -> web.Response:
        try:
            async with self.app.db.session() as session:
                await session.execute(text("SELECT 1"))
        except Exception:
            log.exception("health check: database unreachable")
            return web.json_response({"status": "error", "database": "unreachable"}, status=503)
        return web.json_response(
            {"status": "ok", "components": [c.name for c in self.components]}
        )

    async def start(self) -> None:
        """Prepare the database, start the server and every component."""
        await self.app.prepare()
        self._runner = web.AppRunner(self.web_app(), access_log=None)
        await self._runner.setup()
        server = self.app.config.server
        site = web.TCPSite(self._runner, server.host, server.port)
        await site.start()
        sockets = site._server.sockets if site._server else []  # type: ignore[union-attr]
        self.port = sockets[0].getsockname()[1] if sockets else server.port
        log.info("HTTP server on %s:%s", server.host, self.port)
        for component in self.components:
            await component.start()
            log.info("%s started", component.name)

    async def stop(self) -> None:
        """Stop components (in reverse), the server and the database."""
        for component in reversed(self.components):
            try:
                await component.stop()
            except Exception:
                log.exception("%s did not stop cleanly", component.name)
        if self._runner is not None:
            await self._runner.cleanup()
        await self.app.close()

    async def run(self, foreground: Callable[[], Awaitable[None]] | None = None) -> None:
        """Run until ``foreground`` ends (the console) or a stop signal arrives."""
        await self.start()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, stop.set)
        try:
            if foreground is not None:
                task = asyncio.create_task(foreground())
                waiter = asyncio.create_task(stop.wait())
                await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
                for pending in (task, waiter):
                    pending.cancel()
            else:
                await stop.wait()
        finally:
            await self.stop()
