"""The panel's forum pages (/panel/fora): admins create forums the chat can use at once,
moderators edit only their own, members are added, removed and imported with a preview,
FAQ curation changes what a chat search shows, unanswered questions come oldest first."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from aiohttp import FormData
from aiohttp.test_utils import TestClient
from sqlalchemy import select
from sqlmodel import col

from adapters.console.adapter import ConsoleSession
from bots.app import App
from store.forum_models import Answer, Question
from store.forum_questions import add_answer, delete_answer
from store.forums import active_forum, member_ids, moderator_ids
from store.models import AuditLog, Forum
from store.people import person_by_email
from tests.panel_helpers import panel_client, sign_in
from tests.test_forums import (
    ASKER,
    EXPERT,
    GROUP_A,
    MODERATOR,
    ask,
    posts_in,
    said,
    setup_forum,
)

__all__ = ["panel_client"]  # a fixture, used by name

ADMIN = "m.zawadzka-hejmo@metropoliakrakowska.example.pl"
OUTSIDER = "j.kolodziej@wieliczka.example.pl"  # moderates ODPADY, not in PZP
NEWCOMER = "a.walczak@krakow.example.pl"  # in TRANSPORT, not in PZP
Client = TestClient[Any, Any]


async def forum(app: App, key: str) -> Forum | None:
    async with app.db.session() as session:
        return await active_forum(session, key)


async def people_of(app: App, key: str) -> tuple[set[int], set[int]]:
    """(members, moderators) of a forum, by person id."""
    found = await forum(app, key)
    assert found is not None
    async with app.db.session() as session:
        return (await member_ids(session, int(found.id or 0)),
                await moderator_ids(session, int(found.id or 0)))


async def person_id(app: App, email: str) -> int:
    async with app.db.session() as session:
        person = await person_by_email(session, email)
    assert person is not None
    return int(person.id or 0)


def table_rows(html: str) -> list[str]:
    """The text of each body row of the page's tables, tags removed."""
    body = "".join(re.findall(r"<tbody>(.*?)</tbody>", html, re.S))
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split())
            for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


async def test_an_admin_creates_a_forum_that_the_chat_can_use_at_once(
        app: App, panel_client: Client) -> None:
    csrf = await sign_in(panel_client, app, ADMIN)
    shown = await (await panel_client.get("/panel/fora")).text()
    # The fixed point: the form's fields are labelled "Klucz" and "Nazwa".
    assert re.search(r'<label for="fora-key">Klucz</label>', shown)
    assert re.search(r'<label for="fora-name">Nazwa</label>', shown)
    assert "PZP Forum Prawa Zamówień Publicznych 15" in " | ".join(table_rows(shown))

    refused = await panel_client.post("/panel/fora", data={
        "csrf": csrf, "key": "zła nazwa", "name_pl": "Mieszkalnictwo"})
    assert refused.status == 400
    assert "jest nieprawidłowy" in await refused.text()
    assert await forum(app, "MIESZKANIA") is None
    no_token = await panel_client.post("/panel/fora", data={
        "key": "MIESZKANIA", "name_pl": "Forum Mieszkalnictwa"}, allow_redirects=False)
    assert no_token.status == 403 and await forum(app, "MIESZKANIA") is None

    made = await panel_client.post("/panel/fora", data={
        "csrf": csrf, "key": "mieszkania", "name_pl": "Forum Mieszkalnictwa",
        "name_en": "Housing Forum"}, allow_redirects=False)
    assert made.status == 303 and made.headers["Location"].startswith("/panel/fora/MIESZKANIA")
    page = await (await panel_client.get("/panel/fora/MIESZKANIA")).text()
    assert "Forum MIESZKANIA: Forum Mieszkalnictwa" in page
    added = await panel_client.post("/panel/fora/MIESZKANIA/czlonkowie/dodaj", data={
        "csrf": csrf, "emails": ASKER}, allow_redirects=False)
    assert added.status == 303

    # The chat knows it: listed, and a member can ask in it.
    asker = ConsoleSession(app.core, ASKER)
    [listing] = await asker.say("/forum lista")
    assert "MIESZKANIA" in listing and "Forum Mieszkalnictwa" in listing
    [sent] = await asker.say("/pytanie MIESZKANIA Kto zna dobry wzór umowy najmu socjalnego?")
    assert "pytanie nr 1" in sent and "MIESZKANIA" in sent  # stored; no groups linked yet
    listing = await (await panel_client.get("/panel/fora")).text()
    [row] = [r for r in table_rows(listing) if r.startswith("MIESZKANIA ")]
    assert row.startswith("MIESZKANIA Forum Mieszkalnictwa 1 brak brak 1, najstarsze czeka")
    async with app.db.session() as session:
        actions = list((await session.execute(
            select(col(AuditLog.action), col(AuditLog.actor))
            .where(col(AuditLog.target) == "forum:MIESZKANIA"))).all())
    admin_id = await person_id(app, ADMIN)
    assert ("forum.create", f"panel:person:{admin_id}") in actions
    assert ("forum.member_add", f"panel:person:{admin_id}") in actions

    # In English the same form says "Key" and "Name".
    switched = await panel_client.post("/panel/jezyk", data={
        "csrf": csrf, "lang": "en", "back": "/panel/fora"})
    english = await switched.text()
    assert '<label for="fora-key">Key</label>' in english
    assert '<label for="fora-name">Name</label>' in english
    assert "Unanswered" in english


