"""Small helpers the calendar's command handlers share: the service, polite answers,
explaining a date that could not be used, and how reminders fared."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import TypeVar

from commands.authz import Act, Target
from commands.calendar.dates import format_day, format_moment, format_time
from commands.calendar.recurrence import RecurrenceError
from commands.calendar.service import CalendarError, CalendarService
from commands.calendar.when import WhenError
from commands.context import Context, Reply
from commands.model import OutboundMessage
from commands.texts import t
from store.calendar_models import ReminderGap
from store.models import DeliveryState, Person


def calendar(ctx: Context) -> CalendarService:
    """The calendar service (the composition root always provides one)."""
    service = ctx.services.calendar
    if service is None:
        raise RuntimeError("the calendar service is not configured")
    return service


def say(ctx: Context, key: str, **values: object) -> Reply:
    """A reply of one text."""
    return Reply.of(OutboundMessage(text=t(ctx.lang, key, **values), lang=ctx.lang))


def text(ctx: Context, key: str, **values: object) -> str:
    """A text in the user's language."""
    return t(ctx.lang, key, **values)


def when_problem(lang: str, error: WhenError, typed: str) -> str:
    """Why a date could not be used, in words."""
    values = dict(error.values)
    if error.key == "when.no_such_day":
        values["month"] = t(lang, f"cal.month.{values['month']}")
    elif error.key == "when.past":
        values["when"] = format_moment(lang, _typed(values["when"], datetime))
    elif error.key == "when.past_date":
        day = _typed(values["day"], date)
        values = {"date": format_day(lang, day, year=False).split(", ", 1)[-1],
                  "when": format_day(lang, day),
                  "example": format_day(lang, _typed(values["example"], date)
                                        ).split(", ", 1)[-1]}
    elif error.key == "when.past_time":
        values["time"] = format_time(_typed(values["time"], datetime))
    elif error.key == "when.ambiguous_hour":
        values["pm"] = _typed(values["hour"], int) + 12
    elif error.key == "when.weekday_mismatch":
        day = _typed(values["day"], date)
        values = {"date": format_day(lang, day, year=False).split(", ", 1)[-1],
                  "actual": t(lang, f"cal.weekday.{day.weekday()}"),
                  "given": t(lang, f"cal.weekday.{values['weekday']}")}
    values.setdefault("text", typed.strip()[:80])
    return t(lang, error.key, **values)


_Value = TypeVar("_Value")


def _typed(value: object, kind: type[_Value]) -> _Value:
    """A value of a :class:`WhenError`, of the type its key gives it."""
    if not isinstance(value, kind):
        raise TypeError(f"expected {kind.__name__}, got {value!r}")
    return value


def recurrence_problem(lang: str, error: RecurrenceError) -> str:
    """Why a recurrence could not be used."""
    return t(lang, error.key, **error.values)


def calendar_problem(lang: str, error: CalendarError) -> str:
    """A refusal of the calendar service, in words."""
    return t(lang, error.key, **error.values)


def may_manage_forum(ctx: Context, forum_id: int | None) -> bool:
    """Moderators of the forum and admins manage its events and deadlines; deadlines without
    a forum are for admins."""
    if forum_id is None:
        return ctx.may(Act.MANAGE_GLOBAL)
    return ctx.may(Act.MODERATE_FORUM, Target(forum_id=forum_id))


def forbidden(ctx: Context) -> Reply:
    """The polite refusal for privileged calendar actions."""
    return say(ctx, "cal.forbidden")


def delivery_lines(ctx: Context, counts: Mapping[str, int],
                   failures: Sequence[tuple[int | None, str]], gaps: Sequence[ReminderGap],
                   people: Mapping[int, Person]) -> list[str]:
    """How an event's or a deadline's reminders fared, for its organiser: the outbox rows by
    state, whom they did not reach and why (the first ten), who has no messenger at all."""
    def count(*states: DeliveryState) -> int:
        return sum(counts.get(state.value, 0) for state in states)

    lines = [text(ctx, "cal.event.deliveries", sent=count(DeliveryState.SENT),
                  pending=count(DeliveryState.PENDING, DeliveryState.SENDING),
                  failed=count(DeliveryState.FAILED, DeliveryState.DEAD),
                  missed=count(DeliveryState.MISSED))]
    for person_id, reason in failures[:10]:
        person = people.get(person_id) if person_id is not None else None
        name = person.name if person is not None else "?"
        lines.append(text(ctx, "cal.event.failed_line", name=name, reason=reason or "—"))
    if gaps:
        names = ", ".join(sorted(people[g.person_id].name for g in gaps if g.person_id in people))
        lines.append(text(ctx, "cal.event.unreachable", names=names))
    return lines
