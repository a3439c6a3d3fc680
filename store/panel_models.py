"""Tables of the office panel's sign-in: one-time links and sessions."""

from __future__ import annotations
