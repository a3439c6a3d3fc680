"""User-facing texts of the security feature (Polish and English)."""

from __future__ import annotations

PL: dict[str, str] = {
    "sec.email_admin_only": (
        "Adres e-mail łączy konta w komunikatorach, więc zmienia go tylko administrator "
        "(albo import katalogu). Napisz do biura stowarzyszenia."
    ),
    "sec.email_taken": "Ten adres e-mail ma już inna osoba w katalogu; nic nie zmieniłem.",
    "sec.not_recorded": (
        "Nie mogę teraz niczego zapisać (baza danych jest chwilowo niedostępna), więc tego "
        "polecenia nie wykonałem. Spróbuj ponownie za minutę."
    ),
    "sec.reply_too_late": (
        "Przepraszam, moja odpowiedź nie dotarła na czas (komunikator był niedostępny) — "
        "zapytaj jeszcze raz."
    ),
}

EN: dict[str, str] = {
    "sec.email_admin_only": (
        "The e-mail address links messenger accounts, so only an admin (or a directory import) "
        "changes it. Please write to the association office."
    ),
    "sec.email_taken": "Another person in the directory already has this e-mail; nothing changed.",
    "sec.not_recorded": (
        "I cannot record anything right now (the database is briefly unavailable), so I did "
        "not run this command. Please try again in a minute."
    ),
    "sec.reply_too_late": (
        "Sorry, my answer did not arrive in time (the messenger was unavailable) — "
        "please ask again."
    ),
}
