"""User-facing texts of forum administration (Polish and English): ``lacznik forums
add|rename|remove|members|import`` and ``/forum dodaj|usun|czlonkowie``."""

from __future__ import annotations

from commands.plurals import Text

PL: dict[str, Text] = {
    # refusals shared by the command line and the chat
    "fadm.bad_key": (
        "Klucz forum „{key}” jest nieprawidłowy: 2–40 znaków, litery A–Z bez polskich znaków, "
        "cyfry, „-” lub „_”, bez spacji (np. PZP, EKO-TEAM)."
    ),
    "fadm.bad_name": {
        "one": "Nazwa forum nie może być pusta ani dłuższa niż {count} znak.",
        "few": "Nazwa forum nie może być pusta ani dłuższa niż {count} znaki.",
        "many": "Nazwa forum nie może być pusta ani dłuższa niż {count} znaków.",
        "other": "Nazwa forum nie może być pusta ani dłuższa niż {count} znaku.",
    },
    "fadm.exists": "Forum {key} już istnieje ({name}).",
    "fadm.exists_archived": (
        "Klucz {key} należy do zarchiwizowanego forum ({name}); wybierz inny klucz."
    ),
    "fadm.unknown_forum": "Nie ma forum „{key}” (fora: {known}).",
    "fadm.archived": "Forum {key} jest zarchiwizowane: nie można go już zmieniać.",
    "fadm.unknown_topic": "Nie ma tematu „{topic}” (lista: lacznik topics list).",
    "fadm.no_emails": "Podaj co najmniej jeden adres e-mail.",
    "fadm.unknown_people": (
        "Nie ma w katalogu osób z tymi adresami: {emails}. Nic nie zmieniono."
    ),
    "fadm.has_history": (
        "Forum {key} ma historię (pytania: {questions}, wydarzenia i terminy: {events}), więc "
        "go nie usuwam. Dodaj --force, aby je zarchiwizować: przestanie przyjmować pytania, a "
        "historia zostanie."
    ),
    "fadm.forbidden": (
        "Członków forum {key} zmieniają i przeglądają administratorzy i moderatorzy tego forum."
    ),
    "fadm.moderators_need_admin": (
        "{names} moderuje forum {key}; moderatora z forum usuwa administrator. Nic nie "
        "zmieniono."
    ),
    # chat
    "fadm.usage": (
        "Użycie: /forum dodaj <klucz> <e-mail…>, /forum usun <klucz> <e-mail…>, "
        "/forum czlonkowie <klucz> (np. /forum dodaj PZP a.nowak@gmina.pl)."
    ),
    "fadm.added": "Forum {key}: dodano ({count}): {names}.",
    "fadm.already": "Już należeli do forum {key}: {names}.",
    "fadm.removed": "Forum {key}: usunięto ({count}): {names}.",
    "fadm.removed_moderators": "Nie moderują już forum {key}: {names}.",
    "fadm.not_members": "Nie należeli do forum {key}: {names}.",
    "fadm.members_title": "Członkowie forum {key} — {name} ({count})",
    "fadm.members_none": (
        "Forum {key} nie ma jeszcze członków. Dodaj ich: /forum dodaj {key} <e-mail…>"
    ),
    "fadm.moderator_mark": "moderator",
    "fadm.private_only": (
        "Listę członków pokazuję tylko w rozmowie prywatnej: napisz do mnie "
        "/forum czlonkowie {key}."
    ),
    # command line
    "fadm.cli_created": "Utworzono forum {key}: {name}.",
    "fadm.cli_next": (
        "Dalej: lacznik forums members add {key} E-MAIL…; moderator: lacznik roles grant "
        "E-MAIL forum_moderator --forum {key}; grupy: /forum podlacz {key}."
    ),
    "fadm.cli_renamed": "Forum {key}: {old} → {name}.",
    "fadm.cli_deleted": "Usunięto forum {key} (bez historii); odłączone grupy: {groups}.",
    "fadm.cli_archived": (
        "Zarchiwizowano forum {key}; w historii zostają pytania ({questions}) oraz wydarzenia "
        "i terminy ({events}); odłączone grupy: {groups}."
    ),
    "fadm.cli_member_line": "{name}\t{email}\t{gmina}\t{role}",
    "fadm.cli_members_none": (
        "Forum {key} nie ma jeszcze członków: lacznik forums members add {key} E-MAIL…"
    ),
    "fadm.cli_no_file": "nie ma pliku {file}",
    "fadm.cli_role_member": "członek",
    "fadm.cli_role_moderator": "moderator",
    "fadm.cli_role_moderator_only": "moderator (bez członkostwa)",
    # import
    "fadm.imp_missing_columns": "Brak kolumn: {columns} (znaleziono: {found}).",
    "fadm.imp_no_rows": "Plik nie ma żadnego wiersza z danymi.",
    "fadm.imp_row": "Wiersz {row}: {problem}",
    "fadm.imp_no_forum": "brak klucza forum",
    "fadm.imp_unknown_forum": (
        "nie ma forum „{key}” (utwórz je: lacznik forums add {key} \"Nazwa forum\")"
    ),
    "fadm.imp_archived_forum": "forum {key} jest zarchiwizowane",
    "fadm.imp_bad_email": "nieprawidłowy adres e-mail „{email}”",
    "fadm.imp_no_email": "brak adresu e-mail",
    "fadm.imp_unknown_email": "w katalogu nie ma osoby z adresem {email}",
    "fadm.imp_bad_role": "nieznana rola „{role}” (członek albo moderator)",
    "fadm.imp_refused": "{file}: nic nie zaimportowano, problemy: {count}",
    "fadm.imp_more": "… i {count} więcej",
    "fadm.imp_done": "{file}: zaimportowano (wiersze: {rows}); fora: {forums}",
    "fadm.imp_dry": "{file}: nic nie zmieniono (--dry-run); import (wiersze: {rows}) zmieniłby:",
    "fadm.imp_forum_line": (
        "{key}: członkowie +{added} −{removed}, moderatorzy +{promoted} −{demoted}"
    ),
    "fadm.imp_nothing": "{key}: bez zmian",
    "fadm.imp_no_roles": "(plik nie ma kolumny „rola”: moderatorzy zostają bez zmian)",
    "fadm.imp_add": "  + {name} <{email}>",
    "fadm.imp_remove": "  − {name} <{email}> (nie ma go w pliku)",
    "fadm.imp_promote": "  + moderator: {name} <{email}>",
    "fadm.imp_demote": "  − moderator: {name} <{email}>",
    # how long an unanswered question waits (the office panel's forum list and questions)
    "fadm.age_minutes": {"one": "{count} minuta", "few": "{count} minuty",
                         "many": "{count} minut", "other": "{count} minuty"},
    "fadm.age_hours": {"one": "{count} godzina", "few": "{count} godziny",
                       "many": "{count} godzin", "other": "{count} godziny"},
    "fadm.age_days": {"one": "{count} dzień", "few": "{count} dni", "many": "{count} dni",
                      "other": "{count} dnia"},
}

