"""Forum questions: relayed into the forum's groups, answers back to the asker and mirrored
into the other groups' threads, edits and deletions followed, moderation, the archive.

The groups here are console conversations standing in for a Teams channel and a Telegram
group; the adapters' own tests cover how each messenger threads them.
"""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import timedelta

from sqlalchemy import select

from adapters.console.adapter import ConsoleSession
from adapters.console.messenger import ConsoleMessenger
from bots.app import App, build_app
from commands.model import (
    ActionInvoked,
    ConversationKind,
    ConversationRef,
    MessageDeleted,
    MessageEdited,
    MessageReceived,
    Platform,
    Sender,
    message_from_json,
)
from store.models import Delivery
from tests.test_announcements import link_console_accounts

ADMIN = "m.zawadzka-hejmo@metropoliakrakowska.example.pl"
ASKER = "r.nowak@wieliczka.example.pl"  # a member of forum PZP
EXPERT = "p.sikora@skawina.example.pl"  # another member
GROUP_A = ConversationRef(Platform.CONSOLE, "grupa-pzp-teams", ConversationKind.CHANNEL)
GROUP_B = ConversationRef(Platform.CONSOLE, "grupa-pzp-telegram", ConversationKind.GROUP)
MODERATOR = "b.urbanski@krakow.example.pl"  # moderates PZP
ODPADY_GROUP = ConversationRef(Platform.CONSOLE, "grupa-odpady", ConversationKind.GROUP)
_ids = itertools.count(1)


def said(email: str, text: str, where: ConversationRef, *, addressed: bool = True,
         reply_to: str | None = None, message_id: str | None = None) -> MessageReceived:
    return MessageReceived(platform=Platform.CONSOLE, event_id=f"e{next(_ids)}",
                           conversation=where, sender=Sender(Platform.CONSOLE, email, email),
                           text=text, addressed=addressed, reply_to_message_id=reply_to,
                           message_id=message_id)


def transcript(app: App) -> ConsoleMessenger:
    messenger = app.messengers["console"]
    assert isinstance(messenger, ConsoleMessenger)
    return messenger


def posts_in(app: App, where: ConversationRef) -> list[tuple[str, str]]:
    return [(d.message_id, d.text) for d in transcript(app).transcript
            if d.conversation.conversation_id == where.conversation_id and not d.edited]


async def setup_forum(app: App) -> None:
    await link_console_accounts(app, "wieliczka")
    for group, key in ((GROUP_A, "PZP"), (GROUP_B, "PZP"), (ODPADY_GROUP, "ODPADY")):
        reply = await app.core.handle(said(ADMIN, f"/forum podlacz {key}", group))
        assert f"należy teraz do forum {key}" in reply.messages[0].text


async def ask(app: App) -> str:
    asker = ConsoleSession(app.core, ASKER)
    [sent] = await asker.say("/pytanie PZP Czy ktoś ma wzór klauzuli waloryzacyjnej?")
    await app.worker.run_once()
    return sent


