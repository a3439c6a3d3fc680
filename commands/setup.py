"""Assembling the command registry from every feature module."""

from __future__ import annotations

from commands import basic, panel_access
from commands.announcements import handlers as announcement_handlers
from commands.calendar import handlers as calendar_handlers
from commands.directory import handlers as directory_handlers
from commands.forums import handlers as forum_handlers
from commands.registry import CommandRegistry


def build_registry() -> CommandRegistry:
    """All commands, in the order /pomoc lists them."""
    registry = CommandRegistry()
    basic.register(registry)
    directory_handlers.register(registry)
    calendar_handlers.register(registry)
    announcement_handlers.register(registry)
    forum_handlers.register(registry)
    panel_access.register(registry)
    return registry
