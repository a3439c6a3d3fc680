"""What reminders and notices say: neutral messages, in the recipient's language."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from commands.calendar.dates import format_moment, format_span, utc
from commands.calendar.ics import materials_of
from commands.calendar.occurrences import Occurrence
from commands.model import Button, ButtonStyle, OutboundMessage, Priority
from commands.texts import t
from store.calendar_models import Deadline, Event, PersonalReminder

ACTION_RSVP = "ev.rsvp"
ACTION_DONE = "dl.done"
ACTION_CANCEL_PERSONAL = "rem.cancel"


def rsvp_value(event_id: int, occurrence: Occurrence, answer: str) -> str:
    """Button value: ``12:202612010900:y``."""
    return f"{event_id}:{occurrence.key}:{answer}"


def rsvp_buttons(lang: str, event_id: int, occurrence: Occurrence) -> tuple[Button, Button]:
    """"Będę" / "Nie będę"."""
    return (
        Button(t(lang, "cal.rsvp.yes"), ACTION_RSVP, rsvp_value(event_id, occurrence, "y"),
               ButtonStyle.PRIMARY),
        Button(t(lang, "cal.rsvp.no"), ACTION_RSVP, rsvp_value(event_id, occurrence, "n")),
    )


def event_lines(lang: str, event: Event, occurrence: Occurrence | None, forum_name: str
                ) -> list[str]:
    """When, forum, place, link and materials of an (occurrence of an) event."""
    if occurrence is not None:
        when = format_span(lang, occurrence.start, occurrence.end, all_day=event.all_day)
        location = occurrence.location or event.location
    else:
        when = format_span(lang, event.starts_at, event.ends_at, all_day=event.all_day)
        location = event.location
    lines = [when, t(lang, "cal.line.forum", forum=forum_name)]
    if location and location != event.online_url:
        lines.append(t(lang, "cal.line.place", place=location))
    if event.online_url:
        lines.append(t(lang, "cal.line.link", url=event.online_url))
    materials = materials_of(event.materials)
    if materials:
        lines.append(t(lang, "cal.line.materials"))
        lines += [f"• {link}" for link in materials]
    if event.description:
        lines.append(event.description)
    return lines


def meeting_reminder(lang: str, event: Event, occurrence: Occurrence, forum_name: str,
                     kind: str) -> OutboundMessage:
    """A meeting (or its materials) is coming: time, place, link, materials, RSVP."""
    title_key = "cal.remind.materials" if kind == "materials" else "cal.remind.meeting"
    assert event.id is not None
    return OutboundMessage(
        title=t(lang, title_key, title=occurrence.title or event.title),
        text="\n".join(event_lines(lang, event, occurrence, forum_name)),
        footer=t(lang, "cal.remind.footer", id=event.id),
        buttons=rsvp_buttons(lang, event.id, occurrence),
        priority=Priority.NORMAL, lang=lang,
    )


def deadline_lines(lang: str, deadline: Deadline, forum_name: str) -> list[str]:
    """Due moment, forum and description of a deadline."""
    lines = [t(lang, "cal.deadline.due", when=format_moment(lang, deadline.due_at))]
    if forum_name:
        lines.append(t(lang, "cal.line.forum", forum=forum_name))
    if deadline.description:
        lines.append(deadline.description)
    return lines


def deadline_reminder(lang: str, deadline: Deadline, forum_name: str) -> OutboundMessage:
    """A deadline is coming: what, by when, and a "done" button."""
    assert deadline.id is not None
    return OutboundMessage(
        title=t(lang, "cal.remind.deadline", title=deadline.title),
        text="\n".join(deadline_lines(lang, deadline, forum_name)),
        footer=t(lang, "cal.remind.deadline_footer", id=deadline.id),
        buttons=(Button(t(lang, "cal.deadline.done_button"), ACTION_DONE, str(deadline.id),
                        ButtonStyle.PRIMARY),),
        priority=Priority.NORMAL, lang=lang,
    )


def personal_reminder(lang: str, reminder: PersonalReminder) -> OutboundMessage:
    """What the person asked to be reminded of."""
    return OutboundMessage(
        title=t(lang, "cal.remind.personal"),
        text=reminder.text or t(lang, "cal.personal.no_text"),
        footer=t(lang, "cal.remind.personal_footer",
                 when=format_moment(lang, reminder.created_at)),
        priority=Priority.NORMAL, lang=lang,
    )


@dataclass(frozen=True, slots=True)
class Seen:
    """An (occurrence of an) event as a reminder showed it: what a change notice compares."""

    start: datetime
    end: datetime
    all_day: bool
    title: str
    place: str
    link: str

    @classmethod
    def of(cls, event: Event, occurrence: Occurrence | None) -> Seen:
        """What ``event_lines`` shows of it (a place equal to the link is not a place)."""
        if occurrence is not None:
            start, end, title = occurrence.start, occurrence.end, occurrence.title
            place = occurrence.location or event.location
        else:
            start, end, title = utc(event.starts_at), utc(event.ends_at), event.title
            place = event.location
        return cls(start, end, event.all_day, title or event.title,
                   "" if place == event.online_url else place, event.online_url)


def _changes(lang: str, before: Seen, after: Seen) -> list[str]:
    """"Co się zmieniło" with one line per changed field, old → new; [] if none did."""
    lines = []
    if (before.start, before.end, before.all_day) != (after.start, after.end, after.all_day):
        lines.append(t(lang, "cal.notice.change_when",
                       old=format_span(lang, before.start, before.end, all_day=before.all_day),
                       new=format_span(lang, after.start, after.end, all_day=after.all_day)))
    for key, old, new in (("title", before.title, after.title),
                          ("place", before.place, after.place),
                          ("link", before.link, after.link)):
        if old != new:
            lines.append(t(lang, f"cal.notice.change_{key}", old=old or "—", new=new or "—"))
    return [t(lang, "cal.notice.what_changed"), *lines, ""] if lines else []


def event_changed(lang: str, event: Event, occurrence: Occurrence | None, forum_name: str,
                  before: Seen) -> OutboundMessage:
    """Those already reminded learn what changed (old → new), then the event as it is now."""
    assert event.id is not None
    changes = _changes(lang, before, Seen.of(event, occurrence))
    return OutboundMessage(
        title=t(lang, "cal.notice.changed", title=occurrence.title if occurrence else
                event.title),
        text="\n".join(changes + event_lines(lang, event, occurrence, forum_name)),
        buttons=rsvp_buttons(lang, event.id, occurrence) if occurrence else (),
        priority=Priority.NORMAL, lang=lang,
    )


def event_cancelled(lang: str, title: str, when: str, forum_name: str) -> OutboundMessage:
    """Those already reminded learn that it will not take place."""
    return OutboundMessage(
        title=t(lang, "cal.notice.cancelled", title=title),
        text="\n".join([when, t(lang, "cal.line.forum", forum=forum_name)]),
        priority=Priority.NORMAL, lang=lang,
    )


def deadline_changed(lang: str, deadline: Deadline, forum_name: str, before: datetime,
                     before_title: str, cancelled: bool) -> OutboundMessage:
    """A deadline changed (what changed, old → new) or was cancelled."""
    if cancelled:
        return OutboundMessage(
            title=t(lang, "cal.notice.deadline_cancelled", title=deadline.title),
            text=t(lang, "cal.deadline.due", when=format_moment(lang, before)),
            priority=Priority.NORMAL, lang=lang,
        )
    changes = []
    if utc(before) != utc(deadline.due_at):
        changes.append(t(lang, "cal.notice.change_due", old=format_moment(lang, before),
                         new=format_moment(lang, deadline.due_at)))
    if before_title != deadline.title:
        changes.append(t(lang, "cal.notice.change_title", old=before_title, new=deadline.title))
    if changes:
        changes = [t(lang, "cal.notice.what_changed"), *changes, ""]
    return OutboundMessage(
        title=t(lang, "cal.notice.deadline_changed", title=deadline.title),
        text="\n".join(changes + deadline_lines(lang, deadline, forum_name)),
        priority=Priority.NORMAL, lang=lang,
    )
