"""Issue 14.1: one authorisation model (commands/authz.py), every row of docs/security.md.

The table rows are checked on the rule function itself; the edit rows and the account
takeover of the issue are also driven end to end (console, Slack fake) on a real database.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from adapters.console.adapter import ConsoleSession
from bots.app import App
from commands.authz import Act, Actor, Target, may
from commands.texts import t
from store.identity import auto_link_held
from store.models import MessengerAccount, Person, Role
from store.people import Grant, grant_role, issue_link_code, person_by_email
from tests.world import ADMIN, Staff, World

OFFICE_ADMIN = "k.obara@metropoliakrakowska.example.pl"  # Biuro SMK: no gmina, admin
COORDINATOR = "w.fras@wieliczka.example.pl"  # coordinates Wieliczka
COLLEAGUE = "j.kolodziej@wieliczka.example.pl"  # Wieliczka, no role
COLLEAGUE2 = "r.nowak@wieliczka.example.pl"  # Wieliczka, no role
ELSEWHERE = "p.sikora@skawina.example.pl"  # Skawina
ATTACKER_MAIL = "attacker@evil.example.com"

# --- the table, on the rule function ----------------------------------------------------------

WIELICZKA, SKAWINA, PZP, ROZWOJ = 10, 20, 1, 2
ADMIN_ACTOR = Actor(1, (Grant(Role.ADMIN),))
MODERATOR = Actor(2, (Grant(Role.FORUM_MODERATOR, forum_id=PZP),))
COORD = Actor(3, (Grant(Role.GMINA_COORDINATOR, gmina_id=WIELICZKA),))
MEMBER = Actor(4)
UNLINKED = Actor(None)
# A malformed, unscoped grant (the CLI never makes one) is nobody's scope, not everybody's.
UNSCOPED = Actor(5, (Grant(Role.GMINA_COORDINATOR), Grant(Role.FORUM_MODERATOR)))

OFFICE_PERSON = Target(person_id=9, gmina_id=None, grants=(Grant(Role.ADMIN),))
OFFICE_STAFF = Target(person_id=8, gmina_id=None)
OWN_GMINA = Target(person_id=7, gmina_id=WIELICZKA)
OWN_GMINA_ADMIN = Target(person_id=6, gmina_id=WIELICZKA, grants=(Grant(Role.ADMIN),))
OTHER_GMINA = Target(person_id=11, gmina_id=SKAWINA)

ROWS: list[tuple[str, Actor, Act, Target, bool]] = [
    # editing someone else's entry (contact fields)
    ("admin edits anyone", ADMIN_ACTOR, Act.EDIT_ENTRY, OTHER_GMINA, True),
    ("admin edits office", ADMIN_ACTOR, Act.EDIT_ENTRY, OFFICE_PERSON, True),
    ("coordinator edits own gmina", COORD, Act.EDIT_ENTRY, OWN_GMINA, True),
    ("coordinator edits other gmina", COORD, Act.EDIT_ENTRY, OTHER_GMINA, False),
    ("coordinator edits office admin", COORD, Act.EDIT_ENTRY, OFFICE_PERSON, False),
    ("coordinator edits office staff", COORD, Act.EDIT_ENTRY, OFFICE_STAFF, False),
    ("coordinator edits admin of own gmina", COORD, Act.EDIT_ENTRY, OWN_GMINA_ADMIN, False),
    ("unscoped coordinator edits office", UNSCOPED, Act.EDIT_ENTRY, OFFICE_STAFF, False),
    ("moderator edits entry", MODERATOR, Act.EDIT_ENTRY, OWN_GMINA, False),
    ("member edits entry", MEMBER, Act.EDIT_ENTRY, OWN_GMINA, False),
    ("unlinked edits entry", UNLINKED, Act.EDIT_ENTRY, OWN_GMINA, False),
    # identity (e-mail)
    ("admin changes an e-mail", ADMIN_ACTOR, Act.EDIT_IDENTITY, OWN_GMINA, True),
    ("coordinator changes an e-mail", COORD, Act.EDIT_IDENTITY, OWN_GMINA, False),
    ("moderator changes an e-mail", MODERATOR, Act.EDIT_IDENTITY, OWN_GMINA, False),
    ("member changes own e-mail", MEMBER, Act.EDIT_IDENTITY, Target(person_id=4), False),
    ("unlinked changes an e-mail", UNLINKED, Act.EDIT_IDENTITY, OWN_GMINA, False),
    # one's own entry
    ("member edits own entry", MEMBER, Act.EDIT_OWN, Target(person_id=4), True),
    ("member edits another via own", MEMBER, Act.EDIT_OWN, Target(person_id=7), False),
    ("unlinked edits own entry", UNLINKED, Act.EDIT_OWN, Target(person_id=None), False),
    # forums
    ("admin moderates any forum", ADMIN_ACTOR, Act.MODERATE_FORUM, Target(forum_id=ROZWOJ), True),
    ("moderator moderates own forum", MODERATOR, Act.MODERATE_FORUM, Target(forum_id=PZP), True),
    ("moderator moderates other forum", MODERATOR, Act.MODERATE_FORUM, Target(forum_id=ROZWOJ),
     False),
    ("unscoped moderator", UNSCOPED, Act.MODERATE_FORUM, Target(forum_id=PZP), False),
    ("coordinator moderates", COORD, Act.MODERATE_FORUM, Target(forum_id=PZP), False),
    ("member moderates", MEMBER, Act.MODERATE_FORUM, Target(forum_id=PZP), False),
    ("member reads own forum", MEMBER, Act.READ_FORUM,
     Target(forum_id=PZP, member_of=frozenset({PZP})), True),
    ("member reads other forum", MEMBER, Act.READ_FORUM,
     Target(forum_id=ROZWOJ, member_of=frozenset({PZP})), False),
    ("moderator reads own forum", MODERATOR, Act.READ_FORUM, Target(forum_id=PZP), True),
    ("admin reads any forum", ADMIN_ACTOR, Act.READ_FORUM, Target(forum_id=ROZWOJ), True),
    ("unlinked reads forum", UNLINKED, Act.READ_FORUM,
     Target(forum_id=PZP, member_of=frozenset({PZP})), False),
    # announcements
    ("admin announces to everyone", ADMIN_ACTOR, Act.ANNOUNCE_EVERYONE, Target(), True),
    ("moderator announces to everyone", MODERATOR, Act.ANNOUNCE_EVERYONE, Target(), False),
    ("coordinator announces to everyone", COORD, Act.ANNOUNCE_EVERYONE, Target(), False),
    ("moderator announces to own forum", MODERATOR, Act.ANNOUNCE_FORUM, Target(forum_id=PZP),
     True),
    ("moderator announces to other forum", MODERATOR, Act.ANNOUNCE_FORUM,
     Target(forum_id=ROZWOJ), False),
    ("coordinator announces to own gmina", COORD, Act.ANNOUNCE_GMINA,
     Target(gmina_id=WIELICZKA), True),
    ("coordinator announces to other gmina", COORD, Act.ANNOUNCE_GMINA,
     Target(gmina_id=SKAWINA), False),
    ("coordinator announces to office", COORD, Act.ANNOUNCE_GMINA, Target(gmina_id=None),
     False),
    ("coordinator names own gmina person", COORD, Act.ANNOUNCE_PERSON, OWN_GMINA, True),
    ("coordinator names office person", COORD, Act.ANNOUNCE_PERSON, OFFICE_STAFF, False),
    ("moderator names forum member", MODERATOR, Act.ANNOUNCE_PERSON,
     Target(person_id=11, gmina_id=SKAWINA, member_of=frozenset({PZP})), True),
    ("moderator names non-member", MODERATOR, Act.ANNOUNCE_PERSON, OTHER_GMINA, False),
    ("member announces to gmina", MEMBER, Act.ANNOUNCE_GMINA, Target(gmina_id=WIELICZKA),
     False),
    ("author reads own report", MEMBER, Act.READ_REPORT, Target(author_id=4), True),
    ("someone reads another's report", COORD, Act.READ_REPORT, Target(author_id=4), False),
    ("admin reads any report", ADMIN_ACTOR, Act.READ_REPORT, Target(author_id=4), True),
    # calendar entries of no forum
    ("admin manages global calendar", ADMIN_ACTOR, Act.MANAGE_GLOBAL, Target(), True),
    ("moderator manages global calendar", MODERATOR, Act.MANAGE_GLOBAL, Target(), False),
]


@pytest.mark.parametrize(("actor", "act", "target", "allowed"),
                         [row[1:] for row in ROWS], ids=[row[0] for row in ROWS])
def test_authorisation_table(actor: Actor, act: Act, target: Target, allowed: bool) -> None:
    assert may(actor, act, target) is allowed


# --- the edit rows end to end (console, real database) --------------------------------------


async def _person(app: App, email: str) -> Person:
    async with app.db.session() as session:
        person = await person_by_email(session, email)
    assert person is not None
    return person


async def test_coordinator_cannot_touch_an_office_admin(app: App) -> None:
    coordinator = ConsoleSession(app.core, COORDINATOR)
    before = await _person(app, OFFICE_ADMIN)
    [answer] = await coordinator.say(f"/edytuj {OFFICE_ADMIN} email {ATTACKER_MAIL}")
    assert answer == t("pl", "edit.not_yours")
    [answer] = await coordinator.say(f"/edytuj {OFFICE_ADMIN} telefon +48 12 000 00 09")
    assert answer == t("pl", "edit.not_yours")
    after = await _person(app, OFFICE_ADMIN)
    assert (after.email, after.phone) == (before.email, before.phone)


async def test_coordinator_cannot_edit_another_gmina(app: App) -> None:
    coordinator = ConsoleSession(app.core, COORDINATOR)
    [answer] = await coordinator.say(f"/edytuj {ELSEWHERE} telefon +48 12 000 00 01")
    assert answer == t("pl", "edit.not_yours")


async def test_coordinator_edits_contact_fields_in_own_gmina_but_never_the_email(
        app: App) -> None:
    coordinator = ConsoleSession(app.core, COORDINATOR)
    [answer] = await coordinator.say(f"/edytuj {COLLEAGUE} telefon +48 12 000 00 03")
    assert "Zapisane" in answer
    assert (await _person(app, COLLEAGUE)).phone == "+48 12 000 00 03"
    [answer] = await coordinator.say(f"/edytuj {COLLEAGUE} email {ATTACKER_MAIL}")
    assert answer == t("pl", "sec.email_admin_only")
    assert (await _person(app, COLLEAGUE)).email == COLLEAGUE


async def test_coordinator_cannot_edit_an_admin_of_their_own_gmina(app: App) -> None:
    colleague = await _person(app, COLLEAGUE2)
    async with app.db.session() as session:
        await grant_role(session, int(colleague.id or 0), Role.ADMIN)
        await session.commit()
    coordinator = ConsoleSession(app.core, COORDINATOR)
    [answer] = await coordinator.say(f"/edytuj {COLLEAGUE2} telefon +48 12 000 00 04")
    assert answer == t("pl", "edit.not_yours")


async def test_member_cannot_edit_others_nor_own_email(app: App) -> None:
    member = ConsoleSession(app.core, COLLEAGUE)
    [answer] = await member.say(f"/edytuj {COLLEAGUE2} telefon +48 12 000 00 05")
    assert "tylko dla" in answer  # the command's role gate
    [answer] = await member.say(f"/moje-dane email {ATTACKER_MAIL}")
    assert answer == t("pl", "sec.email_admin_only")
    [answer] = await member.say("/moje-dane telefon +48 12 000 00 06")
    assert "Zapisane" in answer


async def test_admin_changes_an_email_which_stays_unique(app: App,
                                                         console: ConsoleSession) -> None:
    [answer] = await console.say(f"/edytuj {COLLEAGUE} email {COLLEAGUE2.upper()}")
    assert answer == t("pl", "sec.email_taken")
    assert (await _person(app, COLLEAGUE)).email == COLLEAGUE
    [answer] = await console.say(f"/edytuj {COLLEAGUE} email J.Kolodziej2@Wieliczka.example.pl")
    assert "Zapisane" in answer
    assert (await _person(app, "j.kolodziej2@wieliczka.example.pl")).name == "Jolanta Kołodziej"


# --- the takeover of the issue, end to end with the Slack fake --------------------------------


ATTACKER = Staff(ATTACKER_MAIL, "Mallory", slack="U0MALLORY")


async def _accounts_of(world: World, email: str) -> list[str]:
    person = await _person(world.app, email)
    async with world.app.db.session() as session:
        rows = await session.execute(select(MessengerAccount.external_id).where(
            MessengerAccount.person_id == person.id))  # type: ignore[arg-type]
        return sorted(rows.scalars())


async def test_coordinator_cannot_take_over_an_admin_through_slack(world: World) -> None:
    """The issue's probe: a Wieliczka coordinator sets an office admin's e-mail to their own
    address, then writes from a Slack account with that verified e-mail."""
    coordinator = ConsoleSession(world.app.core, COORDINATOR)
    [answer] = await coordinator.say(f"/edytuj {OFFICE_ADMIN} email {ATTACKER_MAIL}")
    assert answer == t("pl", "edit.not_yours")
    world.enrol(ATTACKER)  # Slack vouches for attacker@… on this account
    await world.slack_says(ATTACKER, "/pilne wszyscy: test")
    [reply] = world.on_slack(ATTACKER)
    assert "Podgląd" not in reply["text"] and "tylko dla" in reply["text"]  # a stranger
    assert "U0MALLORY" not in await _accounts_of(world, OFFICE_ADMIN)


async def test_an_email_changed_in_chat_links_no_new_account_until_a_code(
        world: World, console: ConsoleSession) -> None:
    """Even an admin's change (mistaken or tricked) hands nobody the person: a Slack account
    vouching for the new address is not linked automatically; the person's own accounts and
    roles stay theirs, and a one-time code links the new account."""
    colleague = await _person(world.app, COLLEAGUE)
    await world.link(Staff(COLLEAGUE, "Jolanta Kołodziej", telegram=7002))
    [answer] = await ConsoleSession(world.app.core, ADMIN).say(
        f"/edytuj {COLLEAGUE} email {ATTACKER_MAIL}")
    assert "Zapisane" in answer
    world.enrol(ATTACKER)
    await world.slack_says(ATTACKER, "kto od śmieci w Wieliczce?")
    [reply] = world.on_slack(ATTACKER)
    assert "Nie znam jeszcze tego konta" in reply["text"]
    assert await _accounts_of(world, ATTACKER_MAIL) == ["7002"]  # her Telegram, still hers
    async with world.app.db.session() as session:
        assert await auto_link_held(session, int(colleague.id or 0))
        code = await issue_link_code(session, int(colleague.id or 0), platform="slack",
                                     valid_for=timedelta(hours=1), now=world.app.clock.now())
        await session.commit()
    await world.slack_says(ATTACKER, f"/start {code}")
    assert "Jolanta Kołodziej" in world.on_slack(ATTACKER)[-1]["text"]
    async with world.app.db.session() as session:
        assert not await auto_link_held(session, int(colleague.id or 0))
    assert await _accounts_of(world, ATTACKER_MAIL) == ["7002", "U0MALLORY"]


async def test_auto_link_by_verified_email_still_works_for_imported_addresses(
        world: World) -> None:
    newcomer = Staff(COLLEAGUE2, "Renata Nowak", slack="U0RNOWAK2")
    world.enrol(newcomer)
    await world.slack_says(newcomer, "kto od śmieci w Wieliczce?")
    assert "U0RNOWAK2" in await _accounts_of(world, COLLEAGUE2)
