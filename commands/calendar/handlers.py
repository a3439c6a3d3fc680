"""The calendar's commands and buttons, registered in /pomoc order."""

from __future__ import annotations

from commands.calendar import deadline_commands, event_commands, personal_commands
from commands.calendar.messages import ACTION_CANCEL_PERSONAL, ACTION_DONE, ACTION_RSVP
from commands.registry import Action, Command, CommandRegistry


def register(registry: CommandRegistry) -> None:
    """Add /plan, /wydarzenia, /wydarzenie, /termin, /przypomnij, /przypomnienia, /kalendarz,
    /cisza and their buttons. Privileged sub-commands check forum roles themselves (a
    moderator moderates one forum)."""
    registry.add(Command(("plan", "agenda"), personal_commands.plan, "cmd.plan", "/plan",
                         "/agenda"))
    registry.add(Command(("wydarzenia", "events"), event_commands.events, "cmd.events",
                         "/wydarzenia [FORUM|wszystkie]", "/events [FORUM|all]"))
    registry.add(Command(("wydarzenie", "event"), event_commands.event, "cmd.event",
                         "/wydarzenie NR | nowe FORUM …", "/event NO | new FORUM …"))
    registry.add(Command(("termin", "deadline"), deadline_commands.deadline, "cmd.deadline",
                         "/termin NR | nowy FORUM …", "/deadline NO | new FORUM …"))
    registry.add(Command(("przypomnij", "remind"), personal_commands.remind, "cmd.remind",
                         "/przypomnij KIEDY CO", "/remind WHEN WHAT"))
    registry.add(Command(("przypomnienia", "reminders"), personal_commands.my_reminders,
                         "cmd.reminders", "/przypomnienia [usuń NR]",
                         "/reminders [cancel NO]"))
    registry.add(Command(("kalendarz", "calendar"), personal_commands.feed, "cmd.calendar",
                         "/kalendarz [FORUM] [nowy]", "/calendar [FORUM] [new]"))
    registry.add(Command(("cisza", "quiet"), personal_commands.quiet, "cmd.quiet",
                         "/cisza [21:00-7:00 | weekendy tak|nie | domyślne]",
                         "/quiet [21:00-7:00 | weekends yes|no | default]"))
    registry.add_action(Action(ACTION_RSVP, event_commands.rsvp))
    registry.add_action(Action(event_commands.ACTION_CANCEL_EVENT, event_commands.confirm_cancel))
    registry.add_action(Action(ACTION_DONE, deadline_commands.done))
    registry.add_action(Action(ACTION_CANCEL_PERSONAL, personal_commands.cancel_reminder))
