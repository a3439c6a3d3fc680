"""Forum questions end to end, as people meet them on their phones and in their channels:
the real Telegram, Slack and Teams adapters against the protocol-faithful fakes (Teams
activities signed by the fake channel, Slack events signed with the signing secret, Telegram
updates through long polling), the real core, outbox and delivery worker, the real database
(SQLite and PostgreSQL) with the sample directory.

Forum PZP has a group on each messenger: a Telegram supergroup, a Slack channel and a Teams
channel, each linked by saying ``forum podlacz PZP`` in it. Every assertion is about what a
platform received or shows: posts, threads, mirrors, edits, deletions, private copies.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.world import (
    JOLANTA,
    RENATA,
    TEAM,
    THE_OFFICE,
    JSONDict,
    Staff,
    World,
    teams_text,
    telegram_buttons,
)

QUESTION = "Czy ktoś ma wzór klauzuli waloryzacyjnej?"
PZP_GROUP = -1001000000101  # Telegram supergroup "PZP — forum"
ODPADY_GROUP = -1001000000102
PZP_CHANNEL = "C0PZP"  # Slack #forum-pzp
PZP_TEAMS = "19:forum-pzp@thread.tacv2"  # Teams channel "Forum PZP"

# PZP members and its moderator, on the messengers they use (Renata asks, from Telegram).
PAULINA = Staff("p.sikora@skawina.example.pl", "Paulina Sikora", teams="29:psikora")
JULIA = Staff("j.sikorska@niepolomice.example.pl", "Julia Sikorska", slack="U0JSIKORSKA")
MARZENA = Staff("m.tomaszewska@zabierzow.example.pl", "Marzena Tomaszewska", telegram=7101)
BARTOSZ = Staff("b.urbanski@krakow.example.pl", "Bartosz Urbański", slack="U0BURBANSKI",
                teams="29:burbanski")
LUCYNA = Staff("l.sobczak@michalowice.example.pl", "Lucyna Sobczak", teams="29:lsobczak")


@dataclass
class Posted:
    """Where the question's post landed on each platform (the roots of its threads)."""

    telegram: JSONDict
    slack_ts: str
    teams_root: str


# --- setting the forum up ------------------------------------------------------------------


async def link_forum_groups(world: World) -> None:
    """The office links a Telegram group and a Slack channel, the moderator a Teams channel,
    by saying so in each; ODPADY gets a Telegram group too."""
    world.enrol(PAULINA, JULIA, BARTOSZ, LUCYNA)
    await world.link(THE_OFFICE, RENATA, JOLANTA, MARZENA)
    await world.telegram_group_says(THE_OFFICE, PZP_GROUP, "/forum podlacz PZP",
                                    title="PZP — forum")
    await world.telegram_group_says(THE_OFFICE, ODPADY_GROUP, "/forum podlacz ODPADY",
                                    title="Odpady — forum")
    command = await world.slack_channel_says(THE_OFFICE, PZP_CHANNEL, "forum podlacz PZP",
                                             mention=True)
    teams_command = await world.teams_channel_says(BARTOSZ, PZP_TEAMS, "forum podlacz PZP",
                                                   mention=True)
    for shown in (world.on_telegram_group(PZP_GROUP)[-1]["text"],
                  world.on_slack_channel(PZP_CHANNEL, thread_ts=command)[-1]["text"],
                  teams_text(world.on_teams_channel(PZP_TEAMS)[teams_command][-1])):
        assert "Ta grupa należy teraz do forum PZP" in shown
    assert "należy teraz do forum ODPADY" in world.on_telegram_group(ODPADY_GROUP)[-1]["text"]


async def ask(world: World, asker: Staff = RENATA, text: str = QUESTION) -> Posted:
    """``asker`` asks PZP from their private Telegram chat; the posts are delivered."""
    await world.telegram_says(asker, f"/pytanie PZP {text}")
    assert "trafiło do 3 grup forum PZP (Slack, Teams, Telegram)" in \
        world.on_telegram(asker)[-1]["text"]
    await world.deliver()
    return posted(world)


