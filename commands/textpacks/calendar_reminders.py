"""User-facing texts of personal reminders, reminder notices and quiet hours, in Polish and
English."""

from __future__ import annotations

from commands.plurals import Text

PL: dict[str, Text] = {
    "cmd.remind": "przypomnij mi, np. /przypomnij jutro o 9 wysłać sprawozdanie",
    "cmd.reminders": "moje przypomnienia: lista i odwoływanie",
    "cmd.quiet": "moje godziny ciszy (bez przypomnień), np. /cisza 21:00-7:00",
    "cal.remind.meeting": "Przypomnienie: {title}",
    "cal.remind.materials": "Materiały na spotkanie: {title}",
    "cal.remind.footer": "Szczegóły: /wydarzenie {id}",
    "cal.remind.deadline": "Termin: {title}",
    "cal.remind.deadline_footer": "Szczegóły: /termin {id} · Twój plan: /plan",
    "cal.remind.personal": "Przypomnienie",
    "cal.remind.personal_footer": "Ustawione: {when}. Twoje przypomnienia: /przypomnienia",
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
    "cal.quiet.now": (
        "Twoje godziny ciszy: {start}–{end}{weekends}. Przypomnienia wypadające wtedy przyjdą "
        "na początku kolejnego okna pracy. Zmiana: /cisza 21:00-7:00, /cisza weekendy nie, "
        "/cisza domyślne."
    ),
    "cal.quiet.saved": "Zapisane. Godziny ciszy: {start}–{end}{weekends}.",
    "cal.quiet.weekends_on": ", a także weekendy i święta",
    "cal.quiet.weekends_off": "; w weekendy przypomnienia przychodzą normalnie (poza świętami)",
    "cal.quiet.usage": "Użycie: /cisza 21:00-7:00 · /cisza weekendy tak|nie · /cisza domyślne",
}

EN: dict[str, Text] = {
    "cmd.remind": "remind me, e.g. /remind tomorrow at 9 send the report",
    "cmd.reminders": "my reminders: list and cancel",
    "cmd.quiet": "my quiet hours (no reminders), e.g. /quiet 21:00-7:00",
    "cal.remind.meeting": "Reminder: {title}",
    "cal.remind.materials": "Materials for the meeting: {title}",
    "cal.remind.footer": "Details: /event {id}",
    "cal.remind.deadline": "Deadline: {title}",
    "cal.remind.deadline_footer": "Details: /deadline {id} · your plan: /plan",
    "cal.remind.personal": "Reminder",
    "cal.remind.personal_footer": "Set on {when}. Your reminders: /reminders",
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
    "cal.quiet.now": (
        "Your quiet hours: {start}–{end}{weekends}. Reminders falling due then arrive at the "
        "start of the next working window. Change: /quiet 21:00-7:00, /quiet weekends no, "
        "/quiet default."
    ),
    "cal.quiet.saved": "Saved. Quiet hours: {start}–{end}{weekends}.",
    "cal.quiet.weekends_on": ", and weekends and public holidays",
    "cal.quiet.weekends_off": "; reminders arrive on weekends as usual (not on holidays)",
    "cal.quiet.usage": "Usage: /quiet 21:00-7:00 · /quiet weekends yes|no · /quiet default",
}
