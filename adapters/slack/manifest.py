"""The Slack app manifest (``lacznik slack manifest``), ready to paste into api.slack.com/apps.

It asks only for what the bot uses: slash commands, @mentions, DMs, posting, opening DMs,
reading names and e-mails (to link people by verified e-mail), and the messages of channels
it was invited to — only replies in the threads of forum questions it posted are kept (they
are answers to relay); everything else is dropped on arrival.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from adapters.slack.config import EVENTS_PATH, parse_config
from adapters.slack.texts import slack_text
from commands.config_schema import ConfigError
from commands.registry import Command
from commands.setup import build_registry
from commands.texts import t

BOT_SCOPES = (
    "app_mentions:read",  # @mentions in channels
    "chat:write",  # answers, proactive posts, edits
    "commands",  # slash commands
    "im:history",  # DMs to the bot (message.im)
    "channels:history",  # answers in threads of forum questions (message.channels)
    "groups:history",  # the same in private channels (message.groups)
    "im:write",  # conversations.open for proactive DMs
    "users:read",  # users.info: name, bot flag, workspace
    "users:read.email",  # users.info: e-mail for linking to the directory
)
BOT_EVENTS = ("app_mention", "message.im", "message.channels", "message.groups")
_DIRECTORY_COMMAND = "kto"


def build_manifest(section: Mapping[str, Any], *, public_url: str | None) -> dict[str, Any]:
    """The manifest for the ``[slack]`` section; ``public_url`` overrides its ``public_url``.

    HTTP mode needs the public https:// address of this service (Slack sends everything to
    ``{public_url}/slack/events``); Socket Mode needs none. Raises :class:`ConfigError`.
    """
    raw = dict(section)
    if public_url is not None:
        raw["public_url"] = public_url
    config = parse_config(raw, require_secrets=False)
    socket = config.mode == "socket"
    if not socket and not config.public_url:
        raise ConfigError("slack.public_url", "the manifest needs the public https:// address "
                          "of this service in HTTP mode (or use --public-url)")
    url = f"{config.public_url}{EVENTS_PATH}"
    commands = []
    for name, lang in config.commands.items():
        command: dict[str, Any] = {
            "command": name,
            "description": t(lang or "pl", "cmd.who"),
            "usage_hint": _usage_hint(lang or "pl"),
            "should_escape": False,
        }
        if not socket:
            command["url"] = url
        commands.append(command)
    events: dict[str, Any] = {"bot_events": list(BOT_EVENTS)}
    interactivity: dict[str, Any] = {"is_enabled": True}
    if not socket:
        events["request_url"] = url
        interactivity["request_url"] = url
    return {
        "_metadata": {"major_version": 1, "minor_version": 1},
        "display_information": {
            "name": config.app_name,
            "description": slack_text("pl", "app_description")[:140],
            "background_color": "#1d4e89",
            **_legal_links(config.public_url),
        },
        "features": {
            "app_home": {"home_tab_enabled": False, "messages_tab_enabled": True,
                         "messages_tab_read_only_enabled": False},
            "bot_user": {"display_name": config.app_name, "always_online": True},
            "slash_commands": commands,
        },
        "oauth_config": {"scopes": {"bot": list(BOT_SCOPES)}},
        "settings": {
            "event_subscriptions": events,
            "interactivity": interactivity,
            "org_deploy_enabled": False,
            "socket_mode_enabled": socket,
            "token_rotation_enabled": False,
        },
    }


def _legal_links(public_url: str) -> dict[str, str]:
    """The manifest has no privacy field: the long description links the service's own
    /privacy and /terms pages (bots/legal_pages.py) when the public address is known."""
    if not public_url:
        return {}
    base = public_url.rstrip("/")
    return {"long_description": t("pl", "legal.slack_long_description",
                                  privacy=f"{base}/privacy", terms=f"{base}/terms")[:4000]}


def _usage_hint(lang: str) -> str:
    """"<temat> <gmina> | start [kod] | pomoc | …" from the core's own command list."""
    hints: list[str] = []
    for command in build_registry():
        if not command.menu or (command.roles and not _for_members(command)):
            continue
        usage = command.usage(lang).lstrip("/")
        if command.names[0] == _DIRECTORY_COMMAND:
            hints.insert(0, usage.partition(" ")[2])
        else:
            hints.append(usage)
    return " | ".join(h for h in hints if h)[:1000]


def _for_members(command: Command) -> bool:
    return all(role.value == "member" for role in command.roles)
