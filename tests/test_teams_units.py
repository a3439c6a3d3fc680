"""Teams adapter parts without a database: translation of the payload samples, card rendering,
settings, the app package, and the token validator against the fake key endpoint."""

from __future__ import annotations

import asyncio
import base64
import json
import struct
import time
import zipfile
import zlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import jwt
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from microsoft_agents.activity import Activity

from adapters.teams import build_package, parse_settings
from adapters.teams.cards import DEFAULT_BUDGET, MIN_BUDGET, render_parts
from adapters.teams.channel_auth import (
    ChannelAuthError,
    ChannelKeys,
    ChannelTokenValidator,
    KeysUnavailable,
)
from adapters.teams.connector import parse_retry_after
from adapters.teams.limits import TeamsLimits
from adapters.teams.translate import (
    CommandWords,
    change_event,
    conversation_ref,
    message_event,
    message_text,
    sender_of,
    tenant_of,
)
from bots.config import ConfigError
from commands.model import (
    Button,
    ButtonStyle,
    ContactCard,
    ConversationKind,
    MessageDeleted,
    MessageEdited,
    MessageReceived,
    OutboundMessage,
)
from commands.setup import build_registry
from tests.fakes.teams_auth import ChannelTokenIssuer
from tests.test_teams_helpers import APP_ID, TENANT, actions, card_text, payload, runs

# --- translation of the samples ----------------------------------------------------------------


def _activity(name: str, **changes: Any) -> Activity:
    return Activity.model_validate({**payload(name), **changes})


def test_channel_mention_sample_becomes_a_thread_reference() -> None:
    activity = _activity("message_channel_at_mention_bot.json")
    text, mentioned = message_text(activity)
    assert (text, mentioned) == ("reply to thread", True)
    ref = conversation_ref(activity, tenant_of(activity))
    assert ref.kind == ConversationKind.CHANNEL
    assert ref.conversation_id == "19:6848757105754c8981c67612732d9aa7@thread.tacv2"
    assert ref.thread_id == "1759881511856"
    assert ref.tenant_id == "50612dbb-0237-4969-b378-8d42590f9c00"
    assert ref.extra["team_id"].startswith("19:66P469")


@pytest.mark.parametrize(("text", "expected", "mentioned"), [
    ("&lt;at&gt;ridotest&lt;/at&gt; kto odpady Wieliczka", "kto odpady Wieliczka", True),
    ("<at>ridotest</at>\u00a0kto od <at>Jan Kowalski</at>?", "kto od Jan Kowalski ?", True),
    ("kto od odpadów &amp; PSZOK", "kto od odpadów & PSZOK", False),
])
def test_mentions_are_stripped_even_when_escaped(text: str, expected: str, mentioned: bool
                                                 ) -> None:
    activity = _activity("message_channel_at_mention_bot.json", text=text,
                         entities=[] if not mentioned else None)
    assert message_text(activity) == (expected, mentioned)


def test_personal_and_message_back_samples() -> None:
    personal = _activity("message_personal_docs.json")
    ref = conversation_ref(personal, tenant_of(personal))
    assert ref.kind == ConversationKind.PERSONAL and ref.thread_id is None
    assert ref.extra["user_id"] == personal.from_property.id  # for proactive sends later
    assert message_text(personal) == ("Hello Teams TestBot", False)
    back = _activity("message_messageBack_value_channel.docs_raw.txt")
    back_ref = conversation_ref(back, tenant_of(back))
    assert back_ref.kind == ConversationKind.CHANNEL  # no conversationType: the team tells
    assert back_ref.thread_id == "1498171086622"


