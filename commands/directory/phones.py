"""Mobile numbers for urgent SMS: normalised to E.164 with ``phonenumbers`` (region PL), told
apart from landlines (which are reported, never texted).

The directory import accepts a ``telefon komórkowy`` / ``mobile`` column (headers as the
importer folds them: no diacritics, separators as spaces); :func:`check_mobile` validates one
cell and says what to store and what to report.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

import phonenumbers
from phonenumbers import PhoneNumberType

from commands.texts import t

REGION = "PL"
MOBILE_COLUMN = "mobile"
# Accepted headers of the mobile column, folded the way the importer folds headers.
MOBILE_HEADERS: tuple[str, ...] = (
    "mobile", "mobile phone", "mobile number", "cell", "cell phone",
    "telefon komorkowy", "tel komorkowy", "tel kom", "komorka", "nr komorki",
    "numer komorki", "nr telefonu komorkowego", "numer telefonu komorkowego",
)
MOBILE_EXAMPLE = "+48 601 234 567"
# Only what is known to be a mobile: FIXED_LINE_OR_MOBILE (US, Canada, … whose plans cannot
# tell) may be a landline, and an urgent notice texted to a desk phone reaches nobody.
_TEXTABLE = {PhoneNumberType.MOBILE}


class NumberKind(StrEnum):
    """What a number turned out to be."""

    EMPTY = "empty"
    MOBILE = "mobile"
    LANDLINE = "landline"  # or any other number no SMS reaches (VoIP, toll-free, pager)
    INVALID = "invalid"


@dataclass(frozen=True, slots=True)
class MobileCheck:
    """One cell checked: ``number`` is the E.164 form to store ("" unless mobile)."""

    raw: str
    kind: NumberKind
    number: str = ""
    formatted: str = ""  # the national/international form people read

    @property
    def error(self) -> str:
        """The import error for an invalid value (bilingual, as the importer's), or ""."""
        if self.kind != NumberKind.INVALID:
            return ""
        return (f"mobile {self.raw!r} is not a valid phone number, e.g. {MOBILE_EXAMPLE} / "
                f"nieprawidłowy telefon komórkowy {self.raw!r}, np. {MOBILE_EXAMPLE}")


def check_mobile(raw: str, *, region: str = REGION) -> MobileCheck:
    """Parse ``raw`` (national numbers read as Polish): empty, a mobile number (E.164), a
    landline (reported, not stored as mobile) or invalid."""
    text = raw.strip()
    if not text:
        return MobileCheck(raw, NumberKind.EMPTY)
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return MobileCheck(raw, NumberKind.INVALID)
    if not phonenumbers.is_valid_number(parsed):
        return MobileCheck(raw, NumberKind.INVALID)
    formatted = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    if phonenumbers.number_type(parsed) not in _TEXTABLE:
        return MobileCheck(raw, NumberKind.LANDLINE, formatted=formatted)
    e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    return MobileCheck(raw, NumberKind.MOBILE, number=e164, formatted=formatted)


def is_mobile_header(folded: str) -> bool:
    """Whether a folded column header names the mobile column."""
    return folded in MOBILE_HEADERS


@dataclass
class MobileReport:
    """What an import did with mobile numbers: stored, and landlines reported by row."""

    mobiles: int = 0
    landlines: list[tuple[int, str, str]] = field(default_factory=list)  # row, name, number

    def add(self, row: int, name: str, check: MobileCheck) -> None:
        """Count one checked cell of row ``row`` (person ``name``)."""
        if check.kind == NumberKind.MOBILE:
            self.mobiles += 1
        elif check.kind == NumberKind.LANDLINE:
            self.landlines.append((row, name, check.formatted))

    def lines(self, lang: str) -> list[str]:
        """The report's lines: how many mobiles, and each landline that will get no SMS."""
        out = [t(lang, "sms.import.mobiles", count=self.mobiles)] if self.mobiles else []
        out += [t(lang, "sms.import.landline", row=row, name=name, number=number)
                for row, name, number in self.landlines]
        return out


def landlines(checks: Iterable[MobileCheck]) -> list[MobileCheck]:
    """The checks that found a landline where a mobile number was expected."""
    return [c for c in checks if c.kind == NumberKind.LANDLINE]
