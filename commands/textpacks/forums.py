"""User-facing texts of forum groups and questions: /forum, /pytanie, /szukaj, /faq,
moderation, in Polish and English."""

from __future__ import annotations

from commands.plurals import Text

PL: dict[str, Text] = {
    "cmd.forum": "grupy forów na komunikatorach (w grupie: /forum podlacz PZP)",
    "cmd.ask": "pytanie do forum, np. /pytanie PZP czy ktoś ma wzór klauzuli?",
    "cmd.search": "szukaj w archiwum pytań i odpowiedzi",
    "cmd.faq": "najczęstsze pytania forum",
    "cmd.redirect": "moderator: przekieruj pytanie do innego forum",
    "cmd.close": "moderator: zamknij pytanie",
    "forum.usage": (
        "Użycie: w grupie /forum podlacz <klucz forum> (np. /forum podlacz PZP) albo "
        "/forum odlacz <klucz>; wszędzie /forum lista i /forum odlacz <klucz> <nr grupy>."
    ),
    "forum.unlinked_number": "Grupa nr {number} nie należy już do forum {key}.",
    "forum.not_linked_number": "Forum {key} nie ma grupy nr {number} (numery: /forum lista).",
    "forum.group_off": "— nie dostaje pytań (wyrejestrowana lub bot usunięty)",
    "forum.only_in_group": "Napisz to w grupie lub kanale, który ma należeć do forum.",
    "forum.forbidden": "Grupy do forum podłączają administratorzy i moderatorzy tego forum.",
    "forum.unknown": "Nie ma forum „{key}”. Lista: /forum lista",
    "forum.linked": "Ta grupa należy teraz do forum {key}. Pytania forum będą tu trafiać.",
    "forum.already": "Ta grupa już należy do forum {key}.",
    "forum.unlinked": "Ta grupa nie należy już do forum {key}.",
    "forum.not_linked": "Ta grupa nie należy do forum {key}.",
    "forum.list_title": "Fora i ich grupy",
    "forum.list_line": "{key} — {name}: {groups}",
    "forum.no_groups": "brak grup",
    "q.usage": "Użycie: /pytanie <forum> <treść>, np. /pytanie PZP Czy ktoś ma wzór klauzuli "
    "waloryzacyjnej?",
    "q.too_long": {
        "one": "Pytanie ma {count} znak; najwyżej {limit}. Skróć je i dodaj link.",
        "few": "Pytanie ma {count} znaki; najwyżej {limit}. Skróć je i dodaj link.",
        "many": "Pytanie ma {count} znaków; najwyżej {limit}. Skróć je i dodaj link.",
        "other": "Pytanie ma {count} znaku; najwyżej {limit}. Skróć je i dodaj link.",
    },
    "q.not_member": "Pytania do forum {key} zadają jego członkowie. Poproś moderatora o dodanie.",
    "q.no_groups": (
        "Zapisałem pytanie nr {id}, ale forum {key} nie ma jeszcze grup na komunikatorach — "
        "moderator może je podłączyć."
    ),
    "q.sent": {
        "one": "Pytanie nr {id} trafiło do {count} grupy forum {key} ({platforms}). Odpowiedzi "
        "przyślę tutaj.",
        "few": "Pytanie nr {id} trafiło do {count} grup forum {key} ({platforms}). Odpowiedzi "
        "przyślę tutaj.",
        "many": "Pytanie nr {id} trafiło do {count} grup forum {key} ({platforms}). Odpowiedzi "
        "przyślę tutaj.",
        "other": "Pytanie nr {id} trafiło do {count} grupy forum {key} ({platforms}). "
        "Odpowiedzi przyślę tutaj.",
    },
    "q.post_title": "❓ Pytanie nr {id} — {forum}",
    "q.post_footer": "Od: {author}, via {via}. Odpowiedz w wątku tej wiadomości.",
    "q.answer_title": "Odpowiedź na Twoje pytanie nr {id}",
    "q.answer_by": "{author}, via {via}",
    "q.mark_done": "Oznacz jako rozwiązane",
    "q.quote": "Odpowiedź na pytanie nr {id}: „{text}”",
    "q.answer_deleted": "(odpowiedź usunięta przez autora)",
    "q.unlinked_author": "{name} (konto niepołączone)",
    "q.done_note": "✓ Pytanie nr {id} zostało oznaczone przez pytającego jako rozwiązane.",
    "q.closed_note": "Pytanie nr {id} zostało zamknięte przez moderatora.",
    "q.redirected_note": "Pytanie nr {id} przekierowano do forum: {forum}.",
    "q.redirected_asker": (
        "Twoje pytanie nr {id} przeniesiono do forum: {forum} ({key}). Odpowiedzi nadal przyślę "
        "tutaj."
    ),
    "q.nudge": (
        "Pytanie nr {id} w forum {key} czeka na odpowiedź ponad {hours} godz.: „{text}”. Może "
        "ktoś z ekspertów pomoże?"
    ),
    "q.done_notice": "Pytanie nr {id} oznaczone jako rozwiązane. Dziękuję!",
    "q.not_asker": "Jako rozwiązane oznacza je osoba, która zadała pytanie.",
    "q.unknown": "Nie ma pytania nr {id}.",
    "q.moderators_only": "To mogą zrobić moderatorzy tego forum i administratorzy.",
    "q.closed": "Pytanie nr {id} zamknięte.",
    "q.redirect_usage": "Użycie: /przekieruj <nr pytania> <forum>, np. /przekieruj 12 ODPADY",
    "q.redirected": "Pytanie nr {id} przekierowane do forum {key}.",
    "q.search_usage": "Użycie: /szukaj <słowa>, np. /szukaj klauzula waloryzacyjna",
    "q.search_title": "Archiwum: „{text}”",
    "q.search_none": "W archiwum Twoich forów nic nie pasuje do „{text}”.",
    "q.search_hit": "#{id} [{key}] {text} — {state}",
    "q.search_answer": "   ↳ {author}: {text}",
    "q.state_open": "otwarte",
    "q.state_answered": "rozwiązane",
    "q.state_closed": "zamknięte",
    "q.faq_usage": "Użycie: /faq <forum>, np. /faq PZP; moderator: /faq dodaj <nr pytania>",
    "q.faq_title": "FAQ forum {key}",
    "q.faq_none": "Forum {key} nie ma jeszcze FAQ.",
    "q.faq_added": "Pytanie nr {id} dodane do FAQ.",
    "q.faq_unanswered": "Pytanie nr {id} nie ma jeszcze odpowiedzi — do FAQ trafiają pytania z "
    "odpowiedzią.",
    "q.faq_not_member": "FAQ forum {key} czytają jego członkowie.",
    "q.reply_closed": (
        "Pytanie nr {id} jest już zamknięte, więc Twoja wiadomość w jego wątku nie trafiła do "
        "nikogo. Jeśli sprawa jest nadal aktualna, zadaj nowe pytanie tutaj: /pytanie {key} "
        "<treść>"
    ),
    "q.reply_answered": (
        "Pytanie nr {id} jest już oznaczone jako rozwiązane, więc Twoja wiadomość w jego wątku "
        "nie trafiła do nikogo. Jeśli sprawa jest nadal aktualna, zadaj nowe pytanie tutaj: "
        "/pytanie {key} <treść>"
    ),
    "q.followup_sent": "Dopisane do wątków pytania nr {id} w grupach forum {key}.",
    "q.unlinked": (
        "Fora są dla pracowników gmin z katalogu, a tego konta jeszcze nie znam. Poproś "
        "administratora (Biuro SMK) o kod połączenia i wyślij /start KOD."
    ),
}

