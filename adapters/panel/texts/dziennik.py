"""Texts of the "Dziennik zdarzeń" (audit log) page."""

from __future__ import annotations

PL: dict[str, str] = {
    "dziennik.nav": "Dziennik zdarzeń",
    "dziennik.title": "Dziennik zdarzeń",
    "dziennik.intro": "Kto, co i kiedy zrobił z uprawnieniami — najnowsze na górze. Wpisy "
                      "zawierają tylko identyfikatory, bez treści wiadomości i danych "
                      "kontaktowych.",
    "dziennik.actor": "Kto (imię, e-mail albo identyfikator)",
    "dziennik.action": "Działanie",
    "dziennik.action_any": "dowolne",
    "dziennik.target": "Czego dotyczy (tekst)",
    "dziennik.from": "Od dnia",
    "dziennik.to": "Do dnia (włącznie)",
    "dziennik.filter": "Filtruj",
    "dziennik.clear": "Wyczyść filtry",
    "dziennik.export": "Eksportuj CSV (te wpisy)",
    "dziennik.found": "Wpisów: {count}",
    "dziennik.none_found": "Brak wpisów spełniających te warunki.",
    "dziennik.caption": "Dziennik zdarzeń, najnowsze na górze",
    "dziennik.col_at": "Kiedy",
    "dziennik.col_actor": "Kto",
    "dziennik.col_action": "Działanie",
    "dziennik.col_target": "Czego dotyczy",
    "dziennik.col_details": "Szczegóły",
    "dziennik.bad_date": "Nieprawidłowa data — użyj formatu RRRR-MM-DD.",
    "dziennik.times_note": "Czas polski (Europe/Warsaw).",
}

EN: dict[str, str] = {
    "dziennik.nav": "Audit log",
    "dziennik.title": "Audit log",
    "dziennik.intro": "Who did what privileged thing, and when — newest first. Entries hold "
                      "ids only: no message bodies, no contact data.",
    "dziennik.actor": "Who (name, e-mail or id)",
    "dziennik.action": "Action",
    "dziennik.action_any": "any",
    "dziennik.target": "What it concerns (text)",
    "dziennik.from": "From",
    "dziennik.to": "To (inclusive)",
    "dziennik.filter": "Filter",
    "dziennik.clear": "Clear the filters",
    "dziennik.export": "Export CSV (these entries)",
    "dziennik.found": "Entries: {count}",
    "dziennik.none_found": "No entries match these conditions.",
    "dziennik.caption": "Audit log, newest first",
    "dziennik.col_at": "When",
    "dziennik.col_actor": "Who",
    "dziennik.col_action": "Action",
    "dziennik.col_target": "Concerns",
    "dziennik.col_details": "Details",
    "dziennik.bad_date": "Not a valid date — use YYYY-MM-DD.",
    "dziennik.times_note": "Polish time (Europe/Warsaw).",
}
