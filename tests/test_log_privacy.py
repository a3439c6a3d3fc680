"""Issue 14.5: no log line, at any level, carries a name, e-mail, phone or message text.

A whole day on the three messengers runs at DEBUG (a directory question, an announcement, a
forum question relayed and answered, an edit, a Teams question, an unknown account, a
failing request); then every log record the product and its libraries wrote — message,
arguments and traceback — is searched for every directory person's name, e-mail and phone
and for every text people wrote.
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from bots.cli import setup_logging
from store.models import Person
from tests.world import (
    ANNA,
    COORDINATOR,
    JOLANTA,
    RENATA,
    TEAMS_APP_ID,
    THE_OFFICE,
    Staff,
    World,
    telegram_in_group,
)

GROUP = -100_777
SAID = [
    "kto od śmieci w Wieliczce?",
    "Awaria systemu EZD w urzędzie Wieliczka do godziny dwunastej",
    "Czy ktoś ma wzór klauzuli waloryzacyjnej dla robót budowlanych?",
    "Mamy wzór z ubiegłego roku, prześlę go w wątku",
    "kto odpowiada za oświatę w Skawinie",
    "pomocy szukam przetargów w Niepołomicach",
    "+48 12 000 99 99",
]
STRANGER = Staff("nieznajomy.z.zewnatrz@example.com", "Zenobia Nieznajoma", slack="U0STRANGE")


@pytest.fixture
def verbose(world: World, caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Logging as ``lacznik run -v`` sets it up (everything, at DEBUG), captured; the
    loggers' levels are put back afterwards."""
    loggers = [logging.getLogger(name) for name in logging.root.manager.loggerDict]
    before = {logger: logger.level for logger in [logging.getLogger(), *loggers]}
    setup_logging(argparse.Namespace(verbose=True, command="run"), world.app.config)
    caplog.set_level(logging.DEBUG)
    yield
    for logger, level in before.items():
        logger.setLevel(level)


def _carried(record: logging.LogRecord) -> str:
    """Everything a handler could write for this record."""
    parts = [record.getMessage(), repr(record.args)]
    if record.exc_info:
        parts.append(logging.Formatter().formatException(record.exc_info))
    if record.stack_info:
        parts.append(record.stack_info)
    return "\n".join(parts)


async def test_a_whole_scenario_at_debug_level_logs_no_personal_data(
        world: World, caplog: pytest.LogCaptureFixture, verbose: None) -> None:
    world.enrol(STRANGER)
    await world.link(THE_OFFICE, COORDINATOR, RENATA, JOLANTA, ANNA)

    # A directory question on Telegram, and one on Teams (plain text in the 1:1 chat).
    await world.telegram_says(RENATA, SAID[0])
    assert "Jolanta Kołodziej" in world.on_telegram(RENATA)[-1]["text"]
    # An announcement from Slack, confirmed and delivered.
    await world.announce(THE_OFFICE, f"/ogloszenie gmina Wieliczka: {SAID[1]}")
    await world.deliver()
    # A forum question relayed into a Telegram group and answered there.
    await telegram_in_group(world, THE_OFFICE, GROUP, "/forum podlacz PZP")
    await world.slack_says(RENATA, f"/pytanie PZP {SAID[2]}")
    await world.deliver()
    relayed = next(m for m in world.on_telegram_group(GROUP) if SAID[2] in m["text"])
    await world.telegram_group_says(THE_OFFICE, GROUP, SAID[3], reply_to=relayed)
    await world.deliver()
    # A coordinator's edit, a question from Slack, one from an unknown account.
    await world.telegram_says(COORDINATOR, f"/edytuj {JOLANTA.email} telefon {SAID[6]}")
    assert "Zapisane" in world.on_telegram(COORDINATOR)[-1]["text"]
    await world.slack_says(ANNA, SAID[4])
    await world.slack_says(STRANGER, SAID[5])
    # An activity the Teams SDK cannot validate (its validator logs the input at ERROR).
    assert world.issuer is not None
    token = world.issuer.mint(TEAMS_APP_ID, world.connector.service_url)
    broken = {"type": "message", "id": "1", "channelId": "msteams", "text": [SAID[5]],
              "from": {"id": JOLANTA.teams, "name": JOLANTA.name},
              "serviceUrl": world.connector.service_url}
    async with world.http.post(world.teams_url, json=broken,
                               headers={"Authorization": f"Bearer {token}"}) as response:
        assert response.status == 400
    await world.slack.drain()
    await world.telegram.drain()

    async with world.app.db.session() as session:
        people = list((await session.execute(select(Person))).scalars())
    secrets = {s for p in people for s in (p.name, p.email or "", p.phone) if len(s) > 5}
    secrets |= {STRANGER.name, STRANGER.email, *SAID}
    assert len(people) > 50 and caplog.records  # the scenario really ran
    leaks = sorted({(record.name, secret)
                    for record in caplog.records if not record.name.startswith("tests.")
                    for secret in secrets if secret in _carried(record)})
    assert leaks == [], "\n".join(map(str, leaks))
