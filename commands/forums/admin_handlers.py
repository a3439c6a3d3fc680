"""/forum dodaj|usun|czlonkowie (= /forum add|remove|members): a forum's moderators and the
admins keep its members from any chat. Dispatched from ``/forum`` in
:mod:`commands.forums.handlers`."""

from __future__ import annotations

from commands.authz import moderated_forums
from commands.context import Context, Reply
from commands.forums.admin import ForumAdmin, Refused, names, split_emails
from commands.model import ConversationKind, OutboundMessage
from commands.render import forum_name
from commands.texts import t

VERBS: dict[str, str] = {
    "dodaj": "add", "add": "add",
    "usun": "remove", "usuń": "remove", "remove": "remove",
    "czlonkowie": "members", "członkowie": "members", "members": "members",
}


def _moderated(ctx: Context) -> set[int] | None:
    """Forums the sender moderates; None for admins (every forum) — the rule of authz."""
    return moderated_forums(ctx.who)


def _text(ctx: Context, lines: list[str], title: str = "") -> Reply:
    return Reply.of(OutboundMessage(title=title, text="\n".join(lines), lang=ctx.lang))


async def members_command(ctx: Context, verb: str, args: str) -> Reply:
    """``/forum dodaj PZP e-mail…``, ``/forum usun PZP e-mail…``, ``/forum czlonkowie PZP``."""
    action = VERBS[verb]
    key, _, rest = args.strip().partition(" ")
    if not key or (action != "members" and not split_emails(rest)):
        return _text(ctx, [t(ctx.lang, "fadm.usage")])
    if ctx.person is None:
        return _text(ctx, [t(ctx.lang, "fadm.forbidden", key=key.upper()[:40])])
    may = _moderated(ctx)
    admin = ForumAdmin(db=ctx.services.db, forums=ctx.services.forums)
    try:
        if action == "members":
            forum, rows = await admin.members(key, may=may)
            if ctx.event.conversation.kind != ConversationKind.PERSONAL:
                # Names and e-mails of a forum's people are directory data: not for a group.
                return _text(ctx, [t(ctx.lang, "fadm.private_only", key=forum.key)])
            if not rows:
                return _text(ctx, [t(ctx.lang, "fadm.members_none", key=forum.key)])
            mark = t(ctx.lang, "fadm.moderator_mark")
            lines = [", ".join(filter(None, (row.person.name, row.gmina)))
                     + (f" — {row.person.email}" if row.person.email else "")
                     + (f" ({mark})" if row.moderator else "") for row in rows]
            title = t(ctx.lang, "fadm.members_title", key=forum.key,
                      name=forum_name(forum, ctx.lang), count=len(rows))
            return _text(ctx, lines, title)
        if action == "add":
            change = await admin.add_members(key, split_emails(rest), actor=ctx.actor, may=may)
            lines = []
            if change.changed:
                lines.append(t(ctx.lang, "fadm.added", key=change.forum.key,
                               count=len(change.changed), names=names(change.changed)))
            if change.unchanged:
                lines.append(t(ctx.lang, "fadm.already", key=change.forum.key,
                               names=names(change.unchanged)))
            return _text(ctx, lines)
        change = await admin.remove_members(key, split_emails(rest), actor=ctx.actor, may=may)
    except Refused as refusal:
        return _text(ctx, [refusal.text(ctx.lang)])
    lines = []
    if change.changed:
        lines.append(t(ctx.lang, "fadm.removed", key=change.forum.key,
                       count=len(change.changed), names=names(change.changed)))
    if change.moderators:
        lines.append(t(ctx.lang, "fadm.removed_moderators", key=change.forum.key,
                       names=names(change.moderators)))
    if change.unchanged:
        lines.append(t(ctx.lang, "fadm.not_members", key=change.forum.key,
                       names=names(change.unchanged)))
    return _text(ctx, lines)
