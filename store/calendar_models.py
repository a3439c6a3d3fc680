"""Tables of the calendar: events, deadlines and reminders (filled in by the calendar feature)."""