async def test_question_reaches_every_group_and_answers_come_back(app: App) -> None:
    await setup_forum(app)
    sent = await ask(app)
    assert "Pytanie nr 1 trafiło do 2 grup forum PZP (konsola)" in sent
    [(post_a, text_a)] = posts_in(app, GROUP_A)
    [(post_b, _text_b)] = posts_in(app, GROUP_B)
    assert "❓ Pytanie nr 1 — Forum Prawa Zamówień Publicznych" in text_a
    assert "Od: Renata Nowak, Wieliczka, via konsola" in text_a  # never anonymous
    assert posts_in(app, ODPADY_GROUP) == []  # other forums see nothing

    # A restart between the question and the answer: a new app on the same database.
    restarted = build_app(app.config, clock=app.clock, db=app.db, morphology=app.morphology)
    restarted.messengers["console"] = app.messengers["console"]
    await restarted.core.handle(said(EXPERT, "Mamy wzór z 2024 r., wysyłam na maila.", GROUP_A,
                                     addressed=False, reply_to=post_a, message_id="ans-1"))
    await restarted.worker.run_once()
    to_asker = [d.text for d in transcript(app).transcript
                if d.conversation.conversation_id == f"console:{ASKER}"]
    assert to_asker and "Odpowiedź na Twoje pytanie nr 1" in to_asker[-1]
    assert "Paulina Sikora, Skawina, via konsola" in to_asker[-1]
    assert "[1] Oznacz jako rozwiązane" in to_asker[-1]
    mirrors = posts_in(app, GROUP_B)
    assert len(mirrors) == 2 and "Paulina Sikora, Skawina, via konsola: Mamy wzór" in mirrors[1][1]
    async with app.db.session() as session:  # threaded under the question's post there
        payload = (await session.execute(select(Delivery.payload).where(
            Delivery.source == "answer:1", Delivery.conversation_key == GROUP_B.key
        ))).scalar_one()
    assert message_from_json(payload).reply_to == post_b
    assert len(posts_in(app, GROUP_A)) == 1  # not echoed back where it was written
    # Chatter that replies to nothing of ours is not relayed.
    await restarted.core.handle(said(EXPERT, "Dzień dobry!", GROUP_A, addressed=False,
                                     message_id="x-1"))
    await restarted.worker.run_once()
    assert len(posts_in(app, GROUP_B)) == 2


async def test_edits_and_deletions_follow_the_answer(app: App) -> None:
    await setup_forum(app)
    await ask(app)
    [(post_a, _)] = posts_in(app, GROUP_A)
    await app.core.handle(said(EXPERT, "Mamy wzór.", GROUP_A, addressed=False, reply_to=post_a,
                               message_id="ans-7"))
    await app.worker.run_once()
    edit = MessageEdited(platform=Platform.CONSOLE, event_id="edit-1", conversation=GROUP_A,
                         sender=Sender(Platform.CONSOLE, EXPERT), message_id="ans-7",
                         text="Mamy wzór z 2024 r.")
    await app.core.handle(edit)
    edited = [d for d in transcript(app).transcript if d.edited]
    assert edited and all("Mamy wzór z 2024 r." in d.text for d in edited)
    assert {d.conversation.conversation_id for d in edited} == {GROUP_B.conversation_id,
                                                                f"console:{ASKER}"}
    await app.core.handle(MessageDeleted(platform=Platform.CONSOLE, event_id="del-1",
                                         conversation=GROUP_A,
                                         sender=Sender(Platform.CONSOLE, EXPERT),
                                         message_id="ans-7"))
    assert sum(1 for d in transcript(app).transcript if d.text == "(usunięto / deleted)") == 2


async def test_asker_marks_solved_and_moderators_redirect(app: App) -> None:
    await setup_forum(app)
    await ask(app)
    press = ActionInvoked(platform=Platform.CONSOLE, event_id="", conversation=ConversationRef(
        Platform.CONSOLE, "console", ConversationKind.PERSONAL),
        sender=Sender(Platform.CONSOLE, EXPERT), action="q.done", value="1")
    refused = await app.core.handle(press)
    assert refused.notice == "Jako rozwiązane oznacza je osoba, która zadała pytanie."
    member = ConsoleSession(app.core, EXPERT)
    [not_allowed] = await member.say("/przekieruj 1 ODPADY")
    assert "To polecenie jest dostępne tylko dla" in not_allowed
    moderator = ConsoleSession(app.core, "b.urbanski@krakow.example.pl")
    [moved] = await moderator.say("/przekieruj 1 ODPADY")
    assert "przekierowane do forum ODPADY" in moved
    await app.worker.run_once()
    assert "przekierowano do forum: Forum Gospodarki Odpadami" in posts_in(app, GROUP_A)[-1][1]
    assert "❓ Pytanie nr 1" in posts_in(app, ODPADY_GROUP)[0][1]
    asker = ConsoleSession(app.core, ASKER)
    done = await app.core.handle(ActionInvoked(
        platform=Platform.CONSOLE, event_id="", conversation=asker.conversation,
        sender=Sender(Platform.CONSOLE, ASKER), action="q.done", value="1"))
    assert "oznaczone jako rozwiązane" in done.notice
    await app.worker.run_once()
    assert "✓ Pytanie nr 1 zostało oznaczone" in posts_in(app, ODPADY_GROUP)[-1][1]


