"""The directory export: opens in Polish Excel (issue 13, point 10), is inert in every
spreadsheet (issue 14, point 2) and re-imports unchanged."""

from __future__ import annotations

import asyncio
import csv
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bots.app import App
from bots.cli import main as lacznik
from commands.directory.importer import (
    export_rows,
    neutralise_cell,
    parse_rows,
    restore_cell,
    write_export,
)

HEADER = ("gmina,teryt,topic,name,position,email,phone,preferred_contact,notes,confirmed_at,"
          "organisation\n")
# Values an attacker (or just life) puts into the directory: formulas in every spelling,
# Polish letters, quotes, ';' and line breaks. ("''=już" is read as "'=już": an import strips
# one apostrophe before a formula-like value, as Excel users type it and as exports add it.)
ROWS = (
    'Wieliczka,1219053,gospodarka odpadami; oświata,"=HYPERLINK(""http://evil.example"";'
    '""Kliknij"")",@SUM(1+1)*cmd|\' /C calc\'!A0,a.nowak@wieliczka.example.pl,'
    '+48 12 000 12 34,-2+3,"＝1+1\nlinia druga; „cytat” i ""cudzysłów""",2026-10-01,\n'
    "Świątniki Górne,1206122,zamówienia publiczne,Zofia Żółkiewska-Łęcka,－kierownik,"
    "z.zolkiewska@swiatniki-gorne.example.pl,(12) 000-22-11,＠Teams,''=już z apostrofem,"
    "2025-01-10,\n"
    "Skawina,1206113,oświata,+Jan Kowalski,kierownik Referatu Oświaty,"
    "j.kowalski@skawina.example.pl,,e-mail,'zwykły apostrof,2026-09-01,\n"
    # the association's office: no gmina, no topics
    ",,,Olga Realna,kierownik Biura,o.realna@metropolia.example.pl,+48 12 000 40 99,,,"
    "2026-11-01,Biuro Stowarzyszenia Metropolia Krakowska\n"
)
POLISH_HEADER = ("gmina;kod TERYT;rodzaj;powiat;województwo;tematy;imię i nazwisko;stanowisko;"
                 "e-mail;telefon;preferowany kontakt;uwagi;potwierdzono;organizacja")
FORMULA_LIKE = ('=HYPERLINK("http://evil.example";"Kliknij")', "@SUM(1+1)*cmd|' /C calc'!A0",
                "+48 12 000 12 34", "-2+3", "＝1+1\nlinia druga; „cytat” i \"cudzysłów\"",
                "－kierownik", "＠Teams", "'=już z apostrofem", "+Jan Kowalski")


async def _import(app: App, path: Path):  # type: ignore[no-untyped-def]
    parsed = parse_rows(path)
    assert not parsed.errors, parsed.errors
    async with app.db.session() as session:
        summary = await app.importer.apply(session, parsed, today=app.directory.today())
    app.directory.invalidate()
    return summary


async def _rows(app: App) -> list[dict[str, str]]:
    async with app.db.session() as session:
        return await export_rows(session)


@pytest.fixture
async def directory(bare_app: App, tmp_path: Path) -> App:
    source = tmp_path / "lista.csv"
    source.write_text(HEADER + ROWS, encoding="utf-8")
    await _import(bare_app, source)
    return bare_app


@pytest.mark.parametrize("kind", ["excel", "plain", "xlsx"])
async def test_every_export_re_imports_unchanged(directory: App, tmp_path: Path, kind: str
                                                 ) -> None:
    before = await _rows(directory)
    assert {row["name"] for row in before} >= {'=HYPERLINK("http://evil.example";"Kliknij")',
                                               "+Jan Kowalski", "Olga Realna"}
    path = tmp_path / ("lista.xlsx" if kind == "xlsx" else "lista.csv")
    write_export(path, before, plain=kind == "plain")
    summary = await _import(directory, path)
    assert (summary.people_added, summary.people_updated, summary.people_unchanged) == (0, 0, 4)
    assert (summary.entries_added, summary.entries_removed) == (0, 0)
    assert await _rows(directory) == before
    again = tmp_path / f"again{path.suffix}"
    write_export(again, await _rows(directory), plain=kind == "plain")
    if kind != "xlsx":  # XLSX carries a timestamp
        assert again.read_bytes() == path.read_bytes()


