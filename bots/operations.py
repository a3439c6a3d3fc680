"""The operations components the service always runs: the privacy and terms pages and the
daily retention job, each from its own configuration section (``[legal]``, ``[retention]``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bots.legal_pages import KEYS as LEGAL_KEYS
from bots.legal_pages import LegalPagesComponent
from bots.retention_config import KEYS, retention_settings
from scheduler.retention import RetentionComponent

if TYPE_CHECKING:
    from bots.app import App
    from bots.service import Component


def operations_components(app: App) -> list[Component]:
    """``/privacy`` and ``/terms``, and the retention job."""
    extra = app.config.extra
    return [
        LegalPagesComponent(extra.get("legal", {})),
        RetentionComponent(db=app.db, clock=app.clock,
                           settings=retention_settings(extra.get("retention", {}))),
    ]


def section_keys() -> dict[str, tuple[str, ...]]:
    """The keys of ``[retention]`` and ``[legal]`` (for ``bots.config.accepted_keys``)."""
    return {"retention": tuple(KEYS), "legal": LEGAL_KEYS}
