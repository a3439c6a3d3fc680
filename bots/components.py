"""Which long-running components the configuration asks for (messenger adapters, scheduler)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bots.app import App
    from bots.service import Component


def build_components(app: App) -> list[Component]:
    """Every component configured in ``app.config`` (none on the embedded default)."""
    components: list[Component] = []
    return components
