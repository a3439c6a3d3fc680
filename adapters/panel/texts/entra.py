"""Texts of signing in with a Microsoft account (Entra ID)."""

from __future__ import annotations

PL: dict[str, str] = {
    "entra.title": "Logowanie kontem Microsoft",
    "entra.refused_unknown": (
        "Zalogowałeś się w Microsoft, ale adresu e-mail tego konta nie ma w katalogu "
        "Łącznika, więc nie mogę otworzyć panelu. Poproś biuro stowarzyszenia o wpisanie "
        "adresu do katalogu, wybierz inne konto Microsoft albo zaloguj się linkiem z "
        "komunikatora."),
    "entra.refused_tenant": (
        "To konto Microsoft nie należy do organizacji stowarzyszenia (albo jest kontem "
        "gościa), więc nie może otworzyć panelu. Zaloguj się kontem służbowym stowarzyszenia "
        "albo linkiem z komunikatora."),
    "entra.refused_failed": (
        "Logowanie kontem Microsoft nie powiodło się: zostało przerwane, trwało dłużej niż "
        "10 minut albo odnośnik był już użyty. Spróbuj jeszcze raz."),
    "entra.refused_unreachable": (
        "Usługa logowania Microsoft teraz nie odpowiada. Spróbuj za chwilę albo zaloguj się "
        "linkiem z komunikatora."),
    "entra.again": "Spróbuj jeszcze raz kontem Microsoft",
    "entra.by_link": "Zaloguj się linkiem z komunikatora",
}

EN: dict[str, str] = {
    "entra.title": "Signing in with a Microsoft account",
    "entra.refused_unknown": (
        "You signed in at Microsoft, but this account's e-mail address is not in Łącznik's "
        "directory, so the panel cannot open. Ask the association's office to add the "
        "address to the directory, choose another Microsoft account or sign in with a link from "
        "your messenger."),
    "entra.refused_tenant": (
        "This Microsoft account does not belong to the association's organisation (or is a "
        "guest account), so it cannot open the panel. Sign in with the association's work "
        "account or with a link from your messenger."),
    "entra.refused_failed": (
        "Signing in with a Microsoft account did not succeed: it was cancelled, took longer "
        "than 10 minutes or the address was already used. Please try again."),
    "entra.refused_unreachable": (
        "Microsoft's sign-in service does not answer right now. Try again in a moment or "
        "sign in with a link from your messenger."),
    "entra.again": "Try again with a Microsoft account",
    "entra.by_link": "Sign in with a link from your messenger",
}
