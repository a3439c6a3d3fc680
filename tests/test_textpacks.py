"""Text packs: every feature's file in commands/textpacks is found and merged, so a feature
adds its texts by adding a file."""

from __future__ import annotations

from pathlib import Path

import commands.textpacks
from commands.textpacks import packs
from commands.texts import t

PACK_DIR = Path(commands.textpacks.__file__).parent


def test_every_pack_file_is_merged_and_read_back_in_both_languages() -> None:
    files = sorted(p.stem for p in PACK_DIR.glob("*.py") if not p.stem.startswith("_"))
    found = packs()
    assert [name.rsplit(".", 1)[-1] for name, _, _ in found] == files
    for _, pl, en in found:
        assert set(pl) == set(en)
        for key, text in pl.items():
            if isinstance(text, str) and "{" not in text:
                assert t("pl", key) == text
        for key, text in en.items():
            if isinstance(text, str) and "{" not in text:
                assert t("en", key) == text
