"""Configuration errors and declared section schemas, shared by every part that reads a section.

Each part owns the pydantic model of its own section (``[telegram]`` in the Telegram adapter,
``[reminders]`` in the calendar, …); this module holds what they have in common: the one-line
error naming the key, and turning a pydantic validation failure into that error.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic.fields import FieldInfo


def setting_name(key: str) -> str:
    """How people find a key in the file: ``telegram.api_base_url`` → ``[telegram]
    api_base_url``; a bare section name stays as it is."""
    section, _, name = key.rpartition(".")
    return f"[{section}] {name}" if section else key


class ConfigError(Exception):
    """A configuration problem, naming the key."""

    def __init__(self, key: str, problem: str) -> None:
        super().__init__(f"configuration error in {setting_name(key)}: {problem}")
        self.key = key
        self.problem = problem

    @property
    def setting(self) -> str:
        """The setting to fix, as written in the file (``[server] port``)."""
        return setting_name(self.key)


@dataclass(frozen=True, slots=True)
class Problem:
    """What a value of this key must be, in the words of the one-line error (``Annotated``
    metadata). ``text`` is shown for a bad value; ``wrong_type``, if given, instead when the
    value is not even of the right type (a string where a number belongs)."""

    text: str
    wrong_type: str | None = None


# Every section schema refuses unknown keys and converts nothing silently (a TOML ``"80"`` is
# not the number 80, ``1`` is not ``true``). Sections are pydantic models, or pydantic
# dataclasses where the running service keeps them as they are read (``dataclasses.replace``).
STRICT = ConfigDict(extra="forbid", strict=True)


class SectionSchema(BaseModel):
    """A section whose file shape differs from what its owner runs with: validated here,
    then turned into the owner's settings (minutes into a ``timedelta``, …).

    A validator raises :class:`ConfigError` itself for rules pydantic cannot say (patterns,
    rules across keys); the message then names the key as written.
    """

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    section: ClassVar[str]  # the table's name in the file, e.g. "telegram"


Schema = TypeVar("Schema")

# Words for pydantic's own type errors, when the key declares no Problem of its own.
_TYPE_PROBLEMS = {
    "bool_type": "must be true or false",
    "int_type": "must be a whole number",
    "string_type": "must be a string",
    "float_type": "must be a number",
    "list_type": "must be a list",
    "dict_type": "must be a table",
}


def _fields(schema: type) -> dict[str, FieldInfo]:
    fields: dict[str, FieldInfo] = schema.__pydantic_fields__  # type: ignore[attr-defined]  # models and pydantic dataclasses alike
    return fields


def section_keys(schema: type) -> tuple[str, ...]:
    """Every key a section schema accepts, in the order it is declared."""
    return tuple(_fields(schema))


def read_section(schema: type[Schema], raw: object) -> Schema:
    """Validate the raw TOML table of ``schema.section``; raises :class:`ConfigError` naming
    the first bad key (unknown keys first: people most often mistype a name)."""
    section: str = schema.section  # type: ignore[attr-defined]  # a ClassVar of every schema
    if not isinstance(raw, Mapping):
        raise ConfigError(section, "must be a table")
    known = section_keys(schema)
    for name in raw:
        if name not in known:
            raise ConfigError(f"{section}.{name}", f"unknown key (known: {', '.join(known)})")
    try:
        return schema(**raw)
    except ValidationError as exc:
        raise _named(schema, section, exc) from None


def _named(schema: type, section: str, exc: ValidationError) -> ConfigError:
    """The first pydantic error as the one-line error; never shows the value (it may be a
    secret)."""
    error = exc.errors(include_url=False, include_input=False)[0]
    name = str(error["loc"][0]) if error["loc"] else ""
    key = f"{section}.{name}" if name else section
    if error["type"] == "missing":
        return ConfigError(key, "is required")
    field = _fields(schema).get(name)
    declared = [m for m in field.metadata if isinstance(m, Problem)] if field else []
    if declared:
        problem = declared[0]
        if error["type"] in _TYPE_PROBLEMS and problem.wrong_type is not None:
            return ConfigError(key, problem.wrong_type)
        return ConfigError(key, problem.text)
    return ConfigError(key, _TYPE_PROBLEMS.get(error["type"], "is not valid"))
