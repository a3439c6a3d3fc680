"""A forum's groups: linking a group, channel or topic to a forum (``/forum podlacz``),
unlinking it (``/forum odlacz``, also by its number from ``/forum lista``), and the listing."""

from __future__ import annotations

from commands.model import ConversationRef
from store.db import Database
from store.forum_copies import cancel_forum_relays
from store.forum_groups import (
    add_group,
    all_groups,
    group_of,
    live_groups,
    place_shared,
    remove_group,
)
from store.forum_models import ForumGroup
from store.forums import active_forum, active_forums
from store.models import Forum, Person
from store.people import audit, set_conversation_registered


class ForumGroups:
    """Which groups on which messengers belong to which forum."""

    def __init__(self, *, db: Database) -> None:
        self._db = db

    async def link_group(self, forum_key: str, conversation: ConversationRef, *, title: str,
                         by: Person | None, may: set[int] | None) -> str:
        """Register a group as the forum's: "linked", "already", "unknown", "forbidden".

        ``may`` is the set of forum ids the person moderates (None: an admin, any forum);
        ``by`` None is the command line.
        """
        async with self._db.session() as session:
            forum = await active_forum(session, forum_key)
            if forum is None:
                return "unknown"
            if may is not None and forum.id not in may:
                return "forbidden"
            group = ForumGroup(forum_id=int(forum.id or 0), platform=conversation.platform.value,
                               conversation_key=conversation.key,
                               ref=conversation.to_json(), title=title[:300],
                               added_by=by.id if by else None)
            if not await add_group(session, group):
                return "already"
            await set_conversation_registered(session, platform=conversation.platform.value,
                                              key=conversation.key, registered=True)
            await audit(session, actor=actor(by), action="forum.link_group",
                        target=f"forum:{forum.key}",
                        details={"platform": conversation.platform.value})
            await session.commit()
        return "linked"

    async def unlink_group(self, forum_key: str, where: ConversationRef | int, *,
                           by: Person | None, may: set[int] | None) -> str:
        """Remove a group from a forum — the one ``where`` is said, or the group with that
        number (``/forum lista``): "unlinked", "unknown", "forbidden", "not_linked"."""
        async with self._db.session() as session:
            forum = await active_forum(session, forum_key)
            if forum is None:
                return "unknown"
            if may is not None and forum.id not in may:
                return "forbidden"
            group = await group_of(session, int(forum.id or 0),
                                   where if isinstance(where, int) else where.key)
            if group is None:
                return "not_linked"
            await remove_group(session, group)
            # This forum's relays still queued for the group are not sent: it no longer
            # belongs here. (Another forum may share the place; its relays stay.)
            await cancel_forum_relays(session, group.ref, int(forum.id or 0))
            if not await place_shared(session, group):
                await set_conversation_registered(session, platform=group.platform,
                                                  key=group.conversation_key, registered=False)
            await audit(session, actor=actor(by), action="forum.unlink_group",
                        target=f"forum:{forum.key}", details={"group": group.id})
            await session.commit()
        return "unlinked"

    async def listing(self) -> list[tuple[Forum, list[tuple[ForumGroup, bool]]]]:
        """Every forum with its groups, each with whether it takes relays now."""
        async with self._db.session() as session:
            forums = await active_forums(session)
            groups = await all_groups(session)
            live = {g.id for g in await live_groups(session, None)}
        return [(f, [(g, g.id in live) for g in groups if g.forum_id == f.id]) for f in forums]


def actor(person: Person | None) -> str:
    """Who did it, for the audit log: a person, or the command line."""
    return f"person:{person.id}" if person else "cli"
