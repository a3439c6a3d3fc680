"""What every inbound HTTP endpoint needs before it trusts a byte: reading the body safely.

A client that promises more bytes than it sends and goes away makes aiohttp's ``read()``
raise ``ConnectionResetError``; left alone, aiohttp logs a traceback and answers 500.
"""

from __future__ import annotations

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError


class BodyLost(Exception):
    """The client went away (or broke the framing) before the whole body arrived."""


async def read_body(request: web.Request) -> bytes:
    """The request's body; :class:`BodyLost` if it was cut off. Too large: aiohttp's 413."""
    try:
        return await request.read()
    except (ConnectionResetError, HttpProcessingError) as exc:
        raise BodyLost(type(exc).__name__) from None


def lost(platform: str) -> web.Response:
    """The answer to a cut-off request (nobody may be listening; 400 for the record)."""
    return web.json_response({"error": f"{platform}: incomplete body"}, status=400)
