"""User-facing texts of pending prompts and of announcement numbers and counts (Polish and
English)."""

from __future__ import annotations

from commands.plurals import Text

PL: dict[str, Text] = {
    "prompt.hint": "Odpowiedz w następnej wiadomości (czekam {minutes} min) albo napisz "
                   "„anuluj”.",
    "prompt.cancelled": "Dobrze, anulowane — niczego nie zapisałem.",
    "q.which_question": "Jakie pytanie mam zadać forum {key}? Napisz je w następnej wiadomości.",
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
    # {count} copies for {people}, a phrase of "ann.copies_for"
    "ann.preview_copies": {
        "one": "Liczby przy komunikatorach to kopie: pilne idzie na każdy komunikator osoby — "
        "{count} kopia {people}.",
        "few": "Liczby przy komunikatorach to kopie: pilne idzie na każdy komunikator osoby — "
        "{count} kopie {people}.",
        "many": "Liczby przy komunikatorach to kopie: pilne idzie na każdy komunikator osoby — "
        "{count} kopii {people}.",
        "other": "Liczby przy komunikatorach to kopie: pilne idzie na każdy komunikator osoby "
        "— {count} kopii {people}.",
    },
    "ann.copies_for": {"one": "dla {count} osoby", "few": "dla {count} osób",
                       "many": "dla {count} osób", "other": "dla {count} osoby"},
    "ann.preview_self": "Ciebie nie liczę — jako autor dostaniesz własną kopię z licznikami.",
    "ann.more_cut": "… i {count} więcej ({cap}).",  # {cap}: "ann.report_cap"
    "ann.report_cap": {
        "one": "raport pokazuje najwyżej {count} osobę",
        "few": "raport pokazuje najwyżej {count} osoby",
        "many": "raport pokazuje najwyżej {count} osób",
        "other": "raport pokazuje najwyżej {count} osoby",
    },
}

EN: dict[str, Text] = {
    "prompt.hint": "Answer in your next message (I will wait {minutes} min) or write “cancel”.",
    "prompt.cancelled": "All right, cancelled — nothing was saved.",
    "q.which_question": "What should I ask forum {key}? Write it in your next message.",
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
    "ann.preview_copies": {
        "one": "The numbers by messenger are copies: urgent goes to every messenger of a "
        "person — {count} copy {people}.",
        "other": "The numbers by messenger are copies: urgent goes to every messenger of a "
        "person — {count} copies {people}.",
    },
    "ann.copies_for": {"one": "for {count} person", "other": "for {count} people"},
    "ann.preview_self": "You are not counted — as the author you get your own copy with the "
                        "counters.",
    "ann.more_cut": "… and {count} more ({cap}).",
    "ann.report_cap": {"one": "the report shows at most {count} person",
                       "other": "the report shows at most {count} people"},
}