def posted(world: World, number: int = 1) -> Posted:
    """The question's posts as each platform shows them."""
    title = f"❓ Pytanie nr {number} — Forum Prawa Zamówień Publicznych"
    [telegram] = [m for m in world.on_telegram_group(PZP_GROUP) if title in m["text"]]
    [slack] = [m for m in world.on_slack_channel(PZP_CHANNEL) if title in m["text"]]
    [teams] = [root for root, thread in world.on_teams_channel(PZP_TEAMS).items()
               if title in teams_text(thread[0])]
    assert "thread_ts" not in slack  # a post of its own: its replies are its thread
    return Posted(telegram, slack["ts"], teams)


def mirrors(world: World, post: Posted) -> Iterator[tuple[str, str]]:
    """What each platform shows in the question's thread besides the post: (where, text)."""
    for message in world.on_telegram_group(PZP_GROUP):
        if (message.get("reply_parameters") or {}).get("message_id") == \
                post.telegram["message_id"]:
            yield "telegram", message["text"]
    for message in world.on_slack_channel(PZP_CHANNEL, thread_ts=post.slack_ts):
        yield "slack", message["text"]
    for activity in world.on_teams_channel(PZP_TEAMS)[post.teams_root][1:]:
        yield "teams", teams_text(activity)


def mirrored(world: World, post: Posted, text: str) -> set[str]:
    """The platforms whose thread of the question shows ``text``."""
    return {where for where, shown in mirrors(world, post) if text in shown}


@pytest.fixture
async def forum(world: World) -> World:
    """The world with forum PZP's three groups (and one of ODPADY) linked."""
    await link_forum_groups(world)
    return world


# --- asked on Telegram, answered on Teams and on Slack, with a restart between -------------


async def test_question_from_telegram_is_answered_on_teams_and_slack_across_a_restart(
        forum: World) -> None:
    world = forum
    post = await ask(world)
    signature = "Od: Renata Nowak, Wieliczka, via Telegram"  # never anonymous
    assert QUESTION in post.telegram["text"] and signature in post.telegram["text"]
    [slack_post] = [m for m in world.on_slack_channel(PZP_CHANNEL) if m["ts"] == post.slack_ts]
    assert QUESTION in slack_post["text"] and signature in slack_post["text"]
    teams_post = teams_text(world.on_teams_channel(PZP_TEAMS)[post.teams_root][0])
    assert QUESTION in teams_post and signature in teams_post
    assert world.on_telegram_group(ODPADY_GROUP)[-1]["text"].startswith("Ta grupa")  # not here

    # A restart: a new app, new adapters, the same database. The threads still lead home.
    await world.restart()
    answer = "Mamy wzór z 2024 r., wysyłam na maila."
    await world.teams_channel_says(PAULINA, PZP_TEAMS, answer, thread=post.teams_root)
    await world.deliver()
    copy = world.on_telegram(RENATA)[-1]
    assert copy["text"].startswith("Odpowiedź na Twoje pytanie nr 1")
    assert answer in copy["text"] and "Paulina Sikora, Skawina, via Teams" in copy["text"]
    assert telegram_buttons(copy) == ["Oznacz jako rozwiązane"]
    by_paulina = f"Paulina Sikora, Skawina, via Teams: {answer}"
    assert mirrored(world, post, by_paulina) == {"telegram", "slack"}  # not echoed in Teams
    assert len(world.on_teams_channel(PZP_TEAMS)[post.teams_root]) == 1  # and no bot reply

    second = "Uchwała 12/2024 ma taką klauzulę, w załączniku."
    await world.slack_channel_says(JULIA, PZP_CHANNEL, second, thread_ts=post.slack_ts)
    await world.deliver()
    copy = world.on_telegram(RENATA)[-1]
    assert second in copy["text"] and "Julia Sikorska, Niepołomice, via Slack" in copy["text"]
    by_julia = f"Julia Sikorska, Niepołomice, via Slack: {second}"
    assert mirrored(world, post, by_julia) == {"telegram", "teams"}
    # Each platform's thread: the other messengers' answers, each once.
    assert sorted(where for where, _ in mirrors(world, post)) == [
        "slack", "teams", "telegram", "telegram"]
    # Chatter in the channels that answers nothing is relayed nowhere.
    await world.teams_channel_says(PAULINA, PZP_TEAMS, "Dzień dobry wszystkim!")
    await world.slack_channel_says(JULIA, PZP_CHANNEL, "Dzień dobry!")
    assert await world.deliver() == 0


