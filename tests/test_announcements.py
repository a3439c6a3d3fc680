"""Announcements: preview and confirm, quiet vs urgent, acknowledgements, re-pings, reports."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select

from adapters.console.adapter import ConsoleSession
from adapters.console.messenger import ConsoleMessenger
from bots.app import App
from commands.model import ConversationKind, ConversationRef, Platform, Priority, message_from_json
from store.announcement_models import AnnouncementRecipient
from store.models import AuditLog, Delivery, Forum, Person
from store.people import link_account

ADMIN = "m.zawadzka-hejmo@metropoliakrakowska.example.pl"
WIELICZKA_COORDINATOR = "w.fras@wieliczka.example.pl"


async def link_console_accounts(app: App, gmina: str) -> list[str]:
    """Give everyone in ``gmina`` a console "messenger" with a stored private conversation."""
    async with app.db.session() as session:
        people = (await session.execute(
            select(Person).where(Person.email.like(f"%@{gmina}.example.pl"))  # type: ignore[union-attr]
        )).scalars().all()
        for person in people:
            ref = ConversationRef(Platform.CONSOLE, f"console:{person.email}",
                                  ConversationKind.PERSONAL)
            await link_account(session, platform="console", tenant_id="",
                               external_id=str(person.email), person_id=int(person.id or 0),
                               private_ref=ref.to_json())
        await session.commit()
    return [str(p.email) for p in people]


def console_messenger(app: App) -> ConsoleMessenger:
    messenger = app.messengers["console"]
    assert isinstance(messenger, ConsoleMessenger)
    return messenger


async def deliveries(app: App) -> int:
    async with app.db.session() as session:
        return int(await session.scalar(select(func.count()).select_from(Delivery)) or 0)


async def test_urgent_announcement_preview_confirm_and_acknowledge(app: App) -> None:
    emails = await link_console_accounts(app, "wieliczka")
    admin = ConsoleSession(app.core, ADMIN)
    [preview] = await admin.say("/pilne gmina Wieliczka: Awaria EZD — proszę nie wysyłać pism "
                                "do 12:00.")
    assert "Podgląd PILNEGO ogłoszenia" in preview
    assert f"Wysłać do 12 osób? Teams 0, Telegram 0, Slack 0, konsola {len(emails)}, " \
           f"bez komunikatora {12 - len(emails)}" in preview
    assert await deliveries(app) == 0  # nothing goes out before the author confirms
    [sent] = await admin.say("1")  # "Wyślij"
    assert "Ogłoszenie nr 1 — wysłane" in sent and "potwierdzone: 0" in sent
    again = await admin.core.handle(_press(ADMIN, "ann.send", "1"))
    assert again.notice == "To ogłoszenie zostało już wysłane."  # a double press sends once
    assert await deliveries(app) == len(emails)

    await app.worker.run_once()
    copies = [d.text for d in console_messenger(app).transcript]
    assert len(copies) == len(emails)
    assert all("‼ PILNE" in c and "[1] Potwierdzam" in c and "Awaria EZD" in c for c in copies)

    recipient = ConsoleSession(app.core, emails[0])
    reply = await app.core.handle(_press(emails[0], "ann.ack", "1"))
    assert "potwierdzono odbiór pilnego ogłoszenia nr 1" in reply.notice
    again = await app.core.handle(_press(emails[0], "ann.ack", "1"))
    assert again.notice == "Już potwierdzone — dziękuję."
    outsider = await app.core.handle(_press(ADMIN, "ann.ack", "1"))
    assert outsider.notice == "To ogłoszenie nie było skierowane do Ciebie."
    del recipient
    [report] = await admin.say("/raport 1")
    assert "potwierdzone: 1" in report and f"konsola: dostarczone {len(emails)}" in report
    assert "brak połączonego komunikatora" in report  # the people without any messenger
    async with app.db.session() as session:
        actions = set((await session.execute(select(AuditLog.action))).scalars())
    assert {"announcement.send", "announcement.acknowledge"} <= actions


async def test_unacknowledged_are_pinged_again_then_the_coordinator_is_told(app: App) -> None:
    await link_console_accounts(app, "wieliczka")
    admin = ConsoleSession(app.core, ADMIN)
    await admin.say("/pilne r.nowak@wieliczka.example.pl: Proszę pilnie o kontakt.")
    await admin.say("1")
    await app.worker.run_once()
    announcements = app.core.services.announcements
    assert await announcements.reping_round() == 0  # not yet: 15 minutes have not passed
    app.clock.advance(timedelta(minutes=16))  # type: ignore[attr-defined]
    assert await announcements.reping_round() == 1
    await app.worker.run_once()
    last = console_messenger(app).transcript[-1].text
    assert "PILNE — przypomnienie, prosimy o potwierdzenie" in last
    app.clock.advance(timedelta(minutes=16))  # type: ignore[attr-defined]
    await announcements.reping_round()  # the third and last ping
    app.clock.advance(timedelta(minutes=16))  # type: ignore[attr-defined]
    await announcements.reping_round()  # pings ran out: the gmina's coordinator is told
    await app.worker.run_once()
    told = [d for d in console_messenger(app).transcript
            if d.conversation.conversation_id == f"console:{WIELICZKA_COORDINATOR}"]
    assert told and "Renata Nowak (Wieliczka) nie potwierdził(a) pilnego ogłoszenia nr 1" \
        in told[-1].text
    app.clock.advance(timedelta(minutes=16))  # type: ignore[attr-defined]
    assert await announcements.reping_round() == 0  # nothing more after the escalation
    async with app.db.session() as session:
        pings = await session.scalar(select(AnnouncementRecipient.pings))
    assert pings == 4  # 3 pings + the escalation step


async def test_acknowledging_stops_the_pings(app: App) -> None:
    await link_console_accounts(app, "wieliczka")
    admin = ConsoleSession(app.core, ADMIN)
    await admin.say("/pilne r.nowak@wieliczka.example.pl: Proszę o kontakt.")
    await admin.say("1")
    await app.worker.run_once()
    await app.core.handle(_press("r.nowak@wieliczka.example.pl", "ann.ack", "1"))
    app.clock.advance(timedelta(hours=2))  # type: ignore[attr-defined]
    assert await app.core.services.announcements.reping_round() == 0


async def test_normal_announcement_is_quiet_and_one_copy_per_person(app: App) -> None:
    emails = await link_console_accounts(app, "wieliczka")
    admin = ConsoleSession(app.core, ADMIN)
    [preview] = await admin.say("/ogloszenie gmina Wieliczka: Zebranie w czwartek o 10:00.")
    assert "Wysyłane po cichu" in preview
    await admin.say("1")
    await app.worker.run_once()
    copies = console_messenger(app).transcript
    assert len(copies) == len(emails)
    assert all("Potwierdzam" not in c.text and "‼" not in c.text for c in copies)


async def test_who_may_announce_to_whom(app: App) -> None:
    coordinator = ConsoleSession(app.core, WIELICZKA_COORDINATOR)
    [own] = await coordinator.say("/ogloszenie gmina Wieliczka: Szkolenie RODO w piątek.")
    assert "Podgląd ogłoszenia" in own
    [other] = await coordinator.say("/ogloszenie gmina Skawina: Szkolenie.")
    assert "Możesz wysyłać ogłoszenia tylko do swoich odbiorców" in other
    [everyone] = await coordinator.say("/pilne wszyscy: Test.")
    assert "Możesz wysyłać ogłoszenia tylko do swoich odbiorców" in everyone
    member = ConsoleSession(app.core, "r.nowak@wieliczka.example.pl")
    [refused] = await member.say("/pilne wszyscy: Test.")
    assert "To polecenie jest dostępne tylko dla" in refused


async def test_bad_announcements_get_clear_answers(app: App) -> None:
    admin = ConsoleSession(app.core, ADMIN)
    [usage] = await admin.say("/pilne bez dwukropka")
    assert "Użycie: /pilne <odbiorcy>: <treść>" in usage
    [empty] = await admin.say("/ogloszenie forum PZP:   ")
    assert "Użycie: /ogloszenie" in empty
    [unknown] = await admin.say("/ogloszenie forum NIEMA: Treść")
    assert "Nie rozumiem odbiorcy „forum NIEMA”" in unknown
    async with app.db.session() as session:  # a forum nobody has joined yet
        session.add(Forum(key="PUSTE", name_pl="Forum bez członków"))
        await session.commit()
    [nobody] = await admin.say("/ogloszenie forum PUSTE: Treść")
    assert "Nikt nie pasuje do odbiorców" in nobody
    # A mistyped address among others must not quietly leave that person out.
    for audience in ("nikt@example.pl", "forum PZP, nikt@example.pl"):
        [typo] = await admin.say(f"/ogloszenie {audience}: Treść")
        assert "Nie ma w katalogu: nikt@example.pl" in typo and "nic nie wysłano" in typo
    [long] = await admin.say("/ogloszenie wszyscy: " + "x" * 3500)
    assert "Ogłoszenie ma 3500 znaków" in long
    [emoji] = await admin.say("/ogloszenie wszyscy: " + "🚨" * 2000)  # 4,000 for Telegram
    assert "Ogłoszenie ma 4000 znaków" in emoji
    [injection] = await admin.say("/ogloszenie forum PZP: <!channel> <b>uwaga</b> @here")
    assert "<!channel> <b>uwaga</b> @here" in injection  # kept as text; adapters escape it
    assert await deliveries(app) == 0


def _press(email: str, action: str, value: str):  # type: ignore[no-untyped-def]
    from commands.model import ActionInvoked, Sender

    ref = ConversationRef(Platform.CONSOLE, "console", ConversationKind.PERSONAL)
    return ActionInvoked(platform=Platform.CONSOLE, event_id="", conversation=ref,
                         sender=Sender(Platform.CONSOLE, email), action=action, value=value,
                         message_id="1")


async def test_a_normal_announcement_waits_for_the_working_morning(app: App) -> None:
    from datetime import datetime

    from commands.clock import WARSAW

    await link_console_accounts(app, "wieliczka")
    app.clock.set(datetime(2026, 11, 27, 21, 30, tzinfo=WARSAW))  # type: ignore[attr-defined]
    admin = ConsoleSession(app.core, ADMIN)  # Friday evening
    await admin.say("/ogloszenie gmina Wieliczka: Zebranie w poniedziałek.")
    await admin.say("1")
    await app.worker.run_once()
    assert console_messenger(app).transcript == []  # nobody is pinged at the weekend
    app.clock.set(datetime(2026, 11, 30, 7, 0, tzinfo=WARSAW))  # type: ignore[attr-defined]
    await app.worker.run_once()
    assert console_messenger(app).transcript  # Monday 7:00, the working window opens


async def test_a_normal_announcement_honours_each_persons_own_quiet_hours(app: App) -> None:
    from datetime import datetime

    from commands.clock import WARSAW

    await link_console_accounts(app, "wieliczka")
    early = "r.nowak@wieliczka.example.pl"  # she keeps her phone quiet until 9:00
    await ConsoleSession(app.core, early).say("/cisza 18:00-9:00")
    app.clock.set(datetime(2026, 11, 30, 8, 0, tzinfo=WARSAW))  # type: ignore[attr-defined]
    admin = ConsoleSession(app.core, ADMIN)  # Monday, 8:00
    await admin.say("/ogloszenie gmina Wieliczka: Zebranie o 12:00.")
    await admin.say("1")
    await app.worker.run_once()
    reached = {d.conversation.conversation_id for d in console_messenger(app).transcript}
    assert f"console:{early}" not in reached and len(reached) > 2  # the others have theirs
    app.clock.set(datetime(2026, 11, 30, 9, 0, tzinfo=WARSAW))  # type: ignore[attr-defined]
    await app.worker.run_once()
    reached = {d.conversation.conversation_id for d in console_messenger(app).transcript}
    assert f"console:{early}" in reached


async def test_a_preview_confirmed_hours_later_is_not_sent(app: App) -> None:
    """The counts the author confirmed may no longer hold: a stale preview asks for a new one."""
    await link_console_accounts(app, "wieliczka")
    admin = ConsoleSession(app.core, ADMIN)
    await admin.say("/pilne gmina Wieliczka: Awaria EZD.")
    app.clock.advance(timedelta(hours=2))  # type: ignore[attr-defined]
    [stale] = await admin.say("1")
    assert "Ten podgląd ma ponad godzinę" in stale
    again = await app.core.handle(_press(ADMIN, "ann.send", "1"))
    assert again.notice == "Anulowano — nic nie wysłano."
    assert await deliveries(app) == 0
    await admin.say("/pilne gmina Wieliczka: Awaria EZD.")  # a fresh preview goes out
    [sent] = await admin.say("1")
    assert "Ogłoszenie nr 1 — wysłane" in sent  # the stale preview took no number


async def test_the_report_lists_everyone_on_request(app: App) -> None:
    emails = []
    for gmina in ("wieliczka", "skawina", "zabierzow", "niepolomice"):
        emails += await link_console_accounts(app, gmina)
    admin = ConsoleSession(app.core, ADMIN)
    await admin.say("/pilne gmina Wieliczka, gmina Skawina, gmina Zabierzów, gmina Niepołomice: "
                    "Próbny alarm.")
    await admin.say("1")
    await app.worker.run_once()
    def people_lines(report: str) -> list[str]:
        return [line for line in report.splitlines()
                if "jeszcze nie potwierdził(a)" in line or "brak połączonego" in line]

    [short] = await admin.say("/raport 1")
    more = re.search(r"… i (\d+) więcej — wszystkie: /raport 1 wszystko", short)
    assert more is not None and len(people_lines(short)) == 30
    [everyone] = "\n".join(await admin.say("/raport 1 wszystko")),
    assert len(people_lines(everyone)) == 30 + int(more.group(1))
    assert sum("jeszcze nie potwierdził(a)" in line for line in people_lines(everyone)) \
        == len(emails)
    assert "więcej" not in everyone
    [usage] = await admin.say("/raport 1 coś")
    assert "Użycie: /raport <numer ogłoszenia> [wszystko]" in usage


async def test_a_coordinator_may_name_their_own_staff_but_not_others(app: App) -> None:
    await link_console_accounts(app, "wieliczka")
    coordinator = ConsoleSession(app.core, WIELICZKA_COORDINATOR)
    [preview] = await coordinator.say("/ogloszenie r.nowak@wieliczka.example.pl: Proszę o raport.")
    assert "Wysłać do 1 osoby?" in preview
    [refused] = await coordinator.say("/ogloszenie p.sikora@skawina.example.pl: Proszę o raport.")
    assert "Możesz wysyłać ogłoszenia tylko do swoich odbiorców" in refused


async def test_when_no_coordinator_can_be_told_the_author_is(app: App) -> None:
    from store.models import RoleGrant

    await link_console_accounts(app, "wieliczka")
    await link_console_accounts(app, "metropoliakrakowska")  # the office, the author
    async with app.db.session() as session:  # Wieliczka's coordinator has left
        for grant in (await session.execute(select(RoleGrant).where(
                RoleGrant.role == "gmina_coordinator"))).scalars():  # type: ignore[arg-type]
            await session.delete(grant)
        await session.commit()
    admin = ConsoleSession(app.core, ADMIN)
    await admin.say("/pilne r.nowak@wieliczka.example.pl, j.kolodziej@wieliczka.example.pl: "
                    "Proszę pilnie o kontakt.")
    await admin.say("1")
    await app.worker.run_once()
    announcements = app.core.services.announcements
    for _ in range(3):
        app.clock.advance(timedelta(minutes=16))  # type: ignore[attr-defined]
        await announcements.reping_round()
    await app.worker.run_once()
    told = [d.text for d in console_messenger(app).transcript
            if d.conversation.conversation_id == f"console:{ADMIN}"
            and "nie mam komu tego zgłosić" in d.text]
    # Once per announcement, however many people did not acknowledge.
    assert len(told) == 1 and "/raport 1 wszystko" in told[0]
    assert "Renata Nowak (Wieliczka)" in told[0] or "Jolanta Kołodziej (Wieliczka)" in told[0]
    async with app.db.session() as session:
        actions = list((await session.execute(select(AuditLog.action))).scalars())
    assert actions.count("announcement.escalate") == 2  # each person's escalation is audited


async def test_each_recipient_gets_the_copy_in_their_language(app: App) -> None:
    emails = await link_console_accounts(app, "wieliczka")
    await ConsoleSession(app.core, emails[0]).say("/moje-dane język en")
    admin = ConsoleSession(app.core, ADMIN)
    await admin.say(f"/pilne {emails[0]}, {emails[1]}: Awaria EZD.")
    await admin.say("1")
    await app.worker.run_once()
    copies = {d.conversation.conversation_id: d.text for d in console_messenger(app).transcript}
    assert "‼ URGENT" in copies[f"console:{emails[0]}"]
    assert "[1] Acknowledge" in copies[f"console:{emails[0]}"]
    assert "‼ PILNE" in copies[f"console:{emails[1]}"]


# --- urgent announcements in the forums' groups -----------------------------------------------

PZP_GROUP = ConversationRef(Platform.CONSOLE, "grupa-pzp", ConversationKind.GROUP)
ODPADY_GROUP = ConversationRef(Platform.CONSOLE, "grupa-odpady", ConversationKind.CHANNEL)
TRANSPORT_GROUP = ConversationRef(Platform.CONSOLE, "grupa-transport", ConversationKind.GROUP)


def _in_group(email: str, group: ConversationRef, text: str = "", *, action: str = "",
              value: str = ""):  # type: ignore[no-untyped-def]
    """A command written, or a button pressed, in a group (the console stands in for one)."""
    from commands.model import ActionInvoked, MessageReceived, Sender

    sender = Sender(Platform.CONSOLE, email, email)
    if action:
        return ActionInvoked(platform=Platform.CONSOLE, event_id="", conversation=group,
                             sender=sender, action=action, value=value, message_id="1")
    return MessageReceived(platform=Platform.CONSOLE, event_id="", conversation=group,
                           sender=sender, text=text)


def posts_in(app: App, group: ConversationRef) -> list[str]:
    return [d.text for d in console_messenger(app).transcript
            if d.conversation.conversation_id == group.conversation_id and not d.edited]


async def register_groups(app: App) -> None:
    for group, key in ((PZP_GROUP, "PZP"), (ODPADY_GROUP, "ODPADY"),
                       (TRANSPORT_GROUP, "TRANSPORT")):
        reply = await app.core.handle(_in_group(ADMIN, group, f"/forum podlacz {key}"))
        assert f"należy teraz do forum {key}" in reply.messages[0].text


async def test_an_urgent_announcement_is_posted_in_the_groups_of_its_forums(app: App) -> None:
    await link_console_accounts(app, "wieliczka")
    await register_groups(app)
    admin = ConsoleSession(app.core, ADMIN)
    [preview] = await admin.say("/pilne forum PZP, forum ODPADY: Awaria EZD <!channel> @here")
    assert "Post w grupach forów: 2 (konsola 2)." in preview
    await admin.say("1")
    await app.worker.run_once()
    [pzp_post] = posts_in(app, PZP_GROUP)
    [odpady_post] = posts_in(app, ODPADY_GROUP)
    assert posts_in(app, TRANSPORT_GROUP) == []  # a forum not addressed sees nothing
    for post in (pzp_post, odpady_post):
        assert post.startswith("‼ PILNE") and "Awaria EZD <!channel> @here" in post
        assert "[1] Potwierdzam" in post and "każdy za siebie" in post
    async with app.db.session() as session:
        priorities = {message_from_json(p).priority for p in (await session.execute(
            select(Delivery.payload).where(Delivery.source == "announcement:1:groups")
        )).scalars()}
    assert priorities == {Priority.URGENT}

    # In a group the button counts only for whoever presses it, and only for a recipient;
    # nobody's answer is posted into the group.
    renata = await app.core.handle(_in_group("r.nowak@wieliczka.example.pl", PZP_GROUP,
                                             action="ann.ack", value="1"))
    assert renata.messages == []
    assert renata.notice == "Dziękuję — potwierdzono odbiór pilnego ogłoszenia nr 1."
    anna = await app.core.handle(_in_group("a.hajduk@wieliczka.example.pl", PZP_GROUP,
                                           action="ann.ack", value="1"))  # not in PZP/ODPADY
    assert anna.messages == [] and anna.notice == "To ogłoszenie nie było skierowane do Ciebie."
    stranger = await app.core.handle(_in_group("ktos@example.com", ODPADY_GROUP,
                                               action="ann.ack", value="1"))
    assert stranger.messages == [] and "Nie wiem jeszcze, kim jesteś" in stranger.notice
    again = await app.core.handle(_press("r.nowak@wieliczka.example.pl", "ann.ack", "1"))
    assert again.notice == "Już potwierdzone — dziękuję."  # her own copy: already counted
    async with app.db.session() as session:
        acknowledged = (await session.execute(
            select(Person.email).join(AnnouncementRecipient,
                                      AnnouncementRecipient.person_id == Person.id)
            .where(AnnouncementRecipient.acknowledged_at != None)  # noqa: E711
        )).scalars().all()
    assert acknowledged == ["r.nowak@wieliczka.example.pl"]
    assert len(posts_in(app, PZP_GROUP)) == 1 and len(posts_in(app, ODPADY_GROUP)) == 1

    [report] = await admin.say("/raport 1")
    assert "potwierdzone: 1" in report
    assert "Posty w grupach forów:\nkonsola — grupa-pzp (forum PZP): wysłany\n" \
           "konsola — grupa-odpady (forum ODPADY): wysłany" in report


async def test_group_posts_only_for_urgent_forum_announcements(app: App) -> None:
    await link_console_accounts(app, "wieliczka")
    await register_groups(app)
    admin = ConsoleSession(app.core, ADMIN)
    [preview] = await admin.say("/pilne wszyscy: Ćwiczenia alarmowe.")
    assert "Post w grupach forów: 3 (konsola 3)." in preview  # everyone: every forum group
    [gmina] = await admin.say("/pilne gmina Wieliczka: Awaria.")  # a gmina has no groups
    assert "Post w grupach forów" not in gmina
    await admin.say("1")
    [quiet] = await admin.say("/ogloszenie forum PZP: Spotkanie w czwartek.")
    assert "Post w grupach forów" not in quiet  # normal ones reach people only
    await admin.say("1")
    await app.worker.run_once()
    assert [posts_in(app, g) for g in (PZP_GROUP, ODPADY_GROUP, TRANSPORT_GROUP)] == [[], [], []]
    [report] = await admin.say("/raport 2")
    assert "Posty w grupach forów" not in report


# --- the author's copy: refreshed at most every 15 s, the latest counts win -------------------


def authors_copy_edits(app: App) -> list[str]:
    return [d.text for d in console_messenger(app).transcript
            if d.conversation.conversation_id == "console" and d.edited]


async def test_a_refresh_still_owed_is_made_after_a_restart(app: App) -> None:
    from bots.app import build_app

    emails = await link_console_accounts(app, "wieliczka")
    emails += await link_console_accounts(app, "skawina")
    emails += await link_console_accounts(app, "zabierzow")
    admin = ConsoleSession(app.core, ADMIN)
    await admin.say("/pilne gmina Wieliczka, gmina Skawina, gmina Zabierzów: Próbny alarm.")
    await app.core.handle(_press(ADMIN, "ann.send", "1"))  # the copy is message "1" there
    await app.worker.run_once()
    for email in emails[:20]:  # twenty acknowledgements within ten seconds
        app.clock.advance(timedelta(seconds=0.5))  # type: ignore[attr-defined]
        await app.core.handle(_press(email, "ann.ack", "1"))
    assert authors_copy_edits(app) == []  # the copy was written at sending, 10 s ago
    # The service restarts before showing them: a new app on the same database.
    restarted = build_app(app.config, clock=app.clock, db=app.db, morphology=app.morphology)
    restarted.messengers["console"] = app.messengers["console"]
    announcements = restarted.core.services.announcements
    assert await announcements.flush_author_copies() == 0  # 10 s after sending: not yet
    app.clock.advance(timedelta(seconds=5))  # type: ignore[attr-defined]
    assert await announcements.flush_author_copies() == 1
    [edit] = authors_copy_edits(app)
    assert "Ogłoszenie nr 1 — wysłane" in edit and "potwierdzone: 20" in edit
    app.clock.advance(timedelta(minutes=5))  # type: ignore[attr-defined]
    assert await announcements.flush_author_copies() == 0  # nothing more to show
    await app.core.handle(_press(emails[20], "ann.ack", "1"))  # a late one: shown at once
    assert "potwierdzone: 21" in authors_copy_edits(app)[-1]


async def test_only_sent_urgent_announcements_can_be_acknowledged(app: App) -> None:
    await link_console_accounts(app, "wieliczka")
    admin = ConsoleSession(app.core, ADMIN)
    await admin.say("/ogloszenie r.nowak@wieliczka.example.pl: Zebranie w czwartek.")
    await admin.say("1")
    await admin.say("/pilne r.nowak@wieliczka.example.pl: Awaria.")  # a draft, not sent
    for number in ("1", "2", "99"):  # forged or stale buttons: a normal one, a draft, none
        reply = await app.core.handle(_press("r.nowak@wieliczka.example.pl", "ann.ack", number))
        assert reply.notice == "Ten przycisk jest już nieaktualny. Zapytaj jeszcze raz."
    async with app.db.session() as session:
        acknowledged = await session.scalar(select(func.count()).select_from(
            AnnouncementRecipient).where(AnnouncementRecipient.acknowledged_at != None))  # noqa: E711
    assert acknowledged == 0
