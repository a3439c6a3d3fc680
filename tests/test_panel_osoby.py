"""The panel's "Osoby i role": people with roles and messengers; admins grant and revoke
roles with the chat's effect and the audit log's record; never the last admin; coordinators
read their gmina's people only; anyone else is kept out."""

from __future__ import annotations

import re
from typing import Any

from aiohttp.test_utils import TestClient
from sqlalchemy import func, select
from sqlmodel import col

from adapters.console.adapter import ConsoleSession
from bots.app import App
from store.models import AuditLog, MessengerAccount, Role, RoleGrant
from store.people import person_by_email
from tests.panel_helpers import panel_client, sign_in

__all__ = ["panel_client"]  # the fixture, imported for pytest

ADMIN = "m.zawadzka-hejmo@metropoliakrakowska.example.pl"
OTHER_ADMINS = ("k.obara@metropoliakrakowska.example.pl",
                "n.pirozek@metropoliakrakowska.example.pl")
COORDINATOR = "w.fras@wieliczka.example.pl"  # coordinates Wieliczka
RENATA = "r.nowak@wieliczka.example.pl"  # Wieliczka, no role
PAULINA = "p.sikora@skawina.example.pl"  # Skawina, no role

Client = TestClient[Any, Any]


async def person_id(app: App, email: str) -> int:
    async with app.db.session() as session:
        person = await person_by_email(session, email)
        assert person is not None and person.id is not None
        return person.id


async def roles_of(app: App, email: str) -> set[str]:
    pid = await person_id(app, email)
    async with app.db.session() as session:
        return set((await session.execute(select(col(RoleGrant.role)).where(
            col(RoleGrant.person_id) == pid))).scalars())


async def admin_count(app: App) -> int:
    async with app.db.session() as session:
        return int((await session.execute(select(func.count()).select_from(RoleGrant).where(
            col(RoleGrant.role) == Role.ADMIN.value))).scalar_one())


async def test_a_coordinator_granted_in_the_panel_may_announce_in_chat_and_it_is_audited(
        app: App, panel_client: Client) -> None:
    renata = ConsoleSession(app.core, RENATA)
    [before] = await renata.say("/ogloszenie gmina Wieliczka: Zebranie w piątek.")
    assert "To polecenie jest dostępne tylko dla" in before

    csrf = await sign_in(panel_client, app, ADMIN)
    listed = await (await panel_client.get("/panel/osoby", params={"q": "renata"})).text()
    assert "Renata Nowak" in listed and "Paulina Sikora" not in listed
    rid = await person_id(app, RENATA)
    assert f'href="/panel/osoby/{rid}"' in listed

    granted = await panel_client.post(f"/panel/osoby/{rid}/role", data={
        "csrf": csrf, "do": "grant", "role": "gmina_coordinator", "gmina": ""})
    page = await granted.text()
    assert granted.status == 200 and granted.url.path == f"/panel/osoby/{rid}"
    assert "Rola nadana." in page
    assert "koordynator gminy Wieliczka" in page  # her own gmina when none is named

    [after] = await renata.say("/ogloszenie gmina Wieliczka: Zebranie w piątek.")
    assert "Podgląd ogłoszenia" in after

    log = await (await panel_client.get("/panel/dziennik",
                                        params={"action": "role.grant"})).text()
    assert f'<a href="/panel/osoby/{rid}">Renata Nowak</a>' in log
    assert "koordynator gminy" in log and "Wpisów: 1" in log


async def test_a_role_revoked_in_the_panel_stops_in_chat(app: App, panel_client: Client
                                                          ) -> None:
    csrf = await sign_in(panel_client, app, ADMIN)
    fid = await person_id(app, COORDINATOR)
    page = await (await panel_client.get(f"/panel/osoby/{fid}")).text()
    gmina = re.search(r'name="gmina_id" value="(\d+)"', page)
    assert gmina, "her coordinator role has a revoke button"
    revoked = await panel_client.post(f"/panel/osoby/{fid}/role", data={
        "csrf": csrf, "do": "revoke", "role": "gmina_coordinator", "gmina_id": gmina.group(1),
        "confirm": "1"})
    assert "Rola odebrana." in await revoked.text()
    assert "gmina_coordinator" not in await roles_of(app, COORDINATOR)
    [refused] = await ConsoleSession(app.core, COORDINATOR).say(
        "/ogloszenie gmina Wieliczka: Zebranie.")
    assert "To polecenie jest dostępne tylko dla" in refused