# --- edits and deletions ---------------------------------------------------------------------


async def test_edits_and_deletions_of_answers_follow_on_every_platform(forum: World) -> None:
    world = forum
    post = await ask(world)
    teams_answer = await world.teams_channel_says(PAULINA, PZP_TEAMS, "Wzór jest w BIP.",
                                                  thread=post.teams_root)
    slack_answer = await world.slack_channel_says(JULIA, PZP_CHANNEL, "Mam projekt umowy.",
                                                  thread_ts=post.slack_ts)
    telegram_answer = await world.telegram_group_says(MARZENA, PZP_GROUP, "Zabierzów też ma.",
                                                      reply_to=post.telegram)
    await world.deliver()
    assert len(world.on_telegram(RENATA)) == 1 + 3  # "sent to 3 groups", three answers

    # Teams: messageUpdate / editMessage.
    await world.teams_channel_edits(PAULINA, PZP_TEAMS, teams_answer,
                                    "Wzór jest w BIP, zakładka Zamówienia.",
                                    thread=post.teams_root)
    edited = "Paulina Sikora, Skawina, via Teams: Wzór jest w BIP, zakładka Zamówienia."
    assert mirrored(world, post, edited) == {"telegram", "slack"}
    assert not mirrored(world, post, "Wzór jest w BIP.")
    assert any("Wzór jest w BIP, zakładka Zamówienia." in m["text"]
               and "Paulina Sikora" in m["text"] for m in world.on_telegram(RENATA))
    # Slack: message_changed.
    await world.slack_channel_edits(JULIA, PZP_CHANNEL, slack_answer, "Mam projekt umowy z 2025.",
                                    before="Mam projekt umowy.", thread_ts=post.slack_ts)
    assert mirrored(world, post, "via Slack: Mam projekt umowy z 2025.") == {"telegram", "teams"}
    # Telegram: edited_message.
    await world.telegram_group_edits(MARZENA, telegram_answer, "Zabierzów też ma, od marca.")
    assert mirrored(world, post, "via Telegram: Zabierzów też ma, od marca.") == {"slack",
                                                                                "teams"}

    # Teams: messageDelete / softDeleteMessage. The mirrors and the asker's copy are removed.
    await world.teams_channel_deletes(PAULINA, PZP_TEAMS, teams_answer, thread=post.teams_root)
    assert not mirrored(world, post, "Wzór jest w BIP")
    assert not any("Wzór jest w BIP" in m["text"] for m in world.on_telegram(RENATA))
    # Slack: message_deleted. Telegram refuses to delete a group message older than 48 hours:
    # that mirror then says the answer is gone instead.
    world.tg.fail_next("deleteMessage", error_code=400, chat_id=PZP_GROUP,
                       description="Bad Request: message can't be deleted")
    await world.slack_channel_deletes(JULIA, PZP_CHANNEL, slack_answer,
                                      text="Mam projekt umowy z 2025.", thread_ts=post.slack_ts)
    assert not mirrored(world, post, "Mam projekt umowy")
    assert mirrored(world, post, "(odpowiedź usunięta przez autora)") == {"telegram"}
    assert not any("Mam projekt umowy" in m["text"] for m in world.on_telegram(RENATA))
    # Left: the note on Telegram, and Marzena's answer on Slack and Teams.
    assert [where for where, _ in mirrors(world, post)] == ["telegram", "slack", "teams"]


async def slack_answer_with_file(world: World, post: Posted, text: str) -> str:
    """Julia answers in the question's Slack thread, sharing a file; returns the ``ts``."""
    assert JULIA.slack is not None
    ts = f"{float(post.slack_ts) + 1:.6f}"
    await world._slack_event({
        "type": "message", "subtype": "file_share", "channel": PZP_CHANNEL,
        "channel_type": "channel", "user": JULIA.slack, "ts": ts, "event_ts": ts, "team": TEAM,
        "text": text, "thread_ts": post.slack_ts, "parent_user_id": world.slack_fake.bot_user_id,
        "files": [{"name": "klauzula.docx", "mimetype": "application/msword",
                   "permalink": "https://gminy.slack.com/files/U0JSIKORSKA/F1/klauzula.docx"}],
    })
    return ts


