"""User-facing texts of the reminders_repeat feature (Polish and English)."""

from __future__ import annotations

PL: dict[str, str] = {
    "rep.saved": "Dobrze — przypomnę Ci „{what}” {rule}. Najbliższe: {next}.",
    "rep.line": "#{id} {rule} (najbliższe: {next}) — {what}",
    "rep.rule_at": "{rule}, o {time}",
    "rep.month_day": "{rule}, {day}. dnia",
    "rep.cancelled": "Odwołano powtarzające się przypomnienie „{what}” ({rule}).",
    "rep.footer": "Powtarza się {rule}. Odwołanie: /przypomnienia usuń {id}",
    "rep.no_more": "już nie wypada",
    "rep.unknown": "Nie rozumiem, jak często przypominać, w „{text}”.",
    "rep.examples": (
        "Przykłady powtarzających się przypomnień:\n/przypomnij codziennie o 8 sprawdzić "
        "pocztę\n/przypomnij w dni robocze o 8:30 odprawa\n/przypomnij w każdy poniedziałek "
        "o 9 raport tygodniowy\n/przypomnij co miesiąc 10-go o 9 faktury\n/przypomnij co drugi "
        "piątek o 10 lista płac"
    ),
}

EN: dict[str, str] = {
    "rep.saved": "OK — I will remind you of “{what}” {rule}. Next: {next}.",
    "rep.line": "#{id} {rule} (next: {next}) — {what}",
    "rep.rule_at": "{rule}, at {time}",
    "rep.month_day": "{rule} on day {day}",
    "rep.cancelled": "Repeating reminder “{what}” ({rule}) cancelled.",
    "rep.footer": "Repeats {rule}. To cancel: /reminders cancel {id}",
    "rep.no_more": "no more occurrences",
    "rep.unknown": "I don't understand how often to remind you in “{text}”.",
    "rep.examples": (
        "Examples of repeating reminders:\n/remind every day at 8 check the mailbox\n/remind on "
        "weekdays at 8:30 briefing\n/remind every Monday at 9 weekly report\n/remind monthly "
        "on the 10th at 9 invoices\n/remind every other Friday at 10 payroll"
    ),
}