async def test_the_csv_opens_in_polish_excel_and_runs_nothing(directory: App, tmp_path: Path
                                                             ) -> None:
    path = tmp_path / "lista.csv"
    write_export(path, await _rows(directory))
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM: Excel reads Polish letters
    text = data[3:].decode("utf-8")
    assert text.splitlines()[0] == POLISH_HEADER
    cells = [cell for row in csv.reader(io.StringIO(text, newline=""), delimiter=";")
             for cell in row]
    assert "Świątniki Górne" in cells and "Zofia Żółkiewska-Łęcka" in cells
    for value in FORMULA_LIKE:  # shown as text by Excel, LibreOffice and Google Sheets
        assert "'" + value in cells and value not in cells
    assert "'zwykły apostrof" in cells  # not formula-like: left as it is
    assert not any(cell.startswith(("=", "+", "-", "@", "＝", "＋", "－", "＠")) for cell in cells)


async def test_the_plain_csv_is_utf8_commas_and_english_headers(
    directory: App, tmp_path: Path
) -> None:
    path = tmp_path / "lista.csv"
    write_export(path, await _rows(directory), plain=True)
    data = path.read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8").splitlines()[0] == (
        "gmina,teryt,kind,powiat,wojewodztwo,topic,name,position,email,phone,"
        "preferred_contact,notes,confirmed_at,organisation")
    assert "'+48 12 000 12 34" in data.decode("utf-8")


async def test_the_xlsx_holds_text_never_formulas_and_phones_stay_readable(
    directory: App, tmp_path: Path
) -> None:
    path = tmp_path / "lista.xlsx"
    write_export(path, await _rows(directory))
    sheet = load_workbook(path).active
    assert sheet is not None
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row if cell.value]
    assert cells and all(cell.data_type == "s" for cell in cells)  # no "f" (formula)
    by_value = {cell.value: cell for cell in cells}
    phone = by_value["+48 12 000 12 34"]  # as people read it, no visible apostrophe
    assert phone.quotePrefix  # Excel's own "typed with an apostrophe": stays text if edited
    assert by_value['=HYPERLINK("http://evil.example";"Kliknij")'].quotePrefix
    assert by_value["''=już z apostrofem"].quotePrefix  # an apostrophe of its own is kept
    assert not by_value["Świątniki Górne"].quotePrefix


@pytest.mark.parametrize("value", [
    "=1+1", "+48 12", "-1", "@SUM(A1)", "\t=1", "\r=1", "＝1", "＋1", "－1", "＠x", "'=1",
    "''+1", "'", "'plain", "plain", "", "a=b", "e-mail",
])
def test_neutralising_is_undone_exactly(value: str) -> None:
    shown = neutralise_cell(value)
    assert restore_cell(shown) == value
    formula_like = value.lstrip("'")[:1] in ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
    assert shown == ("'" + value if formula_like else value)


async def test_cli_export_defaults_to_polish_excel_and_re_imports(
    directory: App, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if directory.db.schema:
        pytest.skip("the command line addresses whole databases; this PostgreSQL run uses a schema")
    monkeypatch.setenv("LACZNIK_DATABASE_URL", directory.db.url.render_as_string(False))
    excel, plain = tmp_path / "lista.csv", tmp_path / "plain.csv"
    assert await asyncio.to_thread(lacznik, ["directory", "export", str(excel)]) == 0
    assert await asyncio.to_thread(
        lacznik, ["directory", "export", str(plain), "--format", "plain"]) == 0
    assert excel.read_bytes().startswith(b"\xef\xbb\xbf" + POLISH_HEADER.encode())
    assert plain.read_bytes().startswith(b"gmina,teryt,")
    assert await asyncio.to_thread(lacznik, ["directory", "import", str(excel)]) == 0
    assert await asyncio.to_thread(lacznik, ["directory", "import", str(plain)]) == 0
    out = capsys.readouterr().out
    assert out.count("exported 4 rows") == 2
    assert out.count("people added 0, updated 0, unchanged 4") == 2
