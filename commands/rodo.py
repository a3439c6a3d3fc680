"""``/moje-dane eksport`` (``/me export``): a person's own data, sent to them privately.

The outbound model carries text and links, not file contents, so the JSON goes as text in
parts small enough for every messenger (Slack's section limit is the tightest).
"""

from __future__ import annotations

from commands.context import Context, Reply
from commands.model import ConversationKind, OutboundMessage
from commands.render import split_text
from commands.texts import t
from store.rodo import RodoError, export_json, export_person

EXPORT_WORDS = frozenset({"eksport", "export"})
PART_CHARS = 2500
MAX_PARTS = 40


async def export_my_data(ctx: Context) -> Reply:
    """Everything held about the sender, in their private chat only."""
    lang = ctx.lang
    if ctx.event.conversation.kind != ConversationKind.PERSONAL:
        return Reply.of(OutboundMessage(text=t(lang, "rodo.export.private_only"), lang=lang))
    person = ctx.person
    if person is None or person.id is None:
        return Reply.of(OutboundMessage(text=t(lang, "me.not_in_directory"), lang=lang))
    async with ctx.services.db.session() as session:
        try:
            data = await export_person(session, now=ctx.now, person_id=int(person.id))
        except RodoError:
            return Reply.of(OutboundMessage(text=t(lang, "me.not_in_directory"), lang=lang))
    parts = split_text(export_json(data), PART_CHARS)
    count = len(parts)
    many = t(lang, "rodo.export.parts", count=count) if count > 1 else ""
    messages = [OutboundMessage(text=t(lang, "rodo.export.intro", parts=many), lang=lang)]
    for number, part in enumerate(parts[:MAX_PARTS], 1):
        heading = t(lang, "rodo.export.part", number=number, count=count) + "\n" \
            if count > 1 else ""
        messages.append(OutboundMessage(text=heading + part, lang=lang))
    if count > MAX_PARTS:
        messages.append(OutboundMessage(
            text=t(lang, "rodo.export.too_long", shown=MAX_PARTS, count=count), lang=lang))
    return Reply(messages)