async def test_the_last_admin_cannot_lose_the_role(app: App, panel_client: Client) -> None:
    csrf = await sign_in(panel_client, app, ADMIN)
    for email in OTHER_ADMINS:
        done = await panel_client.post(f"/panel/osoby/{await person_id(app, email)}/role",
                                       data={"csrf": csrf, "do": "revoke", "role": "admin",
                                             "confirm": "1"})
        assert "Rola odebrana." in await done.text()
    assert await admin_count(app) == 1

    me = await person_id(app, ADMIN)
    refused = await panel_client.post(f"/panel/osoby/{me}/role", data={
        "csrf": csrf, "do": "revoke", "role": "admin", "confirm": "1"})
    text = await refused.text()
    assert refused.status == 409
    assert "Nie można odebrać roli ostatniemu administratorowi" in text
    assert await roles_of(app, ADMIN) == {"admin"}
    async with app.db.session() as session:
        revokes = (await session.execute(select(func.count()).select_from(AuditLog).where(
            col(AuditLog.action) == "role.revoke"))).scalar_one()
    assert revokes == 2  # the refused one is not recorded as done


async def test_a_coordinator_reads_their_gminas_people_and_changes_nothing(
        app: App, panel_client: Client) -> None:
    csrf = await sign_in(panel_client, app, COORDINATOR)
    listed = await panel_client.get("/panel/osoby")
    text = await listed.text()
    assert listed.status == 200
    assert "Renata Nowak" in text and "Paulina Sikora" not in text
    assert "Magdalena Zawadzka-Hejmo" not in text  # office staff: no gmina
    assert "Nadaj rolę" not in text

    rid = await person_id(app, RENATA)
    own = await (await panel_client.get(f"/panel/osoby/{rid}")).text()
    assert "Role może zmieniać tylko administrator." in own and 'name="do"' not in own
    other = await panel_client.get(f"/panel/osoby/{await person_id(app, PAULINA)}")
    assert other.status == 404

    before = await roles_of(app, RENATA)
    for data in ({"do": "grant", "role": "admin"},
                 {"do": "grant", "role": "gmina_coordinator", "gmina": "Wieliczka"}):
        attempt = await panel_client.post(f"/panel/osoby/{rid}/role", data={"csrf": csrf, **data})
        assert attempt.status == 403
    me = await person_id(app, COORDINATOR)
    selfish = await panel_client.post(f"/panel/osoby/{me}/role", data={
        "csrf": csrf, "do": "grant", "role": "admin"})
    assert selfish.status == 403
    assert await roles_of(app, RENATA) == before
    assert "admin" not in await roles_of(app, COORDINATOR)
    assert (await panel_client.get("/panel/dziennik")).status == 403
    assert (await panel_client.get("/panel/stan")).status == 403


async def test_people_without_a_role_are_kept_out(app: App, panel_client: Client) -> None:
    await sign_in(panel_client, app, RENATA)
    page = await panel_client.get("/panel/osoby")
    assert page.status == 403
    assert "Znaleziono osób" not in await page.text()
    assert 'href="/panel/osoby"' not in await (await panel_client.get("/panel/")).text()


async def test_a_grant_without_the_csrf_token_changes_nothing(app: App, panel_client: Client
                                                              ) -> None:
    await sign_in(panel_client, app, ADMIN)
    rid = await person_id(app, RENATA)
    forged = await panel_client.post(f"/panel/osoby/{rid}/role",
                                     data={"do": "grant", "role": "admin"})
    assert forged.status == 403
    assert "admin" not in await roles_of(app, RENATA)


async def test_roles_and_messengers_are_listed_filtered_and_paged(app: App,
                                                                  panel_client: Client) -> None:
    rid = await person_id(app, RENATA)
    async with app.db.session() as session:
        session.add(MessengerAccount(platform="telegram", external_id="7001", person_id=rid))
        session.add(MessengerAccount(platform="slack", external_id="U0RNOWAK", person_id=rid,
                                     reachable=False, unreachable_reason="account_inactive"))
        await session.commit()
    await sign_in(panel_client, app, ADMIN)
    admins = await (await panel_client.get("/panel/osoby", params={"role": "admin"})).text()
    assert "Znaleziono osób: 3" in admins
    assert "Krzysztof Obara" in admins and "Renata Nowak" not in admins

    renata = await (await panel_client.get("/panel/osoby", params={"q": "NOWAK"})).text()
    assert "telegram: dostępny" in renata
    assert "slack: niedostępny: account_inactive" in renata

    moderators = await (await panel_client.get(
        "/panel/osoby", params={"role": "forum_moderator"})).text()
    assert "moderator forum" in moderators
    everyone = await (await panel_client.get("/panel/osoby")).text()
    total = int(re.search(r"Znaleziono osób: (\d+)", everyone).group(1))  # type: ignore[union-attr]  # asserted by the page
    assert total > 100 and 'rel="next"' in everyone
    last = (total + 49) // 50
    tail = await (await panel_client.get("/panel/osoby", params={"page": str(last)})).text()
    assert f"{last} / {last}" in tail and 'rel="next"' not in tail


