"""`GET /privacy` and `GET /terms`, served by the running service in Polish (English with
`?lang=en`), from the configuration or a default; the Teams package and the Slack manifest
link to them."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import aiohttp
import pytest

from adapters.slack import build_manifest
from adapters.teams import build_package
from bots.app import App
from bots.components import build_components
from bots.config import Config, ConfigError, ServerConfig
from bots.legal_pages import legal_settings
from bots.service import Service
from tests.world import TEAMS_APP_ID, TENANT


async def fetch(app: App, legal: dict[str, str], *paths: str) -> list[tuple[int, str, str]]:
    """Start the service as `lacznik run` composes it and GET each path."""
    app.config = Config(database=app.config.database, server=ServerConfig(port=0),
                        extra={"legal": legal})
    service = Service(app, build_components(app))
    await service.start()
    pages = []
    try:
        async with aiohttp.ClientSession() as client:
            for path in paths:
                async with client.get(f"http://127.0.0.1:{service.port}{path}") as response:
                    pages.append((response.status, response.headers.get("Content-Type", ""),
                                  await response.text()))
    finally:
        await service.stop()
    return pages


async def test_default_pages_name_the_data_and_its_purpose(app: App) -> None:
    privacy, english, terms, terms_en = await fetch(
        app, {}, "/privacy", "/privacy?lang=en", "/terms", "/terms?lang=en")
    status, kind, page = privacy
    assert status == 200 and kind.startswith("text/html")
    assert '<html lang="pl">' in page and "Łącznik — polityka prywatności" in page
    for held in ("imię i nazwisko", "służbowy e-mail i telefon", "konta w komunikatorach",
                 "dziennik działań", "Po co:", "/moje-dane eksport", "Jak długo:"):
        assert held in page, held
    status, _, page = english
    assert status == 200 and '<html lang="en">' in page
    assert "Łącznik — privacy policy" in page and "/me export" in page and "Why:" in page
    assert terms[0] == 200 and "zasady korzystania" in terms[2]
    assert terms_en[0] == 200 and "terms of use" in terms_en[2]


async def test_configured_text_is_shown_escaped(app: App) -> None:
    legal = {"controller": "Gmina <Testowa> & Partnerzy", "contact": "iod@gmina.example.pl",
             "privacy_en": "Our policy.\n\n- <script>alert(1)</script>\n- second point"}
    [(_, _, polish), (_, _, english)] = await fetch(app, legal, "/privacy", "/privacy?lang=en")
    assert "Administratorem danych jest Gmina &lt;Testowa&gt; &amp; Partnerzy" in polish
    assert "iod@gmina.example.pl" in polish
    assert "<p>Our policy.</p>" in english
    assert "<li>&lt;script&gt;alert(1)&lt;/script&gt;</li>" in english
    assert "<script>" not in english


@pytest.mark.parametrize(("section", "message"), [
    ({"contact": "nie-mail"}, "[legal] contact: must be an e-mail address"),
    ({"privacy_pl": 5}, "[legal] privacy_pl: must be a string"),
    ({"privacy_de": "x"}, "[legal] privacy_de: unknown key"),
])
def test_bad_legal_settings_name_the_key(section: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError) as error:
        legal_settings(section)
    assert message in str(error.value)


def test_teams_package_and_slack_manifest_point_to_the_pages(tmp_path: Path) -> None:
    section = {"app_id": TEAMS_APP_ID, "tenant_id": TENANT,
               "public_domain": "lacznik.gmina.example"}
    path = build_package(section, out=tmp_path / "teams.zip")
    with zipfile.ZipFile(path) as archive:
        developer = json.loads(archive.read("manifest.json"))["developer"]
    assert developer["privacyUrl"] == "https://lacznik.gmina.example/privacy"
    assert developer["termsOfUseUrl"] == "https://lacznik.gmina.example/terms"
    own = build_package({**section, "privacy_url": "https://gmina.example/rodo"},
                        out=tmp_path / "own.zip")
    with zipfile.ZipFile(own) as archive:
        developer = json.loads(archive.read("manifest.json"))["developer"]
    assert developer["privacyUrl"] == "https://gmina.example/rodo"  # configured wins

    manifest = build_manifest({"mode": "http"}, public_url="https://lacznik.gmina.example")
    about = manifest["display_information"]["long_description"]
    assert "https://lacznik.gmina.example/privacy" in about
    assert "https://lacznik.gmina.example/terms" in about
    assert 175 <= len(about) <= 4000  # Slack's limits for the long description
