"""Dates and times as people write them, in Polish and in English — and never a guess.

"jutro o 9", "za 2 godziny", "15 grudnia 10:00", "w piątek", "pojutrze", "w przyszły wtorek o
14:30", "1.12 o 8:30", "tomorrow at 9", "in 2 hours", "next Tuesday 2:30 pm", "December 15".

What cannot be read exactly is refused with a reason (:class:`WhenError`), never completed
by guessing: a bare hour from 1 to 6 (5:00 or 17:00?), "next week" without a day, a weekday
that does not match the date, 31 February, a moment in the past. A day without a time takes
the caller's default time (stated back to the user) or is a whole day.
"""

from __future__ import annotations

import re
from calendar import isleap
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from dateutil.relativedelta import relativedelta

from commands.clock import WARSAW
from commands.directory.language import fold

_TOKEN = re.compile(
    r"\d{4}-\d{1,2}-\d{1,2}"  # 2026-12-15
    r"|\d{1,2}[:.]\d{1,2}(?:\.\d{2,4})?\.?"  # 9:30, 9.30, 15.12, 15.12.2026
    r"|\d{1,2}/\d{1,2}(?:/\d{2,4})?"  # 12/15 (English)
    r"|\d+(?:st|nd|rd|th)?"
    r"|[^\W\d_]+\.?"
    r"|[-–—]|,",
    re.UNICODE,
)

_MONTHS = {
    **dict.fromkeys(("stycznia", "styczen", "sty", "january", "jan"), 1),
    **dict.fromkeys(("lutego", "luty", "lut", "february", "feb"), 2),
    **dict.fromkeys(("marca", "marzec", "mar", "march"), 3),
    **dict.fromkeys(("kwietnia", "kwiecien", "kwi", "april", "apr"), 4),
    **dict.fromkeys(("maja", "maj", "may"), 5),
    **dict.fromkeys(("czerwca", "czerwiec", "cze", "june", "jun"), 6),
    **dict.fromkeys(("lipca", "lipiec", "lip", "july", "jul"), 7),
    **dict.fromkeys(("sierpnia", "sierpien", "sie", "august", "aug"), 8),
    **dict.fromkeys(("wrzesnia", "wrzesien", "wrz", "september", "sep", "sept"), 9),
    **dict.fromkeys(("pazdziernika", "pazdziernik", "paz", "october", "oct"), 10),
    **dict.fromkeys(("listopada", "listopad", "lis", "november", "nov"), 11),
    **dict.fromkeys(("grudnia", "grudzien", "gru", "december", "dec"), 12),
}
_ROMAN = {"ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9, "x": 10,
          "xi": 11, "xii": 12}
_WEEKDAYS = {
    **dict.fromkeys(("poniedzialek", "poniedzialku", "pon", "monday", "mon"), 0),
    **dict.fromkeys(("wtorek", "wtorku", "wt", "tuesday", "tue", "tues"), 1),
    **dict.fromkeys(("sroda", "srode", "srody", "sr", "wednesday", "wed"), 2),
    **dict.fromkeys(("czwartek", "czwartku", "czw", "thursday", "thu", "thur", "thurs"), 3),
    **dict.fromkeys(("piatek", "piatku", "pt", "friday", "fri"), 4),
    **dict.fromkeys(("sobota", "sobote", "soboty", "sob", "saturday", "sat"), 5),
    **dict.fromkeys(("niedziela", "niedziele", "niedzieli", "niedz", "nd", "sunday", "sun"), 6),
}
_NEXT_WEEK_WORDS = {"przyszly", "przyszla", "przyszlym", "nastepny", "nastepna", "nastepnym",
                    "next"}
_THIS_WEEK_WORDS = {"ten", "ta", "te", "this", "najblizszy", "najblizsza", "coming"}
_TIME_CUES = {"o", "at", "godz", "godzinie", "godzina", "g", "od", "from", "around", "ok",
              "okolo"}
