"""/forum, /pytanie = /ask, /szukaj = /search, /faq, /przekieruj = /redirect, /zamknij = /close."""

from __future__ import annotations

from commands import prompts
from commands.authz import Act, Target, moderated_forums
from commands.context import Context, Reply
from commands.forums import admin_handlers
from commands.forums.answers import ACTION_DONE
from commands.model import ConversationKind, OutboundMessage
from commands.registry import Action, Command, CommandRegistry
from commands.render import forum_name
from commands.texts import PLATFORM_NAMES, t
from store.forum_models import ForumGroup, Question
from store.forum_questions import question_by_id
from store.forums import active_forum
from store.models import Forum, Role

MAX_QUESTION = 3000
MODERATORS = frozenset({Role.FORUM_MODERATOR})


def _say(ctx: Context, text_key: str, /, **values: object) -> Reply:
    return Reply.of(OutboundMessage(text=t(ctx.lang, text_key, **values), lang=ctx.lang))


def _moderated(ctx: Context) -> set[int] | None:
    """Forums the sender moderates; None for admins (every forum)."""
    return moderated_forums(ctx.who)


async def forum(ctx: Context, args: str) -> Reply:
    """/forum podlacz KLUCZ | odlacz KLUCZ (inside a group) | lista."""
    verb, _, key = args.strip().partition(" ")
    verb = verb.lower()
    service = ctx.services.forums
    if verb in ("lista", "list", ""):
        lines = []
        for item, groups in await service.listing():
            where = ", ".join(_group_line(ctx, g, live) for g, live in groups)
            lines.append(t(ctx.lang, "forum.list_line", key=item.key,
                           name=forum_name(item, ctx.lang),
                           groups=where or t(ctx.lang, "forum.no_groups")))
        return Reply.of(OutboundMessage(title=t(ctx.lang, "forum.list_title"),
                                        text="\n".join(lines), lang=ctx.lang))
    if verb in admin_handlers.VERBS:  # members: dodaj / usun / czlonkowie
        return await admin_handlers.members_command(ctx, verb, key)
    if verb not in ("podlacz", "podłącz", "link", "odlacz", "odłącz", "unlink") or not key:
        return Reply.of(OutboundMessage(text=t(ctx.lang, "forum.usage") + "\n"
                                        + t(ctx.lang, "fadm.usage"), lang=ctx.lang))
    key, _, number = key.strip().partition(" ")
    number = number.strip().lstrip("#")
    conversation = ctx.event.conversation
    unlinking = verb in ("odlacz", "odłącz", "unlink")
    if unlinking and number.isdigit():  # a group by its number from /forum lista, anywhere
        if ctx.person is None or not (ctx.has_role(Role.ADMIN)
                                      or ctx.has_role(Role.FORUM_MODERATOR)):
            return _say(ctx, "forum.forbidden")
        outcome = await service.unlink_group(key, int(number), by=ctx.person,
                                             may=_moderated(ctx))
        return _say(ctx, f"forum.{outcome}_number" if outcome in ("unlinked", "not_linked")
                    else f"forum.{outcome}", key=key.upper()[:40], number=number)
    if conversation.kind == ConversationKind.PERSONAL:
        return _say(ctx, "forum.only_in_group")
    if ctx.person is None or not (ctx.has_role(Role.ADMIN)
                                  or ctx.has_role(Role.FORUM_MODERATOR)):
        return _say(ctx, "forum.forbidden")
    title = str(ctx.event.raw.get("title", "")) if ctx.event.raw else ""
    if verb in ("podlacz", "podłącz", "link"):
        # A forum topic of a group (Telegram) is a place of its own; in a channel (Slack,
        # Teams) the thread is just the reply chain the command was written in, and each
        # question must start a thread of its own.
        topic = conversation.thread_id if conversation.kind == ConversationKind.GROUP else None
        outcome = await service.link_group(key, conversation.in_thread(topic),
                                           title=title, by=ctx.person, may=_moderated(ctx))
        return _say(ctx, f"forum.{outcome}", key=key.upper()[:40])
    outcome = await service.unlink_group(key, conversation, by=ctx.person, may=_moderated(ctx))
    return _say(ctx, f"forum.{outcome}", key=key.upper()[:40])


