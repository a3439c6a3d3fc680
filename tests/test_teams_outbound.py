"""Teams outbound: the Messenger port through msal + our Connector client to the fake Connector.

Proactive messages to people and channels, alerts, updates, the documented rate limits,
429/5xx handling, unreachable targets and oversize messages.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from adapters.teams import build_teams_component
from adapters.teams.messenger import NO_REFERENCE, TeamsMessenger
from bots.app import App
from bots.config import ConfigError
from commands.model import (
    Attachment,
    ContactCard,
    ConversationKind,
    ConversationRef,
    OutboundMessage,
    Platform,
    Priority,
)
from commands.ports import Unreachable
from store.people import (
    find_account,
    find_conversation,
    link_account,
    person_by_email,
    remember_conversation,
)
from tests.fakes.teams_auth import ChannelTokenIssuer, FakeEntraAuthority
from tests.test_teams_helpers import (
    ANNA_EMAIL,
    TENANT,
    TeamsRig,
    card_of,
    card_text,
    load_directory,
    runs,
    settings_section,
    teams_rig,
)

USER = "29:1XJKJMvc5GBtc2JwZq0oj8tHZmzrQgFmB39ATiQWA85gQtHieVkKilBZ9XHoq9j7Zaqt7CZ-NJWi7m"
CHAT = "a:17I0kl9EkpE1O9PH5TWrzrLNwnWWcfrU7QZjKR0WSfOpzbfcAg2IaydGElSo10tVr4C7Fc6GtieTJX6"
CHANNEL = "19:0b7f32667e064dd9b25d7969801541f4@thread.tacv2"


@pytest.fixture(scope="module")
def issuer() -> Iterator[ChannelTokenIssuer]:
    with ChannelTokenIssuer() as fake:
        yield fake


@pytest.fixture(scope="module")
def entra() -> Iterator[FakeEntraAuthority]:
    with FakeEntraAuthority() as fake:
        yield fake


@pytest.fixture
async def rig(bare_app: App, tmp_path: Path, issuer: ChannelTokenIssuer,
              entra: FakeEntraAuthority, monkeypatch: pytest.MonkeyPatch
              ) -> AsyncIterator[TeamsRig]:
    app = await load_directory(bare_app, tmp_path)
    async with teams_rig(app, issuer, entra, monkeypatch) as running:
        yield running


def _messenger(rig: TeamsRig) -> TeamsMessenger:
    return rig.component.messenger


async def test_factory_validates_and_registers_the_messenger(
    bare_app: App, issuer: ChannelTokenIssuer, entra: FakeEntraAuthority
) -> None:
    component = build_teams_component(bare_app, settings_section(issuer, entra))
    assert bare_app.messengers["teams"] is component.messenger
    assert [route.path for route in component.routes()] == ["/api/messages"]  # type: ignore[attr-defined]
    with pytest.raises(ConfigError):
        build_teams_component(bare_app, {**settings_section(issuer, entra), "tenant_id": "x"})


async def _link_anna(rig: TeamsRig, *, private: bool = True) -> int:
    """Anna's Teams account, with her personal chat remembered (or not)."""
    ref = ConversationRef(Platform.TEAMS, CHAT, ConversationKind.PERSONAL, tenant_id=TENANT,
                          service_url=rig.connector.service_url, extra={"user_id": USER})
    async with rig.app.db.session() as session:
        anna = await person_by_email(session, ANNA_EMAIL)
        assert anna is not None and anna.id is not None
        await link_account(session, platform="teams", tenant_id=TENANT, external_id=USER,
                           person_id=anna.id, private_ref=ref.to_json() if private else None)
        await session.commit()
    return anna.id


def _channel_ref(rig: TeamsRig, thread: str | None = None) -> ConversationRef:
    return ConversationRef(Platform.TEAMS, CHANNEL, ConversationKind.CHANNEL, thread_id=thread,
                           tenant_id=TENANT, service_url=rig.connector.service_url,
                           extra={"team_id": "19:team@thread.tacv2"})


async def test_urgent_personal_message_alerts_and_can_be_updated(rig: TeamsRig) -> None:
    messenger = _messenger(rig)
    ref = await messenger.personal_ref(await _link_anna(rig))
    urgent = OutboundMessage(title="Pilne", text="Jutro o 9:00 spotkanie Forum Odpadów.",
                             priority=Priority.URGENT)
    sent = await messenger.send(ref, urgent)
    normal = await messenger.send(ref, OutboundMessage(text="Materiały są na SharePoint."))
    first, second = rig.sent()
    assert first.conversation_id == CHAT and first.operation == "send"
    assert first.body["channelData"]["notification"] == {"alert": True}
    assert first.body["channelData"]["tenant"] == {"id": TENANT}
    assert first.body["summary"] == "Pilne"
    assert "notification" not in second.body.get("channelData", {})  # normal: no feed alert
    assert normal.message_id != sent.message_id

    await messenger.edit(sent, OutboundMessage(text="Spotkanie przeniesione na 10:00."))
    [update] = rig.sent("update")
    assert update.activity_id == sent.message_id
    shown = {a["id"]: card_text(a["attachments"][0]["content"])
             for a in rig.connector.activities(CHAT)}
    assert shown[sent.message_id] == "Spotkanie przeniesione na 10:00."
    # One token for all of it: msal's token is cached, not fetched per call.
    assert len([r for r in rig.entra.token_requests if r.path.startswith(f"/{TENANT}/")]) >= 1
    assert all(c.headers["Authorization"].startswith("Bearer ") for c in rig.connector.calls)


