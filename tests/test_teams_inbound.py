"""Teams inbound: real activity samples, signed as real JWTs, posted to ``/api/messages``.

What is checked is what a user or the Bot Connector notices: the HTTP status, the cards that
reached the fake Connector (and where), and what the database remembers.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from bots.app import App
from commands.model import ConversationRef
from store.models import Conversation, ProcessedEvent
from store.people import (
    find_account,
    find_conversation,
    issue_link_code,
    person_by_email,
    remember_conversation,
    set_conversation_registered,
)
from tests.fakes.teams_auth import ChannelTokenIssuer, FakeEntraAuthority
from tests.test_teams_helpers import (
    ADAPTIVE,
    ANNA_EMAIL,
    FOREIGN_TENANT,
    TENANT,
    TeamsRig,
    actions,
    card_of,
    card_text,
    load_directory,
    runs,
    teams_rig,
)

CHANNEL = "19:6848757105754c8981c67612732d9aa7@thread.tacv2"
THREAD = "1759881511856"


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


def _personal(rig: TeamsRig, text: str, *, email: str | None = ANNA_EMAIL) -> dict[str, Any]:
    """A personal-chat message from Megan's account, whose Teams e-mail is ``email``."""
    activity = rig.activity("message_personal_docs.json", text=text, locale="pl-PL")
    if email:
        sender = activity["from"]
        rig.connector.add_member(sender["id"], name=sender["name"],
                                 aad_object_id=sender["aadObjectId"], email=email,
                                 tenant_id=TENANT)
    return activity


async def _processed(app: App) -> int:
    async with app.db.session() as session:
        return int(await session.scalar(select(func.count()).select_from(ProcessedEvent)) or 0)


# --- personal chat -----------------------------------------------------------------------------


async def test_personal_question_links_by_email_and_answers_with_a_contact_card(rig: TeamsRig
                                                                                 ) -> None:
    activity = _personal(rig, "kto od śmieci w Wieliczce?")
    posted = await rig.post(activity)
    assert posted.status == 200
    [call] = rig.sent()
    # A reply to the question, in the same personal chat.
    assert call.operation == "reply"
    assert (call.conversation_id, call.activity_id) == (activity["conversation"]["id"],
                                                       activity["id"])
    card = card_of(call)
    assert card["version"] == "1.5" and card["type"] == "AdaptiveCard"
    text = card_text(card)
    assert "Anna Nowak — Wieliczka" in text and "+48 12 000 12 34" in text
    assert "telefon, 8:00–15:00" in text and "Potwierdzono: 2026-10-01" in text
    links = {r["selectAction"]["url"] for r in runs(card) if "selectAction" in r}
    assert links == {f"mailto:{ANNA_EMAIL}", "tel:+48120001234"}
    assert "Anna Nowak" in card["fallbackText"]  # plain text for clients without cards
    assert call.body["summary"]  # the notification preview
    # Linked by the e-mail the Connector vouched for; the private chat is remembered.
    async with rig.app.db.session() as session:
        account = await find_account(session, "teams", TENANT, activity["from"]["id"])
        anna = await person_by_email(session, ANNA_EMAIL)
    assert account is not None and anna is not None and account.person_id == anna.id
    assert account.private_ref is not None
    stored = ConversationRef.from_json(account.private_ref)
    assert stored.conversation_id == activity["conversation"]["id"]
    assert stored.service_url == rig.connector.service_url

    # The member is looked up once: a linked account needs no second lookup.
    await rig.post(_personal(rig, "/pomoc", email=None))
    lookups = [c for c in rig.connector.calls if c.operation == "get_member"]
    assert len(lookups) == 1


async def test_directory_text_is_shown_literally_never_as_markup(rig: TeamsRig) -> None:
    await rig.post(_personal(rig, "kto od śmieci w Wieliczce?"))
    card = card_of(rig.sent()[0])
    note = "*pilne* _tylko_ [klik](https://evil.example) <at>Ktoś</at> &amp;"
    assert note in [r["text"] for r in runs(card)]

    def types(node: Any) -> set[str]:
        if isinstance(node, dict):
            return {str(node.get("type"))} | set().union(*(types(v) for v in node.values()))
        if isinstance(node, list):
            return set().union(*(types(v) for v in node)) if node else set()
        return set()

    # No TextBlock (which parses Markdown) anywhere; text lives in TextRuns (which do not).
    assert "TextBlock" not in types(card["body"])
    assert not any("evil.example" in r.get("selectAction", {}).get("url", "") for r in runs(card))


