"""Small helpers the calendar's command handlers share: the service, polite answers,
explaining a date that could not be used, and how reminders fared."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

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
        values["when"] = format_moment(lang, values["when"])  # type: ignore[arg-type]
    elif error.key == "when.past_date":
        values = {"date": format_day(lang, values["day"], year=False).split(", ", 1)[-1],  # type: ignore[arg-type]
                  "when": format_day(lang, values["day"]),  # type: ignore[arg-type]
                  "example": format_day(lang, values["example"]).split(", ", 1)[-1]}  # type: ignore[arg-type]
    elif error.key == "when.past_time":
        values["time"] = format_time(values["time"])  # type: ignore[arg-type]
    elif error.key == "when.ambiguous_hour":
        values["pm"] = int(values["hour"]) + 12  # type: ignore[call-overload]
    elif error.key == "when.weekday_mismatch":
        day = values["day"]
        values = {"date": format_day(lang, day, year=False).split(", ", 1)[-1],  # type: ignore[arg-type]
                  "actual": t(lang, f"cal.weekday.{day.weekday()}"),  # type: ignore[attr-defined]
                  "given": t(lang, f"cal.weekday.{values['weekday']}")}
    values.setdefault("text", typed.strip()[:80])
    return t(lang, error.key, **values)


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
        name = people[person_id].name if person_id in people else "?"
        lines.append(text(ctx, "cal.event.failed_line", name=name, reason=reason or "—"))
    if gaps:
        names = ", ".join(sorted(people[g.person_id].name for g in gaps if g.person_id in people))
        lines.append(text(ctx, "cal.event.unreachable", names=names))
    return lines
