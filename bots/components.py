"""Which long-running components the configuration asks for (messenger adapters, scheduler)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scheduler.runner import SchedulerComponent

if TYPE_CHECKING:
    from bots.app import App
    from bots.service import Component


def build_components(app: App) -> list[Component]:
    """Every component configured in ``app.config``: the scheduler always, then messengers."""
    components: list[Component] = [
        SchedulerComponent(db=app.db, clock=app.clock, worker=app.worker,
                           announcements=app.core.services.announcements,
                           forums=app.core.services.forums)
    ]
    return components
