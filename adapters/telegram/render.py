"""Neutral outbound messages → Telegram HTML messages (``parse_mode="HTML"``) and keyboards.

Every piece of text from users and from the directory goes through :func:`html.escape`; the
only markup is ours. Long messages are split between lines, each chunk within Telegram's
4096-character limit (counted after entity parsing, in UTF-16 code units).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from commands.model import Attachment, Button, ButtonStyle, ContactCard, OutboundMessage
from commands.render import card_heading, card_lines, confirmation_line, render_plain, split_text
from commands.texts import t

__all__ = ["MAX_TEXT_LENGTH", "RenderedChunk", "keyboard", "render_message"]

MAX_TEXT_LENGTH = 4096
_ROW_CHARACTERS = 30  # short buttons (‹ Wstecz | Dalej ›) share a row, long ones get their own
_ROW_BUTTONS = 3
_FILL_AT_LEAST = 200  # room left in a chunk worth filling with part of a long line
_EMAIL_RE = re.compile(r"[^@\s<>\"'&]+@[^@\s<>\"'&]+\.[A-Za-z]{2,}")
_PHONE_RE = re.compile(r"\+?[0-9][0-9 ()./-]{5,28}[0-9]")
_STYLES = {ButtonStyle.PRIMARY: "primary", ButtonStyle.DANGER: "danger"}


@dataclass(frozen=True, slots=True)
class RenderedChunk:
    """One Telegram message: HTML text and (on the last chunk) the inline keyboard."""

    html: str
    keyboard: InlineKeyboardMarkup | None = None


@dataclass(frozen=True, slots=True)
class _Line:
    html: str
    size: int  # visible length in UTF-16 code units
    plain: str = ""  # the text before escaping, where the line may be cut further
    tag: str = ""


def render_message(message: OutboundMessage, *, limit: int = MAX_TEXT_LENGTH
                   ) -> list[RenderedChunk]:
    """The message as one or more HTML chunks; the keyboard rides on the last one."""
    lines: list[_Line] = []

    def block(new: list[_Line]) -> None:
        if new:
            if lines:
                lines.append(_Line("", 0))  # a blank line between parts
            lines.extend(new)

    lang = message.lang
    block(_plain_lines(message.title, limit, "b"))
    block(_plain_lines(message.text, limit))
    for card in message.cards:
        block(_card(card, lang, limit))
    block([_attachment(a) for a in message.attachments])
    block(_plain_lines(message.footer, limit, "i"))
    if not lines:
        fallback = render_plain(message).strip()
        if not fallback:
            return []
        lines = _plain_lines(fallback, limit)
    markup = keyboard(message.buttons)
    chunks = _pack(lines, limit)
    return [RenderedChunk(text, markup if i == len(chunks) - 1 else None)
            for i, text in enumerate(chunks)]


def _attachment(attachment: Attachment) -> _Line:
    """A file as a link where there is one, else its name (the file stays where it was)."""
    name = html.escape(attachment.name or "plik")
    if attachment.url and attachment.url.startswith(("https://", "http://")):
        url = html.escape(attachment.url, quote=True)
        return _Line(f'📎 <a href="{url}">{name}</a>', len(attachment.name) + 2)
    return _Line(f"📎 {name}", len(attachment.name) + 2)


def keyboard(buttons: tuple[Button, ...]) -> InlineKeyboardMarkup | None:
    """An inline keyboard; ``callback_data`` is the core's ``action|value`` (≤ 64 bytes)."""
    if not buttons:
        return None
    rows: list[list[InlineKeyboardButton]] = []
    width = 0
    for button in buttons:
        label = button.label[:64] or "·"
        item = InlineKeyboardButton(label, callback_data=button.callback_data,
                                    style=_STYLES.get(button.style))
        if rows and len(rows[-1]) < _ROW_BUTTONS and width + len(label) <= _ROW_CHARACTERS:
            rows[-1].append(item)
            width += len(label)
        else:
            rows.append([item])
            width = len(label)
    return InlineKeyboardMarkup(rows)


