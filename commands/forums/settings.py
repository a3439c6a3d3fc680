"""The ``[forums]`` section, declared by the feature that reads it."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from pydantic import Field

from commands.config_schema import Problem, SectionSchema, read_section
from commands.forums.service import ForumSettings


class ForumsSection(SectionSchema):
    """``[forums]``: after how long an unanswered question is brought up again."""

    section = "forums"

    unanswered_after_hours: Annotated[
        int, Field(ge=1, le=24 * 14), Problem("must be 1-336 (hours)")] = 24

    def settings(self) -> ForumSettings:
        """What the forum service runs with."""
        return ForumSettings(unanswered_after=timedelta(hours=self.unanswered_after_hours))


def forum_settings(section: object) -> ForumSettings:
    """Validate the raw ``[forums]`` table; raises ``ConfigError`` naming the key."""
    return read_section(ForumsSection, section).settings()
