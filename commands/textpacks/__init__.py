"""Texts of newer features, one module per feature, merged into :mod:`commands.texts`.

Each module defines ``PL`` and ``EN`` (same keys); a key may not repeat one in another pack or
in ``commands.texts`` itself (a test checks). A counted text is a mapping of CLDR plural forms
(see :mod:`commands.plurals`). Keeping a feature's wording beside the feature
keeps ``commands/texts.py`` from growing further.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import ModuleType

from commands.plurals import Text
from commands.textpacks import (
    demo,
    forum_admin,
    gmina,
    operations,
    prompts,
    reminders_repeat,
    security,
    startup,
)

PACKS: tuple[ModuleType, ...] = (
    demo, forum_admin, gmina, operations, prompts, reminders_repeat, security, startup,
)


def packs() -> list[tuple[str, Mapping[str, Text], Mapping[str, Text]]]:
    """Every pack as (name, Polish texts, English texts)."""
    return [(module.__name__, module.PL, module.EN) for module in PACKS]
