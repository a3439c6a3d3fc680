"""The per-update reads stay reads: who a sender is comes from one statement, and a session
that only looked (no prompt pending, nothing to drop) has nothing to commit — on SQLite it
never takes the one write lock the other writers queue for. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import event, update
from sqlmodel import col

from store.db import Database, commit_if_written, wrote
from store.models import MessengerAccount, Person, Role, utcnow
from store.people import Grant, grant_role, known_sender, link_account
from store.prompt_models import PendingPrompt
from store.prompts import drop_prompt, put_prompt, take_prompt, waiting_prompt


async def _linked_person(db: Database) -> int:
    async with db.session() as session:
        person = Person(name="Renata Nowak", email="r.nowak@example.pl", language="en")
        session.add(person)
        await session.flush()
        person_id = int(person.id or 0)
        await link_account(session, platform="telegram", tenant_id="", external_id="42",
                           person_id=person_id, private_ref="ref-42")
        await grant_role(session, person_id, Role.GMINA_COORDINATOR)
        await grant_role(session, person_id, Role.ADMIN)
        session.add(MessengerAccount(platform="telegram", external_id="7"))  # never linked
        await session.commit()
    return person_id


def _count_statements(db: Database) -> list[str]:
    seen: list[str] = []

    def before(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        seen.append(statement.split(None, 1)[0].upper())

    event.listen(db.engine.sync_engine, "before_cursor_execute", before)
    return seen


async def test_a_linked_sender_with_their_roles_is_one_statement(database: Database) -> None:
    person_id = await _linked_person(database)
    statements = _count_statements(database)
    async with database.session() as session:
        known = await known_sender(session, "telegram", "", "42")
        assert not wrote(session)
    assert statements.count("SELECT") == 1
    assert known.account is not None and known.account.private_ref == "ref-42"
    assert known.person is not None and known.person.id == person_id
    assert known.person.language == "en"
    assert sorted(known.grants, key=lambda g: g.role.value) == sorted(
        [Grant(Role.GMINA_COORDINATOR), Grant(Role.ADMIN)], key=lambda g: g.role.value)


async def test_the_same_read_says_whether_the_bots_question_waits_for_the_sender(
        database: Database) -> None:
    await _linked_person(database)
    now = utcnow()
    keys = ("telegram:42#", "telegram::42")
    async with database.session() as session:
        before = await known_sender(session, "telegram", "", "42", prompt_keys=keys)
        await put_prompt(session, PendingPrompt(
            conversation_key=keys[0], user_key=keys[1], command="termin", args="raport",
            created_at=now, expires_at=now + timedelta(minutes=5)))
        await session.commit()
    statements = _count_statements(database)
    async with database.session() as session:
        waiting = await known_sender(session, "telegram", "", "42", prompt_keys=keys)
        elsewhere = await known_sender(session, "telegram", "", "42",
                                       prompt_keys=("telegram:43#", keys[1]))
        stranger = await known_sender(session, "telegram", "", "999", prompt_keys=keys)
    assert statements.count("SELECT") == 3  # one each, prompt included
    assert before.prompt_waiting is False and waiting.prompt_waiting is True
    assert len(waiting.grants) == 2  # the prompt does not multiply the rows
    assert elsewhere.prompt_waiting is False  # another conversation: not an answer
    assert stranger.prompt_waiting is None  # nobody asked someone the bot does not know


async def test_unknown_and_unlinked_senders(database: Database) -> None:
    await _linked_person(database)
    async with database.session() as session:
        stranger = await known_sender(session, "telegram", "", "999")
        unlinked = await known_sender(session, "telegram", "", "7")
        other_platform = await known_sender(session, "slack", "", "42")
    assert (stranger.account, stranger.person, stranger.grants) == (None, None, [])
    assert unlinked.account is not None and unlinked.person is None and unlinked.grants == []
    assert other_platform.account is None


async def test_a_change_to_the_account_read_is_written_by_commit(database: Database) -> None:
    await _linked_person(database)
    async with database.session() as session:
        known = await known_sender(session, "telegram", "", "42")
        assert known.account is not None
        known.account.private_ref = "ref-new"
        session.add(known.account)
        assert wrote(session)
        assert await commit_if_written(session)
        assert not wrote(session)
    async with database.session() as session:
        again = await known_sender(session, "telegram", "", "42")
    assert again.account is not None and again.account.private_ref == "ref-new"


async def test_statements_that_write_count_as_writes(database: Database) -> None:
    await _linked_person(database)
    async with database.session() as session:
        assert not await commit_if_written(session)
        await session.execute(update(MessengerAccount)
                              .where(col(MessengerAccount.external_id) == "7")
                              .values(display_name="Ktoś"))
        assert wrote(session)
        await session.rollback()
        assert not wrote(session)


async def test_no_prompt_pending_means_nothing_written(database: Database) -> None:
    async with database.session() as session:
        assert await waiting_prompt(session, "telegram:1#", "telegram::42") is None
        assert not await drop_prompt(session, "telegram:1#", "telegram::42")
        assert not wrote(session)


async def test_a_pending_prompt_is_taken_once_and_dropped(database: Database) -> None:
    now = utcnow()
    async with database.session() as session:
        await put_prompt(session, PendingPrompt(
            conversation_key="telegram:1#", user_key="telegram::42", command="termin",
            args="raport", created_at=now, expires_at=now + timedelta(minutes=5)))
        await session.commit()
    async with database.session() as session:
        found = await waiting_prompt(session, "telegram:1#", "telegram::42")
        assert found is not None
        taken = await take_prompt(session, found, now)
        assert taken is not None and taken.args == "raport"
        assert await commit_if_written(session)
    async with database.session() as session:
        assert await waiting_prompt(session, "telegram:1#", "telegram::42") is None
        await put_prompt(session, PendingPrompt(
            conversation_key="telegram:1#", user_key="telegram::42", command="termin",
            args="", created_at=now, expires_at=now + timedelta(minutes=5)))
        await session.commit()
    async with database.session() as session:
        assert await drop_prompt(session, "telegram:1#", "telegram::42")
        assert await commit_if_written(session)
    async with database.session() as session:
        assert await waiting_prompt(session, "telegram:1#", "telegram::42") is None
