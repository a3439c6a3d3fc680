"""Telling a database that cannot record (down, unreachable, failing) from a bug."""

from __future__ import annotations

from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout


class StoreUnavailable(Exception):
    """The database could not record an inbound update; the platform must deliver it again."""


def is_outage(error: BaseException) -> bool:
    """True if ``error`` (or what caused it) says the database is not there to record:
    refused or lost connections, a full pool, a locked, read-only or missing SQLite file."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        # Drivers' connection failures arrive wrapped in these; a bare ConnectionError is a
        # messenger's or the network's, and not a reason to have an update delivered again.
        if isinstance(current, (StoreUnavailable, OperationalError, InterfaceError,
                                DisconnectionError, PoolTimeout)):
            return True
        current = current.__cause__ or current.__context__
    return False
