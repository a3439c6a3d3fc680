"""Slack-only texts: kept with every other text in ``commands/texts.py`` (keys ``slack.*``)."""

from __future__ import annotations

from commands.texts import t


def slack_text(lang: str, key: str, **values: object) -> str:
    """The Slack-only text ``key`` in ``lang`` (Polish if unknown)."""
    return t(lang, f"slack.{key}", **values)
