"""Every user-facing text, in Polish and English, in one place so wording can be reviewed.

Polish is the default. Texts are plain: adapters escape them for their own format. A text that
counts something has one form per CLDR plural category, picked by its ``count`` value
(:mod:`commands.plurals`): "1 osoba, 2 osoby, 5 osób".
"""

from __future__ import annotations

from collections.abc import Mapping
from string import Formatter

from commands.plurals import Text, choose, missing_forms

DEFAULT_LANG = "pl"
LANGS = ("pl", "en")
# Messenger names as people read them in signatures and reports ("via Teams").
PLATFORM_NAMES = {"teams": "Teams", "telegram": "Telegram", "slack": "Slack",
                  "console": "konsola"}

_PL: dict[str, Text] = {
    # general
    "error.internal": (
        "Przepraszam, coś poszło nie tak po mojej stronie. Spróbuj ponownie za chwilę — "
        "jeśli błąd się powtórzy, daj znać administratorowi."
    ),
    "error.too_long": {
        "one": "Ta wiadomość jest za długa ({count} znak). Napisz krócej — limit to {limit}.",
        "few": "Ta wiadomość jest za długa ({count} znaki). Napisz krócej — limit to {limit}.",
        "many": "Ta wiadomość jest za długa ({count} znaków). Napisz krócej — limit to {limit}.",
        "other": "Ta wiadomość jest za długa ({count} znaku). Napisz krócej — limit to {limit}.",
    },
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
    # platform hints (adapters append them where the platform differs)
    "slack.link_hint": "W Slacku wpisz {command} start KOD albo napisz do mnie: start KOD.",
    "slack.help_hint": (
        "W Slacku poprzedź polecenie nazwą {command} (np. {command} moje-dane) albo napisz je do "
        "mnie bez ukośnika (np. moje-dane)."
    ),
    "slack.foreign_workspace": (
        "Ten obszar roboczy Slacka nie jest podłączony do Łącznika, więc nie mogę tu odpowiadać. "
        "Poproś administratora (Biuro SMK) o dodanie go."
    ),
    "slack.app_description": (
        "Asystent pracowników gmin Metropolii Krakowskiej: kto zajmuje się danym tematem w gminie."
    ),
    # the Teams app package (store and app catalog; Teams cuts at 30/100/80/4000 characters)
    "teams.app.name_short": "Łącznik",
    "teams.app.name_full": "Łącznik — asystent pracowników gmin Metropolii Krakowskiej",
    "teams.app.description_short": "Kto zajmuje się danym tematem w gminie? Zapytaj Łącznika.",
    "teams.app.description_full": (
        "Łącznik odpowiada pracownikom gmin Metropolii Krakowskiej, kto zajmuje się danym "
        "tematem w gminie, z preferowaną formą kontaktu i datą potwierdzenia danych. "
        "Pisz zwyczajnie, np. „kto od śmieci w Wieliczce?”, albo wybierz polecenie: "
        "kto, pomoc, moje-dane. W kanałach i czatach grupowych wspomnij Łącznika (@)."
    ),
    # forums and questions
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
    "ann.too_long": {
        "one": "Ogłoszenie ma {count} znak — to więcej, niż zmieści się w jednej wiadomości na "
        "każdym komunikatorze ({limit}). Skróć je i dodaj link do szczegółów.",
        "few": "Ogłoszenie ma {count} znaki — to więcej, niż zmieści się w jednej wiadomości na "
        "każdym komunikatorze ({limit}). Skróć je i dodaj link do szczegółów.",
        "many": "Ogłoszenie ma {count} znaków — to więcej, niż zmieści się w jednej wiadomości "
        "na każdym komunikatorze ({limit}). Skróć je i dodaj link do szczegółów.",
        "other": "Ogłoszenie ma {count} znaku — to więcej, niż zmieści się w jednej wiadomości "
        "na każdym komunikatorze ({limit}). Skróć je i dodaj link do szczegółów.",
    },
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
    "ann.confirm_question": {
        "one": "Wysłać do {count} osoby? {counts}",
        "few": "Wysłać do {count} osób? {counts}",
        "many": "Wysłać do {count} osób? {counts}",
        "other": "Wysłać do {count} osoby? {counts}",
    },
    "ann.quiet_note": "Wysyłane po cichu; poza godzinami pracy poczeka do rana.",
    "ann.send": "Wyślij",
    "ann.cancel": "Anuluj",
    "ann.cancelled": "Anulowano — nic nie wysłano.",
    "ann.already_sent": "To ogłoszenie zostało już wysłane.",
    "ann.expired": (
        "Ten podgląd ma ponad godzinę — odbiorcy mogli się zmienić, więc go nie wysłałem. "
        "Wyślij polecenie ponownie, a zobaczysz aktualny podgląd."
    ),
    "ann.sent_notice": "Wysłane.",
    "ann.sent_title": "Ogłoszenie nr {id} — wysłane",
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
    "ann.report_usage": (
        "Użycie: /raport <numer ogłoszenia> [wszystko], np. /raport 12 albo /raport 12 "
        "wszystko (każda osoba, nie tylko pierwsze 30)"
    ),
    "ann.report_missing": "Nie mam wysłanego ogłoszenia nr {id}, do którego masz dostęp.",
    "ann.report_title": "Raport ogłoszenia nr {id}",
    "ann.report_line": "{platform}: dostarczone {sent}, w drodze {pending}, nieudane {failed}",
    "ann.no_messenger": "{name} — brak połączonego komunikatora",
    "ann.not_acknowledged": "{name} — jeszcze nie potwierdził(a)",
    "ann.more": "… i {count} więcej — wszystkie: /raport {id} wszystko",
    "ann.failed_line": "{name} — {platform}: {reason}",
    "ann.unreachable_preview": "nieosiągalni {count} (np. zablokowali bota — zob. /raport)",
    "ann.unknown_people": (
        "Nie ma w katalogu: {emails}. Popraw adresy i wyślij polecenie ponownie — nic nie "
        "wysłano."
    ),
    "ann.escalation_nobody": (
        "Pilnego ogłoszenia nr {id} nie potwierdził(a) m.in. {name} ({gmina}), a nie mam komu "
        "tego zgłosić (gmina bez koordynatora w komunikatorze). Kto jeszcze nie potwierdził: "
        "/raport {id} wszystko."
    ),
    "reason.blocked": "zablokował(a) bota",
    "reason.inactive": "konto usunięte lub nieaktywne",
    "reason.removed": "bot usunięty z rozmowy",
    "reason.never_started": "nie rozpoczął(-ęła) rozmowy z botem",
    "reason.not_found": "rozmowa już nie istnieje",
    "reason.teams_not_installed": "aplikacja Łącznik nie jest zainstalowana u tej osoby w Teams",
    "reason.not_configured": "ten komunikator nie jest skonfigurowany w Łączniku",
    "reason.too_late": "nie wysłano — byłoby już za późno",
    "reason.acknowledged": "niepotrzebne — już potwierdzone",
    "reason.other": "błąd komunikatora ({reason})",
    "ann.groups_preview": "Post w grupach forów: {count}{where}.",
    "ann.group_footer": "Od: {author}. Adresaci potwierdzają odbiór przyciskiem — każdy za siebie.",
    "ann.ack_unlinked": (
        "Nie wiem jeszcze, kim jesteś, więc nie mogę przyjąć potwierdzenia. Połącz konto "
        "w prywatnej rozmowie z botem."
    ),
    "ann.report_groups": "Posty w grupach forów:",
    "ann.group_line": "{platform} — {group} (forum {forum}): {state}",
    "ann.post_sent": "wysłany",
    "ann.post_pending": "w drodze",
    "ann.post_failed": "nieudany — {reason}",
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
    # calendar: events, deadlines, reminders
    "cmd.plan": "mój plan: spotkania, terminy i przypomnienia, od najbliższych",
    "cmd.events": "nadchodzące wydarzenia: moje, forum (/wydarzenia PZP) albo wszystkie",
    "cmd.event": "wydarzenie: szczegóły i odpowiedzi; moderator: nowe, zmień, odwołaj, przenieś",
    "cmd.deadline": "termin do dotrzymania: szczegóły; moderator: nowy, zmień, odwołaj",
    "cmd.remind": "przypomnij mi, np. /przypomnij jutro o 9 wysłać sprawozdanie",
    "cmd.reminders": "moje przypomnienia: lista i odwoływanie",
    "cmd.calendar": "adres kalendarza .ics do Outlooka lub telefonu (mój albo forum)",
    "cmd.quiet": "moje godziny ciszy (bez przypomnień), np. /cisza 21:00-7:00",
    "cal.weekday.0": "poniedziałek",
    "cal.weekday.1": "wtorek",
    "cal.weekday.2": "środa",
    "cal.weekday.3": "czwartek",
    "cal.weekday.4": "piątek",
    "cal.weekday.5": "sobota",
    "cal.weekday.6": "niedziela",
    "cal.weekday_acc.0": "poniedziałek",
    "cal.weekday_acc.1": "wtorek",
    "cal.weekday_acc.2": "środę",
    "cal.weekday_acc.3": "czwartek",
    "cal.weekday_acc.4": "piątek",
    "cal.weekday_acc.5": "sobotę",
    "cal.weekday_acc.6": "niedzielę",
    "cal.month.1": "stycznia",
    "cal.month.2": "lutego",
    "cal.month.3": "marca",
    "cal.month.4": "kwietnia",
    "cal.month.5": "maja",
    "cal.month.6": "czerwca",
    "cal.month.7": "lipca",
    "cal.month.8": "sierpnia",
    "cal.month.9": "września",
    "cal.month.10": "października",
    "cal.month.11": "listopada",
    "cal.month.12": "grudnia",
    "cal.moment": "{day}, {time}",
    "cal.span": "{day}, {start}–{end}",
    "cal.span_days": "od {start} do {end}",
    "cal.all_day": "{day}, cały dzień",
    "cal.days_span": "od {first} do {last}",
    "cal.line.forum": "Forum: {forum}",
    "cal.line.place": "Miejsce: {place}",
    "cal.line.link": "Link do spotkania: {url}",
    "cal.line.materials": "Materiały:",
    "cal.rsvp.yes": "Będę",
    "cal.rsvp.no": "Nie będę",
    "cal.rsvp.saved_yes": "Zapisano: będziesz na „{title}” ({when}).",
    "cal.rsvp.saved_no": "Zapisano: nie będzie Cię na „{title}” ({when}).",
    "cal.rsvp.gone": "Tego spotkania już nie ma w kalendarzu (odwołane lub przeniesione).",
    "cal.remind.meeting": "Przypomnienie: {title}",
    "cal.remind.materials": "Materiały na spotkanie: {title}",
    "cal.remind.footer": "Szczegóły: /wydarzenie {id}",
    "cal.remind.deadline": "Termin: {title}",
    "cal.remind.deadline_footer": "Szczegóły: /termin {id} · Twój plan: /plan",
    "cal.remind.personal": "Przypomnienie",
    "cal.remind.personal_footer": "Ustawione: {when}. Twoje przypomnienia: /przypomnienia",
    "cal.notice.changed": "Zmiana: {title}",
    "cal.notice.cancelled": "Odwołane: {title}",
    "cal.notice.what_changed": "Co się zmieniło:",
    "cal.notice.change_when": "• termin: {old} → {new}",
    "cal.notice.change_due": "• do: {old} → {new}",
    "cal.notice.change_title": "• tytuł: {old} → {new}",
    "cal.notice.change_place": "• miejsce: {old} → {new}",
    "cal.notice.change_link": "• link: {old} → {new}",
    "cal.notice.deadline_changed": "Zmiana terminu: {title}",
    "cal.notice.deadline_cancelled": "Termin odwołany: {title}",
    "cal.deadline.due": "do: {when}",
    "cal.deadline.done_button": "Zrobione",
    "cal.forbidden": (
        "Wydarzenia i terminy forum tworzą i zmieniają jego moderatorzy oraz administratorzy "
        "(Biuro SMK). Jeśli coś trzeba poprawić, napisz do moderatora forum."
    ),
    "cal.forum.unknown": "Nie znam forum „{forum}”. Fora: {forums}.",
    "cal.events.title_mine": "Twoje nadchodzące wydarzenia",
    "cal.events.title_all": "Nadchodzące wydarzenia wszystkich forów",
    "cal.events.title_forum": "Nadchodzące wydarzenia: {forum}",
    "cal.events.none_mine": (
        "Nie masz nadchodzących wydarzeń w najbliższych 3 miesiącach. Wydarzenia forum: "
        "/wydarzenia PZP, wszystkie: /wydarzenia wszystkie"
    ),
    "cal.events.none": "Brak wydarzeń w najbliższych 3 miesiącach.",
    "cal.events.footer": "Szczegóły i odpowiedź „Będę”: /wydarzenie NR · wszystko naraz: /plan",
    "cal.plan.title": "Twój plan",
    "cal.plan.empty": "W najbliższych dwóch miesiącach nie masz spotkań, terminów ani "
    "przypomnień.",
    "cal.plan.footer": (
        "Szczegóły: /wydarzenie NR, /termin NR · kalendarz w Outlooku: /kalendarz"
    ),
    "cal.plan.event": "{when} {title} [{forum}]{place}{answer} — /wydarzenie {id}",
    "cal.plan.deadline": "{time} ⏰ TERMIN: {title}{forum} — /termin {id}",
    "cal.plan.personal": "{time} 🔔 {title} (przypomnienie #{id})",
    "cal.plan.all_day": "cały dzień",
    "cal.plan.yes": "✓ będę",
    "cal.plan.no": "✗ nie będę",
    "cal.event.usage": (
        "Użycie: /wydarzenie NR — szczegóły; /wydarzenia — lista.\n"
        "Moderator forum zakłada wydarzenie tak (każde pole w osobnej linii):\n"
        "/wydarzenie nowe PZP Posiedzenie Forum PZP\n"
        "kiedy: 1 grudnia 10:00-12:00\n"
        "gdzie: sala 101, ul. Basztowa 22\n"
        "link: https://teams.microsoft.com/…\n"
        "materiały: https://sharepoint…/porzadek.docx\n"
        "powtarzaj: pierwszy wtorek miesiąca\n"
        "Zmiany: /wydarzenie NR zmień gdzie: sala 5 · /wydarzenie NR przenieś 1 grudnia na "
        "3 grudnia 10:00 · /wydarzenie NR odwołaj [DATA]"
    ),
    "cal.event.no_forum": (
        "Każde wydarzenie należy do forum — podaj jego skrót, np. /wydarzenie nowe PZP "
        "Posiedzenie forum. Fora: {forums}."
    ),
    "cal.event.no_title": "Podaj tytuł, np. „tytuł: Posiedzenie Forum PZP”.",
    "cal.event.no_when": "Podaj termin, np. „kiedy: 1 grudnia 10:00-12:00”.",
    "cal.event.when_example": (
        "Przykład: „kiedy: 1 grudnia 10:00-12:00” albo „kiedy: 15.12 o 9:30”."
    ),
    "cal.event.repeat_example": (
        "Przykłady: „powtarzaj: pierwszy wtorek miesiąca”, „co 2 tygodnie”, „co miesiąc do "
        "30 czerwca 2027”, „nie”."
    ),
    "cal.event.rule_never": "Ta reguła powtarzania nie daje żadnego terminu — sprawdź ją.",
    "cal.event.bad_link": "„{link}” nie wygląda na adres (powinien zaczynać się od https://).",
    "cal.event.unknown_field": (
        "Nie znam pola „{field}”. Pola wydarzenia: tytuł, kiedy, gdzie, link, materiały, "
        "powtarzaj, opis."
    ),
    "cal.event.loose": "Nie rozumiem „{text}” — pisz pola jako „nazwa: wartość”, każde w osobnej "
    "linii.",
    "cal.event.created": "Zapisano wydarzenie #{id}",
    "cal.event.changed": (
        "Zmieniono wydarzenie #{id}. Powiadomienia o zmianie dla osób, które dostały już "
        "przypomnienie: {notices}."
    ),
    "cal.event.repeats": "Powtarza się: {rule}",
    "cal.event.next_dates": "Najbliższe terminy: {dates}",
    "cal.event.planned": "Zaplanowane przypomnienia: {count} (zaproszonych osób: {people}).",
    "cal.event.planned_later": (
        "Przypomnienia zaplanuję, gdy termin będzie bliżej (planuję na dwa miesiące naprzód)."
    ),
    "cal.event.aligned": (
        "Podany dzień ({asked}) nie pasuje do reguły powtarzania — pierwsze spotkanie: {first}."
    ),
    "cal.event.unreachable": (
        "Bez połączonego komunikatora — nie dostaną przypomnień: {names}. Mogą połączyć konto "
        "kodem od administratora (/start KOD)."
    ),
    "cal.event.manage_hint": (
        "Zmiana: /wydarzenie {id} zmień kiedy: … · przeniesienie jednego spotkania: "
        "/wydarzenie {id} przenieś DATA na KIEDY · odwołanie: /wydarzenie {id} odwołaj [DATA]"
    ),
    "cal.event.unknown": "Nie ma wydarzenia nr {id} (albo zostało odwołane). Lista: /wydarzenia",
    "cal.event.is_cancelled": "ODWOŁANE",
    "cal.event.organiser": "Organizator: {name}",
    "cal.event.my_answer": "Twoja odpowiedź: {answer}",
    "cal.event.answers_for": "Odpowiedzi na spotkanie {when}:",
    "cal.event.answers_yes": "  Będę ({count}): {names}",
    "cal.event.answers_no": "  Nie będę ({count}): {names}",
    "cal.event.deliveries": (
        "Przypomnienia: wysłane {sent}, czekające {pending}, nieudane {failed}, "
        "przeterminowane {missed}."
    ),
    "cal.event.failed_line": "  nie dotarło do: {name} ({reason})",
    "cal.event.no_such_date": "To wydarzenie nie odbywa się w dniu {date}.",
    "cal.event.change_usage": (
        "Co zmienić? Np. /wydarzenie {id} zmień gdzie: sala 5 (pola: tytuł, kiedy, gdzie, "
        "link, materiały, powtarzaj, opis; „-” usuwa wartość)."
    ),
    "cal.event.cancel_confirm": (
        "Odwołać całe wydarzenie „{title}” — wszystkie jego terminy? Osoby, które dostały już "
        "przypomnienie, dostaną wiadomość o odwołaniu. Jeden termin odwołasz tak: "
        "/wydarzenie NR odwołaj DATA."
    ),
    "cal.event.cancel_yes": "Tak, odwołaj",
    "cal.event.cancelled": (
        "Odwołano „{title}”. Powiadomienia dla osób, które dostały już przypomnienie: "
        "{notices}."
    ),
    "cal.event.occurrence_cancelled": (
        "Odwołano spotkanie „{title}” ({when}); pozostałe terminy bez zmian. Powiadomienia: "
        "{notices}."
    ),
    "cal.event.move_usage": "Użycie: /wydarzenie {id} przenieś 1 grudnia na 3 grudnia 10:00-12:00",
    "cal.event.moved": (
        "Przeniesiono „{title}”: było {before}, jest {after}. Powiadomienia: {notices}."
    ),
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
    "cal.personal.usage": (
        "Napisz, kiedy i o czym przypomnieć, np.:\n/przypomnij jutro o 9 wysłać sprawozdanie\n"
        "/przypomnij za 2 godziny zadzwonić do GOPS\n/przypomnij 15 grudnia 10:00 posiedzenie "
        "forum\n/przypomnij w piątek o 12 raport"
    ),
    "cal.personal.examples": (
        "Przykłady: /przypomnij jutro o 9 wysłać sprawozdanie · /przypomnij za 2 godziny "
        "zadzwonić do GOPS · /przypomnij 15 grudnia 10:00 posiedzenie forum · /przypomnij w "
        "przyszły wtorek o 14:30 narada"
    ),
    "cal.personal.saved": "Dobrze — przypomnę Ci: {when}. „{what}”",
    "cal.personal.no_text": "(bez opisu)",
    "cal.personal.no_messenger": (
        "Uwaga: nie masz połączonego komunikatora, na który mogę pisać sam — przypomnienie "
        "jest zapisane, ale nie dotrze, dopóki nie połączysz konta (kod od administratora, "
        "/start KOD)."
    ),
    "cal.personal.cancel_button": "Odwołaj",
    "cal.personal.cancel_one": "Odwołaj #{id}",
    "cal.personal.cancel_usage": "Użycie: /przypomnienia usuń NR (numer z listy /przypomnienia).",
    "cal.personal.none": "Nie masz zaplanowanych przypomnień. Dodaj: /przypomnij jutro o 9 …",
    "cal.personal.title": "Twoje przypomnienia",
    "cal.personal.line": "#{id} {when} — {what}",
    "cal.personal.list_footer": "Odwołanie: /przypomnienia usuń NR",
    "cal.personal.not_found": "Nie masz aktywnego przypomnienia nr {id}.",
    "cal.personal.cancelled": "Odwołano przypomnienie „{what}” ({when}).",
    "cal.personal.too_many": {
        "one": "Masz już {count} zaplanowane przypomnienie — odwołaj je, jeśli niepotrzebne "
        "(/przypomnienia).",
        "few": "Masz już {count} zaplanowane przypomnienia — odwołaj niepotrzebne "
        "(/przypomnienia).",
        "many": "Masz już {count} zaplanowanych przypomnień — odwołaj niepotrzebne "
        "(/przypomnienia).",
        "other": "Masz już {count} zaplanowanego przypomnienia — odwołaj niepotrzebne "
        "(/przypomnienia).",
    },
    "cal.feed.command": "kalendarz",
    "cal.feed.new_word": "nowy",
    "cal.feed.issued": (
        "Twój prywatny kalendarz (spotkania Twoich forów i Twoje terminy):\n{url}"
    ),
    "cal.feed.forum_issued": "Kalendarz forum {forum}:\n{url}",
    "cal.feed.howto": (
        "Outlook: Dodaj kalendarz → Z Internetu → wklej adres. Telefon: subskrybuj kalendarz "
        "z adresu. Adres jest tajny — nie przekazuj go dalej; pokazuję go tylko raz."
    ),
    "cal.feed.exists": (
        "Masz już adres kalendarza (wydany {when}). Ze względów bezpieczeństwa nie przechowuję "
        "go — jeśli go zgubiłeś, {command} wyda nowy, a stary przestanie działać."
    ),
    "cal.feed.not_member": "Kalendarz forum {forum} jest dla jego członków i moderatorów.",
    "cal.feed.own_name": "Łącznik — {name}",
    "cal.feed.forum_name": "Łącznik — {forum}",
    "cal.quiet.now": (
        "Twoje godziny ciszy: {start}–{end}{weekends}. Przypomnienia wypadające wtedy przyjdą "
        "na początku kolejnego okna pracy. Zmiana: /cisza 21:00-7:00, /cisza weekendy nie, "
        "/cisza domyślne."
    ),
    "cal.quiet.saved": "Zapisane. Godziny ciszy: {start}–{end}{weekends}.",
    "cal.quiet.weekends_on": ", a także weekendy i święta",
    "cal.quiet.weekends_off": "; w weekendy przypomnienia przychodzą normalnie (poza świętami)",
    "cal.quiet.usage": "Użycie: /cisza 21:00-7:00 · /cisza weekendy tak|nie · /cisza domyślne",
    "ics.forum": "Forum: {forum}",
    "ics.link": "Link do spotkania: {url}",
    "ics.materials": "Materiały:\n{links}",
    "ics.deadline": "Termin: {title}",
    # Every {count} days/weeks/…: "one" is every single one ("co tydzień"), "few" 2–4, 22–24 …
    # ("co 2 tygodnie"), "many" 5–21, 25–31 … ("co 5 tygodni", "co 12 tygodni").
    "rec.daily": {"one": "codziennie", "few": "co {count} dni", "many": "co {count} dni",
                  "other": "co {count} dnia"},
    "rec.weekly": {"one": "co tydzień", "few": "co {count} tygodnie",
                   "many": "co {count} tygodni", "other": "co {count} tygodnia"},
    "rec.monthly": {"one": "co miesiąc", "few": "co {count} miesiące",
                    "many": "co {count} miesięcy", "other": "co {count} miesiąca"},
    "rec.yearly": {"one": "co roku", "few": "co {count} lata", "many": "co {count} lat",
                   "other": "co {count} roku"},
    "rec.monthly_nth": {
        "one": "co miesiąc, w {nth} {weekday}",
        "few": "co {count} miesiące, w {nth} {weekday}",
        "many": "co {count} miesięcy, w {nth} {weekday}",
        "other": "co {count} miesiąca, w {nth} {weekday}",
    },
    "rec.on_days": "{rule}: {days}",
    "rec.workdays": "w dni robocze",
    "rec.count": {"one": "{rule}, {count} raz", "few": "{rule}, {count} razy",
                  "many": "{rule}, {count} razy", "other": "{rule}, {count} razy"},
    "rec.until": "{rule}, do {date}",
    "rec.raw": "według reguły {rule}",
    "rec.ord.1.m": "pierwszy",
    "rec.ord.1.f": "pierwszą",
    "rec.ord.2.m": "drugi",
    "rec.ord.2.f": "drugą",
    "rec.ord.3.m": "trzeci",
    "rec.ord.3.f": "trzecią",
    "rec.ord.4.m": "czwarty",
    "rec.ord.4.f": "czwartą",
    "rec.ord.5.m": "piąty",
    "rec.ord.5.f": "piątą",
    "rec.ord.-1.m": "ostatni",
    "rec.ord.-1.f": "ostatnią",
    "rec.unknown": "Nie rozumiem, jak ma się powtarzać.",
    "rec.ambiguous_nth": (
        "Co drugi tydzień czy konkretny dzień miesiąca? Napisz np. „co drugi wtorek” albo "
        "„drugi wtorek miesiąca”."
    ),
    "rec.unsupported": "Tego powtarzania nie obsługuję ({rule}) — najczęściej raz dziennie.",
    "rec.bad_until": "Nie rozumiem daty końca powtarzania (np. „do 30 czerwca 2027”).",
    "when.unparseable": "Nie rozumiem terminu w „{text}”.",
    "when.no_such_day": "Nie ma dnia {day} {month} — sprawdź datę.",
    "when.no_such_month": "Nie ma miesiąca {month} — sprawdź datę.",
    "when.bad_time": "Nie ma godziny {text}.",
    "when.past": "Ten termin już minął ({when}) — podaj przyszły.",
    "when.past_date": (
        "{date} już minął ({when}). Jeśli chodzi o przyszły rok, dopisz go: „{example}”."
    ),
    "when.past_time": "Dziś {time} już minęła. Jeśli chodzi o jutro, napisz „jutro o {time}”.",
    "when.ambiguous_hour": (
        "Chodzi o {hour}:00 czy o {pm}:00? Napisz „o {pm}:00” albo „o {hour} rano”."
    ),
    "when.ambiguous_date": "„{text}” można odczytać dwojako — napisz datę słownie, np. "
    "„3 kwietnia”.",
    "when.which_day": "Który to dzień? Napisz np. „w przyszły wtorek” albo „2 grudnia”.",
    "when.which_time": "O której? Dopisz godzinę, np. „jutro o 18:00”.",
    "when.weekday_mismatch": "{date} to {actual}, nie {given} — sprawdź datę.",
    "when.end_before_start": "Koniec musi być po początku (np. 10:00-12:00).",
}

