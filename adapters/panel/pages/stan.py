"""Stan: the service's health for admins — each part's state as ``/healthz`` shows it, the
outbox by state and by how long rows have waited, failed sends of the last 24 hours by
reason, and the 429s the messengers answered.

429s are heard as they happen from each messenger's ``rate_limits`` hook
(:class:`adapters.ratelimit.RateLimitWatch`, the one ``/metrics`` counts) and kept in memory
for a day: the outbox keeps no record of a 429 that was waited out. The rows now held back
by one do come from the database.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from aiohttp import web

from adapters.panel.texts import known, pt
from adapters.panel.web import NavItem, Panel, PanelUser, page, render
from commands.clock import WARSAW
from store.models import DeliveryState
from store.panel_ops import AGE_BUCKETS, WAITING, failures, held_by_rate_limits, outbox, retrying

NAV = NavItem(path="/panel/stan", label="stan.nav", order=90, visible=lambda user: user.admin)
# The ways the service reaches people, each listed whether configured or not; the value is
# the component that reports its health. E-mail is no chat: it alone does not make the
# service reach anyone in a conversation.
CHANNELS: dict[str, str] = {"telegram": "telegram", "slack": "slack", "teams": "teams",
                            "sms": "sms", "email": "daily-email"}
CHATS = ("telegram", "slack", "teams", "sms")
KEEP = timedelta(hours=24)
MOST = 100_000  # 429 moments kept per messenger (a day of a very busy one)


@dataclass(frozen=True, slots=True)
class LimitCount:
    """429s of one messenger."""

    platform: str
    last_hour: int
    last_day: int
    held: int


class RecentLimits:
    """The moments of the 429s each messenger answered, for the last day. Listens to every
    messenger with a ``rate_limits`` watch; messengers registered later (components start
    after the panel) are picked up by :meth:`follow`, called on each visit."""

    def __init__(self, panel: Panel) -> None:
        self._panel = panel
        self._seen: dict[int, str] = {}
        self._moments: dict[str, deque[datetime]] = {}
        self.since = panel.now()

    def follow(self, messengers: Mapping[str, object]) -> None:
        """Listen to the watches not listened to yet."""
        for platform, messenger in messengers.items():
            watch = getattr(messenger, "rate_limits", None)
            listen = getattr(watch, "listen", None)
            if listen is None or id(watch) in self._seen:
                continue
            self._seen[id(watch)] = platform
            self._moments.setdefault(platform, deque(maxlen=MOST))
            listen(lambda name=platform: self._heard(name))

    def _heard(self, platform: str) -> None:
        self._moments[platform].append(self._panel.now())

    def counts(self, now: datetime, held: Mapping[str, int]) -> list[LimitCount]:
        """Per messenger: 429s in the last hour and day, rows held after one."""
        rows = []
        for platform in sorted(set(self._moments) | set(held)):
            moments = self._moments.get(platform, deque())
            while moments and now - moments[0] > KEEP:
                moments.popleft()
            hour = sum(1 for m in moments if now - m <= timedelta(hours=1))
            rows.append(LimitCount(platform, hour, len(moments), held.get(platform, 0)))
        return rows


def local(moment: datetime | None) -> str:
    """A moment in Polish time, to the second."""
    if moment is None:
        return ""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(WARSAW).strftime("%Y-%m-%d %H:%M:%S")


def parts(body: Mapping[str, object] | None) -> list[dict[str, str]]:
    """The database and each component as rows (name, state, problem, check)."""
    if body is None:
        return []
    shown: list[dict[str, str]] = []
    named: list[tuple[str, object]] = [("", body.get("database"))]
    components = body.get("components")
    if isinstance(components, Mapping):
        named += sorted((str(k), v) for k, v in components.items())
    for name, part in named:
        if isinstance(part, Mapping):
            shown.append({"name": name, "state": str(part.get("state", "down")),
                          "problem": str(part.get("problem", "")),
                          "check": str(part.get("check", ""))})
    return shown


def part_label(name: str, lang: str) -> str:
    """A part's name in words ("" for one without: its technical name is shown)."""
    key = f"stan.part.{name}"
    return pt(lang, key) if name and known(key) else ""


def channels(parts_shown: list[dict[str, str]], registered: set[str]
             ) -> list[dict[str, str]]:
    """Each messenger (and e-mail) with its state: the part's health when one runs,
    "configured" when registered without a health report, else "not configured"."""
    by_name = {p["name"]: p for p in parts_shown}
    rows = []
    for channel, component in CHANNELS.items():
        part = by_name.get(component)
        if part is not None:
            rows.append({"name": channel, "state": part["state"], "problem": part["problem"]})
        elif channel in registered:
            rows.append({"name": channel, "state": "configured", "problem": ""})
        else:
            rows.append({"name": channel, "state": "absent", "problem": ""})
    return rows


def overall_state(status: str, rows: list[dict[str, str]]) -> str:
    """The headline: /healthz's status, except that a service no chat messenger is
    configured for does not read as fine (it cannot reach anybody)."""
    if status == "ok" and not any(r["name"] in CHATS and r["state"] != "absent" for r in rows):
        return "no_messenger"
    return status


def routes(panel: Panel) -> list[web.RouteDef]:
    """The health page."""
    limits = RecentLimits(panel)
    limits.follow(panel.services.messengers)

    async def index(request: web.Request, user: PanelUser) -> web.StreamResponse:
        limits.follow(panel.services.messengers)
        now = panel.now()
        body: Mapping[str, object] | None = None
        if panel.health is not None:
            _status, body = await panel.health()
        async with panel.db.session() as session:
            box = await outbox(session, now)
            failed = await failures(session, now)
            again = await retrying(session)
            held = await held_by_rate_limits(session)
        shown = [{**part, "label": part_label(part["name"], user.lang)} for part in parts(body)]
        reach = channels(shown, set(panel.services.messengers))
        status = str(body.get("status", "")) if body is not None else ""
        return render(request, "stan/index.html", {
            "overall": overall_state(status, reach), "channels": reach,
            "parts": shown, "box": box, "states": [s.value for s in DeliveryState],
            "waiting": WAITING, "buckets": [name for name, _ in AGE_BUCKETS],
            "failed": failed, "retrying": again, "limits": limits.counts(now, held),
            "limits_since": local(limits.since), "now": local(now),
            "oldest_due": local(box.oldest_due),
        })

    return [web.get("/panel/stan", page(panel, index, allow=lambda user: user.admin))]