def _esc(text: str) -> str:
    return html.escape(text, quote=False)


def _size(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _plain_lines(text: str, limit: int, tag: str = "") -> list[_Line]:
    """Escaped lines of plain text; a line too long for one message is cut at spaces."""
    out: list[_Line] = []
    if not text.strip():
        return out
    for line in text.strip("\n").split("\n"):
        for piece in split_text(line, limit) if _size(line) > limit else [line]:
            while _size(piece) > limit:  # astral characters count twice
                out.append(_wrap(piece[: limit // 2], tag))
                piece = piece[limit // 2:]
            out.append(_wrap(piece, tag))
    return out


def _wrap(piece: str, tag: str) -> _Line:
    if not tag or not piece.strip():
        return _Line(_esc(piece), _size(piece), piece)
    return _Line(f"<{tag}>{_esc(piece)}</{tag}>", _size(piece), piece, tag)


def _cut(line: _Line, room: int) -> tuple[_Line, _Line] | None:
    """``line`` cut at a space so that the first part takes at most ``room``; None if it
    cannot be (not plain text, or no space early enough)."""
    if not line.plain:
        return None
    cut = line.plain.rfind(" ", 0, room + 1)
    while cut > 0 and _size(line.plain[:cut]) > room:  # astral characters count twice
        cut = line.plain.rfind(" ", 0, cut)
    if cut <= 0:
        return None
    return _wrap(line.plain[:cut].rstrip(), line.tag), _wrap(line.plain[cut:].lstrip(), line.tag)


def _card(card: ContactCard, lang: str, limit: int) -> list[_Line]:
    """Bold heading, labelled lines with tappable e-mail and phone, italic confirmation."""
    lines = _plain_lines(card_heading(card), limit, "b")
    for label, value in card_lines(card, lang):
        visible = f"{label}: {value}" if label else value
        if _size(visible) > limit:
            lines += _plain_lines(visible, limit)
            continue
        if label == t(lang, "card.email") and value == card.email:
            body = _linked(value, _EMAIL_RE, lambda m: f"mailto:{m}")
        elif label == t(lang, "card.phone") and value == card.phone:
            body = _linked(value, _PHONE_RE, lambda m: "tel:" + re.sub(r"[^0-9+]", "", m))
        else:
            body = _esc(value)
        lines.append(_Line(f"{_esc(label)}: {body}" if label else body, _size(visible)))
    lines += _plain_lines(confirmation_line(card, lang), limit, "i")
    return lines


def _linked(value: str, pattern: re.Pattern[str], href: Callable[[str], str]) -> str:
    """``value`` escaped, with every match of ``pattern`` made a link (tap to mail / call)."""
    out: list[str] = []
    position = 0
    for match in pattern.finditer(value):
        out.append(_esc(value[position:match.start()]))
        target = html.escape(href(match.group(0)), quote=True)
        out.append(f'<a href="{target}">{_esc(match.group(0))}</a>')
        position = match.end()
    out.append(_esc(value[position:]))
    return "".join(out)


def _pack(lines: list[_Line], limit: int) -> list[str]:
    """Lines into as few chunks as fit; blank lines at chunk edges are dropped. A long line of
    text that does not fit is cut at a space to fill the chunk rather than leaving, say, the
    title alone in a message of its own."""
    chunks: list[list[_Line]] = [[]]
    size = 0
    pending = list(reversed(lines))
    while pending:
        line = pending.pop()
        current = chunks[-1]
        extra = line.size + (1 if current else 0)
        room = limit - size - (1 if current else 0)
        if current and size + extra > limit and room >= _FILL_AT_LEAST \
                and (parts := _cut(line, room)) is not None:
            line, rest = parts
            pending.append(rest)
            extra = line.size + 1
        if current and size + extra > limit:
            chunks.append([])
            current, size, extra = chunks[-1], 0, line.size
        if not current and not line.html.strip():
            continue
        current.append(line)
        size += extra
    return ["\n".join(x.html for x in chunk).strip("\n") for chunk in chunks if chunk]
