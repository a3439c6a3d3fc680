"""From the demo to real data: the first real import or ``lacznik demo clear`` removes what the
demo created — and nothing else (issue 13, point 2)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text

from adapters.console.adapter import ConsoleSession
from bots.app import App
from bots.cli import main as lacznik
from commands.directory.importer import parse_rows
from store.announcement_models import Announcement
from store.calendar_models import Event, PersonalReminder
from store.db import Database
from store.directory import ImportSummary
from store.forum_models import Question
from store.models import (
    Delivery,
    Forum,
    ForumMember,
    Gmina,
    MessengerAccount,
    Person,
    Role,
    RoleGrant,
)
from store.people import grant_role, link_account, person_by_email
from tests.calendar_helpers import ADMIN, MEMBER, MODERATOR, link_console
from tests.conftest import POSTGRES_URL, _postgres_available
from tests.world import RENATA, World

REAL_LIST = (
    "gmina;kod teryt;temat;imię i nazwisko;e-mail;telefon\n"
    "Wieliczka;1219053;gospodarka odpadami;Anna Nowak;a.nowak@wieliczka.example.pl;"
    "+48 12 000 12 34\n"
    "Skawina;1206113;oświata;Jan Kowalski;j.kowalski@skawina.example.pl;+48 12 000 22 11\n"
)
REAL = "o.realna@metropolia.example.pl"  # an office person added before the first import


async def _count(app: App, model: type, *where: object) -> int:
    async with app.db.session() as session:
        statement = select(func.count()).select_from(model)
        for condition in where:
            statement = statement.where(condition)  # type: ignore[arg-type]
        return int(await session.scalar(statement) or 0)


async def _import(app: App, path: Path, *, dry_run: bool = False) -> ImportSummary:
    async with app.db.session() as session:
        summary = await app.importer.apply(session, parse_rows(path), dry_run=dry_run,
                                           today=app.directory.today())
    app.directory.invalidate()
    return summary


async def _real_office_person(app: App) -> int:
    """Real data that lives beside the demo: an office admin with a forum of their own."""
    async with app.db.session() as session:
        person = Person(name="Olga Realna", email=REAL, phone="+48 12 000 40 99",
                        organisation="Biuro", confirmed_on=app.directory.today())
        forum = Forum(key="REALNE", name_pl="Forum Realne")
        session.add_all([person, forum])
        await session.flush()
        await grant_role(session, int(person.id or 0), Role.ADMIN)
        session.add(ForumMember(forum_id=int(forum.id or 0), person_id=int(person.id or 0)))
        await session.commit()
        return int(person.id or 0)


async def _play_with_the_demo(app: App) -> None:
    """What a new office does on day one: an announcement, a question, an event, a reminder."""
    await link_console(app, ADMIN, MODERATOR, MEMBER, REAL)
    admin = ConsoleSession(app.core, ADMIN)
    [preview] = await admin.say("/ogloszenie forum PZP: Spotkanie przeniesione na czwartek.")
    assert "Wyślij" in preview or "1" in preview
    await admin.say("1")  # "Wyślij"
    [asked] = await ConsoleSession(app.core, MEMBER).say(
        "/pytanie PZP Czy ktoś ma wzór klauzuli waloryzacyjnej?")
    [created] = await ConsoleSession(app.core, MODERATOR).say(
        "/wydarzenie nowe PZP Narada; kiedy: jutro 10:00-11:00")
    assert "#1" in created, created
    await ConsoleSession(app.core, MEMBER).say("/przypomnij jutro o 9 wysłać sprawozdanie")
    # The real office person sets a reminder of their own during the demo: it must stay.
    [saved] = await ConsoleSession(app.core, REAL).say("/przypomnij jutro o 8 zadzwonić do GOPS")
    assert "jutro" in saved.lower() or "8:00" in saved
    assert await _count(app, Announcement) == 1
    assert await _count(app, Question) == 1, asked
    assert await _count(app, Event) == 1
    assert await _count(app, PersonalReminder) == 2


async def test_the_first_real_import_removes_all_the_demo_made_and_nothing_real(
    app: App, tmp_path: Path
) -> None:
    real_id = await _real_office_person(app)
    await _play_with_the_demo(app)
    real_deliveries = await _count(app, Delivery, Delivery.person_id == real_id)
    assert real_deliveries >= 1
    path = tmp_path / "lista.csv"
    path.write_text(REAL_LIST, encoding="utf-8")

    dry = await _import(app, path, dry_run=True)  # says it all, changes nothing
    assert await _count(app, Announcement) == 1 and await _count(app, Person) > 100
    summary = await _import(app, path)
    assert dry.demo_removed.counts == summary.demo_removed.counts
    removed = summary.demo_removed.counts
    assert removed["people"] == 139  # the sample directory with the sample office
    assert removed["forums"] == 10
    assert (removed["announcements"], removed["questions"], removed["events"],
            removed["reminders"]) == (1, 1, 1, 1)
    assert removed["accounts"] == 3  # the demo people's console links; the real one stays
    assert removed["deliveries"] >= 3 and removed["roles"] >= 28

    assert await _count(app, Person, Person.demo.is_(True)) == 0  # type: ignore[attr-defined]
    assert await _count(app, Forum) == 1  # only the real forum
    assert await _count(app, Gmina) == 2  # Wieliczka, Skawina: reused, now real
    assert await _count(app, Gmina, Gmina.demo.is_(True)) == 0  # type: ignore[attr-defined]
    assert (await _count(app, Announcement), await _count(app, Question),
            await _count(app, Event)) == (0, 0, 0)
    assert await _count(app, PersonalReminder) == 1  # the real person's
    assert await _count(app, Delivery) == real_deliveries  # only the real person's
    async with app.db.session() as session:
        grants = (await session.execute(select(RoleGrant))).scalars().all()
        members = (await session.execute(select(ForumMember))).scalars().all()
        accounts = (await session.execute(select(MessengerAccount))).scalars().all()
    assert [(g.person_id, g.role) for g in grants] == [(real_id, "admin")]
    assert [m.person_id for m in members] == [real_id]
    assert [a.person_id for a in accounts] == [real_id]

    # What people notice: the real admin still works, the real list answers, the demo is gone.
    real = ConsoleSession(app.core, REAL)
    [card] = await real.say("/moje-dane")
    assert "Olga Realna" in card and "+48 12 000 40 99" in card
    [preview] = await real.say("/ogloszenie wszyscy: Witamy w Łączniku.")
    assert "2" in preview and "Wyślij" in preview  # an admin's preview for the two real people
    [answer] = await ConsoleSession(app.core, "a.nowak@wieliczka.example.pl").say(
        "kto od śmieci w Wieliczce?")
    assert "Anna Nowak" in answer and "Jolanta Kołodziej" not in answer
    [gone] = await ConsoleSession(app.core, MEMBER).say("/moje-dane")
    assert "Renata Nowak" not in gone


async def test_a_demo_person_in_the_real_list_starts_afresh(app: App, tmp_path: Path) -> None:
    # Renata Nowak of the demo was linked and given a role; the office's real list has the
    # same e-mail. Nothing the fictional entry had passes to the real person.
    async with app.db.session() as session:
        renata = await person_by_email(session, MEMBER)
        assert renata is not None
        await grant_role(session, int(renata.id or 0), Role.ADMIN)
        await link_account(session, platform="telegram", tenant_id="", external_id="7001",
                           person_id=int(renata.id or 0))
        await session.commit()
    path = tmp_path / "lista.csv"
    path.write_text(REAL_LIST + "Wieliczka;1219053;zamówienia publiczne;Renata Nowak;"
                    f"{MEMBER};+48 12 000 77 77\n", encoding="utf-8")
    summary = await _import(app, path)
    assert summary.demo_replaced == 1 and summary.people_added == 3
    async with app.db.session() as session:
        person = await person_by_email(session, MEMBER)
        assert person is not None and not person.demo and person.phone == "+48 12 000 77 77"
        person_id = int(person.id or 0)
    assert await _count(app, RoleGrant, RoleGrant.person_id == person_id) == 0
    assert await _count(app, MessengerAccount) == 0
    assert await _count(app, ForumMember, ForumMember.person_id == person_id) == 0
    [card] = await ConsoleSession(app.core, MEMBER).say("/moje-dane")
    assert "+48 12 000 77 77" in card and "Potwierdzono: 2026-11-23" in card


async def test_on_telegram_a_demo_link_ends_with_the_demo(world: World, tmp_path: Path) -> None:
    await world.link(RENATA)
    await world.telegram_says(RENATA, "/moje-dane")
    assert "Renata Nowak" in world.on_telegram(RENATA)[-1]["text"]
    path = tmp_path / "lista.csv"
    path.write_text(REAL_LIST, encoding="utf-8")
    await _import(world.app, path)
    await world.telegram_says(RENATA, "/moje-dane")
    reply = world.on_telegram(RENATA)[-1]["text"]
    assert "Renata Nowak" not in reply and "kod" in reply.lower()  # link again, with a code


async def test_real_roles_survive_every_import(bare_app: App, tmp_path: Path) -> None:
    path = tmp_path / "lista.csv"
    path.write_text(REAL_LIST, encoding="utf-8")
    await _import(bare_app, path)
    async with bare_app.db.session() as session:
        anna = await person_by_email(session, "a.nowak@wieliczka.example.pl")
        assert anna is not None
        await grant_role(session, int(anna.id or 0), Role.ADMIN)
        await grant_role(session, int(anna.id or 0), Role.GMINA_COORDINATOR,
                         gmina_id=anna.gmina_id)
        await session.commit()
    path.write_text(REAL_LIST.replace("+48 12 000 12 34", "+48 12 000 99 99"), encoding="utf-8")
    summary = await _import(bare_app, path)
    assert summary.people_updated == 1 and not summary.demo_removed.counts
    assert await _count(bare_app, RoleGrant) == 2
    [preview] = await ConsoleSession(bare_app.core, "a.nowak@wieliczka.example.pl").say(
        "/pilne wszyscy: Awaria EZD.")
    assert "Wyślij" in preview


def _cli(*args: str) -> int:
    return lacznik(list(args))


async def test_demo_clear_says_what_it_removes_and_dry_run_changes_nothing(
    app: App, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if app.db.schema:
        pytest.skip("the command line addresses whole databases; this PostgreSQL run uses a schema")
    monkeypatch.setenv("LACZNIK_DATABASE_URL", app.db.url.render_as_string(False))
    monkeypatch.setenv("LANG", "pl_PL.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    await _real_office_person(app)
    await _play_with_the_demo(app)
    people = await _count(app, Person)

    assert await asyncio.to_thread(_cli, "demo", "clear", "--dry-run") == 0
    out = capsys.readouterr().out
    assert "Zostałyby usunięte dane demonstracyjne:" in out
    assert "  osoby z demo: 139" in out and "  ogłoszenia: 1" in out
    assert "  pytania na forach: 1" in out and "  wydarzenia: 1" in out
    assert "  przypomnienia osobiste: 1" in out and "Próba (--dry-run)" in out
    assert await _count(app, Person) == people  # nothing happened

    path = tmp_path / "lista.csv"
    path.write_text(REAL_LIST, encoding="utf-8")
    assert await asyncio.to_thread(_cli, "directory", "import", str(path), "--dry-run") == 0
    out = capsys.readouterr().out
    assert "would change" in out and "  osoby z demo: 139" in out
    assert await _count(app, Person) == people

    assert await asyncio.to_thread(_cli, "demo", "clear") == 0
    out = capsys.readouterr().out
    assert "Usunięto dane demonstracyjne:" in out and "  fora: 10" in out
    assert "pozostają nietknięte" in out
    assert await _count(app, Person) == 1  # the real office person of the demo run
    assert await _count(app, Gmina) == 0

    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    assert await asyncio.to_thread(_cli, "demo", "clear") == 0
    assert "There is no demo data to remove." in capsys.readouterr().out


async def test_a_cleared_demo_is_not_loaded_again_until_asked(
    app: App, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    if app.db.schema:
        pytest.skip("the command line addresses whole databases; this PostgreSQL run uses a schema")
    monkeypatch.setenv("LACZNIK_DATABASE_URL", app.db.url.render_as_string(False))
    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    assert await asyncio.to_thread(_cli, "demo", "clear") == 0
    assert "The demo will not be loaded again by itself" in capsys.readouterr().out
    await app.prepare(with_sample=True)  # `make run` on the emptied directory
    assert await _count(app, Person) == 0
    assert await asyncio.to_thread(_cli, "demo", "load") == 0
    assert "Loaded the demo: 139 fictional people and 10 forums." in capsys.readouterr().out
    assert await asyncio.to_thread(_cli, "demo", "load") == 1  # only into an empty directory
    assert "is not empty" in capsys.readouterr().out


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_database_still_in_its_demo_is_marked_by_the_migration(
    backend: str, tmp_path: Path
) -> None:
    # Before revision 0003a the demo was only person.source = 'sample'.
    if backend == "sqlite":
        database = Database(f"sqlite:///{tmp_path / 'old.db'}")
        url = f"sqlite:///{tmp_path / 'old.db'}"
    else:
        if not _postgres_available():
            pytest.skip("PostgreSQL not reachable")
        schema = f"lacznik_mig_{tmp_path.name[-12:].replace('-', '_')}"
        database = Database(POSTGRES_URL, schema=schema)
        url = POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://")
    database.upgrade_sync("0002c")
    engine = create_engine(url, connect_args={"options": f"-csearch_path={schema}"}
                           if backend != "sqlite" else {})
    try:
        with engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO gmina (name, kind, powiat, wojewodztwo) VALUES "
                "('Wieliczka', '', '', ''), ('Skawina', '', '', '')"))
            connection.execute(text(
                "INSERT INTO person (name, email, position, phone, preferred_contact, notes, "
                "gmina_id, organisation, source, created_at, updated_at) VALUES "
                "('Demo', 'd@example.pl', '', '', '', '', 1, '', 'sample', "
                "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP), "
                "('Self', 's@example.pl', '', '', '', '', 2, '', 'self', "
                "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
            connection.execute(text("INSERT INTO forum (key, name_pl, name_en) "
                                    "VALUES ('PZP', 'Forum PZP', '')"))
        database.upgrade_sync("0003a")
        with engine.connect() as connection:
            people = dict(connection.execute(text("SELECT email, demo FROM person")).all())
            gminy = dict(connection.execute(text("SELECT name, demo FROM gmina")).all())
            forums = connection.execute(text("SELECT demo FROM forum")).scalars().all()
        assert {k: bool(v) for k, v in people.items()} == {"d@example.pl": True,
                                                           "s@example.pl": False}
        assert {k: bool(v) for k, v in gminy.items()} == {"Wieliczka": True, "Skawina": False}
        assert [bool(v) for v in forums] == [True]
    finally:
        if backend != "sqlite":
            with engine.begin() as connection:
                connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        engine.dispose()


async def test_first_day_import_with_the_office_then_grant_the_first_admin(
    app: App, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # README "First day": import the list (the office's own staff have an organisation and
    # no gmina), grant the first admin, and the admin works in the console.
    if app.db.schema:
        pytest.skip("the command line addresses whole databases; this PostgreSQL run uses a schema")
    monkeypatch.setenv("LACZNIK_DATABASE_URL", app.db.url.render_as_string(False))
    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    path = tmp_path / "lista.csv"
    path.write_text(
        REAL_LIST.replace("telefon\n", "telefon;organizacja\n").replace("34\n", "34;\n")
        .replace("11\n", "11;\n")
        + f";;;Olga Realna;{REAL};+48 12 000 40 99;Biuro Stowarzyszenia\n", encoding="utf-8")
    assert await asyncio.to_thread(_cli, "directory", "import", str(path)) == 0
    assert await asyncio.to_thread(_cli, "roles", "grant", REAL, "admin") == 0
    out = capsys.readouterr().out
    assert "people added 3" in out and "Removed the demo data:" in out
    assert f"{REAL}: admin granted" in out
    app.directory.invalidate()
    office = ConsoleSession(app.core, REAL)
    [card] = await office.say("/moje-dane")
    assert "Olga Realna — Biuro Stowarzyszenia" in card
    assert "Potwierdzono: " in card and "Nigdy" not in card  # the import date (system clock)
    [preview] = await office.say("/pilne wszyscy: Łącznik działa.")
    assert "Wyślij" in preview
