"""The HTTP transport under python-telegram-bot's ``Bot`` for every call but long polling.

PTB's default transport is httpx. On the reply path it cost most of an answer's CPU: sending
the same ``sendMessage`` through PTB to the fake Bot API took 2.6 ms of CPU with httpx and
0.7 ms with aiohttp (C HTTP parser), client and fake together (``bench/throughput.py``;
December 2026). PTB takes any :class:`telegram.request.BaseRequest`, and aiohttp is already
the service's HTTP stack, so this is that class on an ``aiohttp.ClientSession``. It keeps what
the rest of the adapter relies on from PTB's own transport:

* failures are PTB's errors — a timeout is :class:`telegram.error.TimedOut`, any other
  transport failure :class:`telegram.error.NetworkError` — so the adapter's translation
  into neutral kinds (and the outbox's retries) stays as it is;
* PTB's per-call timeouts are honoured (read → ``sock_read``, connect → ``sock_connect``,
  pool + connect → ``connect``; a write has no timeout of its own in aiohttp, so the sum of
  all four bounds the whole call);
* proxies from the environment (``HTTPS_PROXY``, ``NO_PROXY``), read once at start-up, and
  certifi's CA bundle, as httpx uses them (aiohttp's own ``trust_env`` looks for them again
  in a worker thread on every request, which cost more than the request);
* the request URL holds the bot token: it is never logged (only the method name, at DEBUG).

Long polling stays on PTB's httpx transport: one call every ``poll_timeout`` seconds is not
worth a second code path for its long read timeout.
"""

from __future__ import annotations

import logging
import ssl
import urllib.request
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import certifi
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

__all__ = ["AiohttpRequest"]

log = logging.getLogger(__name__)

_UNSET: Any = BaseRequest.DEFAULT_NONE


class AiohttpRequest(BaseRequest):
    """PTB's transport on aiohttp: one session, at most ``connection_pool_size`` connections."""

    __slots__ = ("_connect", "_pool", "_pool_size", "_proxies", "_proxy_of", "_read", "_session",
                 "_timeouts", "_write")

    def __init__(self, *, connection_pool_size: int = 64, read_timeout: float | None = 5.0,
                 connect_timeout: float | None = 5.0, write_timeout: float | None = 5.0,
                 pool_timeout: float | None = 1.0) -> None:
        # PTB's HTTPXRequest defaults, so that swapping transports changes no waiting.
        self._pool_size = connection_pool_size
        self._read, self._connect = read_timeout, connect_timeout
        self._write, self._pool = write_timeout, pool_timeout
        self._session: aiohttp.ClientSession | None = None
        self._timeouts: dict[tuple[float | None, ...], aiohttp.ClientTimeout] = {}
        self._proxies: dict[str, str] = {}
        self._proxy_of: dict[tuple[str, str], str | None] = {}

    @property
    def read_timeout(self) -> float | None:
        """The default read timeout (PTB adds it to a long poll's own timeout)."""
        return self._read

    async def initialize(self) -> None:
        """Open the session (again after :meth:`shutdown`; twice is harmless)."""
        if self._session is not None and not self._session.closed:
            return
        context = ssl.create_default_context(cafile=certifi.where())
        self._proxies = urllib.request.getproxies_environment()
        self._proxy_of.clear()
        self._session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=self._pool_size, ssl=context),
            headers={"User-Agent": self.USER_AGENT})

    async def shutdown(self) -> None:
        """Close the session and its connections."""
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = _UNSET,
        write_timeout: Any = _UNSET,
        connect_timeout: Any = _UNSET,
        pool_timeout: Any = _UNSET,
    ) -> tuple[int, bytes]:
        """One HTTP call; ``(status, body)`` for PTB to read, or PTB's error."""
        session = self._session
        if session is None or session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        timeout = self._timeout(
            self._read if read_timeout is _UNSET else read_timeout,
            self._write if write_timeout is _UNSET else write_timeout,
            self._connect if connect_timeout is _UNSET else connect_timeout,
            self._pool if pool_timeout is _UNSET else pool_timeout)
        data: aiohttp.FormData | dict[str, str] | None = None
        if request_data is not None:
            if request_data.multipart_data:
                form = aiohttp.FormData(request_data.json_parameters)
                for name, (filename, content, mime) in request_data.multipart_data.items():
                    form.add_field(name, content, filename=filename, content_type=mime)
                data = form
            else:
                data = request_data.json_parameters
        try:
            async with session.request(method, url, data=data, timeout=timeout,
                                       proxy=self._proxy(url)) as response:
                body = await response.read()
        except TimeoutError as exc:  # aiohttp's own timeouts are TimeoutErrors too
            raise TimedOut from exc
        except aiohttp.ClientError as exc:
            raise NetworkError(f"aiohttp.{type(exc).__name__}") from exc
        log.debug("%s %s -> %s", method, url.rsplit("/", 1)[-1], response.status)
        return response.status, body

    def _proxy(self, url: str) -> str | None:
        """The environment's proxy for ``url`` (``NO_PROXY`` honoured), worked out once per
        host."""
        parts = urlsplit(url)
        key = (parts.scheme, parts.hostname or "")
        if key not in self._proxy_of:
            proxy = self._proxies.get(parts.scheme)
            if proxy and urllib.request.proxy_bypass(key[1]):
                proxy = None
            self._proxy_of[key] = proxy
        return self._proxy_of[key]

    def _timeout(self, read: float | None, write: float | None, connect: float | None,
                 pool: float | None) -> aiohttp.ClientTimeout:
        key = (read, write, connect, pool)
        found = self._timeouts.get(key)
        if found is None:
            parts = (read, write, connect, pool)
            found = aiohttp.ClientTimeout(
                total=None if None in parts else sum(p for p in parts if p is not None),
                connect=None if connect is None or pool is None else connect + pool,
                sock_connect=connect, sock_read=read)
            if len(self._timeouts) < 16:  # a handful of distinct timeouts are ever asked for
                self._timeouts[key] = found
        return found
