"""The bot finishes what it asks: when a command asks for a missing piece ("Podaj termin…"),
the next message of that person in that conversation answers it — on the console and on
Telegram (private chat and group), on SQLite and PostgreSQL; "anuluj" is the way out, a
command drops the question, and after the time-out a message is an ordinary one again."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from adapters.console.adapter import ConsoleSession
from bots.app import App, build_app
from bots.config import Config, DatabaseConfig
from commands.clock import ManualClock
from commands.directory.language import Morphology
from store.calendar_models import Deadline, Event
from store.db import Database
from tests.calendar_helpers import ADMIN, MEMBER, MODERATOR, link_console, session_as
from tests.world import RENATA, THE_OFFICE, World

ASKED = "Podaj termin, np. „kiedy: 1 grudnia 10:00-12:00”."
WAY_OUT = "albo napisz „anuluj”"


async def events(app: App) -> list[Event]:
    async with app.db.session() as session:
        return list((await session.execute(select(Event).order_by(Event.id))).scalars())


async def deadlines(app: App) -> list[str]:
    async with app.db.session() as session:
        return list((await session.execute(select(Deadline.title).order_by(Deadline.id)))
                    .scalars())


def advance(app: App, delta: timedelta) -> None:
    assert isinstance(app.clock, ManualClock)
    app.clock.advance(delta)


# --- on the console ----------------------------------------------------------------------------


async def test_the_time_the_bot_asked_for_creates_the_event(app: App) -> None:
    moderator = session_as(app, MODERATOR)
    [asked] = await moderator.say("/wydarzenie nowe PZP Posiedzenie")
    assert asked.startswith(ASKED) and WAY_OUT in asked
    [created] = await moderator.say("kiedy: 17 grudnia 10:00-12:00")
    assert "Zapisano wydarzenie #1" in created
    assert "czwartek, 17 grudnia 2026, 10:00–12:00" in created
    [event] = await events(app)
    assert event.title == "Posiedzenie"
    # The answer may also be the bare time, without "kiedy:".
    await moderator.say("/wydarzenie nowe PZP Narada roczna")
    [created] = await moderator.say("18 grudnia 9:00")
    assert "Zapisano wydarzenie #2" in created and "piątek, 18 grudnia 2026, 9:00" in created


async def test_each_missing_piece_is_asked_for_in_turn_and_kept(app: App) -> None:
    moderator = session_as(app, MODERATOR)
    [forum] = await moderator.say("/wydarzenie nowe\ngdzie: sala 101")
    assert "Każde wydarzenie należy do forum" in forum and WAY_OUT in forum
    [title] = await moderator.say("PZP")
    assert title.startswith("Podaj tytuł")
    [when] = await moderator.say("Posiedzenie Forum PZP")
    assert when.startswith(ASKED)
    [unreadable] = await moderator.say("po obiedzie")  # not a time: asked again
    assert "Nie rozumiem terminu" in unreadable and WAY_OUT in unreadable
    [created] = await moderator.say("jutro 10:00")
    assert "Zapisano wydarzenie #1" in created and "Miejsce: sala 101" in created
    [event] = await events(app)
    assert (event.title, event.location) == ("Posiedzenie Forum PZP", "sala 101")


async def test_a_half_time_is_not_taken_for_the_whole_one(app: App) -> None:
    moderator = session_as(app, MODERATOR)
    [which] = await moderator.say("/wydarzenie nowe PZP Narada; kiedy: jutro o 5")
    assert which.startswith("Chodzi o 5:00 czy o 17:00?") and WAY_OUT not in which
    [answer] = await moderator.say("o 17:00")  # would have meant today: not taken as the time
    assert "Zapisano" not in answer
    assert await events(app) == []


async def test_anuluj_cancels_politely_and_the_next_message_is_a_question_again(
        app: App) -> None:
    moderator = session_as(app, MODERATOR)
    await moderator.say("/wydarzenie nowe PZP Posiedzenie")
    assert await moderator.say("anuluj") == ["Dobrze, anulowane — niczego nie zapisałem."]
    assert await events(app) == []
    [answer] = await moderator.say("kto od śmieci w Wieliczce?")
    assert "Jolanta Kołodziej" in answer  # a directory question, as before the prompt
    english = ConsoleSession(app.core, MODERATOR, lang="en")
    await english.say("/event new PZP Meeting")
    assert await english.say("Cancel") == ["All right, cancelled — nothing was saved."]


async def test_after_the_time_out_the_message_is_a_directory_question_again(app: App) -> None:
    moderator = session_as(app, MODERATOR)
    await moderator.say("/wydarzenie nowe PZP Posiedzenie")
    advance(app, timedelta(minutes=9))
    [created] = await moderator.say("kiedy: 17 grudnia 10:00-12:00")  # in time
    assert "Zapisano wydarzenie #1" in created
    await moderator.say("/wydarzenie nowe PZP Narada")
    advance(app, timedelta(minutes=11))
    [late] = await moderator.say("kto od śmieci w Wieliczce?")
    assert "Jolanta Kołodziej" in late and "Zapisano" not in late
    assert len(await events(app)) == 1


async def test_a_command_typed_instead_runs_and_drops_the_question(app: App) -> None:
    moderator = session_as(app, MODERATOR)
    await moderator.say("/wydarzenie nowe PZP Posiedzenie")
    [help_text] = await moderator.say("/pomoc")
    assert help_text.startswith("Łącznik — polecenia")
    [answer] = await moderator.say("kto od śmieci w Wieliczce?")
    assert "Jolanta Kołodziej" in answer
    assert await events(app) == []


async def test_another_persons_message_does_not_answer_my_question(app: App) -> None:
    # Console sessions share one conversation, as people in a group do.
    moderator, member = session_as(app, MODERATOR), session_as(app, MEMBER)
    await moderator.say("/wydarzenie nowe PZP Posiedzenie")
    [not_theirs] = await member.say("kiedy: 1 grudnia 9:00")
    assert "Zapisano" not in not_theirs
    assert await member.say("anuluj") != ["Dobrze, anulowane — niczego nie zapisałem."]
    [created] = await moderator.say("kiedy: 17 grudnia 10:00-12:00")
    assert "Zapisano wydarzenie #1" in created


async def test_deadlines_ask_for_the_date_and_the_recipients(app: App) -> None:
    moderator = session_as(app, MODERATOR)
    [asked] = await moderator.say("/termin nowy PZP; co: sprawozdanie roczne")
    assert asked.startswith("Podaj, do kiedy") and WAY_OUT in asked
    [created] = await moderator.say("15 grudnia 12:00")
    assert "Zapisano termin #1" in created and "wtorek, 15 grudnia 2026, 12:00" in created
    admin = session_as(app, ADMIN)
    [who] = await admin.say("/termin nowy; co: dane do raportu; do: 10 grudnia")
    assert who.startswith("Termin bez forum musi mieć odbiorców") and WAY_OUT in who
    [unknown] = await admin.say("Atlantyda")  # asked again, the rest is kept
    assert unknown.startswith("Nie znam gminy ani osoby „Atlantyda”") and WAY_OUT in unknown
    [created] = await admin.say("Krakowa")
    assert "Zapisano termin #2" in created and "Dla: koordynatorzy gmin: Kraków" in created
    assert await deadlines(app) == ["sprawozdanie roczne", "dane do raportu"]


async def test_a_reminder_without_a_time_asks_when(app: App) -> None:
    await link_console(app, MEMBER)
    member = session_as(app, MEMBER)
    [usage] = await member.say("/przypomnij")
    assert usage.startswith("Napisz, kiedy i o czym przypomnieć") and WAY_OUT in usage
    [saved] = await member.say("jutro o 9 wysłać sprawozdanie")
    assert saved.startswith("Dobrze — przypomnę Ci: wtorek, 24 listopada 2026, 9:00. "
                            "„wysłać sprawozdanie”")
    [when] = await member.say("/przypomnij zadzwonić do GOPS")
    assert "Nie rozumiem terminu" in when and WAY_OUT in when
    [saved] = await member.say("w piątek o 12")
    assert saved.startswith("Dobrze — przypomnę Ci: piątek, 27 listopada 2026, 12:00. "
                            "„zadzwonić do GOPS”")


async def test_the_question_survives_a_restart(app: App, database: Database,
                                               morphology: Morphology) -> None:
    await session_as(app, MODERATOR).say("/wydarzenie nowe PZP Posiedzenie")
    config = Config(database=DatabaseConfig(url=str(database.url.render_as_string(False))))
    restarted = build_app(config, clock=app.clock, db=database, morphology=morphology)
    await restarted.prepare(with_sample=False)  # another process, nothing in memory
    [created] = await session_as(restarted, MODERATOR).say("kiedy: 17 grudnia 10:00-12:00")
    assert "Zapisano wydarzenie #1" in created


# --- on Telegram -------------------------------------------------------------------------------

GROUP = -1002000000013


async def test_on_telegram_the_next_private_message_answers(world: World) -> None:
    await world.link(THE_OFFICE)
    await world.telegram_says(THE_OFFICE, "/wydarzenie nowe PZP Posiedzenie")
    asked = world.on_telegram(THE_OFFICE)[-1]["text"]
    assert asked.startswith(ASKED) and WAY_OUT in asked
    await world.telegram_says(THE_OFFICE, "kiedy: 17 grudnia 10:00-12:00")
    assert "Zapisano wydarzenie #1" in world.on_telegram(THE_OFFICE)[-1]["text"]
    await world.telegram_says(THE_OFFICE, "/wydarzenie nowe PZP Narada")
    await world.telegram_says(THE_OFFICE, "anuluj")
    assert world.on_telegram(THE_OFFICE)[-1]["text"] == \
        "Dobrze, anulowane — niczego nie zapisałem."
    assert len(await events(world.app)) == 1


async def test_in_a_telegram_group_only_the_person_asked_answers(world: World) -> None:
    await world.link(THE_OFFICE, RENATA)
    await world.telegram_group_says(THE_OFFICE, GROUP, "/forum podlacz PZP")
    await world.telegram_group_says(THE_OFFICE, GROUP, "/wydarzenie nowe PZP Posiedzenie")
    assert world.on_telegram_group(GROUP)[-1]["text"].startswith(ASKED)
    shown = len(world.on_telegram_group(GROUP))
    await world.telegram_group_says(RENATA, GROUP, "kiedy: 1 grudnia 9:00")
    assert len(world.on_telegram_group(GROUP)) == shown  # not hers to answer: nothing
    assert await events(world.app) == []
    await world.telegram_group_says(THE_OFFICE, GROUP, "kiedy: 17 grudnia 10:00-12:00")
    assert "Zapisano wydarzenie #1" in world.on_telegram_group(GROUP)[-1]["text"]
    [event] = await events(world.app)
    assert event.title == "Posiedzenie"