EN: dict[str, Text] = {
    "cmd.forum": "forum groups on the messengers (in a group: /forum link PZP)",
    "cmd.ask": "ask a forum, e.g. /ask PZP does anyone have a template clause?",
    "cmd.search": "search the archive of questions and answers",
    "cmd.faq": "a forum's frequently asked questions",
    "cmd.redirect": "moderator: move a question to another forum",
    "cmd.close": "moderator: close a question",
    "forum.usage": (
        "Usage: in a group /forum link <forum key> (e.g. /forum link PZP) or /forum unlink "
        "<key>; anywhere /forum list and /forum unlink <key> <group no.>."
    ),
    "forum.unlinked_number": "Group no. {number} no longer belongs to forum {key}.",
    "forum.not_linked_number": "Forum {key} has no group no. {number} (numbers: /forum list).",
    "forum.group_off": "— gets no questions (unregistered or the bot was removed)",
    "forum.only_in_group": "Write this in the group or channel that should belong to the forum.",
    "forum.forbidden": "Groups are linked to a forum by admins and that forum's moderators.",
    "forum.unknown": "There is no forum “{key}”. List: /forum list",
    "forum.linked": "This group now belongs to forum {key}. The forum's questions will come here.",
    "forum.already": "This group already belongs to forum {key}.",
    "forum.unlinked": "This group no longer belongs to forum {key}.",
    "forum.not_linked": "This group does not belong to forum {key}.",
    "forum.list_title": "Forums and their groups",
    "forum.list_line": "{key} — {name}: {groups}",
    "forum.no_groups": "no groups",
    "q.usage": "Usage: /ask <forum> <text>, e.g. /ask PZP Does anyone have a valorisation "
    "clause template?",
    "q.too_long": {
        "one": "The question has {count} character; at most {limit}. Shorten it, add a link.",
        "other": "The question has {count} characters; at most {limit}. Shorten it, add a link.",
    },
    "q.not_member": "Questions to forum {key} are asked by its members. Ask a moderator.",
    "q.no_groups": (
        "I saved question no. {id}, but forum {key} has no groups on the messengers yet — a "
        "moderator can link them."
    ),
    "q.sent": {
        "one": "Question no. {id} went to {count} group of forum {key} ({platforms}). I will "
        "send the answers here.",
        "other": "Question no. {id} went to {count} groups of forum {key} ({platforms}). I will "
        "send the answers here.",
    },
    "q.post_title": "❓ Question no. {id} — {forum}",
    "q.post_footer": "From: {author}, via {via}. Reply in this message's thread.",
    "q.answer_title": "An answer to your question no. {id}",
    "q.answer_by": "{author}, via {via}",
    "q.mark_done": "Mark as solved",
    "q.quote": "An answer to question no. {id}: “{text}”",
    "q.answer_deleted": "(answer deleted by its author)",
    "q.unlinked_author": "{name} (unlinked account)",
    "q.done_note": "✓ Question no. {id} was marked as solved by the asker.",
    "q.closed_note": "Question no. {id} was closed by a moderator.",
    "q.redirected_note": "Question no. {id} was moved to forum: {forum}.",
    "q.redirected_asker": (
        "Your question no. {id} was moved to forum: {forum} ({key}). I will still send the "
        "answers here."
    ),
    "q.nudge": (
        "Question no. {id} in forum {key} has waited over {hours} h for an answer: “{text}”. "
        "Could an expert help?"
    ),
    "q.done_notice": "Question no. {id} marked as solved. Thank you!",
    "q.not_asker": "Only the person who asked can mark it as solved.",
    "q.unknown": "There is no question no. {id}.",
    "q.moderators_only": "Only this forum's moderators and admins can do that.",
    "q.closed": "Question no. {id} closed.",
    "q.redirect_usage": "Usage: /redirect <question no.> <forum>, e.g. /redirect 12 ODPADY",
    "q.redirected": "Question no. {id} moved to forum {key}.",
    "q.search_usage": "Usage: /search <words>, e.g. /search valorisation clause",
    "q.search_title": "Archive: “{text}”",
    "q.search_none": "Nothing in your forums' archive matches “{text}”.",
    "q.search_hit": "#{id} [{key}] {text} — {state}",
    "q.search_answer": "   ↳ {author}: {text}",
    "q.state_open": "open",
    "q.state_answered": "solved",
    "q.state_closed": "closed",
    "q.faq_usage": "Usage: /faq <forum>, e.g. /faq PZP; moderator: /faq add <question no.>",
    "q.faq_title": "FAQ of forum {key}",
    "q.faq_none": "Forum {key} has no FAQ yet.",
    "q.faq_added": "Question no. {id} added to the FAQ.",
    "q.faq_unanswered": "Question no. {id} has no answer yet — the FAQ takes answered questions.",
    "q.faq_not_member": "The FAQ of forum {key} is for its members.",
    "q.reply_closed": (
        "Question no. {id} is closed, so your message in its thread reached nobody. If the "
        "matter is still open, ask anew here: /ask {key} <text>"
    ),
    "q.reply_answered": (
        "Question no. {id} is already marked as solved, so your message in its thread reached "
        "nobody. If the matter is still open, ask anew here: /ask {key} <text>"
    ),
    "q.followup_sent": "Added to the threads of question no. {id} in forum {key}'s groups.",
    "q.unlinked": (
        "The forums are for gmina staff in the directory, and I do not know this account yet. "
        "Ask the administrator (Biuro SMK) for a link code and send /start CODE."
    ),
}
