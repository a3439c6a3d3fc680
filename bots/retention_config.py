"""The ``[retention]`` section: how long data is kept, in days (0 = keep for ever)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bots.config import ConfigError
from scheduler.retention import RetentionSettings

# key: (lowest, highest, default). The lowest keeps what the service itself still needs:
# platforms retry a delivery for hours, and /raport reads the outbox of recent announcements.
LIMITS: dict[str, tuple[int, int, int]] = {
    "delivered_messages_days": (7, 3650, 90),
    "processed_events_days": (1, 365, 7),
    "closed_questions_days": (0, 36500, 0),
    "audit_log_days": (0, 36500, 730),
}


def retention_settings(section: Mapping[str, Any]) -> RetentionSettings:
    """Validate ``[retention]``; raises :class:`ConfigError` naming the key."""
    if not isinstance(section, Mapping):
        raise ConfigError("retention", "must be a table")
    for key in section:
        if key not in LIMITS:
            raise ConfigError(f"retention.{key}", f"unknown key (known: {', '.join(LIMITS)})")
    values: dict[str, int] = {}
    for key, (low, high, default) in LIMITS.items():
        value = section.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"retention.{key}", "must be a whole number of days")
        if not low <= value <= high:
            raise ConfigError(f"retention.{key}", f"must be {low}-{high} (days)")
        values[key] = value
    return RetentionSettings(**values)