async def test_only_members_ask_and_groups_are_linked_by_moderators(app: App) -> None:
    await setup_forum(app)
    outsider = ConsoleSession(app.core, "j.kolodziej@wieliczka.example.pl")  # ODPADY, not PZP
    [refused] = await outsider.say("/pytanie PZP Pytanie?")
    assert "Pytania do forum PZP zadają jego członkowie" in refused
    [refused] = await outsider.say("/pytanie PZP")  # refused before being asked to write it
    assert "Pytania do forum PZP zadają jego członkowie" in refused
    reply = await app.core.handle(said(EXPERT, "/forum podlacz PZP", GROUP_A))
    assert "Grupy do forum podłączają administratorzy" in reply.messages[0].text
    [listing] = await ConsoleSession(app.core, ADMIN).say("/forum lista")
    assert ("PZP — Forum Prawa Zamówień Publicznych: #1 konsola (grupa-pzp-teams), "
            "#2 konsola (grupa-pzp-telegram)") in listing


async def test_archive_finds_inflected_forms_in_my_forums_only(app: App) -> None:
    await setup_forum(app)
    await ask(app)
    [(post_a, _)] = posts_in(app, GROUP_A)
    await app.core.handle(said(EXPERT, "Wzór klauzuli jest w załączniku do uchwały 12/2024.",
                               GROUP_A, addressed=False, reply_to=post_a, message_id="ans-9"))
    member = ConsoleSession(app.core, EXPERT)
    [found] = await member.say("/szukaj klauzula waloryzacyjna")
    assert "#1 [PZP] Czy ktoś ma wzór klauzuli waloryzacyjnej? — otwarte" in found
    assert "↳ Paulina Sikora, Skawina: Wzór klauzuli jest w załączniku" in found
    [found] = await member.say("/szukaj uchwały")  # words of the answer count too
    assert "#1 [PZP]" in found
    outsider = ConsoleSession(app.core, "j.kolodziej@wieliczka.example.pl")
    [nothing] = await outsider.say("/szukaj klauzul waloryzacyjnych")
    assert "nic nie pasuje" in nothing  # not a member of PZP


def private_to(app: App, email: str) -> list[str]:
    """What ``email`` received from the bot in their private chat, in order."""
    return [d.text for d in transcript(app).transcript
            if d.conversation.conversation_id == f"console:{email}"]


async def test_unanswered_questions_are_brought_to_the_moderators_once(app: App) -> None:
    await setup_forum(app)
    await link_console_accounts(app, "krakow")  # the moderator of PZP
    # [forums] unanswered_after_hours = 6 (the default is 24)
    configured = build_app(replace(app.config, extra={"forums": {"unanswered_after_hours": 6}}),
                           clock=app.clock, db=app.db, morphology=app.morphology)
    configured.messengers["console"] = app.messengers["console"]
    await ask(app)  # no. 1, nobody answers
    asker = ConsoleSession(app.core, ASKER)
    await asker.say("/pytanie PZP Jak liczycie szacunkową wartość zamówienia?")  # no. 2
    await app.worker.run_once()
    post_2 = posts_in(app, GROUP_A)[-1][0]
    await app.core.handle(said(EXPERT, "Netto, bez VAT.", GROUP_A, addressed=False,
                               reply_to=post_2, message_id="ans-2"))
    forums = configured.core.services.forums
    app.clock.advance(timedelta(hours=5))
    assert await forums.nudge_round() == 0  # not yet
    app.clock.advance(timedelta(hours=2))
    assert await forums.nudge_round() == 1
    await configured.worker.run_once()
    app.clock.advance(timedelta(hours=12))
    assert await forums.nudge_round() == 0  # told once is enough
    await configured.worker.run_once()
    assert private_to(app, MODERATOR) == [
        "Pytanie nr 1 w forum PZP czeka na odpowiedź ponad 6 godz.: „Czy ktoś ma wzór klauzuli "
        "waloryzacyjnej?”. Może ktoś z ekspertów pomoże?"]
    assert not any("Pytanie nr" in text for text in private_to(app, EXPERT))  # moderators only


