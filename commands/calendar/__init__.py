"""Events, deadlines, personal reminders and calendar feeds.

Pure parts (date expressions, quiet hours, recurrences, iCalendar, reminder planning) are
separate from the services that read and write the database and from the command handlers.
"""
