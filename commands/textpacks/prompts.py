"""User-facing texts of pending prompts and of announcement numbers and counts (Polish and
English)."""

from __future__ import annotations

PL: dict[str, str] = {
    "prompt.hint": "Odpowiedz w następnej wiadomości (czekam {minutes} min) albo napisz "
                   "„anuluj”.",
    "prompt.cancelled": "Dobrze, anulowane — niczego nie zapisałem.",
    "q.which_question": "Jakie pytanie mam zadać forum {key}? Napisz je w następnej wiadomości.",
    "prompt.deadline_who": "Dla kogo? Podaj gminy albo adresy e-mail, np. „Wieliczka, Skawina”.",
    "prompt.personal_when": "Kiedy przypomnieć? Np. „jutro o 9”, „za 2 godziny”, „15 grudnia "
                            "10:00”.",
    # announcements: counts that agree between the preview, the author's copy and /raport
    "ann.count_line": (
        "Odbiorcy: {recipients} · dostarczone: {delivered} · w drodze: {pending} · "
        "nieudane: {failed} · bez komunikatora: {unreachable}{cut_off}"
    ),
    "ann.count_line_urgent": (
        "Odbiorcy: {recipients} · potwierdzone: {acknowledged} · dostarczone: {delivered} · "
        "w drodze: {pending} · nieudane: {failed} · bez komunikatora: {unreachable}{cut_off}"
    ),
    "ann.count_cut_off": " · nieosiągalni: {count}",
    "ann.see_report": "Szczegóły: /raport {id}",
    "ann.preview_copies": (
        "Liczby przy komunikatorach to kopie: pilne idzie na każdy komunikator osoby — "
        "{copies} kopii dla {people} osób."
    ),
    "ann.preview_self": "Ciebie nie liczę — jako autor dostaniesz własną kopię z licznikami.",
    "ann.more_cut": "… i {count} więcej (raport pokazuje najwyżej {limit} osób).",
}

EN: dict[str, str] = {
    "prompt.hint": "Answer in your next message (I will wait {minutes} min) or write “cancel”.",
    "prompt.cancelled": "All right, cancelled — nothing was saved.",
    "q.which_question": "What should I ask forum {key}? Write it in your next message.",
    "prompt.deadline_who": "For whom? Give gminy or e-mail addresses, e.g. “Wieliczka, "
                           "Skawina”.",
    "prompt.personal_when": "When shall I remind you? E.g. “tomorrow at 9”, “in 2 hours”, "
                            "“December 15 10:00”.",
    "ann.count_line": (
        "Recipients: {recipients} · delivered: {delivered} · on the way: {pending} · "
        "failed: {failed} · no messenger: {unreachable}{cut_off}"
    ),
    "ann.count_line_urgent": (
        "Recipients: {recipients} · acknowledged: {acknowledged} · delivered: {delivered} · "
        "on the way: {pending} · failed: {failed} · no messenger: {unreachable}{cut_off}"
    ),
    "ann.count_cut_off": " · unreachable: {count}",
    "ann.see_report": "Details: /report {id}",
    "ann.preview_copies": (
        "The numbers by messenger are copies: urgent goes to every messenger of a person — "
        "{copies} copies for {people} people."
    ),
    "ann.preview_self": "You are not counted — as the author you get your own copy with the "
                        "counters.",
    "ann.more_cut": "… and {count} more (the report shows at most {limit} people).",
}
