"""What a running part reports about itself: its health for ``/healthz`` and the error that
names the setting to check when it cannot start. Shared by the adapters and the composition
root, so adapters need not import the latter."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from commands.config_schema import setting_name

OK = "ok"
DEGRADED = "degraded"
DOWN = "down"


class StartupError(Exception):
    """Something could not start (unreachable, refused, port taken); names the setting to
    check. The message carries no secret and no personal data."""

    def __init__(self, key: str, problem: str) -> None:
        super().__init__(f"{setting_name(key)}: {problem}")
        self.key = key
        self.problem = problem

    @property
    def setting(self) -> str:
        """The setting to check, as written in the file (``[telegram] api_base_url``)."""
        return setting_name(self.key)


@dataclass(frozen=True, slots=True)
class Health:
    """One part's state for ``/healthz``: ``ok``, ``degraded`` or ``down``; if not ok, the
    setting to check and what went wrong (no secrets, no personal data)."""

    state: str = OK
    check: str = ""
    problem: str = ""
    attempts: int = 0

    def as_json(self) -> dict[str, Any]:
        """The JSON object ``/healthz`` shows."""
        shown: dict[str, Any] = {"state": self.state}
        if self.check:
            shown["check"] = self.check
        if self.problem:
            shown["problem"] = self.problem
        if self.attempts:
            shown["attempts"] = self.attempts
        return shown