async def test_menu_command_without_slash_and_unlinked_user(rig: TeamsRig) -> None:
    # The manifest's command menu inserts "pomoc" as plain text.
    await rig.post(_personal(rig, "pomoc", email=None))
    [call] = rig.sent()
    assert "Łącznik — polecenia" in card_text(card_of(call))
    # A question from an account nobody vouches for: the polite explanation, no data.
    await rig.post(_personal(rig, "kto od śmieci w Wieliczce?", email=None))
    text = card_text(card_of(rig.sent()[1]))
    assert "Nie znam jeszcze tego konta" in text and "Anna Nowak" not in text


async def test_start_with_a_link_code_links_the_account(rig: TeamsRig) -> None:
    async with rig.app.db.session() as session:
        anna = await person_by_email(session, ANNA_EMAIL)
        assert anna is not None
        code = await issue_link_code(session, int(anna.id or 0), platform="teams",
                                     valid_for=timedelta(hours=1), now=rig.app.clock.now())
        await session.commit()
    activity = _personal(rig, f"start {code}", email=None)
    await rig.post(activity)
    assert "Anna Nowak" in card_text(card_of(rig.sent()[0]))
    async with rig.app.db.session() as session:
        account = await find_account(session, "teams", TENANT, activity["from"]["id"])
    assert account is not None and account.person_id == anna.id


# --- channels ----------------------------------------------------------------------------------


async def _register_channel(app: App) -> str:
    key = f"teams:{TENANT}:{CHANNEL}"
    async with app.db.session() as session:
        await remember_conversation(session, platform="teams", key=key, kind="channel",
                                    ref="{}")
        await set_conversation_registered(session, platform="teams", key=key, registered=True)
        await session.commit()
    return key


def _mention(rig: TeamsRig, text: str) -> dict[str, Any]:
    activity = rig.activity("message_channel_at_mention_bot.json", text=text, locale="pl-PL")
    sender = activity["from"]
    rig.connector.add_member(sender["id"], name="rido", aad_object_id=sender["aadObjectId"],
                             email=ANNA_EMAIL, tenant_id=TENANT)
    return activity


@pytest.mark.parametrize("mention", ["<at>ridotest</at>", "&lt;at&gt;ridotest&lt;/at&gt;"])
async def test_channel_mention_is_stripped_and_the_answer_goes_to_the_thread(
    rig: TeamsRig, mention: str
) -> None:
    await _register_channel(rig.app)
    question = _mention(rig, f"{mention} kto odpady Wieliczka")
    assert (await rig.post(question)).status == 200
    [call] = rig.sent()
    assert call.operation == "reply" and call.activity_id == question["id"]
    assert call.conversation_id == f"{CHANNEL};messageid={THREAD}"  # the same thread
    assert "Anna Nowak — Wieliczka" in card_text(card_of(call))
    # Only a stripped mention leaves a menu command to recognise.
    await rig.post(_mention(rig, f"{mention} pomoc"))
    assert "Łącznik — polecenia" in card_text(card_of(rig.sent()[1]))


async def test_unregistered_channel_is_told_so(rig: TeamsRig) -> None:
    await rig.post(_mention(rig, "<at>ridotest</at> pomoc"))
    [call] = rig.sent()
    assert call.conversation_id == f"{CHANNEL};messageid={THREAD}"
    assert "nie jest zarejestrowana" in card_text(card_of(call))
    async with rig.app.db.session() as session:
        stored = await find_conversation(session, "teams", f"teams:{TENANT}:{CHANNEL}")
    assert stored is not None and not stored.registered and stored.kind == "channel"


# --- card actions ------------------------------------------------------------------------------


async def _first_page(rig: TeamsRig) -> tuple[dict[str, Any], str, dict[str, Any]]:
    """Ask a two-page question; returns (question, card activity id, "next" button)."""
    question = _personal(rig, "kto oświata Skawina")
    await rig.post(question)
    [call] = rig.sent()
    card = card_of(call)
    assert "Strona 1 z 2" in card_text(card)
    [next_page] = actions(card)
    card_id = rig.connector.activities(question["conversation"]["id"])[0]["id"]
    return question, card_id, next_page


async def test_action_submit_updates_the_card_in_place(rig: TeamsRig) -> None:
    question, card_id, next_page = await _first_page(rig)
    assert next_page["type"] == "Action.Execute"
    assert next_page["fallback"]["type"] == "Action.Submit"
    press = rig.activity(
        "message_value_action_submit_personal.agents_sdk.json",
        conversation=question["conversation"], **{"from": question["from"]},
        replyToId=card_id, value=next_page["fallback"]["data"], locale="pl-PL",
    )
    assert (await rig.post(press)).status == 200
    [update] = rig.sent("update")
    assert update.activity_id == card_id
    [shown] = rig.connector.activities(question["conversation"]["id"])  # still one message
    assert "Strona 2 z 2" in card_text(shown["attachments"][0]["content"])


