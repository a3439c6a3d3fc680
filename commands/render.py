"""Plain-text rendering of outbound messages: the console, and every platform's fallback text.

Adapters with richer formats render cards themselves but reuse :func:`card_lines` so the
information shown is the same everywhere.
"""

from __future__ import annotations

from commands.model import ContactCard, OutboundMessage
from commands.texts import t
from store.models import Forum


def card_lines(card: ContactCard, lang: str) -> list[tuple[str, str]]:
    """Labelled lines of a contact card, in display order; labels may be empty."""
    lines: list[tuple[str, str]] = []
    if card.position:
        lines.append((t(lang, "card.position"), card.position))
    if card.topics:
        lines.append((t(lang, "card.topics"), ", ".join(card.topics)))
    if card.email:
        lines.append((t(lang, "card.email"), card.email))
    if card.phone:
        lines.append((t(lang, "card.phone"), card.phone))
    if card.preferred_contact:
        lines.append((t(lang, "card.preferred"), card.preferred_contact))
    if card.notes:
        lines.append((t(lang, "card.notes"), card.notes))
    return lines


def confirmation_line(card: ContactCard, lang: str) -> str:
    """"Potwierdzono: 2026-05-01 ⚠ dane mogą być nieaktualne"."""
    text = (
        t(lang, "card.confirmed", date=card.confirmed_on.isoformat())
        if card.confirmed_on
        else t(lang, "card.never_confirmed")
    )
    return f"{text} {t(lang, 'card.stale')}" if card.stale else text


def card_heading(card: ContactCard) -> str:
    """"Anna Nowak — Wieliczka"."""
    return f"{card.name} — {card.gmina}" if card.gmina else card.name


def render_plain(message: OutboundMessage) -> str:
    """The whole message as plain text (buttons listed as numbered choices)."""
    lang = message.lang
    parts: list[str] = []
    if message.title:
        parts.append(message.title)
    if message.text:
        parts.append(message.text)
    for card in message.cards:
        block = [card_heading(card)]
        block += [f"  {label}: {value}" for label, value in card_lines(card, lang)]
        block.append(f"  {confirmation_line(card, lang)}")
        parts.append("\n".join(block))
    if message.footer:
        parts.append(message.footer)
    if message.buttons:
        parts.append("  ".join(f"[{i}] {b.label}" for i, b in enumerate(message.buttons, 1)))
    return "\n\n".join(parts)


def split_text(text: str, limit: int) -> list[str]:
    """Split ``text`` into chunks of at most ``limit`` characters, at line boundaries if
    possible (then at spaces, then anywhere)."""
    chunks: list[str] = []
    rest = text
    while len(rest) > limit:
        cut = rest.rfind("\n", 0, limit + 1)
        if cut <= 0:
            cut = rest.rfind(" ", 0, limit + 1)
        if cut <= 0:
            cut = limit
        chunks.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip("\n ")
    if rest or not chunks:
        chunks.append(rest)
    return chunks


def forum_name(forum: Forum | None, lang: str) -> str:
    """The forum's name in ``lang`` (Polish where it has no English one)."""
    if forum is None:
        return ""
    return forum.name_en if lang == "en" and forum.name_en else forum.name_pl