async def test_a_moderator_unlinks_a_group_and_the_next_question_skips_it(
        app: App, panel_client: Client) -> None:
    await setup_forum(app)  # PZP has two console groups
    csrf = await sign_in(panel_client, app, MODERATOR)
    shown = await (await panel_client.get("/panel/fora/PZP")).text()
    groups = re.findall(r'action="/panel/fora/PZP/grupy/(\d+)/odlacz"', shown)
    assert len(groups) == 2 and "grupa-pzp-teams" in shown and "przyjmuje pytania" in shown
    other = await sign_in(panel_client, app, OUTSIDER)  # moderates ODPADY only
    refused = await panel_client.post(f"/panel/fora/PZP/grupy/{groups[0]}/odlacz",
                                      data={"csrf": other}, allow_redirects=False)
    assert refused.status == 403
    csrf = await sign_in(panel_client, app, MODERATOR)
    unlinked = await panel_client.post(f"/panel/fora/PZP/grupy/{groups[0]}/odlacz",
                                       data={"csrf": csrf}, allow_redirects=False)
    assert unlinked.status == 303 and "notice=fora.unlinked" in unlinked.headers["Location"]
    shown = await (await panel_client.get("/panel/fora/PZP")).text()
    assert re.findall(r'action="/panel/fora/PZP/grupy/(\d+)/odlacz"', shown) == groups[1:]
    sent = await ask(app)
    assert "trafiło do 1 grupy forum PZP" in sent