async def test_an_edited_answer_keeps_its_attachment_everywhere(forum: World) -> None:
    world = forum
    post = await ask(world)
    ts = await slack_answer_with_file(world, post, "Wzór w załączniku.")
    await world.deliver()
    link = "https://gminy.slack.com/files/U0JSIKORSKA/F1/klauzula.docx"
    [mirror] = [m for m in world.on_telegram_group(PZP_GROUP) if "Wzór w załączniku" in m["text"]]
    copy = world.on_telegram(RENATA)[-1]
    for shown in (mirror, copy):
        assert "📎 klauzula.docx" in shown["text"] and link in shown["raw_text"]
    await world.slack_channel_edits(JULIA, PZP_CHANNEL, ts, "Wzór w załączniku (wersja 2).",
                                    before="Wzór w załączniku.", thread_ts=post.slack_ts)
    [mirror] = [m for m in world.on_telegram_group(PZP_GROUP) if "Wzór w załączniku" in m["text"]]
    copy = world.on_telegram(RENATA)[-1]
    for shown in (mirror, copy):
        assert "Wzór w załączniku (wersja 2)." in shown["text"]
        assert "📎 klauzula.docx" in shown["text"] and link in shown["raw_text"]
    assert telegram_buttons(copy) == ["Oznacz jako rozwiązane"]
    [teams] = [a for a in world.on_teams_channel(PZP_TEAMS)[post.teams_root][1:]]
    assert "(wersja 2)" in teams_text(teams) and "klauzula.docx" in json.dumps(teams)


async def test_a_long_answer_is_relayed_in_parts(forum: World) -> None:
    world = forum
    post = await ask(world)
    sentences = [f"Punkt {n}: waloryzacja według wskaźnika GUS raz na kwartał." for n in
                 range(1, 121)]
    answer = " ".join(sentences)  # ~7,000 characters: over every inbound and Telegram limit
    await world.slack_channel_says(JULIA, PZP_CHANNEL, answer, thread_ts=post.slack_ts)
    assert world.on_slack_channel(PZP_CHANNEL, thread_ts=post.slack_ts) == []  # no refusal
    await world.deliver()
    in_group = [m["text"] for m in world.on_telegram_group(PZP_GROUP) if "Punkt" in m["text"]]
    copies = [m["text"] for m in world.on_telegram(RENATA)[1:]]
    for parts in (in_group, copies):
        assert len(parts) >= 2 and all(len(part) <= 4096 for part in parts)
        shown = " ".join(parts)
        assert sentences[0] in shown and sentences[-1] in shown
    assert "via Slack: Punkt 1:" in in_group[0]
    assert any(sentences[-1] in text for where, text in mirrors(world, post) if where == "teams")


async def test_an_english_asker_gets_answers_in_english(forum: World) -> None:
    world = forum
    await world.telegram_says(RENATA, "/moje-dane język en")
    await world.telegram_says(RENATA, f"/ask PZP {QUESTION}")
    assert "went to 3 groups of forum PZP" in world.on_telegram(RENATA)[-1]["text"]
    await world.deliver()
    post = posted(world)  # the groups' posts stay Polish: they are shared
    await world.teams_channel_says(PAULINA, PZP_TEAMS, "Mamy wzór.", thread=post.teams_root)
    await world.deliver()
    copy = world.on_telegram(RENATA)[-1]
    assert copy["text"].startswith("An answer to your question no. 1")
    assert "Mamy wzór." in copy["text"] and "Paulina Sikora, Skawina, via Teams" in copy["text"]
    assert telegram_buttons(copy) == ["Mark as solved"]


# --- groups linked and unlinked from the command line and from anywhere ---------------------


