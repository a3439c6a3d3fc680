"""The command menu Telegram shows (``setMyCommands``), built from the core's registry."""

from __future__ import annotations

import logging
import re

from telegram import BotCommand

from commands.registry import CommandRegistry, command_key

__all__ = ["MENU_LANGUAGES", "command_menu"]

log = logging.getLogger(__name__)

MENU_LANGUAGES: tuple[tuple[str, str], ...] = (("pl", ""), ("pl", "pl"), ("en", "en"))
"""(menu language, ``language_code``): Polish is also the default for every other language."""

_NAME_RE = re.compile(r"[a-z0-9_]{1,32}")  # what Telegram accepts as a command name


def command_menu(registry: CommandRegistry, lang: str) -> list[BotCommand]:
    """Menu entries in ``lang`` with Telegram-safe names (``moje-dane`` → ``moje_dane``; the
    core accepts both spellings)."""
    commands: list[BotCommand] = []
    seen: set[str] = set()
    for name, description in registry.menu(lang):
        safe = command_key(name)
        if not _NAME_RE.fullmatch(safe) or safe in seen:
            log.warning("command %r cannot be shown in the Telegram menu", name)
            continue
        seen.add(safe)
        commands.append(BotCommand(safe, description.strip()[:256] or safe))
    return commands[:100]
