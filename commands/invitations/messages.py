"""The e-mails people get: the invitation, its reminders and the daily digest, as plain text
with an HTML alternative in which every value from the directory or an announcement is
escaped."""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import date

from commands.calendar.dates import format_date, format_moment
from commands.invitations.ports import Mail
from commands.texts import t
from store.digest import DigestItem


def unsubscribe_url(public_url: str, token: str) -> str:
    """The person's opt-out page (GET asks, POST opts out — also RFC 8058 one-click)."""
    return f"{public_url}/email/opt-out/{token}"


def _html(paragraphs: Sequence[str]) -> str:
    body = "\n".join(
        "<p>" + "<br>".join(html.escape(line) for line in p.splitlines()) + "</p>"
        for p in paragraphs)
    return f'<!doctype html>\n<html><body style="font-family:sans-serif">\n{body}\n' \
           f"</body></html>\n"


def invitation(*, lang: str, name: str, email: str, telegram_link: str | None,
               valid_until: date, platforms: Sequence[str], unsubscribe: str,
               reminder: bool) -> Mail:
    """The invitation (or a reminder): a personal Telegram link when Telegram is there, and
    how Teams and Slack link by the verified e-mail."""
    paragraphs = [t(lang, "invite.greeting", name=name),
                  t(lang, "invite.reminder_intro" if reminder else "invite.intro")]
    if telegram_link:
        paragraphs.append(t(lang, "invite.telegram", link=telegram_link,
                            until=format_date(lang, valid_until)))
    for platform in platforms:
        if platform in ("teams", "slack"):
            paragraphs.append(t(lang, f"invite.{platform}"))
    paragraphs += [t(lang, "invite.why"), t(lang, "invite.optout", url=unsubscribe)]
    subject = t(lang, "invite.reminder_subject" if reminder else "invite.subject")
    return Mail(to=email, to_name=name, subject=subject, text="\n\n".join(paragraphs) + "\n",
                lang=lang, unsubscribe_url=unsubscribe, html=_html(paragraphs))


def digest(*, lang: str, name: str, email: str, items: Sequence[DigestItem],
           unsubscribe: str) -> Mail:
    """One e-mail with every announcement of the day, oldest first."""
    paragraphs = [t(lang, "invite.greeting", name=name), t(lang, "digest.intro")]
    for item in items:
        heading = t(lang, "digest.item", number=item.number or item.announcement_id,
                    author=item.author, when=format_moment(lang, item.sent_at))
        paragraphs.append(f"{heading}\n{item.text}")
    paragraphs += [t(lang, "digest.link_hint"), t(lang, "invite.optout", url=unsubscribe)]
    return Mail(to=email, to_name=name, subject=t(lang, "digest.subject", count=len(items)),
                text="\n\n".join(paragraphs) + "\n", lang=lang, unsubscribe_url=unsubscribe,
                html=_html(paragraphs))
