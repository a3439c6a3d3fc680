"""The directory import's mobile column (issue 19): numbers stored in E.164 for urgent SMS,
landlines reported and not stored, invalid numbers a row error; the export writes the column
and its import gives the same numbers back. Real CSV and XLSX files."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import select
from sqlmodel import col

from bots.app import App
from commands.directory.importer import ParsedFile, export_rows, parse_rows, write_export
from store.directory import ImportSummary
from store.models import Person

# Excel on Polish Windows: ';' and the Polish headers people type.
HEADER = "Gmina;Temat;Imię i nazwisko;E-mail;Telefon;Telefon komórkowy\n"
ROWS = (
    "Wieliczka;oświata;Anna Nowak;a.nowak@wieliczka.example.pl;12 000 12 34;601 234 567\n"
    "Wieliczka;zamówienia publiczne;Anna Nowak;a.nowak@wieliczka.example.pl;12 000 12 34;"
    "601 234 567\n"
    "Skawina;zamówienia publiczne;Jan Kowalski;j.kowalski@skawina.example.pl;;12 345 67 89\n"
    "Niepołomice;oświata;Ewa Lis;e.lis@niepolomice.example.pl;;0048 512-345-678\n"
    "Niepołomice;zamówienia publiczne;Piotr Bez;p.bez@niepolomice.example.pl;;\n"
)


async def _import(app: App, path: Path) -> tuple[ParsedFile, ImportSummary]:
    parsed = parse_rows(path)
    assert not parsed.errors, parsed.errors
    async with app.db.session() as session:
        summary = await app.importer.apply(session, parsed, today=app.directory.today())
    app.directory.invalidate()
    return parsed, summary


async def _mobiles(app: App) -> dict[str, str]:
    async with app.db.session() as session:
        rows = await session.execute(select(col(Person.email), col(Person.mobile)))
        return {str(email): str(mobile) for email, mobile in rows.all()}


def _csv(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "lista.csv"
    path.write_bytes(text.encode("utf-8-sig"))
    return path


async def test_mobiles_are_stored_in_e164_and_landlines_reported(bare_app: App,
                                                                 tmp_path: Path) -> None:
    parsed, summary = await _import(bare_app, _csv(tmp_path, HEADER + ROWS))
    assert summary.people_added == 4
    assert await _mobiles(bare_app) == {
        "a.nowak@wieliczka.example.pl": "+48601234567",
        "j.kowalski@skawina.example.pl": "",  # a landline: no SMS reaches it
        "e.lis@niepolomice.example.pl": "+48512345678",
        "p.bez@niepolomice.example.pl": "",
    }
    # What the import's summary says: Anna is on two rows and counted once.
    assert parsed.mobile_report.lines("pl") == [
        "Telefony komórkowe (tylko do pilnych SMS): 2",
        "Wiersz 4: Jan Kowalski — +48 12 345 67 89 to telefon stacjonarny; SMS do tej osoby "
        "nie pójdzie."]
    assert parsed.mobile_report.lines("en")[1] == (
        "Row 4: Jan Kowalski — +48 12 345 67 89 is a landline; this person will get no SMS.")


async def test_an_invalid_mobile_number_stops_the_import_with_its_row(bare_app: App,
                                                                      tmp_path: Path) -> None:
    parsed = parse_rows(_csv(tmp_path, HEADER + ROWS + "Skawina;oświata;Olga Zła;"
                             "o.zla@skawina.example.pl;;601 23\n"))
    assert parsed.errors == [
        "Row 7 / wiersz 7: mobile '601 23' is not a valid phone number, e.g. +48 601 234 567 "
        "/ nieprawidłowy telefon komórkowy '601 23', np. +48 601 234 567"]
    assert await _mobiles(bare_app) == {}  # nothing imported


@pytest.mark.parametrize("kind", ["excel", "plain", "xlsx"])
async def test_the_export_writes_the_column_and_re_imports_the_same_numbers(
        bare_app: App, tmp_path: Path, kind: str) -> None:
    await _import(bare_app, _csv(tmp_path, HEADER + ROWS))
    before = await _mobiles(bare_app)
    async with bare_app.db.session() as session:
        rows = await export_rows(session)
    path = tmp_path / ("export.xlsx" if kind == "xlsx" else "export.csv")
    write_export(path, rows, plain=kind == "plain")
    if kind == "xlsx":
        sheet = load_workbook(path).active
        assert sheet is not None
        header = [cell.value for cell in sheet[1]]
        assert header[-1] == "mobile" and "+48601234567" in [
            cell.value for row in sheet.iter_rows(min_row=2) for cell in row]
    else:
        text = path.read_text(encoding="utf-8-sig")
        first = text.splitlines()[0]
        assert first.endswith(",mobile" if kind == "plain" else ";telefon komórkowy")
        assert "'+48601234567" in text  # inert in a spreadsheet, as every "+…" cell

    # Someone's number is lost meanwhile; the import of the export puts it back.
    async with bare_app.db.session() as session:
        anna = (await session.execute(select(Person).where(
            col(Person.email) == "a.nowak@wieliczka.example.pl"))).scalars().one()
        anna.mobile = ""
        session.add(anna)
        await session.commit()
    parsed, summary = await _import(bare_app, path)
    assert await _mobiles(bare_app) == before
    assert (summary.people_added, summary.people_updated, summary.people_unchanged) == (0, 1, 3)
    assert parsed.mobile_report.landlines == []  # landlines were never stored, nor exported
    parsed, summary = await _import(bare_app, path)
    assert (summary.people_updated, summary.people_unchanged) == (0, 4)


async def test_a_file_without_the_column_keeps_the_numbers(bare_app: App,
                                                           tmp_path: Path) -> None:
    await _import(bare_app, _csv(tmp_path, HEADER + ROWS))
    before = await _mobiles(bare_app)
    without = "".join(";".join(line.split(";")[:5]) + "\n"
                      for line in (HEADER + ROWS).splitlines())
    parsed, summary = await _import(bare_app, _csv(tmp_path, without))
    assert parsed.mobiles is None and parsed.mobile_report.lines("pl") == []
    assert summary.people_updated == 0 and await _mobiles(bare_app) == before


async def test_xlsx_mobile_typed_as_a_number(bare_app: App, tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["gmina", "temat", "imię i nazwisko", "e-mail", "tel. kom."])
    sheet.append(["Zielonki", "oświata", "Marek Lis", "m.lis@zielonki.example.pl", 601234567])
    sheet.append(["Zielonki", "kultura", "Ala Stacjonarna", "a.s@zielonki.example.pl",
                  "(12) 285-00-00"])
    path = tmp_path / "lista.xlsx"
    workbook.save(path)
    parsed, _summary = await _import(bare_app, path)
    assert await _mobiles(bare_app) == {"m.lis@zielonki.example.pl": "+48601234567",
                                        "a.s@zielonki.example.pl": ""}
    assert [row for row, _name, _number in parsed.mobile_report.landlines] == [3]
