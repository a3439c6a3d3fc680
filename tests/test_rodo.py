"""RODO / GDPR: a person's data handed to them (`lacznik people export`, `/moje-dane
eksport`) and erased (`lacznik people forget`), on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import json
import os
import pty
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select

from adapters.console.adapter import ConsoleSession
from bots.app import App
from commands.model import ConversationKind, ConversationRef, Platform
from store.forum_models import Question
from store.models import (
    AuditLog,
    ContactEntry,
    Delivery,
    MessengerAccount,
    Person,
    Role,
    RoleGrant,
)
from store.people import person_by_email
from store.prompt_models import PendingPrompt
from tests.conftest import REPO
from tests.test_announcements import _press
from tests.test_backup import cli_url, lacznik
from tests.test_forums import ADMIN, ASKER, EXPERT, GROUP_A, ask, posts_in, said, setup_forum

ASKER_PHONE = "+48 12 000 70 71"


async def a_life_in_the_bot(app: App) -> None:
    """The asker's history: a forum question answered by the expert, an urgent announcement
    acknowledged, a reminder, a calendar feed, a role."""
    await setup_forum(app)
    await ask(app)
    [(post, _)] = posts_in(app, GROUP_A)
    await app.core.handle(said(EXPERT, "Wzór klauzuli jest w załączniku do uchwały 12/2024.",
                               GROUP_A, addressed=False, reply_to=post, message_id="ans-1"))
    admin = ConsoleSession(app.core, ADMIN)
    await admin.say("/pilne gmina Wieliczka: awaria EZD do 12:00")
    await admin.say("1")  # send
    await app.core.handle(_press(ASKER, "ann.ack", "1"))
    asker = ConsoleSession(app.core, ASKER)
    await asker.say("/przypomnij jutro o 9 wysłać sprawozdanie")
    await asker.say("/kalendarz")
    await app.worker.run_once()


async def test_export_holds_everything_about_the_person(
        app: App, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    await a_life_in_the_bot(app)
    capsys.readouterr()
    assert await lacznik(monkeypatch, app.db, "roles", "grant", ASKER, "gmina_coordinator",
                         "--gmina", "Wieliczka") == 0
    capsys.readouterr()

    assert await lacznik(monkeypatch, app.db, "people", "export", ASKER) == 0
    output = capsys.readouterr().out
    data = json.loads(output)  # JSON on standard output, nothing else
    entry = data["directory_entry"]
    assert (entry["name"], entry["email"], entry["phone"]) == \
        ("Renata Nowak", ASKER, ASKER_PHONE)
    assert entry["gmina"] == "Wieliczka" and entry["handles"]
    assert [a["platform"] for a in data["messenger_accounts"]] == ["console"]
    assert [(r["role"], r["gmina"]) for r in data["roles"]] == \
        [("gmina_coordinator", "Wieliczka")]
    assert [q["text"] for q in data["forum_questions"]] == \
        ["Czy ktoś ma wzór klauzuli waloryzacyjnej?"]
    assert data["forum_answers"] == []  # the expert's answer is the expert's
    [ack] = data["announcement_acknowledgements"]
    assert ack["acknowledged_at"] and ack["acknowledged_on"] == "console"
    assert [r["text"] for r in data["reminders"]] == ["wysłać sprawozdanie"]
    [feed] = data["calendar_feeds"]
    assert "token_hash" not in feed  # a credential, not data about the person
    assert any(m["kind"] == "announcement" for m in data["messages_sent_to_them"])
    assert all("payload" not in m for m in data["messages_sent_to_them"])
    actions = {a["action"] for a in data["audit_entries"]}
    assert {"forum.ask", "announcement.acknowledge", "role.grant"} <= actions
    assert "p.sikora" not in output and "Paulina Sikora" not in output  # nobody else's data

    target = tmp_path / "renata.json"
    assert await lacznik(monkeypatch, app.db, "people", "export", ASKER,
                         "--output", str(target)) == 0
    assert json.loads(target.read_text(encoding="utf-8"))["directory_entry"]["email"] == ASKER
    assert stat.S_IMODE(target.stat().st_mode) == 0o600  # personal data: the owner only
    assert capsys.readouterr().out == ""

    assert await lacznik(monkeypatch, app.db, "people", "export", "nikt@example.pl") == 2
    assert "no person with e-mail 'nikt@example.pl'" in capsys.readouterr().err


async def test_forget_erases_the_person_and_keeps_the_forum_history_anonymous(
        app: App, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    await a_life_in_the_bot(app)
    async with app.db.session() as session:
        expert = await person_by_email(session, EXPERT)
        assert expert is not None
    expert_id = int(expert.id or 0)
    # She had just started a reminder and was asked "when?": what she typed is hers too.
    await ConsoleSession(app.core, EXPERT).say("/przypomnij")
    capsys.readouterr()
    assert await lacznik(monkeypatch, app.db, "people", "export", EXPERT) == 0
    assert json.loads(capsys.readouterr().out)["other"]["pendingprompt"]

    assert await lacznik(monkeypatch, app.db, "people", "forget", EXPERT, "--yes") == 0
    said_ = capsys.readouterr().out
    assert f"{EXPERT}: personal data erased" in said_ and "erased:" in said_

    async with app.db.session() as session:
        assert await person_by_email(session, EXPERT) is None
        stub = await session.get(Person, expert_id)
        assert stub is not None and stub.name == "osoba usunięta"
        assert (stub.email, stub.phone, stub.position, stub.notes, stub.gmina_id) == \
            (None, "", "", "", None)
        for table, column in ((ContactEntry, ContactEntry.person_id),
                              (MessengerAccount, MessengerAccount.person_id)):
            left = await session.scalar(select(func.count()).select_from(table).where(
                column == expert_id))
            assert left == 0, table
        audit = list((await session.execute(select(AuditLog))).scalars())
        payloads = list((await session.execute(select(Delivery.payload))).scalars())
        assert await session.scalar(select(func.count()).select_from(PendingPrompt)) == 0
        assert (await session.get(Question, 1)) is not None  # the question stays
    everything = "\n".join(f"{a.actor} {a.target} {a.details}" for a in audit)
    assert not re.search(rf"person:{expert_id}(?!\d)", everything)
    assert EXPERT not in everything and "Sikora" not in everything
    # The copies the bot keeps of what it posted no longer name her either.
    assert payloads and not [p for p in payloads if "Sikora" in p]
    assert any("osoba usunięta" in p for p in payloads)
    [erasure] = [a for a in audit if a.action == "person.forget"]
    assert erasure.actor == "cli" and erasure.target.startswith("erased:")

    # The directory no longer knows her (the running service polls the directory version at
    # most every 2 s); the forum archive shows her answer, not her name.
    await asyncio.sleep(2.1)
    admin = ConsoleSession(app.core, ADMIN)
    assert "Paulina Sikora" not in "\n".join(await admin.say("kto od zamówień w Skawinie?"))
    member = ConsoleSession(app.core, ASKER)
    [found] = await member.say("/szukaj klauzula waloryzacyjna")
    assert "↳ osoba usunięta: Wzór klauzuli jest w załączniku" in found
    assert "Sikora" not in found

    # A second erasure finds nobody to erase.
    capsys.readouterr()
    assert await lacznik(monkeypatch, app.db, "people", "forget", EXPERT, "--yes") == 2
    assert "no person with e-mail" in capsys.readouterr().err


async def test_forget_asks_first_and_never_removes_the_last_admin(
        app: App, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    # Without --yes and without a terminal to ask at, nothing happens.
    assert await lacznik(monkeypatch, app.db, "people", "forget", ASKER) == 2
    assert "confirm with --yes" in capsys.readouterr().err
    async with app.db.session() as session:
        assert await person_by_email(session, ASKER) is not None
        admin = await person_by_email(session, ADMIN)
        assert admin is not None
        await session.execute(delete(RoleGrant).where(
            RoleGrant.role == Role.ADMIN.value, RoleGrant.person_id != admin.id))  # type: ignore[arg-type]
        await session.commit()
    assert await lacznik(monkeypatch, app.db, "people", "forget", ADMIN, "--yes") == 2
    assert "is the last admin" in capsys.readouterr().err
    assert await lacznik(monkeypatch, app.db, "roles", "grant", ASKER, "admin") == 0
    assert await lacznik(monkeypatch, app.db, "people", "forget", ADMIN, "--yes") == 0
    async with app.db.session() as session:
        assert await person_by_email(session, ADMIN) is None


async def test_my_data_export_comes_to_my_private_chat_only(app: App) -> None:
    await a_life_in_the_bot(app)
    asker = ConsoleSession(app.core, ASKER)
    for day in range(1, 25):  # enough history to need several messages
        await asker.say(f"/przypomnij za {day} dni o 9 zadzwonić do wykonawcy nr {day}")
    replies = await asker.say("/moje-dane eksport")
    intro, *parts = replies
    assert "Oto wszystko, co Łącznik przechowuje o Tobie" in intro
    assert len(parts) > 1 and f"w {len(parts)} częściach" in intro
    assert all(len(part) <= 2600 for part in parts)  # fits every messenger
    body = "\n".join(part.split("\n", 1)[1] for part in parts)  # without "Część n z m:"
    data = json.loads(body)
    assert data["directory_entry"]["email"] == ASKER
    assert len(data["reminders"]) == 25

    reply = await app.core.handle(said(ASKER, "/moje-dane eksport", GROUP_A))
    [refusal] = reply.messages
    assert "tylko w prywatnej rozmowie" in refusal.text and "@" not in refusal.text
    assert ASKER_PHONE not in refusal.text

    await asker.say("/moje-dane język en")
    [intro, *_] = await asker.say("/me export")
    assert "Here is everything Łącznik holds about you" in intro
    group = ConversationRef(Platform.CONSOLE, GROUP_A.conversation_id, ConversationKind.GROUP)
    reply = await app.core.handle(said(ASKER, "/me export", group))
    assert "I send your data only in a private chat" in reply.messages[0].text


async def test_forget_at_a_terminal_asks_for_the_e_mail_again(app: App) -> None:
    def at_terminal(answer: str) -> subprocess.CompletedProcess[str]:
        controller, terminal = pty.openpty()
        try:
            os.write(controller, answer.encode() + b"\n")  # typed ahead, read at the prompt
            environment = {k: v for k, v in os.environ.items() if not k.startswith("LACZNIK_")}
            environment.update(PYTHONPATH=str(REPO), LACZNIK_DATABASE_URL=cli_url(app.db))
            return subprocess.run(
                [sys.executable, "-m", "bots.cli", "people", "forget", EXPERT],
                stdin=terminal, capture_output=True, text=True, env=environment,
                timeout=300, check=False)
        finally:
            os.close(controller)
            os.close(terminal)

    wrong = await asyncio.to_thread(at_terminal, "nie")
    assert wrong.returncode == 1 and "nothing erased" in wrong.stderr
    assert "Type the e-mail address again to confirm" in wrong.stdout
    async with app.db.session() as session:
        assert await person_by_email(session, EXPERT) is not None
    right = await asyncio.to_thread(at_terminal, EXPERT)
    assert right.returncode == 0, right.stderr
    assert f"{EXPERT}: personal data erased" in right.stdout
    async with app.db.session() as session:
        assert await person_by_email(session, EXPERT) is None
