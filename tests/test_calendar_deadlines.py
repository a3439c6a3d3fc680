"""Deadlines: what must be delivered, by whom and by when — reminders, "Zrobione", changes."""

from __future__ import annotations

from datetime import datetime

from bots.app import App
from commands.clock import WARSAW
from tests.calendar_helpers import (
    ADMIN,
    MEMBER,
    MODERATOR,
    Timeline,
    buttons_of_last_message_to,
    link_console,
    press,
    session_as,
)

SIKORA = "p.sikora@skawina.example.pl"  # PZP member from Skawina
KRAKOW_COORDINATOR = "l.kolodziej@krakow.example.pl"


def warsaw(*args: int) -> datetime:
    return datetime(*args, tzinfo=WARSAW)


async def test_a_forum_deadline_reminds_until_done(app: App) -> None:
    await link_console(app, MODERATOR, MEMBER, SIKORA)
    moderator = session_as(app, MODERATOR)
    [created] = await moderator.say(
        "/termin nowy PZP\nco: sprawozdanie z udzielonych zamówień za 2026\n"
        "do: 4 grudnia 12:00\nkto: Wieliczka, Skawina")
    assert created.startswith("Zapisano termin #1")
    assert "do: piątek, 4 grudnia 2026, 12:00" in created
    assert "Dla: członkowie forum Forum Prawa Zamówień Publicznych z gmin: Wieliczka, Skawina" \
        in created
    assert "Zaplanowane przypomnienia: 4 (zaproszonych osób: 2)" in created

    timeline = Timeline(app)
    first = await timeline.run_until(warsaw(2026, 12, 1, 10))  # 3 days before, at 9:00
    assert sorted((r.to, r.at) for r in first) == [
        (SIKORA, warsaw(2026, 12, 1, 9)), (MEMBER, warsaw(2026, 12, 1, 9))]
    assert first[0].text.startswith("Termin: sprawozdanie z udzielonych zamówień za 2026")
    [(label, action, value)] = await buttons_of_last_message_to(app, MEMBER)
    assert label == "Zrobione"
    [done] = await press(app, MEMBER, action, value)
    assert done.startswith("Zapisano jako zrobione")

    rest = await timeline.run_until(warsaw(2026, 12, 5))
    assert [(r.to, r.at) for r in rest] == [(SIKORA, warsaw(2026, 12, 3, 9))]  # not to Nowak
    [plan] = await session_as(app, SIKORA).say("/plan")
    assert plan == "Twój plan\n\nW najbliższych dwóch miesiącach nie masz spotkań, terminów " \
        "ani przypomnień.\n\nSzczegóły: /wydarzenie NR, /termin NR · kalendarz w Outlooku: " \
        "/kalendarz"  # the deadline is over


async def test_the_organiser_sees_who_is_done_and_changes_notify(app: App) -> None:
    await link_console(app, MODERATOR, MEMBER, SIKORA)
    moderator = session_as(app, MODERATOR)
    await moderator.say("/termin nowy PZP; co: ankieta; do: 27 listopada; kto: Wieliczka, "
                        "Skawina")
    timeline = Timeline(app)
    await timeline.run_until(warsaw(2026, 11, 24, 10))  # "3 days before at 9:00"
    await press(app, SIKORA, "dl.done", "1")
    [details] = await moderator.say("/termin 1")
    assert "do: piątek, 27 listopada 2026, 23:59" in details  # a day means its end
    assert "Zrobione (1): Paulina Sikora" in details
    assert "Jeszcze nie (1): Renata Nowak" in details
    [plan] = await session_as(app, MEMBER).say("/plan")
    assert "23:59 ⏰ TERMIN: ankieta [PZP] — /termin 1" in plan

    [changed] = await moderator.say("/termin 1 zmień do: 30 listopada 12:00")
    assert "Powiadomienia dla osób, które dostały już przypomnienie: 1." in changed
    [notice] = await timeline.run_until(warsaw(2026, 11, 24, 10, 1))
    assert "• do: piątek, 27 listopada 2026, 23:59 → poniedziałek, 30 listopada 2026, " \
           "12:00" in notice.text
    await moderator.say("/termin 1 zmień co: ankieta o RODO")
    [renamed] = await timeline.run_until(warsaw(2026, 11, 24, 10, 2))
    assert "• tytuł: ankieta → ankieta o RODO" in renamed.text
    assert "• do:" not in renamed.text  # the due moment did not change
    received = [notice, renamed, *await timeline.run_until(warsaw(2026, 12, 1))]
    assert [(r.to, r.text.splitlines()[0], r.at) for r in received] == [
        (MEMBER, "Zmiana terminu: ankieta", warsaw(2026, 11, 24, 10)),
        (MEMBER, "Zmiana terminu: ankieta o RODO", warsaw(2026, 11, 24, 10, 1)),
        (MEMBER, "Termin: ankieta o RODO", warsaw(2026, 11, 27, 9)),  # 3 days before, 9:00
        # 1 day before is Sunday 29th, quiet: it goes when Monday's window opens, before noon.
        (MEMBER, "Termin: ankieta o RODO", warsaw(2026, 11, 30, 7)),
    ]


