"""Announcement numbers and counts as the author meets them: numbers that do not skip (a
cancelled or stale preview takes none), a preview and a report that count the same people the
same way, and a report that does not send its reader to itself. Console and Slack/Telegram
fakes, SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from adapters.console.adapter import ConsoleSession
from adapters.console.messenger import ConsoleMessenger
from bots.app import App
from commands.announcements import handlers
from commands.clock import ManualClock
from commands.model import ActionInvoked, ConversationKind, ConversationRef, Platform, Sender
from store.models import Gmina, MessengerAccount, Person
from store.people import link_account
from tests.world import JOLANTA, RENATA, THE_OFFICE, World, mail

ADMIN = "m.zawadzka-hejmo@metropoliakrakowska.example.pl"
COORDINATOR = "w.fras@wieliczka.example.pl"  # Wieliczka's coordinator, herself in Wieliczka
CUT_OFF = "j.kolodziej@wieliczka.example.pl"  # linked, but she blocked the bot


async def link_wieliczka(app: App, *, without: int) -> list[str]:
    """Console accounts for Wieliczka's staff but the last ``without`` of them; returns the
    linked e-mails."""
    async with app.db.session() as session:
        people = list((await session.execute(
            select(Person).join(Gmina, Gmina.id == Person.gmina_id)  # type: ignore[arg-type]
            .where(Gmina.name == "Wieliczka").order_by(Person.id))).scalars())
        linked = [p for p in people if p.email != CUT_OFF][:len(people) - without - 1]
        for person in [*linked, *(p for p in people if p.email == CUT_OFF)]:
            user = person.email or f"person-{person.id}"
            ref = ConversationRef(Platform.CONSOLE, f"console:{user}",
                                  ConversationKind.PERSONAL)
            await link_account(session, platform="console", tenant_id="", external_id=user,
                               person_id=int(person.id or 0), private_ref=ref.to_json())
        await session.commit()
        await session.execute(update(MessengerAccount).where(
            MessengerAccount.external_id == CUT_OFF)  # type: ignore[arg-type]
            .values(reachable=False, unreachable_reason="Forbidden: bot was blocked by the user"))
        await session.commit()
    return [p.email or f"person-{p.id}" for p in linked]


def press(email: str, action: str, value: str) -> ActionInvoked:
    ref = ConversationRef(Platform.CONSOLE, "console", ConversationKind.PERSONAL)
    return ActionInvoked(platform=Platform.CONSOLE, event_id="", conversation=ref,
                         sender=Sender(Platform.CONSOLE, email), action=action, value=value,
                         message_id="1")


def counts(text: str) -> dict[str, int]:
    """The "name: number" counters of a report or an author's copy."""
    [line] = [line for line in text.splitlines() if line.startswith("Odbiorcy:")]
    return {name.strip(): int(value)
            for name, value in re.findall(r"([A-Za-ząćęłńóśźż ]+): (\d+)", line)}


# --- numbers -----------------------------------------------------------------------------------


async def test_cancelled_and_stale_previews_use_no_number(app: App) -> None:
    await link_wieliczka(app, without=3)
    admin = ConsoleSession(app.core, ADMIN)
    await admin.say("/ogloszenie gmina Wieliczka: Pierwsza wersja.")
    assert await admin.say("2") == ["Anulowano — nic nie wysłano."]  # "Anuluj"
    await admin.say("/pilne gmina Wieliczka: Awaria EZD.")
    assert isinstance(app.clock, ManualClock)
    app.clock.advance(timedelta(hours=2))
    [stale] = await admin.say("1")
    assert "Ten podgląd ma ponad godzinę" in stale
    await admin.say("/ogloszenie gmina Wieliczka: Zebranie w czwartek.")
    [first] = await admin.say("1")
    assert "Ogłoszenie nr 1 — wysłane" in first and "Szczegóły: /raport 1" in first
    await admin.say("/pilne gmina Wieliczka: Awaria EZD do 12:00.")
    [second] = await admin.say("1")
    assert "Ogłoszenie nr 2 — wysłane" in second
    [report] = await admin.say("/raport 2")
    assert report.startswith("Raport ogłoszenia nr 2")
    assert await admin.say("/raport 3") == [
        "Nie mam wysłanego ogłoszenia nr 3, do którego masz dostęp."]
    # The button carries the stored announcement (its fourth preview); the person reads nr 2.
    await app.worker.run_once()
    linked = next(d for d in app_transcript(app) if "Awaria EZD do 12:00" in d)
    assert "[1] Potwierdzam" in linked
    acknowledged = await app.core.handle(press(_someone(app), "ann.ack", "4"))
    assert acknowledged.notice == "Dziękuję — potwierdzono odbiór pilnego ogłoszenia nr 2."


def app_transcript(app: App) -> list[str]:
    messenger = app.messengers["console"]
    assert isinstance(messenger, ConsoleMessenger)
    return [d.text for d in messenger.transcript]


def _someone(app: App) -> str:
    messenger = app.messengers["console"]
    assert isinstance(messenger, ConsoleMessenger)
    return next(d.conversation.conversation_id.removeprefix("console:")
                for d in messenger.transcript if "Awaria EZD do 12:00" in d.text)


# --- counts ------------------------------------------------------------------------------------