async def test_an_unknown_gmina_is_refused_with_what_to_write(app: App, panel_client: Client
                                                              ) -> None:
    csrf = await sign_in(panel_client, app, ADMIN)
    rid = await person_id(app, RENATA)
    refused = await panel_client.post(f"/panel/osoby/{rid}/role", data={
        "csrf": csrf, "do": "grant", "role": "gmina_coordinator", "gmina": "Atlantyda"})
    assert refused.status == 400
    assert "Nie znam gminy „Atlantyda”." in await refused.text()  # the chat's own words
    skawina = await panel_client.post(f"/panel/osoby/{rid}/role", data={
        "csrf": csrf, "do": "grant", "role": "gmina_coordinator", "gmina": "w Skawinie"})
    assert "koordynator gminy Skawina" in await skawina.text()  # any grammatical case
    no_forum = await panel_client.post(f"/panel/osoby/{rid}/role", data={
        "csrf": csrf, "do": "grant", "role": "forum_moderator", "forum_id": ""})
    assert no_forum.status == 409
    assert "Moderator potrzebuje forum" in await no_forum.text()
    assert await roles_of(app, RENATA) == {"gmina_coordinator"}  # Skawina's, nothing else


async def test_the_page_speaks_english_to_an_english_speaker(app: App, panel_client: Client
                                                             ) -> None:
    async with app.db.session() as session:
        person = await person_by_email(session, ADMIN)
        assert person is not None
        person.language = "en"
        session.add(person)
        await session.commit()
    await sign_in(panel_client, app, ADMIN)
    page = await (await panel_client.get("/panel/osoby", params={"role": "admin"})).text()
    assert "People found: 3" in page and 'lang="en"' in page


async def test_search_ignores_the_case_of_polish_letters(app: App, panel_client: Client
                                                         ) -> None:
    await sign_in(panel_client, app, ADMIN)
    for typed in ("łabuz", "ŁABUZ", "Łabuz", "żak"):
        page = await (await panel_client.get("/panel/osoby", params={"q": typed})).text()
        wanted = "Jerzy Łabuz" if "ab" in typed.lower() else "Marta Żak"
        assert wanted in page, typed
    nobody = await (await panel_client.get("/panel/osoby", params={"q": "%"})).text()
    assert "Znaleziono osób: 0" in nobody  # a wildcard is a character, not "anything"


async def test_two_admins_revoking_each_other_at_once_leave_one_admin(app: App) -> None:
    import asyncio

    from store.people_panel import RoleRefused, change_role

    async with app.db.session() as session:  # two admins left
        await session.execute(RoleGrant.__table__.delete().where(  # type: ignore[attr-defined]  # the table
            col(RoleGrant.person_id) == await person_id(app, OTHER_ADMINS[1]),
            col(RoleGrant.role) == Role.ADMIN.value))
        await session.commit()
    first, second = await person_id(app, ADMIN), await person_id(app, OTHER_ADMINS[0])
    both_read = asyncio.Barrier(2)

    async def revoke(pid: int) -> str:
        async with app.db.session() as session:
            await admin_count(app)
            await both_read.wait()  # each has seen two admins before either writes
            try:
                await change_role(session, pid, Role.ADMIN, grant=False)
            except RoleRefused as refused:
                await session.rollback()
                return refused.reason
            await session.commit()
            return "revoked"

    outcomes = await asyncio.gather(revoke(first), revoke(second))
    assert sorted(outcomes) == ["last_admin", "revoked"]
    assert await admin_count(app) == 1


async def test_a_new_moderator_belongs_to_the_forum(app: App, panel_client: Client) -> None:
    from store.models import Forum, ForumMember

    csrf = await sign_in(panel_client, app, ADMIN)
    rid = await person_id(app, RENATA)
    async with app.db.session() as session:
        forum = (await session.execute(select(Forum).where(col(Forum.key) == "TRANSPORT"))
                 ).scalar_one()
    done = await panel_client.post(f"/panel/osoby/{rid}/role", data={
        "csrf": csrf, "do": "grant", "role": "forum_moderator", "forum_id": str(forum.id)})
    assert "moderator forum TRANSPORT" in await done.text()
    async with app.db.session() as session:
        member = await session.get(ForumMember, (forum.id, rid))
    assert member is not None  # as when forum administration names a moderator


