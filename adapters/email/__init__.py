"""E-mail over SMTP: invitations to link a messenger and the daily digest (never chat)."""
