"""Each section is a declared schema owned by its reader: what a person editing the file sees."""

from __future__ import annotations

import string
from pathlib import Path

import pytest

from adapters.slack import texts as slack_texts
from adapters.teams import texts as teams_texts
from adapters.telegram.config import parse_config
from bots.config import ConfigError, accepted_keys, load_config

TOKEN = "123456:ABC-def_ghi"


def test_telegram_per_chat_pacing_is_a_setting() -> None:
    assert parse_config({"token": TOKEN}).chat_messages_per_three_seconds == 3
    assert parse_config({"token": TOKEN, "chat_messages_per_three_seconds": 1}
                        ).chat_messages_per_three_seconds == 1
    with pytest.raises(ConfigError) as refused:
        parse_config({"token": TOKEN, "chat_messages_per_three_seconds": 0})
    assert str(refused.value) == ("configuration error in [telegram] "
                                  "chat_messages_per_three_seconds: must be a whole number "
                                  "from 1 to 30")


@pytest.mark.parametrize(("toml", "message"), [
    # no silent conversions: a quoted number is no number, 1 is not true
    ('[server]\nport = "8080"\n', "[server] port: must be a whole number"),
    ("[directory]\npublic = 1\n", "[directory] public: must be true or false"),
    ("[server]\nport = 70000\n", "[server] port: must be between 0 and 65535"),
    ('[console]\nuser = "admin"\n', "[console] user: must be an e-mail address"),
    ("[delivery]\nconcurrency = 0\n", "[delivery] concurrency: must be 1-1000"),
    ("[reminders]\ngrace_hours = true\n", "[reminders] grace_hours: must be a number"),
    ('[retention]\naudit_log_days = "1"\n', "[retention] audit_log_days: must be a whole"),
    ("[server]\nhost = \"\"\nport = 1\n", "[server] host: must not be empty"),
])
def test_one_line_errors_name_the_key(tmp_path: Path, toml: str, message: str) -> None:
    path = tmp_path / "lacznik.toml"
    path.write_text(toml, encoding="utf-8")
    with pytest.raises(ConfigError) as refused:
        config = load_config(path, env={})
        # sections read by their owners when the service is built
        from bots.app import reminder_settings
        from bots.config import delivery_settings
        from bots.retention_config import retention_settings

        delivery_settings(config.extra.get("delivery", {}))
        reminder_settings(config)
        retention_settings(config.extra.get("retention", {}))
    assert message in str(refused.value)
    assert "\n" not in str(refused.value)


def test_every_section_lists_its_keys_from_its_schema() -> None:
    keys = accepted_keys()
    assert "chat_messages_per_three_seconds" in keys["telegram"]
    assert keys["server"] == ("host", "port", "public_url")
    assert "reply_max_age_seconds" in keys["delivery"]


@pytest.mark.parametrize("module", [slack_texts, teams_texts])
def test_adapter_texts_exist_in_both_languages(module: object) -> None:
    pl, en = module.PL, module.EN  # type: ignore[attr-defined]
    assert set(pl) == set(en)
    for key in pl:
        fields_pl = {f for _, f, _, _ in string.Formatter().parse(pl[key]) if f}
        fields_en = {f for _, f, _, _ in string.Formatter().parse(en[key]) if f}
        assert fields_pl == fields_en, key
