"""Plural forms of counted texts, chosen by the CLDR rules of each language (Babel).

A text that counts something is written in the catalogue as a mapping from CLDR plural
category to template, and :func:`commands.texts.t` picks the form by the value ``count``::

    "ann.confirm_question": {
        "one": "Wysłać do {count} osoby? {counts}",   # 1
        "few": "Wysłać do {count} osób? {counts}",    # 2–4, 22–24, … (not 12–14)
        "many": "Wysłać do {count} osób? {counts}",   # 0, 5–21, 25–31, …
        "other": "Wysłać do {count} osób? {counts}",  # fractions
    },

Polish has the categories one, few, many and other; English one and other. Every category of
the language must be written out (:func:`missing_forms`), so a form is never guessed. A text
with two counts names one ``count`` and takes the other as a phrase made by its own key.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache

from babel import Locale

# The Babel locale whose rules (and date patterns) each catalogue language follows.
LOCALES = {"pl": "pl_PL", "en": "en_GB"}
CATEGORIES = ("zero", "one", "two", "few", "many", "other")

Forms = Mapping[str, str]
"""A counted text: CLDR plural category → template."""
Text = str | Forms
"""A catalogue entry: a template, or a counted text's forms."""


@cache
def locale(lang: str) -> Locale:
    """The Babel locale of a catalogue language (Polish for one we do not have)."""
    return Locale.parse(LOCALES.get(lang, LOCALES["pl"]))


def category(lang: str, count: float) -> str:
    """The CLDR plural category of ``count`` in ``lang``: "one", "few", "many" or "other"."""
    return locale(lang).plural_form(abs(count))


def categories(lang: str) -> frozenset[str]:
    """Every category ``lang`` distinguishes ("other" included)."""
    return locale(lang).plural_form.tags | {"other"}


def choose(lang: str, forms: Mapping[str, str], count: float) -> str:
    """The form of ``forms`` for ``count`` in ``lang``."""
    return forms.get(category(lang, count)) or forms["other"]


def missing_forms(lang: str, forms: Mapping[str, str]) -> frozenset[str]:
    """Categories ``lang`` needs that ``forms`` lacks, and keys that are no category."""
    return (categories(lang) - set(forms)) | (set(forms) - set(CATEGORIES))