def _group_line(ctx: Context, group: ForumGroup, live: bool) -> str:
    """"#3 Slack (#forum-pzp)": the number to unlink it by, the messenger, its name — or,
    where the messenger gave none, its id as ``lacznik groups list`` shows it."""
    name = group.title or group.conversation_key.split(":", 2)[-1]
    line = f"#{group.id} {PLATFORM_NAMES.get(group.platform, group.platform)} ({name})"
    return line if live else line + " " + t(ctx.lang, "forum.group_off")


async def ask(ctx: Context, args: str) -> Reply:
    """/pytanie KLUCZ treść — from a private chat."""
    key, _, text = args.strip().partition(" ")
    text = text.strip()
    if not key:
        return _say(ctx, "q.usage")
    if len(text) > MAX_QUESTION:
        return _say(ctx, "q.too_long", count=len(text), limit=MAX_QUESTION)
    service = ctx.services.forums
    async with ctx.services.db.session() as session:
        found = await active_forum(session, key)
    if found is None:
        return _say(ctx, "forum.unknown", key=key.upper()[:40]) if text else _say(ctx, "q.usage")
    if ctx.person is None:  # [directory] public lets unlinked accounts this far
        return _say(ctx, "q.unlinked")
    if not ctx.may(Act.READ_FORUM, Target(forum_id=found.id, member_of=frozenset(
            await service.member_forums(ctx.person)))):
        return _say(ctx, "q.not_member", key=found.key)
    if not text:  # "/pytanie PZP": the next message is the question
        return await prompts.ask(ctx, t(ctx.lang, "q.which_question", key=found.key),
                                 command="pytanie", args=found.key, style=prompts.APPEND)
    asked = await service.ask(asker=ctx.person, forum=found, text=text,
                              via=ctx.event.platform.value)
    if not asked.groups:
        return _say(ctx, "q.no_groups", id=asked.question.id, key=found.key)
    where = ", ".join(PLATFORM_NAMES.get(p, p) for p in asked.platforms)
    return _say(ctx, "q.sent", id=asked.question.id, count=asked.groups, key=found.key,
                platforms=where)


async def mark_done(ctx: Context, value: str) -> Reply:
    """The asker's "Oznacz jako rozwiązane" button."""
    question = await _question(ctx, value)
    if question is None or ctx.person is None:
        return Reply(notice=t(ctx.lang, "error.stale_button"))
    if question.asker_id != ctx.person.id:
        return Reply(notice=t(ctx.lang, "q.not_asker"))
    if question.state != "open":
        return Reply(notice=t(ctx.lang, "q.done_notice", id=question.id))
    await ctx.services.forums.set_state(question.id or 0, "answered", by=ctx.person,
                                        note_key="q.done_note")
    text = t(ctx.lang, "q.done_notice", id=question.id)
    return Reply([OutboundMessage(text=text, lang=ctx.lang)], notice=text)


async def close(ctx: Context, args: str) -> Reply:
    """/zamknij NR — a moderator closes a question everywhere."""
    question = await _question(ctx, args.strip())
    if question is None:
        return _say(ctx, "q.unknown", id=args.strip()[:20])
    if not _may_moderate(ctx, question.forum_id):
        return _say(ctx, "q.moderators_only")
    assert ctx.person is not None
    await ctx.services.forums.set_state(question.id or 0, "closed", by=ctx.person,
                                        note_key="q.closed_note")
    return _say(ctx, "q.closed", id=question.id)


async def redirect(ctx: Context, args: str) -> Reply:
    """/przekieruj NR KLUCZ — a moderator moves a question to another forum."""
    number, _, key = args.strip().partition(" ")
    question = await _question(ctx, number)
    if question is None or not key.strip():
        return _say(ctx, "q.redirect_usage")
    if not _may_moderate(ctx, question.forum_id):
        return _say(ctx, "q.moderators_only")
    async with ctx.services.db.session() as session:
        target = await active_forum(session, key)
    if target is None:
        return _say(ctx, "forum.unknown", key=key.upper()[:40])
    assert ctx.person is not None
    await ctx.services.forums.redirect(question.id or 0, target, by=ctx.person)
    return _say(ctx, "q.redirected", id=question.id, key=target.key)


