"""User-facing texts of e-mail reach (Polish and English): the invitation to link a
messenger, its reminders, the opt-out page, the daily digest and ``lacznik invite``."""

from __future__ import annotations

from commands.plurals import Text

PL: dict[str, Text] = {
    "invite.subject": "Łącznik: połącz swój komunikator",
    "invite.reminder_subject": "Przypomnienie — Łącznik: połącz swój komunikator",
    "invite.greeting": "Dzień dobry, {name}!",
    "invite.intro": (
        "Łącznik to asystent pracowników gmin w Teams, Telegramie i Slacku: ogłoszenia, "
        "katalog kontaktów, fora i kalendarz. Nie masz jeszcze połączonego komunikatora, "
        "więc pilne ogłoszenia do Ciebie nie docierają. Wybierz komunikator, którego "
        "używasz:"
    ),
    "invite.reminder_intro": (
        "Przypominamy: nie masz jeszcze połączonego komunikatora z Łącznikiem, więc pilne "
        "ogłoszenia do Ciebie nie docierają. Połączenie zajmuje minutę:"
    ),
    "invite.telegram": (
        "Telegram: otwórz swój osobisty link i naciśnij „Start” (link działa raz, do "
        "{until}; nie przekazuj go nikomu):\n{link}"
    ),
    "invite.teams": (
        "Microsoft Teams: zainstaluj aplikację Łącznik (Aplikacje → wyszukaj „Łącznik”) i "
        "napisz do niej cokolwiek. Konto połączy się samo, bo Teams potwierdza Twój służbowy "
        "adres e-mail."
    ),
    "invite.slack": (
        "Slack: dodaj aplikację Łącznik w swoim obszarze roboczym i napisz do niej cokolwiek. "
        "Konto połączy się samo, bo Slack potwierdza Twój adres e-mail."
    ),
    "invite.why": "Dostajesz tę wiadomość, bo jesteś w katalogu kontaktów Łącznika.",
    "invite.optout": "Nie chcesz dostawać e-maili od Łącznika? Wypisz się: {url}",
    "invite.optout_short": "Wypisz się",
    "optout.title": "Wypisanie z e-maili Łącznika",
    "optout.question": (
        "Czy na pewno nie chcesz dostawać e-maili od Łącznika (zaproszeń, przypomnień i "
        "dziennego podsumowania ogłoszeń) na adres {email}?"
    ),
    "optout.button": "Tak, wypisz mnie",
    "optout.done": (
        "Wypisano adres {email}. Nie dostaniesz już e-maili od Łącznika. Ogłoszenia w "
        "komunikatorze, jeśli go połączysz, przychodzą dalej."
    ),
    "optout.unknown": "Ten link do wypisania jest nieprawidłowy lub nieaktualny.",
    "digest.subject": {
        "one": "Łącznik: {count} ogłoszenie z ostatniej doby",
        "few": "Łącznik: {count} ogłoszenia z ostatniej doby",
        "many": "Łącznik: {count} ogłoszeń z ostatniej doby",
        "other": "Łącznik: {count} ogłoszenia z ostatniej doby",
    },
    "digest.intro": (
        "Oto ogłoszenia wysłane do Ciebie w ostatniej dobie. Dostajesz je e-mailem raz "
        "dziennie, bo nie masz połączonego komunikatora."
    ),
    "digest.item": "Ogłoszenie nr {number} — {author}, {when}",
    "digest.link_hint": (
        "Chcesz dostawać ogłoszenia od razu? Połącz komunikator: w Teams lub Slacku "
        "zainstaluj aplikację Łącznik i napisz do niej."
    ),
    "invite.cli.scope": "Zakres: {scope}",
    "invite.cli.counts": (
        "osób w zakresie {people}; połączonych {linked}; zaproszeń do wysłania {invite}; "
        "przypomnień {remind}; już zaproszonych {waiting}; wypisanych {opted_out}; bez "
        "e-maila {no_email}; adres odrzucony {refused}"
    ),
    "invite.cli.dry_run": "Próba (--dry-run): nic nie wysłano.",
    "invite.cli.sent": "Wysłano: zaproszeń {invited}, przypomnień {reminded}.",
    "invite.cli.failed": "Nie wysłano do {email}: {reason}",
    "invite.cli.retry": "Do ponowienia (chwilowy błąd serwera) {count}: uruchom polecenie "
                        "ponownie później.",
    "invite.cli.no_scope": "Podaj --all, --gmina NAZWA albo --forum KLUCZ (albo `status`).",
    "invite.cli.status_scope": "`lacznik invite status` pokazuje zawsze wszystkich: bez "
                               "--all, --gmina, --forum i --dry-run.",
    "invite.cli.no_email": "Brak sekcji [email] w konfiguracji: nie ma czym wysłać zaproszeń.",
    "invite.cli.no_public_url": "Ustaw [server] public_url (publiczny adres https:// "
                                "usługi): każdy e-mail ma link do wypisania się.",
    "invite.cli.no_telegram": "Telegram nie jest skonfigurowany: e-maile opisują tylko Teams "
                              "i Slacka.",
    "invite.cli.unknown_forum": "Nie ma forum {key} (zob. `lacznik forums list`).",
    "invite.cli.stopped": "Przerwano: serwera poczty {host}:{port} nie da się teraz użyć "
                          "({reason}). Sprawdź sekcję [email] i uruchom polecenie ponownie.",
    "invite.status.gmina": "gmina",
    "invite.status.people": "osoby",
    "invite.status.linked": "połączeni",
    "invite.status.invited": "zaproszeni",
    "invite.status.opted_out": "wypisani",
    "invite.status.not_reachable": "nieosiągalni",
    "invite.status.total": "razem",
    "invite.status.no_gmina": "(bez gminy)",
}