async def test_a_moderator_edits_their_own_forum_and_nothing_of_another(
        app: App, panel_client: Client) -> None:
    csrf = await sign_in(panel_client, app, MODERATOR)  # moderates PZP only
    listing = await (await panel_client.get("/panel/fora")).text()
    keys = [row.split()[0] for row in table_rows(listing)]
    assert keys == ["PZP"]
    assert 'for="fora-key"' not in listing  # no "new forum" form: admins create

    saved = await panel_client.post("/panel/fora/PZP", data={
        "csrf": csrf, "name_pl": "Forum Zamówień Publicznych", "name_en": ""},
        allow_redirects=False)
    assert saved.status == 303
    renamed = await forum(app, "PZP")
    assert renamed is not None and renamed.name_pl == "Forum Zamówień Publicznych"

    before = await forum(app, "ODPADY")
    members_before = await people_of(app, "ODPADY")
    for url, data in (("/panel/fora/ODPADY", {"name_pl": "Przejęte"}),
                      ("/panel/fora/ODPADY/czlonkowie/dodaj", {"emails": ASKER}),
                      ("/panel/fora/ODPADY/czlonkowie/usun", {"email": OUTSIDER}),
                      ("/panel/fora", {"key": "NOWE", "name_pl": "Nowe"}),
                      ("/panel/fora/PZP/moderatorzy", {"email": ASKER, "do": "grant"})):
        refused = await panel_client.post(url, data={"csrf": csrf, **data},
                                          allow_redirects=False)
        assert refused.status == 403, url
    assert (await panel_client.get("/panel/fora/ODPADY")).status == 403
    assert (await panel_client.get("/panel/fora/ODPADY/pytania")).status == 403
    after = await forum(app, "ODPADY")
    assert after is not None and before is not None and after.name_pl == before.name_pl
    assert await people_of(app, "ODPADY") == members_before
    assert await forum(app, "NOWE") is None
    assert await person_id(app, ASKER) not in (await people_of(app, "PZP"))[1]

    await sign_in(panel_client, app, ASKER)  # a member without a role
    home = await (await panel_client.get("/panel/")).text()
    assert 'href="/panel/fora"' not in home
    assert (await panel_client.get("/panel/fora")).status == 403
    assert (await panel_client.get("/panel/fora/PZP/czlonkowie")).status == 403


async def test_members_are_added_picked_removed_and_imported_after_a_preview(
        app: App, panel_client: Client) -> None:
    csrf = await sign_in(panel_client, app, ADMIN)
    newcomer = await person_id(app, NEWCOMER)
    added = await panel_client.post("/panel/fora/PZP/czlonkowie/dodaj", data={
        "csrf": csrf, "emails": NEWCOMER}, allow_redirects=False)
    assert added.status == 303 and "notice=fora.members_added" in added.headers["Location"]
    assert newcomer in (await people_of(app, "PZP"))[0]
    unknown = await panel_client.post("/panel/fora/PZP/czlonkowie/dodaj", data={
        "csrf": csrf, "emails": "nikt@example.pl"})
    assert unknown.status == 400 and "nikt@example.pl" in await unknown.text()

    # Picking from the directory: people outside the forum, each with an "add" button.
    picked = await (await panel_client.get("/panel/fora/PZP/czlonkowie",
                                           params={"osoba": "kołodziej"})).text()
    assert OUTSIDER in picked and 'value="j.kolodziej@wieliczka.example.pl"' in picked
    assert "Dodaj do forum: Jan" in picked or "Dodaj do forum:" in picked
    filtered = await (await panel_client.get("/panel/fora/PZP/czlonkowie",
                                             params={"q": "walczak"})).text()
    assert "Osób: 1" in filtered and NEWCOMER in filtered

    removed = await panel_client.post("/panel/fora/PZP/czlonkowie/usun", data={
        "csrf": csrf, "email": NEWCOMER}, allow_redirects=False)
    assert removed.status == 303 and newcomer not in (await people_of(app, "PZP"))[0]

    # Import: a preview first (nothing changes), then the confirmation.
    members, moderators = await people_of(app, "PZP")
    csv = f"Imię i nazwisko;E-mail\nAnna Walczak;{NEWCOMER}\nJan;{OUTSIDER}\n".encode()
    form = FormData()
    form.add_field("csrf", csrf)
    form.add_field("file", csv, filename="lista.csv", content_type="text/csv")
    preview = await panel_client.post("/panel/fora/PZP/import", data=form)
    text = await preview.text()
    assert preview.status == 200 and "Zostaną dodani (2)" in text
    assert "Zostaną usunięci" not in text  # without "replace" nobody leaves
    assert await people_of(app, "PZP") == (members, moderators)
    emails = re.search(r'name="emails" value="([^"]*)"', text)
    assert emails is not None
    confirmed = await panel_client.post("/panel/fora/PZP/import/zatwierdz", data={
        "csrf": csrf, "emails": emails.group(1), "replace": "", "filename": "lista.csv"},
        allow_redirects=False)
    assert confirmed.status == 303
    after, _ = await people_of(app, "PZP")
    assert after == members | {newcomer, await person_id(app, OUTSIDER)}

    # A file with an unknown address imports nothing and says which.
    bad = FormData()
    bad.add_field("csrf", csrf)
    bad.add_field("file", b"email\nnikt@example.pl\nzle@adres\n", filename="zla.csv",
                  content_type="text/csv")
    refused = await panel_client.post("/panel/fora/PZP/import", data=bad)
    body = await refused.text()
    assert refused.status == 400 and "Wiersz 3" in body and "zle@adres" in body

    # Replacing: members not listed leave; moderators stay.
    only = FormData()
    only.add_field("csrf", csrf)
    only.add_field("replace", "1")
    only.add_field("file", f"{ASKER}\n".encode(), filename="jedna.csv", content_type="text/csv")
    text = await (await panel_client.post("/panel/fora/PZP/import", data=only)).text()
    assert f"Zostaną usunięci z forum ({len(after) - 2})" in text  # all but asker, moderator
    confirmed = await panel_client.post("/panel/fora/PZP/import/zatwierdz", data={
        "csrf": csrf, "emails": ASKER, "replace": "1"}, allow_redirects=False)
    assert confirmed.status == 303
    assert (await people_of(app, "PZP"))[0] == {await person_id(app, ASKER),
                                                 await person_id(app, MODERATOR)}

    # Moderators: an admin grants and revokes; the chat follows at once.
    [not_yet] = await ConsoleSession(app.core, ASKER).say("/zamknij 99")
    assert not_yet != "Nie ma pytania nr 99."  # refused: not a moderator
    granted = await panel_client.post("/panel/fora/PZP/moderatorzy", data={
        "csrf": csrf, "email": ASKER, "do": "grant"}, allow_redirects=False)
    assert granted.status == 303
    assert await person_id(app, ASKER) in (await people_of(app, "PZP"))[1]
    [closing] = await ConsoleSession(app.core, ASKER).say("/zamknij 99")
    assert closing == "Nie ma pytania nr 99."  # a moderator's command, allowed now
    revoked = await panel_client.post("/panel/fora/PZP/moderatorzy", data={
        "csrf": csrf, "email": ASKER, "do": "revoke"}, allow_redirects=False)
    assert revoked.status == 303
    members_now, moderators_now = await people_of(app, "PZP")
    asker_id = await person_id(app, ASKER)
    assert asker_id not in moderators_now and asker_id in members_now