_EN: dict[str, Text] = {
    "error.internal": (
        "Sorry, something went wrong on my side. Please try again in a moment — if it happens "
        "again, let an administrator know."
    ),
    "error.too_long": {
        "one": "This message is too long ({count} character). Please keep it under {limit}.",
        "other": "This message is too long ({count} characters). Please keep it under {limit}.",
    },
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
    "slack.link_hint": "In Slack, type {command} start CODE or write to me: start CODE.",
    "slack.help_hint": (
        "In Slack, put {command} before a command (e.g. {command} me) or write it to me without "
        "the slash (e.g. me)."
    ),
    "slack.foreign_workspace": (
        "This Slack workspace is not connected to Łącznik, so I can't answer here. Ask an "
        "administrator (Biuro SMK) to add it."
    ),
    "slack.app_description": (
        "The assistant of the Kraków Metropolis's municipal staff: who handles a topic in a gmina."
    ),
    "teams.app.name_short": "Łącznik",
    "teams.app.name_full": "Łącznik — the municipal staff assistant of Metropolia Krakowska",
    "teams.app.description_short": "Who handles a topic in a gmina? Ask Łącznik.",
    "teams.app.description_full": (
        "Łącznik tells municipal staff of Metropolia Krakowska who handles a topic in a "
        "gmina, with the preferred way of contact and the date the entry was confirmed. "
        "Just write, e.g. “who handles waste in Wieliczka?”, or pick a command: who, help, "
        "me. In channels and group chats, @mention Łącznik."
    ),
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
    "ann.too_long": {
        "one": "The announcement has {count} character — more than fits one message on every "
        "messenger ({limit}). Shorten it and add a link to the details.",
        "other": "The announcement has {count} characters — more than fits one message on every "
        "messenger ({limit}). Shorten it and add a link to the details.",
    },
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
    "ann.confirm_question": {"one": "Send to {count} person? {counts}",
                             "other": "Send to {count} people? {counts}"},
    "ann.quiet_note": "Sent quietly; outside working hours it waits for the morning.",
    "ann.send": "Send",
    "ann.cancel": "Cancel",
    "ann.cancelled": "Cancelled — nothing was sent.",
    "ann.already_sent": "This announcement has already been sent.",
    "ann.expired": (
        "This preview is over an hour old — the recipients may have changed, so I did not "
        "send it. Send the command again to see a current preview."
    ),
    "ann.sent_notice": "Sent.",
    "ann.sent_title": "Announcement no. {id} — sent",
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
    "ann.report_usage": (
        "Usage: /report <announcement number> [all], e.g. /report 12 or /report 12 all "
        "(everyone, not only the first 30)"
    ),
    "ann.report_missing": "I have no sent announcement no. {id} that you can see.",
    "ann.report_title": "Report of announcement no. {id}",
    "ann.report_line": "{platform}: delivered {sent}, on the way {pending}, failed {failed}",
    "ann.no_messenger": "{name} — no linked messenger",
    "ann.not_acknowledged": "{name} — not acknowledged yet",
    "ann.more": "… and {count} more — all of them: /report {id} all",
    "ann.failed_line": "{name} — {platform}: {reason}",
    "ann.unreachable_preview": "unreachable {count} (e.g. blocked the bot — see /report)",
    "ann.unknown_people": (
        "Not in the directory: {emails}. Correct the addresses and send the command again — "
        "nothing was sent."
    ),
    "ann.escalation_nobody": (
        "Urgent announcement no. {id} has not been acknowledged by {name} ({gmina}), among "
        "others, and there is nobody to tell (no coordinator of that gmina on a messenger). "
        "Who has not acknowledged yet: /report {id} all."
    ),
    "reason.blocked": "blocked the bot",
    "reason.inactive": "account deleted or inactive",
    "reason.removed": "the bot was removed from the chat",
    "reason.never_started": "never started a chat with the bot",
    "reason.not_found": "the chat no longer exists",
    "reason.teams_not_installed": "the Łącznik app is not installed for this person in Teams",
    "reason.not_configured": "this messenger is not configured in Łącznik",
    "reason.too_late": "not sent — it would have been too late",
    "reason.acknowledged": "not needed — already acknowledged",
    "reason.other": "messenger error ({reason})",
    "ann.groups_preview": "Post in forum groups: {count}{where}.",
    "ann.group_footer": "From: {author}. Recipients acknowledge with the button — each for "
                        "themselves.",
    "ann.ack_unlinked": (
        "I don't know who you are yet, so I can't take your acknowledgement. Link your account "
        "in a private chat with the bot."
    ),
    "ann.report_groups": "Posts in forum groups:",
    "ann.group_line": "{platform} — {group} (forum {forum}): {state}",
    "ann.post_sent": "posted",
    "ann.post_pending": "on the way",
    "ann.post_failed": "failed — {reason}",
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
    # calendar: events, deadlines, reminders
    "cmd.plan": "my plan: meetings, deadlines and reminders, soonest first",
    "cmd.events": "upcoming events: mine, a forum's (/events PZP) or all",
    "cmd.event": "one event: details and answers; moderators: new, change, cancel, move",
    "cmd.deadline": "a deadline: details; moderators: new, change, cancel",
    "cmd.remind": "remind me, e.g. /remind tomorrow at 9 send the report",
    "cmd.reminders": "my reminders: list and cancel",
    "cmd.calendar": "a .ics calendar address for Outlook or a phone (mine or a forum's)",
    "cmd.quiet": "my quiet hours (no reminders), e.g. /quiet 21:00-7:00",
    "cal.weekday.0": "Monday",
    "cal.weekday.1": "Tuesday",
    "cal.weekday.2": "Wednesday",
    "cal.weekday.3": "Thursday",
    "cal.weekday.4": "Friday",
    "cal.weekday.5": "Saturday",
    "cal.weekday.6": "Sunday",
    "cal.weekday_acc.0": "Monday",
    "cal.weekday_acc.1": "Tuesday",
    "cal.weekday_acc.2": "Wednesday",
    "cal.weekday_acc.3": "Thursday",
    "cal.weekday_acc.4": "Friday",
    "cal.weekday_acc.5": "Saturday",
    "cal.weekday_acc.6": "Sunday",
    "cal.month.1": "January",
    "cal.month.2": "February",
    "cal.month.3": "March",
    "cal.month.4": "April",
    "cal.month.5": "May",
    "cal.month.6": "June",
    "cal.month.7": "July",
    "cal.month.8": "August",
    "cal.month.9": "September",
    "cal.month.10": "October",
    "cal.month.11": "November",
    "cal.month.12": "December",
    "cal.moment": "{day}, {time}",
    "cal.span": "{day}, {start}–{end}",
    "cal.span_days": "from {start} to {end}",
    "cal.all_day": "{day}, all day",
    "cal.days_span": "from {first} to {last}",
    "cal.line.forum": "Forum: {forum}",
    "cal.line.place": "Place: {place}",
    "cal.line.link": "Meeting link: {url}",
    "cal.line.materials": "Materials:",
    "cal.rsvp.yes": "I'll be there",
    "cal.rsvp.no": "I can't come",
    "cal.rsvp.saved_yes": "Saved: you will attend “{title}” ({when}).",
    "cal.rsvp.saved_no": "Saved: you will not attend “{title}” ({when}).",
    "cal.rsvp.gone": "This meeting is no longer in the calendar (cancelled or moved).",
    "cal.remind.meeting": "Reminder: {title}",
    "cal.remind.materials": "Materials for the meeting: {title}",
    "cal.remind.footer": "Details: /event {id}",
    "cal.remind.deadline": "Deadline: {title}",
    "cal.remind.deadline_footer": "Details: /deadline {id} · your plan: /plan",
    "cal.remind.personal": "Reminder",
    "cal.remind.personal_footer": "Set on {when}. Your reminders: /reminders",
    "cal.notice.changed": "Changed: {title}",
    "cal.notice.cancelled": "Cancelled: {title}",
    "cal.notice.what_changed": "What changed:",
    "cal.notice.change_when": "• time: {old} → {new}",
    "cal.notice.change_due": "• due: {old} → {new}",
    "cal.notice.change_title": "• title: {old} → {new}",
    "cal.notice.change_place": "• place: {old} → {new}",
    "cal.notice.change_link": "• link: {old} → {new}",
    "cal.notice.deadline_changed": "Deadline changed: {title}",
    "cal.notice.deadline_cancelled": "Deadline cancelled: {title}",
    "cal.deadline.due": "due: {when}",
    "cal.deadline.done_button": "Done",
    "cal.forbidden": (
        "A forum's events and deadlines are created and changed by its moderators and by "
        "administrators (Biuro SMK). If something needs fixing, write to the forum's moderator."
    ),
    "cal.forum.unknown": "I don't know the forum “{forum}”. Forums: {forums}.",
    "cal.events.title_mine": "Your upcoming events",
    "cal.events.title_all": "Upcoming events of all forums",
    "cal.events.title_forum": "Upcoming events: {forum}",
    "cal.events.none_mine": (
        "You have no events in the next 3 months. A forum's events: /events PZP, all of them: "
        "/events all"
    ),
    "cal.events.none": "No events in the next 3 months.",
    "cal.events.footer": "Details and “I'll be there”: /event NO · everything at once: /plan",
    "cal.plan.title": "Your plan",
    "cal.plan.empty": "You have no meetings, deadlines or reminders in the next two months.",
    "cal.plan.footer": "Details: /event NO, /deadline NO · calendar in Outlook: /calendar",
    "cal.plan.event": "{when} {title} [{forum}]{place}{answer} — /event {id}",
    "cal.plan.deadline": "{time} ⏰ DEADLINE: {title}{forum} — /deadline {id}",
    "cal.plan.personal": "{time} 🔔 {title} (reminder #{id})",
    "cal.plan.all_day": "all day",
    "cal.plan.yes": "✓ attending",
    "cal.plan.no": "✗ not attending",
    "cal.event.usage": (
        "Usage: /event NO — details; /events — the list.\n"
        "A forum moderator creates an event like this (one field per line):\n"
        "/event new PZP Meeting of the PZP Forum\n"
        "when: 1 December 10:00-12:00\n"
        "where: room 101, ul. Basztowa 22\n"
        "link: https://teams.microsoft.com/…\n"
        "materials: https://sharepoint…/agenda.docx\n"
        "repeat: first Tuesday of the month\n"
        "Changes: /event NO change where: room 5 · /event NO move 1 December to 3 December "
        "10:00 · /event NO cancel [DATE]"
    ),
    "cal.event.no_forum": (
        "Every event belongs to a forum — give its key, e.g. /event new PZP Forum meeting. "
        "Forums: {forums}."
    ),
    "cal.event.no_title": "Give a title, e.g. “title: Meeting of the PZP Forum”.",
    "cal.event.no_when": "Give the time, e.g. “when: 1 December 10:00-12:00”.",
    "cal.event.when_example": "Example: “when: 1 December 10:00-12:00” or “when: 15.12 at 9:30”.",
    "cal.event.repeat_example": (
        "Examples: “repeat: first Tuesday of the month”, “every 2 weeks”, “monthly until "
        "30 June 2027”, “no”."
    ),
    "cal.event.rule_never": "This recurrence gives no date at all — please check it.",
    "cal.event.bad_link": "“{link}” does not look like an address (it should start with "
    "https://).",
    "cal.event.unknown_field": (
        "I don't know the field “{field}”. Event fields: title, when, where, link, materials, "
        "repeat, description."
    ),
    "cal.event.loose": "I don't understand “{text}” — write fields as “name: value”, one per "
    "line.",
    "cal.event.created": "Event #{id} saved",
    "cal.event.changed": (
        "Event #{id} changed. Change notices for people already reminded: {notices}."
    ),
    "cal.event.repeats": "Repeats: {rule}",
    "cal.event.next_dates": "Next dates: {dates}",
    "cal.event.planned": "Reminders planned: {count} (people invited: {people}).",
    "cal.event.planned_later": (
        "I will plan the reminders when the date is closer (two months ahead)."
    ),
    "cal.event.aligned": (
        "The date given ({asked}) does not fit the recurrence — the first meeting: {first}."
    ),
    "cal.event.unreachable": (
        "No linked messenger — they will not be reminded: {names}. They can link an account "
        "with a code from an administrator (/start CODE)."
    ),
    "cal.event.manage_hint": (
        "Change: /event {id} change when: … · move one meeting: /event {id} move DATE to WHEN "
        "· cancel: /event {id} cancel [DATE]"
    ),
    "cal.event.unknown": "There is no event no. {id} (or it was cancelled). The list: /events",
    "cal.event.is_cancelled": "CANCELLED",
    "cal.event.organiser": "Organiser: {name}",
    "cal.event.my_answer": "Your answer: {answer}",
    "cal.event.answers_for": "Answers for the meeting {when}:",
    "cal.event.answers_yes": "  Attending ({count}): {names}",
    "cal.event.answers_no": "  Not attending ({count}): {names}",
    "cal.event.deliveries": (
        "Reminders: sent {sent}, waiting {pending}, failed {failed}, missed {missed}."
    ),
    "cal.event.failed_line": "  did not reach: {name} ({reason})",
    "cal.event.no_such_date": "This event does not take place on {date}.",
    "cal.event.change_usage": (
        "What should change? E.g. /event {id} change where: room 5 (fields: title, when, "
        "where, link, materials, repeat, description; “-” clears a value)."
    ),
    "cal.event.cancel_confirm": (
        "Cancel the whole event “{title}” — every date of it? People already reminded will be "
        "told. To cancel one date: /event NO cancel DATE."
    ),
    "cal.event.cancel_yes": "Yes, cancel it",
    "cal.event.cancelled": "“{title}” cancelled. Notices for people already reminded: "
    "{notices}.",
    "cal.event.occurrence_cancelled": (
        "The meeting “{title}” ({when}) is cancelled; the other dates stay. Notices: {notices}."
    ),
    "cal.event.move_usage": "Usage: /event {id} move 1 December to 3 December 10:00-12:00",
    "cal.event.moved": "“{title}” moved: was {before}, now {after}. Notices: {notices}.",
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
    "cal.personal.usage": (
        "Say when and what, e.g.:\n/remind tomorrow at 9 send the report\n/remind in 2 hours "
        "call GOPS\n/remind December 15 10:00 forum meeting\n/remind on Friday at 12 report"
    ),
    "cal.personal.examples": (
        "Examples: /remind tomorrow at 9 send the report · /remind in 2 hours call GOPS · "
        "/remind December 15 10:00 forum meeting · /remind next Tuesday at 2:30 pm briefing"
    ),
    "cal.personal.saved": "OK — I will remind you: {when}. “{what}”",
    "cal.personal.no_text": "(no description)",
    "cal.personal.no_messenger": (
        "Note: you have no linked messenger I can write to on my own — the reminder is saved "
        "but will not reach you until you link an account (a code from an administrator, "
        "/start CODE)."
    ),
    "cal.personal.cancel_button": "Cancel",
    "cal.personal.cancel_one": "Cancel #{id}",
    "cal.personal.cancel_usage": "Usage: /reminders cancel NO (the number from /reminders).",
    "cal.personal.none": "You have no reminders planned. Add one: /remind tomorrow at 9 …",
    "cal.personal.title": "Your reminders",
    "cal.personal.line": "#{id} {when} — {what}",
    "cal.personal.list_footer": "Cancel one: /reminders cancel NO",
    "cal.personal.not_found": "You have no active reminder no. {id}.",
    "cal.personal.cancelled": "Reminder “{what}” ({when}) cancelled.",
    "cal.personal.too_many": {
        "one": "You already have {count} reminder planned — cancel it if you no longer need it "
        "(/reminders).",
        "other": "You already have {count} reminders planned — cancel some (/reminders).",
    },
    "cal.feed.command": "calendar",
    "cal.feed.new_word": "new",
    "cal.feed.issued": "Your private calendar (your forums' meetings and your deadlines):\n{url}",
    "cal.feed.forum_issued": "Calendar of {forum}:\n{url}",
    "cal.feed.howto": (
        "Outlook: Add calendar → From Internet → paste the address. Phone: subscribe to a "
        "calendar by address. The address is secret — do not pass it on; I show it only once."
    ),
    "cal.feed.exists": (
        "You already have a calendar address (issued {when}). For security I do not keep it — "
        "if you lost it, {command} issues a new one and the old one stops working."
    ),
    "cal.feed.not_member": "The calendar of {forum} is for its members and moderators.",
    "cal.feed.own_name": "Łącznik — {name}",
    "cal.feed.forum_name": "Łącznik — {forum}",
    "cal.quiet.now": (
        "Your quiet hours: {start}–{end}{weekends}. Reminders falling due then arrive at the "
        "start of the next working window. Change: /quiet 21:00-7:00, /quiet weekends no, "
        "/quiet default."
    ),
    "cal.quiet.saved": "Saved. Quiet hours: {start}–{end}{weekends}.",
    "cal.quiet.weekends_on": ", and weekends and public holidays",
    "cal.quiet.weekends_off": "; reminders arrive on weekends as usual (not on holidays)",
    "cal.quiet.usage": "Usage: /quiet 21:00-7:00 · /quiet weekends yes|no · /quiet default",
    "ics.forum": "Forum: {forum}",
    "ics.link": "Meeting link: {url}",
    "ics.materials": "Materials:\n{links}",
    "ics.deadline": "Deadline: {title}",
    "rec.daily": {"one": "every day", "other": "every {count} days"},
    "rec.weekly": {"one": "every week", "other": "every {count} weeks"},
    "rec.monthly": {"one": "every month", "other": "every {count} months"},
    "rec.yearly": {"one": "every year", "other": "every {count} years"},
    "rec.monthly_nth": {"one": "every month on the {nth} {weekday}",
                        "other": "every {count} months on the {nth} {weekday}"},
    "rec.on_days": "{rule}: {days}",
    "rec.workdays": "on working days",
    "rec.count": {"one": "{rule}, once", "other": "{rule}, {count} times"},
    "rec.until": "{rule}, until {date}",
    "rec.raw": "by the rule {rule}",
    "rec.ord.1.m": "first",
    "rec.ord.1.f": "first",
    "rec.ord.2.m": "second",
    "rec.ord.2.f": "second",
    "rec.ord.3.m": "third",
    "rec.ord.3.f": "third",
    "rec.ord.4.m": "fourth",
    "rec.ord.4.f": "fourth",
    "rec.ord.5.m": "fifth",
    "rec.ord.5.f": "fifth",
    "rec.ord.-1.m": "last",
    "rec.ord.-1.f": "last",
    "rec.unknown": "I don't understand how it should repeat.",
    "rec.ambiguous_nth": (
        "Every other week, or a day of the month? Write e.g. “every other Tuesday” or "
        "“second Tuesday of the month”."
    ),
    "rec.unsupported": "I can't handle this recurrence ({rule}) — at most daily.",
    "rec.bad_until": "I don't understand when the repetition ends (e.g. “until 30 June 2027”).",
    "when.unparseable": "I can't read a date in “{text}”.",
    "when.no_such_day": "There is no {day} {month} — please check the date.",
    "when.no_such_month": "There is no month {month} — please check the date.",
    "when.bad_time": "There is no time {text}.",
    "when.past": "That moment has passed ({when}) — please give a future one.",
    "when.past_date": "{date} has passed ({when}). If you mean next year, add it: “{example}”.",
    "when.past_time": "{time} has already passed today. If you mean tomorrow, write "
    "“tomorrow at {time}”.",
    "when.ambiguous_hour": "Do you mean {hour}:00 or {pm}:00? Write “at {pm}:00” or “at {hour} "
    "am”.",
    "when.ambiguous_date": "“{text}” can be read two ways — write the month as a word, e.g. "
    "“3 April”.",
    "when.which_day": "Which day? Write e.g. “next Tuesday” or “December 2”.",
    "when.which_time": "At what time? Add it, e.g. “tomorrow at 18:00”.",
    "when.weekday_mismatch": "{date} is a {actual}, not a {given} — please check the date.",
    "when.end_before_start": "The end must come after the start (e.g. 10:00-12:00).",
}



