"""``/a/<token>``: the one-tap acknowledgement of an urgent SMS, and ``/sms/reports/<key>``:
SMSAPI's delivery reports.

The link's GET only shows the announcement and a button (phones and messengers fetch links
for previews: a GET must change nothing); the button POSTs to the same address, which counts
the acknowledgement with the messengers' ones (``AnnouncementService.acknowledge(…,
platform="sms")``). A forged or stale token gets a polite 404 page.

SMSAPI does not sign its callbacks. The report endpoint is reached only through a secret
path part (:func:`commands.announcements.sms.reports_key`, sent as ``notify_url`` with every
SMS), and only reports of message ids recorded as sent by this service are kept; for others
it answers 503, so that a report which outran the record of its send is repeated.
Parameters as SMSAPI documents its callback ("Raporty doręczeń", callback URL): ``MsgId``,
``status``, ``status_name``, ``idx``, ``donedate`` (Unix time), ``username``, ``points``,
``to``, ``from`` — several reports in one call as comma-separated lists; the answer must be
``OK``.
"""

from __future__ import annotations

import hmac
import html
import logging
from datetime import UTC, datetime
from typing import Protocol

from aiohttp import web

from adapters.sms.config import SmsConfig
from adapters.sms.messenger import REPORTS_PATH, SMS
from commands.announcements.sms import ACK_PATH, read_ack_token, reports_key
from commands.texts import pick_lang, t
from store.announcement_models import Announcement
from store.db import Database
from store.models import Person
from store.sms import DeliveryReport, record_reports

log = logging.getLogger(__name__)

_HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
                                       "form-action 'self'"}


class Acknowledger(Protocol):
    """What the page needs of the announcement service."""

    async def acknowledge(self, announcement_id: int, *, person: Person, platform: str
                          ) -> str:
        """"new", "again", "not_recipient" or "missing"."""
        ...


class SmsPagesComponent:
    """Serves the acknowledgement page and the delivery-report callback."""

    name = "sms-pages"

    def __init__(self, config: SmsConfig, *, db: Database, announcements: Acknowledger) -> None:
        self._secret = config.secret_bytes()
        self._reports_key = reports_key(self._secret)
        self._db = db
        self._announcements = announcements

    def routes(self) -> list[web.RouteDef]:
        """GET/POST ``/a/{token}``; GET/POST ``/sms/reports/{key}``."""
        return [
            web.get(f"{ACK_PATH}{{token}}", self._show),
            web.post(f"{ACK_PATH}{{token}}", self._acknowledge),
            web.get(f"{REPORTS_PATH}{{key}}", self._reports),
            web.post(f"{REPORTS_PATH}{{key}}", self._reports),
        ]

    async def start(self) -> None:
        """Nothing to start."""

    async def stop(self) -> None:
        """Nothing to stop."""

    # --- the acknowledgement ------------------------------------------------------------------

    async def _found(self, token: str) -> tuple[Announcement, Person] | None:
        ids = read_ack_token(self._secret, token)
        if ids is None:
            return None
        async with self._db.session() as session:
            announcement = await session.get(Announcement, ids[0])
            person = await session.get(Person, ids[1])
        if announcement is None or person is None or not announcement.urgent \
                or announcement.state != "sent":
            return None
        return announcement, person

    async def _show(self, request: web.Request) -> web.Response:
        found = await self._found(request.match_info["token"])
        if found is None:
            return _missing(request)
        announcement, person = found
        lang = pick_lang(person.language)
        number = announcement.number or announcement.id
        body = (f"<p>{html.escape(announcement.text)}</p>\n"
                f"<p>{html.escape(t(lang, 'sms.page.intro'))}</p>\n"
                f'<form method="post"><button type="submit">'
                f"{html.escape(t(lang, 'sms.page.button'))}</button></form>")
        return _page(lang, t(lang, "sms.page.title", number=number), body)

    async def _acknowledge(self, request: web.Request) -> web.Response:
        found = await self._found(request.match_info["token"])
        if found is None:
            return _missing(request)
        announcement, person = found
        assert announcement.id is not None
        outcome = await self._announcements.acknowledge(announcement.id, person=person,
                                                        platform=SMS)
        lang = pick_lang(person.language)
        if outcome not in ("new", "again"):
            return _missing(request, lang)
        key = "sms.page.done" if outcome == "new" else "sms.page.again"
        number = announcement.number or announcement.id
        return _page(lang, t(lang, "sms.page.title", number=number),
                     f"<p>{html.escape(t(lang, key))}</p>")

    # --- delivery reports ---------------------------------------------------------------------

    async def _reports(self, request: web.Request) -> web.Response:
        if not hmac.compare_digest(request.match_info["key"], self._reports_key):
            raise web.HTTPNotFound()
        values = dict(request.query)
        if request.method == "POST":
            values.update({k: str(v) for k, v in (await request.post()).items()})
        reports = parse_reports(values)
        async with self._db.session() as session:
            kept = await record_reports(session, reports)
            await session.commit()
        if kept < len(reports):
            # Not (yet) ours: a report can outrun the record of its send (the outbox records
            # accepted sends a few ms later, in group commits). Anything but "OK" makes SMSAPI
            # call again later; a forged id only gets the same refusal.
            log.info("sms reports: %d of %d not for a message recorded as sent",
                     len(reports) - kept, len(reports))
            return web.Response(status=503, text="RETRY")
        return web.Response(text="OK")


def parse_reports(values: dict[str, str]) -> list[DeliveryReport]:
    """SMSAPI's callback parameters (comma-separated when several) as reports."""
    ids = [v for v in values.get("MsgId", "").split(",")]
    statuses = values.get("status", "").split(",")
    names = values.get("status_name", "").split(",")
    done = values.get("donedate", "").split(",")
    reports = []
    for i, message_id in enumerate(ids):
        message_id = message_id.strip()
        if not message_id:
            continue
        status = _at(statuses, i)
        when = _at(done, i)
        reports.append(DeliveryReport(
            message_id=message_id[:64],
            status=int(status) if status.isdigit() else 0,
            status_name=_at(names, i).upper(),
            done_at=datetime.fromtimestamp(int(when), UTC) if when.isdigit() else None,
        ))
    return reports


def _at(values: list[str], i: int) -> str:
    return values[i].strip() if i < len(values) else ""


def _missing(request: web.Request, lang: str = "") -> web.Response:
    lang = lang or ("en" if request.headers.get("Accept-Language", "").lower()
                    .startswith("en") else "pl")
    response = _page(lang, t(lang, "sms.page.missing_title"),
                     f"<p>{html.escape(t(lang, 'sms.page.missing'))}</p>")
    response.set_status(404)
    return response


def _page(lang: str, title: str, body: str) -> web.Response:
    lang = pick_lang(lang)  # a supported code only: never a stored value in the markup
    document = (
        f'<!doctype html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="robots" content="noindex">\n'
        f"<title>{html.escape(title)}</title>\n"
        "<style>body{font-family:system-ui,sans-serif;max-width:34rem;margin:2rem auto;"
        "padding:0 1rem;line-height:1.5}button{font-size:1.2rem;padding:.7rem 1.4rem}</style>"
        f"\n</head>\n<body>\n<h1>{html.escape(title)}</h1>\n{body}\n</body>\n</html>\n")
    return web.Response(text=document, content_type="text/html", charset="utf-8",
                        headers=_HEADERS)
