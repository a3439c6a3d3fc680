"""Texts only one messenger's adapter shows (Slack hints, the Teams app package), in Polish and
English: kept here until each adapter holds its own."""

from __future__ import annotations

PL: dict[str, str] = {
    # platform hints (adapters append them where the platform differs)
    "slack.link_hint": "W Slacku wpisz {command} start KOD albo napisz do mnie: start KOD.",
    "slack.help_hint": (
        "W Slacku poprzedź polecenie nazwą {command} (np. {command} moje-dane) albo napisz je do "
        "mnie bez ukośnika (np. moje-dane)."
    ),
    "slack.foreign_workspace": (
        "Ten obszar roboczy Slacka nie jest podłączony do Łącznika, więc nie mogę tu odpowiadać. "
        "Poproś administratora (Biuro SMK) o dodanie go."
    ),
    "slack.app_description": (
        "Asystent pracowników gmin Metropolii Krakowskiej: kto zajmuje się danym tematem w gminie."
    ),
    # the Teams app package (store and app catalog; Teams cuts at 30/100/80/4000 characters)
    "teams.app.name_short": "Łącznik",
    "teams.app.name_full": "Łącznik — asystent pracowników gmin Metropolii Krakowskiej",
    "teams.app.description_short": "Kto zajmuje się danym tematem w gminie? Zapytaj Łącznika.",
    "teams.app.description_full": (
        "Łącznik odpowiada pracownikom gmin Metropolii Krakowskiej, kto zajmuje się danym "
        "tematem w gminie, z preferowaną formą kontaktu i datą potwierdzenia danych. "
        "Pisz zwyczajnie, np. „kto od śmieci w Wieliczce?”, albo wybierz polecenie: "
        "kto, pomoc, moje-dane. W kanałach i czatach grupowych wspomnij Łącznika (@)."
    ),
}

EN: dict[str, str] = {
    "slack.link_hint": "In Slack, type {command} start CODE or write to me: start CODE.",
    "slack.help_hint": (
        "In Slack, put {command} before a command (e.g. {command} me) or write it to me without "
        "the slash (e.g. me)."
    ),
    "slack.foreign_workspace": (
        "This Slack workspace is not connected to Łącznik, so I can't answer here. Ask an "
        "administrator (Biuro SMK) to add it."
    ),
    "slack.app_description": (
        "The assistant of the Kraków Metropolis's municipal staff: who handles a topic in a gmina."
    ),
    "teams.app.name_short": "Łącznik",
    "teams.app.name_full": "Łącznik — the municipal staff assistant of Metropolia Krakowska",
    "teams.app.description_short": "Who handles a topic in a gmina? Ask Łącznik.",
    "teams.app.description_full": (
        "Łącznik tells municipal staff of Metropolia Krakowska who handles a topic in a "
        "gmina, with the preferred way of contact and the date the entry was confirmed. "
        "Just write, e.g. “who handles waste in Wieliczka?”, or pick a command: who, help, "
        "me. In channels and group chats, @mention Łącznik."
    ),
}
