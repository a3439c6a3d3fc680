"""User-facing texts of the operations feature (Polish and English): the person's own data
export (/moje-dane eksport), the default privacy policy and terms of use pages, and the lines of
``lacznik doctor``."""

from __future__ import annotations

from commands.plurals import Text

PL: dict[str, Text] = {
    "rodo.export.private_only": (
        "Twoje dane wysyłam tylko w prywatnej rozmowie. Napisz do mnie prywatnie: "
        "/moje-dane eksport"
    ),
    "rodo.export.intro": (
        "Oto wszystko, co Łącznik przechowuje o Tobie (RODO, art. 15), w formacie JSON"
        "{parts}. Usunięcia danych możesz zażądać od administratora."
    ),
    "rodo.export.parts": {"one": " — w {count} części", "few": " — w {count} częściach",
                          "many": " — w {count} częściach", "other": " — w {count} części"},
    "rodo.export.part": "Część {number} z {count}:",
    "rodo.export.too_long": (
        "To pierwsze {shown} z {count} części. Całość w jednym pliku przekaże Ci "
        "administrator (lacznik people export)."
    ),
    # lacznik doctor: one line per check (the CLI speaks the terminal's language)
    "doctor.title": "Łącznik doctor — konfiguracja: {source}",
    "doctor.embedded": "wbudowana domyślna (brak pliku)",
    "doctor.status.pass": "OK",
    "doctor.status.warn": "UWAGA",
    "doctor.status.fail": "BŁĄD",
    "doctor.status.skip": "POMIŃ",
    "doctor.config.ok": "konfiguracja: poprawna",
    "doctor.config.bad": "konfiguracja: {problem} — popraw ten klucz i uruchom doctor ponownie",
    "doctor.db.ok": "baza danych: {url} odpowiada",
    "doctor.db.missing": (
        "baza danych: plik {url} nie istnieje — `lacznik db upgrade` (lub `lacznik run`) "
        "go utworzy; sprawdź {setting}"
    ),
    "doctor.db.down": "baza danych: {url} nieosiągalna ({problem}) — sprawdź {setting}",
    "doctor.migrations.ok": "migracje: schemat aktualny ({revision})",
    "doctor.migrations.pending": (
        "migracje: {count} do zastosowania — uruchom `lacznik db upgrade` (albo zrestartuj "
        "usługę: robi to przy starcie)"
    ),
    "doctor.messengers.none": "komunikatory: żaden nie jest włączony ([telegram], [slack], "
                              "[teams])",
    "doctor.unreachable": (
        "{platform}: {url} nie odpowiada ({problem}) — sprawdź {setting}, sieć i serwer "
        "proxy"
    ),
    "doctor.telegram.ok": "Telegram: token przyjęty (getMe) — bot @{username}",
    "doctor.telegram.refused": (
        "Telegram: token odrzucony ({problem}) — sprawdź [telegram] token (od @BotFather)"
    ),
    "doctor.telegram.webhook_ok": "Telegram: webhook zarejestrowany pod {url}",
    "doctor.telegram.webhook_mismatch": (
        "Telegram: webhook zarejestrowany pod {actual}, a [telegram] webhook_url to "
        "{expected} — uruchom usługę (rejestruje webhook przy starcie) i sprawdź, czy tego "
        "tokenu nie używa inna instalacja"
    ),
    "doctor.telegram.webhook_error": (
        "Telegram: ostatnia próba doręczenia na webhook nie powiodła się ({problem}) — "
        "sprawdź serwer proxy HTTPS i certyfikat pod {url}"
    ),
    "doctor.telegram.polling_ok": "Telegram: tryb polling, żaden webhook nie przeszkadza",
    "doctor.telegram.polling_webhook": (
        "Telegram: tryb polling, ale zarejestrowany jest webhook {actual} — polling nic nie "
        "dostanie; usługa usuwa go przy starcie, więc sprawdź, czy tego tokenu nie używa inna "
        "instalacja w trybie webhook"
    ),
    "doctor.slack.ok": "Slack: token przyjęty (auth.test) — workspace {team}, bot {user}",
    "doctor.slack.refused": (
        "Slack: token bota odrzucony ({problem}) — sprawdź [slack] bot_token "
        "(lub SLACK_BOT_TOKEN)"
    ),
    "doctor.slack.app_ok": "Slack: token aplikacji przyjęty (Socket Mode)",
    "doctor.slack.app_refused": (
        "Slack: token aplikacji odrzucony ({problem}) — sprawdź [slack] app_token "
        "(lub SLACK_APP_TOKEN, z uprawnieniem connections:write)"
    ),
    "doctor.slack.socket": "Slack: Socket Mode — publiczny adres nie jest potrzebny",
    "doctor.slack.url_ok": (
        "Slack: adres publiczny {url} (https) — w ustawieniach aplikacji (Event "
        "Subscriptions, Interactivity, Slash Commands) wpisz {events}; Slack nie pozwala "
        "botowi odczytać tego adresu"
    ),
    "doctor.slack.url_missing": (
        "Slack: tryb HTTP bez [slack] public_url — wpisz publiczny adres https usługi "
        "(Slack wysyła na <public_url>/slack/events; `lacznik slack manifest` go użyje)"
    ),
    "doctor.teams.ok": "Teams: token bota uzyskany z {authority} (msal)",
    "doctor.teams.refused": (
        "Teams: {authority} odrzucił dane logowania bota ({problem}) — sprawdź [teams] "
        "app_id, app_password (lub certificate_path) i tenant_id"
    ),
    "doctor.teams.unreachable": (
        "Teams: {authority} nie odpowiada ({problem}) — sprawdź [teams] authority, sieć "
        "i serwer proxy"
    ),
    "doctor.teams.url_ok": (
        "Teams: adres publiczny https://{domain} — punkt końcowy bota w Azure musi być "
        "https://{domain}/api/messages; Teams nie pozwala botowi odczytać tego adresu"
    ),
    "doctor.teams.url_missing": (
        "Teams: brak [teams] public_domain — wpisz domenę usługi (https), pod którą Azure "
        "Bot wysyła wiadomości na /api/messages"
    ),
    "doctor.clock.ok": "zegar: różnica względem {source} {skew} s",
    "doctor.clock.skewed": (
        "zegar: różnica względem {source} wynosi {skew} s — zsynchronizuj czas "
        "(timedatectl set-ntp true); Teams i Slack odrzucają żądania przy dużej różnicy"
    ),
    "doctor.clock.skip": "zegar: brak odpowiedzi komunikatora do porównania",
    "doctor.summary.ok": {
        "one": "Wszystko w porządku ({count} sprawdzenie).",
        "few": "Wszystko w porządku ({count} sprawdzenia).",
        "many": "Wszystko w porządku ({count} sprawdzeń).",
        "other": "Wszystko w porządku ({count} sprawdzenia).",
    },
    "doctor.summary.bad": {
        "one": "Do poprawy: {bad} z {count} sprawdzenia.",
        "few": "Do poprawy: {bad} z {count} sprawdzeń.",
        "many": "Do poprawy: {bad} z {count} sprawdzeń.",
        "other": "Do poprawy: {bad} z {count} sprawdzenia.",
    },
    "legal.switch": "English version",
    "legal.slack_long_description": (
        "Łącznik podpowiada pracownikom gmin, kto w danej gminie zajmuje się daną sprawą, "
        "przekazuje ogłoszenia i pytania forów między Teams, Telegramem i Slackiem oraz "
        "przypomina o spotkaniach i terminach.\n"
        "Polityka prywatności: {privacy}\nZasady korzystania: {terms}"
    ),
    "legal.default_controller": "organizacja, która uruchomiła Łącznika (biuro związku gmin)",
    "legal.default_contact": "biuro organizacji, która zaprosiła Cię do Łącznika",
    "legal.privacy.title": "Łącznik — polityka prywatności",
    "legal.privacy.body": (
        "Administratorem danych jest {controller}. W sprawach danych osobowych: {contact}.\n\n"
        "Jakie dane przechowujemy:\n\n"
        "- wpis w katalogu kontaktów: imię i nazwisko, gmina, stanowisko, tematy, służbowy "
        "e-mail i telefon, preferowany kontakt, uwagi, data potwierdzenia;\n"
        "- powiązane konta w komunikatorach (Teams, Telegram, Slack): identyfikator, "
        "wyświetlana nazwa, adres prywatnej rozmowy z botem;\n"
        "- role (administrator, moderator forum, koordynator gminy) i członkostwo w forach;\n"
        "- pytania i odpowiedzi na forach, potwierdzenia ogłoszeń, przypomnienia, odpowiedzi "
        "na zaproszenia i adresy kalendarzy;\n"
        "- dziennik działań uprzywilejowanych (kto, co, kiedy — bez treści wiadomości) oraz "
        "kolejkę wiadomości wysyłanych przez bota;\n"
        "- numer telefonu komórkowego, jeśli jest w katalogu (tylko do pilnych SMS-ów), "
        "i przebieg zaproszeń e-mailowych.\n\n"
        "E-mail (jeśli administrator go włączył): osobom, które nie połączyły jeszcze "
        "komunikatora, Łącznik wysyła na adres z katalogu zaproszenie do połączenia i najwyżej "
        "dwa przypomnienia, a gdy włączono skrót — jeden e-mail dziennie ze zwykłymi "
        "ogłoszeniami, nigdy osobny e-mail na każde ogłoszenie. Przechowujemy, kiedy wysłano "
        "zaproszenie i przypomnienia, ewentualną odmowę serwera pocztowego, rezygnację "
        "i dokąd sięgnął skrót; treści e-maili nie przechowujemy. Każdy e-mail ma link "
        "rezygnacji: po rezygnacji Łącznik nie wysyła tej osobie żadnych e-maili.\n\n"
        "Telefon komórkowy (jeśli administrator włączył SMS): numer służy wyłącznie do "
        "SMS-ów z pilnymi ogłoszeniami do osób bez komunikatora (i, jeśli tak ustawiono, do "
        "tych, które nie potwierdziły ogłoszenia po pierwszym przypomnieniu); nie jest "
        "pokazywany w katalogu. Dostawca SMS (SMSAPI) otrzymuje numer i treść SMS-a "
        "i odsyła raporty doręczenia (doręczony lub nie i kiedy), które przechowujemy razem "
        "z wysłaną wiadomością.\n\n"
        "Po co: aby pracownicy samorządów mogli znaleźć właściwą osobę do sprawy, przekazywać "
        "ogłoszenia i pytania między komunikatorami oraz przypominać o terminach. Podstawa: "
        "wykonywanie zadań publicznych i współpracy gmin (art. 6 ust. 1 lit. e RODO).\n\n"
        "Jak długo: wpis w katalogu — dopóki osoba pełni swoją funkcję; wysłane wiadomości "
        "w kolejce — domyślnie 90 dni; zapis odebranych zdarzeń — 7 dni; dziennik działań — "
        "2 lata; archiwum forów — do decyzji administratora.\n\n"
        "Twoje prawa: dostęp do danych (polecenie /moje-dane eksport w prywatnej rozmowie "
        "z botem), ich sprostowanie (/moje-dane), usunięcie, ograniczenie przetwarzania, "
        "sprzeciw oraz skarga do Prezesa Urzędu Ochrony Danych Osobowych.\n\n"
        "Dane są przechowywane na serwerze administratora; komunikatory (Microsoft, "
        "Telegram, Slack) i dostawca SMS (SMSAPI) przetwarzają wiadomości na swoich zasadach; "
        "e-maile wychodzą przez serwer pocztowy administratora."
    ),
    "legal.terms.title": "Łącznik — zasady korzystania",
    "legal.terms.body": (
        "Łącznik jest narzędziem pracy dla pracowników samorządów i ich związku. Usługę "
        "zapewnia {controller}; kontakt: {contact}.\n\n"
        "- Korzystaj z danych z katalogu wyłącznie w sprawach służbowych.\n"
        "- Nie przesyłaj przez bota danych wrażliwych ani informacji niejawnych.\n"
        "- Ogłoszenia pilne wysyłaj tylko w sprawach, które naprawdę nie mogą czekać.\n"
        "- Pytania i odpowiedzi na forach widzą wszyscy członkowie forum.\n\n"
        "Usługa jest dostarczana w miarę możliwości, bez gwarancji ciągłości działania. "
        "Administrator może zablokować konto, które narusza te zasady."
    ),
}