async def test_promoting_and_rewording_a_question_changes_what_the_chat_search_shows(
        app: App, panel_client: Client) -> None:
    await setup_forum(app)
    await ask(app)  # #1 "Czy ktoś ma wzór klauzuli waloryzacyjnej?"
    [(post_a, _)] = posts_in(app, GROUP_A)
    await app.core.handle(said(EXPERT, "Mamy wzór z 2024 r., wysyłam na maila, pisz śmiało.",
                               GROUP_A, addressed=False, reply_to=post_a, message_id="a-1"))
    await app.worker.run_once()
    member = ConsoleSession(app.core, EXPERT)
    [before] = await member.say("/szukaj waloryzacja")
    assert "Czy ktoś ma wzór klauzuli waloryzacyjnej?" in before

    csrf = await sign_in(panel_client, app, MODERATOR)
    candidates = await (await panel_client.get("/panel/fora/PZP/faq/kandydaci")).text()
    assert any(row.startswith("#1 Czy ktoś ma wzór") for row in table_rows(candidates))
    promoted = await panel_client.post("/panel/fora/PZP/faq/1/dodaj", data={"csrf": csrf},
                                       allow_redirects=False)
    assert promoted.status == 303
    assert promoted.headers["Location"].startswith("/panel/fora/PZP/faq/1")
    reworded = await panel_client.post("/panel/fora/PZP/faq/1", data={
        "csrf": csrf, "text": "Wzór klauzuli waloryzacyjnej w umowach o zamówienie",
        "answer": "Wzór z 2024 r. jest u moderatora forum; poproś o niego."},
        allow_redirects=False)
    assert reworded.status == 303
    faq = await (await panel_client.get("/panel/fora/PZP/faq")).text()
    assert "Wzór klauzuli waloryzacyjnej w umowach o zamówienie" in faq

    [found] = await member.say("/szukaj waloryzacja")
    assert "#1 [PZP] Wzór klauzuli waloryzacyjnej w umowach o zamówienie" in found
    assert "Wzór z 2024 r. jest u moderatora forum" in found
    assert "Czy ktoś ma" not in found and "pisz śmiało" not in found
    [by_new_words] = await member.say("/szukaj zamówienie umowa klauzula")
    assert "#1 [PZP]" in by_new_words
    [faq_chat] = await member.say("/faq PZP")
    assert "Wzór klauzuli waloryzacyjnej w umowach o zamówienie" in faq_chat
    async with app.db.session() as session:
        stored = await session.get(Question, 1)
        assert stored is not None and stored.text == "Czy ktoś ma wzór klauzuli waloryzacyjnej?"

    # Out of the FAQ, the words as asked come back.
    demoted = await panel_client.post("/panel/fora/PZP/faq/1/usun", data={"csrf": csrf},
                                      allow_redirects=False)
    assert demoted.status == 303
    [after] = await member.say("/szukaj waloryzacja")
    assert "Czy ktoś ma wzór klauzuli waloryzacyjnej?" in after

    # A moderator of another forum can do none of this.
    other = await sign_in(panel_client, app, OUTSIDER)
    refused = await panel_client.post("/panel/fora/PZP/faq/1/dodaj", data={"csrf": other},
                                      allow_redirects=False)
    assert refused.status == 403
    async with app.db.session() as session:
        stored = await session.get(Question, 1)
        assert stored is not None and not stored.faq


