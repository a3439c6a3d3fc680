"""config.example.toml documents every key the loader accepts, and nothing else.

The loader's keys come from the code (each section owner's own key list, through
``bots.config.accepted_keys``), so a key added without documenting it fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bots.config import ConfigError, accepted_keys, load_config

EXAMPLE = Path(__file__).resolve().parents[1] / "config.example.toml"
# "[telegram]" or "# [telegram]" (a messenger is switched on by uncommenting its section)
_SECTION = re.compile(r"^#?\s*\[([a-z_]+)\]\s*(#.*)?$")
# "key = value" or "# key = value" (commented keys show their default); prose has no "="
_KEY = re.compile(r"^#?\s*([a-z][a-z_]*)\s*=\s*\S")


def documented_keys() -> dict[str, set[str]]:
    """Sections and keys of the example file, commented out or not."""
    sections: dict[str, set[str]] = {}
    current: str | None = None
    for number, line in enumerate(EXAMPLE.read_text(encoding="utf-8").splitlines(), 1):
        if match := _SECTION.match(line):
            current = match.group(1)
            sections.setdefault(current, set())
        elif match := _KEY.match(line):
            assert current is not None, f"line {number}: a key before any section"
            sections[current].add(match.group(1))
    return sections


def test_the_example_lists_every_section_the_loader_accepts() -> None:
    assert set(documented_keys()) == set(accepted_keys())


@pytest.mark.parametrize("section", sorted(accepted_keys()))
def test_the_example_lists_every_key_of_each_section(section: str) -> None:
    documented = documented_keys().get(section, set())
    accepted = set(accepted_keys()[section])
    assert not accepted - documented, f"[{section}] accepts but does not document"
    assert not documented - accepted, f"[{section}] documents keys the loader refuses"


def test_the_example_as_shipped_is_a_valid_configuration(tmp_path: Path) -> None:
    copy = tmp_path / "lacznik.toml"
    copy.write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    config = load_config(copy, env={})
    assert config.logging.level == "info" and config.logging.sql is False
    assert config.database.url == f"sqlite:///{tmp_path / 'data' / 'lacznik.db'}"


@pytest.mark.parametrize(("toml", "setting"), [
    ('[logging]\nlevel = "loud"\n', "[logging] level"),
    ("[logging]\nsql = 1\n", "[logging] sql"),
    ("[logging]\nfile = \"x.log\"\n", "[logging] file"),
])
def test_logging_settings_are_checked(tmp_path: Path, toml: str, setting: str) -> None:
    path = tmp_path / "lacznik.toml"
    path.write_text(toml, encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_config(path, env={})
    assert error.value.setting == setting and setting in str(error.value)
