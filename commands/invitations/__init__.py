"""Reaching people who have no messenger yet: the invitation campaign (e-mails with a
personal Telegram link and how Teams and Slack link), reminders, opt-out, and the daily
digest of normal announcements."""
