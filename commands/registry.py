"""The typed command registry: names in Polish and English, help, who may use what."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from commands.directory.language import fold
from store.models import Role

if TYPE_CHECKING:
    from commands.context import Context, Reply

Handler = Callable[["Context", str], Awaitable["Reply"]]
ActionHandler = Callable[["Context", str], Awaitable["Reply"]]

ANYONE: frozenset[Role] = frozenset()
MEMBERS: frozenset[Role] = frozenset({Role.MEMBER})


@dataclass(frozen=True, slots=True)
class Command:
    """A command. ``names[0]`` is the Polish name, the next one the English one.

    ``roles`` empty means anyone may use it, even an unlinked account; ``{MEMBER}`` means any
    linked person; otherwise one of the listed roles is needed (admins always qualify).
    """

    names: tuple[str, ...]
    handler: Handler
    summary_key: str
    usage_pl: str
    usage_en: str
    roles: frozenset[Role] = MEMBERS
    menu: bool = True  # shown in the messengers' command menus
    unregistered_ok: bool = False  # usable in a group not yet registered (to register it)

    def usage(self, lang: str) -> str:
        """How to call it, in ``lang``."""
        return self.usage_en if lang == "en" else self.usage_pl


@dataclass(frozen=True, slots=True)
class Action:
    """A button action (the part of callback data before ``|``)."""

    name: str
    handler: ActionHandler
    roles: frozenset[Role] = MEMBERS


def command_key(name: str) -> str:
    """Command names compare folded, with ``-`` and ``_`` alike (Telegram menus need ``_``)."""
    return fold(name).replace("-", "_").lstrip("/")


class CommandRegistry:
    """Commands and button actions, in a deterministic order."""

    def __init__(self) -> None:
        self._commands: list[Command] = []
        self._by_name: dict[str, Command] = {}
        self._actions: dict[str, Action] = {}

    def add(self, command: Command) -> None:
        """Register a command; every name must be free."""
        for name in command.names:
            key = command_key(name)
            if key in self._by_name:
                raise ValueError(f"command name {name!r} is taken")
            self._by_name[key] = command
        self._commands.append(command)

    def add_action(self, action: Action) -> None:
        """Register a button action."""
        if action.name in self._actions or "|" in action.name:
            raise ValueError(f"bad or duplicate action {action.name!r}")
        self._actions[action.name] = action

    def find(self, name: str) -> Command | None:
        """The command called ``name`` (any language, any spelling of separators)."""
        return self._by_name.get(command_key(name))

    def action(self, name: str) -> Action | None:
        """The button action ``name``."""
        return self._actions.get(name)

    def __iter__(self) -> Iterator[Command]:
        return iter(self._commands)

    def menu(self, lang: str) -> list[tuple[str, str]]:
        """``(name, description)`` pairs for a messenger's command menu in ``lang``."""
        from commands.texts import t

        index = 1 if lang == "en" else 0
        items = []
        for command in self._commands:
            if command.menu:
                name = command.names[min(index, len(command.names) - 1)]
                items.append((name, t(lang, command.summary_key)))
        return items