async def test_the_role_list_starts_empty_and_an_empty_choice_grants_nothing(
        app: App, panel_client: Client) -> None:
    csrf = await sign_in(panel_client, app, ADMIN)
    rid = await person_id(app, RENATA)
    page = await (await panel_client.get(f"/panel/osoby/{rid}")).text()
    select = page.split('id="grant-role"', 1)[1].split("</select>", 1)[0]
    first = re.search(r'<option value="([^"]*)"[^>]*>([^<]*)<', select)
    assert first and first.groups() == ("", "— wybierz rolę —")
    assert "selected" not in select.split("</option>", 1)[1]  # nothing else pre-chosen
    refused = await panel_client.post(f"/panel/osoby/{rid}/role", data={
        "csrf": csrf, "do": "grant", "role": "", "forum_id": "", "gmina": ""})
    assert refused.status == 400
    assert "Wybierz rolę z listy" in await refused.text()
    assert await roles_of(app, RENATA) == set()


async def test_granting_admin_asks_first_and_grants_only_when_confirmed(
        app: App, panel_client: Client) -> None:
    csrf = await sign_in(panel_client, app, ADMIN)
    rid = await person_id(app, RENATA)
    asked = await panel_client.post(f"/panel/osoby/{rid}/role", data={
        "csrf": csrf, "do": "grant", "role": "admin", "forum_id": "", "gmina": ""})
    page = await asked.text()
    assert asked.status == 200 and "Potwierdź zmianę roli" in page
    assert "Nadać rolę „administrator” osobie Renata Nowak?" in page
    assert 'name="confirm" value="1"' in page and f'href="/panel/osoby/{rid}"' in page
    assert "admin" not in await roles_of(app, RENATA)  # not yet
    done = await panel_client.post(f"/panel/osoby/{rid}/role", data={
        "csrf": csrf, "do": "grant", "role": "admin", "forum_id": "", "gmina_id": "",
        "confirm": "1"})
    assert "Rola nadana." in await done.text()
    assert "admin" in await roles_of(app, RENATA)


async def test_a_revoke_asks_first_and_revoking_ones_own_admin_role_warns(
        app: App, panel_client: Client) -> None:
    csrf = await sign_in(panel_client, app, ADMIN)
    fid = await person_id(app, COORDINATOR)
    page = await (await panel_client.get(f"/panel/osoby/{fid}")).text()
    gmina = re.search(r'name="gmina_id" value="(\d+)"', page)
    assert gmina
    asked = await panel_client.post(f"/panel/osoby/{fid}/role", data={
        "csrf": csrf, "do": "revoke", "role": "gmina_coordinator", "gmina_id": gmina.group(1)})
    text = await asked.text()
    assert "Odebrać rolę „koordynator gminy Wieliczka”" in text
    assert "gmina_coordinator" in await roles_of(app, COORDINATOR)  # asked, not done

    me = await person_id(app, ADMIN)
    own = await (await panel_client.post(f"/panel/osoby/{me}/role", data={
        "csrf": csrf, "do": "revoke", "role": "admin"})).text()
    assert "Odbierasz rolę administratora sobie" in own and 'role="alert"' in own
    assert "Tak, odbierz mi rolę administratora" in own
    assert "admin" in await roles_of(app, ADMIN)
    gone = await panel_client.post(f"/panel/osoby/{me}/role", data={
        "csrf": csrf, "do": "revoke", "role": "admin", "confirm": "1"})
    assert gone.url.path == "/panel/" and "Nie masz już roli administratora." in \
        await gone.text()
    assert "admin" not in await roles_of(app, ADMIN)


async def test_forum_names_follow_the_admins_language(app: App, panel_client: Client
                                                      ) -> None:
    from store.models import Forum

    async with app.db.session() as session:
        person = await person_by_email(session, ADMIN)
        assert person is not None
        person.language = "en"
        session.add(person)
        forum = (await session.execute(select(Forum).where(col(Forum.key) == "TRANSPORT"))
                 ).scalar_one()
        polish, english = forum.name_pl, forum.name_en
        await session.commit()
    assert english and english != polish
    await sign_in(panel_client, app, ADMIN)
    page = await (await panel_client.get(f"/panel/osoby/{await person_id(app, RENATA)}")).text()
    choices = page.split('id="grant-forum"', 1)[1].split("</select>", 1)[0]
    assert f"TRANSPORT — {english}" in choices and polish not in choices
    assert "— choose a role —" in page


async def test_people_table_cells_name_their_column(app: App, panel_client: Client) -> None:
    await sign_in(panel_client, app, ADMIN)
    page = await (await panel_client.get("/panel/osoby", params={"q": "renata"})).text()
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    cells = re.findall(r"<td([^>]*)>", body)
    assert cells and all("data-label=" in c for c in cells)
    assert 'data-label="Komunikatory"' in body
