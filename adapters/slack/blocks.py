"""Neutral messages as Block Kit, within Slack's limits, with every piece of text escaped.

Slack parses ``&``, ``<`` and ``>`` in ``mrkdwn`` and in the top-level ``text`` (that is how
``<!channel>`` and ``<@U…>`` mentions are written), so every user or directory string is
escaped before it is placed there; ``verbatim`` stops Slack from turning bare ``#channel``
names and URLs into links. ``plain_text`` (button labels) is never parsed for mentions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from commands.model import Attachment, Button, ButtonStyle, ContactCard, OutboundMessage
from commands.render import card_lines, confirmation_line, render_plain, split_text

MAX_BLOCKS = 50
SECTION_TEXT_LIMIT = 3000
CONTEXT_TEXT_LIMIT = 3000
FIELD_LIMIT = 2000
FIELDS_PER_SECTION = 10
BUTTONS_PER_BLOCK = 25
BUTTON_LABEL_LIMIT = 75
TEXT_LIMIT = 40_000
# Slack answers msg_blocks_too_long well before the documented per-block limits (about 13k
# characters in bolt-js#2509), so one message carries at most this much block text.
BLOCK_TEXT_BUDGET = 11_000
ACTION_ID_PREFIX = "lacznik:"
ELLIPSIS = "…"

Block = dict[str, Any]

_EMAIL_RE = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_URL_RE = re.compile(r"https?://[^\s<>|&]+")


def escape(text: str) -> str:
    """Slack's three control characters as entities: no mention or link can be smuggled."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@dataclass(frozen=True, slots=True)
class SlackMessage:
    """One Slack message: blocks plus the ``text`` that notifications and old clients show."""

    text: str
    blocks: list[Block] = field(default_factory=list)

    def payload(self) -> dict[str, Any]:
        """Arguments for ``chat.postMessage`` / ``chat.update`` / a ``response_url``."""
        return {"text": self.text, "blocks": self.blocks}


@dataclass(slots=True)
class _Group:
    """Blocks that belong together (a card and its confirmation line) and their plain text."""

    blocks: list[Block]
    plain: str

    @property
    def size(self) -> int:
        return sum(_text_size(b) for b in self.blocks)


def render(message: OutboundMessage, *, max_parts: int = 10) -> list[SlackMessage]:
    """``message`` as one Slack message, or several when it is over Slack's limits.

    Buttons go with the last part. Beyond ``max_parts`` the rest is cut and marked ``…``.
    """
    groups = _content(message)
    actions = _actions(message.buttons)
    parts: list[list[_Group]] = [[]]
    for group in groups:
        if parts[-1] and not _fits(parts[-1], [group]):
            parts.append([])
        parts[-1].append(group)
    if actions and not _fits(parts[-1], [actions]):
        parts.append([])
    trimmed = len(parts) > max_parts
    if trimmed:
        parts = parts[:max_parts]
        last = parts[-1]
        ellipsis = _Group([_context(ELLIPSIS)], ELLIPSIS)
        while last and not _fits(last, [ellipsis, actions] if actions else [ellipsis]):
            last.pop()
        last.append(ellipsis)
    if actions:
        parts[-1].append(actions)
    if len(parts) == 1 and not trimmed:
        plain = "\n\n".join(p for p in (render_plain(message), _files_plain(message)) if p)
        return [_message(escape(plain), parts[0])]
    return [_message(escape("\n\n".join(g.plain for g in part)), part) for part in parts]


def render_one(message: OutboundMessage) -> SlackMessage:
    """``message`` as exactly one Slack message (for edits and replacements), cut if needed."""
    return render(message, max_parts=1)[0]


def _message(text: str, groups: list[_Group]) -> SlackMessage:
    if len(text) > TEXT_LIMIT:
        text = text[: TEXT_LIMIT - 1] + ELLIPSIS
    blocks = [block for group in groups for block in group.blocks]
    return SlackMessage(text=text or ELLIPSIS, blocks=blocks)


def _fits(part: list[_Group], extra: list[_Group]) -> bool:
    groups = part + extra
    blocks = sum(len(g.blocks) for g in groups)
    return blocks <= MAX_BLOCKS and sum(g.size for g in groups) <= BLOCK_TEXT_BUDGET


def _content(message: OutboundMessage) -> list[_Group]:
    lang = message.lang
    groups: list[_Group] = []
    if message.title:
        title = escape(message.title)
        groups.append(_Group([_section(f"*{_cut(title, SECTION_TEXT_LIMIT - 2)}*")],
                             message.title))
    for chunk in _escaped_chunks(message.text, SECTION_TEXT_LIMIT):
        groups.append(_Group([_section(chunk)], _unescape(chunk)))
    if message.attachments:
        links = "\n".join(_file_link(a) for a in message.attachments)
        groups.append(_Group([_section(_cut(links, SECTION_TEXT_LIMIT))], _files_plain(message)))
    for card in message.cards:
        groups.append(_Group(_card(card, lang), render_plain(OutboundMessage(
            cards=(card,), lang=lang))))
    for chunk in _escaped_chunks(message.footer, CONTEXT_TEXT_LIMIT):
        groups.append(_Group([_context(chunk, escaped=True)], _unescape(chunk)))
    return groups