async def test_unanswered_questions_come_oldest_first_with_their_age(
        app: App, panel_client: Client) -> None:
    pzp = await forum(app, "PZP")
    assert pzp is not None
    now = app.clock.now()
    async with app.db.session() as session:
        for n in range(60):  # #1 asked 60 hours ago … #60 an hour ago; every third answered
            session.add(Question(forum_id=int(pzp.id or 0), text=f"Pytanie testowe {n + 1}",
                                 state="answered" if n % 3 == 2 else "open",
                                 created_at=now - timedelta(hours=60 - n)))
        await session.commit()
    # #1 is still open, but someone answered it in a group: it waits for no answer.
    async with app.db.session() as session:
        await add_answer(session, Answer(
            question_id=1, author_id=await person_id(app, EXPERT), author_label="Paulina",
            platform="console", conversation_key=GROUP_A.key, message_id="odp-1",
            text="Próg liczymy od wartości netto.", created_at=now))
        await session.commit()
    await sign_in(panel_client, app, ADMIN)
    listing = await (await panel_client.get("/panel/fora")).text()
    [pzp_row] = [row for row in table_rows(listing) if row.startswith("PZP ")]
    assert "39, najstarsze czeka 2 dni" in pzp_row

    first = await (await panel_client.get("/panel/fora/PZP/pytania")).text()
    assert "Pytań bez odpowiedzi: 39" in first
    rows = table_rows(first)
    assert len(rows) == 39  # one page of 50 holds them
    numbers = [int(row.split()[0].lstrip("#")) for row in rows]
    assert numbers == sorted(numbers) and numbers[0] == 2 and 3 not in numbers
    assert rows[0] == "#2 Pytanie testowe 2 20.11.2026 23:00 2 dni"
    assert rows[-1] == "#59 Pytanie testowe 59 23.11.2026 08:00 2 godziny"

    # The answer deleted where it was written: #1 waits again, the oldest.
    async with app.db.session() as session:
        answer = (await session.execute(select(Answer).where(
            col(Answer.message_id) == "odp-1"))).scalar_one()
        await delete_answer(session, answer)
        await session.commit()
    again = table_rows(await (await panel_client.get("/panel/fora/PZP/pytania")).text())
    assert len(again) == 40 and again[0].startswith("#1 Pytanie testowe 1 ")


