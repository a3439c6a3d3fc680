"""Who an announcement is for, as authors write it, and who may address whom.

``/pilne forum PZP, gmina Skawina: treść`` — items before the colon, separated by commas or
semicolons: ``wszyscy`` (everyone), ``forum KEY`` (or just the forum key), ``gmina NAME`` (in
any grammatical case, or its TERYT code; read by :mod:`commands.directory.gminy`),
``koordynatorzy`` / ``moderatorzy`` / ``administratorzy`` (a role), or e-mail addresses of
named people. English words work too (all, coordinators, …).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from commands.authz import Act, Actor, Target, may
from commands.directory.gminy import GMINA_WORDS, Resolution, refusal, resolve_gmina
from commands.directory.index import DirectoryIndex
from commands.directory.language import normalise
from commands.texts import t
from store.models import ForumMember, Person, Role

EVERYONE = frozenset({"wszyscy", "wszystkich", "wszystkim", "all", "everyone", "everybody"})
ROLE_WORDS: dict[str, Role] = {
    **dict.fromkeys(("koordynatorzy", "koordynatorow", "koordynatorom", "coordinators"),
                    Role.GMINA_COORDINATOR),
    **dict.fromkeys(("moderatorzy", "moderatorow", "moderatorom", "moderators"),
                    Role.FORUM_MODERATOR),
    **dict.fromkeys(("administratorzy", "administratorow", "admini", "admins",
                     "administrators"), Role.ADMIN),
}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$")


class AudienceError(ValueError):
    """An item of the audience was not understood; ``item`` says which. ``gmina`` tells what
    a gmina item named instead of one gmina (several, one outside the directory, none)."""

    def __init__(self, item: str, gmina: Resolution | None = None) -> None:
        super().__init__(item)
        self.item = item
        self.gmina = gmina

    def describe(self, lang: str) -> str:
        """What to tell the author, in ``lang``."""
        if self.gmina is not None:
            return refusal(self.gmina, lang)
        return t(lang, "ann.bad_audience", item=self.item[:80])


@dataclass(slots=True)
class Audience:
    """A parsed audience."""

    everyone: bool = False
    forum_ids: set[int] = field(default_factory=set)
    gmina_ids: set[int] = field(default_factory=set)
    roles: set[Role] = field(default_factory=set)
    emails: set[str] = field(default_factory=set)

    def to_json(self) -> str:
        """For storage with the announcement."""
        return json.dumps({
            "everyone": self.everyone, "forums": sorted(self.forum_ids),
            "gminy": sorted(self.gmina_ids), "roles": sorted(r.value for r in self.roles),
            "emails": sorted(self.emails),
        })

    @property
    def is_empty(self) -> bool:
        """Nothing was named."""
        return not (self.everyone or self.forum_ids or self.gmina_ids or self.roles
                    or self.emails)


def split_command(args: str) -> tuple[str, str] | None:
    """``"forum PZP: treść"`` → ``("forum PZP", "treść")``; None without a colon."""
    head, colon, body = args.partition(":")
    if not colon or not head.strip():
        return None
    return head.strip(), body.strip()


def parse_audience(text: str, *, forums: dict[str, int], index: DirectoryIndex) -> Audience:
    """Read the audience part; raises :class:`AudienceError` naming the item not understood."""
    audience = Audience()
    for raw in re.split(r"[,;]", text):
        item = raw.strip()
        if not item:
            continue
        words = normalise(item).split()
        if item.lower() in EVERYONE or (len(words) == 1 and words[0] in EVERYONE):
            audience.everyone = True
        elif _EMAIL.match(item.lower()):
            audience.emails.add(item.lower())
        elif len(words) == 1 and words[0] in ROLE_WORDS:
            audience.roles.add(ROLE_WORDS[words[0]])
        elif (forum := _forum(words, forums)) is not None:
            audience.forum_ids.add(forum)
        else:
            audience.gmina_ids.add(_gmina(item, words, index))
    return audience


def _forum(words: list[str], forums: dict[str, int]) -> int | None:
    if words and words[0] in ("forum", "forumu"):
        words = words[1:]
    key = "_".join(words).upper()
    return forums.get(key) or forums.get(key.replace("_", ""))


def _gmina(item: str, words: list[str], index: DirectoryIndex) -> int:
    """The one gmina an item names ("gmina Wieliczka", "wieliczce", "gmina 1219053").

    A name shared by several gminy cannot address one of them: the author is shown every
    candidate with its TERYT code and picks one (never a guess).
    """
    resolution = resolve_gmina(item, index)
    if resolution.gmina is not None:
        return resolution.gmina.id
    said_gmina = bool(words) and words[0] in GMINA_WORDS
    if resolution.found or resolution.outside or said_gmina:
        raise AudienceError(item, resolution)
    raise AudienceError(item)


async def may_address(session: AsyncSession, who: Actor, *, broad: bool,
                      forum_ids: Iterable[int], gmina_ids: Iterable[int],
                      named: Sequence[Person]) -> bool:
    """Whether ``who`` may address this audience (chat and panel alike): admins anyone;
    moderators their forums and named members of them; coordinators their gmina's staff, also
    by name. ``broad``: everyone or a role. The rules themselves: :mod:`commands.authz`."""
    if broad and not may(who, Act.ANNOUNCE_EVERYONE):
        return False
    if not all(may(who, Act.ANNOUNCE_FORUM, Target(forum_id=f)) for f in forum_ids):
        return False
    if not all(may(who, Act.ANNOUNCE_GMINA, Target(gmina_id=g)) for g in gmina_ids):
        return False
    if not named:
        return True
    memberships: dict[int, set[int]] = {}
    for person_id, forum_id in await session.execute(
            select(col(ForumMember.person_id), col(ForumMember.forum_id)).where(
                col(ForumMember.person_id).in_([p.id for p in named]))):
        memberships.setdefault(int(person_id), set()).add(int(forum_id))
    return all(may(who, Act.ANNOUNCE_PERSON, Target(
        person_id=p.id, gmina_id=p.gmina_id, member_of=frozenset(memberships.get(p.id or 0, ()))))
        for p in named)
