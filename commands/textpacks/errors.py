"""User-facing texts of general errors every command may answer with, in Polish and English."""

from __future__ import annotations

from commands.plurals import Text

PL: dict[str, Text] = {
    "error.internal": (
        "Przepraszam, coś poszło nie tak po mojej stronie. Spróbuj ponownie za chwilę — "
        "jeśli błąd się powtórzy, daj znać administratorowi."
    ),
    "error.too_long": {
        "one": "Ta wiadomość jest za długa ({count} znak). Napisz krócej — limit to {limit}.",
        "few": "Ta wiadomość jest za długa ({count} znaki). Napisz krócej — limit to {limit}.",
        "many": "Ta wiadomość jest za długa ({count} znaków). Napisz krócej — limit to {limit}.",
        "other": "Ta wiadomość jest za długa ({count} znaku). Napisz krócej — limit to {limit}.",
    },
    "error.unknown_command": "Nie znam polecenia „{command}”. Wpisz /pomoc, aby zobaczyć listę.",
    "error.forbidden": "To polecenie jest dostępne tylko dla: {roles}.",
    "error.unlinked": (
        "Dzień dobry! Nie znam jeszcze tego konta, a katalog kontaktów zawiera dane osobowe, "
        "więc mogę go pokazać tylko pracownikom gmin z katalogu. Poproś administratora "
        "(Biuro SMK) o kod połączenia albo wyślij /start KOD z kodem, który już masz."
    ),
    "error.unregistered_group": (
        "Ta grupa nie jest zarejestrowana w Łączniku, więc nie mogę tu działać. "
        "Administrator może ją podłączyć do forum. Do zobaczenia!"
    ),
    "error.empty": "Napisz, czego szukasz, np. „kto od śmieci w Wieliczce?”. Pomoc: /pomoc",
    "error.stale_button": "Ten przycisk jest już nieaktualny. Zapytaj jeszcze raz.",
}

EN: dict[str, Text] = {
    "error.internal": (
        "Sorry, something went wrong on my side. Please try again in a moment — if it happens "
        "again, let an administrator know."
    ),
    "error.too_long": {
        "one": "This message is too long ({count} character). Please keep it under {limit}.",
        "other": "This message is too long ({count} characters). Please keep it under {limit}.",
    },
    "error.unknown_command": "I don't know the command “{command}”. Type /help to see the list.",
    "error.forbidden": "This command is only available to {roles}.",
    "error.unlinked": (
        "Hello! I don't know this account yet, and the contact directory holds personal data, "
        "so I can only show it to municipal staff listed in the directory. Ask an administrator "
        "(Biuro SMK) for a link code, or send /start CODE with the code you have."
    ),
    "error.unregistered_group": (
        "This group is not registered with Łącznik, so I can't work here. An administrator "
        "can link it to a forum. Goodbye!"
    ),
    "error.empty": "Tell me what you are looking for, e.g. “who handles waste in Wieliczka?”.",
    "error.stale_button": "This button has expired. Please ask again.",
}