async def test_sent_message_can_be_deleted(rig: TeamsRig) -> None:
    messenger = _messenger(rig)
    assert messenger.capabilities.delete
    ref = await messenger.personal_ref(await _link_anna(rig))
    sent = await messenger.send(ref, OutboundMessage(text="Do usunięcia"))
    kept = await messenger.send(ref, OutboundMessage(text="Zostaje"))
    await messenger.delete(sent)
    assert [a["id"] for a in rig.connector.activities(CHAT)] == [kept.message_id]
    await messenger.delete(sent)  # already gone: nothing to do, no error
    assert [c.status for c in rig.connector.calls if c.operation == "delete"] == [200, 404]


async def test_token_is_fetched_once_for_many_sends(rig: TeamsRig) -> None:
    messenger = _messenger(rig)
    ref = await messenger.personal_ref(await _link_anna(rig))
    before = len(rig.entra.token_requests)
    for number in range(3):
        await messenger.send(ref, OutboundMessage(text=f"Wiadomość {number}"))
    assert len(rig.entra.token_requests) - before <= 1
    assert len({c.headers["Authorization"] for c in rig.connector.calls}) == 1


async def test_person_met_only_in_a_channel_gets_a_new_personal_chat(rig: TeamsRig) -> None:
    person_id = await _link_anna(rig, private=False)
    async with rig.app.db.session() as session:  # the bot knows the tenant's service URL
        await remember_conversation(session, platform="teams", key=_channel_ref(rig).key,
                                    kind="channel", ref=_channel_ref(rig).to_json())
        await session.commit()
    messenger = _messenger(rig)
    ref = await messenger.personal_ref(person_id)
    sent = await messenger.send(ref, OutboundMessage(text="Dzień dobry!"))
    create, send = rig.sent()
    assert create.operation == "create_conversation"
    assert create.body["members"] == [{"id": USER}] and create.body["isGroup"] is False
    assert create.body["bot"]["id"] == f"28:{rig.component.settings.app_id}"
    assert send.conversation_id == sent.conversation.conversation_id
    async with rig.app.db.session() as session:  # remembered for the next time
        account = await find_account(session, "teams", TENANT, USER)
    assert account is not None and account.private_ref is not None
    assert ConversationRef.from_json(account.private_ref).conversation_id == (
        send.conversation_id)


async def test_person_without_a_reference_is_reported_not_skipped(rig: TeamsRig) -> None:
    async with rig.app.db.session() as session:
        anna = await person_by_email(session, ANNA_EMAIL)
    assert anna is not None and anna.id is not None
    with pytest.raises(Unreachable) as raised:
        await _messenger(rig).personal_ref(anna.id)
    assert raised.value.reason == NO_REFERENCE
    assert NO_REFERENCE == "not reachable in Teams: no conversation reference"
    stale = ConversationRef(Platform.TEAMS, "", ConversationKind.PERSONAL, tenant_id=TENANT)
    with pytest.raises(Unreachable, match="no conversation reference"):
        await _messenger(rig).send(stale, OutboundMessage(text="x"))
    assert rig.connector.calls == []


async def test_channel_post_starts_a_thread_and_replies_stay_in_it(rig: TeamsRig) -> None:
    messenger = _messenger(rig)
    card = ContactCard(name="Anna Nowak", gmina="Wieliczka", email=ANNA_EMAIL)
    root = await messenger.send(_channel_ref(rig),
                                OutboundMessage(title="Ogłoszenie", cards=(card,)))
    [create] = rig.sent()
    assert create.operation == "create_conversation"
    assert create.body["channelData"]["channel"]["id"] == CHANNEL
    assert "Anna Nowak — Wieliczka" in card_text(card_of(create))
    assert root.conversation.thread_id == root.message_id
    await messenger.send(root.conversation, OutboundMessage(text="Przypomnienie"))
    [reply] = rig.sent("send")
    assert reply.conversation_id == f"{CHANNEL};messageid={root.message_id}"


async def test_answer_to_a_channel_post_goes_into_its_thread_with_files(rig: TeamsRig
                                                                         ) -> None:
    question_post = "1766000000001"
    files = (Attachment("Protokół.pdf", "https://sharepoint.example/protokol.pdf"),
             Attachment("skan bez linku"),
             Attachment("zły link", "javascript:alert(1)"))
    answer = OutboundMessage(text="Odpowiedź na pytanie", reply_to=question_post,
                             attachments=files)
    sent = await _messenger(rig).send(_channel_ref(rig), answer)
    [call] = rig.sent()
    assert call.operation == "send"
    assert call.conversation_id == f"{CHANNEL};messageid={question_post}"
    assert sent.conversation.thread_id == question_post
    card = card_of(call)
    links = {r["text"]: r.get("selectAction", {}).get("url") for r in runs(card)}
    assert links["Protokół.pdf"] == "https://sharepoint.example/protokol.pdf"
    assert links["skan bez linku"] is None and links["zły link"] is None


