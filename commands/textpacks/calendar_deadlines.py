"""User-facing texts of the calendar's deadlines, in Polish and English."""

from __future__ import annotations

from commands.plurals import Text

PL: dict[str, Text] = {
    "cmd.deadline": "termin do dotrzymania: szczegóły; moderator: nowy, zmień, odwołaj",
    "cal.deadline.due": "do: {when}",
    "cal.deadline.done_button": "Zrobione",
    "cal.deadline.usage": (
        "Użycie: /termin NR — szczegóły; /plan — Twoje terminy.\n"
        "Moderator forum dodaje termin tak:\n"
        "/termin nowy PZP\n"
        "co: sprawozdanie z udzielonych zamówień za 2026\n"
        "do: 15 grudnia 12:00\n"
        "kto: Wieliczka, Skawina (bez „kto” — całe forum; można też podać e-maile)\n"
        "Zmiany: /termin NR zmień do: 16 grudnia · /termin NR odwołaj · /termin NR zrobione"
    ),
    "cal.deadline.unknown_field": "Nie znam pola „{field}”. Pola terminu: co, do, kto, opis.",
    "cal.deadline.admin_only": (
        "Termin bez forum mogą dodać tylko administratorzy. Podaj forum, np. /termin nowy PZP …"
    ),
    "cal.deadline.no_title": "Napisz, co trzeba zrobić, np. „co: sprawozdanie roczne”.",
    "cal.deadline.no_due": "Podaj, do kiedy, np. „do: 15 grudnia 12:00”.",
    "cal.deadline.due_example": "Przykład: „do: 15 grudnia 12:00” albo „do: piątek”.",
    "cal.deadline.no_audience": (
        "Termin bez forum musi mieć odbiorców: „kto: Wieliczka, Skawina” albo adresy e-mail."
    ),
    "cal.deadline.unknown_person": "Nie ma w katalogu osoby z adresem {email}.",
    "cal.deadline.unknown_who": "Nie znam gminy ani osoby „{name}”. Podaj nazwę gminy albo e-mail.",
    "cal.deadline.who_forum": "całe forum {forum}",
    "cal.deadline.who_forum_gminy": "członkowie forum {forum} z gmin: {gminy}",
    "cal.deadline.who_gminy": "koordynatorzy gmin: {gminy}",
    "cal.deadline.who": "Dla: {who}",
    "cal.deadline.created": "Zapisano termin #{id}",
    "cal.deadline.changed": (
        "Zmieniono termin #{id}. Powiadomienia dla osób, które dostały już przypomnienie: "
        "{notices}."
    ),
    "cal.deadline.manage_hint": (
        "Zmiana: /termin {id} zmień do: … · odwołanie: /termin {id} odwołaj"
    ),
    "cal.deadline.unknown": "Nie ma terminu nr {id} (albo został odwołany).",
    "cal.deadline.is_cancelled": "ODWOŁANY",
    "cal.deadline.you_done": "Zgłosiłeś wykonanie: {when}.",
    "cal.deadline.recipients": {
        "one": "Odbiorcy: {count} osoba (wskazane gminy: {gminy}).",
        "few": "Odbiorcy: {count} osoby (wskazane gminy: {gminy}).",
        "many": "Odbiorcy: {count} osób (wskazane gminy: {gminy}).",
        "other": "Odbiorcy: {count} osoby (wskazane gminy: {gminy}).",
    },
    "cal.deadline.done_list": "  Zrobione ({count}): {names}",
    "cal.deadline.waiting_list": "  Jeszcze nie ({count}): {names}",
    "cal.deadline.change_usage": (
        "Co zmienić? Np. /termin {id} zmień do: 16 grudnia 12:00 (pola: co, do, opis; "
        "odbiorców zmienia nowy termin)."
    ),
    "cal.deadline.cancelled": "Odwołano termin „{title}”. Powiadomienia: {notices}.",
    "cal.deadline.marked_done": "Zapisano jako zrobione: „{title}”. Nie będę już o tym "
    "przypominać.",
}

EN: dict[str, Text] = {
    "cmd.deadline": "a deadline: details; moderators: new, change, cancel",
    "cal.deadline.due": "due: {when}",
    "cal.deadline.done_button": "Done",
    "cal.deadline.usage": (
        "Usage: /deadline NO — details; /plan — your deadlines.\n"
        "A forum moderator adds a deadline like this:\n"
        "/deadline new PZP\n"
        "what: procurement report for 2026\n"
        "due: 15 December 12:00\n"
        "who: Wieliczka, Skawina (without “who” — the whole forum; e-mails work too)\n"
        "Changes: /deadline NO change due: 16 December · /deadline NO cancel · /deadline NO done"
    ),
    "cal.deadline.unknown_field": "I don't know the field “{field}”. Deadline fields: what, "
    "due, who, description.",
    "cal.deadline.admin_only": (
        "Only administrators may add a deadline without a forum. Give a forum, e.g. "
        "/deadline new PZP …"
    ),
    "cal.deadline.no_title": "Say what must be done, e.g. “what: annual report”.",
    "cal.deadline.no_due": "Say by when, e.g. “due: 15 December 12:00”.",
    "cal.deadline.due_example": "Example: “due: 15 December 12:00” or “due: Friday”.",
    "cal.deadline.no_audience": (
        "A deadline without a forum needs recipients: “who: Wieliczka, Skawina” or e-mails."
    ),
    "cal.deadline.unknown_person": "There is nobody with the address {email} in the directory.",
    "cal.deadline.unknown_who": "I know no gmina or person “{name}”. Give a gmina's name or an "
    "e-mail.",
    "cal.deadline.who_forum": "the whole forum {forum}",
    "cal.deadline.who_forum_gminy": "members of {forum} from: {gminy}",
    "cal.deadline.who_gminy": "coordinators of: {gminy}",
    "cal.deadline.who": "For: {who}",
    "cal.deadline.created": "Deadline #{id} saved",
    "cal.deadline.changed": "Deadline #{id} changed. Notices for people already reminded: "
    "{notices}.",
    "cal.deadline.manage_hint": "Change: /deadline {id} change due: … · cancel: /deadline {id} "
    "cancel",
    "cal.deadline.unknown": "There is no deadline no. {id} (or it was cancelled).",
    "cal.deadline.is_cancelled": "CANCELLED",
    "cal.deadline.you_done": "You reported it done: {when}.",
    "cal.deadline.recipients": {
        "one": "Recipients: {count} person (gminy named: {gminy}).",
        "other": "Recipients: {count} people (gminy named: {gminy}).",
    },
    "cal.deadline.done_list": "  Done ({count}): {names}",
    "cal.deadline.waiting_list": "  Not yet ({count}): {names}",
    "cal.deadline.change_usage": (
        "What should change? E.g. /deadline {id} change due: 16 December 12:00 (fields: what, "
        "due, description; new recipients need a new deadline)."
    ),
    "cal.deadline.cancelled": "Deadline “{title}” cancelled. Notices: {notices}.",
    "cal.deadline.marked_done": "Marked as done: “{title}”. No more reminders about it.",
}
