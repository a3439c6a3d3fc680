"""User-facing texts of the contact directory: /kto, contact cards, gmina names, in Polish and
English."""

from __future__ import annotations

PL: dict[str, str] = {
    "cmd.who": "kto zajmuje się tematem w gminie, np. /kto odpady Wieliczka",
    "who.title_topic_gmina": "{topic} — {gmina}",
    "who.title_gmina": "Kontakty: {gmina}",
    "who.title_topic": "{topic} — wszystkie gminy",
    "who.not_found": "Nie znalazłem nikogo od tematu „{topic}” w gminie {gmina}.",
    "who.not_found_gmina": "Nie mam jeszcze kontaktów do gminy {gmina}.",
    "who.not_found_topic": "Nie znalazłem nikogo od tematu „{topic}”.",
    "who.ask_coordinator": "Koordynator zespołu metropolitalnego w tej gminie:",
    "who.no_coordinator": "Ta gmina nie ma jeszcze wpisanego koordynatora.",
    "who.not_understood": (
        "Nie rozpoznałem ani gminy, ani tematu w „{text}”. Spróbuj np. "
        "„kto od śmieci w Wieliczce?” albo /kto oświata Skawina."
    ),
    "who.which_gmina": "„{text}” pasuje do kilku gmin. O którą chodzi?",
    "who.which_topic": "Nie wiem, o który temat chodzi. Wybierz:",
    "who.page": "Strona {page} z {pages}",
    "who.more": "Dalej ›",
    "who.prev": "‹ Wstecz",
    "who.gmina_topics": "Tematy: {topics}",
    "who.other_gminy": "Inne gminy o tej nazwie: {names}",
    "card.position": "Stanowisko",
    "card.email": "E-mail",
    "card.phone": "Telefon",
    "card.preferred": "Preferowany kontakt",
    "card.notes": "Uwagi",
    "card.topics": "Tematy",
    "card.confirmed": "Potwierdzono: {date}",
    "card.never_confirmed": "Nigdy niepotwierdzone",
    "card.stale": "⚠ dane mogą być nieaktualne",
    "gmina.kind.urban": "gmina miejska",
    "gmina.kind.rural": "gmina wiejska",
    "gmina.kind.urban-rural": "gmina miejsko-wiejska",
    "gmina.label": "{name} ({kind}, powiat {powiat}, woj. {wojewodztwo})",
}

EN: dict[str, str] = {
    "cmd.who": "who handles a topic in a gmina, e.g. /who waste Wieliczka",
    "who.title_topic_gmina": "{topic} — {gmina}",
    "who.title_gmina": "Contacts: {gmina}",
    "who.title_topic": "{topic} — all gminy",
    "who.not_found": "I found nobody for “{topic}” in {gmina}.",
    "who.not_found_gmina": "I have no contacts for {gmina} yet.",
    "who.not_found_topic": "I found nobody for “{topic}”.",
    "who.ask_coordinator": "The gmina's coordinator of the metropolitan team:",
    "who.no_coordinator": "This gmina has no coordinator listed yet.",
    "who.not_understood": (
        "I recognised neither a gmina nor a topic in “{text}”. Try e.g. "
        "“who handles waste in Wieliczka?” or /who education Skawina."
    ),
    "who.which_gmina": "“{text}” fits several gminy. Which one do you mean?",
    "who.which_topic": "Which topic do you mean?",
    "who.page": "Page {page} of {pages}",
    "who.more": "Next ›",
    "who.prev": "‹ Back",
    "who.gmina_topics": "Topics: {topics}",
    "who.other_gminy": "Other gminy with this name: {names}",
    "card.position": "Position",
    "card.email": "E-mail",
    "card.phone": "Phone",
    "card.preferred": "Preferred contact",
    "card.notes": "Notes",
    "card.topics": "Topics",
    "card.confirmed": "Confirmed: {date}",
    "card.never_confirmed": "Never confirmed",
    "card.stale": "⚠ may be out of date",
    "gmina.kind.urban": "urban gmina",
    "gmina.kind.rural": "rural gmina",
    "gmina.kind.urban-rural": "urban-rural gmina",
    "gmina.label": "{name} ({kind}, powiat {powiat}, {wojewodztwo})",
}
