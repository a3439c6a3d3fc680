"""Every user-facing text, in Polish and English: ``t(lang, key)``.

The texts themselves live by feature in :mod:`commands.textpacks` (one module per feature,
``PL`` and ``EN``), so wording is reviewed beside its feature; this module merges them into
one catalogue per language and checks it. Polish is the default. Texts are plain: adapters
escape them for their own format. A text that counts something has one form per CLDR plural
category, picked by its ``count`` value (:mod:`commands.plurals`): "1 osoba, 2 osoby, 5 osób".
"""

from __future__ import annotations

from collections.abc import Mapping
from string import Formatter

from commands.plurals import Text, choose, missing_forms

DEFAULT_LANG = "pl"
LANGS = ("pl", "en")
# Messenger names as people read them in signatures and reports ("via Teams").
PLATFORM_NAMES = {"teams": "Teams", "telegram": "Telegram", "slack": "Slack",
                  "console": "konsola", "sms": "SMS"}


def _merge_packs() -> tuple[dict[str, Text], dict[str, Text]]:
    # A key in two packs would silently replace a reviewed text, so it fails loudly.
    from commands.textpacks import packs

    pl_texts: dict[str, Text] = {}
    en_texts: dict[str, Text] = {}
    for name, pl, en in packs():
        for catalogue, extra in ((pl_texts, pl), (en_texts, en)):
            clash = set(catalogue) & set(extra)
            if clash:
                raise RuntimeError(f"{name} repeats text keys: {sorted(clash)}")
            catalogue.update(extra)
    return pl_texts, en_texts


_PL, _EN = _merge_packs()
_CATALOGUES: Mapping[str, Mapping[str, Text]] = {"pl": _PL, "en": _EN}


def pick_lang(*hints: str | None) -> str:
    """The first supported language among ``hints`` (``"en-GB"`` counts as ``"en"``)."""
    for hint in hints:
        if hint:
            short = hint.replace("_", "-").split("-")[0].lower()
            if short in _CATALOGUES:
                return short
    return DEFAULT_LANG


def t(lang: str, key: str, /, **values: object) -> str:
    """The text ``key`` in ``lang`` (falling back to Polish), with ``values`` filled in; a
    counted text takes the plural form of ``values["count"]``."""
    catalogue = _CATALOGUES.get(lang)
    if catalogue is None or not catalogue.get(key):
        lang, catalogue = DEFAULT_LANG, _PL
    template = catalogue[key]
    if not isinstance(template, str):
        count = values.get("count")
        if not isinstance(count, int | float):
            raise TypeError(f"text {key!r} has plural forms: give it a number as count=")
        template = choose(lang, template, count)
    return template.format(**values) if values else template


def missing_translations() -> dict[str, set[str]]:
    """Keys present in one language but not the other (tests keep this empty)."""
    pl, en = set(_PL), set(_EN)
    return {"en": pl - en, "pl": en - pl}


def plural_problems() -> dict[str, str]:
    """``"lang key"`` → what is wrong with a counted text: CLDR categories it lacks in that
    language, keys that are no category, or forms that take other values than the rest of
    the text in both languages (``{count}`` aside: "co tydzień" needs none). Tests keep this
    empty."""
    problems: dict[str, str] = {}
    counted = {key for catalogue in _CATALOGUES.values()
               for key, template in catalogue.items() if not isinstance(template, str)}
    for key in sorted(counted):
        fields = {(lang, form): _fields(form) for lang, catalogue in _CATALOGUES.items()
                  for form in _forms(catalogue.get(key, ""))}
        for lang, catalogue in _CATALOGUES.items():
            template = catalogue.get(key, "")
            if not isinstance(template, str) and (missing := missing_forms(lang, template)):
                problems[f"{lang} {key}"] = f"plural forms wanted: {sorted(missing)}"
        if len(set(fields.values())) > 1:
            problems[f"* {key}"] = f"forms take different values: {sorted(fields.values())}"
    return problems


def _forms(template: Text) -> list[str]:
    return [template] if isinstance(template, str) else list(template.values())


def _fields(template: str) -> tuple[str, ...]:
    return tuple(sorted({name for _, name, _, _ in Formatter().parse(template) if name}
                        - {"count"}))