_FILLER = {"w", "we", "na", "on", "the", "of", "r", "roku", "dnia", "dniu", "dn", ","}
_AM = {"rano", "am", "morning", "rana"}
_PM = {"wieczorem", "wieczor", "pm", "evening", "popoludniu", "afternoon", "wieczora"}
_NUMBER_WORDS = {
    "jeden": 1, "jedna": 1, "jedno": 1, "one": 1, "a": 1, "an": 1,
    "dwa": 2, "dwie": 2, "two": 2, "trzy": 3, "three": 3, "cztery": 4, "four": 4,
    "piec": 5, "five": 5, "szesc": 6, "six": 6, "siedem": 7, "seven": 7, "osiem": 8,
    "eight": 8, "dziewiec": 9, "nine": 9, "dziesiec": 10, "ten": 10, "pietnascie": 15,
    "fifteen": 15, "dwadziescia": 20, "twenty": 20, "trzydziesci": 30, "thirty": 30,
    "czterdziesci": 40, "forty": 40, "pol": 0.5, "half": 0.5, "poltorej": 1.5,
}
_UNITS: dict[str, str] = {
    **dict.fromkeys(("min", "minut", "minuty", "minute", "minutes", "mins", "minuta"), "min"),
    **dict.fromkeys(("godz", "godzin", "godziny", "godzine", "godzina", "h", "hour", "hours",
                     "hr", "hrs"), "h"),
    **dict.fromkeys(("dzien", "dni", "dnia", "day", "days"), "d"),
    **dict.fromkeys(("tydzien", "tygodnie", "tygodni", "tygodnia", "tyg", "week", "weeks"), "w"),
    **dict.fromkeys(("miesiac", "miesiace", "miesiecy", "miesiaca", "month", "months"), "mo"),
}


