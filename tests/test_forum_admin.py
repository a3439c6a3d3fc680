"""Forum administration as an office meets it on day one: forums created and members kept from
the command line (one by one or as a spreadsheet), by moderators in chat, a forum with history
archived rather than deleted — on a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from adapters.console.adapter import ConsoleSession
from bots import commands_cli
from bots.app import App
from bots.cli import _parser, forums_command
from bots.cli import main as lacznik_main
from commands.model import ConversationKind, ConversationRef, Platform
from store.models import AuditLog, ForumMember
from tests.test_forums import said, transcript
from tests.world import RENATA, THE_OFFICE, TOMASZ, World

# The office's own list: three people, none of them in any forum yet.
LISTA = ("gmina;temat;imię i nazwisko;e-mail\n"
         "Skawina;oświata;Jan Nowak;j.nowak@skawina.example.pl\n"
         "Wieliczka;mieszkalnictwo;Anna Kos;a.kos@wieliczka.example.pl\n"
         "Niepołomice;gospodarka odpadami;Ewa Lis;e.lis@niepolomice.example.pl\n")
JAN, ANNA, EWA = ("j.nowak@skawina.example.pl", "a.kos@wieliczka.example.pl",
                  "e.lis@niepolomice.example.pl")
GROUP = ConversationRef(Platform.CONSOLE, "grupa-mieszk", ConversationKind.GROUP)
PLAN = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Gmina Skawina//Plan//PL\r\n"
        "BEGIN:VEVENT\r\nUID:posiedzenie-2026-12-17@skawina.example.pl\r\n"
        "DTSTAMP:20261120T080000Z\r\nDTSTART:20261217T090000Z\r\nDTEND:20261217T110000Z\r\n"
        "SUMMARY:Posiedzenie Forum Mieszkalnictwa\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")


async def lacznik(app: App, capsys: pytest.CaptureFixture[str], *argv: str
                  ) -> tuple[int, str, str]:
    """``lacznik ARGV`` against the test's database (both backends): exit code, out, err."""
    args = _parser().parse_args(list(argv))
    handler = {"forums": forums_command, "roles": commands_cli.roles,
               "events": commands_cli.events, "directory": commands_cli.directory}[args.command]
    code = await handler(app, args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
async def office(bare_app: App, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                 monkeypatch: pytest.MonkeyPatch) -> App:
    """A fresh installation with the office's own list imported and Ewa as the first admin."""
    for name in ("LC_ALL", "LC_MESSAGES"):  # the messages follow LANG in these tests
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    lista = tmp_path / "lista.csv"
    lista.write_text(LISTA, encoding="utf-8")
    assert (await lacznik(bare_app, capsys, "directory", "import", str(lista)))[0] == 0
    assert (await lacznik(bare_app, capsys, "roles", "grant", EWA, "admin"))[0] == 0
    return bare_app


async def members(app: App, capsys: pytest.CaptureFixture[str], key: str) -> list[str]:
    code, out, err = await lacznik(app, capsys, "forums", "members", "list", key)
    assert code == 0, err
    return [line.split("\t")[1] for line in out.splitlines() if "\t" in line]


async def test_a_forum_created_on_the_command_line_takes_its_new_members_questions(
        office: App, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = await lacznik(office, capsys, "forums", "add", "mieszk",
                                 "Forum Mieszkalnictwa", "--en", "Housing Forum",
                                 "--topic", "mieszkalnictwo")
    assert code == 0 and "Forum MIESZK created: Housing Forum." in out
    jan = ConsoleSession(office.core, JAN)
    [refused] = await jan.say("/pytanie MIESZK Jak liczycie dodatek mieszkaniowy?")
    assert "Pytania do forum MIESZK zadają jego członkowie" in refused  # not a member yet

    code, out, _ = await lacznik(office, capsys, "forums", "members", "add", "MIESZK", JAN)
    assert code == 0 and "Forum MIESZK: added (1): Jan Nowak." in out
    reply = await office.core.handle(said(EWA, "/forum podlacz MIESZK", GROUP))
    assert "należy teraz do forum MIESZK" in reply.messages[0].text
    [sent] = await jan.say("/pytanie MIESZK Jak liczycie dodatek mieszkaniowy?")
    assert "Pytanie nr 1 trafiło do 1 grupy forum MIESZK" in sent
    await office.worker.run_once()
    [post] = [d.text for d in transcript(office).transcript
              if d.conversation.conversation_id == GROUP.conversation_id]
    assert "Jak liczycie dodatek mieszkaniowy?" in post and "Jan Nowak, Skawina" in post

    code, out, _ = await lacznik(office, capsys, "forums", "list")
    assert "MIESZK\tForum Mieszkalnictwa" in out
    code, out, _ = await lacznik(office, capsys, "forums", "rename", "MIESZK",
                                 "Forum Mieszkalnictwa i Rewitalizacji")
    assert code == 0 and "→ Forum Mieszkalnictwa i Rewitalizacji" in out
    [listed] = await ConsoleSession(office.core, EWA).say("/forum lista")
    assert "MIESZK — Forum Mieszkalnictwa i Rewitalizacji" in listed


async def test_events_import_into_a_created_forum(
        office: App, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plan = tmp_path / "plan.ics"
    plan.write_bytes(PLAN.encode())
    code, _, err = await lacznik(office, capsys, "events", "import", str(plan), "--forum", "MIESZK")
    assert code == 2 and "no forum 'MIESZK'" in err  # the wall the office met on day one
    await lacznik(office, capsys, "forums", "add", "MIESZK", "Forum Mieszkalnictwa")
    code, out, err = await lacznik(office, capsys, "events", "import", str(plan),
                                   "--forum", "mieszk")
    assert code == 0, err
    assert "imported: 1 new" in out and "Posiedzenie Forum Mieszkalnictwa" in out


async def test_unknown_emails_and_forums_change_nothing_and_are_named(
        office: App, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    await lacznik(office, capsys, "forums", "add", "MIESZK", "Forum Mieszkalnictwa")
    code, _, err = await lacznik(office, capsys, "forums", "members", "add", "MIESZK", JAN,
                                 "nikt@gmina.example.pl", "x.y@skawina.example.pl")
    assert code == 2
    assert "nikt@gmina.example.pl, x.y@skawina.example.pl" in err
    assert await members(office, capsys, "MIESZK") == []  # Jan was not added either
    code, _, err = await lacznik(office, capsys, "forums", "members", "add", "EKO", JAN)
    assert code == 2 and "There is no forum “EKO” (forums: MIESZK)" in err
    monkeypatch.setenv("LANG", "pl_PL.UTF-8")  # a Polish office's terminal
    code, _, err = await lacznik(office, capsys, "forums", "add", "Forum mieszk", "Nazwa")
    assert code == 2 and "Klucz forum „FORUM MIESZK” jest nieprawidłowy" in err
    code, _, err = await lacznik(office, capsys, "forums", "add", "mieszk", "Inna nazwa")
    assert code == 2 and "Forum MIESZK już istnieje (Forum Mieszkalnictwa)" in err
    code, _, err = await lacznik(office, capsys, "forums", "add", "ROWER", "Rowery",
                                 "--topic", "rowerki")
    assert code == 2 and "Nie ma tematu „rowerki”" in err
    code, _, err = await lacznik(office, capsys, "forums", "members", "list", "ROWER")
    assert code == 2  # nothing was created by the refused command


async def test_member_list_import_csv_and_xlsx(
        office: App, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    await lacznik(office, capsys, "forums", "add", "MIESZK", "Forum Mieszkalnictwa")
    await lacznik(office, capsys, "forums", "add", "ODPADY", "Forum Odpadów")
    # Excel on Polish Windows: "CSV (rozdzielany średnikami)" is Windows-1250 with ';'.
    sheet = tmp_path / "czlonkowie.csv"
    sheet.write_bytes(("Forum;Imię i nazwisko;E-mail;Rola\r\n"
                       f"MIESZK;Jan Nowak;{JAN};członek\r\n"
                       f"mieszk;Anna Kos;{ANNA.upper()};Moderator\r\n"
                       f"ODPADY;Ewa Lis;{EWA};\r\n").encode("cp1250"))
    code, out, _ = await lacznik(office, capsys, "forums", "import", str(sheet), "--dry-run")
    assert code == 0 and "nothing changed (--dry-run)" in out
    assert "MIESZK: members +2 −0, moderators +1 −0" in out
    assert f"  + moderator: Anna Kos <{ANNA}>" in out
    assert await members(office, capsys, "MIESZK") == []

    code, out, _ = await lacznik(office, capsys, "forums", "import", str(sheet))
    assert code == 0 and "imported (rows: 3); forums: MIESZK, ODPADY" in out
    assert sorted(await members(office, capsys, "MIESZK")) == [ANNA, JAN]
    _, listed, _ = await lacznik(office, capsys, "forums", "members", "list", "MIESZK")
    assert f"Anna Kos\t{ANNA}\tWieliczka\tmoderator" in listed
    _, roles, _ = await lacznik(office, capsys, "roles", "list")
    assert f"{ANNA}\tforum_moderator\tforum MIESZK" in roles
    # The moderator granted by the file moderates in chat at once.
    [added] = await ConsoleSession(office.core, ANNA).say(f"/forum dodaj MIESZK {EWA}")
    assert "Forum MIESZK: dodano (1): Ewa Lis." in added

    # Next month's list, saved as XLSX with a UTF-8 header: Ewa and Anna are not in it.
    workbook = Workbook()
    rows = workbook.active
    assert rows is not None
    rows.append(["forum", "e-mail", "rola"])
    rows.append(["MIESZK", JAN, "moderator"])
    path = tmp_path / "czlonkowie.xlsx"
    workbook.save(path)
    code, out, _ = await lacznik(office, capsys, "forums", "import", str(path))
    assert code == 0 and "MIESZK: members +0 −2, moderators +1 −1" in out
    assert f"  − Anna Kos <{ANNA}> (not in the file)" in out
    assert await members(office, capsys, "MIESZK") == [JAN]
    assert await members(office, capsys, "ODPADY") == [EWA]  # not in the file: untouched
    code, out, _ = await lacznik(office, capsys, "forums", "import", str(path))
    assert "MIESZK: no change" in out


async def test_a_broken_member_list_is_refused_whole_with_row_numbers(
        office: App, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    await lacznik(office, capsys, "forums", "add", "MIESZK", "Forum Mieszkalnictwa")
    monkeypatch.setenv("LANG", "pl_PL.UTF-8")
    sheet = tmp_path / "czlonkowie.csv"
    sheet.write_text("\ufeffforum,email,rola\n"
                     f"MIESZK,{JAN},członek\n"
                     "TRANSPORT,nie-mail,szef\n"
                     "\n"
                     f",{ANNA},\n"
                     "MIESZK,nikt@gmina.example.pl,członkini\n", encoding="utf-8")
    code, _, err = await lacznik(office, capsys, "forums", "import", str(sheet))
    assert code == 1
    assert "czlonkowie.csv: nic nie zaimportowano, problemy: 5" in err
    assert "Wiersz 3: nie ma forum „TRANSPORT” (utwórz je: lacznik forums add TRANSPORT" in err
    assert "Wiersz 3: nieprawidłowy adres e-mail „nie-mail”" in err
    assert "Wiersz 3: nieznana rola „szef” (członek albo moderator)" in err
    assert "Wiersz 5: brak klucza forum" in err
    assert "Wiersz 6: w katalogu nie ma osoby z adresem nikt@gmina.example.pl" in err
    assert await members(office, capsys, "MIESZK") == []  # row 2 was fine, yet not imported
    headless = tmp_path / "bez-naglowkow.csv"
    headless.write_text(f"MIESZK,{JAN}\n", encoding="utf-8")
    code, _, err = await lacznik(office, capsys, "forums", "import", str(headless))
    assert code == 1 and "Brak kolumn: forum, email (znaleziono: MIESZK, " in err


async def test_moderators_keep_their_forum_in_chat_and_others_are_refused(
        office: App, capsys: pytest.CaptureFixture[str]) -> None:
    await lacznik(office, capsys, "forums", "add", "MIESZK", "Forum Mieszkalnictwa",
                  "--en", "Housing Forum")
    await lacznik(office, capsys, "forums", "add", "ODPADY", "Forum Odpadów")
    code, out, _ = await lacznik(office, capsys, "roles", "grant", ANNA, "forum_moderator",
                                 "--forum", "mieszk")
    assert code == 0 and "forum_moderator granted" in out
    anna = ConsoleSession(office.core, ANNA)
    [added] = await anna.say(f"/forum dodaj MIESZK {JAN}, {ANNA}")
    assert "Forum MIESZK: dodano (2): Jan Nowak, Anna Kos." in added
    [again] = await anna.say(f"/forum dodaj mieszk {JAN}")
    assert "Już należeli do forum MIESZK: Jan Nowak." in again
    [listed] = await anna.say("/forum czlonkowie MIESZK")
    assert "Członkowie forum MIESZK — Forum Mieszkalnictwa (2)" in listed
    assert f"Anna Kos, Wieliczka — {ANNA} (moderator)" in listed
    assert f"Jan Nowak, Skawina — {JAN}" in listed
    [other] = await anna.say(f"/forum dodaj ODPADY {JAN}")
    assert "Członków forum ODPADY zmieniają i przeglądają administratorzy i moderatorzy" in other
    [unknown] = await anna.say("/forum dodaj MIESZK kto@gdzie.pl")
    assert "Nie ma w katalogu osób z tymi adresami: kto@gdzie.pl. Nic nie zmieniono." in unknown
    [usage] = await anna.say("/forum dodaj MIESZK")
    assert "Użycie: /forum dodaj <klucz> <e-mail…>" in usage
    [usage] = await anna.say("/forum cos")  # the whole /forum, linking groups and members
    assert "/forum podlacz PZP" in usage and "/forum czlonkowie <klucz>" in usage
    # A member who moderates nothing is refused, in their language.
    jan = ConsoleSession(office.core, JAN, lang="en")
    [refused] = await jan.say(f"/forum remove MIESZK {ANNA}")
    assert "managed and listed by admins and that forum's moderators" in refused
    [refused] = await jan.say("/forum members MIESZK")
    assert "managed and listed by admins" in refused
    # In a group the list of people (directory data) is not shown.
    reply = await office.core.handle(said(ANNA, "/forum czlonkowie MIESZK", GROUP))
    assert "tylko w rozmowie prywatnej" in reply.messages[0].text
    # A moderator cannot take another moderator out; the admin can.
    await lacznik(office, capsys, "roles", "grant", JAN, "forum_moderator", "--forum", "MIESZK")
    [kept] = await anna.say(f"/forum usun MIESZK {JAN}")
    assert "Jan Nowak moderuje forum MIESZK; moderatora z forum usuwa administrator" in kept
    ewa = ConsoleSession(office.core, EWA, lang="en")
    [removed] = await ewa.say(f"/forum remove MIESZK {JAN} {EWA}")
    assert "Forum MIESZK: removed (1): Jan Nowak." in removed
    assert "No longer moderating forum MIESZK: Jan Nowak." in removed
    assert "Not in forum MIESZK: Ewa Lis." in removed
    [listed] = await ewa.say("/forum members MIESZK")
    assert "Members of forum MIESZK — Housing Forum (1)" in listed and "Jan" not in listed


async def test_a_forum_with_questions_is_archived_only_with_force(
        office: App, capsys: pytest.CaptureFixture[str]) -> None:
    await lacznik(office, capsys, "forums", "add", "MIESZK", "Forum Mieszkalnictwa")
    await lacznik(office, capsys, "forums", "members", "add", "MIESZK", JAN, ANNA)
    await office.core.handle(said(EWA, "/forum podlacz MIESZK", GROUP))
    jan = ConsoleSession(office.core, JAN)
    [sent] = await jan.say("/pytanie MIESZK Kto prowadzi rejestr mieszkań komunalnych?")
    assert "Pytanie nr 1" in sent

    code, _, err = await lacznik(office, capsys, "forums", "remove", "MIESZK")
    assert code == 1
    assert "Forum MIESZK has history (questions: 1, events and deadlines: 0)" in err
    assert "--force" in err
    assert await members(office, capsys, "MIESZK") == [ANNA, JAN]  # nothing happened

    code, out, _ = await lacznik(office, capsys, "forums", "remove", "MIESZK", "--force")
    assert code == 0 and "Forum MIESZK archived" in out and "groups unlinked: 1" in out
    _, listed, _ = await lacznik(office, capsys, "forums", "list")
    assert "MIESZK" not in listed
    [closed] = await jan.say("/pytanie MIESZK Czy ktoś jeszcze tu jest?")
    assert "Nie ma forum „MIESZK”" in closed
    [found] = await jan.say("/szukaj rejestr mieszkań")  # the history stays searchable
    assert "Kto prowadzi rejestr mieszkań komunalnych?" in found
    code, _, err = await lacznik(office, capsys, "forums", "members", "add", "MIESZK", EWA)
    assert code == 2 and "Forum MIESZK is archived" in err
    code, _, err = await lacznik(office, capsys, "forums", "add", "MIESZK", "Nowe forum")
    assert code == 2 and "belongs to an archived forum" in err

    # A forum without history is simply deleted, and its key is free again.
    await lacznik(office, capsys, "forums", "add", "TEST", "Forum próbne")
    await lacznik(office, capsys, "forums", "members", "add", "TEST", JAN)
    code, out, _ = await lacznik(office, capsys, "forums", "remove", "TEST")
    assert code == 0 and "Forum TEST deleted (it had no history)" in out
    assert (await lacznik(office, capsys, "forums", "add", "TEST", "Forum próbne"))[0] == 0
    assert await members(office, capsys, "TEST") == []  # the old memberships went with it
    async with office.db.session() as session:  # the archived forum keeps its members
        kept = (await session.execute(select(ForumMember))).scalars().all()
    assert len(kept) == 2


async def test_every_change_is_audited_without_personal_data(
        office: App, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    await lacznik(office, capsys, "forums", "add", "MIESZK", "Forum Mieszkalnictwa")
    await lacznik(office, capsys, "forums", "rename", "MIESZK", "Forum Mieszkań")
    await lacznik(office, capsys, "forums", "members", "add", "MIESZK", JAN)
    await ConsoleSession(office.core, EWA).say(f"/forum dodaj MIESZK {ANNA}")
    await lacznik(office, capsys, "forums", "members", "remove", "MIESZK", JAN)
    sheet = tmp_path / "czlonkowie.csv"
    sheet.write_text(f"forum,email\nMIESZK,{EWA}\n", encoding="utf-8")
    code, out, _ = await lacznik(office, capsys, "forums", "import", str(sheet))
    assert code == 0 and "no role column: moderators stay as they are" in out
    await lacznik(office, capsys, "forums", "remove", "MIESZK")
    async with office.db.session() as session:
        entries = (await session.execute(select(AuditLog).where(
            AuditLog.action.like("forum.%")).order_by(AuditLog.id))).scalars().all()  # type: ignore[attr-defined]
    assert [e.action for e in entries] == [
        "forum.create", "forum.rename", "forum.member_add", "forum.member_add",
        "forum.member_remove", "forum.import", "forum.delete"]
    assert entries[3].actor.startswith("person:")  # the chat names who did it
    assert all(e.target == "forum:MIESZK" for e in entries)
    # (The actor is the messenger account's id; the console's account id is its e-mail.)
    everything = json.dumps([[e.target, e.details] for e in entries])
    for personal in ("@", "Nowak", "Kos", "Lis"):
        assert personal not in everything


def test_every_forum_command_has_help(capsys: pytest.CaptureFixture[str]) -> None:
    commands = [["add"], ["rename"], ["remove"], ["members"], ["members", "add"],
                ["members", "remove"], ["members", "list"], ["import"]]
    for words in commands:
        with pytest.raises(SystemExit) as exited:
            _parser().parse_args(["forums", *words, "--help"])
        assert exited.value.code == 0
        text = capsys.readouterr().out
        assert "usage: lacznik forums " + " ".join(words) in text
        # Every argument is explained: no bare "KEY" line without words after it.
        arguments = [line.split() for line in text.splitlines() if line.startswith("  ")]
        assert all(len(words_) > 1 for words_ in arguments if not words_[0].startswith("{"))


async def test_fixed_points_through_the_real_command_line(
        bare_app: App, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    if bare_app.db.schema:
        pytest.skip("the command line addresses whole databases; this PostgreSQL run uses a schema")
    monkeypatch.setenv("LACZNIK_DATABASE_URL", bare_app.db.url.render_as_string(False))
    for name in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    lista = tmp_path / "lista.csv"
    lista.write_text(LISTA, encoding="utf-8")
    sheet = tmp_path / "czlonkowie.csv"
    sheet.write_text(f"forum;e-mail;rola\nPZP;{ANNA};moderator\n", encoding="utf-8")

    def run(*argv: str) -> int:
        return lacznik_main(list(argv))

    # The command line runs its own event loop: call it from a thread.
    assert await asyncio.to_thread(run, "directory", "import", str(lista)) == 0
    assert await asyncio.to_thread(run, "forums", "add", "PZP", "Forum Zamówień") == 0
    assert await asyncio.to_thread(run, "forums", "members", "add", "PZP", JAN) == 0
    assert await asyncio.to_thread(run, "forums", "import", str(sheet)) == 0
    capsys.readouterr()
    assert await asyncio.to_thread(run, "forums", "members", "list", "PZP") == 0
    out = capsys.readouterr().out
    assert f"Anna Kos\t{ANNA}\tWieliczka\tmoderator" in out and JAN not in out
    assert await asyncio.to_thread(run, "forums", "members", "add", "PZP", "x@y.pl") == 2
    assert await asyncio.to_thread(run, "forums", "members", "list", "NOPE") == 2


async def test_telegram_refuses_a_member_and_serves_the_admin(world: World) -> None:
    await world.link(THE_OFFICE, RENATA)
    await world.telegram_says(RENATA, f"/forum dodaj PZP {TOMASZ.email}")
    refusal = world.on_telegram(RENATA)[-1]["text"]
    assert "Członków forum PZP zmieniają i przeglądają administratorzy i moderatorzy" in refusal
    await world.telegram_says(THE_OFFICE, f"/forum dodaj PZP {TOMASZ.email}")
    assert "Forum PZP: dodano (1): Tomasz Kaczmarek." in world.on_telegram(THE_OFFICE)[-1]["text"]
    await world.telegram_says(THE_OFFICE, "/forum czlonkowie PZP")
    assert f"Tomasz Kaczmarek, Wieliczka — {TOMASZ.email}" in world.on_telegram(
        THE_OFFICE)[-1]["text"]