async def test_moderators_are_nudged_in_their_language(app: App) -> None:
    await setup_forum(app)
    await link_console_accounts(app, "krakow")
    await ConsoleSession(app.core, MODERATOR).say("/moje-dane język en")
    await ask(app)
    app.clock.advance(timedelta(hours=25))
    assert await app.core.services.forums.nudge_round() == 1
    await app.worker.run_once()
    assert private_to(app, MODERATOR)[-1].startswith(
        "Question no. 1 in forum PZP has waited over 24 h for an answer")


async def test_an_answer_edited_or_deleted_before_its_copies_went_out(app: App) -> None:
    await setup_forum(app)
    await ask(app)
    [(post_a, _)] = posts_in(app, GROUP_A)
    # Answered, then corrected before the delivery worker got to the copies.
    await app.core.handle(said(EXPERT, "Mamy wzór z 2023 r.", GROUP_A, addressed=False,
                               reply_to=post_a, message_id="ans-1"))
    await app.core.handle(MessageEdited(
        platform=Platform.CONSOLE, event_id="edit-1", conversation=GROUP_A,
        sender=Sender(Platform.CONSOLE, EXPERT), message_id="ans-1", text="Mamy wzór z 2024 r."))
    # Another answered and deleted before its copies went out.
    await app.core.handle(said(EXPERT, "Pomyłka, to nie ten wątek.", GROUP_A, addressed=False,
                               reply_to=post_a, message_id="ans-2"))
    await app.core.handle(MessageDeleted(
        platform=Platform.CONSOLE, event_id="del-2", conversation=GROUP_A,
        sender=Sender(Platform.CONSOLE, EXPERT), message_id="ans-2"))
    await app.worker.run_once()
    shown = [d.text for d in transcript(app).transcript]
    assert not any("2023" in text or "Pomyłka" in text for text in shown)
    assert "Paulina Sikora, Skawina, via konsola: Mamy wzór z 2024 r." in posts_in(
        app, GROUP_B)[-1][1]
    [copy] = [text for text in private_to(app, ASKER) if "Odpowiedź na Twoje" in text]
    assert "Mamy wzór z 2024 r." in copy and "[1] Oznacz jako rozwiązane" in copy


async def test_a_long_answer_is_relayed_but_long_chatter_is_still_refused(app: App) -> None:
    await setup_forum(app)
    await ask(app)
    [(post_a, _)] = posts_in(app, GROUP_A)
    long = "Mamy wzór." + " Klauzula obejmuje zmianę cen materiałów i kosztów pracy." * 90
    assert len(long) > app.core.services.settings.max_text_length
    # Telegram counts a reply to the bot's post as addressed to the bot.
    reply = await app.core.handle(said(EXPERT, long, GROUP_A, reply_to=post_a,
                                       message_id="ans-long"))
    assert reply.messages == []  # no "too long" in the thread
    await app.worker.run_once()
    assert long in private_to(app, ASKER)[-1]
    assert posts_in(app, GROUP_B)[-1][1].endswith(long)
    refused = await app.core.handle(said(EXPERT, long, GROUP_A, message_id="not-an-answer"))
    assert "za długa" in refused.messages[0].text


async def test_the_archive_follows_edits_and_deletions(app: App) -> None:
    await setup_forum(app)
    await ask(app)
    [(post_a, _)] = posts_in(app, GROUP_A)
    await app.core.handle(said(EXPERT, "Wzór jest w załączniku do uchwały 12/2024.", GROUP_A,
                               addressed=False, reply_to=post_a, message_id="ans-1"))
    member = ConsoleSession(app.core, EXPERT)
    [found] = await member.say("/szukaj uchwała")
    assert "#1 [PZP]" in found
    await app.core.handle(MessageEdited(
        platform=Platform.CONSOLE, event_id="edit-1", conversation=GROUP_A,
        sender=Sender(Platform.CONSOLE, EXPERT), message_id="ans-1",
        text="Wzór jest w zarządzeniu burmistrza nr 7."))
    [found] = await member.say("/szukaj zarządzenia burmistrza")  # the new words
    assert "#1 [PZP]" in found and "↳ Paulina Sikora, Skawina: Wzór jest w zarządzeniu" in found
    [gone] = await member.say("/szukaj uchwała")  # the old ones are gone
    assert "nic nie pasuje" in gone
    await app.core.handle(MessageDeleted(
        platform=Platform.CONSOLE, event_id="del-1", conversation=GROUP_A,
        sender=Sender(Platform.CONSOLE, EXPERT), message_id="ans-1"))
    [gone] = await member.say("/szukaj zarządzenia burmistrza")
    assert "nic nie pasuje" in gone
    [found] = await member.say("/szukaj klauzula waloryzacyjna")  # the question remains
    assert "#1 [PZP]" in found and "↳" not in found


