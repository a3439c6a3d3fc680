"""The calendar feed component: ``GET /calendar/{token}.ics`` on the shared HTTP server.

Outlook ("Add calendar → From Internet"), Google Calendar and phones poll the address. The
token is the only credential, so unknown, revoked and no-longer-allowed tokens all get the
same 404, responses are private, and tokens never reach the logs.
"""

from __future__ import annotations

import logging

from aiohttp import web

from commands.calendar.feeds import FeedService

log = logging.getLogger(__name__)

ROUTE = "/calendar/{token:[A-Za-z0-9_-]{16,100}}.ics"


class CalendarFeedComponent:
    """Serves .ics feeds."""

    name = "calendar-feed"

    def __init__(self, *, feeds: FeedService) -> None:
        self._feeds = feeds

    def routes(self) -> list[web.RouteDef]:
        """The feed address (GET; HEAD comes with it)."""
        return [web.get(ROUTE, self._get)]

    async def start(self) -> None:
        """Nothing to start."""

    async def stop(self) -> None:
        """Nothing to stop."""

    async def _get(self, request: web.Request) -> web.StreamResponse:
        feed = await self._feeds.render(request.match_info["token"])
        if feed is None:
            return web.Response(status=404, text="Not found\n")
        etag = f"\"{feed.etag}\""
        headers = {"ETag": etag, "Cache-Control": "private, max-age=300",
                   "X-Robots-Tag": "noindex", "Referrer-Policy": "no-referrer"}
        if etag in request.headers.get("If-None-Match", ""):
            return web.Response(status=304, headers=headers)
        return web.Response(
            body=feed.body, charset="utf-8", content_type="text/calendar",
            headers={**headers, "Content-Disposition": "inline; filename=\"lacznik.ics\""},
        )
