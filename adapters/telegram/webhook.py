"""The webhook endpoint ``POST /telegram/webhook`` on the service's aiohttp server."""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from aiohttp import web

from adapters.inbound import BodyLost, lost, read_body
from adapters.telegram.config import WEBHOOK_PATH

__all__ = ["SECRET_HEADER", "WebhookReceiver"]

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105  (a header name)


class WebhookReceiver:
    """Checks Telegram's secret header, then hands the raw update on.

    ``accept(update)`` returns once the update is recorded (the core has handled it; its
    reply is sent afterwards, so Telegram's connection never waits for a rate limit). False
    — the bot is not ready, or the database could not record it — answers 503: Telegram
    delivers the update again later, and nothing was acknowledged that was not recorded.
    """

    def __init__(self, *, secret: str,
                 accept: Callable[[Mapping[str, Any]], Awaitable[bool]]) -> None:
        self._secret = secret.encode()
        self._accept = accept

    def routes(self) -> list[web.RouteDef]:
        """The one route."""
        return [web.post(WEBHOOK_PATH, self.handle)]

    async def handle(self, request: web.Request) -> web.Response:
        """Verify, parse, hand on; 403 for a wrong or missing secret."""
        # aiohttp decodes header bytes that are not UTF-8 as surrogates: encode them back
        # as they came, so a garbled header is simply a wrong secret (403), not a 500.
        given = request.headers.get(SECRET_HEADER, "").encode("utf-8", "surrogateescape")
        if not hmac.compare_digest(given, self._secret):
            log.warning("telegram webhook: request without the right secret from %s",
                        request.remote)
            return web.Response(status=403)
        try:
            update = json.loads(await read_body(request))
        except BodyLost:
            return lost("telegram")
        except (ValueError, RecursionError):  # not JSON, not UTF-8, or nested too deep
            update = None
        if not isinstance(update, dict):
            # Telegram itself always sends a JSON object; this came from someone holding the
            # secret, and a 4xx tells them (and any proxy log) the request was refused.
            log.warning("telegram webhook: body is not a JSON object; refused")
            return web.Response(status=400)
        if not await self._accept(update):
            return web.Response(status=503)
        return web.Response(status=200)
