"""The installed version of Łącznik (``pyproject.toml``), for ``--version``, ``/healthz`` and
``/metrics``."""

from __future__ import annotations

import functools
from importlib import metadata


@functools.cache  # asked by every /healthz and /metrics request
def installed_version() -> str:
    """The installed package's version, or a note that the source tree was never installed."""
    try:
        return metadata.version("lacznik")
    except metadata.PackageNotFoundError:
        return "unknown (not installed)"
