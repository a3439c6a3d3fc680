"""`[retention]`: the daily job deletes delivered messages, dedupe records, closed questions
and audit entries past their time, and nothing the service still needs."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from adapters.console.adapter import ConsoleSession
from bots.app import App
from bots.components import build_components
from bots.config import Config, ConfigError
from bots.retention_config import retention_settings
from scheduler import retention
from scheduler.retention import RetentionComponent, RetentionSettings
from store.forum_models import Answer, Question
from store.models import AuditLog, Delivery, ProcessedEvent
from tests.test_backup import lacznik
from tests.test_forums import (
    ADMIN,
    ASKER,
    EXPERT,
    GROUP_A,
    MODERATOR,
    ask,
    posts_in,
    said,
    setup_forum,
    transcript,
)
from tests.world import TEAMS_APP_ID, TENANT


async def count(app: App, model: type, *where: object) -> int:
    async with app.db.session() as session:
        return int(await session.scalar(
            select(func.count()).select_from(model).where(*where)) or 0)  # type: ignore[arg-type]


async def test_the_daily_job_deletes_only_what_is_past_its_time(app: App) -> None:
    now = app.clock.now()
    await setup_forum(app)
    await ask(app)  # question 1 stays open
    asker = ConsoleSession(app.core, ASKER)
    await asker.say("/pytanie PZP Jak liczyć termin związania ofertą?")  # question 2
    await app.worker.run_once()
    [(post_1, _)] = [p for p in posts_in(app, GROUP_A) if "Pytanie nr 1" in p[1]]
    [(post_2, _)] = [p for p in posts_in(app, GROUP_A) if "Pytanie nr 2" in p[1]]
    await app.core.handle(said(EXPERT, "30 dni od terminu składania ofert.", GROUP_A,
                               addressed=False, reply_to=post_2, message_id="ans-2"))
    [closed] = await ConsoleSession(app.core, MODERATOR).say("/zamknij 2")
    assert "2" in closed
    admin = ConsoleSession(app.core, ADMIN)
    await admin.say("/pilne gmina Wieliczka: awaria EZD do 12:00")
    await admin.say("1")
    await app.worker.run_once()
    announcement = Delivery.source == "announcement:1"
    sent = await count(app, Delivery, announcement)
    assert sent > 1

    # Age the records: everything sent 100 days ago, except one announcement copy 10 days
    # ago; both questions last touched 400 days ago; audit and dedupe records of each age.
    async with app.db.session() as session:
        await session.execute(update(Delivery).values(sent_at=now - timedelta(days=100),
                                                      created_at=now - timedelta(days=100)))
        recent = (await session.execute(select(Delivery.id).where(announcement).limit(1))
                  ).scalar_one()
        await session.execute(update(Delivery).where(Delivery.id == recent).values(
            sent_at=now - timedelta(days=10)))
        await session.execute(update(Question).values(updated_at=now - timedelta(days=400)))
        session.add(AuditLog(at=now - timedelta(days=800), actor="cli", action="old.thing"))
        session.add(AuditLog(at=now - timedelta(days=10), actor="cli", action="recent.thing"))
        await session.execute(update(ProcessedEvent).values(at=now - timedelta(days=30)))
        session.add(ProcessedEvent(platform="telegram", event_id="recent",
                                   at=now - timedelta(hours=1)))
        await session.commit()
    relays_1 = await count(app, Delivery, Delivery.source == "question:1")
    assert relays_1 == 2

    app.config = Config(database=app.config.database,
                        extra={"retention": {"closed_questions_days": 365}})
    [job] = [c for c in build_components(app) if isinstance(c, RetentionComponent)]
    assert job.settings == RetentionSettings(closed_questions_days=365)
    removed = await job.run_once()

    assert removed["delivered_messages"] == sent - 1
    assert await count(app, Delivery, announcement) == 1  # the copy sent 10 days ago
    assert await count(app, Delivery, Delivery.source == "question:1") == relays_1
    assert removed["closed_questions"] == 1
    assert await count(app, Question) == 1 and await count(app, Answer) == 0
    assert await count(app, Delivery, Delivery.source.like("%:2")) == 0  # type: ignore[attr-defined]
    assert await count(app, AuditLog, AuditLog.action == "old.thing") == 0
    assert await count(app, AuditLog, AuditLog.action == "recent.thing") == 1
    assert await count(app, ProcessedEvent) == 1

    # What users see: the closed question left the archive, the open one still works —
    # an answer in its group thread still reaches the asker.
    [found] = await asker.say("/szukaj związania ofertą")
    assert "#2" not in found
    await app.core.handle(said(EXPERT, "Mamy wzór, wysyłam.", GROUP_A, addressed=False,
                               reply_to=post_1, message_id="ans-3"))
    await app.worker.run_once()
    to_asker = [d.text for d in transcript(app).transcript
                if d.conversation.conversation_id == f"console:{ASKER}"]
    assert "Odpowiedź na Twoje pytanie nr 1" in to_asker[-1]


async def test_the_job_runs_by_itself_once_the_service_is_up(app: App) -> None:
    async with app.db.session() as session:
        session.add(AuditLog(at=app.clock.now() - timedelta(days=731), actor="cli",
                             action="old.thing"))
        await session.commit()
    job = RetentionComponent(db=app.db, clock=app.clock, settings=RetentionSettings(),
                             first_run_after=0)
    await job.start()
    try:
        for _ in range(500):
            if job.last_removed is not None:
                break
            await asyncio.sleep(0.01)
    finally:
        await job.stop()
    assert job.last_removed is not None and job.last_removed["audit_log"] == 1
    assert await count(app, AuditLog, AuditLog.action == "old.thing") == 0


@pytest.mark.parametrize(("section", "message"), [
    ({"audit_log_days": "dużo"}, "[retention] audit_log_days: must be a whole number"),
    ({"processed_events_days": 0}, "[retention] processed_events_days: must be 1-365"),
    ({"delivered_messages_days": 1}, "[retention] delivered_messages_days: must be 7-3650"),
    ({"keep_everything": True}, "[retention] keep_everything: unknown key"),
])
def test_bad_retention_settings_name_the_key(section: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError) as error:
        retention_settings(section)
    assert message in str(error.value)


async def test_the_service_refuses_to_start_with_bad_retention(
        app: App, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "lacznik.toml"
    config.write_text(f"[retention]\naudit_log_days = -5\n\n[teams]\napp_id = \"{TEAMS_APP_ID}\"\n"
                      f"tenant_id = \"{TENANT}\"\n", encoding="utf-8")
    monkeypatch.setenv("LACZNIK_TEAMS_APP_PASSWORD", "not-a-real-secret")
    assert await lacznik(monkeypatch, app.db, "--config", str(config), "run") == 2
    assert "[retention] audit_log_days: must be 0-36500" in capsys.readouterr().err


async def test_years_of_records_go_in_batches_and_all_of_them(
        app: App, monkeypatch: pytest.MonkeyPatch) -> None:
    """The first round on an old database removes everything past its time, a batch per
    transaction (the write lock is never held for the whole table)."""
    monkeypatch.setattr(retention, "BATCH", 4)
    now = app.clock.now()
    async with app.db.session() as session:
        for day in range(11):
            session.add(AuditLog(at=now - timedelta(days=800 + day), actor="cli",
                                 action="old.thing"))
        session.add(AuditLog(at=now - timedelta(days=1), actor="cli", action="recent.thing"))
        await session.commit()
    removed = await retention.enforce(app.db, now, retention.RetentionSettings())
    assert removed["audit_log"] == 11
    assert await count(app, AuditLog, AuditLog.action == "old.thing") == 0
    assert await count(app, AuditLog, AuditLog.action == "recent.thing") == 1
