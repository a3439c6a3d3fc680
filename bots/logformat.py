"""Logs for machines: ``[logging] format = "json"`` writes one JSON object per line.

Each line has ``time`` (UTC, ISO 8601), ``level``, ``logger`` and ``message`` — the product's
own log message, which by rule carries ids, never names, e-mails, phones or message text —
and, where known, ``event_id`` and ``platform`` (while the core handles an update) and
``component`` (while a supervised component starts, and in the tasks it starts). These come
from :func:`bind`, a context variable: asyncio copies it into every task a bound task creates.
"""

from __future__ import annotations

import contextvars
import json
import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from types import MappingProxyType

_CONTEXT: contextvars.ContextVar[Mapping[str, str]] = contextvars.ContextVar(
    "lacznik_log_context", default=MappingProxyType({}))

FIELDS = ("event_id", "platform", "component")
# Adapters' loggers name their platform even outside an update (a failed poll, a token).
_PLATFORM_LOGGERS = {"adapters.telegram": "telegram", "adapters.slack": "slack",
                     "adapters.teams": "teams", "adapters.console": "console",
                     "telegram": "telegram", "slack_sdk": "slack", "slack_bolt": "slack",
                     "msal": "teams"}


@contextmanager
def bind(**values: str) -> Iterator[None]:
    """Add ``values`` (of :data:`FIELDS`) to every log line written inside the block."""
    token = _CONTEXT.set({**_CONTEXT.get(), **{k: v for k, v in values.items() if v}})
    try:
        yield
    finally:
        _CONTEXT.reset(token)


def bind_for_task(**values: str) -> None:
    """Like :func:`bind`, for the rest of the current task (a task that lives for one
    component, such as its start-up retries)."""
    _CONTEXT.set({**_CONTEXT.get(), **{k: v for k, v in values.items() if v}})


def current() -> Mapping[str, str]:
    """What is bound now."""
    return _CONTEXT.get()


class JsonFormatter(logging.Formatter):
    """One JSON object per record; no field but ``message`` and ``exception`` is free text."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as one line of JSON."""
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(
                timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        context = dict(_CONTEXT.get())
        for name in FIELDS:  # ``extra={"event_id": …}`` on a call wins over the context
            value = getattr(record, name, None) or context.get(name)
            if value:
                line[name] = str(value)
        if "platform" not in line and (platform := _platform_of(record.name)):
            line["platform"] = platform
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            line["stack"] = record.stack_info
        return json.dumps(line, ensure_ascii=False)


def _platform_of(logger: str) -> str:
    for prefix, platform in _PLATFORM_LOGGERS.items():
        if logger == prefix or logger.startswith(prefix + "."):
            return platform
    return ""


def formatter(kind: str) -> logging.Formatter:
    """The formatter for ``[logging] format``."""
    if kind == "json":
        return JsonFormatter()
    return logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
