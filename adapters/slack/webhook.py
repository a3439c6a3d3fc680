"""``POST /slack/events``: Events API, slash commands and interactivity on one URL.

The signature is checked here, on the raw bytes, before anything is parsed: Bolt parses the
body first and logs rejected bodies, and a forged or stale request must cost nothing. Then
the request goes to Bolt. Whatever Bolt cannot use (unparseable, unknown, failing) is logged
by type only and answered 200, so Slack does not retry it for an hour. What the database
could not record is answered 503, so Slack does retry it.
"""

from __future__ import annotations

import logging

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier

from adapters.inbound import BodyLost, lost, read_body

log = logging.getLogger(__name__)
NOT_RECORDED = 503  # a listener's answer for what the database could not record


class EventsEndpoint:
    """The aiohttp handler in front of a Bolt app (HTTP mode)."""

    def __init__(self, *, bolt: AsyncApp, signing_secret: str) -> None:
        self._bolt = bolt
        # slack_sdk's verifier: HMAC-SHA256 of "v0:{timestamp}:{body}", 5-minute window.
        self._verifier = SignatureVerifier(signing_secret)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """Verify, dispatch, answer."""
        try:
            raw = await read_body(request)
        except BodyLost:
            return lost("slack")
        if not self._verified(raw, request):
            log.info("Slack request refused: missing, bad or stale signature (%d bytes)",
                     len(raw))
            return web.json_response({"error": "invalid request"}, status=401)
        try:
            bolt_request = AsyncBoltRequest(body=raw.decode("utf-8"),
                                            query=request.query_string,
                                            headers=dict(request.headers))
        except (ValueError, RecursionError):  # not UTF-8, not JSON, or nested too deep
            log.warning("unparseable Slack request (%d bytes, %s) answered 200", len(raw),
                        request.content_type)
            return web.Response(status=200)
        response = await self._bolt.async_dispatch(bolt_request)
        if response.status == NOT_RECORDED:
            # The database could not record it: not acknowledged, so Slack delivers the
            # event again (X-Slack-Retry-Num); the retry is handled once (store/inbound.py).
            return web.Response(status=NOT_RECORDED)
        if response.status == 404 or response.status >= 500:
            log.warning("Slack request of type %s not handled (%d) answered 200",
                        _kind(bolt_request), response.status)
            return web.Response(status=200)
        return await to_aiohttp_response(response)

    def _verified(self, raw: bytes, request: web.Request) -> bool:
        timestamp = request.headers.get("X-Slack-Request-Timestamp")
        signature = request.headers.get("X-Slack-Signature")
        try:
            return self._verifier.is_valid(raw, timestamp, signature)
        except ValueError:  # a timestamp that is not a number, a body that is not UTF-8
            return False


def _kind(request: AsyncBoltRequest) -> str:
    body = request.body
    event = body.get("event")
    kind = str(body.get("type") or ("command" if body.get("command") else "unknown"))
    if isinstance(event, dict):
        kind += f"/{event.get('type')}"
    return kind[:80]
