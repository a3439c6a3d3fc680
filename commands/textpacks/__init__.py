"""Texts of features, one module per feature, merged into :mod:`commands.texts`.

Each module of this package defines ``PL`` and ``EN`` (same keys); a key may not repeat one in
another pack (the merge fails loudly). A counted text is a
mapping of CLDR plural forms (see :mod:`commands.plurals`). The modules are found by listing
the package, so a feature adds its pack as a new file here and registers nothing.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Mapping

from commands.plurals import Text


def packs() -> list[tuple[str, Mapping[str, Text], Mapping[str, Text]]]:
    """Every pack of the package, by module name, as (name, Polish texts, English texts)."""
    found = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.ispkg or info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        found.append((module.__name__, module.PL, module.EN))
    return found
