"""Microsoft Teams adapter: Bot Framework activities in, Adaptive Cards out.

Wire it with :func:`build_teams_component` (the service) and :func:`build_package`
(``lacznik teams package``). See ``docs/teams.md`` for the administrator's guide.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from adapters.teams.package import build_package
from adapters.teams.settings import TeamsSettings, parse_settings

if TYPE_CHECKING:
    from adapters.hosting import Host
    from adapters.teams.component import TeamsComponent


def build_teams_component(app: Host, section: dict[str, Any]) -> TeamsComponent:
    """The Teams component from the raw ``[teams]`` table (validated here; raises
    :class:`commands.config_schema.ConfigError` naming the bad key). Its own-initiative sending is
    registered in ``app.messengers`` under ``"teams"``."""
    from adapters.teams.component import TeamsComponent
    from commands.model import Platform

    component = TeamsComponent(app=app, settings=parse_settings(section))
    app.messengers[Platform.TEAMS.value] = component.messenger
    return component


__all__ = ["TeamsSettings", "build_package", "build_teams_component", "parse_settings"]
