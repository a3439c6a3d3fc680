"""User-facing texts of announcements: /ogloszenie, /pilne, /raport, in Polish and English."""

from __future__ import annotations

from commands.plurals import Text

PL: dict[str, Text] = {
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
}

EN: dict[str, Text] = {
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
}