async def test_faq_is_for_members_and_takes_only_answered_questions(app: App) -> None:
    await setup_forum(app)
    await ask(app)
    moderator = ConsoleSession(app.core, MODERATOR)
    [refused] = await moderator.say("/faq dodaj 1")
    assert refused == ("Pytanie nr 1 nie ma jeszcze odpowiedzi — do FAQ trafiają pytania z "
                       "odpowiedzią.")
    [(post_a, _)] = posts_in(app, GROUP_A)
    await app.core.handle(said(EXPERT, "Wzór jest w BIP Skawiny.", GROUP_A, addressed=False,
                               reply_to=post_a, message_id="ans-1"))
    [added] = await moderator.say("/faq dodaj 1")
    assert added == "Pytanie nr 1 dodane do FAQ."
    [faq] = await ConsoleSession(app.core, EXPERT).say("/faq PZP")
    assert "#1 Czy ktoś ma wzór klauzuli waloryzacyjnej?" in faq and "Wzór jest w BIP" in faq
    outsider = ConsoleSession(app.core, "j.kolodziej@wieliczka.example.pl")  # ODPADY only
    [refused] = await outsider.say("/faq PZP")
    assert refused == "FAQ forum PZP czytają jego członkowie."
    [faq] = await ConsoleSession(app.core, ADMIN).say("/faq PZP")
    assert "#1 Czy ktoś ma wzór" in faq


async def test_a_redirected_asker_is_told_and_still_finds_their_question(app: App) -> None:
    await setup_forum(app)
    await link_console_accounts(app, "krakow")
    await ask(app)  # Renata asks PZP; she is not a member of ODPADY
    [moved] = await ConsoleSession(app.core, MODERATOR).say("/przekieruj 1 ODPADY")
    assert "przekierowane do forum ODPADY" in moved
    await app.worker.run_once()
    assert private_to(app, ASKER)[-1] == (
        "Twoje pytanie nr 1 przeniesiono do forum: Forum Gospodarki Odpadami (ODPADY). "
        "Odpowiedzi nadal przyślę tutaj.")
    [found] = await ConsoleSession(app.core, ASKER).say("/szukaj klauzula waloryzacyjna")
    assert "#1 [ODPADY] Czy ktoś ma wzór klauzuli waloryzacyjnej?" in found
    # Other PZP members, outside ODPADY, no longer see it: it is ODPADY's question now.
    [nothing] = await ConsoleSession(app.core, EXPERT).say("/szukaj klauzula waloryzacyjna")
    assert "nic nie pasuje" in nothing


async def test_a_redirected_english_asker_is_told_in_english(app: App) -> None:
    await setup_forum(app)
    await ConsoleSession(app.core, ASKER).say("/moje-dane język en")
    await ask(app)
    await ConsoleSession(app.core, ADMIN).say("/przekieruj 1 ODPADY")
    await app.worker.run_once()
    assert private_to(app, ASKER)[-1] == (
        "Your question no. 1 was moved to forum: Waste Management Forum (ODPADY). I will still "
        "send the answers here.")


