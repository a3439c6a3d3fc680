"""The command core as users meet it through any messenger (driven here as a neutral event)."""

from __future__ import annotations

import ast
from datetime import timedelta

import pytest
from sqlalchemy import select

from adapters.console.adapter import ConsoleSession
from bots.app import App
from commands.context import Context, Reply
from commands.model import (
    ActionInvoked,
    ConversationKind,
    ConversationRef,
    MessageReceived,
    Platform,
    Sender,
)
from commands.registry import Command
from commands.render import render_plain
from commands.texts import missing_translations
from store.models import AuditLog, MessengerAccount
from store.people import (
    issue_link_code,
    person_by_email,
    remember_conversation,
    set_conversation_registered,
)
from tests.conftest import REPO

PRIVATE = ConversationRef(Platform.TELEGRAM, "555", ConversationKind.PERSONAL)
GROUP = ConversationRef(Platform.TELEGRAM, "-100777", ConversationKind.GROUP)
STRANGER = Sender(Platform.TELEGRAM, "555", "Stranger", locale="pl")
COORDINATOR_EMAIL = "w.fras@wieliczka.example.pl"


def message(text: str, *, sender: Sender = STRANGER, conversation: ConversationRef = PRIVATE,
            event_id: str = "1", addressed: bool = True) -> MessageReceived:
    return MessageReceived(platform=sender.platform, event_id=event_id,
                           conversation=conversation, sender=sender, text=text,
                           addressed=addressed)


def texts(reply: Reply) -> str:
    return "\n".join(render_plain(m) for m in reply.messages)


async def link(app: App, email: str, sender: Sender = STRANGER) -> None:
    async with app.db.session() as session:
        person = await person_by_email(session, email)
        assert person is not None
        code = await issue_link_code(session, int(person.id or 0), valid_for=timedelta(hours=1),
                                     now=app.clock.now())
        await session.commit()
    reply = await app.core.handle(message(f"/start {code}", sender=sender, event_id="link"))
    assert "połączone" in texts(reply) or "now linked" in texts(reply)


async def test_unlinked_telegram_user_gets_explanation_not_data(app: App) -> None:
    reply = await app.core.handle(message("kto od śmieci w Wieliczce?"))
    answer = texts(reply)
    assert "Nie znam jeszcze tego konta" in answer
    assert "@" not in answer and "+48" not in answer  # no personal data leaked


async def test_link_code_works_once_then_directory_answers(app: App) -> None:
    await link(app, COORDINATOR_EMAIL)
    reply = await app.core.handle(message("kto od śmieci w Wieliczce?", event_id="2"))
    assert "Wieliczka" in texts(reply) and "+48 12 000" in texts(reply)
    other = Sender(Platform.TELEGRAM, "999", "Other")
    async with app.db.session() as session:
        person = await person_by_email(session, COORDINATOR_EMAIL)
        code = await issue_link_code(session, int(person.id or 0), valid_for=timedelta(hours=1),
                                     now=app.clock.now())
        await session.commit()
    first = await app.core.handle(message(f"/start {code}", sender=other, event_id="3"))
    again = await app.core.handle(message(f"/start {code}", sender=other, event_id="4"))
    assert "połączone" in texts(first)
    assert "nieprawidłowy, wygasł albo został już użyty" in texts(again)


async def test_expired_link_code_is_refused(app: App) -> None:
    async with app.db.session() as session:
        person = await person_by_email(session, COORDINATOR_EMAIL)
        code = await issue_link_code(session, int(person.id or 0), valid_for=timedelta(hours=24),
                                     now=app.clock.now())
        await session.commit()
    app.clock.advance(timedelta(hours=25))  # type: ignore[attr-defined]
    reply = await app.core.handle(message(f"/start {code}"))
    assert "wygasł" in texts(reply)


async def test_platform_retries_are_processed_once(app: App) -> None:
    await link(app, COORDINATOR_EMAIL)
    first = await app.core.handle(message("/kto oświata Skawina", event_id="42"))
    retry = await app.core.handle(message("/kto oświata Skawina", event_id="42"))
    assert first.messages and retry.messages == []