async def test_the_report_counts_people_as_the_preview_did(app: App) -> None:
    linked = await link_wieliczka(app, without=3)
    admin = ConsoleSession(app.core, ADMIN)
    [preview] = await admin.say("/pilne gmina Wieliczka: Próbny alarm.")
    total = len(linked) + 3 + 1
    assert f"Wysłać do {total} osób? Teams 0, Telegram 0, Slack 0, konsola {len(linked)}, " \
           f"bez komunikatora 3, nieosiągalni 1" in preview
    [sent] = await admin.say("1")
    await app.worker.run_once()
    [report] = await admin.say("/raport 1")
    assert counts(report) == {"Odbiorcy": total, "potwierdzone": 0,
                              "dostarczone": len(linked), "w drodze": 0, "nieudane": 0,
                              "bez komunikatora": 3, "nieosiągalni": 1}
    assert "Jolanta Kołodziej — konsola: zablokował(a) bota" in report
    # Each person is in exactly one of the groups, as in the preview.
    shown = counts(report)
    assert shown["Odbiorcy"] == sum(shown[k] for k in (
        "dostarczone", "w drodze", "nieudane", "bez komunikatora", "nieosiągalni"))
    assert counts(sent)["nieosiągalni"] == 1 and counts(sent)["bez komunikatora"] == 3


async def test_the_author_is_neither_counted_nor_pinged_nor_reported(app: App) -> None:
    linked = await link_wieliczka(app, without=3)
    assert COORDINATOR in linked
    coordinator = ConsoleSession(app.core, COORDINATOR)
    [preview] = await coordinator.say("/pilne gmina Wieliczka: Awaria wody.")
    total = len(linked) + 3  # her staff without her, the cut-off one included
    assert f"Wysłać do {total} osób?" in preview
    assert "Ciebie nie liczę — jako autor dostaniesz własną kopię z licznikami." in preview
    [sent] = await coordinator.say("1")
    assert counts(sent)["Odbiorcy"] == total
    await app.worker.run_once()
    to_her = [d for d in app_transcript_refs(app) if d == f"console:{COORDINATOR}"]
    assert to_her == []  # her own copy is the confirmed preview, not a second message
    for _ in range(4):  # pings run out: nobody tells her coordinator (herself) about herself
        assert isinstance(app.clock, ManualClock)
        app.clock.advance(timedelta(minutes=16))
        await app.core.services.announcements.reping_round()
    await app.worker.run_once()
    told = [text for text in app_transcript(app) if "nie potwierdził(a)" in text]
    assert told and not any("Wioletta Fraś (Wieliczka) nie potwierdził" in t for t in told)
    [report] = await coordinator.say("/raport 1")
    assert "Wioletta Fraś" not in report and counts(report)["Odbiorcy"] == total


# --- a report does not point to itself -----------------------------------------------------


async def test_a_report_does_not_send_its_reader_to_itself(
        app: App, monkeypatch: pytest.MonkeyPatch) -> None:
    await link_wieliczka(app, without=3)
    admin = ConsoleSession(app.core, ADMIN)
    await admin.say("/pilne gmina Wieliczka, gmina Skawina: Próbny alarm.")
    [sent] = await admin.say("1")
    assert "Szczegóły: /raport 1" in sent  # the author's copy points to the report
    [report] = await admin.say("/raport 1")
    assert "/raport 1\n" not in report + "\n" and "Szczegóły" not in report
    monkeypatch.setattr(handlers, "REPORT_ALL", 5)  # "wszystko", with more people than shown
    [everyone] = ["\n".join(await admin.say("/raport 1 wszystko"))]
    assert "/raport 1" not in everyone
    assert re.search(r"… i \d+ więcej \(raport pokazuje najwyżej 5 osób\)\.", everyone)
    english = ConsoleSession(app.core, ADMIN, lang="en")
    [report_en] = await english.say("/report 1")
    assert report_en.startswith("Report of announcement no. 1") and "/report 1" not in report_en


def app_transcript_refs(app: App) -> list[str]:
    messenger = app.messengers["console"]
    assert isinstance(messenger, ConsoleMessenger)
    return [d.conversation.conversation_id for d in messenger.transcript]


# --- on the messengers -----------------------------------------------------------------------


async def test_urgent_copies_per_messenger_and_people_agree_on_slack(world: World) -> None:
    await world.link(RENATA, JOLANTA)  # both on two messengers
    await world.slack_says(THE_OFFICE, f"pilne {mail(RENATA, JOLANTA)}: Ewakuacja o 11:00.")
    preview = world.on_slack(THE_OFFICE)[-1]["text"]
    assert "Wysłać do 2 osób? Teams 1, Telegram 2, Slack 1" in preview
    assert "4 kopie dla 2 osób" in preview
    # Cancelled on Slack too: the next one sent is still nr 1.
    assert await world.slack_press(THE_OFFICE, world.on_slack(THE_OFFICE)[-1], "Anuluj") == 200
    await world.slack.drain()
    author_copy = await world.announce(THE_OFFICE, f"pilne {mail(RENATA, JOLANTA)}: "
                                                   "Ewakuacja o 11:00.")
    assert "Ogłoszenie nr 1 — wysłane" in author_copy["text"]
    await world.deliver()
    await world.telegram_press(RENATA, world.on_telegram(RENATA)[-1], "Potwierdzam")
    await world.slack_says(THE_OFFICE, "raport 1")
    report = world.on_slack(THE_OFFICE)[-1]["text"]
    assert "Odbiorcy: 2 · potwierdzone: 1 · dostarczone: 2 · w drodze: 0 · nieudane: 0 · " \
           "bez komunikatora: 0" in report
    assert "Telegram: dostarczone 2, w drodze 0, nieudane 0" in report
    assert "/raport 1" not in report
