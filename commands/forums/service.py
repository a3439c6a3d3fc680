"""Forum questions: asked once, relayed into the forum's groups on every messenger, answered in
any of them, brought back to the asker and mirrored into the other groups' threads.

Each feature lives in its own module; :class:`ForumService` puts them together for the core,
the scheduler and the composition root:

- :mod:`commands.forums.groups` — linking and unlinking groups, the listing;
- :mod:`commands.forums.asking` — asking a question, its posts into the groups;
- :mod:`commands.forums.answers` — answers and follow-ups in a question's threads;
- :mod:`commands.forums.answer_changes` — answers edited or deleted, their copies following
  (on the messengers through :mod:`commands.forums.relay`);
- :mod:`commands.forums.moderation` — answered / closed, redirecting, nudging moderators;
- :mod:`commands.forums.searching` — the archive's index, search, FAQ;
- :mod:`commands.forums.admin` — forums and their members;
- :mod:`commands.forums.faq` — FAQ curation (promote, public wording, demote; the office
  panel's).

Every send goes through the outbox, and every SQL statement is in a repository of ``store/``
(:mod:`store.forums`, :mod:`store.forum_groups`, :mod:`store.forum_questions`,
:mod:`store.forum_copies`). Who commits: repositories never do; each service method here that
opens a session (``async with db.session()``) is one use case and commits once, at its end,
or not at all when it refuses. Handlers open sessions only to read.
"""

from __future__ import annotations

from collections.abc import Mapping

from commands.clock import Clock
from commands.directory.language import Morphology
from commands.forums.answer_changes import AnswerChanges
from commands.forums.answers import ACTION_DONE, Answers, FollowUp
from commands.forums.asking import Asked, Asking
from commands.forums.groups import ForumGroups
from commands.forums.moderation import ForumSettings, Moderation
from commands.forums.people import person_label
from commands.forums.relay import AnswerRelay
from commands.forums.searching import ArchiveSearch
from commands.ports import Messenger, Outbound
from store.db import Database
from store.forums import member_forums
from store.models import Person

__all__ = ["ACTION_DONE", "Asked", "FollowUp", "ForumService", "ForumSettings",
           "person_label"]


class ForumService:
    """Forum groups, questions, answers, moderation and the archive: one object for the
    callers, each part its own module (see above)."""

    def __init__(self, *, db: Database, clock: Clock, morphology: Morphology,
                 messengers: Mapping[str, Messenger],
                 settings: ForumSettings | None = None,
                 outbound: Outbound | None = None) -> None:
        self._db = db
        self.search_archive = ArchiveSearch(db=db, morphology=morphology)
        self.groups = ForumGroups(db=db)
        self.asking = Asking(db=db, clock=clock, morphology=morphology,
                             archive=self.search_archive)
        self.answers = Answers(db=db, clock=clock, morphology=morphology,
                               archive=self.search_archive)
        self.relay = AnswerRelay(db=db, clock=clock, messengers=messengers, outbound=outbound)
        self.changes = AnswerChanges(db=db, clock=clock, morphology=morphology,
                                     archive=self.search_archive, relay=self.relay)
        self.moderation = Moderation(db=db, clock=clock, archive=self.search_archive,
                                     settings=settings or ForumSettings())
        # The callers' one object: each name is the method of the part that does it.
        self.link_group = self.groups.link_group
        self.unlink_group = self.groups.unlink_group
        self.listing = self.groups.listing
        self.ask = self.asking.ask
        self.on_group_message = self.answers.on_group_message
        self.on_private_reply = self.answers.on_private_reply
        self.on_edit = self.changes.on_edit
        self.on_delete = self.changes.on_delete
        self.set_state = self.moderation.set_state
        self.redirect = self.moderation.redirect
        self.nudge_round = self.moderation.nudge_round
        self.archive = self.search_archive.archive
        self.query_lemmas = self.search_archive.query_lemmas
        self.search = self.search_archive.search
        self.faq = self.search_archive.faq
        self.promote = self.search_archive.promote

    @property
    def settings(self) -> ForumSettings:
        """``[forums]``: the moderation's own (one copy, so a change reaches the nudges)."""
        return self.moderation.settings

    @settings.setter
    def settings(self, settings: ForumSettings) -> None:
        self.moderation.settings = settings

    async def member_forums(self, person: Person) -> set[int]:
        """Forums a person belongs to (members and moderators)."""
        async with self._db.session() as session:
            return await member_forums(session, int(person.id or 0))
