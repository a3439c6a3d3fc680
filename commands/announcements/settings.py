"""The ``[announcements]`` section, declared by the feature that reads it."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from pydantic import Field

from commands.announcements.service import AnnouncementSettings
from commands.config_schema import Problem, SectionSchema, read_section


class AnnouncementsSection(SectionSchema):
    """``[announcements]``: when unacknowledged people are reminded, how often, and how
    often the author's copy (with its acknowledgement count) is refreshed."""

    section = "announcements"

    reping_after_minutes: Annotated[
        int, Field(ge=1, le=1440), Problem("must be 1-1440 (minutes)")] = 15
    max_pings: Annotated[int, Field(ge=1, le=10), Problem("must be 1-10")] = 3
    author_copy_every_seconds: Annotated[
        int, Field(ge=1, le=3600), Problem("must be 1-3600 (seconds)")] = 15

    def settings(self) -> AnnouncementSettings:
        """What the announcement service runs with."""
        return AnnouncementSettings(reping_after=timedelta(minutes=self.reping_after_minutes),
                                    max_pings=self.max_pings,
                                    author_copy_every=timedelta(
                                        seconds=self.author_copy_every_seconds))


def announcement_settings(section: object) -> AnnouncementSettings:
    """Validate the raw ``[announcements]`` table; raises ``ConfigError`` naming the key."""
    return read_section(AnnouncementsSection, section).settings()
