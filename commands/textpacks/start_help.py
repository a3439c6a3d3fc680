"""User-facing texts of /start and linking an account, /pomoc, and role names, in Polish and
English."""

from __future__ import annotations

PL: dict[str, str] = {
    "role.admin": "administratorów",
    "role.forum_moderator": "moderatorów forum",
    "role.gmina_coordinator": "koordynatorów gminy",
    "role.member": "osób z katalogu",
    "start.hello": (
        "Dzień dobry, {name}! Jestem Łącznik — asystent pracowników gmin Metropolii. "
        "Zapytaj mnie, kto zajmuje się danym tematem w gminie, np. „kto od śmieci w "
        "Wieliczce?”. Wszystkie polecenia: /pomoc"
    ),
    "start.linked": "Gotowe — to konto jest teraz połączone z wpisem: {name} ({gmina}).",
    "start.bad_code": (
        "Ten kod połączenia jest nieprawidłowy, wygasł albo został już użyty. "
        "Poproś administratora o nowy."
    ),
    "help.title": "Łącznik — polecenia",
    "help.intro": (
        "Możesz też pisać zwyczajnie, np. „kto zajmuje się odpadami w Skawinie?”, "
        "„kontakt do gminy Zielonki w sprawie zamówień publicznych”."
    ),
    "help.line": "{usage} — {summary}",
    "cmd.start": "powitanie i połączenie konta kodem",
    "cmd.help": "lista poleceń",
}

EN: dict[str, str] = {
    "role.admin": "administrators",
    "role.forum_moderator": "forum moderators",
    "role.gmina_coordinator": "gmina coordinators",
    "role.member": "people in the directory",
    "start.hello": (
        "Hello, {name}! I'm Łącznik, the assistant of the Metropolis's municipal staff. Ask me "
        "who handles a topic in a gmina, e.g. “who handles waste in Wieliczka?”. All commands: "
        "/help"
    ),
    "start.linked": "Done — this account is now linked to: {name} ({gmina}).",
    "start.bad_code": (
        "This link code is invalid, has expired or was already used. Ask an administrator for "
        "a new one."
    ),
    "help.title": "Łącznik — commands",
    "help.intro": (
        "You can also just write, e.g. “who handles procurement in Niepołomice”."
    ),
    "help.line": "{usage} — {summary}",
    "cmd.start": "greeting, and linking your account with a code",
    "cmd.help": "list of commands",
}
