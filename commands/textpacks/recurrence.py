"""User-facing texts of repetition rules: “co tydzień”, “w drugi wtorek miesiąca”, in Polish
and English."""

from __future__ import annotations

from commands.plurals import Text

PL: dict[str, Text] = {
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
}

EN: dict[str, Text] = {
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
}
