"""Configuration files that worked before the sections became schemas still work, and a file
with several mistakes names the same one first, in the same words, as before."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from adapters.slack.config import parse_config as parse_slack
from adapters.teams.settings import parse_settings as parse_teams
from adapters.telegram.config import parse_config as parse_telegram
from bots.config import ConfigError, load_config
from commands.calendar.settings import parse_settings as parse_reminders

TELEGRAM_TOKEN = "123456:ABC-def_ghi"
SLACK_TOKEN = "xoxb-1-abc"
APP_ID = "6f1c3b2a-1111-4222-8333-444455556666"


def refusal(toml: str, tmp_path: Path, env: dict[str, str] | None = None) -> str:
    path = tmp_path / "lacznik.toml"
    path.write_text(toml, encoding="utf-8")
    with pytest.raises(ConfigError) as refused:
        load_config(path, env=env or {})
    return str(refused.value).removeprefix("configuration error in ")


def refused(parse: Any, section: dict[str, Any], **options: Any) -> str:
    with pytest.raises(ConfigError) as error:
        parse(section, **options)
    return str(error.value).removeprefix("configuration error in ")


def test_values_accepted_before_are_accepted(tmp_path: Path) -> None:
    assert parse_telegram({"token": TELEGRAM_TOKEN, "mode": " polling "}).mode == "polling"
    assert parse_slack({"bot_token": SLACK_TOKEN, "app_token": "xapp-1-abc",
                        "mode": " socket "}).mode == "socket"
    path = tmp_path / "lacznik.toml"
    path.write_text('[console]\nuser = "sekretariat@gmina.example.pl\\n"\n', encoding="utf-8")
    assert load_config(path, env={}).console.user == "sekretariat@gmina.example.pl\n"


@pytest.mark.parametrize(("toml", "env", "first"), [
    # the database URL, from the file or the environment, before other sections' values
    ('[server]\nport = 70000\n[database]\nurl = "nonsense"\n', {}, "[database] url"),
    ("[server]\nport = 70000\n", {"LACZNIK_DATABASE_URL": "nonsense"}, "[database] url"),
    # every section's kinds of values before any bad value
    ('[server]\nport = 70000\n[directory]\npublic = "yes"\n', {},
     "[directory] public: must be true or false"),
    ('[server]\nhost = ""\nport = "8080"\n', {}, "[server] port: must be a whole number"),
    ('[server]\nhost = ""\nport = 70000\n', {}, "[server] port: must be between 0 and 65535"),
    ('[console]\nuser = "admin"\n[linking]\ncode_valid_hours = 0\n', {},
     "[linking] code_valid_hours: must be between 1 and 720"),
    ("[server]\nport = 70000\n", {"LACZNIK_METRICS_TOKEN": "short"},
     "[server] port: must be between 0 and 65535"),
    ("[logging]\nlevel = 5\n", {}, "[logging] level: must be a string"),
])
def test_the_first_of_several_mistakes_is_named_as_before(
        tmp_path: Path, toml: str, env: dict[str, str], first: str) -> None:
    assert refusal(toml, tmp_path, env).startswith(first)


def test_messenger_sections_name_their_first_mistake_as_before() -> None:
    webhook = {"token": TELEGRAM_TOKEN, "mode": "webhook", "poll_timeout": 99}
    assert refused(parse_telegram, webhook).startswith("[telegram] webhook_url: webhook mode")
    assert refused(parse_telegram, {"token": TELEGRAM_TOKEN, "mode": "x",
                                    "api_base_url": "ftp://x"}) == (
        '[telegram] mode: must be "polling" or "webhook"')
    assert refused(parse_telegram, {"token": TELEGRAM_TOKEN, "mode": 5}) == (
        "[telegram] mode: must be a string")
    # Slack's secrets right after the mode, before the keys that follow
    assert refused(parse_slack, {"bot_token": "xoxp-1", "api_base_url": "ftp://x"},
                   env={}).startswith("[slack] bot_token: must be the Bot User OAuth Token")
    assert refused(parse_slack, {"bot_token": 5, "mode": "x"}, env={}) == (
        '[slack] mode: must be "http" or "socket"')
    assert refused(parse_slack, {"mode": 1}, env={}) == "[slack] mode: must be a string"


def test_teams_and_reminders_say_what_they_said() -> None:
    base = {"app_id": APP_ID, "tenant_id": APP_ID, "app_password": "s3cret-value"}
    assert refused(parse_teams, {"tenant_id": APP_ID}, env={}) == "[teams] app_id: required"
    assert refused(parse_teams, {"app_id": APP_ID}, env={}) == "[teams] tenant_id: required"
    assert refused(parse_teams, {**base, "colour": "blue"}, env={}).startswith(
        "[teams] colour: unknown key (known: allowed_issuers, allowed_tenants, app_id, ")
    assert refused(parse_teams, {**base, "certificate_thumbprint": "  "}, env={}) == (
        "[teams] certificate_thumbprint: needs certificate_path")
    assert refused(parse_teams, {**base, "certificate_password": 5}, env={}) == (
        "[teams] certificate_password: needs certificate_path")
    # the credential right after its keys, before the keys that follow
    assert refused(parse_teams, {"app_id": APP_ID, "tenant_id": APP_ID,
                                 "public_domain": "https://bot.example.pl/"}, env={}
                   ).startswith("[teams] app_password: required")
    assert refused(parse_reminders, {"personal_time": 9}) == (
        "[reminders] personal_time: '9' is not a time like \"07:00\"")
