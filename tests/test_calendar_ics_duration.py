"""Calendar files: an event given by its length (DURATION) instead of its end (DTEND)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bots import commands_cli
from bots.app import App
from bots.cli import _parser
from tests.calendar_helpers import MEMBER, link_console, session_as

BY_DURATION = """BEGIN:VCALENDAR
PRODID:-//Example//Calendar//EN
VERSION:2.0
BEGIN:VEVENT
CATEGORIES:PZP
DTSTART:20261210T100000Z
DURATION:PT1H
SUMMARY:Narada w godzinę
UID:one-hour@smk.example.pl
END:VEVENT
END:VCALENDAR
""".replace("\n", "\r\n")


async def test_an_event_with_a_duration_is_imported_ending_after_it(
        app: App, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    await link_console(app, MEMBER)
    path = tmp_path / "godzina.ics"
    path.write_bytes(BY_DURATION.encode())
    code = await commands_cli.events(app, _parser().parse_args(["events", "import", str(path)]))
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "imported: 1 new, 0 updated, 0 unchanged, 0 cancelled" in captured.out
    assert captured.err == ""
    [listed] = await session_as(app, MEMBER).say("/wydarzenia PZP")
    # 10:00–11:00 UTC is 11:00–12:00 in Warsaw in December.
    assert "11:00–12:00 Narada w godzinę [PZP]" in listed
