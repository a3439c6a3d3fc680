"""Keeping the bot token and message bodies out of third-party logs.

httpx logs every request URL at INFO, and Telegram puts the token in the URL; PTB logs whole
request parameters (message texts, contact data) and the token-bearing base URL at DEBUG.
"""

from __future__ import annotations

import logging

__all__ = ["LogRedaction"]

_HTTP_LOGGERS = ("httpx", "httpcore")
_BOT_LOGGER = "telegram.Bot"


class _Redact(logging.Filter):
    """Replaces the token in a record's final message."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self._token = token

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self._token in message:
            record.msg, record.args = message.replace(self._token, "<token>"), None
        return True


class _DropDebug(_Redact):
    """Drops PTB's DEBUG records (request parameters are message bodies)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno > logging.DEBUG and super().filter(record)


class LogRedaction:
    """Filters on the loggers that could leak; ``remove()`` takes them off again."""

    def __init__(self, token: str) -> None:
        self._filters: list[tuple[logging.Logger, logging.Filter]] = [
            *((logging.getLogger(name), _Redact(token)) for name in _HTTP_LOGGERS),
            (logging.getLogger(_BOT_LOGGER), _DropDebug(token)),
        ]
        for logger, log_filter in self._filters:
            logger.addFilter(log_filter)

    def remove(self) -> None:
        """Detach the filters (the component stopped)."""
        for logger, log_filter in self._filters:
            logger.removeFilter(log_filter)
