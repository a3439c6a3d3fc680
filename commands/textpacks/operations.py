"""User-facing texts of the operations feature (Polish and English)."""

from __future__ import annotations

PL: dict[str, str] = {}

EN: dict[str, str] = {}
