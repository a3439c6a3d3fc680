"""User-facing texts only the Teams adapter needs (the app's name and description in the
Teams store and app catalog). Every other text comes from :mod:`commands.texts`.

To be moved into :mod:`commands.texts` by the maintainers; kept here in both languages.
"""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "pl": {
        "app.name_short": "Łącznik",
        "app.name_full": "Łącznik — asystent pracowników gmin Metropolii Krakowskiej",
        "app.description_short": "Kto zajmuje się danym tematem w gminie? Zapytaj Łącznika.",
        "app.description_full": (
            "Łącznik odpowiada pracownikom gmin Metropolii Krakowskiej, kto zajmuje się danym "
            "tematem w gminie, z preferowaną formą kontaktu i datą potwierdzenia danych. "
            "Pisz zwyczajnie, np. „kto od śmieci w Wieliczce?”, albo wybierz polecenie: "
            "kto, pomoc, moje-dane. W kanałach i czatach grupowych wspomnij Łącznika (@)."
        ),
    },
    "en": {
        "app.name_short": "Łącznik",
        "app.name_full": "Łącznik — the municipal staff assistant of Metropolia Krakowska",
        "app.description_short": "Who handles a topic in a gmina? Ask Łącznik.",
        "app.description_full": (
            "Łącznik tells municipal staff of Metropolia Krakowska who handles a topic in a "
            "gmina, with the preferred way of contact and the date the entry was confirmed. "
            "Just write, e.g. “who handles waste in Wieliczka?”, or pick a command: who, help, "
            "me. In channels and group chats, @mention Łącznik."
        ),
    },
}


def text(lang: str, key: str) -> str:
    """``key`` in ``lang`` (Polish if missing)."""
    return TEXTS.get(lang, TEXTS["pl"]).get(key) or TEXTS["pl"][key]
