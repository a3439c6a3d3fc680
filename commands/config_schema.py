"""Configuration errors and declared section schemas, shared by every part that reads a section.

Each part owns the pydantic model of its own section (``[telegram]`` in the Telegram adapter,
``[reminders]`` in the calendar, …); this module holds what they have in common: the one-line
error naming the key, and turning a pydantic validation failure into that error.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar, TypeVar, cast

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError
from pydantic.fields import FieldInfo
from pydantic_core import ErrorDetails


def setting_name(key: str) -> str:
    """How people find a key in the file: ``telegram.api_base_url`` → ``[telegram]
    api_base_url``; a bare section name stays as it is."""
    section, _, name = key.rpartition(".")
    return f"[{section}] {name}" if section else key


class ConfigError(ValueError):
    """A configuration problem, naming the key.

    A ``ValueError``, so that pydantic collects one raised by a validator with the section's
    other errors instead of stopping at it: :func:`read_section` then reports the first in
    the order the keys are checked. ``shape`` is true when the key or the kind of value is
    wrong (unknown, missing, a string where a number belongs) rather than the value itself.
    """

    def __init__(self, key: str, problem: str, *, shape: bool = False) -> None:
        super().__init__(f"configuration error in {setting_name(key)}: {problem}")
        self.key = key
        self.problem = problem
        self.shape = shape

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


def _stripped(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


STRIPPED = BeforeValidator(_stripped)
"""``Annotated`` metadata that strips a string before it is checked against a ``Literal``
(the models strip plain strings themselves, but a ``Literal`` is matched as written)."""


# Every section schema refuses unknown keys and converts nothing silently (a TOML ``"80"`` is
# not the number 80, ``1`` is not ``true``). Sections are pydantic models, or pydantic
# dataclasses where the running service keeps them as they are read (``dataclasses.replace``).
STRICT = ConfigDict(extra="forbid", strict=True)


class SectionSchema(BaseModel):
    """A section whose file shape differs from what its owner runs with: validated here,
    then turned into the owner's settings (minutes into a ``timedelta``, …).

    A validator raises :class:`ConfigError` itself for rules pydantic cannot say (patterns,
    rules across keys); the message then names the key as written. A rule across keys lives
    in the validator of the last key it reads (``info.data`` holds the keys declared before,
    those that were valid), so it is checked in its place in the order.
    """

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    section: ClassVar[str]  # the table's name in the file, e.g. "telegram"
    # The order the keys are checked in, when several are wrong ("" = as declared): the
    # first error in this order is the one reported.
    checked_in: ClassVar[tuple[str, ...]] = ()


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


def read_section(schema: type[Schema], raw: object, *, types_first: bool = False,
                 context: Mapping[str, object] | None = None) -> Schema:
    """Validate the raw TOML table of ``schema.section``; raises :class:`ConfigError` naming
    the first bad key: unknown keys first (people most often mistype a name), then in the
    schema's ``checked_in`` order. ``types_first`` reports unknown keys and values of the
    wrong type first, in the order the file gives them, and only then bad values.
    ``context`` reaches the validators as ``info.context`` (models only)."""
    section: str = schema.section  # type: ignore[attr-defined]  # a ClassVar of every schema
    if not isinstance(raw, Mapping):
        raise ConfigError(section, "must be a table", shape=True)
    known = section_keys(schema)
    unknown = [ConfigError(f"{section}.{name}", f"unknown key (known: {', '.join(known)})",
                           shape=True) for name in raw if name not in known]
    if unknown and not types_first:
        raise unknown[0]
    values = {name: value for name, value in raw.items() if name in known}
    try:
        read = _validated(schema, values, context)
    except ValidationError as exc:
        found = [(str(e["loc"][0]) if e["loc"] else "", _named(schema, section, e))
                 for e in exc.errors(include_url=False)]
    else:
        if unknown:
            raise unknown[0]
        return read
    raise _first(schema, list(raw), unknown, found, types_first=types_first)


def _validated(schema: type[Schema], values: dict[str, object],
               context: Mapping[str, object] | None) -> Schema:
    if issubclass(schema, BaseModel):
        return cast("Schema", schema.model_validate(values, context=context))
    return schema(**values)  # a pydantic dataclass (strict: built from keywords, not a dict)


def _first(schema: type, written: list[str], unknown: list[ConfigError],
           found: list[tuple[str, ConfigError]], *, types_first: bool) -> ConfigError:
    """The error to report of all the section's errors (``found``: the key pydantic was
    validating, the error)."""
    checked_in: tuple[str, ...] = getattr(schema, "checked_in", ()) or section_keys(schema)

    def checked(item: tuple[str, ConfigError]) -> int:
        # A rule of the whole section (no key) comes after every key.
        return checked_in.index(item[0]) if item[0] in checked_in else len(checked_in)

    if types_first:
        def written_at(error: ConfigError) -> int:
            name = error.key.rpartition(".")[2]
            return written.index(name) if name in written else len(written)

        shape = [*unknown, *(error for _, error in found if error.shape)]
        if shape:
            return min(shape, key=written_at)
    return min(found, key=checked)[1]


def _named(schema: type, section: str, error: ErrorDetails) -> ConfigError:
    """One pydantic error as the one-line error; never shows the value (it may be a
    secret)."""
    raised = error.get("ctx", {}).get("error")
    if isinstance(raised, ConfigError):  # raised by a validator, in our own words
        return raised
    name = str(error["loc"][0]) if error["loc"] else ""
    key = f"{section}.{name}" if name else section
    kind = error["type"]
    if kind == "missing":
        return ConfigError(key, "is required", shape=True)
    literal = kind == "literal_error"
    if literal and not isinstance(error.get("input"), str):
        kind = "string_type"  # every choice is a word: a number is the wrong kind of value
    shape = kind in _TYPE_PROBLEMS
    field = _fields(schema).get(name)
    declared = [m for m in field.metadata if isinstance(m, Problem)] if field else []
    if declared:
        problem = declared[0]
        if shape and problem.wrong_type is not None:
            return ConfigError(key, problem.wrong_type, shape=True)
        if not (shape and literal):  # the text names the choices, not the kind of value
            return ConfigError(key, problem.text, shape=shape)
    return ConfigError(key, _TYPE_PROBLEMS.get(kind, "is not valid"), shape=shape)
