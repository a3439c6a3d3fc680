"""User-facing texts of /moje-dane and /edytuj: a person's own directory entry, in Polish and
English."""

from __future__ import annotations

PL: dict[str, str] = {
    "cmd.me": "moje dane w katalogu: sprawdź, potwierdź lub popraw",
    "cmd.edit": "koordynator: popraw wpis osoby ze swojej gminy",
    "edit.usage": "Użycie: /edytuj <e-mail> <pole> <wartość>, np. /edytuj a.nowak@gmina.pl "
    "telefon +48 12 000 11 22",
    "edit.unknown": "Nie ma w katalogu osoby z adresem {email}.",
    "edit.not_yours": "Możesz poprawiać tylko wpisy osób ze swojej gminy.",
    "me.title": "Twoje dane w katalogu",
    "me.not_in_directory": "Nie ma Cię jeszcze w katalogu. Poproś koordynatora swojej gminy.",
    "me.confirm": "Dane są aktualne",
    "me.confirmed": "Dziękuję! Potwierdziłem aktualność Twoich danych ({date}).",
    "me.updated": "Zapisane: {field} = „{value}”.",
    "me.bad_field": (
        "Nie znam pola „{field}”. Możesz zmienić: telefon, stanowisko, preferowany-kontakt, "
        "uwagi, język (pl/en). Np. /moje-dane telefon +48 12 000 11 22"
    ),
    "me.bad_value": "Wartość pola „{field}” jest nieprawidłowa (oczekiwane: {reason}).",
    "me.hint": (
        "Popraw pole poleceniem, np. /moje-dane telefon +48 12 000 11 22 albo "
        "/moje-dane preferowany-kontakt e-mail."
    ),
}

EN: dict[str, str] = {
    "cmd.me": "my directory entry: check, confirm or correct it",
    "cmd.edit": "coordinator: correct the entry of someone in your gmina",
    "edit.usage": "Usage: /edit <e-mail> <field> <value>, e.g. /edit a.nowak@gmina.pl phone "
    "+48 12 000 11 22",
    "edit.unknown": "There is nobody with the address {email} in the directory.",
    "edit.not_yours": "You can only correct entries of people in your own gmina.",
    "me.title": "Your directory entry",
    "me.not_in_directory": "You are not in the directory yet. Ask your gmina's coordinator.",
    "me.confirm": "My data is up to date",
    "me.confirmed": "Thank you! Your entry is confirmed as up to date ({date}).",
    "me.updated": "Saved: {field} = “{value}”.",
    "me.bad_field": (
        "I don't know the field “{field}”. You can change: phone, position, preferred-contact, "
        "notes, language (pl/en). E.g. /me phone +48 12 000 11 22"
    ),
    "me.bad_value": "The value of “{field}” is not valid (expected: {reason}).",
    "me.hint": (
        "Correct a field with a command, e.g. /me phone +48 12 000 11 22 or "
        "/me preferred-contact e-mail."
    ),
}
