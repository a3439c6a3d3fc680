"""The Teams app package (``lacznik teams package``): manifest, localization, two icons, zipped.

Manifest schema 1.17. Teams has no slash commands: ``bots[0].commandLists`` puts the
commands in the compose box menu (Polish by default, English through ``localizationInfo`` —
Teams then sends the English title, which the registry also knows).

The resource-specific consent permission ``ChannelMessage.Read.Group`` makes Teams deliver
channel messages that do not @mention the bot — the replies in a forum question's thread,
which the bot relays. RSC needs ``webApplicationInfo``: the Entra app id, and a ``resource``
Teams does not use for RSC but requires to be present.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from adapters.teams.icons import ACCENT_HEX, color_icon, outline_icon
from adapters.teams.settings import TeamsSettings, parse_settings
from adapters.teams.texts import teams_text
from commands.config_schema import ConfigError
from commands.registry import CommandRegistry

MANIFEST_VERSION = "1.17"
MANIFEST_SCHEMA = (
    f"https://developer.microsoft.com/json-schemas/teams/v{MANIFEST_VERSION}/"
    "MicrosoftTeams.schema.json"
)
LOCALIZATION_SCHEMA = (
    f"https://developer.microsoft.com/json-schemas/teams/v{MANIFEST_VERSION}/"
    "MicrosoftTeams.Localization.schema.json"
)
SCOPES = ("personal", "team", "groupChat")
CHANNEL_MESSAGES = "ChannelMessage.Read.Group"  # RSC: replies in threads without a mention
MAX_COMMANDS = 10  # per command list in manifest 1.17
DEFAULT_NAME = "lacznik-teams.zip"
ENGLISH_FILE = "en-us.json"
_ZIP_TIME = (2026, 1, 1, 0, 0, 0)  # fixed, so the same config gives the same bytes


def build_package(
    section: Mapping[str, Any], *, out: Path, registry: CommandRegistry | None = None
) -> Path:
    """Write the app package zip for the ``[teams]`` section; returns its path.

    ``out`` is the zip file, or a directory to put ``lacznik-teams.zip`` in. Needs
    ``app_id`` and ``public_domain``; the secret is not needed.
    """
    settings = parse_settings(section, require_credentials=False)
    if not settings.public_domain:
        raise ConfigError("teams.public_domain",
                          "required for the app package (the bot's public host name)")
    if registry is None:
        from commands.setup import build_registry

        registry = build_registry()
    target = out / DEFAULT_NAME if out.is_dir() else out
    target.parent.mkdir(parents=True, exist_ok=True)
    files = {
        "manifest.json": _json(manifest(settings, registry)),
        ENGLISH_FILE: _json(english_localization(registry)),
        "color.png": color_icon(),
        "outline.png": outline_icon(),
    }
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return target


def manifest(settings: TeamsSettings, registry: CommandRegistry) -> dict[str, Any]:
    """``manifest.json`` in Polish, the default language."""
    return {
        "$schema": MANIFEST_SCHEMA,
        "manifestVersion": MANIFEST_VERSION,
        "version": settings.app_version,
        "id": settings.app_id,
        "developer": {
            "name": settings.developer_name,
            "websiteUrl": settings.website_url,
            "privacyUrl": legal_url(settings, settings.privacy_url, "privacy"),
            "termsOfUseUrl": legal_url(settings, settings.terms_url, "terms"),
        },
        "name": {"short": teams_text("pl", "app.name_short")[:30],
                 "full": teams_text("pl", "app.name_full")[:100]},
        "description": {"short": teams_text("pl", "app.description_short")[:80],
                        "full": teams_text("pl", "app.description_full")[:4000]},
        "icons": {"color": "color.png", "outline": "outline.png"},
        "accentColor": ACCENT_HEX,
        "bots": [{
            "botId": settings.app_id,
            "scopes": list(SCOPES),
            "supportsFiles": False,
            "isNotificationOnly": False,
            "commandLists": [{"scopes": list(SCOPES), "commands": commands(registry, "pl")}],
        }],
        "validDomains": [settings.public_domain],
        "webApplicationInfo": {
            "id": settings.app_id,
            "resource": f"api://{settings.public_domain}/{settings.app_id}",
        },
        "authorization": {"permissions": {"resourceSpecific": [
            {"name": CHANNEL_MESSAGES, "type": "Application"},
        ]}},
        "localizationInfo": {
            "defaultLanguageTag": "pl-pl",
            "additionalLanguages": [{"languageTag": "en-us", "file": ENGLISH_FILE}],
        },
    }


def legal_url(settings: TeamsSettings, configured: str, page: str) -> str:
    """The configured privacy/terms address, else this service's own page
    (``https://{public_domain}/privacy``, served by bots/legal_pages.py)."""
    if configured and configured != settings.website_url:
        return configured
    return f"https://{settings.public_domain}/{page}"


def english_localization(registry: CommandRegistry) -> dict[str, str]:
    """The ``en-us`` localization file: names, descriptions and the command menu."""
    strings = {
        "$schema": LOCALIZATION_SCHEMA,
        "name.short": teams_text("en", "app.name_short")[:30],
        "name.full": teams_text("en", "app.name_full")[:100],
        "description.short": teams_text("en", "app.description_short")[:80],
        "description.full": teams_text("en", "app.description_full")[:4000],
    }
    for index, command in enumerate(commands(registry, "en")):
        prefix = f"bots[0].commandLists[0].commands[{index}]"
        strings[f"{prefix}.title"] = command["title"]
        strings[f"{prefix}.description"] = command["description"]
    return strings


def commands(registry: CommandRegistry, lang: str) -> list[dict[str, str]]:
    """The compose-box menu: command names without the slash (Teams sends them as text)."""
    return [
        {"title": name[:32], "description": description[:128]}
        for name, description in registry.menu(lang)[:MAX_COMMANDS]
    ]


def _json(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")
