"""/start (greeting and linking an account with a code) and /pomoc."""

from __future__ import annotations

from commands.context import Context, Reply
from commands.model import KIND_HELP, KIND_UNLINKED, OutboundMessage, private_refs
from commands.registry import ANYONE, Command, CommandRegistry
from commands.texts import t
from store.models import Gmina, Person
from store.people import audit, link_account, redeem_link_code


def unlinked(ctx: Context) -> Reply:
    """The "not linked yet" answer (its kind lets an adapter add how to link there)."""
    return Reply.of(OutboundMessage(text=t(ctx.lang, "error.unlinked"), lang=ctx.lang,
                                    kind=KIND_UNLINKED))


async def start(ctx: Context, args: str) -> Reply:
    """/start [code] — greet; with a code, link this messenger account to a person."""
    code = args.strip().split(" ")[0] if args.strip() else ""
    if code and not ctx.trusted:
        return await _link(ctx, code)
    if ctx.person is None:
        return unlinked(ctx)
    return Reply.of(
        OutboundMessage(text=t(ctx.lang, "start.hello", name=ctx.person.name), lang=ctx.lang)
    )


async def _link(ctx: Context, code: str) -> Reply:
    event = ctx.event
    sender = event.sender
    private_ref, fallback = private_refs(event)
    async with ctx.services.db.session() as session:
        person_id = await redeem_link_code(session, code, platform=sender.platform.value,
                                           now=ctx.now)
        if person_id is None:
            await session.commit()
            return Reply.of(OutboundMessage(text=t(ctx.lang, "start.bad_code"), lang=ctx.lang))
        account = await link_account(
            session, platform=sender.platform.value, tenant_id=sender.tenant_id or "",
            external_id=sender.user_id, person_id=person_id, display_name=sender.display_name,
            private_ref=private_ref,
        )
        if fallback and not account.private_ref:
            account.private_ref = fallback
            session.add(account)
        person = await session.get(Person, person_id)
        gmina = await session.get(Gmina, person.gmina_id) if person and person.gmina_id else None
        await audit(session, actor=f"{sender.platform}:{sender.user_id}", action="account.link",
                    target=f"person:{person_id}", details={"platform": sender.platform.value})
        await session.commit()
    assert person is not None
    where = gmina.name if gmina else person.organisation
    return Reply.of(OutboundMessage(text=t(ctx.lang, "start.linked", name=person.name,
                                           gmina=where or "—"), lang=ctx.lang))


async def help_(ctx: Context, _args: str) -> Reply:
    """/pomoc — every command with a one-line summary, in the user's language."""
    lines = [
        t(ctx.lang, "help.line", usage=command.usage(ctx.lang), summary=t(ctx.lang,
          command.summary_key))
        for command in ctx.services.registry
    ]
    return Reply.of(OutboundMessage(title=t(ctx.lang, "help.title"),
                                    text="\n".join([*lines, "", t(ctx.lang, "help.intro")]),
                                    lang=ctx.lang, kind=KIND_HELP))


def register(registry: CommandRegistry) -> None:
    """Add /start and /pomoc."""
    registry.add(Command(("start",), start, "cmd.start", "/start [kod]", "/start [code]",
                         roles=ANYONE))
    registry.add(Command(("pomoc", "help"), help_, "cmd.help", "/pomoc", "/help", roles=ANYONE))
