"""When each reminder of one occurrence goes to one person: offsets, quiet hours, catch-up.

Pure: no database, no clock. The rules, in order:

* each offset gives a due moment (``1d@09:00`` = the day before at 9:00 Warsaw time);
* a moment that fell due before the event was created or last changed is not sent late;
  instead, a person who has never been reminded of this occurrence gets one "catch-up"
  reminder right away (the one nearest the event), so nobody learns of tomorrow's meeting
  only an hour before it;
* quiet hours move a moment to the start of the next working window; if that is not before
  the event any more, the reminder is too late to matter and is dropped;
* two reminders that land on the same moment become one (the one nearest the event, whose
  message says everything the other would);
* a reminder that can no longer be useful (past its grace period) is not planned.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from commands.calendar.quiet import QuietHours
from commands.calendar.settings import Offset

CATCH_UP = "catchup"


@dataclass(frozen=True, slots=True)
class Planned:
    """One reminder to send: ``moment`` is when (UTC, after quiet hours)."""

    kind: str  # materials / meeting / deadline
    label: str  # the offset's label, or "catchup"
    due: datetime
    moment: datetime
    useful_until: datetime


def plan_reminders(
    *,
    start: datetime,
    offsets: Sequence[tuple[str, Offset]],
    quiet: QuietHours | None,
    now: datetime,
    revision: datetime,
    grace: timedelta,
    known: bool,
) -> list[Planned]:
    """Reminders for an occurrence starting at ``start`` (all times UTC-aware).

    ``revision`` is when the event was created or last changed; ``known`` says whether this
    person has already heard of this occurrence — a reminder of it reached them, or a change
    notice is on its way (then no catch-up).
    """
    candidates: list[tuple[datetime, str, str]] = []
    before_revision: list[tuple[datetime, str]] = []
    for kind, offset in offsets:
        due = offset.due(start)
        if due >= start:
            continue
        if due < revision:
            before_revision.append((due, kind))
        else:
            candidates.append((due, kind, offset.label))
    if before_revision and not known and revision < start:
        _, kind = max(before_revision)
        candidates.append((revision, kind, CATCH_UP))
    chosen: dict[datetime, Planned] = {}
    for due, kind, label in candidates:
        moment = quiet.next_open(due) if quiet is not None else due
        if moment >= start:
            continue  # too late to matter
        useful_until = min(start, moment + grace)
        if useful_until <= now:
            continue
        planned = Planned(kind, label, due, moment, useful_until)
        earlier = chosen.get(moment)
        if earlier is None or planned.due > earlier.due:
            chosen[moment] = planned
    return sorted(chosen.values(), key=lambda p: p.moment)
