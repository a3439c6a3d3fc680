"""User-facing texts of the demo feature (Polish and English): ``lacznik demo clear``, what a
real import removes of the demo, and the phone number example shown when a value is refused."""

from __future__ import annotations

from commands.plurals import Text

PL: dict[str, Text] = {
    "demo.kind.people": "osoby z demo",
    "demo.kind.accounts": "powiązane konta komunikatorów",
    "demo.kind.roles": "role",
    "demo.kind.forums": "fora",
    "demo.kind.forum_members": "członkostwa w forach",
    "demo.kind.forum_groups": "grupy forów w komunikatorach",
    "demo.kind.announcements": "ogłoszenia",
    "demo.kind.questions": "pytania na forach",
    "demo.kind.answers": "odpowiedzi",
    "demo.kind.events": "wydarzenia",
    "demo.kind.deadlines": "terminy",
    "demo.kind.reminders": "przypomnienia osobiste",
    "demo.kind.deliveries": "wiadomości w kolejce wysyłki",
    "demo.kind.gminy": "gminy (tylko z demo)",
    "demo.kind.other": "inne wpisy",
    "demo.removed": "Usunięto dane demonstracyjne:",
    "demo.would_remove": "Zostałyby usunięte dane demonstracyjne:",
    "demo.nothing": "Nie ma danych demonstracyjnych do usunięcia.",
    "demo.untouched": "Dane, które nie pochodzą z demo, pozostają nietknięte.",
    "demo.replaced": {
        "one": "{count} osoba z pliku była w demo pod tym samym adresem e-mail: powstaje od "
        "nowa z danych pliku, bez powiązań komunikatorów, ról i członkostw z demo.",
        "few": "{count} osoby z pliku były w demo pod tymi samymi adresami e-mail: powstają od "
        "nowa z danych pliku, bez powiązań komunikatorów, ról i członkostw z demo.",
        "many": "{count} osób z pliku było w demo pod tymi samymi adresami e-mail: powstają od "
        "nowa z danych pliku, bez powiązań komunikatorów, ról i członkostw z demo.",
        "other": "{count} osoby z pliku było w demo pod tymi samymi adresami e-mail: powstają "
        "od nowa z danych pliku, bez powiązań komunikatorów, ról i członkostw z demo.",
    },
    "demo.dry_run": "Próba (--dry-run): niczego nie zmieniono.",
    "demo.not_reloaded": (
        "Demo nie zostanie wczytane ponownie samo z siebie (przywraca je `lacznik demo load`)."
    ),
    "demo.loaded": "Wczytano demo: {people} i {forums}.",
    "demo.n_people": {"one": "{count} fikcyjna osoba", "few": "{count} fikcyjne osoby",
                      "many": "{count} fikcyjnych osób", "other": "{count} fikcyjnej osoby"},
    "demo.n_forums": {"one": "{count} forum", "few": "{count} fora", "many": "{count} forów",
                      "other": "{count} forum"},
    "demo.load_refused": {
        "one": "Katalog nie jest pusty ({count} osoba): demo wczytuje się tylko do pustego "
        "katalogu.",
        "few": "Katalog nie jest pusty ({count} osoby): demo wczytuje się tylko do pustego "
        "katalogu.",
        "many": "Katalog nie jest pusty ({count} osób): demo wczytuje się tylko do pustego "
        "katalogu.",
        "other": "Katalog nie jest pusty ({count} osoby): demo wczytuje się tylko do pustego "
        "katalogu.",
    },
    "demo.bad_phone": (
        "Wartość pola „{field}” jest nieprawidłowa: „{value}”. Przykład poprawnej: "
        "+48 12 345 67 89"
    ),
}

EN: dict[str, Text] = {
    "demo.kind.people": "people of the demo",
    "demo.kind.accounts": "linked messenger accounts",
    "demo.kind.roles": "roles",
    "demo.kind.forums": "forums",
    "demo.kind.forum_members": "forum memberships",
    "demo.kind.forum_groups": "forum groups on the messengers",
    "demo.kind.announcements": "announcements",
    "demo.kind.questions": "forum questions",
    "demo.kind.answers": "answers",
    "demo.kind.events": "events",
    "demo.kind.deadlines": "deadlines",
    "demo.kind.reminders": "personal reminders",
    "demo.kind.deliveries": "queued messages",
    "demo.kind.gminy": "gminy (of the demo only)",
    "demo.kind.other": "other rows",
    "demo.removed": "Removed the demo data:",
    "demo.would_remove": "The demo data would be removed:",
    "demo.nothing": "There is no demo data to remove.",
    "demo.untouched": "Data that did not come from the demo is not touched.",
    "demo.replaced": {
        "one": "{count} person of the file was in the demo under the same e-mail: the entry is "
        "created afresh from the file, without the demo's messenger links, roles and "
        "memberships.",
        "other": "{count} people of the file were in the demo under the same e-mail: they are "
        "created afresh from the file, without the demo's messenger links, roles and "
        "memberships.",
    },
    "demo.dry_run": "Dry run (--dry-run): nothing was changed.",
    "demo.not_reloaded": (
        "The demo will not be loaded again by itself (`lacznik demo load` brings it back)."
    ),
    "demo.loaded": "Loaded the demo: {people} and {forums}.",
    "demo.n_people": {"one": "{count} fictional person", "other": "{count} fictional people"},
    "demo.n_forums": {"one": "{count} forum", "other": "{count} forums"},
    "demo.load_refused": {
        "one": "The directory is not empty ({count} person): the demo loads only into an "
        "empty one.",
        "other": "The directory is not empty ({count} people): the demo loads only into an "
        "empty one.",
    },
    "demo.bad_phone": (
        "The value of “{field}” is not valid: “{value}”. A valid one looks like "
        "+48 12 345 67 89"
    ),
}
