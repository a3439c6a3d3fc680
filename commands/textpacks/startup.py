"""User-facing texts of start-up and the command line (Polish and English)."""

from __future__ import annotations

PL: dict[str, str] = {
    "startup.database": "Baza danych: {url}",
    "startup.no_terminal": (
        "błąd: brak terminala, a w konfiguracji nie ma żadnego komunikatora — `lacznik run` "
        "(i `make run`) nie miałby z kim rozmawiać.\n"
        "Rozmowa z botem ze skryptu: `lacznik chat`, np.\n"
        "  printf 'kto od śmieci w Wieliczce?\\n' | .venv/bin/lacznik chat --jsonl\n"
        "Konsola: uruchom `make run` w terminalu. Usługa dla komunikatorów: dodaj sekcję "
        "[telegram], [slack] lub [teams] do pliku konfiguracji (config.example.toml); sam "
        "panel biura (/panel/): dodaj sekcję [panel]."
    ),
    "startup.unlinked_console": (
        "Łącznik — konsola jako osoba niepołączona (tak bota widzi ktoś spoza katalogu). "
        "/pomoc; Ctrl-D kończy."
    ),
}

EN: dict[str, str] = {
    "startup.database": "Database: {url}",
    "startup.no_terminal": (
        "error: no terminal, and no messenger is configured — `lacznik run` (and `make run`) "
        "would have nobody to talk to.\n"
        "To talk to the bot from a script use `lacznik chat`, e.g.\n"
        "  printf 'kto od śmieci w Wieliczce?\\n' | .venv/bin/lacznik chat --jsonl\n"
        "For the console, run `make run` in a terminal. For the messengers' service, add a "
        "[telegram], [slack] or [teams] section to the configuration file "
        "(config.example.toml); for the office panel alone (/panel/), add a [panel] section."
    ),
    "startup.unlinked_console": (
        "Łącznik — console as an unlinked person (what someone outside the directory sees). "
        "/help; Ctrl-D quits."
    ),
}