async def test_english_speaker_gets_english(app: App) -> None:
    sender = Sender(Platform.TELEGRAM, "777", "Ann", locale="en-GB")
    await link(app, COORDINATOR_EMAIL, sender)
    reply = await app.core.handle(message("/who waste Wieliczka", sender=sender, event_id="5"))
    answer = texts(reply)
    assert "E-mail:" in answer and "Phone:" in answer
    reply = await app.core.handle(message("/nonsense", sender=sender, event_id="6"))
    assert "I don't know the command “/nonsense”" in texts(reply)


async def test_oversize_and_empty_messages_get_polite_answers(console: ConsoleSession) -> None:
    [answer] = await console.say("kto " * 2500)
    assert "za długa (10000 znaków)" in answer
    [answer] = await console.say("/kto")
    assert "Napisz, czego szukasz" in answer
    [answer] = await console.say("?!?! ...")
    assert "Nie rozpoznałem" in answer


async def test_a_failing_handler_never_stops_the_bot(app: App, caplog: pytest.LogCaptureFixture
                                                     ) -> None:
    async def broken(_ctx: Context, _args: str) -> Reply:
        raise RuntimeError("boom")

    app.core.registry.add(Command(("zepsute",), broken, "cmd.help", "/zepsute", "/broken",
                                  roles=frozenset()))
    reply = await app.core.handle(message("/zepsute", event_id="7"))
    assert "coś poszło nie tak" in texts(reply)
    assert "handler failed" in caplog.text
    assert "kto od" not in caplog.text  # message bodies are not logged
    reply = await app.core.handle(message("/pomoc", event_id="8"))
    assert "/kto <temat> <gmina>" in texts(reply)


async def test_unregistered_group_is_told_and_left(app: App) -> None:
    await link(app, COORDINATOR_EMAIL)
    reply = await app.core.handle(message("/kto oświata Skawina", conversation=GROUP,
                                          event_id="9"))
    assert reply.leave and "nie jest zarejestrowana" in texts(reply)
    async with app.db.session() as session:
        assert await set_conversation_registered(session, platform="telegram", key=GROUP.key,
                                                 registered=True)
        await session.commit()
    reply = await app.core.handle(message("/kto oświata Skawina", conversation=GROUP,
                                          event_id="10"))
    assert not reply.leave and "Skawina" in texts(reply)
    chatter = await app.core.handle(message("dzień dobry wszystkim", conversation=GROUP,
                                            event_id="11", addressed=False))
    assert chatter.messages == []


async def test_bots_never_trigger_anything(app: App) -> None:
    bot = Sender(Platform.TELEGRAM, "1", "Other bot", is_bot=True)
    reply = await app.core.handle(message("/pomoc", sender=bot))
    assert reply.messages == []


async def test_stale_buttons_and_foreign_confirmations(app: App) -> None:
    await link(app, COORDINATOR_EMAIL)
    press = ActionInvoked(platform=Platform.TELEGRAM, event_id="12", conversation=PRIVATE,
                          sender=STRANGER, action="kto.p", value="garbage")
    reply = await app.core.handle(press)
    assert "nieaktualny" in texts(reply)
    press = ActionInvoked(platform=Platform.TELEGRAM, event_id="13", conversation=PRIVATE,
                          sender=STRANGER, action="me.ok", value="1")  # someone else's entry
    reply = await app.core.handle(press)
    assert reply.notice and "nieaktualny" in reply.notice


async def test_private_conversation_reference_is_stored_for_later(app: App) -> None:
    await link(app, COORDINATOR_EMAIL)
    async with app.db.session() as session:
        account = (await session.execute(select(MessengerAccount))).scalars().first()
    assert account is not None
    stored = ConversationRef.from_json(account.private_ref)
    assert stored == PRIVATE


