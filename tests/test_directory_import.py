"""Importing the lists gminy already keep (CSV / XLSX from SharePoint and Excel)."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from adapters.console.adapter import ConsoleSession
from bots.app import App
from bots.cli import main as lacznik
from commands.directory.importer import ImportError_, parse_rows
from store.models import ContactEntry, Gmina, GminaForm, Person, Topic

HEADER = "gmina,teryt,topic,name,position,email,phone,preferred_contact,notes,confirmed_at\n"
ROWS = (
    "Wieliczka,1219053,gospodarka odpadami; ochrona powietrza,Anna Nowak,inspektor ds. odpadów,"
    "a.nowak@wieliczka.example.pl,+48 12 000 12 34,\"telefon, 8:00–15:00\",PSZOK,2026-10-01\n"
    "Skawina,1206113,oświata,Jan Kowalski,kierownik Referatu Oświaty,"
    "j.kowalski@skawina.example.pl,+48 12 000 22 11,e-mail,,2025-01-10\n"
    "Skawina,1206113,koordynacja metropolitalna,Ewa Zając,koordynator,"
    "e.zajac@skawina.example.pl,+48 12 000 22 12,Teams,,2026-09-01\n"
    "Skawina,1206113,pszczelarstwo,Piotr Wiśniewski,inspektor,"
    "p.wisniewski@skawina.example.pl,,e-mail,pasieki miejskie,2026-09-01\n"
)


async def _import(app: App, path: Path, *, dry_run: bool = False):  # type: ignore[no-untyped-def]
    parsed = parse_rows(path)
    async with app.db.session() as session:
        summary = await app.importer.apply(session, parsed, dry_run=dry_run,
                                           today=app.directory.today())
    app.directory.invalidate()
    return summary


async def _count(app: App, model: type) -> int:
    async with app.db.session() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_import_then_ask(bare_app: App, tmp_path: Path) -> None:
    path = tmp_path / "lista.csv"
    path.write_text(HEADER + ROWS, encoding="utf-8")
    summary = await _import(bare_app, path)
    assert (summary.people_added, summary.gminy_added, summary.entries_added) == (4, 2, 5)
    assert summary.topics_added == ["pszczelarstwo"]  # not in the thesaurus: a new topic
    console = ConsoleSession(bare_app.core, "a.nowak@wieliczka.example.pl")
    [answer] = await console.say("kto od śmieci w Wieliczce?")
    assert "Anna Nowak" in answer and "+48 12 000 12 34" in answer
    assert "telefon, 8:00–15:00" in answer and "Potwierdzono: 2026-10-01" in answer
    [answer] = await console.say("kto od pszczelarstwa w Skawinie")
    assert "Piotr Wiśniewski" in answer
    # Inflected forms of every imported gmina were stored for lookups.
    async with bare_app.db.session() as session:
        forms = set((await session.execute(select(GminaForm.form))).scalars())
    assert {"wieliczce", "skawinie", "skawiny"} <= forms


async def test_reimport_updates_instead_of_duplicating(bare_app: App, tmp_path: Path) -> None:
    path = tmp_path / "lista.csv"
    path.write_text(HEADER + ROWS, encoding="utf-8")
    await _import(bare_app, path)
    changed = ROWS.replace("+48 12 000 12 34", "+48 12 000 99 99").replace(
        "gospodarka odpadami; ochrona powietrza", "gospodarka odpadami")
    path.write_text(HEADER + changed, encoding="utf-8")
    summary = await _import(bare_app, path)
    assert (summary.people_added, summary.people_updated, summary.people_unchanged) == (0, 1, 3)
    assert (summary.entries_added, summary.entries_removed) == (0, 1)
    assert await _count(bare_app, Person) == 4
    assert await _count(bare_app, ContactEntry) == 4
    console = ConsoleSession(bare_app.core, "a.nowak@wieliczka.example.pl")
    [answer] = await console.say("/kto odpady Wieliczka")
    assert "+48 12 000 99 99" in answer
    [answer] = await console.say("kto od powietrza w Wieliczce")
    assert "Anna Nowak" not in answer  # she no longer handles air quality


async def test_dry_run_changes_nothing(bare_app: App, tmp_path: Path) -> None:
    path = tmp_path / "lista.csv"
    path.write_text(HEADER + ROWS, encoding="utf-8")
    summary = await _import(bare_app, path, dry_run=True)
    assert summary.people_added == 4
    assert await _count(bare_app, Person) == 0
    assert await _count(bare_app, Gmina) == 0


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp1250"])
async def test_excel_csv_encodings_and_semicolons(
    bare_app: App, tmp_path: Path, encoding: str
) -> None:
    # Excel on Polish Windows writes ';'-separated cp1250; SharePoint exports UTF-8 with BOM.
    header = "Gmina;Temat;Imię i nazwisko;Stanowisko;E-mail;Telefon;Preferowany kontakt;Uwagi\n"
    row = ("Świątniki Górne;zamówienia publiczne;Zofia Żółkiewska;inspektor;z.z@example.pl;;"
           "e-mail;\n")
    path = tmp_path / "excel.csv"
    path.write_bytes((header + row).encode(encoding))
    await _import(bare_app, path)
    console = ConsoleSession(bare_app.core, "z.z@example.pl")
    [answer] = await console.say("kto od przetargów w swiatnikach gornych")
    assert "Zofia Żółkiewska — Świątniki Górne" in answer


async def test_xlsx_import(bare_app: App, tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["gmina", "temat", "imię i nazwisko", "e-mail", "telefon"])
    sheet.append(["Zielonki", "oświata", "Marek Lis", "m.lis@zielonki.example.pl", 120001234])
    path = tmp_path / "lista.xlsx"
    workbook.save(path)
    await _import(bare_app, path)
    console = ConsoleSession(bare_app.core, "m.lis@zielonki.example.pl")
    [answer] = await console.say("kto z Zielonek zajmuje się szkołami")
    assert "Marek Lis" in answer


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("gmina,name\nSkawina,Jan\n", "Missing columns / brak kolumn: topic"),
        (HEADER + "Skawina,1206113,oświata,,x,,,,,\n", "Row 2 / wiersz 2: name is empty"),
        (HEADER + "Skawina,1206113,oświata,Jan,x,not-an-email,,,,\n", "e-mail 'not-an-email'"),
        (HEADER + "Skawina,12061,oświata,Jan,x,,,,,\n", "TERYT '12061' must have 7 digits"),
        (HEADER + ROWS + ROWS.splitlines()[1] + "\n", "Row 6 / wiersz 6: duplicate of row 3"),
        (HEADER + "Skawina,1206113,oświata,Jan,x,,,,,31.02.2026\n", "date '31.02.2026'"),
        (HEADER + "Skawina,1206113,oświata,Jan,x,,tel: <script>,,,\n", "phone"),
        ("", "The file is empty"),
        ("gmina,temat,imię i nazwisko,organizacja\n,oświata,Olga,Biuro\n",
         "Row 2 / wiersz 2: topics need a gmina"),
        ("gmina,temat,imię i nazwisko,organizacja\n,,Olga,\n",
         "Row 2 / wiersz 2: gmina is empty / pole gmina jest puste"),
    ],
)
async def test_broken_files_are_refused_whole_with_row_numbers(
    bare_app: App, tmp_path: Path, content: str, expected: str
) -> None:
    path = tmp_path / "broken.csv"
    path.write_text(content, encoding="utf-8")
    try:
        parsed = parse_rows(path)
        errors = parsed.errors
    except ImportError_ as exc:
        errors = exc.errors
    assert any(expected in e for e in errors), errors
    if content:
        with pytest.raises(ImportError_):
            async with bare_app.db.session() as session:
                await bare_app.importer.apply(session, parsed)
    assert await _count(bare_app, Person) == 0  # nothing half-imported


def test_binary_garbage_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "image.csv"
    path.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(ImportError_):
        parse_rows(path)


async def test_markup_and_sql_looking_names_are_plain_data(bare_app: App, tmp_path: Path) -> None:
    path = tmp_path / "odd.csv"
    path.write_text(
        HEADER + "Skawina,1206113,oświata,\"Robert'); DROP TABLE person;--\",<b>kierownik</b>,"
        "r@example.pl,,,,\n", encoding="utf-8")
    await _import(bare_app, path)
    assert await _count(bare_app, Person) == 1
    console = ConsoleSession(bare_app.core, "r@example.pl")
    [answer] = await console.say("kto od oświaty w Skawinie")
    assert "Robert'); DROP TABLE person;--" in answer and "<b>kierownik</b>" in answer


async def test_cli_import_export_round_trip(
    bare_app: App, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if bare_app.db.schema:
        pytest.skip("the command line addresses whole databases; this PostgreSQL run uses a schema")
    source = tmp_path / "lista.csv"
    source.write_text(HEADER + ROWS, encoding="utf-8")
    await _import(bare_app, source)
    monkeypatch.setenv("LACZNIK_DATABASE_URL", bare_app.db.url.render_as_string(False))
    exported = tmp_path / "export.xlsx"
    # The command line runs its own event loop: call it from a thread.
    assert await asyncio.to_thread(lacznik, ["directory", "export", str(exported)]) == 0
    assert await asyncio.to_thread(lacznik, ["directory", "import", str(exported)]) == 0
    out = capsys.readouterr().out
    assert "exported 4 rows" in out
    assert "people added 0, updated 0, unchanged 4" in out
    assert await _count(bare_app, Person) == 4
    assert await _count(bare_app, Topic) > 30


async def test_the_first_real_import_replaces_the_sample_people(app: App, tmp_path: Path) -> None:
    from store.people import link_account, person_by_email

    async with app.db.session() as session:  # someone tried the demo on Telegram first
        sample = await person_by_email(session, "w.fras@wieliczka.example.pl")
        assert sample is not None
        await link_account(session, platform="telegram", tenant_id="", external_id="42",
                           person_id=int(sample.id or 0))
        await session.commit()
    path = tmp_path / "lista.csv"
    path.write_text(HEADER + ROWS, encoding="utf-8")
    await _import(app, path)
    assert await _count(app, Person) == 4  # only the real people remain
    console = ConsoleSession(app.core, "a.nowak@wieliczka.example.pl")
    [answer] = await console.say("kto od śmieci w Wieliczce?")
    assert "Anna Nowak" in answer and "Jolanta Kołodziej" not in answer


# --- freshness: only an explicit confirmation confirms (issue 13, point 6) ------------------


async def _card(app: App, email: str, text: str = "/moje-dane") -> str:
    [answer] = await ConsoleSession(app.core, email).say(text)
    return answer


async def test_an_import_sets_the_baseline_from_the_file_else_the_import_date(
    bare_app: App, tmp_path: Path
) -> None:
    path = tmp_path / "lista.csv"
    # Jan's row says 2025-01-10; Piotr's row has no date: he counts as confirmed on the
    # import date (the clock stands at 2026-11-23), never "Nigdy niepotwierdzone".
    path.write_text(HEADER + ROWS.replace("pasieki miejskie,2026-09-01", "pasieki miejskie,"),
                    encoding="utf-8")
    await _import(bare_app, path)
    piotr = await _card(bare_app, "p.wisniewski@skawina.example.pl")
    assert "Potwierdzono: 2026-11-23" in piotr and "Nigdy" not in piotr
    jan = await _card(bare_app, "j.kowalski@skawina.example.pl")
    assert "Potwierdzono: 2025-01-10" in jan and "nieaktualne" in jan  # stale, as the file says

    # Re-imported without dates: an unchanged entry keeps its date, a changed one is
    # confirmed by the import; a later confirmation is never undone by an older file.
    bare_app.clock.advance(timedelta(days=30))  # type: ignore[attr-defined]
    session = ConsoleSession(bare_app.core, "e.zajac@skawina.example.pl")
    await session.say("/moje-dane")
    [confirmed] = await session.say("1")  # "Dane są aktualne"
    assert "2026-12-23" in confirmed
    undated = HEADER + "".join(
        line.rsplit(",", 1)[0] + ",\n" for line in ROWS.splitlines())
    path.write_text(undated.replace("+48 12 000 22 11", "+48 12 000 22 99"), encoding="utf-8")
    summary = await _import(bare_app, path)
    assert (summary.people_updated, summary.people_unchanged) == (1, 3)
    assert "Potwierdzono: 2026-12-23" in await _card(bare_app, "j.kowalski@skawina.example.pl")
    assert "Potwierdzono: 2026-10-01" in await _card(bare_app, "a.nowak@wieliczka.example.pl")
    path.write_text(HEADER + ROWS, encoding="utf-8")  # Ewa's row: 2026-09-01, older
    await _import(bare_app, path)
    assert "Potwierdzono: 2026-12-23" in await _card(bare_app, "e.zajac@skawina.example.pl")


async def test_a_language_preference_confirms_nothing_an_edit_does(
    bare_app: App, tmp_path: Path
) -> None:
    path = tmp_path / "lista.csv"
    path.write_text(HEADER + ROWS, encoding="utf-8")
    await _import(bare_app, path)
    jan = ConsoleSession(bare_app.core, "j.kowalski@skawina.example.pl")
    [switched] = await jan.say("/moje-dane język en")
    assert "Saved" in switched
    [card] = await jan.say("/me")
    assert "Confirmed: 2025-01-10" in card and "may be out of date" in card
    [saved] = await jan.say("/me phone +48 12 000 22 33")
    assert "Saved" in saved
    [card] = await jan.say("/me")
    assert "Confirmed: 2026-11-23" in card and "out of date" not in card


# --- a refused phone number shows itself and a valid example (issue 13, point 12) -----------


async def test_a_refused_phone_shows_the_value_then_an_example(
    bare_app: App, tmp_path: Path
) -> None:
    path = tmp_path / "lista.csv"
    path.write_text(HEADER + ROWS, encoding="utf-8")
    await _import(bare_app, path)
    jan = ConsoleSession(bare_app.core, "j.kowalski@skawina.example.pl")
    [refused] = await jan.say("/moje-dane telefon dzwonić po 15")
    assert refused == ("Wartość pola „telefon” jest nieprawidłowa: „dzwonić po 15”. "
                       "Przykład poprawnej: +48 12 345 67 89")
    jan.lang = "en"
    [refused] = await jan.say("/me phone call me")
    assert refused == ("The value of “phone” is not valid: “call me”. A valid one looks like "
                       "+48 12 345 67 89")
    assert "+48 12 000 22 11" in await _card(bare_app, "j.kowalski@skawina.example.pl")

    path.write_text(HEADER + "Skawina,1206113,oświata,Jan,x,,tel. 12 34,,,\n", encoding="utf-8")
    errors = parse_rows(path).errors
    assert errors == ["Row 2 / wiersz 2: phone 'tel. 12 34' is not valid, e.g. +48 12 345 67 89"
                      " / nieprawidłowy telefon 'tel. 12 34', np. +48 12 345 67 89"]


async def test_edytuj_refuses_a_phone_with_the_value_and_an_example(app: App) -> None:
    coordinator = ConsoleSession(app.core, "w.fras@wieliczka.example.pl")  # Wieliczka's
    [refused] = await coordinator.say("/edytuj r.nowak@wieliczka.example.pl telefon 12-ab")
    assert refused == ("Wartość pola „telefon” jest nieprawidłowa: „12-ab”. "
                       "Przykład poprawnej: +48 12 345 67 89")
    [saved] = await coordinator.say("/edytuj r.nowak@wieliczka.example.pl telefon 12 000 11 22")
    assert "Zapisane" in saved