async def lacznik(world: World, capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """Run a ``lacznik`` command on the world's database; what it printed."""
    from bots import cli, commands_cli

    args = cli._parser().parse_args(list(argv))
    handler = cli.forums_command if args.command == "forums" else commands_cli.groups
    capsys.readouterr()
    assert await handler(world.app, args) == 0
    return capsys.readouterr().out


async def test_groups_linked_and_unlinked_from_the_command_line_and_from_anywhere(
        forum: World, capsys: pytest.CaptureFixture[str]) -> None:
    world = forum
    # The bot is in another Telegram group too; it has seen it, nobody registered it.
    extra = -1001000000199
    await world.telegram_group_says(MARZENA, extra, "Dzień dobry!", title="PZP — zespół 2")
    key = f"telegram::{extra}"
    assert f"{key}\tgroup\tPZP — zespół 2\tnot registered" in await lacznik(
        world, capsys, "groups", "list")
    assert f"{key}: linked (PZP)" in await lacznik(world, capsys, "forums", "link", "PZP", key)
    listed = await lacznik(world, capsys, "forums", "list")
    [number] = [line.split("\t")[0].strip(" #") for line in listed.splitlines()
                if f"\tTelegram\t{key}\tPZP — zespół 2" in line]
    await world.telegram_says(RENATA, f"/pytanie PZP {QUESTION}")
    assert "trafiło do 4 grup forum PZP" in world.on_telegram(RENATA)[-1]["text"]
    await world.deliver()
    assert "❓ Pytanie nr 1" in world.on_telegram_group(extra)[-1]["text"]

    # Unregistered by an admin: the group gets nothing more, and the list says so.
    await lacznik(world, capsys, "groups", "unregister", key)
    await world.telegram_says(RENATA, "/pytanie PZP Kto ma wzór umowy ramowej?")
    assert "trafiło do 3 grup forum PZP" in world.on_telegram(RENATA)[-1]["text"]
    await world.deliver()
    assert not any("Pytanie nr 2" in m["text"] for m in world.on_telegram_group(extra))
    await world.slack_says(BARTOSZ, "forum lista")
    listing = world.on_slack(BARTOSZ)[-1]["text"]
    assert f"#{number} Telegram (PZP — zespół 2) — nie dostaje pytań" in listing
    assert "Slack (C0PZP)" in listing and "Teams (19:forum-pzp@thread.tacv2)" in listing

    # Unlinked by its number from a private chat: by the forum's moderator, not a member.
    await world.slack_says(JULIA, f"forum odlacz PZP {number}")
    assert "podłączają administratorzy" in world.on_slack(JULIA)[-1]["text"]
    await world.slack_says(BARTOSZ, f"forum odlacz PZP {number}")
    assert world.on_slack(BARTOSZ)[-1]["text"] == (
        f"Grupa nr {number} nie należy już do forum PZP.")
    assert key not in await lacznik(world, capsys, "forums", "list")
    # …and the command line unlinks by the group's key.
    slack_key = f"slack:{TEAM}:{PZP_CHANNEL}"
    assert f"{slack_key}: unlinked (PZP)" in await lacznik(world, capsys, "forums", "unlink",
                                                          "PZP", slack_key)
    await world.telegram_says(RENATA, "/pytanie PZP Trzecie pytanie?")
    assert "trafiło do 2 grup forum PZP (Teams, Telegram)" in world.on_telegram(RENATA)[-1][
        "text"]


# --- moderation, membership and the archive --------------------------------------------------


async def test_redirect_refusal_of_outsiders_and_search_in_polish(forum: World) -> None:
    world = forum
    post = await ask(world)
    # Someone outside the forum is refused politely, and nothing is posted anywhere.
    await world.telegram_says(JOLANTA, "/pytanie PZP Kto ma wzór umowy na odbiór odpadów?")
    assert world.on_telegram(JOLANTA)[-1]["text"] == (
        "Pytania do forum PZP zadają jego członkowie. Poproś moderatora o dodanie.")
    assert await world.deliver() == 0

    answer = "Wzór klauzuli waloryzacyjnej jest w załączniku do uchwały 12/2024."
    await world.teams_channel_says(PAULINA, PZP_TEAMS, answer, thread=post.teams_root)
    await world.deliver()
    # The archive: inflected forms match, with the best answer quoted.
    await world.telegram_says(RENATA, "/szukaj klauzul waloryzacyjnych")
    found = world.on_telegram(RENATA)[-1]["text"]
    assert f"#1 [PZP] {QUESTION} — otwarte" in found
    assert f"↳ Paulina Sikora, Skawina: {answer}" in found
    await world.telegram_says(JOLANTA, "/szukaj klauzula waloryzacyjna")
    assert "nic nie pasuje" in world.on_telegram(JOLANTA)[-1]["text"]  # not her forum

    # Only a moderator moves a question to another forum.
    await world.slack_says(JULIA, "przekieruj 1 ODPADY")
    assert "To polecenie jest dostępne tylko dla" in world.on_slack(JULIA)[-1]["text"]
    await world.slack_says(BARTOSZ, "przekieruj 1 ODPADY")
    assert "Pytanie nr 1 przekierowane do forum ODPADY." in world.on_slack(BARTOSZ)[-1]["text"]
    await world.deliver()
    note = "Pytanie nr 1 przekierowano do forum: Forum Gospodarki Odpadami."
    assert mirrored(world, post, note) == {"telegram", "slack", "teams"}
    moved = world.on_telegram_group(ODPADY_GROUP)[-1]["text"]
    assert moved.startswith("❓ Pytanie nr 1 — Forum Gospodarki Odpadami")
    assert QUESTION in moved and "Od: Renata Nowak, Wieliczka, via Telegram" in moved


# --- someone who only ever wrote in a channel -----------------------------------------------


async def test_a_teams_user_who_asked_in_a_channel_gets_answers_in_a_chat_the_bot_opens(
        forum: World) -> None:
    world = forum
    # Lucyna never opened a chat with the bot: she asks in the forum's Teams channel (her
    # account is linked there by the e-mail Teams vouches for).
    question = "Od jakiej kwoty stosujecie klauzulę waloryzacyjną?"
    asked = await world.teams_channel_says(LUCYNA, PZP_TEAMS, f"pytanie PZP {question}",
                                           mention=True)
    assert "Pytanie nr 1 trafiło do 3 grup" in teams_text(
        world.on_teams_channel(PZP_TEAMS)[asked][-1])
    await world.deliver()
    post = posted(world)
    assert "Od: Lucyna Sobczak, Michałowice, via Teams" in post.telegram["text"]
    assert world.teams_opened(LUCYNA) == []
    answer = "U nas od 500 tys. zł i przy umowach powyżej 6 miesięcy."
    await world.slack_channel_says(JULIA, PZP_CHANNEL, answer, thread_ts=post.slack_ts)
    await world.deliver()
    [copy] = world.teams_opened(LUCYNA)  # the bot opened the 1:1 chat to bring it
    shown = teams_text(copy)
    assert "Odpowiedź na Twoje pytanie nr 1" in shown and answer in shown
    assert "Julia Sikorska, Niepołomice, via Slack" in shown
    assert mirrored(world, post, f"via Slack: {answer}") == {"telegram", "teams"}
    # The chat is remembered: the next answer goes there without opening another.
    await world.telegram_group_says(MARZENA, PZP_GROUP, "Zabierzów: od 1 mln zł.",
                                    reply_to=post.telegram)
    await world.deliver()
    assert len(world.teams_opened(LUCYNA)) == 2
    opened = [c for c in world.connector.calls if c.operation == "create_conversation"
              and not (c.body.get("channelData") or {}).get("channel")]
    assert len(opened) == 1


# --- replies to the bot: answers, follow-ups, and questions no longer open -------------------


async def telegram_private_reply(world: World, staff: Staff, to: JSONDict, text: str) -> None:
    """``staff`` replies in their private Telegram chat to the bot's message ``to``."""
    assert staff.telegram is not None
    chat = {"id": staff.telegram, "type": "private", "first_name": staff.name.split()[0]}
    await world._telegram_update({"message": {
        "message_id": int(time.monotonic_ns() % 1_000_000_000), "date": int(time.time()),
        "chat": chat, "from": {"id": staff.telegram, "is_bot": False,
                               "first_name": staff.name.split()[0], "language_code": "pl"},
        "text": text,
        "reply_to_message": {"message_id": to["message_id"], "date": to["date"], "chat": chat,
                             "from": {"id": world.tg.bot_id, "is_bot": True,
                                      "first_name": "Łącznik", "username": world.tg.username},
                             "text": to["text"]},
    }})


async def test_replies_to_the_bots_posts_on_telegram_are_forum_replies_never_directory_queries(
        forum: World) -> None:
    world = forum
    post = await ask(world)
    await world.slack_channel_says(JULIA, PZP_CHANNEL, "Mamy wzór.", thread_ts=post.slack_ts)
    await world.deliver()
    [mirror] = [m for m in world.on_telegram_group(PZP_GROUP) if "via Slack: Mamy wzór." in
                m["text"]]
    # Telegram counts a reply to the bot's own message as addressed to the bot; one that reads
    # like a directory question is still an answer in the thread, wherever in it it replies.
    in_group = len(world.on_telegram_group(PZP_GROUP))
    await world.telegram_group_says(MARZENA, PZP_GROUP, "Kto od śmieci w Wieliczce to wie?",
                                    reply_to=mirror)
    await world.deliver()
    by_marzena = "Marzena Tomaszewska, Zabierzów, via Telegram: Kto od śmieci w Wieliczce to wie?"
    assert mirrored(world, post, by_marzena) == {"slack", "teams"}
    assert "Kto od śmieci w Wieliczce to wie?" in world.on_telegram(RENATA)[-1]["text"]
    assert len(world.on_telegram_group(PZP_GROUP)) == in_group  # no directory answer there

    # The moderator closes the question. Replies to its post, to a mirror or to the note that
    # it is closed reach nobody: Marzena is told so once, in her private chat; the group, the
    # asker and the other threads see nothing.
    await world.slack_says(BARTOSZ, "zamknij 1")
    await world.deliver()
    [note] = [m for m in world.on_telegram_group(PZP_GROUP)
              if "zostało zamknięte przez moderatora" in m["text"]]
    in_group, to_renata = len(world.on_telegram_group(PZP_GROUP)), len(world.on_telegram(RENATA))
    to_marzena, in_threads = len(world.on_telegram(MARZENA)), len(list(mirrors(world, post)))
    await world.telegram_group_says(MARZENA, PZP_GROUP, "kto od śmieci w Wieliczce?",
                                    reply_to=post.telegram)
    await world.deliver()
    assert len(world.on_telegram_group(PZP_GROUP)) == in_group  # no "Nie znalazłem nikogo…"
    [told] = world.on_telegram(MARZENA)[to_marzena:]
    assert told["text"] == (
        "Pytanie nr 1 jest już zamknięte, więc Twoja wiadomość w jego wątku nie trafiła do "
        "nikogo. Jeśli sprawa jest nadal aktualna, zadaj nowe pytanie tutaj: /pytanie PZP "
        "<treść>")
    for where in (mirror, note):
        await world.telegram_group_says(MARZENA, PZP_GROUP, "Jeszcze jedno.", reply_to=where)
    await world.deliver()
    assert len(world.on_telegram(MARZENA)) == to_marzena + 1  # told once, not per message
    assert len(world.on_telegram_group(PZP_GROUP)) == in_group
    assert len(world.on_telegram(RENATA)) == to_renata
    assert len(list(mirrors(world, post))) == in_threads


async def test_replies_to_a_solved_question_are_answered_privately_in_the_repliers_language(
        forum: World) -> None:
    world = forum
    post = await ask(world)
    await world.teams_channel_says(PAULINA, PZP_TEAMS, "Mamy wzór.", thread=post.teams_root)
    await world.deliver()
    await world.telegram_press(RENATA, world.on_telegram(RENATA)[-1], "Oznacz jako rozwiązane")
    await world.deliver()
    await world.slack_says(JULIA, "moje-dane język en")
    to_julia, to_renata = len(world.on_slack(JULIA)), len(world.on_telegram(RENATA))
    in_threads = len(list(mirrors(world, post)))
    await world.slack_channel_says(JULIA, PZP_CHANNEL, "U nas inaczej.", thread_ts=post.slack_ts)
    await world.slack_channel_says(JULIA, PZP_CHANNEL, "Dopiszę jeszcze.", thread_ts=post.slack_ts)
    await world.teams_channel_says(PAULINA, PZP_TEAMS, "I jeszcze to.", thread=post.teams_root)
    await world.deliver()
    [told] = world.on_slack(JULIA)[to_julia:]  # in English, once, in her DM
    assert told["text"].startswith("Question no. 1 is already marked as solved, so your "
                                   "message in its thread reached nobody.")
    assert "/ask PZP" in told["text"]
    [told] = world.teams_opened(PAULINA)  # Paulina never wrote privately: the bot opens a chat
    assert "Pytanie nr 1 jest już oznaczone jako rozwiązane" in teams_text(told)
    assert "/pytanie PZP" in teams_text(told)
    assert len(list(mirrors(world, post))) == in_threads  # the threads see nothing
    assert len(world.on_telegram(RENATA)) == to_renata


async def test_the_asker_follows_up_by_replying_to_an_answer_in_their_private_chat(
        forum: World) -> None:
    world = forum
    post = await ask(world)
    await world.teams_channel_says(PAULINA, PZP_TEAMS, "Jakiego zamówienia dotyczy?",
                                   thread=post.teams_root)
    await world.deliver()
    copy = world.on_telegram(RENATA)[-1]
    follow_up = "Robót budowlanych powyżej 6 miesięcy."
    await telegram_private_reply(world, RENATA, copy, follow_up)
    assert world.on_telegram(RENATA)[-1]["text"] == (
        "Dopisane do wątków pytania nr 1 w grupach forum PZP.")  # not a directory answer
    await world.deliver()
    by_renata = f"Renata Nowak, Wieliczka, via Telegram: {follow_up}"
    assert mirrored(world, post, by_renata) == {"telegram", "slack", "teams"}
    # The thread goes on: an answer to the follow-up reaches her as any answer does.
    await world.slack_channel_says(JULIA, PZP_CHANNEL, "Wtedy koniecznie z klauzulą.",
                                   thread_ts=post.slack_ts)
    await world.deliver()
    assert "Wtedy koniecznie z klauzulą." in world.on_telegram(RENATA)[-1]["text"]

    # Once solved, a reply to a copy goes nowhere, and she is told so.
    await world.telegram_press(RENATA, world.on_telegram(RENATA)[-1], "Oznacz jako rozwiązane")
    await world.deliver()
    in_threads = len(list(mirrors(world, post)))
    await telegram_private_reply(world, RENATA, copy, "Dziękuję wszystkim!")
    assert world.on_telegram(RENATA)[-1]["text"].startswith(
        "Pytanie nr 1 jest już oznaczone jako rozwiązane")
    assert await world.deliver() == 0
    assert len(list(mirrors(world, post))) == in_threads


async def test_the_askers_own_follow_up_answers_nothing(forum: World) -> None:
    world = forum
    post = await ask(world)
    answer_ts = await world.slack_channel_says(JULIA, PZP_CHANNEL, "Jakiego zamówienia dotyczy?",
                                               thread_ts=post.slack_ts)
    await world.deliver()
    follow_up = "Robót budowlanych, klauzula waloryzacyjna na 2 lata."
    await telegram_private_reply(world, RENATA, world.on_telegram(RENATA)[-1], follow_up)
    await world.deliver()
    await world.slack_channel_deletes(JULIA, PZP_CHANNEL, answer_ts,
                                      text="Jakiego zamówienia dotyczy?", thread_ts=post.slack_ts)
    # Only Renata's follow-up is left in the threads: nobody has answered her.
    await world.slack_says(BARTOSZ, "faq dodaj 1")
    assert world.on_slack(BARTOSZ)[-1]["text"].startswith(
        "Pytanie nr 1 nie ma jeszcze odpowiedzi")
    await world.telegram_says(RENATA, "/szukaj klauzul waloryzacyjnych")
    found = world.on_telegram(RENATA)[-1]["text"]
    assert f"#1 [PZP] {QUESTION}" in found and "↳" not in found  # her own words quote nothing

    # Someone else answers: that is the answer the archive quotes and the FAQ takes.
    await world.telegram_group_says(MARZENA, PZP_GROUP, "Nasz wzór jest w BIP Zabierzowa.",
                                    reply_to=post.telegram)
    await world.deliver()
    await world.telegram_says(RENATA, "/szukaj klauzul waloryzacyjnych")
    found = world.on_telegram(RENATA)[-1]["text"]
    assert "↳ Marzena Tomaszewska, Zabierzów: Nasz wzór jest w BIP Zabierzowa." in found
    assert follow_up not in found
    await world.slack_says(BARTOSZ, "faq dodaj 1")
    assert world.on_slack(BARTOSZ)[-1]["text"] == "Pytanie nr 1 dodane do FAQ."
    await world.slack_says(BARTOSZ, "faq PZP")
    faq = world.on_slack(BARTOSZ)[-1]["text"]
    assert "Nasz wzór jest w BIP Zabierzowa." in faq and follow_up not in faq
