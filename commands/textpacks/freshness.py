"""Chat texts of the directory's freshness campaign ("is your entry still correct?")."""

from __future__ import annotations

PL: dict[str, str] = {
    "fresh.title": "Czy Twoje dane w katalogu są aktualne?",
    "fresh.ask": ("Biuro prosi o sprawdzenie Twojego wpisu w katalogu kontaktów "
                  "(ostatnio potwierdzony: {date})."),
    "fresh.never": "nigdy",
    "fresh.footer": "Możesz też w każdej chwili poprawić dane poleceniem /moje-dane.",
    "fresh.ok": "Dane aktualne",
    "fresh.fix": "Popraw",
    "fresh.confirmed": "Dziękuję! Potwierdziłem aktualność Twoich danych ({date}).",
    "fresh.what": ("Co poprawić? Napisz pole i nową wartość, np. „telefon +48 12 000 11 22”, "
                   "„stanowisko inspektor ds. odpadów” albo „preferowany-kontakt e-mail”."),
    "fresh.what_notice": "Napisz, co poprawić.",
}

EN: dict[str, str] = {
    "fresh.title": "Is your directory entry still correct?",
    "fresh.ask": ("The office asks you to check your entry in the contact directory "
                  "(last confirmed: {date})."),
    "fresh.never": "never",
    "fresh.footer": "You can also correct your entry at any time with /me.",
    "fresh.ok": "Still correct",
    "fresh.fix": "Correct it",
    "fresh.confirmed": "Thank you! Your entry is confirmed as up to date ({date}).",
    "fresh.what": ("What should change? Write the field and its new value, e.g. "
                   "“phone +48 12 000 11 22”, “position waste management officer” or "
                   "“preferred-contact e-mail”."),
    "fresh.what_notice": "Write what to correct.",
}