def _merge_packs() -> None:
    # Feature packs add keys; a clash would silently replace a reviewed text, so it fails loudly.
    from commands.textpacks import packs

    for name, pl, en in packs():
        for catalogue, extra in ((_PL, pl), (_EN, en)):
            clash = set(catalogue) & set(extra)
            if clash:
                raise RuntimeError(f"{name} repeats text keys: {sorted(clash)}")
            catalogue.update(extra)


_merge_packs()
_CATALOGUES: Mapping[str, Mapping[str, Text]] = {"pl": _PL, "en": _EN}


def pick_lang(*hints: str | None) -> str:
    """The first supported language among ``hints`` (``"en-GB"`` counts as ``"en"``)."""
    for hint in hints:
        if hint:
            short = hint.replace("_", "-").split("-")[0].lower()
            if short in _CATALOGUES:
                return short
    return DEFAULT_LANG


def t(lang: str, key: str, /, **values: object) -> str:
    """The text ``key`` in ``lang`` (falling back to Polish), with ``values`` filled in; a
    counted text takes the plural form of ``values["count"]``."""
    catalogue = _CATALOGUES.get(lang)
    if catalogue is None or not catalogue.get(key):
        lang, catalogue = DEFAULT_LANG, _PL
    template = catalogue[key]
    if not isinstance(template, str):
        count = values.get("count")
        if not isinstance(count, int | float):
            raise TypeError(f"text {key!r} has plural forms: give it a number as count=")
        template = choose(lang, template, count)
    return template.format(**values) if values else template


