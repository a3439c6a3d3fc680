"""Configuration errors and declared section schemas, shared by every part that reads a section.

Each part owns the pydantic model of its own section (``[telegram]`` in the Telegram adapter,
``[reminders]`` in the calendar, …); this module holds what they have in common: the one-line
error naming the key, and turning a pydantic validation failure into that error.
"""

from __future__ import annotations


def setting_name(key: str) -> str:
    """How people find a key in the file: ``telegram.api_base_url`` → ``[telegram]
    api_base_url``; a bare section name stays as it is."""
    section, _, name = key.rpartition(".")
    return f"[{section}] {name}" if section else key


class ConfigError(Exception):
    """A configuration problem, naming the key."""

    def __init__(self, key: str, problem: str) -> None:
        super().__init__(f"configuration error in {setting_name(key)}: {problem}")
        self.key = key
        self.problem = problem

    @property
    def setting(self) -> str:
        """The setting to fix, as written in the file (``[server] port``)."""
        return setting_name(self.key)
