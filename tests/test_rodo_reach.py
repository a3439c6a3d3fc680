"""RODO / GDPR for issue 19's channels: a person's export holds their mobile number, their
invitation and e-mail preferences and the delivery reports of the SMS they were sent; erasure
removes all of it and nobody else's. The invitation goes to a real SMTP server, the SMS
through the official client to the fake SMSAPI, whose reports reach the callback over HTTP."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlmodel import col

from adapters.email.sender import SmtpSender
from adapters.sms.ack_pages import SmsPagesComponent
from adapters.sms.config import parse_config
from adapters.sms.messenger import SMS as SMS_PLATFORM
from adapters.sms.messenger import SmsMessenger
from bots.app import App
from commands.invitations.campaign import CampaignSettings, InvitationCampaign
from commands.model import ConversationKind, ConversationRef, OutboundMessage, Platform
from store.db import Database
from store.invitation_models import EmailPreference, Invitation
from store.invitations import Scope, opt_out, preference
from store.models import Delivery, DeliveryState, Gmina, Person
from store.outbox import NewDelivery, enqueue
from store.rodo import export_json, export_person, forget_person
from store.sms import set_mobile
from store.sms_models import SmsReport
from tests.fakes.smsapi import FakeSmsapi
from tests.fakes.smtp import smtp_server
from tests.test_invitations import settings as email_settings
from tests.test_sms import serving

PUBLIC = "https://lacznik.example.pl"
ANNA = "anna@wieliczka.example.pl"
JAN = "jan@wieliczka.example.pl"
SECRET = "r" * 40


async def bot() -> str:
    return "lacznik_test_bot"


async def two_people(app: App) -> dict[str, int]:
    async with app.db.session() as session:
        gmina = Gmina(name="Wieliczka", teryt="1219063")
        session.add(gmina)
        await session.flush()
        anna = Person(name="Anna Kowalska", email=ANNA, gmina_id=gmina.id)
        jan = Person(name="Jan Nowak", email=JAN, gmina_id=gmina.id)
        session.add_all([anna, jan])
        await session.commit()
        ids = {"anna": int(anna.id or 0), "jan": int(jan.id or 0)}
        assert await set_mobile(session, ids["anna"], "+48601234567")
        assert await set_mobile(session, ids["jan"], "+48601234568")
        await session.commit()
    return ids


async def record_sent(database: Database, person_id: int, number: str, message_id: str
                      ) -> None:
    """The outbox row of an SMS the provider accepted (as the delivery worker leaves it)."""
    async with database.session() as session:
        key = f"sms:test:{person_id}"
        await enqueue(session, [NewDelivery(
            dedupe_key=key, kind="announcement", platform=SMS_PLATFORM, person_id=person_id,
            target=json.dumps({"platform": SMS_PLATFORM, "conversation_id": number}),
            payload="{}", not_before=datetime.now(UTC), source="announcement:1")])
        row = (await session.execute(select(Delivery).where(
            col(Delivery.dedupe_key) == key))).scalars().one()
        row.state, row.message_id = DeliveryState.SENT.value, message_id
        session.add(row)
        await session.commit()


async def texted_with_reports(app: App, ids: dict[str, int]) -> dict[str, str]:
    """Both get an SMS; SMSAPI's delivery reports reach the callback. Message ids by name."""
    sent: dict[str, str] = {}
    async with FakeSmsapi(report_retry=0.02) as fake:
        values = {"token": fake.token, "link_secret": SECRET, "sender": "Lacznik"}
        pages = SmsPagesComponent(parse_config({**values, "public_url": PUBLIC}), db=app.db,
                                  announcements=app.core.services.announcements)
        async with serving(*pages.routes()) as base:
            messenger = SmsMessenger(parse_config({**values, "public_url": base,
                                                   "api_base_url": fake.base_url}))
            try:
                for name, number in (("anna", "+48601234567"), ("jan", "+48601234568")):
                    ref = ConversationRef(Platform.CONSOLE, number, ConversationKind.PERSONAL)
                    message = await messenger.send(ref, OutboundMessage(text="PILNE nr 1"))
                    sent[name] = message.message_id
                    await record_sent(app.db, ids[name], number, message.message_id)
                await fake.reports_sent(2)
            finally:
                await messenger.close()
    async with app.db.session() as session:
        stored = set((await session.execute(select(col(SmsReport.message_id)))).scalars())
    assert stored == set(sent.values())
    return sent


async def test_export_and_erasure_cover_mobile_invitation_and_sms_reports(bare_app: App
                                                                        ) -> None:
    ids = await two_people(bare_app)
    async with smtp_server() as server:
        campaign = InvitationCampaign(
            bare_app.db, bare_app.clock, SmtpSender(email_settings(server)), bot,
            CampaignSettings(public_url=PUBLIC, retry_delays=(0.0, 0.0)))
        assert (await campaign.run(Scope(everyone=True))).invited == 2
    async with bare_app.db.session() as session:  # Anna asks for no more e-mails
        token = (await preference(session, ids["anna"])).token
        assert await opt_out(session, token, bare_app.clock.now()) is not None
        await session.commit()
    sent = await texted_with_reports(bare_app, ids)

    async with bare_app.db.session() as session:
        data = await export_person(session, ANNA, now=bare_app.clock.now())
    text = export_json(data)
    assert data["directory_entry"]["mobile"] == "+48601234567"
    [invitation] = data["email_invitations"]
    assert invitation["email"] == ANNA and invitation["sent_at"] and invitation["state"] == "sent"
    assert "code_hash" not in invitation  # a credential, not data about her
    [preferences] = data["email_preferences"]
    assert preferences["opted_out_at"] and "token" not in preferences and token not in text
    [report] = data["sms_reports"]
    assert (report["message_id"], report["status_name"]) == (sent["anna"], "DELIVERED")
    assert [m["message_id"] for m in data["messages_sent_to_them"]] == [sent["anna"]]
    assert JAN not in text and sent["jan"] not in text and "+48601234568" not in text

    async with bare_app.db.session() as session:
        forgotten = await forget_person(session, ANNA, actor="cli")
        await session.commit()
    assert forgotten.removed["smsreport"] == 1
    assert forgotten.removed["invitation"] == forgotten.removed["emailpreference"] == 1
    async with bare_app.db.session() as session:
        stub = await session.get(Person, ids["anna"])
        assert stub is not None and (stub.email, stub.mobile) == (None, "")
        for model in (Invitation, EmailPreference):
            people = set((await session.execute(select(col(model.person_id)))).scalars())
            assert people == {ids["jan"]}, model
        reports = set((await session.execute(select(col(SmsReport.message_id)))).scalars())
        assert reports == {sent["jan"]}  # hers are gone, his stay
        assert await session.scalar(select(func.count()).select_from(Delivery).where(
            col(Delivery.person_id) == ids["anna"])) == 0
        jan = await session.get(Person, ids["jan"])
        assert jan is not None and jan.mobile == "+48601234568"
