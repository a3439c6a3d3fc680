"""Tables of the directory freshness campaign (office panel): filled in by its feature."""

from __future__ import annotations