def test_files_sent_with_a_message_are_passed_on() -> None:
    activity = _activity("message_channel_at_mention_bot.json", attachments=[
        *payload("message_channel_at_mention_bot.json")["attachments"],  # the text as HTML
        {"contentType": "application/vnd.microsoft.teams.file.download.info",
         "name": "uchwała.pdf", "content": {"downloadUrl": "https://x.example/d/1",
                                             "fileType": "pdf"}},
        {"contentType": "image/png", "contentUrl": "https://x.example/img/2"},
    ])
    ref = conversation_ref(activity, tenant_of(activity))
    sender = sender_of(activity, tenant_of(activity))
    event = message_event(activity, ref, sender, CommandWords.from_registry(build_registry()),
                          raw={})
    assert isinstance(event, MessageReceived) and event.addressed
    assert [(a.name, a.url, a.mime) for a in event.attachments] == [
        ("uchwała.pdf", "https://x.example/d/1", "pdf"),
        ("image/png", "https://x.example/img/2", "image/png"),
    ]


def _event(activity: Activity) -> MessageReceived:
    ref = conversation_ref(activity, tenant_of(activity))
    event = message_event(activity, ref, sender_of(activity, tenant_of(activity)),
                          CommandWords.from_registry(build_registry()), raw={})
    assert isinstance(event, MessageReceived)
    return event


def test_thread_reply_without_a_mention_is_passed_on_unaddressed() -> None:
    # With ChannelMessage.Read.Group Teams delivers it: the sample, minus the mention.
    reply = _activity("message_channel_at_mention_bot.json", text="kto wie, to zapytam Annę",
                      entities=[], attachments=[])
    event = _event(reply)
    assert not event.addressed  # commands still need the mention ...
    assert event.text == "kto wie, to zapytam Annę"  # ... and it is no menu command
    assert event.conversation.thread_id == "1759881511856"
    assert event.reply_to_message_id == "1759881511856"  # the thread's root: a forum post?
    assert event.message_id == reply.id
    # A new post roots its own thread: it replies to nothing.
    conversation = {**payload("message_channel_at_mention_bot.json")["conversation"]}
    conversation["id"] = conversation["id"].split(";")[0] + ";messageid=1759944781430"
    top = _event(_activity("message_channel_at_mention_bot.json", text="Dzień dobry",
                           entities=[], conversation=conversation))
    assert not top.addressed and top.reply_to_message_id is None
    # With the mention it is a command, as before.
    mentioned = _event(_activity("message_channel_at_mention_bot.json",
                                 text="<at>ridotest</at> pomoc"))
    assert mentioned.addressed and mentioned.text == "/pomoc"


def test_edits_deletions_and_restorations_become_change_events() -> None:
    edited = _activity("messageUpdate_edited_personal.agents_sdk.json")
    ref = conversation_ref(edited, tenant_of(edited))
    sender = sender_of(edited, tenant_of(edited))
    event = change_event(edited, ref, sender, raw={})
    assert isinstance(event, MessageEdited)
    assert (event.message_id, event.text) == ("activity989",
                                              "This is the updated message content.")
    later = _activity("messageUpdate_edited_personal.agents_sdk.json",
                      text="Edited again", timestamp="2025-07-07T21:30:00.000Z")
    again = change_event(later, ref, sender, raw={})
    assert again is not None and again.event_id != event.event_id  # two edits, two events
    retried = change_event(_activity("messageUpdate_edited_personal.agents_sdk.json"), ref,
                           sender, raw={})
    assert retried is not None and retried.event_id == event.event_id  # a redelivery: one
    data = {**payload("messageUpdate_edited_personal.agents_sdk.json")["channelData"]}
    deleted = _activity("messageUpdate_edited_personal.agents_sdk.json", type="messageDelete",
                        text=None, channelData={**data, "eventType": "softDeleteMessage"})
    gone = change_event(deleted, ref, sender, raw={})
    assert isinstance(gone, MessageDeleted) and gone.message_id == "activity989"
    restored = _activity("messageUpdate_edited_personal.agents_sdk.json",
                         channelData={**data, "eventType": "undeleteMessage"})
    assert isinstance(change_event(restored, ref, sender, raw={}), MessageEdited)
    reaction = _activity("messageReaction_heart_added_personal.agents_sdk.json")
    assert change_event(reaction, ref, sender, raw={}) is None