async def test_an_unlinked_account_is_answered_politely_where_the_directory_is_public(
        app: App) -> None:
    public = build_app(replace(app.config, directory=replace(app.config.directory, public=True)),
                       clock=app.clock, db=app.db, morphology=app.morphology)
    stranger = ConsoleSession(public.core, "ktos@example.com")  # in no directory
    for command in ("/pytanie PZP Czy ktoś ma wzór?", "/szukaj klauzula"):
        [reply] = await stranger.say(command)
        assert reply.startswith("Fora są dla pracowników gmin z katalogu")


async def test_the_askers_own_words_in_the_thread_do_not_stop_the_nudge(app: App) -> None:
    await setup_forum(app)
    await link_console_accounts(app, "krakow")  # the moderator of PZP
    await ask(app)
    [(post_a, _)] = posts_in(app, GROUP_A)
    await app.core.handle(said(ASKER, "Podbijam, to pilne — przetarg w przyszłym tygodniu.",
                               GROUP_A, addressed=False, reply_to=post_a, message_id="own-1"))
    await app.worker.run_once()
    assert "Podbijam" in posts_in(app, GROUP_B)[-1][1]  # relayed into the other thread
    app.clock.advance(timedelta(hours=25))
    await app.core.services.forums.nudge_round()
    await app.worker.run_once()
    assert private_to(app, MODERATOR)[-1].startswith(
        "Pytanie nr 1 w forum PZP czeka na odpowiedź ponad 24 godz.")


async def test_a_question_whose_only_answer_was_deleted_is_brought_to_the_moderators(
        app: App) -> None:
    await setup_forum(app)
    await link_console_accounts(app, "krakow")  # the moderator of PZP
    await ask(app)
    [(post_a, _)] = posts_in(app, GROUP_A)
    await app.core.handle(said(EXPERT, "Pomyłka, to nie ten wątek.", GROUP_A, addressed=False,
                               reply_to=post_a, message_id="ans-1"))
    await app.core.handle(MessageDeleted(
        platform=Platform.CONSOLE, event_id="del-1", conversation=GROUP_A,
        sender=Sender(Platform.CONSOLE, EXPERT), message_id="ans-1"))
    app.clock.advance(timedelta(hours=25))
    assert await app.core.services.forums.nudge_round() == 1
    await app.worker.run_once()
    assert private_to(app, MODERATOR)[-1].startswith(
        "Pytanie nr 1 w forum PZP czeka na odpowiedź ponad 24 godz.")


async def test_unlinking_one_forum_from_a_shared_group_keeps_the_others_relays(app: App) -> None:
    await setup_forum(app)
    reply = await app.core.handle(said(ADMIN, "/forum podlacz ODPADY", GROUP_A))
    assert "należy teraz do forum ODPADY" in reply.messages[0].text  # GROUP_A: PZP and ODPADY
    await ConsoleSession(app.core, ASKER).say("/pytanie PZP Czy ktoś ma wzór umowy?")
    [asked] = await ConsoleSession(app.core, ADMIN).say(
        "/pytanie ODPADY Kto ma harmonogram odbioru na 2027?")
    assert "Pytanie nr 2" in asked
    # Before the worker posts them, PZP leaves the shared group.
    await app.core.handle(said(ADMIN, "/forum odlacz PZP", GROUP_A))
    await app.worker.run_once()
    shown = [text for _, text in posts_in(app, GROUP_A)]
    assert any("Kto ma harmonogram" in text for text in shown)  # ODPADY's question still there
    assert not any("wzór umowy" in text for text in shown)


async def test_a_question_asked_for_is_taken_from_the_next_message(app: App) -> None:
    """"/pytanie PZP" alone: the bot asks what to ask and the next message is the question."""
    await setup_forum(app)
    asker = ConsoleSession(app.core, ASKER)
    [asked] = await asker.say("/pytanie PZP")
    assert "Jakie pytanie mam zadać forum PZP?" in asked
    [sent] = await asker.say("Czy ktoś ma wzór klauzuli waloryzacyjnej?")
    assert "Pytanie nr 1" in sent
    await app.worker.run_once()
    assert any("klauzuli waloryzacyjnej" in text for _, text in posts_in(app, GROUP_A))
    # Without a forum the usage still explains the whole command.
    [usage] = await asker.say("/pytanie")
    assert "/pytanie <forum> <treść>" in usage
