"""Every user-facing text, in Polish and English, in one place so wording can be reviewed.

Polish is the default. Texts are plain: adapters escape them for their own format.
"""

from __future__ import annotations

from collections.abc import Mapping

DEFAULT_LANG = "pl"
LANGS = ("pl", "en")

_PL: dict[str, str] = {
    # general
    "error.internal": (
        "Przepraszam, coś poszło nie tak po mojej stronie. Spróbuj ponownie za chwilę — "
        "jeśli błąd się powtórzy, daj znać administratorowi."
    ),
    "error.too_long": (
        "Ta wiadomość jest za długa ({length} znaków). Napisz krócej, najwyżej {limit} znaków."
    ),
    "error.unknown_command": "Nie znam polecenia „{command}”. Wpisz /pomoc, aby zobaczyć listę.",
    "error.forbidden": "To polecenie jest dostępne tylko dla: {roles}.",
    "error.unlinked": (
        "Dzień dobry! Nie znam jeszcze tego konta, a katalog kontaktów zawiera dane osobowe, "
        "więc mogę go pokazać tylko pracownikom gmin z katalogu. Poproś administratora "
        "(Biuro SMK) o kod połączenia albo wyślij /start KOD z kodem, który już masz."
    ),
    "error.unregistered_group": (
        "Ta grupa nie jest zarejestrowana w Łączniku, więc nie mogę tu działać. "
        "Administrator może ją podłączyć do forum. Do zobaczenia!"
    ),
    "error.empty": "Napisz, czego szukasz, np. „kto od śmieci w Wieliczce?”. Pomoc: /pomoc",
    "error.stale_button": "Ten przycisk jest już nieaktualny. Zapytaj jeszcze raz.",
    "role.admin": "administratorów",
    "role.forum_moderator": "moderatorów forum",
    "role.gmina_coordinator": "koordynatorów gminy",
    "role.member": "osób z katalogu",
    # start / help / linking
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
    # directory
    "cmd.start": "powitanie i połączenie konta kodem",
    "cmd.help": "lista poleceń",
    "cmd.who": "kto zajmuje się tematem w gminie, np. /kto odpady Wieliczka",
    "cmd.me": "moje dane w katalogu: sprawdź, potwierdź lub popraw",
    "cmd.edit": "koordynator: popraw wpis osoby ze swojej gminy",
    "edit.usage": "Użycie: /edytuj <e-mail> <pole> <wartość>, np. /edytuj a.nowak@gmina.pl "
    "telefon +48 12 000 11 22",
    "edit.unknown": "Nie ma w katalogu osoby z adresem {email}.",
    "edit.not_yours": "Możesz poprawiać tylko wpisy osób ze swojej gminy.",
    "me.email_locked": "Adres e-mail zmienia koordynator gminy albo administrator.",
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
    "delivery.late": "(z opóźnieniem — miało dotrzeć {when})",
    # forums and questions
    "cmd.forum": "grupy forów na komunikatorach (w grupie: /forum podlacz PZP)",
    "cmd.ask": "pytanie do forum, np. /pytanie PZP czy ktoś ma wzór klauzuli?",
    "cmd.search": "szukaj w archiwum pytań i odpowiedzi",
    "cmd.faq": "najczęstsze pytania forum",
    "cmd.redirect": "moderator: przekieruj pytanie do innego forum",
    "cmd.close": "moderator: zamknij pytanie",
    "forum.usage": (
        "Użycie: w grupie /forum podlacz <klucz forum> (np. /forum podlacz PZP) albo "
        "/forum odlacz <klucz>; wszędzie /forum lista."
    ),
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
    "q.too_long": "Pytanie ma {length} znaków; najwyżej {limit}. Skróć je i dodaj link.",
    "q.not_member": "Pytania do forum {key} zadają jego członkowie. Poproś moderatora o dodanie.",
    "q.no_groups": (
        "Zapisałem pytanie nr {id}, ale forum {key} nie ma jeszcze grup na komunikatorach — "
        "moderator może je podłączyć."
    ),
    "q.sent": (
        "Pytanie nr {id} trafiło do {count} grup forum {key} ({platforms}). Odpowiedzi "
        "przyślę tutaj."
    ),
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
    "q.nudge": (
        "Pytanie nr {id} w forum {key} od doby czeka na odpowiedź: „{text}”. Może ktoś z "
        "ekspertów pomoże?"
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
    # announcements
    "cmd.announce": "ogłoszenie (ciche), np. /ogloszenie forum PZP: treść",
    "cmd.urgent": "pilne ogłoszenie: powiadomienie na telefon i potwierdzenie",
    "cmd.report": "raport dostarczenia ogłoszenia",
    "ann.usage": (
        "Użycie: /ogloszenie <odbiorcy>: <treść>. Odbiorcy: wszyscy, forum PZP, gmina Skawina, "
        "koordynatorzy, adresy e-mail — oddzielone przecinkami. Np. /ogloszenie forum PZP: "
        "spotkanie przeniesione na czwartek."
    ),
    "ann.usage_urgent": (
        "Użycie: /pilne <odbiorcy>: <treść>. Odbiorcy: wszyscy, forum PZP, gmina Skawina, "
        "koordynatorzy, adresy e-mail — oddzielone przecinkami. Np. /pilne gmina Wieliczka: "
        "awaria systemu EZD, proszę nie wysyłać pism do 12:00."
    ),
    "ann.too_long": (
        "Ogłoszenie ma {length} znaków — to więcej, niż zmieści się w jednej wiadomości na "
        "każdym komunikatorze ({limit}). Skróć je i dodaj link do szczegółów."
    ),
    "ann.bad_audience": (
        "Nie rozumiem odbiorcy „{item}”. Podaj: wszyscy, forum KLUCZ (np. forum PZP), gmina "
        "NAZWA, koordynatorzy, moderatorzy albo adres e-mail."
    ),
    "ann.not_allowed": (
        "Możesz wysyłać ogłoszenia tylko do swoich odbiorców: moderator — do swojego forum, "
        "koordynator — do pracowników swojej gminy. Szersze ogłoszenia wysyła Biuro SMK."
    ),
    "ann.nobody": "Nikt nie pasuje do odbiorców „{audience}”. Nic nie wysłano.",
    "ann.preview": "Podgląd ogłoszenia",
    "ann.preview_urgent": "Podgląd PILNEGO ogłoszenia",
    "ann.without": "bez komunikatora {count}",
    "ann.confirm_question": "Wysłać do {count} osób? {counts}",
    "ann.quiet_note": "Wysyłane po cichu; poza godzinami pracy poczeka do rana.",
    "ann.send": "Wyślij",
    "ann.cancel": "Anuluj",
    "ann.cancelled": "Anulowano — nic nie wysłano.",
    "ann.already_sent": "To ogłoszenie zostało już wysłane.",
    "ann.sent_notice": "Wysłane.",
    "ann.sent_title": "Ogłoszenie nr {id} — wysłane",
    "ann.status": (
        "Odbiorcy: {recipients} · dostarczone: {delivered} · w drodze: {pending} · "
        "nieudane: {failed} · bez komunikatora: {unreachable}. Szczegóły: /raport {id}"
    ),
    "ann.status_urgent": (
        "Odbiorcy: {recipients} · potwierdzone: {acknowledged} · dostarczone: {delivered} · "
        "w drodze: {pending} · nieudane: {failed} · bez komunikatora: {unreachable}. "
        "Szczegóły: /raport {id}"
    ),
    "ann.title": "Ogłoszenie",
    "ann.urgent_title": "‼ PILNE",
    "ann.reping_title": "‼ PILNE — przypomnienie, prosimy o potwierdzenie",
    "ann.from": "Od: {author}",
    "ann.ack": "Potwierdzam",
    "ann.acknowledged": "Dziękuję — potwierdzono odbiór pilnego ogłoszenia nr {id}.",
    "ann.acknowledged_again": "Już potwierdzone — dziękuję.",
    "ann.not_yours": "To ogłoszenie nie było skierowane do Ciebie.",
    "ann.escalation_title": "Brak potwierdzenia pilnego ogłoszenia",
    "ann.escalation": (
        "{name} ({gmina}) nie potwierdził(a) pilnego ogłoszenia nr {id}: „{text}”. "
        "Proszę o kontakt z tą osobą."
    ),
    "ann.report_usage": "Użycie: /raport <numer ogłoszenia>, np. /raport 12",
    "ann.report_missing": "Nie mam wysłanego ogłoszenia nr {id}, do którego masz dostęp.",
    "ann.report_title": "Raport ogłoszenia nr {id}",
    "ann.report_line": "{platform}: dostarczone {sent}, w drodze {pending}, nieudane {failed}",
    "ann.no_messenger": "{name} — brak połączonego komunikatora",
    "ann.not_acknowledged": "{name} — jeszcze nie potwierdził(a)",
    "ann.more": "… i {count} więcej",
    # my data
    "me.title": "Twoje dane w katalogu",
    "me.not_in_directory": "Nie ma Cię jeszcze w katalogu. Poproś koordynatora swojej gminy.",
    "me.confirm": "Dane są aktualne",
    "me.confirmed": "Dziękuję! Potwierdziłem aktualność Twoich danych ({date}).",
    "me.updated": "Zapisane: {field} = „{value}”.",
    "me.bad_field": (
        "Nie znam pola „{field}”. Możesz zmienić: telefon, stanowisko, preferowany-kontakt, "
        "uwagi, język (pl/en). Np. /moje-dane telefon +48 12 000 11 22"
    ),
    "me.bad_value": "Wartość pola „{field}” jest nieprawidłowa: {reason}",
    "me.hint": (
        "Popraw pole poleceniem, np. /moje-dane telefon +48 12 000 11 22 albo "
        "/moje-dane preferowany-kontakt e-mail."
    ),
}

_EN: dict[str, str] = {
    "error.internal": (
        "Sorry, something went wrong on my side. Please try again in a moment — if it happens "
        "again, let an administrator know."
    ),
    "error.too_long": (
        "This message is too long ({length} characters). Please keep it under {limit}."
    ),
    "error.unknown_command": "I don't know the command “{command}”. Type /help to see the list.",
    "error.forbidden": "This command is only available to {roles}.",
    "error.unlinked": (
        "Hello! I don't know this account yet, and the contact directory holds personal data, "
        "so I can only show it to municipal staff listed in the directory. Ask an administrator "
        "(Biuro SMK) for a link code, or send /start CODE with the code you have."
    ),
    "error.unregistered_group": (
        "This group is not registered with Łącznik, so I can't work here. An administrator "
        "can link it to a forum. Goodbye!"
    ),
    "error.empty": "Tell me what you are looking for, e.g. “who handles waste in Wieliczka?”.",
    "error.stale_button": "This button has expired. Please ask again.",
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
    "cmd.who": "who handles a topic in a gmina, e.g. /who waste Wieliczka",
    "cmd.me": "my directory entry: check, confirm or correct it",
    "cmd.edit": "coordinator: correct the entry of someone in your gmina",
    "edit.usage": "Usage: /edit <e-mail> <field> <value>, e.g. /edit a.nowak@gmina.pl phone "
    "+48 12 000 11 22",
    "edit.unknown": "There is nobody with the address {email} in the directory.",
    "edit.not_yours": "You can only correct entries of people in your own gmina.",
    "me.email_locked": "The e-mail address is changed by the gmina coordinator or an admin.",
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
    "delivery.late": "(delayed — it was due {when})",
    "cmd.forum": "forum groups on the messengers (in a group: /forum link PZP)",
    "cmd.ask": "ask a forum, e.g. /ask PZP does anyone have a template clause?",
    "cmd.search": "search the archive of questions and answers",
    "cmd.faq": "a forum's frequently asked questions",
    "cmd.redirect": "moderator: move a question to another forum",
    "cmd.close": "moderator: close a question",
    "forum.usage": (
        "Usage: in a group /forum link <forum key> (e.g. /forum link PZP) or /forum unlink "
        "<key>; anywhere /forum list."
    ),
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
    "q.too_long": "The question has {length} characters; at most {limit}. Shorten it, add a link.",
    "q.not_member": "Questions to forum {key} are asked by its members. Ask a moderator.",
    "q.no_groups": (
        "I saved question no. {id}, but forum {key} has no groups on the messengers yet — a "
        "moderator can link them."
    ),
    "q.sent": (
        "Question no. {id} went to {count} groups of forum {key} ({platforms}). I will send "
        "the answers here."
    ),
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
    "q.nudge": (
        "Question no. {id} in forum {key} has waited a day for an answer: “{text}”. Could an "
        "expert help?"
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
    "cmd.announce": "an announcement (quiet), e.g. /announce forum PZP: text",
    "cmd.urgent": "an urgent announcement: a push to the phone, acknowledged",
    "cmd.report": "delivery report of an announcement",
    "ann.usage": (
        "Usage: /announce <audience>: <text>. Audience: all, forum PZP, gmina Skawina, "
        "coordinators, e-mail addresses — separated by commas. E.g. /announce forum PZP: the "
        "meeting moves to Thursday."
    ),
    "ann.usage_urgent": (
        "Usage: /urgent <audience>: <text>. Audience: all, forum PZP, gmina Skawina, "
        "coordinators, e-mail addresses — separated by commas. E.g. /urgent gmina Wieliczka: "
        "the document system is down until 12:00."
    ),
    "ann.too_long": (
        "The announcement has {length} characters — more than fits one message on every "
        "messenger ({limit}). Shorten it and add a link to the details."
    ),
    "ann.bad_audience": (
        "I don't understand the audience “{item}”. Use: all, forum KEY (e.g. forum PZP), gmina "
        "NAME, coordinators, moderators or an e-mail address."
    ),
    "ann.not_allowed": (
        "You can only announce to your own audience: a moderator to their forum, a coordinator "
        "to their gmina's staff. Wider announcements come from the association office."
    ),
    "ann.nobody": "Nobody matches the audience “{audience}”. Nothing was sent.",
    "ann.preview": "Announcement preview",
    "ann.preview_urgent": "URGENT announcement preview",
    "ann.without": "no messenger {count}",
    "ann.confirm_question": "Send to {count} people? {counts}",
    "ann.quiet_note": "Sent quietly; outside working hours it waits for the morning.",
    "ann.send": "Send",
    "ann.cancel": "Cancel",
    "ann.cancelled": "Cancelled — nothing was sent.",
    "ann.already_sent": "This announcement has already been sent.",
    "ann.sent_notice": "Sent.",
    "ann.sent_title": "Announcement no. {id} — sent",
    "ann.status": (
        "Recipients: {recipients} · delivered: {delivered} · on the way: {pending} · "
        "failed: {failed} · no messenger: {unreachable}. Details: /report {id}"
    ),
    "ann.status_urgent": (
        "Recipients: {recipients} · acknowledged: {acknowledged} · delivered: {delivered} · "
        "on the way: {pending} · failed: {failed} · no messenger: {unreachable}. "
        "Details: /report {id}"
    ),
    "ann.title": "Announcement",
    "ann.urgent_title": "‼ URGENT",
    "ann.reping_title": "‼ URGENT — reminder, please acknowledge",
    "ann.from": "From: {author}",
    "ann.ack": "Acknowledge",
    "ann.acknowledged": "Thank you — urgent announcement no. {id} acknowledged.",
    "ann.acknowledged_again": "Already acknowledged — thank you.",
    "ann.not_yours": "This announcement was not addressed to you.",
    "ann.escalation_title": "An urgent announcement was not acknowledged",
    "ann.escalation": (
        "{name} ({gmina}) has not acknowledged urgent announcement no. {id}: “{text}”. "
        "Please get in touch with them."
    ),
    "ann.report_usage": "Usage: /report <announcement number>, e.g. /report 12",
    "ann.report_missing": "I have no sent announcement no. {id} that you can see.",
    "ann.report_title": "Report of announcement no. {id}",
    "ann.report_line": "{platform}: delivered {sent}, on the way {pending}, failed {failed}",
    "ann.no_messenger": "{name} — no linked messenger",
    "ann.not_acknowledged": "{name} — not acknowledged yet",
    "ann.more": "… and {count} more",
    "me.title": "Your directory entry",
    "me.not_in_directory": "You are not in the directory yet. Ask your gmina's coordinator.",
    "me.confirm": "My data is up to date",
    "me.confirmed": "Thank you! Your entry is confirmed as up to date ({date}).",
    "me.updated": "Saved: {field} = “{value}”.",
    "me.bad_field": (
        "I don't know the field “{field}”. You can change: phone, position, preferred-contact, "
        "notes, language (pl/en). E.g. /me phone +48 12 000 11 22"
    ),
    "me.bad_value": "The value of “{field}” is not valid: {reason}",
    "me.hint": (
        "Correct a field with a command, e.g. /me phone +48 12 000 11 22 or "
        "/me preferred-contact e-mail."
    ),
}

_CATALOGUES: Mapping[str, Mapping[str, str]] = {"pl": _PL, "en": _EN}


def pick_lang(*hints: str | None) -> str:
    """The first supported language among ``hints`` (``"en-GB"`` counts as ``"en"``)."""
    for hint in hints:
        if hint:
            short = hint.replace("_", "-").split("-")[0].lower()
            if short in _CATALOGUES:
                return short
    return DEFAULT_LANG


def t(lang: str, key: str, /, **values: object) -> str:
    """The text ``key`` in ``lang`` (falling back to Polish), with ``values`` filled in."""
    catalogue = _CATALOGUES.get(lang, _PL)
    template = catalogue.get(key) or _PL[key]
    return template.format(**values) if values else template


def missing_translations() -> dict[str, set[str]]:
    """Keys present in one language but not the other (tests keep this empty)."""
    pl, en = set(_PL), set(_EN)
    return {"en": pl - en, "pl": en - pl}