def test_menu_words_become_commands_only_where_meant() -> None:
    words = CommandWords.from_registry(build_registry())
    assert words.as_command("pomoc") == "/pomoc"
    assert words.as_command("help") == "/help"
    assert words.as_command("kto odpady Wieliczka") == "/kto odpady Wieliczka"
    assert words.as_command("moje-dane telefon 123") == "/moje-dane telefon 123"
    assert words.as_command("start ABC123") == "/start ABC123"
    assert words.as_command("pomoc społeczna w Skawinie") == "pomoc społeczna w Skawinie"
    assert words.as_command("odpady Wieliczka") == "odpady Wieliczka"
    assert words.as_command("/kto x") == "/kto x"


# --- cards -------------------------------------------------------------------------------------


def _card(n: int, notes: str = "") -> ContactCard:
    return ContactCard(name=f"Osoba {n}", gmina="Skawina", position="referent",
                       email=f"o{n}@skawina.example.pl", phone="+48 12 000 00 00", notes=notes)


def test_buttons_are_execute_with_a_submit_fallback() -> None:
    message = OutboundMessage(text="Wybierz", buttons=(
        Button("Dalej ›", "kto.p", "1::2:"),
        Button("Dane są aktualne", "me.ok", "7", ButtonStyle.PRIMARY),
    ))
    [part] = render_parts(message)
    first, second = actions(part.card())
    assert first == {
        "type": "Action.Execute", "title": "Dalej ›", "verb": "kto.p",
        "data": {"action": "kto.p", "value": "1::2:"},
        "fallback": {"type": "Action.Submit", "title": "Dalej ›",
                     "data": {"action": "kto.p", "value": "1::2:"}},
    }
    assert second["style"] == "positive" and second["fallback"]["style"] == "positive"
    assert part.card()["version"] == "1.5"
    assert part.summary == "Wybierz"


def test_big_answers_are_split_under_the_budget_with_buttons_last() -> None:
    cards = tuple(_card(n, notes="uwagi " * 300) for n in range(12))
    message = OutboundMessage(title="Tytuł", text="wiersz\n" * 50, cards=cards,
                              footer="Strona 1 z 3", buttons=(Button("Dalej ›", "kto.p", "x"),))
    parts = render_parts(message, budget=MIN_BUDGET * 2)
    assert len(parts) > 2
    assert all(p.size() <= MIN_BUDGET * 2 for p in parts)
    assert [bool(p.buttons) for p in parts] == [False] * (len(parts) - 1) + [True]
    shown = "".join(card_text(p.card()) for p in parts)
    assert all(f"Osoba {n} — Skawina" in shown for n in range(12))
    assert shown.startswith("Tytuł") and shown.endswith("Strona 1 z 3")
    [single] = render_parts(OutboundMessage(text="krótko"), budget=DEFAULT_BUDGET)
    assert single.size() < 3000
    assert render_parts(OutboundMessage()) == []


def test_one_huge_line_is_cut_into_pieces() -> None:
    line = " ".join(f"słowo{n}" for n in range(6000))
    parts = render_parts(OutboundMessage(text=line), budget=MIN_BUDGET)
    assert len(parts) > 3 and all(p.size() <= MIN_BUDGET for p in parts)
    pieces = [r["text"] for p in parts for r in runs(p.card())]
    assert " ".join(pieces).split() == line.split()
    assert all(len(p.card()["fallbackText"]) <= 1000 for p in parts)


# --- settings ----------------------------------------------------------------------------------


def _section(**changes: Any) -> dict[str, Any]:
    base = {"app_id": APP_ID, "app_password": "s3cret-value", "tenant_id": TENANT}
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def test_settings_defaults_and_secrets_kept_out_of_repr() -> None:
    settings = parse_settings(_section(), env={})
    assert settings.allowed_tenants == frozenset({TENANT})
    assert settings.authority == "https://login.microsoftonline.com"
    assert settings.openid_metadata_url == (
        "https://login.botframework.com/v1/.well-known/openidconfiguration")
    assert settings.allowed_issuers == ("https://api.botframework.com",)
    assert settings.bot_scope == "https://api.botframework.com/.default"
    assert settings.bot_id == f"28:{APP_ID}"
    assert "s3cret-value" not in repr(settings)
    from_env = parse_settings(_section(app_password=None),
                              env={"LACZNIK_TEAMS_APP_PASSWORD": "from-env"})
    assert from_env.app_password == "from-env"


