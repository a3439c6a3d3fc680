"""Rendering neutral messages as Adaptive Cards 1.5 for Teams.

Escaping: every piece of user or directory text goes into a ``TextRun`` of a
``RichTextBlock``. Adaptive Cards render a TextRun literally — "Markdown is not supported" in
runs — so ``*``, ``_``, ``[x](y)``, ``<at>`` and HTML in a name or a note stay text and cannot
format, link or mention. No ``TextBlock`` (which does parse Markdown) carries such text.

Size: Teams refuses messages over its limit (100 KB today, 28–40 KB for older tenants) with
413, so a message is packed into as many cards as needed under a byte budget, measured as
UTF-16 like Teams does; buttons stay on the last card.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from commands.model import Attachment, Button, ButtonStyle, ContactCard, OutboundMessage
from commands.render import card_heading, card_lines, confirmation_line, split_text

ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"
CARD_VERSION = "1.5"
CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
DEFAULT_BUDGET = 28 * 1024  # the oldest Teams limit: safe on every tenant
MIN_BUDGET = 8 * 1024
ACTIVITY_OVERHEAD = 1024  # the activity around the card: ids, channelData, summary
SUMMARY_LIMIT = 150  # what Teams shows in a notification or the activity feed
FALLBACK_LIMIT = 1000  # characters of plain text for clients that cannot show the card
FALLBACK_RESERVE = FALLBACK_LIMIT * 4  # its bytes in UTF-16, with room for JSON escapes
_STYLES = {ButtonStyle.PRIMARY: "positive", ButtonStyle.DANGER: "destructive"}
_WEB = re.compile(r"^https?://[^\s]+$", re.IGNORECASE)  # links open only to the web


@dataclass(frozen=True, slots=True)
class Block:
    """One card element with its plain-text equivalent (for fallback and summary)."""

    element: dict[str, Any]
    plain: str
    splittable: bool = False  # a line of free text that may be cut if too long alone


@dataclass(frozen=True, slots=True)
class CardPart:
    """One Adaptive Card: a slice of a message's blocks, with the buttons on the last one."""

    blocks: tuple[Block, ...]
    buttons: tuple[Button, ...] = ()
    lang: str = "pl"

    @property
    def fallback(self) -> str:
        """The plain text shown by clients that cannot render the card."""
        lines = [b.plain for b in self.blocks if b.plain]
        if self.buttons:
            lines.append("  ".join(f"[{i}] {b.label}" for i, b in enumerate(self.buttons, 1)))
        text = "\n".join(lines)
        if len(text) <= FALLBACK_LIMIT:
            return text
        return text[: FALLBACK_LIMIT - 1].rstrip() + "…"

    @property
    def summary(self) -> str:
        """The first line, for notifications and the activity feed."""
        for block in self.blocks:
            line = block.plain.strip().split("\n", 1)[0]
            if line:
                return line[:SUMMARY_LIMIT]
        return self.buttons[0].label[:SUMMARY_LIMIT] if self.buttons else ""

    def card(self) -> dict[str, Any]:
        """The Adaptive Card JSON."""
        return {
            "type": "AdaptiveCard",
            "$schema": CARD_SCHEMA,
            "version": CARD_VERSION,
            "msteams": {"width": "Full"},
            "fallbackText": self.fallback,
            "body": [b.element for b in self.blocks] + _action_sets(self.buttons),
        }

    def size(self) -> int:
        """Bytes this card takes in a message, counted as Teams does (UTF-16)."""
        encoded = json.dumps(self.card(), ensure_ascii=False, separators=(",", ":"))
        return len(encoded.encode("utf-16-le")) + ACTIVITY_OVERHEAD


def render_parts(message: OutboundMessage, *, budget: int = DEFAULT_BUDGET) -> list[CardPart]:
    """The message as one or more cards, each under ``budget`` bytes; [] if it is empty."""
    blocks = list(message_blocks(message))
    if not blocks and not message.buttons:
        return []
    return split_part(CardPart(tuple(blocks), message.buttons, message.lang), budget)


def split_part(part: CardPart, budget: int) -> list[CardPart]:
    """Pack ``part``'s blocks into cards under ``budget``; cuts over-long text lines.

    Sizes add up per block (each element is serialised once), so packing stays linear.
    """
    budget = max(budget, MIN_BUDGET)
    base = CardPart((), part.buttons, part.lang).size() + FALLBACK_RESERVE
    packs: list[list[Block]] = []
    current: list[Block] = []
    used = base
    for block in part.blocks:
        for piece in _fitting(block, budget - base):
            cost = _cost(piece)
            if current and used + cost > budget:
                packs.append(current)
                current, used = [], base
            current.append(piece)
            used += cost
    packs.append(current)
    last = len(packs) - 1
    return [
        CardPart(tuple(blocks), part.buttons if i == last else (), part.lang)
        for i, blocks in enumerate(packs)
    ]