def missing_translations() -> dict[str, set[str]]:
    """Keys present in one language but not the other (tests keep this empty)."""
    pl, en = set(_PL), set(_EN)
    return {"en": pl - en, "pl": en - pl}


def plural_problems() -> dict[str, str]:
    """``"lang key"`` → what is wrong with a counted text: CLDR categories it lacks in that
    language, keys that are no category, or forms that take other values than the rest of
    the text in both languages (``{count}`` aside: "co tydzień" needs none). Tests keep this
    empty."""
    problems: dict[str, str] = {}
    counted = {key for catalogue in _CATALOGUES.values()
               for key, template in catalogue.items() if not isinstance(template, str)}
    for key in sorted(counted):
        fields = {(lang, form): _fields(form) for lang, catalogue in _CATALOGUES.items()
                  for form in _forms(catalogue.get(key, ""))}
        for lang, catalogue in _CATALOGUES.items():
            template = catalogue.get(key, "")
            if not isinstance(template, str) and (missing := missing_forms(lang, template)):
                problems[f"{lang} {key}"] = f"plural forms wanted: {sorted(missing)}"
        if len(set(fields.values())) > 1:
            problems[f"* {key}"] = f"forms take different values: {sorted(fields.values())}"
    return problems


def _forms(template: Text) -> list[str]:
    return [template] if isinstance(template, str) else list(template.values())


def _fields(template: str) -> tuple[str, ...]:
    return tuple(sorted({name for _, name, _, _ in Formatter().parse(template) if name}
                        - {"count"}))