async def test_action_execute_answers_the_invoke_with_the_updated_card(rig: TeamsRig) -> None:
    question, card_id, next_page = await _first_page(rig)
    invoke = rig.activity(
        "invoke_adaptiveCard_action_personal.json",
        conversation=question["conversation"], **{"from": question["from"]},
        replyToId=card_id, locale="pl-PL",
        value={"action": {"type": "Action.Execute", "title": next_page["title"],
                          "verb": next_page["verb"], "data": next_page["data"]},
               "trigger": "manual"},
    )
    posted = await rig.post(invoke)
    assert posted.status == 200
    assert posted.body["statusCode"] == 200 and posted.body["type"] == ADAPTIVE
    assert "Strona 2 z 2" in card_text(posted.body["value"])
    [shown] = rig.connector.activities(question["conversation"]["id"])
    assert "Strona 2 z 2" in card_text(shown["attachments"][0]["content"])  # for everyone


async def test_unknown_card_action_gets_a_polite_invoke_answer(rig: TeamsRig) -> None:
    invoke = rig.activity("invoke_adaptiveCard_action_personal.json")  # verb-less sample
    posted = await rig.post(invoke)
    assert posted.status == 200
    assert posted.body == {"statusCode": 200,
                           "type": "application/vnd.microsoft.activity.message",
                           "value": "This button has expired. Please ask again."}
    assert rig.sent() == []


# --- installation and conversation references --------------------------------------------------


async def test_bot_added_to_a_team_stores_the_channel_and_explains_registration(rig: TeamsRig
                                                                                 ) -> None:
    activity = rig.activity("conversationUpdate_bot_added_to_team.json")
    assert (await rig.post(activity)).status == 200
    key = f"teams:{TENANT}:{activity['conversation']['id']}"
    async with rig.app.db.session() as session:
        stored = await find_conversation(session, "teams", key)
    assert stored is not None and stored.kind == "channel" and not stored.registered
    assert stored.title == "TestTeam2022 › 2021 Test Channel"
    ref = ConversationRef.from_json(stored.ref)
    assert ref.service_url == rig.connector.service_url and ref.tenant_id == TENANT
    assert ref.extra["team_id"] == activity["channelData"]["team"]["id"]
    # The notice starts a new thread in that channel.
    [call] = rig.sent()
    assert call.operation == "create_conversation"
    assert call.body["channelData"]["channel"]["id"] == activity["conversation"]["id"]
    assert "nie jest zarejestrowana" in card_text(card_of(call))


async def test_installation_and_channel_events_keep_references_current(rig: TeamsRig) -> None:
    installed = rig.activity("installationUpdate_add_team.docs_raw.txt")
    assert (await rig.post(installed)).status == 200
    team_id = installed["channelData"]["team"]["id"]
    created = rig.activity("conversationUpdate_channelCreated.json")
    created["channelData"]["team"] = {"id": team_id, "name": "TestTeam2022"}
    assert (await rig.post(created)).status == 200
    general = f"teams:{TENANT}:{installed['conversation']['id']}"
    new_channel = f"teams:{TENANT}:{created['channelData']['channel']['id']}"
    async with rig.app.db.session() as session:
        first = await find_conversation(session, "teams", general)
        second = await find_conversation(session, "teams", new_channel)
    assert first is not None and first.active and second is not None and second.active
    assert second.title == "TestTeam2022 › FunDiscussions"
    assert rig.sent() == []  # storing references is silent

    removed = rig.activity("installationUpdate_add_team.docs_raw.txt", action="remove")
    assert (await rig.post(removed)).status == 200
    async with rig.app.db.session() as session:
        rows = (await session.exec(select(Conversation))).scalars().all()  # type: ignore[call-overload]
    assert {(c.conversation_key, c.active) for c in rows} == {(general, False),
                                                              (new_channel, False)}


async def test_personal_install_greets_and_remembers_the_chat(rig: TeamsRig) -> None:
    activity = rig.activity("conversationUpdate_bot_added_personal.json")
    activity["conversation"]["id"] = "a:1personal-chat-of-anna"
    user = activity["from"]["id"]
    rig.connector.add_member(user, name="Anna Nowak", aad_object_id="aad-anna",
                             email=ANNA_EMAIL, tenant_id=TENANT)
    assert (await rig.post(activity)).status == 200
    [call] = rig.sent()
    assert call.conversation_id == "a:1personal-chat-of-anna"
    assert "Dzień dobry, Anna Nowak!" in card_text(card_of(call))
    async with rig.app.db.session() as session:
        account = await find_account(session, "teams", TENANT, user)
    assert account is not None and account.private_ref is not None
    assert ConversationRef.from_json(account.private_ref).conversation_id == (
        "a:1personal-chat-of-anna")


