"""Texts only the Teams adapter shows: the app package's names and descriptions (store and
app catalog; Teams cuts them at 30/100/80/4000 characters), in Polish and English."""

from __future__ import annotations

from collections.abc import Mapping

PL: Mapping[str, str] = {
    "app.name_short": "Łącznik",
    "app.name_full": "Łącznik — asystent pracowników gmin Metropolii Krakowskiej",
    "app.description_short": "Kto zajmuje się danym tematem w gminie? Zapytaj Łącznika.",
    "app.description_full": (
        "Łącznik odpowiada pracownikom gmin Metropolii Krakowskiej, kto zajmuje się danym "
        "tematem w gminie, z preferowaną formą kontaktu i datą potwierdzenia danych. "
        "Pisz zwyczajnie, np. „kto od śmieci w Wieliczce?”, albo wybierz polecenie: "
        "kto, pomoc, moje-dane. W kanałach i czatach grupowych wspomnij Łącznika (@)."
    ),
}

EN: Mapping[str, str] = {
    "app.name_short": "Łącznik",
    "app.name_full": "Łącznik — the municipal staff assistant of Metropolia Krakowska",
    "app.description_short": "Who handles a topic in a gmina? Ask Łącznik.",
    "app.description_full": (
        "Łącznik tells municipal staff of Metropolia Krakowska who handles a topic in a "
        "gmina, with the preferred way of contact and the date the entry was confirmed. "
        "Just write, e.g. “who handles waste in Wieliczka?”, or pick a command: who, help, "
        "me. In channels and group chats, @mention Łącznik."
    ),
}


def teams_text(lang: str, key: str) -> str:
    """The Teams-only text ``key`` in ``lang`` (Polish if unknown)."""
    return (EN if lang == "en" else PL)[key]
