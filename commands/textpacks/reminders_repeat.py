"""User-facing texts of the reminders_repeat feature (Polish and English)."""

from __future__ import annotations

PL: dict[str, str] = {}

EN: dict[str, str] = {}