async def search(ctx: Context, args: str) -> Reply:
    """/szukaj słowa — the archive of the forums the user belongs to."""
    if not args.strip():
        return _say(ctx, "q.search_usage")
    if ctx.person is None:  # [directory] public lets unlinked accounts this far
        return _say(ctx, "q.unlinked")
    forums = None if ctx.has_role(Role.ADMIN) else await ctx.services.forums.member_forums(
        ctx.person)
    results = await ctx.services.forums.search(args, forums, asker_id=ctx.person.id)
    if not results:
        return _say(ctx, "q.search_none", text=args[:100])
    lines = []
    for question, answer, key in results:
        state = t(ctx.lang, f"q.state_{question.state}")
        lines.append(t(ctx.lang, "q.search_hit", id=question.id, key=key,
                       text=_short(question.text, 200), state=state))
        if answer is not None:
            lines.append(t(ctx.lang, "q.search_answer", author=answer.author_label,
                           text=_short(answer.text, 300)))
    return Reply.of(OutboundMessage(title=t(ctx.lang, "q.search_title", text=args[:100]),
                                    text="\n".join(lines), lang=ctx.lang))


async def faq(ctx: Context, args: str) -> Reply:
    """/faq KLUCZ — the forum's FAQ; /faq dodaj NR — a moderator promotes a question."""
    verb, _, rest = args.strip().partition(" ")
    if verb.lower() in ("dodaj", "add"):
        question = await _question(ctx, rest.strip())
        if question is None:
            return _say(ctx, "q.unknown", id=rest.strip()[:20])
        if not _may_moderate(ctx, question.forum_id):
            return _say(ctx, "q.moderators_only")
        assert ctx.person is not None
        outcome = await ctx.services.forums.promote(question.id or 0, by=ctx.person)
        return _say(ctx, "q.unknown" if outcome == "unknown" else f"q.faq_{outcome}",
                    id=question.id)
    if not verb:
        return _say(ctx, "q.faq_usage")
    async with ctx.services.db.session() as session:
        found: Forum | None = await active_forum(session, verb)
    if found is None:
        return _say(ctx, "forum.unknown", key=verb.upper()[:40])
    mine = await ctx.services.forums.member_forums(ctx.person) if ctx.person else set()
    if not ctx.may(Act.READ_FORUM, Target(forum_id=found.id, member_of=frozenset(mine))):
        return _say(ctx, "q.faq_not_member", key=found.key)  # the archive is members' only
    entries = await ctx.services.forums.faq(found)
    if not entries:
        return _say(ctx, "q.faq_none", key=found.key)
    lines = []
    for question, answer in entries:
        lines.append(f"#{question.id} {_short(question.text, 200)}")
        if answer is not None:
            lines.append(t(ctx.lang, "q.search_answer", author=answer.author_label,
                           text=_short(answer.text, 400)))
    return Reply.of(OutboundMessage(title=t(ctx.lang, "q.faq_title", key=found.key),
                                    text="\n".join(lines), lang=ctx.lang))


def _may_moderate(ctx: Context, forum_id: int) -> bool:
    return ctx.may(Act.MODERATE_FORUM, Target(forum_id=forum_id))


async def _question(ctx: Context, value: str) -> Question | None:
    if not value.isdigit():
        return None
    async with ctx.services.db.session() as session:
        return await question_by_id(session, int(value))


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def register(registry: CommandRegistry) -> None:
    """Add the forum commands and buttons."""
    registry.add(Command(("forum",), forum, "cmd.forum",
                         "/forum podlacz|odlacz <klucz> | lista | dodaj|usun <klucz> <e-mail…> "
                         "| czlonkowie <klucz>",
                         "/forum link|unlink <key> | list | add|remove <key> <e-mail…> "
                         "| members <key>", unregistered_ok=True))
    registry.add(Command(("pytanie", "ask"), ask, "cmd.ask", "/pytanie <forum> <treść>",
                         "/ask <forum> <text>"))
    registry.add(Command(("szukaj", "search"), search, "cmd.search", "/szukaj <słowa>",
                         "/search <words>"))
    registry.add(Command(("faq",), faq, "cmd.faq", "/faq <forum> | /faq dodaj <nr>",
                         "/faq <forum> | /faq add <no>"))
    registry.add(Command(("przekieruj", "redirect"), redirect, "cmd.redirect",
                         "/przekieruj <nr> <forum>", "/redirect <no> <forum>", roles=MODERATORS))
    registry.add(Command(("zamknij", "close"), close, "cmd.close", "/zamknij <nr>",
                         "/close <no>", roles=MODERATORS))
    registry.add_action(Action(ACTION_DONE, mark_done))
