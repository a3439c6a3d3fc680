"""Review findings on issue 19 (e-mail invitations, digest, SMS), each as a person notices."""

from __future__ import annotations

from pathlib import Path

import pytest

from commands.directory.importer import ImportError_, parse_rows

HEADER = "gmina,teryt,topic,name,position,email,phone,preferred_contact,notes,confirmed_at\n"


@pytest.mark.parametrize("address", ["żaneta@gmina.example.pl", "a..b@gmina.example.pl",
                                     ".ala@gmina.example.pl", "ala.@gmina.example.pl"])
def test_the_import_refuses_an_address_no_mail_server_takes(tmp_path: Path,
                                                            address: str) -> None:
    path = tmp_path / "people.csv"
    path.write_text(HEADER + f"Wieliczka,1219053,odpady,Żaneta Lis,inspektor,{address},,,,\n",
                    encoding="utf-8")
    try:
        errors = parse_rows(path).errors
    except ImportError_ as exc:
        errors = exc.errors
    assert any(f"e-mail {address!r} is not valid / nieprawidłowy e-mail" in e
               for e in errors), errors


def test_the_import_accepts_the_usual_addresses(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text(HEADER + "Wieliczka,1219053,odpady,Ola Lis,inspektor,"
                    "o.lis+urzad@wieliczka.example.pl,,,,\n", encoding="utf-8")
    assert parse_rows(path).errors == []
