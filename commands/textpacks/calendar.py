"""User-facing texts of the calendar: events, the plan, answers, calendar feeds (.ics), in
Polish and English."""

from __future__ import annotations

PL: dict[str, str] = {
    "cmd.plan": "mój plan: spotkania, terminy i przypomnienia, od najbliższych",
    "cmd.events": "nadchodzące wydarzenia: moje, forum (/wydarzenia PZP) albo wszystkie",
    "cmd.event": "wydarzenie: szczegóły i odpowiedzi; moderator: nowe, zmień, odwołaj, przenieś",
    "cmd.calendar": "adres kalendarza .ics do Outlooka lub telefonu (mój albo forum)",
    "cal.line.forum": "Forum: {forum}",
    "cal.line.place": "Miejsce: {place}",
    "cal.line.link": "Link do spotkania: {url}",
    "cal.line.materials": "Materiały:",
    "cal.rsvp.yes": "Będę",
    "cal.rsvp.no": "Nie będę",
    "cal.rsvp.saved_yes": "Zapisano: będziesz na „{title}” ({when}).",
    "cal.rsvp.saved_no": "Zapisano: nie będzie Cię na „{title}” ({when}).",
    "cal.rsvp.gone": "Tego spotkania już nie ma w kalendarzu (odwołane lub przeniesione).",
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
    "ics.forum": "Forum: {forum}",
    "ics.link": "Link do spotkania: {url}",
    "ics.materials": "Materiały:\n{links}",
    "ics.deadline": "Termin: {title}",
}

EN: dict[str, str] = {
    "cmd.plan": "my plan: meetings, deadlines and reminders, soonest first",
    "cmd.events": "upcoming events: mine, a forum's (/events PZP) or all",
    "cmd.event": "one event: details and answers; moderators: new, change, cancel, move",
    "cmd.calendar": "a .ics calendar address for Outlook or a phone (mine or a forum's)",
    "cal.line.forum": "Forum: {forum}",
    "cal.line.place": "Place: {place}",
    "cal.line.link": "Meeting link: {url}",
    "cal.line.materials": "Materials:",
    "cal.rsvp.yes": "I'll be there",
    "cal.rsvp.no": "I can't come",
    "cal.rsvp.saved_yes": "Saved: you will attend “{title}” ({when}).",
    "cal.rsvp.saved_no": "Saved: you will not attend “{title}” ({when}).",
    "cal.rsvp.gone": "This meeting is no longer in the calendar (cancelled or moved).",
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
    "ics.forum": "Forum: {forum}",
    "ics.link": "Meeting link: {url}",
    "ics.materials": "Materials:\n{links}",
    "ics.deadline": "Deadline: {title}",
}