@pytest.mark.parametrize(("changes", "key"), [
    ({"app_id": None}, "teams.app_id"),
    ({"app_id": "my-bot"}, "teams.app_id"),
    ({"app_password": None}, "teams.app_password"),
    ({"allowed_tenants": ["not-a-guid"]}, "teams.allowed_tenants"),
    ({"authority": "http://login.example"}, "teams.authority"),
    ({"authority": "http://127.0.0.1:8443"}, "teams.authority"),  # msal needs https
    ({"openid_metadata_url": "http://login.example/keys"}, "teams.openid_metadata_url"),
    ({"bot_scope": "https://api.botframework.com"}, "teams.bot_scope"),
    ({"public_domain": "https://bot.example.pl/"}, "teams.public_domain"),
    ({"colour": "blue"}, "teams.colour"),
])
def test_bad_settings_name_the_key(changes: dict[str, Any], key: str) -> None:
    with pytest.raises(ConfigError) as raised:
        parse_settings(_section(**changes), env={})
    assert raised.value.key == key


def test_local_metadata_url_is_allowed_for_tests_and_sandboxes() -> None:
    settings = parse_settings(_section(openid_metadata_url="http://127.0.0.1:9/metadata"),
                              env={})
    assert settings.openid_metadata_url == "http://127.0.0.1:9/metadata"


def test_certificate_credential_with_computed_thumbprint(tmp_path: Path) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "lacznik-bot")])
    import datetime as dt

    now = dt.datetime.now(dt.UTC)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
                   .public_key(key.public_key()).serial_number(1)
                   .not_valid_before(now).not_valid_after(now + dt.timedelta(days=1))
                   .sign(key, hashes.SHA256()))
    pem = tmp_path / "bot.pem"
    pem.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                          serialization.NoEncryption())
        + certificate.public_bytes(serialization.Encoding.PEM))
    settings = parse_settings(_section(app_password=None, certificate_path=str(pem)), env={})
    assert settings.certificate is not None
    assert settings.certificate.thumbprint == certificate.fingerprint(hashes.SHA1()).hex().upper()  # noqa: S303
    assert settings.certificate.as_msal()["public_certificate"].startswith("-----BEGIN CERT")
    with pytest.raises(ConfigError) as raised:
        parse_settings(_section(certificate_path=str(pem)), env={})  # secret AND certificate
    assert raised.value.key == "teams.app_password"
    with pytest.raises(ConfigError) as raised:
        parse_settings(_section(app_password=None, certificate_path=str(pem),
                                certificate_thumbprint="AB" * 20), env={})
    assert raised.value.key == "teams.certificate_thumbprint"


# --- the app package ---------------------------------------------------------------------------


