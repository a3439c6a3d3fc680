"""The ``[delivery]`` section, declared beside the delivery worker that reads it."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from pydantic import Field

from commands.config_schema import Problem, SectionSchema, read_section
from scheduler.delivery import DeliverySettings


class DeliverySection(SectionSchema):
    """``[delivery]``: how many sends run at once, how long a claim holds, how often a
    message is tried, and how long a reply waits out an outage."""

    section = "delivery"

    concurrency: Annotated[int, Field(ge=1, le=1000), Problem("must be 1-1000")] = 128
    lease_seconds: Annotated[int, Field(ge=15, le=3600), Problem("must be 15-3600")] = 60
    max_attempts: Annotated[int, Field(ge=1, le=50), Problem("must be 1-50")] = 6
    reply_max_age_seconds: Annotated[
        int, Field(ge=30, le=86400), Problem("must be 30-86400")] = 600

    def settings(self) -> DeliverySettings:
        """What the delivery worker runs with."""
        return DeliverySettings(concurrency=self.concurrency,
                                lease=timedelta(seconds=self.lease_seconds),
                                max_attempts=self.max_attempts,
                                reply_max_age=timedelta(seconds=self.reply_max_age_seconds))


def delivery_settings(section: object) -> DeliverySettings:
    """Validate the raw ``[delivery]`` table; raises ``ConfigError`` naming the key."""
    return read_section(DeliverySection, section).settings()
