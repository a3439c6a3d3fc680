"""The office panel: a web application on the service's HTTP server, for admins, forum
moderators and gmina coordinators, driving the same services as the messengers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from adapters.panel.component import PanelComponent
from adapters.panel.settings import PanelConfig, parse_config
from adapters.panel.web import Health, Panel

if TYPE_CHECKING:
    from adapters.hosting import Host
    from commands.directory.importer import DirectoryImporter
    from commands.directory.language import Morphology

__all__ = ["PanelComponent", "PanelConfig", "build_panel_component", "parse_config"]


def build_panel_component(host: Host, settings: PanelConfig, *, public_url: str,
                          importer: DirectoryImporter, morphology: Morphology,
                          health: Health | None = None) -> PanelComponent:
    """The panel, served under ``/panel/``; links point at ``public_url``."""
    panel = Panel(db=host.db, clock=host.clock, services=host.core.services,
                  importer=importer, morphology=morphology, settings=settings,
                  public_url=public_url.rstrip("/"),
                  secure_cookies=public_url.startswith("https://"), health=health)
    return PanelComponent(panel)