async def test_pasted_addresses_add_the_known_and_keep_the_unknown_in_the_box(
        app: App, panel_client: Client) -> None:
    csrf = await sign_in(panel_client, app, ADMIN)
    newcomer = await person_id(app, NEWCOMER)
    answer = await panel_client.post("/panel/fora/PZP/czlonkowie/dodaj", data={
        "csrf": csrf, "emails": f"{NEWCOMER}\nnikt@example.pl, ktos@example.pl"})
    page = await answer.text()
    assert answer.status == 200
    assert newcomer in (await people_of(app, "PZP"))[0]  # the known one is in
    assert "Dodano do forum osób: 1." in page
    alert = page.split('role="alert"', 1)[1].split("</div>", 1)[0]
    assert "nikt@example.pl, ktos@example.pl" in alert and NEWCOMER not in alert
    box = re.search(r'<textarea id="fora-emails"([^>]*)>(.*?)</textarea>', page, re.S)
    assert box and box.group(2) == "nikt@example.pl\nktos@example.pl"
    assert 'aria-invalid="true"' in box.group(1)
    assert 'aria-describedby="fora-members-error fora-emails-hint"' in box.group(1)


async def test_an_unknown_address_in_a_member_file_is_a_skipped_row(
        app: App, panel_client: Client) -> None:
    csrf = await sign_in(panel_client, app, ADMIN)
    members, _ = await people_of(app, "PZP")
    upload = FormData()
    upload.add_field("csrf", csrf)
    upload.add_field("file", f"email\n{NEWCOMER}\nnikt@example.pl\n".encode(),
                     filename="lista.csv", content_type="text/csv")
    preview = await panel_client.post("/panel/fora/PZP/import", data=upload)
    text = await preview.text()
    assert preview.status == 200
    assert "Zostaną pominięte (1)" in text and "Zostaną dodani (1)" in text
    assert "nikt@example.pl nie ma takiej osoby w katalogu" in " | ".join(table_rows(text))
    emails = re.search(r'name="emails" value="([^"]*)"', text)
    assert emails is not None and emails.group(1) == NEWCOMER  # only the known are confirmed
    assert (await people_of(app, "PZP"))[0] == members  # a preview changes nothing
    confirmed = await panel_client.post("/panel/fora/PZP/import/zatwierdz", data={
        "csrf": csrf, "emails": emails.group(1), "replace": "", "filename": "lista.csv"},
        allow_redirects=False)
    assert confirmed.status == 303
    assert (await people_of(app, "PZP"))[0] == members | {await person_id(app, NEWCOMER)}


async def test_a_refused_new_forum_says_so_at_the_top_linked_to_the_field(
        app: App, panel_client: Client) -> None:
    csrf = await sign_in(panel_client, app, ADMIN)
    refused = await panel_client.post("/panel/fora", data={
        "csrf": csrf, "key": "PZP", "name_pl": "Drugie forum", "name_en": "Second"})
    page = await refused.text()
    assert refused.status == 400
    alert = page.index('role="alert"')
    assert alert < page.index("<table")  # above the list, not below it
    assert "Forum PZP już istnieje" in page[alert:page.index("<table")]
    assert 'href="#fora-key"' in page[alert:page.index("<table")]
    key = re.search(r'<input id="fora-key"([^>]*)>', page)
    assert key and 'aria-invalid="true"' in key.group(1)
    assert 'aria-describedby="fora-create-error fora-key-hint"' in key.group(1)
    assert 'value="PZP"' in key.group(1)
    name = re.search(r'<input id="fora-name"([^>]*)>', page)
    assert name and 'value="Drugie forum"' in name.group(1)
    assert "aria-invalid" not in name.group(1)
