"""Łącznik on Slack: slash commands, mentions, DMs and buttons (HTTP or Socket Mode).

The lead wires :func:`build_slack_component` into ``bots/components.py`` and
:func:`build_manifest` into ``lacznik slack manifest``.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from adapters.slack.component import SlackComponent
from adapters.slack.config import SlackConfig, parse_config
from adapters.slack.manifest import build_manifest
from adapters.slack.messenger import SlackMessenger
from commands.model import Platform

if TYPE_CHECKING:
    from adapters.hosting import Host

__all__ = ["SlackComponent", "SlackConfig", "SlackMessenger", "build_manifest",
           "build_slack_component", "parse_config"]


def build_slack_component(app: Host, section: dict[str, Any]) -> SlackComponent:
    """The Slack component from the raw ``[slack]`` table (secrets may come from
    ``SLACK_BOT_TOKEN`` / ``SLACK_SIGNING_SECRET`` / ``SLACK_APP_TOKEN``); raises
    :class:`commands.config_schema.ConfigError` naming the bad key.

    Its :class:`SlackMessenger` joins ``app.messengers`` for reminders and announcements.
    """
    config = parse_config(section, env=os.environ)
    component = SlackComponent(core=app.core, db=app.db, config=config)
    app.messengers[Platform.SLACK.value] = component.messenger
    return component