EN: dict[str, Text] = {
    "invite.subject": "Łącznik: link your messenger",
    "invite.reminder_subject": "Reminder — Łącznik: link your messenger",
    "invite.greeting": "Hello {name},",
    "invite.intro": (
        "Łącznik is the staff assistant of the gminy in Teams, Telegram and Slack: "
        "announcements, the contact directory, forums and the calendar. You have not linked "
        "a messenger yet, so urgent announcements do not reach you. Pick the messenger you "
        "use:"
    ),
    "invite.reminder_intro": (
        "A reminder: you have not linked a messenger to Łącznik yet, so urgent announcements "
        "do not reach you. Linking takes a minute:"
    ),
    "invite.telegram": (
        "Telegram: open your personal link and press “Start” (it works once, until {until}; "
        "do not pass it on):\n{link}"
    ),
    "invite.teams": (
        "Microsoft Teams: install the Łącznik app (Apps → search “Łącznik”) and write it "
        "anything. Your account links by itself, because Teams vouches for your work e-mail."
    ),
    "invite.slack": (
        "Slack: add the Łącznik app to your workspace and write it anything. Your account "
        "links by itself, because Slack vouches for your e-mail address."
    ),
    "invite.why": "You get this e-mail because you are in Łącznik's contact directory.",
    "invite.optout": "Rather not get e-mails from Łącznik? Opt out: {url}",
    "invite.optout_short": "Opt out",
    "optout.title": "Opting out of Łącznik's e-mails",
    "optout.question": (
        "Do you really want no more e-mails from Łącznik (invitations, reminders and the "
        "daily digest of announcements) at {email}?"
    ),
    "optout.button": "Yes, opt me out",
    "optout.done": (
        "{email} is opted out. You will get no more e-mails from Łącznik. Announcements on a "
        "messenger, once you link one, still come."
    ),
    "optout.unknown": "This opt-out link is not valid or no longer current.",
    "digest.subject": {
        "one": "Łącznik: {count} announcement of the last day",
        "other": "Łącznik: {count} announcements of the last day",
    },
    "digest.intro": (
        "Here are the announcements sent to you in the last day. You get them by e-mail once "
        "a day because you have not linked a messenger."
    ),
    "digest.item": "Announcement no. {number} — {author}, {when}",
    "digest.link_hint": (
        "Want announcements at once? Link a messenger: in Teams or Slack install the Łącznik "
        "app and write to it."
    ),
    "invite.cli.scope": "Scope: {scope}",
    "invite.cli.counts": (
        "people in scope {people}; linked {linked}; invitations to send {invite}; reminders "
        "{remind}; invited already {waiting}; opted out {opted_out}; no e-mail {no_email}; "
        "address refused {refused}"
    ),
    "invite.cli.dry_run": "Dry run (--dry-run): nothing was sent.",
    "invite.cli.sent": "Sent: invitations {invited}, reminders {reminded}.",
    "invite.cli.failed": "Not sent to {email}: {reason}",
    "invite.cli.retry": "To retry (a passing server error) {count}: run the command again "
                        "later.",
    "invite.cli.no_scope": "Give --all, --gmina NAME or --forum KEY (or `status`).",
    "invite.cli.status_scope": "`lacznik invite status` always shows everyone: without "
                               "--all, --gmina, --forum and --dry-run.",
    "invite.cli.no_email": "No [email] section in the configuration: nothing to send "
                           "invitations with.",
    "invite.cli.no_public_url": "Set [server] public_url (the service's public https:// "
                                "address): every e-mail has an opt-out link.",
    "invite.cli.no_telegram": "Telegram is not configured: the e-mails describe Teams and "
                              "Slack only.",
    "invite.cli.unknown_forum": "No forum {key} (see `lacznik forums list`).",
    "invite.cli.stopped": "Stopped: the mail server {host}:{port} cannot be used now "
                          "({reason}). Check the [email] section and run the command again.",
    "invite.status.gmina": "gmina",
    "invite.status.people": "people",
    "invite.status.linked": "linked",
    "invite.status.invited": "invited",
    "invite.status.opted_out": "opted out",
    "invite.status.not_reachable": "not reachable",
    "invite.status.total": "total",
    "invite.status.no_gmina": "(no gmina)",
}
