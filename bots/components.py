"""Which long-running components the configuration asks for (messenger adapters, the e-mail
and SMS channels, the scheduler)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bots.app import panel_settings
from bots.calendar_feed import CalendarFeedComponent
from bots.cli_invite import email_components
from bots.operations import operations_components
from scheduler.reminders import ReminderPlannerComponent
from scheduler.runner import SchedulerComponent

if TYPE_CHECKING:
    from bots.app import App
    from bots.service import Component


def build_components(app: App) -> list[Component]:
    """Every component configured in ``app.config``: messengers, SMS, calendar, e-mail, the
    scheduler."""
    components: list[Component] = []
    # Messengers first: each registers its own-initiative sending in app.messengers, which the
    # scheduler's delivery worker uses.
    extra = app.config.extra
    telegram: Component | None = None
    if (section := extra.get("telegram")) is not None:
        from adapters.telegram import build_telegram_component

        telegram = build_telegram_component(app, section)
        components.append(telegram)
    if (section := extra.get("slack")) is not None:
        from adapters.slack import build_slack_component

        components.append(build_slack_component(app, section))
    if (section := extra.get("teams")) is not None:
        from adapters.teams import build_teams_component

        components.append(build_teams_component(app, section))
    if (section := extra.get("sms")) is not None:
        # Urgent notices by SMS: the sender (messenger "sms"), the acknowledgement link and
        # the delivery reports. Listed before the scheduler, so it stops after the worker.
        from adapters.sms.component import build_sms_component

        components.append(build_sms_component(app, section))
    if app.calendar is not None:
        # Listed before the scheduler: its first pass holds reminders that fell due during
        # quiet hours while the service was down, before the delivery worker sends anything.
        components += [
            ReminderPlannerComponent(reminders=app.calendar.reminders,
                                     interval=app.calendar.settings.plan_interval),
            CalendarFeedComponent(feeds=app.calendar.feeds),
        ]
    components += operations_components(app)  # /privacy, /terms, the daily retention job
    if (panel := panel_settings(app.config)).enabled:
        # The office panel under /panel/: the same services as the messengers, on the web.
        from adapters.panel import build_panel_component

        components.append(build_panel_component(
            app, panel, public_url=app.config.server.base_url, importer=app.importer,
            morphology=app.morphology))
    # The opt-out page (always: links in e-mails sent earlier keep working) and, with
    # [email], the daily digest and invitation reminders, naming the running Telegram bot.
    components += email_components(app, telegram)
    components += [
        SchedulerComponent(db=app.db, clock=app.clock, worker=app.worker,
                           announcements=app.core.services.announcements,
                           forums=app.core.services.forums)
    ]
    return components
