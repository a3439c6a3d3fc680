"""python-telegram-bot errors → the core's neutral delivery errors, in one place."""

from __future__ import annotations

import warnings
from dataclasses import replace
from datetime import timedelta

from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)

from commands.model import ConversationKind, ConversationRef
from commands.ports import (
    DeliveryError,
    Moved,
    RateLimited,
    Rejected,
    TransientFailure,
    Unreachable,
)

__all__ = ["delivery_error", "is_not_modified", "retry_after_seconds"]

# Forbidden descriptions → a short stable reason (PTB keeps Telegram's text; match lowercase).
_FORBIDDEN = (
    ("blocked", "blocked"),
    ("deactivated", "deactivated"),
    ("kicked", "removed"),
    ("not a member", "removed"),
    ("can't initiate", "never_started"),
)
_UNREACHABLE_BAD_REQUESTS = (
    ("chat not found", "chat_not_found"),
    ("have no rights to send", "no_rights"),
    ("not enough rights", "no_rights"),
    ("topic_closed", "topic_closed"),
    ("topic_deleted", "topic_deleted"),
)


def retry_after_seconds(exc: RetryAfter) -> float:
    """``retry_after`` in seconds; PTB ≥ 22.2 gives an int (deprecated) or a timedelta."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def is_not_modified(exc: TelegramError) -> bool:
    """An edit that would change nothing: for the user the edit has already happened."""
    return isinstance(exc, BadRequest) and "message is not modified" in exc.message.lower()


def delivery_error(exc: TelegramError, ref: ConversationRef) -> DeliveryError:
    """The neutral kind of a failed call to ``ref``."""
    text = exc.message.lower()
    if isinstance(exc, RetryAfter):
        return RateLimited(retry_after_seconds(exc))
    if isinstance(exc, ChatMigrated):
        new_ref = replace(ref, conversation_id=str(exc.new_chat_id), thread_id=None,
                          kind=ConversationKind.GROUP)
        return Moved(new_ref)
    if isinstance(exc, Forbidden):
        return Unreachable(next((r for key, r in _FORBIDDEN if key in text), "forbidden"))
    if isinstance(exc, BadRequest):
        reason = next((r for key, r in _UNREACHABLE_BAD_REQUESTS if key in text), None)
        if reason is not None:
            return Unreachable(reason)
        if "can't parse entities" in text:
            return Rejected("bad_markup")
        if "too long" in text:
            return Rejected("too_long")
        if "thread not found" in text:
            return Rejected("thread_not_found")
        return Rejected("bad_request")
    if isinstance(exc, InvalidToken):
        return Rejected("invalid_token")
    if isinstance(exc, NetworkError):  # also TimedOut; PTB maps 5xx to NetworkError
        return TransientFailure("network")
    return TransientFailure("telegram_error")