def _card(card: ContactCard, lang: str) -> list[Block]:
    heading = f"*{escape(card.name)}*"
    if card.gmina:
        heading += f" — {escape(card.gmina)}"
    fields = [
        _mrkdwn(_cut(f"*{escape(label)}*\n{_value(card, value)}", FIELD_LIMIT))
        for label, value in card_lines(card, lang)
    ][:FIELDS_PER_SECTION]
    section = _section(_cut(heading, SECTION_TEXT_LIMIT))
    if fields:
        section["fields"] = fields
    return [section, _context(confirmation_line(card, lang))]


def _value(card: ContactCard, value: str) -> str:
    """A card line's value in mrkdwn: e-mail as mailto:, phone as tel: links."""
    if value == card.email and _EMAIL_RE.fullmatch(value):
        return f"<mailto:{value}|{value}>"  # the pattern admits no control characters
    if value == card.phone:
        number = re.sub(r"[^\d+]", "", value)
        if len(number.lstrip("+")) >= 6 and "+" not in number[1:]:
            return f"<tel:{number}|{escape(value)}>"
    return escape(value)


def _file_link(attachment: Attachment) -> str:
    """"📎 <https://…|uchwała.pdf>" — only a plain http(s) URL becomes a link."""
    name = escape(attachment.name or "plik")
    url = attachment.url or ""
    if _URL_RE.fullmatch(url):
        return f"📎 <{url}|{name}>"
    return f"📎 {name}"


def _files_plain(message: OutboundMessage) -> str:
    return "\n".join(f"📎 {a.name}: {a.url}" if a.url else f"📎 {a.name}"
                     for a in message.attachments)


def _actions(buttons: tuple[Button, ...]) -> _Group | None:
    if not buttons:
        return None
    blocks: list[Block] = []
    for start in range(0, len(buttons), BUTTONS_PER_BLOCK):
        elements = [
            _button(button, start + offset)
            for offset, button in enumerate(buttons[start : start + BUTTONS_PER_BLOCK])
        ]
        blocks.append({"type": "actions", "elements": elements})
    plain = "  ".join(f"[{i}] {b.label}" for i, b in enumerate(buttons, 1))
    return _Group(blocks, plain)


def _button(button: Button, index: int) -> Block:
    element: Block = {
        "type": "button",
        "text": {"type": "plain_text", "text": _cut(button.label, BUTTON_LABEL_LIMIT) or "?",
                 "emoji": True},
        "action_id": f"{ACTION_ID_PREFIX}{index}",
        "value": button.callback_data,
    }
    if button.style == ButtonStyle.PRIMARY:
        element["style"] = "primary"
    elif button.style == ButtonStyle.DANGER:
        element["style"] = "danger"
    return element


def _section(text: str) -> Block:
    return {"type": "section", "text": _mrkdwn(text)}


def _context(text: str, *, escaped: bool = False) -> Block:
    body = text if escaped else _cut(escape(text), CONTEXT_TEXT_LIMIT)
    return {"type": "context", "elements": [_mrkdwn(body)]}


def _mrkdwn(text: str) -> Block:
    return {"type": "mrkdwn", "text": text, "verbatim": True}


def _escaped_chunks(text: str, limit: int) -> list[str]:
    """``text`` escaped, in chunks of at most ``limit`` characters once escaped, cut at line
    breaks where possible."""
    if not text.strip():
        return []
    return [chunk for chunk in _fit_escaped(text, limit, limit) if chunk.strip()]


def _fit_escaped(text: str, size: int, limit: int) -> list[str]:
    """Split ``text`` into pieces of ``size`` characters; a piece whose escaped form exceeds
    ``limit`` (``&`` becomes five characters) is split finer, always checked against the
    same ``limit`` — one character escapes to at most five, so this ends."""
    chunks: list[str] = []
    for piece in split_text(text, size):
        escaped = escape(piece)
        if len(escaped) <= limit:
            chunks.append(escaped)
        else:
            finer = max(1, min(len(piece) - 1, len(piece) * limit // len(escaped)))
            chunks += _fit_escaped(piece, finer, limit)
    return chunks


def _cut(text: str, limit: int) -> str:
    """At most ``limit`` characters, never ending inside an ``&…;`` entity."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    amp = cut.rfind("&")
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]
    return cut + ELLIPSIS


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _text_size(block: Block) -> int:
    size = 0
    text = block.get("text")
    if isinstance(text, dict):
        size += len(str(text.get("text", "")))
    for item in block.get("fields", []) + block.get("elements", []):
        inner = item.get("text")
        size += len(str(inner.get("text", ""))) if isinstance(inner, dict) else len(
            str(inner or ""))
        size += len(str(item.get("value", "")))
    return size
