"""Hostile spreadsheets: a tiny XLSX that claims every cell Excel has, a row past Excel's last
one, a ZIP bomb, too many rows or columns. Each is refused or read as the rows it really has,
quickly — the same reader serves ``lacznik directory import``, forum member lists and the
panel, which must keep serving everyone while it reads an upload."""

from __future__ import annotations

import asyncio
import gc
import io
import re
import time
import zipfile
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient
from openpyxl import Workbook

from bots.app import App
from bots.memory import settle_heap
from commands.directory.import_preview import parse_upload
from commands.directory.importer import ImportError_, parse_rows, read_table
from commands.forums.admin import ForumAdmin, ImportRefused
from tests.panel_helpers import panel_client, sign_in
from tests.world import ADMIN

__all__ = ["panel_client"]  # the fixture, used by name

Client = TestClient[Any, Any]
HEADER = ["gmina", "imię i nazwisko", "stanowisko", "e-mail", "temat"]
ROW = ["Wieliczka", "Anna Nowak", "inspektor", "a.nowak@wieliczka.example.pl", "odpady"]
SHEET = "xl/worksheets/sheet1.xml"


def _workbook(header: list[str]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(header)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _rewritten(xlsx: bytes, changes: dict[str, bytes], *, extra: dict[str, bytes] | None = None,
               stored: bool = False) -> bytes:
    """``xlsx`` with members replaced (and added), as an attacker would pack it."""
    source = zipfile.ZipFile(io.BytesIO(xlsx))
    change = dict(changes)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as packed:
        for item in source.infolist():
            packed.writestr(item, change.pop(item.filename, source.read(item.filename)))
        for name, data in change.items():
            packed.writestr(name, data)
        for name, data in (extra or {}).items():
            packed.writestr(name, data,
                            compress_type=zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _inline_row(number: int, values: list[str]) -> str:
    cells = "".join(f'<c r="{chr(65 + i)}{number}" t="inlineStr"><is><t>{v}</t></is></c>'
                    for i, v in enumerate(values))
    return f'<row r="{number}">{cells}</row>'


def _claiming(last_row: int, rows: str) -> bytes:
    """A sheet whose dimension claims A1:XFD<last_row>, with ``rows`` (XML) after the
    header."""
    xlsx = _workbook(HEADER)
    text = zipfile.ZipFile(io.BytesIO(xlsx)).read(SHEET).decode()
    text = re.sub(r'<dimension ref="[^"]*"\s*/>', f'<dimension ref="A1:XFD{last_row}"/>', text)
    text = text.replace("</sheetData>", rows + "</sheetData>")
    return _rewritten(xlsx, {SHEET: text.encode()})


def _errors(path: Path) -> list[str]:
    try:
        return parse_rows(path).errors
    except ImportError_ as exc:
        return exc.errors


def test_a_sheet_claiming_all_of_excel_is_read_as_the_rows_it_has(tmp_path: Path) -> None:
    # 5 KB claiming A1:XFD1048576 with its one person on the very last row: read padded to
    # the claimed size this took 11 minutes and stopped the whole service.
    data = _claiming(1_048_576, _inline_row(1_048_576, ROW))
    assert len(data) < 10_000
    path = tmp_path / "katalog.xlsx"
    path.write_bytes(data)
    header, _rows = read_table(path)
    assert header == HEADER  # not 16,384 cells
    started = time.perf_counter()
    parsed = parse_upload(data, "katalog.xlsx")
    took = time.perf_counter() - started
    assert parsed.errors == []
    assert [(row.line, row.name, row.topics) for row in parsed.rows] == [
        (1_048_576, "Anna Nowak", ["odpady"])]
    assert took < 3, took  # about 0.3 s on one core; the slack is for a busy machine


def test_a_row_past_excels_last_row_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "katalog.xlsx"
    path.write_bytes(_claiming(10**9, _inline_row(10**9, ROW)))
    header, _rows = read_table(path)
    assert header == HEADER
    started = time.perf_counter()
    assert _errors(path) == ["Row 1048577 / wiersz 1048577: past a spreadsheet's last row "
                             "(1048576) / poza ostatnim wierszem arkusza"]
    assert time.perf_counter() - started < 5


def test_columns_past_the_limit_are_not_read(tmp_path: Path) -> None:
    xlsx = _workbook([*HEADER, *[""] * 95, "uwagi"])  # the notes' column is the 101st
    text = zipfile.ZipFile(io.BytesIO(xlsx)).read(SHEET).decode()
    far = '<c r="XFD2" t="inlineStr"><is><t>daleko</t></is></c>'
    text = text.replace("</sheetData>", _inline_row(2, ROW)[:-6] + far + "</row></sheetData>")
    path = tmp_path / "katalog.xlsx"
    path.write_bytes(_rewritten(xlsx, {SHEET: text.encode()}))
    header, rows = read_table(path)
    assert header == HEADER  # the title in column 101 is past the 64 read
    assert [(line, cells) for line, cells in rows] == [(2, ROW)]
    parsed = parse_rows(path)
    assert [(row.name, row.notes) for row in parsed.rows] == [("Anna Nowak", "")]


def test_more_data_rows_than_the_limit_are_refused_naming_it(tmp_path: Path) -> None:
    rows = "".join(_inline_row(n, ["Wieliczka", f"Osoba {n}", "", "", "odpady"])
                   for n in range(2, 100_003))
    path = tmp_path / "katalog.xlsx"
    path.write_bytes(_claiming(100_002, rows))
    _header, read = read_table(path)
    with pytest.raises(ImportError_) as refused:
        list(read)
    assert refused.value.errors == [
        "Row 100002 / wiersz 100002: the file has more than 100,000 data rows, the limit / "
        "plik ma więcej niż 100 000 wierszy danych (limit)"]
    # In a CSV the same: 100,000 rows are read, one more is refused; empty lines do not count.
    csv = tmp_path / "katalog.csv"
    csv.write_text("gmina,temat,imie\n" + "a,b,c\n\n" * 100_000, encoding="utf-8")
    _header, lines = read_table(csv)
    assert sum(1 for line, cells in lines if any(cells)) == 100_000
    csv.write_text("gmina,temat,imie\n" + "a,b,c\n\n" * 100_001, encoding="utf-8")
    _header, lines = read_table(csv)
    with pytest.raises(ImportError_, match="more than 100,000 data rows"):
        list(lines)


def _bombed_shared_strings() -> bytes:
    """Shared strings that unpack 1000:1 — in a file of 20 MB, 20 GB."""
    xlsx = _workbook(HEADER)
    strings = ('<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats'
               '.org/spreadsheetml/2006/main">' + "<si><t>a</t></si>" * 200_000 + "</sst>")
    types = zipfile.ZipFile(io.BytesIO(xlsx)).read("[Content_Types].xml").decode().replace(
        "</Types>", '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.'
        'openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
    return _rewritten(xlsx, {"xl/sharedStrings.xml": strings.encode(),
                             "[Content_Types].xml": types.encode()})


def test_a_zip_bomb_is_refused_before_it_is_unpacked(tmp_path: Path) -> None:
    path = tmp_path / "katalog.xlsx"
    path.write_bytes(_bombed_shared_strings())
    assert _errors(path) == [
        "The XLSX file is packed suspiciously tightly ('xl/sharedStrings.xml': more than "
        "100:1), refused / plik XLSX jest podejrzanie mocno spakowany (ponad 100:1), odrzucony"]


def test_an_xlsx_unpacking_past_the_size_limit_is_refused(tmp_path: Path) -> None:
    # Stored, not compressed: each member's ratio is 1:1, their sum is over 200 MB.
    chunk = bytes(70 * 2**20)
    data = _rewritten(_workbook(HEADER), {}, stored=True,
                      extra={f"xl/media/image{i}.bin": chunk for i in range(3)})
    path = tmp_path / "katalog.xlsx"
    path.write_bytes(data)
    del data, chunk
    assert _errors(path) == [
        "The XLSX file unpacks to 210 MB, more than the limit of 200 MB / plik XLSX po "
        "rozpakowaniu ma 210 MB, więcej niż limit 200 MB"]


def test_a_csv_past_the_size_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "katalog.csv"
    with path.open("wb") as handle:
        handle.write(b"gmina,temat,imie\n")
        handle.truncate(201 * 2**20)  # sparse: the disk holds almost nothing
    assert _errors(path) == ["The file has 201 MB, more than the limit of 200 MB / plik ma "
                             "201 MB, więcej niż limit 200 MB"]


async def test_a_forum_member_list_is_refused_in_the_importers_words(
        bare_app: App, tmp_path: Path) -> None:
    path = tmp_path / "czlonkowie.xlsx"
    path.write_bytes(_bombed_shared_strings())
    admin = ForumAdmin(db=bare_app.db, forums=bare_app.core.services.forums)
    with pytest.raises(ImportRefused) as refused:
        await admin.import_file(path, dry_run=True, actor="test", lang="pl")
    assert refused.value.errors == [
        "The XLSX file is packed suspiciously tightly ('xl/sharedStrings.xml': more than "
        "100:1), refused / plik XLSX jest podejrzanie mocno spakowany (ponad 100:1), odrzucony"]


async def test_the_service_keeps_running_while_the_panel_reads_an_upload(
        app: App, panel_client: Client) -> None:
    # 30,000 people with mobile numbers take seconds to read (the last row has no name, so
    # nothing reaches the database). Meanwhile the service's other tasks (webhooks, the
    # outbox) keep running: here a task that ticks every 10 ms, on the same loop.
    body = ("gmina,temat,imie i nazwisko,e-mail,telefon komórkowy\n"
            + "".join(f"Wieliczka,odpady,Osoba {n},o{n}@wieliczka.example.pl,"
                      f"+48 600 {n % 1000:03d} {n // 1000:03d}\n" for n in range(30_000))
            + "Wieliczka,odpady,,,\n").encode()
    csrf = await sign_in(panel_client, app, ADMIN)
    form = aiohttp.FormData()
    form.add_field("csrf", csrf)
    form.add_field("file", body, filename="katalog.csv", content_type="text/csv")
    gaps: list[float] = []

    async def tick() -> None:
        last = time.perf_counter()
        while True:
            await asyncio.sleep(0.01)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    # The running service freezes its start-up heap (bots.memory.settle_heap), so a full
    # collection does not walk it; this test process freezes what the earlier tests left
    # for the same reason (a collection of all of it is no part of reading the upload).
    settle_heap()
    ticker = asyncio.create_task(tick())
    started = time.perf_counter()
    try:
        answer = await panel_client.post("/panel/katalog/import", data=form)
    finally:
        took = time.perf_counter() - started
        ticker.cancel()
        gc.unfreeze()
    assert answer.status == 400
    assert "Wiersz 30002: kolumna „imię i nazwisko” jest pusta" in await answer.text()
    assert took > 1  # reading it took long enough to matter …
    assert max(gaps) < took / 2, (max(gaps), took)  # … and the loop was never held for it