async def test_deadlines_for_gminy_without_a_forum_reach_coordinators(app: App) -> None:
    await link_console(app, KRAKOW_COORDINATOR)
    [refused] = await session_as(app, MODERATOR).say(
        "/termin nowy; co: dane do raportu; do: 10 grudnia; kto: Kraków")
    assert refused.startswith("Termin bez forum mogą dodać tylko administratorzy")
    admin = session_as(app, ADMIN)
    [nobody] = await admin.say("/termin nowy; co: dane do raportu; do: 10 grudnia")
    assert nobody.startswith("Termin bez forum musi mieć odbiorców")
    [unknown] = await admin.say("/termin nowy; co: dane; do: 10 grudnia; kto: Atlantyda")
    assert unknown.startswith("Nie znam gminy ani osoby „Atlantyda”")
    [created] = await admin.say("/termin nowy; co: dane do raportu; do: 10 grudnia; "
                                "kto: Krakowa")  # any case of the name
    assert "Dla: koordynatorzy gmin: Kraków" in created
    received = await Timeline(app).run_until(warsaw(2026, 12, 11))
    assert [(r.to, r.at) for r in received] == [(KRAKOW_COORDINATOR, warsaw(2026, 12, 7, 9)),
                                                (KRAKOW_COORDINATOR, warsaw(2026, 12, 9, 9))]


async def test_the_organiser_sees_whom_a_deadline_reminder_did_not_reach(app: App) -> None:
    from commands.model import ConversationKind, ConversationRef, Platform
    from store.people import link_account, person_by_email

    await link_console(app, MODERATOR, SIKORA)
    async with app.db.session() as session:  # linked on a messenger this service lacks
        member = await person_by_email(session, MEMBER)
        assert member is not None
        await link_account(session, platform="telegram", tenant_id="", external_id="7001",
                           person_id=int(member.id or 0), private_ref=ConversationRef(
                               Platform.TELEGRAM, "7001", ConversationKind.PERSONAL).to_json())
        await session.commit()
    moderator = session_as(app, MODERATOR)
    await moderator.say("/termin nowy PZP; co: ankieta; do: 27 listopada; kto: Wieliczka, "
                        "Skawina")
    await Timeline(app).run_until(warsaw(2026, 11, 24, 10))  # "3 days before at 9:00"
    [details] = await moderator.say("/termin 1")
    assert "Przypomnienia: wysłane 1, czekające 2, nieudane 1, przeterminowane 0." in details
    assert "nie dotarło do: Renata Nowak (telegram is not configured)" in details


async def test_the_first_field_may_follow_the_forum_without_a_semicolon(app: App) -> None:
    moderator = session_as(app, MODERATOR)
    [created] = await moderator.say("/termin nowy PZP co: sprawozdanie kwartalne; "
                                    "do: 20 grudnia")
    assert created.startswith("Zapisano termin #1")
    [details] = await moderator.say("/termin 1")
    assert "do: niedziela, 20 grudnia 2026, 23:59" in details
    [plan] = await session_as(app, MEMBER).say("/plan")
    assert "TERMIN: sprawozdanie kwartalne [PZP]" in plan and "co:" not in plan


async def test_deadline_recipients_name_gminy_as_everywhere_else(app: App) -> None:
    """"kto:" takes a TERYT code like every other gmina option, and a gmina outside the
    directory is said so (the one resolver of gmina names)."""
    admin = session_as(app, ADMIN)
    [outside] = await admin.say("/termin nowy; co: dane; do: 10 grudnia; kto: Warszawa")
    assert "Nie mam w katalogu gminy Warszawa" in outside
    [created] = await admin.say("/termin nowy; co: dane do raportu; do: 10 grudnia; "
                                "kto: gmina 1261011")
    assert "Dla: koordynatorzy gmin: Kraków" in created
