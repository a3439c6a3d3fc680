"""SMS delivery reports are kept as long as the outbox row of their SMS, no longer."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bots.app import App
from scheduler.retention import RetentionSettings, enforce
from store.models import Delivery, DeliveryState
from store.sms_models import SmsReport


async def test_an_old_report_goes_with_its_sms_and_one_whose_sms_is_kept_stays(
        app: App) -> None:
    now = app.clock.now()
    old = now - timedelta(days=100)
    async with app.db.session() as session:
        # An SMS sent 100 days ago (its row goes) and one sent 10 days ago (its row stays).
        for number, sent_at in (("gone", old), ("kept", now - timedelta(days=10))):
            session.add(Delivery(dedupe_key=f"sms:{number}", kind="announcement",
                                 platform="sms", target="{}", payload="{}", not_before=sent_at,
                                 state=DeliveryState.SENT.value, sent_at=sent_at,
                                 created_at=sent_at, message_id=f"msg-{number}"))
            session.add(SmsReport(message_id=f"msg-{number}", status=404,
                                  status_name="DELIVERED", received_at=old))
        # A report that came in yesterday for an SMS the outbox no longer knows.
        session.add(SmsReport(message_id="msg-late", status=404, status_name="DELIVERED",
                              received_at=now - timedelta(days=1)))
        await session.commit()

    removed = await enforce(app.db, now, RetentionSettings())

    assert removed["sms_reports"] == 1
    async with app.db.session() as session:
        left = set(await session.scalars(select(SmsReport.message_id)))
    assert left == {"msg-kept", "msg-late"}