async def test_429_waits_retry_after_then_succeeds(rig: TeamsRig) -> None:
    ref = await _messenger(rig).personal_ref(await _link_anna(rig))
    rig.connector.fail_next(status=429, retry_after=0.6, conversation_id=CHAT)
    await _messenger(rig).send(ref, OutboundMessage(text="Po chwili"))
    throttled, delivered = [c for c in rig.connector.calls if c.operation == "send"]
    assert (throttled.status, delivered.status) == (429, 201)
    assert delivered.at - throttled.at >= 0.6  # Retry-After respected
    assert len(rig.connector.activities(CHAT)) == 1  # delivered once, nothing dropped


async def test_transient_errors_are_retried(rig: TeamsRig) -> None:
    ref = await _messenger(rig).personal_ref(await _link_anna(rig))
    for status in (412, 502, 503, 504):
        rig.connector.calls.clear()
        rig.connector.fail_next(status=status, times=2)
        await _messenger(rig).send(ref, OutboundMessage(text=f"Mimo {status}"))
        assert [c.status for c in rig.connector.calls] == [status, status, 201]
    assert len(rig.connector.activities(CHAT)) == 4


async def test_blocked_person_is_recorded_unreachable_with_the_reason(rig: TeamsRig) -> None:
    ref = await _messenger(rig).personal_ref(await _link_anna(rig))
    rig.connector.fail_next(status=403, code="ConversationBlockedByUser")
    with pytest.raises(Unreachable) as raised:
        await _messenger(rig).send(ref, OutboundMessage(text="Halo"))
    assert "ConversationBlockedByUser" in raised.value.reason
    assert len(rig.connector.calls) == 1  # not retried
    async with rig.app.db.session() as session:
        account = await find_account(session, "teams", TENANT, USER)
    assert account is not None and not account.reachable
    assert "ConversationBlockedByUser" in account.unreachable_reason


async def test_channel_the_bot_left_is_marked_inactive(rig: TeamsRig) -> None:
    ref = _channel_ref(rig, thread="1700000000000")
    async with rig.app.db.session() as session:
        await remember_conversation(session, platform="teams", key=ref.key, kind="channel",
                                    ref=ref.in_thread(None).to_json())
        await session.commit()
    rig.connector.fail_next(status=404, code="ConversationNotFound")
    with pytest.raises(Unreachable, match="ConversationNotFound"):
        await _messenger(rig).send(ref, OutboundMessage(text="Halo"))
    async with rig.app.db.session() as session:
        stored = await find_conversation(session, "teams", ref.key)
    assert stored is not None and not stored.active


async def test_oversize_message_is_split_under_the_limit(
    bare_app: App, tmp_path: Path, issuer: ChannelTokenIssuer, entra: FakeEntraAuthority,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = await load_directory(bare_app, tmp_path)
    # A tenant with a small limit, and a bot that does not know it: the 413 teaches it.
    async with teams_rig(app, issuer, entra, monkeypatch, max_body_bytes=12_000) as rig:
        lines = [f"{n:03d}. Spotkanie forum w gminie nr {n} — sala obrad, parter"
                 for n in range(200)]
        ref = await _messenger(rig).personal_ref(await _link_anna(rig))
        await _messenger(rig).send(ref, OutboundMessage(title="Kalendarz",
                                                        text="\n".join(lines)))
        too_big = [c for c in rig.connector.calls if c.status == 413]
        delivered = [card_text(a["attachments"][0]["content"])
                     for a in rig.connector.activities(CHAT)]
    assert too_big  # the first attempt was refused ...
    assert len(delivered) > 1  # ... so it went out in parts
    text = "".join(delivered)
    assert all(line in text for line in lines) and text.startswith("Kalendarz")


async def test_rate_limits_are_kept_without_a_single_429(
    bare_app: App, tmp_path: Path, issuer: ChannelTokenIssuer, entra: FakeEntraAuthority,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = await load_directory(bare_app, tmp_path)
    async with teams_rig(app, issuer, entra, monkeypatch, enforce_rate_limits=True) as rig:
        ref = await _messenger(rig).personal_ref(await _link_anna(rig))
        messages = [OutboundMessage(text=f"Przypomnienie {n}") for n in range(9)]
        await asyncio.gather(*(_messenger(rig).send(ref, m) for m in messages))
        sends = [c for c in rig.connector.calls if c.operation == "send"]
    assert rig.connector.throttled_count == 0
    assert len(sends) == 9 and all(c.status == 201 for c in sends)
    # Teams allows 8 per 2 s in one conversation: the ninth waited for the window.
    assert sends[8].at - sends[0].at >= 1.9
