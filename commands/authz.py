"""Who may do what to whom: the one authorisation decision of the core.

Every privileged path asks :func:`may` (``docs/security.md`` has the table this encodes).
Grants are always scoped: a coordinator grant names its gmina, a moderator grant its forum;
a target without a gmina (the association office) or without a forum is *nobody's* scope,
never everybody's.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from store.models import Role
from store.people import Grant


class Act(StrEnum):
    """The privileged actions of the core."""

    EDIT_ENTRY = "directory.edit"  # contact fields of someone else's directory entry
    EDIT_IDENTITY = "directory.edit_identity"  # the e-mail: it links messengers
    EDIT_OWN = "directory.edit_own"  # one's own contact fields (not the e-mail)
    MODERATE_FORUM = "forum.moderate"  # link/unlink groups, FAQ, the forum's events
    READ_FORUM = "forum.read"  # ask in, search and read a forum's archive
    ANNOUNCE_EVERYONE = "announce.everyone"  # "wszyscy", "koordynatorzy", "moderatorzy"
    ANNOUNCE_FORUM = "announce.forum"
    ANNOUNCE_GMINA = "announce.gmina"
    ANNOUNCE_PERSON = "announce.person"  # a named person
    READ_REPORT = "announce.report"  # delivery report of an announcement
    MANAGE_GLOBAL = "calendar.global"  # deadlines and events of no forum
    MANAGE_ROLES = "roles.manage"  # grant and revoke roles (admins only)


IDENTITY_FIELDS = frozenset({"email"})
"""Entry fields that identify a person to the messengers (auto-linking by verified e-mail)."""


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts: a directory person (or nobody) and their grants."""

    person_id: int | None
    grants: tuple[Grant, ...] = ()

    @property
    def admin(self) -> bool:
        """Holds the association-wide admin role."""
        return any(g.role == Role.ADMIN for g in self.grants)

    def coordinates(self) -> set[int]:
        """Gminy this actor coordinates."""
        return {g.gmina_id for g in self.grants
                if g.role == Role.GMINA_COORDINATOR and g.gmina_id is not None}

    def moderates(self) -> set[int]:
        """Forums this actor moderates."""
        return {g.forum_id for g in self.grants
                if g.role == Role.FORUM_MODERATOR and g.forum_id is not None}


@dataclass(frozen=True, slots=True)
class Target:
    """What is acted on. Only the fields the action needs are set.

    ``person_id``/``gmina_id``/``grants`` describe a person (``gmina_id`` None: office staff);
    ``forum_id`` a forum; ``member_of`` the forums a named person belongs to; ``author_id``
    the author of an announcement.
    """

    person_id: int | None = None
    gmina_id: int | None = None
    grants: tuple[Grant, ...] = ()
    forum_id: int | None = None
    member_of: frozenset[int] = frozenset()
    author_id: int | None = None


NOTHING = Target()


def actor(person_id: int | None, grants: Iterable[Grant]) -> Actor:
    """An :class:`Actor` from a person id and grants (``Context`` gives both)."""
    return Actor(person_id, tuple(grants))


def person_target(person_id: int | None, gmina_id: int | None,
                  grants: Sequence[Grant] = ()) -> Target:
    """A person as a target."""
    return Target(person_id=person_id, gmina_id=gmina_id, grants=tuple(grants))


def moderated_forums(who: Actor) -> set[int] | None:
    """The forums ``who`` may moderate: None for every forum (admins)."""
    return None if who.admin else who.moderates()


def may(who: Actor, act: Act, target: Target = NOTHING) -> bool:
    """True if ``who`` may do ``act`` to ``target``. Unlinked actors may do nothing here."""
    if who.person_id is None:
        return False
    if act == Act.EDIT_OWN:
        return target.person_id == who.person_id
    if who.admin:
        return True
    if act == Act.EDIT_ENTRY:
        # Coordinators: people of their own gmina only; never office staff (no gmina) and
        # never an admin, whose entry would lead to their rights.
        return (target.gmina_id is not None and target.gmina_id in who.coordinates()
                and not any(g.role == Role.ADMIN for g in target.grants))
    if act == Act.MODERATE_FORUM:
        return target.forum_id is not None and target.forum_id in who.moderates()
    if act == Act.READ_FORUM:
        return target.forum_id is not None and (
            target.forum_id in target.member_of or target.forum_id in who.moderates())
    if act == Act.ANNOUNCE_FORUM:
        return target.forum_id is not None and target.forum_id in who.moderates()
    if act == Act.ANNOUNCE_GMINA:
        return target.gmina_id is not None and target.gmina_id in who.coordinates()
    if act == Act.ANNOUNCE_PERSON:
        return bool((target.gmina_id is not None and target.gmina_id in who.coordinates())
                    or target.member_of & who.moderates())
    if act == Act.READ_REPORT:
        return target.author_id is not None and target.author_id == who.person_id
    # EDIT_IDENTITY, ANNOUNCE_EVERYONE, MANAGE_GLOBAL, MANAGE_ROLES and anything unknown:
    # admins only.
    return False


__all__ = ["IDENTITY_FIELDS", "NOTHING", "Act", "Actor", "Target", "actor", "may",
           "moderated_forums", "person_target"]
