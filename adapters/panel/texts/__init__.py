"""The office panel's own texts, in Polish and English.

Each module of this package (one per page) defines ``PL`` and ``EN`` with keys prefixed by
its name ("katalog.title"); they are merged here, and a key defined twice fails at import.
Texts the chat already has are reached through :func:`commands.texts.t` as a fallback.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Mapping

from commands.texts import pick_lang
from commands.texts import t as chat_text


def _merge() -> dict[str, dict[str, str]]:
    merged: dict[str, dict[str, str]] = {"pl": {}, "en": {}}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.ispkg or info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        for lang, texts in (("pl", module.PL), ("en", module.EN)):
            clash = set(merged[lang]) & set(texts)
            if clash:
                raise RuntimeError(f"{module.__name__} repeats panel text keys: {sorted(clash)}")
            merged[lang].update(texts)
    return merged


_CATALOGUES: Mapping[str, Mapping[str, str]] = _merge()


def pt(lang: str, key: str, /, **values: object) -> str:
    """The panel text ``key`` in ``lang`` (Polish if missing there), else the chat's text."""
    lang = pick_lang(lang)
    template = _CATALOGUES[lang].get(key) or _CATALOGUES["pl"].get(key)
    if template is None:
        try:
            return chat_text(lang, key, **values)
        except KeyError:  # a page shipped without its text: show the key, not an error page
            return key
    return template.format(**values) if values else template


def known(key: str) -> bool:
    """``key`` is a panel text (notices passed in a redirect must be)."""
    return key in _CATALOGUES["pl"]


def missing_translations() -> dict[str, set[str]]:
    """Keys present in one language but not the other (tests keep this empty)."""
    pl, en = set(_CATALOGUES["pl"]), set(_CATALOGUES["en"])
    return {"en": pl - en, "pl": en - pl}
