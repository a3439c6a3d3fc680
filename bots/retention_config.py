"""The ``[retention]`` section: how long data is kept, in days (0 = keep for ever)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import Field

from commands.config_schema import Problem, SectionSchema, read_section, section_keys
from scheduler.retention import RetentionSettings

_WHOLE_DAYS = "must be a whole number of days"


class RetentionSection(SectionSchema):
    """``[retention]``. The lowest values keep what the service itself still needs:
    platforms retry a delivery for hours, and /raport reads the outbox of recent
    announcements."""

    section = "retention"

    delivered_messages_days: Annotated[
        int, Field(ge=7, le=3650), Problem("must be 7-3650 (days)", _WHOLE_DAYS)] = 90
    processed_events_days: Annotated[
        int, Field(ge=1, le=365), Problem("must be 1-365 (days)", _WHOLE_DAYS)] = 7
    closed_questions_days: Annotated[
        int, Field(ge=0, le=36500), Problem("must be 0-36500 (days)", _WHOLE_DAYS)] = 0
    audit_log_days: Annotated[
        int, Field(ge=0, le=36500), Problem("must be 0-36500 (days)", _WHOLE_DAYS)] = 730


KEYS = section_keys(RetentionSection)  # every accepted key (for accepted_keys)


def retention_settings(section: Mapping[str, Any]) -> RetentionSettings:
    """Validate ``[retention]``; raises :class:`ConfigError` naming the key."""
    return RetentionSettings(**read_section(RetentionSection, section).model_dump())
