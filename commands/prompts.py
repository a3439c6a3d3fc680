"""Pending prompts: when a command asks for a missing piece ("Podaj termin…"), the next message
of that person in that conversation answers it.

A handler that asks calls :func:`ask` instead of just saying the question: the command, what
was typed so far and the field the answer fills are stored (in the database — the answer may
reach another instance, or come after a restart). The core then hands the next plain message
of the same account in the same conversation (and thread) back to the command, joined to what
was typed before (:func:`combine`). "anuluj"/"cancel" drops the question; a command (``/…``)
drops it and runs; after ``CoreSettings.prompt_timeout`` the message is an ordinary one again.
"""

from __future__ import annotations

import re
from datetime import timedelta

from commands.calendar.fields import DEADLINE_FIELDS, EVENT_FIELDS, segments
from commands.context import Context, Reply
from commands.directory.language import fold
from commands.model import InboundEvent, OutboundMessage
from commands.texts import t
from store.prompt_models import PendingPrompt
from store.prompts import drop_prompt, put_prompt, take_prompt, waiting_prompt

FIELDS = "fields"  # "name: value" lines (/wydarzenie, /termin); a bare answer fills ``field``
PREPEND = "prepend"  # the answer goes before what was typed ("jutro o 9" + "wysłać raport")
APPEND = "append"  # the answer goes after what was typed
# Date problems whose natural answer is half a date ("o 17:00", "we wtorek"): asking for the
# field again would replace the whole date with that half, so these are not asked again.
PARTIAL_WHEN = frozenset({"when.which_day", "when.which_time", "when.ambiguous_hour"})
CANCEL_WORDS = frozenset({"anuluj", "cancel", "przerwij", "rezygnuje", "stop", "nevermind"})
_KNOWN_FIELDS = frozenset(EVENT_FIELDS) | frozenset(DEADLINE_FIELDS)
_NAMED = re.compile(r"^\s*([^\W\d_][^\W\d_ ]{0,30})\s*:")


def prompt_keys(event: InboundEvent) -> tuple[str, str]:
    """(conversation with its thread, the account) — where and from whom an answer counts."""
    conversation = event.conversation
    sender = event.sender
    return (f"{conversation.key}#{conversation.thread_id or ''}",
            f"{sender.platform}:{sender.tenant_id or ''}:{sender.user_id}")


def timeout(ctx: Context) -> timedelta:
    """How long a question waits for its answer (``CoreSettings.prompt_timeout``)."""
    return ctx.services.settings.prompt_timeout


async def ask(ctx: Context, question: str, *, command: str, args: str, field: str = "",
              style: str = FIELDS) -> Reply:
    """Say ``question`` and wait for its answer: the next message of this person here runs
    ``command`` again with ``args`` and the answer (see :func:`combine`)."""
    conversation_key, user_key = prompt_keys(ctx.event)
    wait = timeout(ctx)
    async with ctx.services.db.session() as session:
        await put_prompt(session, PendingPrompt(
            conversation_key=conversation_key, user_key=user_key, command=command,
            args=args.strip(), field=field, style=style, created_at=ctx.now,
            expires_at=ctx.now + wait))
        await session.commit()
    minutes = max(1, int(wait.total_seconds() // 60))
    return Reply.of(OutboundMessage(text=question, lang=ctx.lang,
                                    footer=t(ctx.lang, "prompt.hint", minutes=minutes)))


async def take(ctx: Context) -> PendingPrompt | None:
    """The question this person was asked here and has not answered yet (removed: a message
    answers it once), or None — also when it has expired. Without one (most messages) this
    is one read (none when identify already read that nothing waits): no write, no
    commit."""
    if ctx.prompt_waiting is False:
        return None
    conversation_key, user_key = prompt_keys(ctx.event)
    async with ctx.services.db.session() as session:
        found = await waiting_prompt(session, conversation_key, user_key)
        if found is None:
            return None
        prompt = await take_prompt(session, found, ctx.now)
        await session.commit()
    return prompt


async def drop(ctx: Context) -> None:
    """Forget the question waiting for this person here (they typed a command instead)."""
    if ctx.prompt_waiting is False:
        return
    conversation_key, user_key = prompt_keys(ctx.event)
    async with ctx.services.db.session() as session:
        if await drop_prompt(session, conversation_key, user_key):
            await session.commit()


def is_cancel(text: str) -> bool:
    """"anuluj", "cancel" (with or without punctuation) — the way out of a question."""
    return fold(text.strip().strip(".!").strip()) in CANCEL_WORDS


def cancelled(ctx: Context) -> Reply:
    """The polite answer to "anuluj"."""
    return Reply.of(OutboundMessage(text=t(ctx.lang, "prompt.cancelled"), lang=ctx.lang))


def combine(prompt: PendingPrompt, answer: str) -> str:
    """The command's arguments once ``answer`` is added to what was typed before."""
    answer = answer.strip()
    if prompt.style == PREPEND:
        return f"{answer} {prompt.args}".strip()
    if prompt.style == APPEND:
        return f"{prompt.args} {answer}".strip()
    lines = segments(prompt.args)
    added = segments(answer)
    if added and not _names_field(added[0]):
        if prompt.field:
            added[0] = f"{prompt.field}: {added[0]}"
        else:  # the answer completes the first line (e.g. the forum's key, the title)
            head = lines.pop(0) if lines else ""
            added[0] = f"{head} {added[0]}".strip()
            lines.insert(0, added.pop(0))
    return "\n".join(lines + added)


def typed(header: str, values: dict[str, str]) -> str:
    """A command with fields written back as lines: the header, then ``name: value`` (the
    canonical names, which every command with fields accepts) — what :func:`combine` adds
    the answer to."""
    return "\n".join([header, *(f"{name}: {value}" for name, value in values.items())])


def _names_field(line: str) -> bool:
    match = _NAMED.match(line)
    return match is not None and fold(match[1].strip()) in _KNOWN_FIELDS


__all__ = ["APPEND", "FIELDS", "PARTIAL_WHEN", "PREPEND", "ask", "cancelled", "combine", "drop",
           "is_cancel", "take", "timeout", "typed"]
