"""Which long-running components the configuration asks for (messenger adapters, scheduler)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bots.calendar_feed import CalendarFeedComponent
from bots.operations import operations_components
from scheduler.reminders import ReminderPlannerComponent
from scheduler.runner import SchedulerComponent

if TYPE_CHECKING:
    from bots.app import App
    from bots.service import Component


def build_components(app: App) -> list[Component]:
    """Every component configured in ``app.config``: messengers, calendar, the scheduler."""
    components: list[Component] = []
    # Messengers first: each registers its own-initiative sending in app.messengers, which the
    # scheduler's delivery worker uses.
    extra = app.config.extra
    if (section := extra.get("telegram")) is not None:
        from adapters.telegram import build_telegram_component

        components.append(build_telegram_component(app, section))
    if (section := extra.get("slack")) is not None:
        from adapters.slack import build_slack_component

        components.append(build_slack_component(app, section))
    if (section := extra.get("teams")) is not None:
        from adapters.teams import build_teams_component

        components.append(build_teams_component(app, section))
    if app.calendar is not None:
        # Listed before the scheduler: its first pass holds reminders that fell due during
        # quiet hours while the service was down, before the delivery worker sends anything.
        components += [
            ReminderPlannerComponent(reminders=app.calendar.reminders,
                                     interval=app.calendar.settings.plan_interval),
            CalendarFeedComponent(feeds=app.calendar.feeds),
        ]
    components += operations_components(app)  # /privacy, /terms, the daily retention job
    components += [
        SchedulerComponent(db=app.db, clock=app.clock, worker=app.worker,
                           announcements=app.core.services.announcements,
                           forums=app.core.services.forums)
    ]
    return components
