"""The Telegram adapter: the bot in private chats, groups and forum topics.

``build_telegram_component(app, section)`` is what the composition root calls with the raw
``[telegram]`` table of the configuration.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from adapters.telegram.component import TelegramComponent
from adapters.telegram.config import TelegramConfig, parse_config
from adapters.telegram.messenger import TelegramMessenger
from commands.model import Platform

if TYPE_CHECKING:
    from adapters.hosting import Host

__all__ = [
    "TelegramComponent",
    "TelegramConfig",
    "TelegramMessenger",
    "build_telegram_component",
    "parse_config",
]


def build_telegram_component(app: Host, section: dict[str, Any]) -> TelegramComponent:
    """The Telegram component from the raw ``[telegram]`` table (validated here); its
    own-initiative sending is registered for the delivery worker, announcements and forums."""
    component = TelegramComponent(core=app.core, db=app.db, config=parse_config(section))
    app.messengers[Platform.TELEGRAM.value] = component.messenger
    return component