def message_blocks(message: OutboundMessage) -> Iterable[Block]:
    """Title, text lines, contact cards and footer as card elements."""
    if message.title:
        yield Block(_rich([_run(message.title, weight="Bolder", size="Medium")]), message.title,
                    splittable=True)
    gap = False
    for line in message.text.split("\n"):
        if not line.strip():
            gap = True
            continue
        yield Block(_rich([_run(line)], spacing="Medium" if gap else "Small"), line,
                    splittable=True)
        gap = False
    for card in message.cards:
        yield contact_block(card, message.lang)
    for attachment in message.attachments:
        yield attachment_block(attachment)
    if message.footer:
        yield Block(_rich([_run(message.footer, isSubtle=True, size="Small")],
                          spacing="Medium"), message.footer, splittable=True)


def contact_block(card: ContactCard, lang: str) -> Block:
    """A contact as a separated container: name, labelled lines, confirmation date."""
    heading = card_heading(card)
    items: list[dict[str, Any]] = [_rich([_run(heading, weight="Bolder")])]
    plain = [heading]
    for label, value in card_lines(card, lang):
        link = _link(card, value)
        run = _run(value, selectAction={"type": "Action.OpenUrl", "url": link}) if link else \
            _run(value)
        items.append(_rich([_run(f"{label}: ", weight="Bolder"), run], spacing="None"))
        plain.append(f"  {label}: {value}")
    confirmed = confirmation_line(card, lang)
    items.append(_rich([_run(confirmed, isSubtle=True, size="Small",
                             color="Warning" if card.stale else "Default")], spacing="Small"))
    plain.append(f"  {confirmed}")
    container = {"type": "Container", "separator": True, "spacing": "Medium", "items": items}
    return Block(container, "\n".join(plain))


def attachment_block(attachment: Attachment) -> Block:
    """A file as a line with its name, linked when it has a web address."""
    url = attachment.url if attachment.url and _WEB.match(attachment.url) else None
    name = attachment.name or (url or "")
    run = _run(name, selectAction={"type": "Action.OpenUrl", "url": url}) if url else _run(name)
    plain = f"📎 {name}" + (f" {url}" if url and url != name else "")
    return Block(_rich([_run("📎 "), run], spacing="Small"), plain)


def action_payload(button: Button) -> dict[str, str]:
    """What a pressed button sends back (``Action.Submit`` value / ``Action.Execute`` data)."""
    return {"action": button.action, "value": button.value}


# --- elements --------------------------------------------------------------------------------


def _run(text: str, **style: Any) -> dict[str, Any]:
    return {"type": "TextRun", "text": text, **style}


def _rich(inlines: list[dict[str, Any]], **props: Any) -> dict[str, Any]:
    return {"type": "RichTextBlock", "inlines": inlines, **props}


def _link(card: ContactCard, value: str) -> str:
    """A mailto:/tel: target for the e-mail and phone lines."""
    if card.email and value == card.email:
        return "mailto:" + quote(card.email, safe="@+")
    if card.phone and value == card.phone:
        digits = re.sub(r"[^0-9+]", "", card.phone)
        return f"tel:{digits}" if len(digits) >= 6 else ""
    return ""


def _action(button: Button) -> dict[str, Any]:
    """``Action.Execute`` (updates the card in place), falling back to ``Action.Submit``."""
    data = action_payload(button)
    style = {"style": _STYLES[button.style]} if button.style in _STYLES else {}
    submit = {"type": "Action.Submit", "title": button.label, "data": data, **style}
    return {"type": "Action.Execute", "title": button.label, "verb": button.action,
            "data": data, "fallback": submit, **style}


def _action_sets(buttons: tuple[Button, ...]) -> list[dict[str, Any]]:
    """Short choices side by side (paging); long or many choices one under another."""
    if not buttons:
        return []
    actions = [_action(b) for b in buttons]
    if len(buttons) <= 3 and all(len(b.label) <= 24 for b in buttons):
        return [{"type": "ActionSet", "actions": actions}]
    return [{"type": "ActionSet", "actions": [a], "spacing": "Small"} for a in actions]


def _cost(block: Block) -> int:
    """Bytes ``block`` adds to a card (its element, UTF-16, plus a separator)."""
    encoded = json.dumps(block.element, ensure_ascii=False, separators=(",", ":"))
    return len(encoded.encode("utf-16-le")) + 2


def _fitting(block: Block, room: int) -> list[Block]:
    """``block``, or pieces of its text if it alone takes more than ``room`` bytes."""
    if not block.splittable or _cost(block) <= room:
        return [block]
    style = {k: v for k, v in block.element["inlines"][0].items() if k not in ("type", "text")}
    props = {k: v for k, v in block.element.items() if k not in ("type", "inlines")}
    # Per character at most 2 bytes of UTF-16, doubled for JSON escapes; 300 for the markup.
    limit = max(100, (room - 300) // 4)
    return [Block(_rich([_run(piece, **style)], **props), piece, splittable=False)
            for piece in split_text(block.plain, limit)]
