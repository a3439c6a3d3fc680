"""Sign-in links to the office panel, wherever a person asks for one.

Three ways in, one kind of link (single use, 15 minutes): ``/panel`` in a private chat (the
link comes back in that chat), "send me a link" on the sign-in page (the link goes to the
person's messenger, never to the browser that asked), and ``lacznik panel link EMAIL`` for
the first admin and scripts. The web pages themselves live in ``adapters/panel``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from commands.context import Context, Reply
from commands.model import ConversationKind, OutboundMessage, message_to_json
from commands.ports import OutboundKind
from commands.registry import Command, CommandRegistry
from commands.texts import pick_lang, t
from store.announcements import reachable_accounts
from store.db import Database
from store.models import Person
from store.outbox import NewDelivery, enqueue
from store.panel import issue_link, links_since
from store.people import audit, person_by_email

LINK_VALID_FOR = timedelta(minutes=15)
LINK_PATH = "/panel/signin/link/"
# "Send me a link" may not flood a person's messenger: at most this many per validity window.
LINKS_PER_WINDOW = 3


def link_url(base_url: str, token: str) -> str:
    """The address a sign-in token opens."""
    return f"{base_url.rstrip('/')}{LINK_PATH}{token}"


async def mint_link(session: AsyncSession, person_id: int, *, now: datetime,
                    base_url: str) -> str:
    """A fresh sign-in link for ``person_id`` (the caller commits)."""
    token = await issue_link(session, person_id, now=now, valid_for=LINK_VALID_FOR)
    return link_url(base_url, token)


async def send_link_by_email(db: Database, *, email: str, now: datetime,
                             base_url: str) -> bool:
    """Send a sign-in link to the messenger of the person with ``email``.

    Returns whether one was queued; the sign-in page shows the same answer either way, so
    it tells nobody which addresses are known.
    """
    email = email.strip().lower()
    if not email or len(email) > 254 or "@" not in email:
        return False
    async with db.session() as session:
        person = await person_by_email(session, email)
        if person is None or person.id is None:
            return False
        accounts = (await reachable_accounts(session, {person.id})).get(person.id, [])
        if not accounts:
            return False
        if await links_since(session, person.id, now - LINK_VALID_FOR) >= LINKS_PER_WINDOW:
            return False
        url = await mint_link(session, person.id, now=now, base_url=base_url)
        lang = pick_lang(person.language)
        account = accounts[0]
        message = OutboundMessage(text=t(lang, "panel.link_sent", url=url), lang=lang)
        await enqueue(session, [NewDelivery(
            dedupe_key=f"panel-link:{person.id}:{now.timestamp()}", kind=OutboundKind.NOTICE,
            source=f"panel-link:{person.id}", platform=account.platform,
            target=str(account.private_ref), payload=message_to_json(message), not_before=now,
            # An expired link is worth nothing: the worker drops it instead of sending late.
            useful_until=now + LINK_VALID_FOR, person_id=person.id, account_id=account.id)])
        await audit(session, actor=f"person:{person.id}", action="panel.link_requested",
                    target=f"person:{person.id}", details={"platform": account.platform})
        await session.commit()
    return True


async def panel(ctx: Context, _args: str) -> Reply:
    """/panel — a one-time sign-in link to the office panel, in a private chat only."""
    base_url = ctx.services.settings.panel_url
    if not base_url:
        return Reply.of(OutboundMessage(text=t(ctx.lang, "panel.off"), lang=ctx.lang))
    if ctx.event.conversation.kind != ConversationKind.PERSONAL:
        # A link in a group would sign in whoever clicks it first.
        return Reply.of(OutboundMessage(text=t(ctx.lang, "panel.private_only"), lang=ctx.lang))
    person = ctx.person
    assert isinstance(person, Person) and person.id is not None  # MEMBERS only
    async with ctx.services.db.session() as session:
        url = await mint_link(session, person.id, now=ctx.now, base_url=base_url)
        await audit(session, actor=f"person:{person.id}", action="panel.link_issued",
                    target=f"person:{person.id}",
                    details={"platform": ctx.event.platform.value})
        await session.commit()
    return Reply.of(OutboundMessage(text=t(ctx.lang, "panel.link", url=url), lang=ctx.lang))


def register(registry: CommandRegistry) -> None:
    """Add /panel."""
    registry.add(Command(("panel",), panel, "cmd.panel", "/panel", "/panel"))