class WhenError(ValueError):
    """The text names a moment that cannot be used. ``key`` is a text key (``when.*``),
    ``values`` fill it in."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


@dataclass(frozen=True, slots=True)
class When:
    """A moment (and maybe an end), timezone-aware in Warsaw. ``has_time`` False: a whole
    day (``start`` at midnight)."""

    start: datetime
    end: datetime | None = None
    has_time: bool = True


@dataclass(slots=True)
class _Token:
    raw: str
    word: str  # folded, without a trailing dot
    start: int
    end: int


def _tokens(text: str) -> list[_Token]:
    found = []
    for match in _TOKEN.finditer(text):
        raw = match.group(0)
        word = fold(raw)
        if word.endswith(".") and not re.match(r"^\d", word):
            word = word[:-1]
        found.append(_Token(raw, word, match.start(), match.end()))
    return found


@dataclass(slots=True)
class _Reading:
    """What the tokens said so far."""

    day: date | None = None
    year_given: bool = True
    weekday: int | None = None
    week_shift: int = 0  # +1: "przyszły wtorek" = the one in next week
    this_week: bool = False
    hour: int | None = None
    minute: int = 0
    explicit_minutes: bool = False
    marker: str = ""  # "am" / "pm" / "noon"
    end: tuple[int, int] | None = None
    exact: datetime | None = None  # "za 2 godziny"
    days_ahead: relativedelta | None = None  # "za 3 dni"
    extras: list[str] = field(default_factory=list)


class _Parser:
    """Reads a whole token list as one date expression; None if it is not one."""

    def __init__(self, tokens: list[_Token], now: datetime) -> None:
        self.t = tokens
        self.now = now.astimezone(WARSAW)
        self.today = self.now.date()
        self.r = _Reading()
        self.i = 0

    def word(self, offset: int = 0) -> str:
        index = self.i + offset
        return self.t[index].word if index < len(self.t) else ""

    def parse(self) -> _Reading | None:
        consumed_any = False
        while self.i < len(self.t):
            if not self._step():
                return None
            consumed_any = True
        return self.r if consumed_any else None

    def _set_day(self, day: date, *, year_given: bool = True) -> bool:
        if self.r.day is not None or self.r.days_ahead is not None or self.r.exact:
            return False
        self.r.day, self.r.year_given = day, year_given
        return True

    def _step(self) -> bool:
        w = self.word()
        if w in ("dzis", "dzisiaj", "today"):
            self.i += 1
            return self._set_day(self.today)
        if w in ("wczoraj", "yesterday"):  # refused as past, not read as a bare hour
            self.i += 1
            return self._set_day(self.today - timedelta(days=1))
        if w == "przedwczoraj":
            self.i += 1
            return self._set_day(self.today - timedelta(days=2))
        if w in ("jutro", "tomorrow"):
            self.i += 1
            return self._set_day(self.today + timedelta(days=1))
        if w == "pojutrze" or (w == "day" and self.word(1) == "after" and
                               self.word(2) == "tomorrow"):
            self.i += 1 if w == "pojutrze" else 3
            return self._set_day(self.today + timedelta(days=2))
        if w in ("za", "in"):
            return self._relative()
        if w in _NEXT_WEEK_WORDS or w in _THIS_WEEK_WORDS:
            following = self.word(1)
            if following in ("tydzien", "tygodniu", "week"):
                raise WhenError("when.which_day")
            if following in _WEEKDAYS:
                if w in _NEXT_WEEK_WORDS:
                    self.r.week_shift = 1
                else:
                    self.r.this_week = True
                self.i += 1
                return self._step()
            return False
        if w in _WEEKDAYS:
            if self.r.weekday is not None:
                return False
            self.r.weekday = _WEEKDAYS[w]
            self.i += 1
            return True
        if w in ("poludnie", "noon") and self.r.hour is None:
            self.r.hour, self.r.marker = 12, "noon"
            self.i += 1
            return True
        if w == "po" and self.word(1) == "poludniu":
            return self._marker("pm", 2)
        if w in _AM:
            return self._marker("am", 1)
        if w in _PM:
            return self._marker("pm", 1)
        if w in _MONTHS and self.word(1) and re.match(r"^\d", self.word(1)):
            return self._month_first()
        if w in _TIME_CUES:
            return self._cued_time()
        if w in ("-", "–", "—", "do", "to", "until", "till") and self.r.hour is not None:
            return self._range_end()
        if w in _FILLER:
            self.i += 1  # a preposition must lead somewhere; "2026 r." may end the text
            return self.i < len(self.t) or w in ("r", "roku", ",")
        if re.match(r"^\d{4}-\d{1,2}-\d{1,2}$", w):
            year, month, day = (int(x) for x in w.split("-"))
            self.i += 1
            return self._set_day(_date(year, month, day))
        if re.match(r"^\d{1,2}/\d{1,2}(/\d{2,4})?$", w):
            return self._slashed(w)
        if re.match(r"^\d{1,2}[:.]\d{1,2}(\.\d{2,4})?\.?$", w):
            return self._dotted(w, cued=False)
        if re.match(r"^\d+(st|nd|rd|th)?$", w):
            return self._number(w)
        return False

    def _marker(self, marker: str, width: int) -> bool:
        if self.r.marker:
            return False
        self.r.marker = marker
        self.i += width
        return True

    def _relative(self) -> bool:
        self.i += 1
        amount: float = 1
        w = self.word()
        if re.match(r"^\d+$", w):
            amount = int(w)
            self.i += 1
        elif w == "half" and self.word(1) in ("an", "a"):
            amount = 0.5
            self.i += 2
        elif w in _NUMBER_WORDS and (self.word(1) in _UNITS or self.word(1) == "kwadrans"):
            amount = _NUMBER_WORDS[w]
            self.i += 1
        unit_word = self.word()
        if unit_word == "kwadrans":
            unit, amount = "min", amount * 15
        elif unit_word in _UNITS:
            unit = _UNITS[unit_word]
        else:
            return False
        self.i += 1
        if self.r.exact or self.r.days_ahead or self.r.day:
            return False
        if unit in ("min", "h"):
            minutes = amount * (60 if unit == "h" else 1)
            if minutes <= 0:
                return False
            self.r.exact = (self.now + timedelta(minutes=minutes)).replace(second=0,
                                                                           microsecond=0)
            return True
        if amount != int(amount) or amount <= 0:
            return False
        count = int(amount)
        self.r.days_ahead = {"d": relativedelta(days=count), "w": relativedelta(weeks=count),
                             "mo": relativedelta(months=count)}[unit]
        return True

    def _cued_time(self) -> bool:
        self.i += 1
        while self.word() in _TIME_CUES:
            self.i += 1
        w = self.word()
        if re.match(r"^\d{1,2}[:.]\d{1,2}\.?$", w):
            return self._dotted(w, cued=True)
        if re.match(r"^\d{1,2}$", w):
            return self._hour(int(w), minutes=None)
        if w in ("poludnie", "noon"):
            return self._step()
        return False

    def _hour(self, hour: int, minutes: int | None) -> bool:
        if self.r.hour is not None:
            return False
        if hour > 24 or (minutes is not None and minutes > 59) or (hour == 24 and minutes):
            raise WhenError("when.bad_time", text=f"{hour}:{minutes or 0:02d}")
        self.r.hour = 0 if hour == 24 else hour
        self.r.minute = minutes or 0
        self.r.explicit_minutes = minutes is not None
        self.i += 1
        return True

    def _range_end(self) -> bool:
        self.i += 1
        while self.word() in _TIME_CUES:
            self.i += 1
        w = self.word()
        match = re.match(r"^(\d{1,2})(?:[:.](\d{1,2}))?\.?$", w)
        if not match or self.r.end is not None:
            return False
        hour, minute = int(match[1]), int(match[2] or 0)
        if hour > 24 or minute > 59:
            raise WhenError("when.bad_time", text=f"{hour}:{minute:02d}")
        self.r.end = (hour % 24, minute)
        self.i += 1
        return True

    def _dotted(self, w: str, *, cued: bool) -> bool:
        parts = [p for p in w.rstrip(".").replace(":", ".").split(".") if p]
        first, second = int(parts[0]), int(parts[1])
        # "13.13 o 10": with a time after it (or before it) a dotted pair is a date.
        dated = self.word(1) in _TIME_CUES or self.r.hour is not None
        if ":" in w or cued or (len(parts) == 2 and second > 12 and not dated):
            if len(parts) != 2:
                return False
            return self._hour(first, second)
        year_given = len(parts) == 3
        year = _full_year(int(parts[2])) if year_given else self.today.year
        self.i += 1
        return self._set_day(_date(year, second, first), year_given=year_given)

    def _slashed(self, w: str) -> bool:
        parts = [int(p) for p in w.split("/")]
        first, second = parts[0], parts[1]
        if first <= 12 and second <= 12 and first != second:
            raise WhenError("when.ambiguous_date", text=w)
        day, month = (second, first) if second > 12 else (first, second)
        year_given = len(parts) == 3
        year = _full_year(parts[2]) if year_given else self.today.year
        self.i += 1
        return self._set_day(_date(year, month, day), year_given=year_given)

    def _number(self, w: str) -> bool:
        value = int(re.sub(r"\D", "", w))
        following = self.word(1)
        if following == "of" and self.word(2) in _MONTHS:
            self.i += 1
            following = self.word(1)
        if following in _MONTHS or following in _ROMAN:
            month = _MONTHS.get(following) or _ROMAN[following]
            self.i += 2
            return self._day_month(value, month)
        if following in _AM | _PM or following == "po":
            return self._hour(value, minutes=None)
        if following in ("-", "–", "—", "do", "to") and self.r.hour is None and \
                re.match(r"^\d{1,2}([:.]\d{2})?$", self.word(2)):
            return self._hour(value, minutes=None)
        if len(w) == 4 and self.r.day is not None and not self.r.year_given:
            self.r.day = _date(value, self.r.day.month, self.r.day.day)
            self.r.year_given = True
            self.i += 1
            return True
        return False

    def _day_month(self, day: int, month: int) -> bool:
        year_given = False
        year = self.today.year
        if re.match(r"^\d{4}$", self.word()):
            year, year_given = int(self.word()), True
            self.i += 1
        return self._set_day(_date(year, month, day), year_given=year_given)

    def _month_first(self) -> bool:  # "December 15", "December 15th, 2026"
        month = _MONTHS[self.word()]
        day = int(re.sub(r"\D", "", self.word(1)))
        self.i += 2
        if self.word() == ",":
            self.i += 1
        return self._day_month(day, month)


def _full_year(value: int) -> int:
    return value + 2000 if value < 100 else value


def _date(year: int, month: int, day: int) -> date:
    if not 1 <= month <= 12:
        raise WhenError("when.no_such_month", month=month)
    try:
        return date(year, month, day)
    except (ValueError, OverflowError):  # also a year or day of twenty digits
        raise WhenError("when.no_such_day", day=day, month=month) from None


def _nearest_year(day: date, today: date, allow_past: bool) -> date:
    """A date written without its year is the nearest such date: "15 stycznia" said in
    December is next January, "1 grudnia" said on the 4th has passed — refused, not moved a
    year ahead (the user names the year if they mean it)."""
    if day >= today:
        return day
    year = day.year + 1
    while day.month == 2 and day.day == 29 and not isleap(year):  # back in a leap year
        year += 1
    next_year = day.replace(year=year)
    if year == day.year + 1 and next_year - today < today - day:
        return next_year
    if allow_past:
        return day
    raise WhenError("when.past_date", day=day, example=next_year)


def _compose(r: _Reading, now: datetime, default_time: time | None,
             allow_past: bool = False) -> When:
    now = now.astimezone(WARSAW)
    today = now.date()
    if r.exact is not None:
        if r.day or r.hour is not None or r.weekday is not None or r.marker:
            raise WhenError("when.unparseable")
        return When(r.exact)
    day = r.day
    if day is not None and not r.year_given:
        day = _nearest_year(day, today, allow_past)
    if r.days_ahead is not None:
        day = today + r.days_ahead
    if r.weekday is not None:
        if day is not None:
            if day.weekday() != r.weekday:
                raise WhenError("when.weekday_mismatch", day=day, weekday=r.weekday)
        elif r.week_shift:
            monday_next = today + timedelta(days=7 - today.weekday())
            day = monday_next + timedelta(days=r.weekday)
        else:
            ahead = (r.weekday - today.weekday()) % 7
            day = today + timedelta(days=ahead or (0 if r.this_week else 7))
    hour = r.hour
    if hour is not None:
        hour = _apply_marker(hour, r)
    elif r.marker == "pm" or (r.marker == "am" and (default_time is None or
                                                     default_time.hour >= 12)):
        raise WhenError("when.which_time")
    if day is None and hour is None:
        raise WhenError("when.unparseable")
    end: datetime | None = None
    if hour is None:
        assert day is not None
        if default_time is None:
            return When(datetime.combine(day, time(0, 0), WARSAW), None, has_time=False)
        start = datetime.combine(day, default_time, WARSAW)
    else:
        start = datetime.combine(day or today, time(hour, r.minute), WARSAW)
        if day is None and start <= now:
            raise WhenError("when.past_time", time=start)
        if r.end is not None:
            end_hour = r.end[0] + (12 if r.marker == "pm" and r.end[0] < 12 else 0)
            end = datetime.combine(start.date(), time(end_hour % 24, r.end[1]), WARSAW)
            if end <= start:
                raise WhenError("when.end_before_start")
    return When(start, end, has_time=True)


def _apply_marker(hour: int, r: _Reading) -> int:
    if r.marker == "pm" and hour < 12:
        return hour + 12
    if r.marker == "am" and hour == 12:
        return 0
    if r.marker == "am" and hour > 12:
        raise WhenError("when.bad_time", text=f"{hour} rano")
    if not r.marker and not r.explicit_minutes and 1 <= hour <= 6:
        raise WhenError("when.ambiguous_hour", hour=hour)
    return hour


def parse_when(text: str, *, now: datetime, default_time: time | None = None,
               allow_past: bool = False) -> When:
    """The whole ``text`` as one moment (or range). Raises :class:`WhenError`."""
    tokens = _tokens(text)
    if not tokens:
        raise WhenError("when.unparseable")
    reading = _Parser(tokens, now).parse()
    if reading is None:
        raise WhenError("when.unparseable")
    when = _compose(reading, now, default_time, allow_past)
    _check_future(when, now, allow_past)
    return when


def split_when(text: str, *, now: datetime, default_time: time) -> tuple[When, str]:
    """A moment at the start (or else at the end) of ``text`` and the rest: "jutro o 9 wysłać
    sprawozdanie" → (tomorrow 9:00, "wysłać sprawozdanie"). Raises :class:`WhenError`."""
    tokens = _tokens(text)
    for size in range(len(tokens), 0, -1):
        reading = _Parser(tokens[:size], now).parse()
        if reading is not None:
            when = _compose(reading, now, default_time)
            _check_future(when, now, False)
            return when, text[tokens[size - 1].end:].strip(" ,:;-–—")
    for begin in range(1, len(tokens)):
        reading = _Parser(tokens[begin:], now).parse()
        if reading is not None:
            when = _compose(reading, now, default_time)
            _check_future(when, now, False)
            if tokens[begin - 1].word in ("do", "by", "until", "till", "przed", "before"):
                return when, text.strip()  # "wysłać raport do piątku": the time is the point
            return when, text[: tokens[begin].start].strip(" ,:;-–—")
    raise WhenError("when.unparseable")


def _check_future(when: When, now: datetime, allow_past: bool) -> None:
    if allow_past:
        return
    if when.has_time and when.start <= now:
        raise WhenError("when.past", when=when.start)
    if not when.has_time and when.start.date() < now.astimezone(WARSAW).date():
        raise WhenError("when.past", when=when.start)


def time_of_day(text: str) -> time:
    """The time of day alone ("o 8", "8:30", "at 2:30 pm", "o 17"), as a repeating reminder
    names it; the same refusals as a moment ("o 5": 5:00 or 17:00?). Raises
    :class:`WhenError`."""
    midnight = datetime(2026, 1, 5, tzinfo=WARSAW)  # any day: only the time is read
    when = parse_when(text, now=midnight, allow_past=True)
    if not when.has_time or when.start.date() != midnight.date() or when.end is not None:
        raise WhenError("when.unparseable")
    return when.start.time()
