"""The composition root: builds every component from validated configuration. No globals."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from adapters.console.messenger import ConsoleMessenger
from adapters.panel.settings import PanelConfig
from adapters.panel.settings import parse_config as parse_panel_config
from adapters.sms.config import parse_config as parse_sms_config
from bots.config import (
    Config,
    announcement_settings,
    delivery_settings,
    forum_settings,
)
from bots.memory import settle_heap
from bots.metrics import InstrumentedCore, Metrics
from bots.version import installed_version
from commands.announcements.service import AnnouncementService
from commands.announcements.sms import SmsSettings
from commands.calendar.service import CalendarService
from commands.calendar.settings import (
    ReminderSettings,
    parse_settings,
    with_preference,
)
from commands.clock import Clock, SystemClock
from commands.core import Core, CoreSettings, Services
from commands.directory.importer import DirectoryImporter
from commands.directory.language import Morphology
from commands.directory.matching import TopicDefinition, load_thesaurus
from commands.directory.service import DirectoryService
from commands.forums.service import ForumService
from commands.model import Platform
from commands.ports import Messenger
from commands.setup import build_registry
from scheduler.delivery import DeliveryWorker
from scheduler.outbound import OutboundPath
from store.db import Database
from store.directory import count_people

log = logging.getLogger(__name__)


@dataclass(slots=True)
class App:
    """Everything the running service, the CLI and the tests share."""

    config: Config
    db: Database
    clock: Clock
    morphology: Morphology
    thesaurus: list[TopicDefinition]
    directory: DirectoryService
    importer: DirectoryImporter
    core: Core
    messengers: dict[str, Messenger]
    worker: DeliveryWorker
    outbound: OutboundPath
    calendar: CalendarService | None = None
    metrics: Metrics | None = None  # [metrics] enabled: what GET /metrics serves

    async def prepare(self, *, with_sample: bool | None = None) -> None:
        """Bring the database up to date, install the thesaurus, load sample data if empty."""
        await self.db.upgrade()
        async with self.db.session() as session:
            await self.importer.install_thesaurus(session)
            await session.commit()
            empty = await count_people(session) == 0
        sample = self.config.directory.sample_data if with_sample is None else with_sample
        if empty and sample:
            from bots.sample_data import load_sample_data

            if await load_sample_data(self):
                log.info("empty database: loaded the sample directory")
            else:
                log.info("empty database: the demo was cleared before, so it is not loaded "
                         "again (lacznik demo load brings it back)")
        self.directory.invalidate()

    async def close(self) -> None:
        """Release the database."""
        await self.db.dispose()


def build_app(config: Config, *, clock: Clock | None = None, db: Database | None = None,
              morphology: Morphology | None = None) -> App:
    """Wire the application together."""
    clock = clock or SystemClock()
    # Replies are outbox rows written on every update: aiosqlite's DEBUG line for each call
    # carries the statement's parameters (names, phones, message texts). Never let it through,
    # whatever the log level (SQLAlchemy's own lines hide parameters: store/db.py).
    logging.getLogger("aiosqlite").setLevel(max(logging.INFO,
                                                logging.getLogger("aiosqlite").level))
    database = db or Database(config.database.url)
    morph = morphology or Morphology()
    thesaurus = load_thesaurus()
    directory = DirectoryService(
        db=database, morphology=morph, thesaurus=thesaurus, clock=clock,
        stale_after_months=config.directory.stale_after_months,
        on_rebuilt=settle_heap,
    )
    registry = build_registry()
    settings = CoreSettings(
        directory_public=config.directory.public,
        link_code_valid_for=timedelta(hours=config.linking.code_valid_hours),
        panel_url=config.server.base_url if panel_settings(config).enabled else "",
    )
    # Adapters register their own-initiative sending here when they are built.
    messengers: dict[str, Messenger] = {Platform.CONSOLE.value: ConsoleMessenger()}
    reminders = reminder_settings(config)
    metrics = Metrics(version=installed_version()) if config.metrics.enabled else None
    worker = DeliveryWorker(db=database, clock=clock, messengers=messengers,
                            settings=delivery_settings(config.extra.get("delivery", {})),
                            observer=metrics)
    # The one way out: replies, edits and own-initiative messages all become outbox rows;
    # adapters reach it through the core's services and register their reply messengers.
    outbound = OutboundPath(db=database, clock=clock, worker=worker)
    announcements = AnnouncementService(
        db=database, clock=clock, messengers=messengers,
        settings=announcement_settings(config.extra.get("announcements", {})),
        # Normal announcements share the reminders' quiet hours; urgent ones ignore them.
        hold_quiet=lambda moment, preference: with_preference(
            reminders.quiet, preference).next_open(moment),
        sms=sms_settings(config),
        outbound=outbound,  # the author's copy is edited through it
    )
    forums = ForumService(db=database, clock=clock, morphology=morph, messengers=messengers,
                          settings=forum_settings(config.extra.get("forums", {})),
                          outbound=outbound)  # relayed answers' edits and deletions
    calendar = CalendarService(
        db=database, clock=clock, settings=reminders,
        base_url=f"http://{config.server.host}:{config.server.port}",
    )
    # Counted and timed where events enter the core; log lines bound to the update's id.
    core: Core = InstrumentedCore(
        Services(db=database, clock=clock, directory=directory, registry=registry,
                 settings=settings, messengers=messengers, announcements=announcements,
                 forums=forums, calendar=calendar, outbound=outbound),
        metrics=metrics)
    importer = DirectoryImporter(morphology=morph, thesaurus=thesaurus)
    return App(config=config, db=database, clock=clock, morphology=morph, thesaurus=thesaurus,
               directory=directory, importer=importer, core=core, messengers=messengers,
               worker=worker, outbound=outbound, calendar=calendar, metrics=metrics)


def panel_settings(config: Config) -> PanelConfig:
    """The validated ``[panel]`` section (absent: the defaults, the panel on)."""
    return parse_panel_config(config.extra.get("panel"))


def sms_settings(config: Config) -> SmsSettings | None:
    """What the announcements need of ``[sms]`` (None without the section: no SMS); a bad
    value raises :class:`ConfigError` naming the key."""
    section = config.extra.get("sms")
    if section is None:
        return None
    return parse_sms_config(section).settings()


def reminder_settings(config: Config) -> ReminderSettings:
    """The validated ``[reminders]`` section (a bad value raises :class:`ConfigError` naming
    the key)."""
    return parse_settings(config.extra.get("reminders", {}))