async def test_a_sender_met_only_in_groups_is_reachable_where_the_adapter_says(app: App
                                                                                ) -> None:
    # A messenger that can open a private chat on its own (Slack, Teams) names it on the
    # sender; it is kept until the person writes privately, and never replaces that chat.
    opened_later = ConversationRef(Platform.SLACK, "U0NEW", ConversationKind.PERSONAL,
                                   tenant_id="T1", extra={"user_id": "U0NEW"})
    sender = Sender(Platform.SLACK, "U0NEW", "Wioletta", tenant_id="T1",
                    private_ref=opened_later)
    channel = ConversationRef(Platform.SLACK, "C1", ConversationKind.CHANNEL, tenant_id="T1")

    async def stored() -> ConversationRef | None:
        async with app.db.session() as session:
            account = (await session.execute(select(MessengerAccount).where(
                MessengerAccount.external_id == "U0NEW"))).scalars().one()
        return ConversationRef.from_json(account.private_ref) if account.private_ref else None

    async with app.db.session() as session:
        await remember_conversation(session, platform="slack", key=channel.key,
                                    kind="channel", ref=channel.to_json())
        await set_conversation_registered(session, platform="slack", key=channel.key,
                                          registered=True)
        person = await person_by_email(session, COORDINATOR_EMAIL)
        assert person is not None
        code = await issue_link_code(session, int(person.id or 0), valid_for=timedelta(hours=1),
                                     now=app.clock.now())
        await session.commit()
    reply = await app.core.handle(message(f"/start {code}", sender=sender, conversation=channel,
                                          event_id="c0"))
    assert "połączone" in texts(reply)  # linked with a code typed in a channel ...
    assert await stored() == opened_later  # ... and reachable all the same
    await app.core.handle(message("/pomoc", sender=sender, conversation=channel, event_id="c1"))
    assert await stored() == opened_later
    dm = ConversationRef(Platform.SLACK, "D0NEW", ConversationKind.PERSONAL, tenant_id="T1",
                         extra={"user_id": "U0NEW"})
    await app.core.handle(message("/pomoc", sender=sender, conversation=dm, event_id="c2"))
    await app.core.handle(message("/pomoc", sender=sender, conversation=channel, event_id="c3"))
    assert await stored() == dm  # the chat they wrote in wins, and stays


async def test_coordinator_edits_only_their_gmina_and_it_is_audited(
    app: App, console: ConsoleSession
) -> None:
    coordinator = ConsoleSession(app.core, COORDINATOR_EMAIL)
    [answer] = await coordinator.say("/edytuj p.sikora@skawina.example.pl telefon +48 12 000 00 01")
    assert "Możesz poprawiać tylko wpisy osób ze swojej gminy" in answer
    # Admins (the console user is an office admin) may edit anyone, and it is audited.
    [answer] = await console.say("/edytuj w.fras@wieliczka.example.pl telefon +48 12 000 00 02")
    assert "Zapisane" in answer
    [answer] = await console.say("kto jest koordynatorem w Wieliczce")
    assert "+48 12 000 00 02" in answer
    async with app.db.session() as session:
        actions = list((await session.execute(select(AuditLog.action))).scalars())
    assert "directory.edit" in actions


async def test_me_shows_confirms_and_corrects_my_entry(app: App) -> None:
    me = ConsoleSession(app.core, COORDINATOR_EMAIL)
    [card] = await me.say("/moje-dane")
    assert "Twoje dane w katalogu" in card and "[1] Dane są aktualne" in card
    [confirmed] = await me.say("1")  # press the button
    assert "Potwierdziłem aktualność Twoich danych (2026-11-23)" in confirmed
    [saved] = await me.say("/moje-dane telefon 12 abc")
    assert "jest nieprawidłowa" in saved
    [saved] = await me.say("/moje-dane język en")
    assert "Saved" in saved
    [card] = await me.say("/me")
    assert "Your directory entry" in card


def test_every_text_exists_in_polish_and_english() -> None:
    assert missing_translations() == {"en": set(), "pl": set()}


def test_the_core_imports_no_platform_sdk_or_web_framework() -> None:
    forbidden = ("telegram", "slack_bolt", "slack_sdk", "microsoft_agents", "msal", "aiohttp",
                 "adapters", "bots", "jwt")
    offenders = []
    for path in (REPO / "commands").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in forbidden]
    assert offenders == []
