"""User-facing texts of how deliveries went: why a message reached nobody (announcement
reports), a late delivery's mark, in Polish and English."""

from __future__ import annotations

PL: dict[str, str] = {
    "delivery.late": "(z opóźnieniem — miało dotrzeć {when})",
    "reason.blocked": "zablokował(a) bota",
    "reason.inactive": "konto usunięte lub nieaktywne",
    "reason.removed": "bot usunięty z rozmowy",
    "reason.never_started": "nie rozpoczął(-ęła) rozmowy z botem",
    "reason.not_found": "rozmowa już nie istnieje",
    "reason.teams_not_installed": "aplikacja Łącznik nie jest zainstalowana u tej osoby w Teams",
    "reason.not_configured": "ten komunikator nie jest skonfigurowany w Łączniku",
    "reason.too_late": "nie wysłano — byłoby już za późno",
    "reason.acknowledged": "niepotrzebne — już potwierdzone",
    "reason.other": "błąd komunikatora ({reason})",
}

EN: dict[str, str] = {
    "delivery.late": "(delayed — it was due {when})",
    "reason.blocked": "blocked the bot",
    "reason.inactive": "account deleted or inactive",
    "reason.removed": "the bot was removed from the chat",
    "reason.never_started": "never started a chat with the bot",
    "reason.not_found": "the chat no longer exists",
    "reason.teams_not_installed": "the Łącznik app is not installed for this person in Teams",
    "reason.not_configured": "this messenger is not configured in Łącznik",
    "reason.too_late": "not sent — it would have been too late",
    "reason.acknowledged": "not needed — already acknowledged",
    "reason.other": "messenger error ({reason})",
}
