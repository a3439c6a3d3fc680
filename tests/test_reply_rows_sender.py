"""A reply waiting in the outbox is the asker's data: it carries their person and account,
so an erasure (RODO) finds it and a chat found unreachable marks the right account."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import col

from store.models import Delivery, MessengerAccount
from store.people import person_by_email
from tests.test_reply_outage import ASKER, QUESTIONS, telegram_asks
from tests.world import World


async def test_a_queued_reply_carries_the_askers_person_and_account(world: World) -> None:
    await world.link(ASKER)
    world.tg.outage(3600)
    await telegram_asks(world, ASKER, QUESTIONS[0][0])
    async with world.app.db.session() as session:
        person = await person_by_email(session, ASKER.email)
        account = (await session.scalars(select(MessengerAccount).where(
            col(MessengerAccount.platform) == "telegram",
            col(MessengerAccount.external_id) == str(ASKER.telegram)))).one()
        [row] = (await session.scalars(select(Delivery).where(
            col(Delivery.kind) == "reply"))).all()
    assert person is not None
    assert (row.person_id, row.account_id) == (person.id, account.id)
    world.tg.outage(None)
