"""Texts only the Slack adapter shows (hints where Slack differs, the app manifest), in Polish
and English."""

from __future__ import annotations

from collections.abc import Mapping

PL: Mapping[str, str] = {
    # platform hints (appended where Slack differs from the other messengers)
    "link_hint": "W Slacku wpisz {command} start KOD albo napisz do mnie: start KOD.",
    "help_hint": (
        "W Slacku poprzedź polecenie nazwą {command} (np. {command} moje-dane) albo napisz je do "
        "mnie bez ukośnika (np. moje-dane)."
    ),
    "foreign_workspace": (
        "Ten obszar roboczy Slacka nie jest podłączony do Łącznika, więc nie mogę tu odpowiadać. "
        "Poproś administratora (Biuro SMK) o dodanie go."
    ),
    "app_description": (
        "Asystent pracowników gmin Metropolii Krakowskiej: kto zajmuje się danym tematem w gminie."
    ),
}

EN: Mapping[str, str] = {
    "link_hint": "In Slack, type {command} start CODE or write to me: start CODE.",
    "help_hint": (
        "In Slack, put {command} before a command (e.g. {command} me) or write it to me without "
        "the slash (e.g. me)."
    ),
    "foreign_workspace": (
        "This Slack workspace is not connected to Łącznik, so I can't answer here. Ask an "
        "administrator (Biuro SMK) to add it."
    ),
    "app_description": (
        "The assistant of the Kraków Metropolis's municipal staff: who handles a topic in a gmina."
    ),
}


def slack_text(lang: str, key: str, **values: object) -> str:
    """The Slack-only text ``key`` in ``lang`` (Polish if unknown)."""
    template = (EN if lang == "en" else PL)[key]
    return template.format(**values) if values else template