EN: dict[str, Text] = {
    "fadm.bad_key": (
        "The forum key “{key}” is not valid: 2–40 characters, letters A–Z, digits, “-” or "
        "“_”, no spaces (e.g. PZP, EKO-TEAM)."
    ),
    "fadm.bad_name": {
        "one": "A forum's name cannot be empty or longer than {count} character.",
        "other": "A forum's name cannot be empty or longer than {count} characters.",
    },
    "fadm.exists": "Forum {key} already exists ({name}).",
    "fadm.exists_archived": (
        "The key {key} belongs to an archived forum ({name}); choose another key."
    ),
    "fadm.unknown_forum": "There is no forum “{key}” (forums: {known}).",
    "fadm.archived": "Forum {key} is archived: it can no longer be changed.",
    "fadm.unknown_topic": "There is no topic “{topic}” (list: lacznik topics list).",
    "fadm.no_emails": "Give at least one e-mail address.",
    "fadm.unknown_people": (
        "Nobody in the directory has these addresses: {emails}. Nothing was changed."
    ),
    "fadm.has_history": (
        "Forum {key} has history (questions: {questions}, events and deadlines: {events}), so "
        "I am not deleting it. Add --force to archive it instead: it stops taking questions and "
        "the history stays."
    ),
    "fadm.forbidden": (
        "The members of forum {key} are managed and listed by admins and that forum's "
        "moderators."
    ),
    "fadm.moderators_need_admin": (
        "{names} moderates forum {key}; an admin removes a moderator from a forum. Nothing was "
        "changed."
    ),
    "fadm.usage": (
        "Usage: /forum add <key> <e-mail…>, /forum remove <key> <e-mail…>, "
        "/forum members <key> (e.g. /forum add PZP a.nowak@gmina.pl)."
    ),
    "fadm.added": "Forum {key}: added ({count}): {names}.",
    "fadm.already": "Already in forum {key}: {names}.",
    "fadm.removed": "Forum {key}: removed ({count}): {names}.",
    "fadm.removed_moderators": "No longer moderating forum {key}: {names}.",
    "fadm.not_members": "Not in forum {key}: {names}.",
    "fadm.members_title": "Members of forum {key} — {name} ({count})",
    "fadm.members_none": "Forum {key} has no members yet. Add them: /forum add {key} <e-mail…>",
    "fadm.moderator_mark": "moderator",
    "fadm.private_only": (
        "I show the member list only in a private chat: write to me /forum members {key}."
    ),
    "fadm.cli_created": "Forum {key} created: {name}.",
    "fadm.cli_next": (
        "Next: lacznik forums members add {key} EMAIL…; a moderator: lacznik roles grant "
        "EMAIL forum_moderator --forum {key}; groups: /forum link {key}."
    ),
    "fadm.cli_renamed": "Forum {key}: {old} → {name}.",
    "fadm.cli_deleted": "Forum {key} deleted (it had no history); groups unlinked: {groups}.",
    "fadm.cli_archived": (
        "Forum {key} archived; its questions ({questions}) and events and deadlines ({events}) "
        "stay as history; groups unlinked: {groups}."
    ),
    "fadm.cli_member_line": "{name}\t{email}\t{gmina}\t{role}",
    "fadm.cli_members_none": (
        "Forum {key} has no members yet: lacznik forums members add {key} EMAIL…"
    ),
    "fadm.cli_no_file": "{file} does not exist",
    "fadm.cli_role_member": "member",
    "fadm.cli_role_moderator": "moderator",
    "fadm.cli_role_moderator_only": "moderator (not a member)",
    "fadm.imp_missing_columns": "Missing columns: {columns} (found: {found}).",
    "fadm.imp_no_rows": "The file has no data rows.",
    "fadm.imp_row": "Row {row}: {problem}",
    "fadm.imp_no_forum": "no forum key",
    "fadm.imp_unknown_forum": (
        "there is no forum “{key}” (create it: lacznik forums add {key} \"Forum name\")"
    ),
    "fadm.imp_archived_forum": "forum {key} is archived",
    "fadm.imp_bad_email": "invalid e-mail address “{email}”",
    "fadm.imp_no_email": "no e-mail address",
    "fadm.imp_unknown_email": "nobody in the directory has the address {email}",
    "fadm.imp_bad_role": "unknown role “{role}” (member or moderator)",
    "fadm.imp_refused": "{file}: nothing imported, problems: {count}",
    "fadm.imp_more": "… and {count} more",
    "fadm.imp_done": "{file}: imported (rows: {rows}); forums: {forums}",
    "fadm.imp_dry": "{file}: nothing changed (--dry-run); the import (rows: {rows}) would change:",
    "fadm.imp_forum_line": (
        "{key}: members +{added} −{removed}, moderators +{promoted} −{demoted}"
    ),
    "fadm.imp_nothing": "{key}: no change",
    "fadm.imp_no_roles": "(the file has no role column: moderators stay as they are)",
    "fadm.imp_add": "  + {name} <{email}>",
    "fadm.imp_remove": "  − {name} <{email}> (not in the file)",
    "fadm.imp_promote": "  + moderator: {name} <{email}>",
    "fadm.imp_demote": "  − moderator: {name} <{email}>",
    "fadm.age_minutes": {"one": "{count} minute", "other": "{count} minutes"},
    "fadm.age_hours": {"one": "{count} hour", "other": "{count} hours"},
    "fadm.age_days": {"one": "{count} day", "other": "{count} days"},
}
