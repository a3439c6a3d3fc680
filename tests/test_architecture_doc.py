"""The layer picture in docs/architecture.md matches the import contracts that `make test`
enforces (.importlinter): a drawn import the contracts forbid, or a contract the picture does
not show, fails here — so the picture cannot drift from the rules."""

from __future__ import annotations

import configparser
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ("bots", "adapters", "scheduler", "commands", "store")


def _contracts() -> dict[str, set[str]]:
    parser = configparser.ConfigParser()
    parser.read(ROOT / ".importlinter", encoding="utf-8")
    forbidden: dict[str, set[str]] = {}
    for section in parser.sections():
        if not section.startswith("importlinter:contract:"):
            continue
        contract = parser[section]
        assert contract["type"] == "forbidden"
        for source in contract["source_modules"].split():
            forbidden.setdefault(source, set()).update(
                module for module in contract["forbidden_modules"].split() if module in LAYERS)
    return forbidden


def _drawn_imports() -> set[tuple[str, str]]:
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    picture = text.split("```mermaid", 1)[1].split("```", 1)[0]
    edges: set[tuple[str, str]] = set()
    for line in picture.splitlines():
        # "a --> b & c" and "a -- label --> b": imports; "-. implements .->" is not one.
        match = re.match(r"\s*(\w+)\s+(?:--\s+\"[^\"]*\"\s+)?-->\s+(.+)$", line)
        if match and match.group(1) in LAYERS:
            for target in re.split(r"\s*&\s*", match.group(2)):
                name = target.strip().split("(")[0]
                if name in LAYERS:
                    edges.add((match.group(1), name))
    return edges


def test_the_picture_draws_no_import_the_contracts_forbid() -> None:
    forbidden = _contracts()
    drawn = _drawn_imports()
    assert drawn, "no layer arrows found in docs/architecture.md"
    wrong = {(a, b) for a, b in drawn if b in forbidden.get(a, set())}
    assert not wrong, f"the picture draws imports the contracts forbid: {sorted(wrong)}"


def test_every_layer_pair_the_contracts_allow_is_what_the_picture_draws() -> None:
    forbidden = _contracts()
    drawn = _drawn_imports()
    # Each of the three contracts is visible: its source layer is drawn, and every layer it
    # may import that it really imports is drawn as an arrow.
    for source in ("commands", "store", "adapters"):
        assert source in forbidden, f"no contract for {source}"
    allowed = {(a, b) for a in LAYERS for b in LAYERS
               if a != b and b not in forbidden.get(a, set())}
    missing = {(a, b) for a, b in allowed if a in ("commands", "adapters", "scheduler")
               and (a, b) not in drawn and b in {"commands", "store"}}
    assert not missing, f"allowed imports the picture does not show: {sorted(missing)}"
