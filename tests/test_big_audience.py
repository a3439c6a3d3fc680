"""An announcement for "wszyscy" in a big directory counts the same people as a small one:
the account lookups that stop binding every id into the statement above 1,000 people keep
exactly the same answers (and people who do not exist change nothing)."""

from __future__ import annotations

from sqlmodel import col, select

from bots.app import App
from store.announcement_report import people_by_frame_language
from store.announcements import linked_accounts, reachable_accounts
from store.models import MessengerAccount, Person
from tests.world import JOLANTA, RENATA, THE_OFFICE, World


async def test_a_big_audience_reaches_exactly_whom_a_small_one_does(world: World,
                                                                    app: App) -> None:
    await world.link(THE_OFFICE, RENATA, JOLANTA)
    async with app.db.session() as session:
        everyone = set((await session.exec(select(col(Person.id)))).all())
        renata = (await session.exec(select(Person).where(Person.email == RENATA.email))).one()
        renata.language = "en"
        session.add(renata)
        blocked = (await session.exec(select(MessengerAccount).where(
            MessengerAccount.person_id == renata.id, MessengerAccount.platform == "slack"))).one()
        blocked.reachable = False
        session.add(blocked)
        await session.commit()
        small = {int(i) for i in everyone if i is not None}
        big = small | set(range(10_000_000, 10_002_000))  # ids of nobody: over the threshold
        assert len(small) < 1000 < len(big)
        for lookup in (reachable_accounts, linked_accounts):
            few, many = await lookup(session, small), await lookup(session, big)
            assert {p: [a.id for a in accounts] for p, accounts in few.items()} == {
                p: [a.id for a in accounts] for p, accounts in many.items()}
        languages = await people_by_frame_language(session, small)
        assert languages == await people_by_frame_language(session, big)
        assert languages == {"pl": 2, "en": 1}
        assert [a.platform for a in (await reachable_accounts(session, big))[int(renata.id or 0)]
                ] == ["telegram"]  # her Slack takes no messages