# --- refusals and robustness -------------------------------------------------------------------


async def test_invalid_tokens_are_refused_and_nothing_is_processed(rig: TeamsRig) -> None:
    activity = _personal(rig, "kto od śmieci w Wieliczce?")
    bad_tokens = {
        "forged": rig.token(key="forged"),
        "expired": rig.token(expires_in=-3600),
        "not yet valid": rig.token(not_before_offset=3600),
        "wrong audience": rig.issuer.mint("11111111-2222-3333-4444-555555555555",
                                          rig.connector.service_url),
        "wrong issuer": rig.token(issuer="https://evil.example"),
        "wrong serviceUrl": rig.token(service_url="https://smba.trafficmanager.net/emea/"),
        "no serviceurl claim": rig.token(extra_claims={"serviceurl": None}),
        "no exp claim": rig.token(extra_claims={"exp": None}),
        "garbage": "not.a.jwt",
    }
    for case, token in bad_tokens.items():
        posted = await rig.post(activity, token=token)
        assert posted.status == 401, case
    assert (await rig.post(activity, token=None)).status == 401  # no Authorization at all
    assert rig.connector.calls == []  # no reply, not even a member lookup
    assert await _processed(rig.app) == 0
    # The same activity with a good token goes through: the refusals were about the token.
    assert (await rig.post(activity)).status == 200
    assert len(rig.sent()) == 1


async def test_activity_from_a_foreign_tenant_is_refused(rig: TeamsRig) -> None:
    activity = rig.activity("message_personal_docs.json", tenant=FOREIGN_TENANT)
    posted = await rig.post(activity)
    assert posted.status == 403
    assert rig.connector.calls == [] and await _processed(rig.app) == 0


async def test_malformed_bodies_are_bad_requests(rig: TeamsRig) -> None:
    assert (await rig.post({}, raw=b"{not json")).status == 400
    assert (await rig.post({}, raw=b"[1, 2]")).status == 400
    bad = rig.activity("message_personal_docs.json", type=5)
    assert (await rig.post(bad)).status == 400
    # A bad body without a valid token is still a 401: nothing is revealed to strangers.
    assert (await rig.post({}, raw=b"{not json", token="x.y.z")).status == 401
    assert rig.connector.calls == []


async def test_duplicate_delivery_is_answered_once(rig: TeamsRig) -> None:
    activity = _personal(rig, "kto od śmieci w Wieliczce?")
    assert (await rig.post(activity)).status == 200
    assert (await rig.post(activity)).status == 200
    assert len(rig.sent()) == 1


async def test_unknown_activity_types_are_acknowledged_and_ignored(rig: TeamsRig) -> None:
    samples = ("messageReaction_reactionsAdded_channel.json",
               "messageReaction_heart_added_personal.agents_sdk.json")
    for sample in samples:
        assert (await rig.post(rig.activity(sample))).status == 200, sample
    typing = rig.activity("message_personal_docs.json", type="typing")
    assert (await rig.post(typing)).status == 200
    other_invoke = rig.activity("invoke_adaptiveCard_action_personal.json", name="task/fetch")
    assert (await rig.post(other_invoke)).status == 200
    assert rig.sent() == [] and await _processed(rig.app) == 0


async def test_edits_are_taken_in_once_and_answered_with_nothing(rig: TeamsRig) -> None:
    # (What an edit of a relayed forum answer does is in tests/test_forums_e2e.py.)
    edited = rig.activity("messageUpdate_edited_personal.agents_sdk.json")
    assert (await rig.post(edited)).status == 200
    assert (await rig.post(edited)).status == 200  # a redelivery
    assert await _processed(rig.app) == 1 and rig.sent() == []


async def test_channel_messages_without_a_mention_get_no_answer(rig: TeamsRig) -> None:
    await _register_channel(rig.app)
    for text in ("pomoc", "kto odpady Wieliczka"):  # delivered thanks to RSC, not meant for us
        chatter = _mention(rig, text)
        chatter["entities"] = []
        assert (await rig.post(chatter)).status == 200
    assert rig.sent() == []


async def test_stopping_finishes_replies_and_then_refuses(rig: TeamsRig) -> None:
    question = asyncio.create_task(rig.post(_personal(rig, "kto od śmieci w Wieliczce?")))
    # Stop while the request is being handled (it is looking the sender up).
    await rig.connector.wait_for_calls(1, predicate=lambda c: c.operation == "get_member")
    await rig.component.stop()
    assert (await question).status == 200
    assert len(rig.sent()) == 1  # its reply went out before the session closed
    late = await rig.post(_personal(rig, "pomoc", email=None))
    assert late.status == 503 and len(rig.sent()) == 1