EN: dict[str, Text] = {
    "rodo.export.private_only": (
        "I send your data only in a private chat. Write to me privately: /me export"
    ),
    "rodo.export.intro": (
        "Here is everything Łącznik holds about you (GDPR, Art. 15), as JSON{parts}. "
        "You can ask the administrator to erase it."
    ),
    "rodo.export.parts": {"one": " — in {count} part", "other": " — in {count} parts"},
    "rodo.export.part": "Part {number} of {count}:",
    "rodo.export.too_long": (
        "These are the first {shown} of {count} parts. The administrator can give you all of "
        "it as one file (lacznik people export)."
    ),
    "doctor.title": "Łącznik doctor — configuration: {source}",
    "doctor.embedded": "the embedded default (no file)",
    "doctor.status.pass": "OK",
    "doctor.status.warn": "WARN",
    "doctor.status.fail": "FAIL",
    "doctor.status.skip": "SKIP",
    "doctor.config.ok": "configuration: valid",
    "doctor.config.bad": "configuration: {problem} — fix that key and run doctor again",
    "doctor.db.ok": "database: {url} answers",
    "doctor.db.missing": (
        "database: the file {url} does not exist — `lacznik db upgrade` (or `lacznik run`) "
        "creates it; check {setting}"
    ),
    "doctor.db.down": "database: {url} not reachable ({problem}) — check {setting}",
    "doctor.migrations.ok": "migrations: the schema is up to date ({revision})",
    "doctor.migrations.pending": (
        "migrations: {count} pending — run `lacznik db upgrade` (or restart the service: it "
        "applies them at start)"
    ),
    "doctor.messengers.none": "messengers: none is switched on ([telegram], [slack], [teams])",
    "doctor.unreachable": (
        "{platform}: {url} does not answer ({problem}) — check {setting}, the network and "
        "the proxy"
    ),
    "doctor.telegram.ok": "Telegram: token accepted (getMe) — bot @{username}",
    "doctor.telegram.refused": (
        "Telegram: token refused ({problem}) — check [telegram] token (from @BotFather)"
    ),
    "doctor.telegram.webhook_ok": "Telegram: webhook registered at {url}",
    "doctor.telegram.webhook_mismatch": (
        "Telegram: the webhook is registered at {actual}, but [telegram] webhook_url is "
        "{expected} — start the service (it registers the webhook at start) and make sure no "
        "other installation uses this token"
    ),
    "doctor.telegram.webhook_error": (
        "Telegram: its last delivery to the webhook failed ({problem}) — check the HTTPS "
        "proxy and certificate at {url}"
    ),
    "doctor.telegram.polling_ok": "Telegram: polling, no webhook in the way",
    "doctor.telegram.polling_webhook": (
        "Telegram: polling, but a webhook is registered at {actual} — polling gets nothing; "
        "the service removes it at start, so check that no other installation uses this "
        "token in webhook mode"
    ),
    "doctor.slack.ok": "Slack: token accepted (auth.test) — workspace {team}, bot {user}",
    "doctor.slack.refused": (
        "Slack: bot token refused ({problem}) — check [slack] bot_token (or SLACK_BOT_TOKEN)"
    ),
    "doctor.slack.app_ok": "Slack: app-level token accepted (Socket Mode)",
    "doctor.slack.app_refused": (
        "Slack: app-level token refused ({problem}) — check [slack] app_token (or "
        "SLACK_APP_TOKEN, with connections:write)"
    ),
    "doctor.slack.socket": "Slack: Socket Mode — no public URL needed",
    "doctor.slack.url_ok": (
        "Slack: public URL {url} (https) — the app's settings (Event Subscriptions, "
        "Interactivity, Slash Commands) must say {events}; Slack does not let a bot read it"
    ),
    "doctor.slack.url_missing": (
        "Slack: HTTP mode without [slack] public_url — set the service's public https address "
        "(Slack posts to <public_url>/slack/events; `lacznik slack manifest` uses it)"
    ),
    "doctor.teams.ok": "Teams: bot token obtained from {authority} (msal)",
    "doctor.teams.refused": (
        "Teams: {authority} refused the bot's credentials ({problem}) — check [teams] app_id, "
        "app_password (or certificate_path) and tenant_id"
    ),
    "doctor.teams.unreachable": (
        "Teams: {authority} does not answer ({problem}) — check [teams] authority, the "
        "network and the proxy"
    ),
    "doctor.teams.url_ok": (
        "Teams: public address https://{domain} — the Azure Bot's messaging endpoint must be "
        "https://{domain}/api/messages; Teams does not let a bot read it"
    ),
    "doctor.teams.url_missing": (
        "Teams: no [teams] public_domain — set the service's (https) domain, where the Azure "
        "Bot posts to /api/messages"
    ),
    "doctor.clock.ok": "clock: {skew} s from {source}",
    "doctor.clock.skewed": (
        "clock: {skew} s off {source} — synchronise it (timedatectl set-ntp true); Teams and "
        "Slack refuse requests when clocks differ much"
    ),
    "doctor.clock.skip": "clock: no messenger answered to compare with",
    "doctor.summary.ok": {"one": "Everything is fine ({count} check).",
                          "other": "Everything is fine ({count} checks)."},
    "doctor.summary.bad": {"one": "To fix: {bad} of {count} check.",
                           "other": "To fix: {bad} of {count} checks."},
    "legal.switch": "Wersja polska",
    "legal.slack_long_description": (
        "Łącznik tells local government staff who handles a matter in a gmina, relays "
        "announcements and forum questions between Teams, Telegram and Slack, and reminds "
        "them of meetings and deadlines.\n"
        "Privacy policy: {privacy}\nTerms of use: {terms}"
    ),
    "legal.default_controller": "the organisation that runs Łącznik (the association's office)",
    "legal.default_contact": "the office of the organisation that invited you to Łącznik",
    "legal.privacy.title": "Łącznik — privacy policy",
    "legal.privacy.body": (
        "The data controller is {controller}. For questions about personal data: "
        "{contact}.\n\n"
        "What we hold:\n\n"
        "- the directory entry: name, gmina, position, topics, work e-mail and phone, "
        "preferred contact, notes, date confirmed;\n"
        "- linked messenger accounts (Teams, Telegram, Slack): id, display name, the address "
        "of the private chat with the bot;\n"
        "- roles (admin, forum moderator, gmina coordinator) and forum memberships;\n"
        "- forum questions and answers, acknowledgements of announcements, reminders, answers "
        "to invitations and calendar addresses;\n"
        "- a log of privileged actions (who, what, when — never message text) and the queue "
        "of messages the bot sends;\n"
        "- the mobile phone number, if the directory has one (for urgent SMS only), and how "
        "e-mail invitations went.\n\n"
        "E-mail (if the administrator switched it on): people who have not linked a "
        "messenger yet get, at the address in the directory, an invitation to link one and "
        "at most two reminders, and, if the digest is on, one e-mail a day with the normal "
        "announcements — never one e-mail per announcement. We keep when the invitation and "
        "reminders were sent, the mail server's refusal if any, the opt-out and how far the "
        "digest has got; e-mail texts are not kept. Every e-mail has an opt-out link: after "
        "opting out a person gets no e-mail from Łącznik.\n\n"
        "Mobile phone (if the administrator switched SMS on): the number is used only for "
        "SMS with urgent announcements to people without a messenger (and, if so set, to "
        "those who have not acknowledged after the first reminder); it is never shown in the "
        "directory. The SMS provider (SMSAPI) receives the number and the text of the SMS "
        "and sends back delivery reports (delivered or not, and when), which we keep with "
        "the message sent.\n\n"
        "Why: so that local government staff find the right person for a matter, and "
        "announcements, questions and reminders reach them in the messenger they use. Legal "
        "basis: public tasks and the cooperation of gminy (GDPR Art. 6(1)(e)).\n\n"
        "How long: the directory entry — while the person holds the role; sent messages in "
        "the queue — 90 days by default; records of received events — 7 days; the action "
        "log — 2 years; the forum archive — as the administrator decides.\n\n"
        "Your rights: access (the command /me export in a private chat with the bot), "
        "rectification (/me), erasure, restriction, objection, and a complaint to the "
        "President of the Personal Data Protection Office (UODO).\n\n"
        "The data is stored on the controller's server; the messengers (Microsoft, Telegram, "
        "Slack) and the SMS provider (SMSAPI) process messages under their own terms; e-mails "
        "leave through the controller's mail server."
    ),
    "legal.terms.title": "Łącznik — terms of use",
    "legal.terms.body": (
        "Łącznik is a work tool for local government staff and their association. The "
        "service is provided by {controller}; contact: {contact}.\n\n"
        "- Use directory data for work matters only.\n"
        "- Do not send sensitive personal data or classified information through the bot.\n"
        "- Send urgent announcements only for matters that truly cannot wait.\n"
        "- Forum questions and answers are seen by every member of the forum.\n\n"
        "The service is provided on a best-effort basis, without a guarantee of "
        "availability. The administrator may block an account that breaks these rules."
    ),
}
