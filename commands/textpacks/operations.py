"""User-facing texts of the operations feature (Polish and English): the person's own data
export (/moje-dane eksport) and the default privacy policy and terms of use pages."""

from __future__ import annotations

PL: dict[str, str] = {
    "rodo.export.private_only": (
        "Twoje dane wysyłam tylko w prywatnej rozmowie. Napisz do mnie prywatnie: "
        "/moje-dane eksport"
    ),
    "rodo.export.intro": (
        "Oto wszystko, co Łącznik przechowuje o Tobie (RODO, art. 15), w formacie JSON"
        "{parts}. Usunięcia danych możesz zażądać od administratora."
    ),
    "rodo.export.parts": " — w {count} częściach",
    "rodo.export.part": "Część {number} z {count}:",
    "rodo.export.too_long": (
        "To pierwsze {shown} z {count} części. Całość w jednym pliku przekaże Ci "
        "administrator (lacznik people export)."
    ),
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
        "kolejkę wiadomości wysyłanych przez bota.\n\n"
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
        "Telegram, Slack) przetwarzają wiadomości na swoich zasadach."
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

EN: dict[str, str] = {
    "rodo.export.private_only": (
        "I send your data only in a private chat. Write to me privately: /me export"
    ),
    "rodo.export.intro": (
        "Here is everything Łącznik holds about you (GDPR, Art. 15), as JSON{parts}. "
        "You can ask the administrator to erase it."
    ),
    "rodo.export.parts": " — in {count} parts",
    "rodo.export.part": "Part {number} of {count}:",
    "rodo.export.too_long": (
        "These are the first {shown} of {count} parts. The administrator can give you all of "
        "it as one file (lacznik people export)."
    ),
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
        "of messages the bot sends.\n\n"
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
        "Slack) process messages under their own terms."
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