def _png(data: bytes) -> tuple[int, int, list[tuple[int, int, int, int]]]:
    """Width, height and RGBA pixels of a PNG as :mod:`adapters.teams.icons` writes it."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks: dict[bytes, bytes] = {}
    offset = 8
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset:offset + 4])
        tag = data[offset + 4:offset + 8]
        body = data[offset + 8:offset + 8 + length]
        (crc,) = struct.unpack(">I", data[offset + 8 + length:offset + 12 + length])
        assert crc == zlib.crc32(tag + body) & 0xFFFFFFFF
        chunks[tag] = chunks.get(tag, b"") + body
        offset += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
    assert (depth, colour) == (8, 6)
    raw = zlib.decompress(chunks[b"IDAT"])
    stride = width * 4 + 1
    pixels = []
    for row in range(height):
        line = raw[row * stride:(row + 1) * stride]
        assert line[0] == 0  # no filter
        pixels += [tuple(line[1 + i:5 + i]) for i in range(0, width * 4, 4)]
    return width, height, pixels  # type: ignore[return-value]


def test_app_package(tmp_path: Path) -> None:
    path = build_package(_section(app_password=None, public_domain="bot.gmina.example.pl"),
                         out=tmp_path)
    with zipfile.ZipFile(path) as archive:
        assert sorted(archive.namelist()) == ["color.png", "en-us.json", "manifest.json",
                                              "outline.png"]
        manifest = json.loads(archive.read("manifest.json"))
        english = json.loads(archive.read("en-us.json"))
        color = _png(archive.read("color.png"))
        outline = _png(archive.read("outline.png"))
    assert manifest["id"] == APP_ID and manifest["manifestVersion"] == "1.17"
    [bot] = manifest["bots"]
    assert bot["botId"] == APP_ID and bot["scopes"] == ["personal", "team", "groupChat"]
    titles = [c["title"] for c in bot["commandLists"][0]["commands"]]
    assert {"kto", "pomoc", "moje-dane", "start"} <= set(titles)
    assert all(" " not in t and not t.startswith("/") for t in titles)
    assert manifest["validDomains"] == ["bot.gmina.example.pl"]
    # Replies in channel threads reach the bot without a mention (resource-specific consent,
    # which needs webApplicationInfo with the app's id).
    assert manifest["authorization"]["permissions"]["resourceSpecific"] == [
        {"name": "ChannelMessage.Read.Group", "type": "Application"}]
    assert manifest["webApplicationInfo"] == {
        "id": APP_ID, "resource": f"api://bot.gmina.example.pl/{APP_ID}"}
    assert manifest["name"]["short"] == "Łącznik" and len(manifest["name"]["full"]) <= 100
    assert len(manifest["description"]["short"]) <= 80
    assert len(manifest["developer"]["name"]) <= 32
    assert manifest["developer"]["websiteUrl"] == "https://bot.gmina.example.pl/"
    assert manifest["localizationInfo"]["additionalLanguages"] == [
        {"languageTag": "en-us", "file": "en-us.json"}]
    english_titles = [english[f"bots[0].commandLists[0].commands[{i}].title"]
                      for i in range(len(titles))]
    assert {"who", "help", "me"} <= set(english_titles)
    assert color[:2] == (192, 192) and outline[:2] == (32, 32)
    # Outline: white on transparent only; colour: opaque in the middle.
    assert {p[:3] for p in outline[2] if p[3]} == {(255, 255, 255)}
    assert any(p[3] == 0 for p in outline[2]) and any(p[3] == 255 for p in outline[2])
    assert color[2][96 * 192 + 20][3] == 255
    # The same configuration gives the same bytes (a re-upload only when something changed).
    again = build_package(_section(app_password=None, public_domain="bot.gmina.example.pl"),
                          out=tmp_path / "again.zip")
    assert again.read_bytes() == path.read_bytes()


def test_package_needs_the_public_domain(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as raised:
        build_package(_section(), out=tmp_path / "x.zip")
    assert raised.value.key == "teams.public_domain"


# --- the inbound token validator against the key endpoint ---------------------------------------


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


def _validator(issuer: ChannelTokenIssuer, http: aiohttp.ClientSession, url: str | None = None
               ) -> ChannelTokenValidator:
    keys = ChannelKeys(metadata_url=url or issuer.openid_metadata_url, session=lambda: http)
    return ChannelTokenValidator(app_id=APP_ID, issuers=("https://api.botframework.com",),
                                 keys=keys)


async def test_key_not_endorsed_for_teams_is_refused(http: aiohttp.ClientSession) -> None:
    with ChannelTokenIssuer(endorsements=("webchat",)) as issuer:
        validator = _validator(issuer, http)
        identity = await validator.authenticate(f"Bearer {issuer.mint(APP_ID, 'https://s/')}")
        validator.check_activity(identity, service_url="https://s/", channel_id="webchat")
        with pytest.raises(ChannelAuthError, match="not endorsed"):
            validator.check_activity(identity, service_url="https://s/", channel_id="msteams")
        with pytest.raises(ChannelAuthError, match="serviceUrl"):
            validator.check_activity(identity, service_url="https://t/", channel_id="webchat")


async def test_keys_are_cached_and_unknown_key_ids_cannot_hammer_the_endpoint(
    http: aiohttp.ClientSession,
) -> None:
    now = [1000.0]
    with ChannelTokenIssuer() as issuer:
        keys = ChannelKeys(metadata_url=issuer.openid_metadata_url, session=lambda: http,
                           min_refresh_interval=60, clock=lambda: now[0])
        validator = ChannelTokenValidator(app_id=APP_ID, keys=keys,
                                          issuers=("https://api.botframework.com",))
        for _ in range(5):
            await validator.authenticate(f"Bearer {issuer.mint(APP_ID, 'https://s/')}")
        assert len(issuer.requests) == 2  # metadata + keys, once
        stranger = jwt.encode({"aud": APP_ID}, "k" * 32, algorithm="HS256")
        with pytest.raises(ChannelAuthError, match="algorithm"):
            await validator.authenticate(f"Bearer {stranger}")
        parts = issuer.mint(APP_ID, "https://s/").split(".")
        header = json.dumps({"alg": "RS256", "kid": "rotated", "typ": "JWT"}).encode()
        parts[0] = base64.urlsafe_b64encode(header).rstrip(b"=").decode()
        unknown = "Bearer " + ".".join(parts)
        with pytest.raises(ChannelAuthError, match="unknown signing key"):
            await validator.authenticate(unknown)
        assert len(issuer.requests) == 2  # just loaded: no refresh yet
        now[0] += 61
        for _ in range(3):
            with pytest.raises(ChannelAuthError, match="unknown signing key"):
                await validator.authenticate(unknown)
        assert len(issuer.requests) == 4  # one early refresh, not three
        now[0] += 24 * 3600  # keys expire after a day: refreshed on the next request
        await validator.authenticate(f"Bearer {issuer.mint(APP_ID, 'https://s/')}")
        assert len(issuer.requests) == 6


async def test_unreachable_key_endpoint_is_not_a_crash(http: aiohttp.ClientSession) -> None:
    with ChannelTokenIssuer() as issuer:
        token = issuer.mint(APP_ID, "https://s/")
        dead = "http://127.0.0.1:9/v1/.well-known/openidconfiguration"
        with pytest.raises(KeysUnavailable):
            await _validator(issuer, http, dead).authenticate(f"Bearer {token}")


def test_retry_after_header_forms() -> None:
    assert parse_retry_after("3") == 3.0
    assert parse_retry_after("0.5") == 0.5
    assert parse_retry_after(None) is None and parse_retry_after("soon") is None
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # in the past


# --- the tenant's pace -------------------------------------------------------------------------


async def test_a_fan_out_in_one_tenant_is_spaced_evenly_not_sent_in_bursts() -> None:
    limits = TeamsLimits()
    spacing = 1.02 / 50  # Teams allows 50 requests/s per app and tenant
    went: dict[str, list[float]] = {"ours": [], "other tenant": []}

    async def send(tenant: str) -> None:
        went[tenant].append(time.monotonic())

    async def fan_out() -> None:  # an announcement to 60 people, one chat each
        await asyncio.gather(*(
            limits.run(lambda: send("ours"), tenant_id=TENANT, conversation_id=f"a:{n}")
            for n in range(60)))

    began = time.monotonic()
    task = asyncio.create_task(fan_out())
    await asyncio.sleep(0.1)  # meanwhile a chat in another tenant is not held up by ours
    await limits.run(lambda: send("other tenant"), tenant_id="other", conversation_id="a:x")
    await task
    ours = sorted(went["ours"])
    # The k-th call goes no earlier than k spacings after the first: never 50 at once.
    assert all(at - began >= k * spacing * 0.99 for k, at in enumerate(ours))
    assert all(sum(1 for t in ours if start <= t < start + 1) <= 50 for start in ours)
    assert ours[-1] - began < 60 * spacing + 0.5  # and no slower than that pace
    assert went["other tenant"][0] - began < 0.3
