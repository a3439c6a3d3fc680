"""The panel's "Ogłoszenia": compose with counts per messenger, send only after the
confirmation page, the chat's rules on who may address whom, and the live report — per
messenger with failure reasons, acknowledgements over time, the people still to act and
their CSV — after real deliveries through the messengers' fakes."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from decimal import Decimal
from typing import Any

from aiohttp.test_utils import TestClient
from sqlalchemy import func, select
from sqlmodel import col

from bots.app import App
from commands.announcements.sms import SmsSettings
from commands.clock import ManualClock
from commands.model import ConversationKind, ConversationRef, Platform
from store.announcement_models import Announcement
from store.models import AuditLog, Delivery, Gmina, MessengerAccount, Person
from store.people import link_account, person_by_email
from store.sms import set_mobile
from tests.panel_helpers import sign_in
from tests.world import ANNA, JOLANTA, RECIPIENTS, RENATA, TOMASZ, Staff, World
from tests.world import COORDINATOR as FRAS

ADMIN = "m.zawadzka-hejmo@metropoliakrakowska.example.pl"
Client = TestClient[Any, Any]
WIELICZKA_STAFF = 12  # people of gmina Wieliczka in the sample directory
LINKED = (*RECIPIENTS, FRAS)  # Wieliczka staff with messengers (see tests/world.py)


async def gmina_id(app: App, name: str) -> int:
    async with app.db.session() as session:
        found = await session.scalar(select(col(Gmina.id)).where(col(Gmina.name) == name))
    assert found is not None
    return int(found)


async def count(app: App, model: Any) -> int:
    async with app.db.session() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def link_plainly(app: App, *people: Staff) -> None:
    """Accounts with a stored private chat on each of the person's messengers (no platform
    behind them: enough for counting)."""
    async with app.db.session() as session:
        for staff in people:
            person = await person_by_email(session, staff.email)
            assert person is not None and person.id is not None
            for platform, user in (("telegram", staff.telegram), ("slack", staff.slack),
                                   ("teams", staff.teams)):
                if user is None:
                    continue
                ref = ConversationRef(Platform(platform), str(user), ConversationKind.PERSONAL)
                await link_account(session, platform=platform, tenant_id="",
                                   external_id=str(user), person_id=person.id,
                                   private_ref=ref.to_json())
        await session.commit()


async def confirm_and_send(client: Client, csrf: str, confirm_url: str) -> tuple[int, str]:
    """Press "Wyślij" on the confirmation page at ``confirm_url``: the draft's id and the
    path of the report it leads to."""
    draft = int(confirm_url.split("/")[-2])
    sent = await client.post(f"/panel/ogloszenia/szkic/{draft}/wyslij", data={"csrf": csrf},
                             allow_redirects=False)
    assert sent.status == 303, await sent.text()
    return draft, sent.headers["Location"].split("?")[0]


def compose_form(csrf: str, *, kind: str, urgent: bool, text: str, do: str,
                 **fields: str) -> dict[str, str]:
    return {"csrf": csrf, "kind": kind, "mode": "urgent" if urgent else "quiet",
            "text": text, "do": do, **fields}


def cells(page: str, table_id: str) -> dict[str, list[str]]:
    """A table's body rows by their first cell (the row header), the other cells' text."""
    found = re.search(rf'<table id="{table_id}".*?<tbody>(.*?)</tbody>', page, re.S)
    assert found, f"no table {table_id}"
    rows: dict[str, list[str]] = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", found.group(1), re.S):
        texts = [re.sub(r"<[^>]+>", "", c).strip()
                 for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        if texts and texts[0]:
            rows.setdefault(texts[0], texts[1:])
    return rows


# --- compose and confirm ---------------------------------------------------------------------


async def test_counts_per_messenger_match_the_audience(app: App, panel_client: Client) -> None:
    await link_plainly(app, *LINKED)
    csrf = await sign_in(panel_client, app, ADMIN)
    wieliczka = str(await gmina_id(app, "Wieliczka"))
    # Urgent: a copy on every messenger of each person.
    answer = await panel_client.post("/panel/ogloszenia/policz", data=compose_form(
        csrf, kind="gmina", gmina=wieliczka, urgent=True, text="Awaria EZD", do="count"))
    assert answer.status == 200
    counts = await answer.json()
    expected = {p: sum(1 for s in LINKED if getattr(s, p) is not None)
                for p in ("telegram", "slack", "teams")}
    assert counts["recipients"] == WIELICZKA_STAFF
    assert {p: counts["per_platform"][p] for p in expected} == expected == {
        "telegram": 3, "slack": 2, "teams": 3}
    assert counts["without_messenger"] == WIELICZKA_STAFF - len(LINKED)
    # Quiet: one copy per person, on their preferred (or first) messenger.
    quiet = await (await panel_client.post("/panel/ogloszenia/policz", data=compose_form(
        csrf, kind="gmina", gmina=wieliczka, urgent=False, text="Zebranie", do="count"))
    ).json()
    assert sum(quiet["per_platform"].values()) == len(LINKED)
    # Without script: "Policz" shows the same numbers on the page, and a preview per
    # messenger (Telegram's sound, Teams' alert, the acknowledge button on each).
    page = await panel_client.post("/panel/ogloszenia/nowe", data=compose_form(
        csrf, kind="gmina", gmina=wieliczka, urgent=True, text="Awaria <EZD> & poczta",
        do="count"))
    text = await page.text()
    assert page.status == 200
    table = cells(text, "counts-table")
    assert table["Telegram"] == ["3"] and table["Slack"] == ["2"] and table["Teams"] == ["3"]
    assert table["Bez komunikatora"] == [str(WIELICZKA_STAFF - len(LINKED))]
    for platform in ("telegram", "slack", "teams"):
        preview = re.search(rf'id="preview-{platform}".*?</section>', text, re.S)
        assert preview and "Potwierdzam" in preview.group(0), platform
        assert "Awaria &lt;EZD&gt; &amp; poczta" in preview.group(0)  # escaped, not markup
    assert "Powiadomienie z dźwiękiem." in text and "kanale aktywności i baner" in text
    assert await count(app, Announcement) == 0  # counting stores nothing


async def test_sending_needs_the_confirmation_page(app: App, panel_client: Client) -> None:
    await link_plainly(app, *LINKED)
    csrf = await sign_in(panel_client, app, ADMIN)
    wieliczka = str(await gmina_id(app, "Wieliczka"))
    form = compose_form(csrf, kind="gmina", gmina=wieliczka, urgent=True,
                        text="Awaria EZD — proszę nie wysyłać pism.", do="preview")
    shown = await panel_client.post("/panel/ogloszenia/nowe", data=form,
                                    allow_redirects=False)
    assert shown.status == 303
    confirm_url = shown.headers["Location"]
    assert confirm_url.endswith("/potwierdz")
    assert await count(app, Delivery) == 0  # the compose form alone sends nothing
    page = await (await panel_client.get(confirm_url)).text()
    assert f"Wysłać do {WIELICZKA_STAFF} osób?" in page
    draft = confirm_url.split("/")[-2]
    # A send without the CSRF token is refused and sends nothing.
    forged = await panel_client.post(f"/panel/ogloszenia/szkic/{draft}/wyslij", data={})
    assert forged.status == 403 and await count(app, Delivery) == 0
    sent = await panel_client.post(f"/panel/ogloszenia/szkic/{draft}/wyslij",
                                   data={"csrf": csrf}, allow_redirects=False)
    assert sent.status == 303 and sent.headers["Location"].startswith("/panel/ogloszenia/1?")
    assert await count(app, Delivery) == 8  # 3 Telegram + 2 Slack + 3 Teams copies
    again = await panel_client.post(f"/panel/ogloszenia/szkic/{draft}/wyslij",
                                    data={"csrf": csrf}, allow_redirects=False)
    assert "already" in again.headers["Location"] and await count(app, Delivery) == 8
    async with app.db.session() as session:
        actions = set((await session.execute(select(col(AuditLog.action)).where(
            col(AuditLog.target) == f"announcement:{draft}"))).scalars())
    assert {"announcement.draft", "announcement.confirm", "announcement.send"} <= actions
    # It is in the list, newest first, with its report one click away.
    listing = await (await panel_client.get("/panel/ogloszenia")).text()
    assert 'href="/panel/ogloszenia/1"' in listing and "Raport nr 1" in listing


async def test_cancel_on_the_confirmation_page_sends_nothing(app: App,
                                                             panel_client: Client) -> None:
    await link_plainly(app, *LINKED)
    csrf = await sign_in(panel_client, app, ADMIN)
    shown = await panel_client.post("/panel/ogloszenia/nowe", data=compose_form(
        csrf, kind="person", email=RENATA.email, urgent=False, text="Hej", do="preview"),
        allow_redirects=False)
    draft = shown.headers["Location"].split("/")[-2]
    dropped = await panel_client.post(f"/panel/ogloszenia/szkic/{draft}/anuluj",
                                      data={"csrf": csrf})
    # "Anuluj" throws the draft away: an empty form.
    assert "Hej</textarea>" not in await dropped.text()
    refused = await panel_client.post(f"/panel/ogloszenia/szkic/{draft}/wyslij",
                                      data={"csrf": csrf}, allow_redirects=False)
    assert "cancelled" in refused.headers["Location"]
    assert await count(app, Delivery) == 0


async def test_back_to_editing_returns_the_filled_in_form(app: App,
                                                          panel_client: Client) -> None:
    await link_plainly(app, *LINKED)
    csrf = await sign_in(panel_client, app, ADMIN)
    wieliczka = str(await gmina_id(app, "Wieliczka"))
    shown = await panel_client.post("/panel/ogloszenia/nowe", data=compose_form(
        csrf, kind="gmina", gmina=wieliczka, urgent=True, text="Awaria <EZD> do 12:00",
        do="preview"), allow_redirects=False)
    confirm_url = shown.headers["Location"]
    draft = confirm_url.split("/")[-2]
    page = await (await panel_client.get(confirm_url)).text()
    assert "Wróć do edycji" in page and "Anuluj" in page
    back = await panel_client.post(f"/panel/ogloszenia/szkic/{draft}/popraw",
                                   data={"csrf": csrf}, allow_redirects=False)
    assert back.status == 303
    form = await (await panel_client.get(back.headers["Location"])).text()
    assert re.search(r'id="kind-gmina"[^>]*checked', form)
    assert f'value="{wieliczka}" selected' in form
    assert re.search(r'id="mode-urgent"[^>]*checked', form)
    assert "Awaria &lt;EZD&gt; do 12:00</textarea>" in form  # filled in, escaped
    # The old draft is gone (the form makes a new one): it cannot be sent any more.
    refused = await panel_client.post(f"/panel/ogloszenia/szkic/{draft}/wyslij",
                                      data={"csrf": csrf}, allow_redirects=False)
    assert "cancelled" in refused.headers["Location"] and await count(app, Delivery) == 0
    # Someone else's draft is not theirs to open in the form.
    await panel_client.post("/panel/signout", data={"csrf": csrf})
    await sign_in(panel_client, app, FRAS.email)
    other = await (await panel_client.get(back.headers["Location"])).text()
    assert "Awaria" not in other


async def test_confirmation_and_report_say_whom_it_reaches(app: App,
                                                           panel_client: Client) -> None:
    await link_plainly(app, *LINKED)
    csrf = await sign_in(panel_client, app, ADMIN)
    wieliczka = str(await gmina_id(app, "Wieliczka"))
    shown = await panel_client.post("/panel/ogloszenia/nowe", data=compose_form(
        csrf, kind="gmina", gmina=wieliczka, urgent=True, text="Awaria EZD", do="preview"),
        allow_redirects=False)
    page = await (await panel_client.get(shown.headers["Location"])).text()
    missed = WIELICZKA_STAFF - len(LINKED)
    assert (f"Dotrze do osób: {len(LINKED)} z {WIELICZKA_STAFF} "
            "(Teams: 3, Telegram: 3, Slack: 2).") in page
    assert f"Uwaga: nie dotrze do osób: {missed} z {WIELICZKA_STAFF}." in page
    assert f"Bez połączonego komunikatora: {missed}." in page
    assert "nie przyjmuje wiadomości" not in page  # nobody is: not said
    assert page.count("Uwaga: nie dotrze") == 1  # said once, by the question
    _draft, report = await confirm_and_send(panel_client, csrf, shown.headers["Location"])
    sent = await (await panel_client.get(f"{report}?wyslane=1")).text()
    assert (f"Przekazano do wysyłki wiadomości: 8 — do osób: {len(LINKED)} z "
            f"{WIELICZKA_STAFF}.") in sent
    assert f"Nie dotrze do osób: {missed}" in sent
    reasons = cells(sent, "reasons-table")
    assert reasons["—"] == ["brak połączonego komunikatora", str(missed)]


async def test_nobody_reachable_is_never_called_sent_or_delivered(
        app: App, panel_client: Client) -> None:
    csrf = await sign_in(panel_client, app, ADMIN)  # nobody has linked a messenger
    wieliczka = str(await gmina_id(app, "Wieliczka"))
    shown = await panel_client.post("/panel/ogloszenia/nowe", data=compose_form(
        csrf, kind="gmina", gmina=wieliczka, urgent=True, text="Awaria EZD", do="preview"),
        allow_redirects=False)
    confirm = await (await panel_client.get(shown.headers["Location"])).text()
    assert (f"Uwaga: to ogłoszenie nie dotrze do nikogo (osoby: {WIELICZKA_STAFF})."
            in confirm)
    assert "Dotrze do osób" not in confirm
    sent = await panel_client.post(
        f"/panel/ogloszenia/szkic/{shown.headers['Location'].split('/')[-2]}/wyslij",
        data={"csrf": csrf})
    page = await sent.text()
    assert "Wysłane" not in page and "Wszystko dotarło" not in page
    assert f"Nic nie wysłano: żadna z osób ({WIELICZKA_STAFF})" in page
    assert cells(page, "reasons-table") == {
        "—": ["brak połączonego komunikatora", str(WIELICZKA_STAFF)]}
    assert await count(app, Delivery) == 0


async def test_panel_urls_use_the_number_the_chat_uses(app: App,
                                                       panel_client: Client) -> None:
    await link_plainly(app, *LINKED)
    csrf = await sign_in(panel_client, app, ADMIN)
    first = await panel_client.post("/panel/ogloszenia/nowe", data=compose_form(
        csrf, kind="person", email=RENATA.email, urgent=False, text="Hej", do="preview"),
        allow_redirects=False)
    await panel_client.post(
        f"/panel/ogloszenia/szkic/{first.headers['Location'].split('/')[-2]}/anuluj",
        data={"csrf": csrf})  # a dropped draft: an id, never a number
    shown = await panel_client.post("/panel/ogloszenia/nowe", data=compose_form(
        csrf, kind="person", email=ANNA.email, urgent=True, text="Proszę o kontakt",
        do="preview"), allow_redirects=False)
    draft, report = await confirm_and_send(panel_client, csrf, shown.headers["Location"])
    async with app.db.session() as session:
        sent = await session.get(Announcement, draft)
        assert sent is not None and sent.number == 1 and draft == 2
    assert report == "/panel/ogloszenia/1"  # what /raport 1 shows in the chat
    page = await (await panel_client.get(report)).text()
    assert "Ogłoszenie nr 1" in page
    assert (await panel_client.get("/panel/ogloszenia/2")).status == 404
    assert (await panel_client.get("/panel/ogloszenia/1/osoby.csv")).status == 200
    assert (await panel_client.get("/panel/ogloszenia/1/raport.json")).status == 200
    listing = await (await panel_client.get("/panel/ogloszenia")).text()
    assert 'href="/panel/ogloszenia/1"' in listing and 'href="/panel/ogloszenia/2"' not in listing


async def test_live_count_of_an_unfinished_form_is_no_error(app: App,
                                                            panel_client: Client) -> None:
    csrf = await sign_in(panel_client, app, ADMIN)
    for fields in ({"kind": "person", "email": ""}, {"kind": "person", "email": "r.now"},
                   {"kind": "gmina", "gmina": ""}, {"kind": "forum", "forum": ""},
                   {"kind": ""}):
        answer = await panel_client.post("/panel/ogloszenia/policz", data={
            "csrf": csrf, "mode": "quiet", "text": "", "do": "count", **fields})
        assert answer.status == 200, fields
        found = await answer.json()
        assert found["state"] == "incomplete", fields
        assert "Nie znam osoby" not in found["html"] and "error" not in found
    # A whole address nobody has is what is wrong, said as such (still no failed request).
    unknown = await panel_client.post("/panel/ogloszenia/policz", data={
        "csrf": csrf, "kind": "person", "email": "nikt@example.pl", "mode": "quiet",
        "text": "", "do": "count"})
    assert unknown.status == 200
    assert (await unknown.json())["state"] == "invalid"
    assert "Nie znam osoby" in (await unknown.json())["html"]
    # The page itself shows no error before anything is typed.
    page = await (await panel_client.get("/panel/ogloszenia/nowe")).text()
    assert "Nie znam osoby" not in page and 'href="/panel/static/ogloszenia.css"' in page


async def test_previews_show_the_recipients_frame_not_the_authors(
        app: App, panel_client: Client) -> None:
    await link_plainly(app, *LINKED)
    async with app.db.session() as session:
        for email, lang in ((ADMIN, "en"), (RENATA.email, "en")):
            person = await person_by_email(session, email)
            assert person is not None
            person.language = lang
            session.add(person)
        await session.commit()
    csrf = await sign_in(panel_client, app, ADMIN)  # reads the panel in English
    wieliczka = str(await gmina_id(app, "Wieliczka"))
    found = await (await panel_client.post("/panel/ogloszenia/policz", data=compose_form(
        csrf, kind="gmina", gmina=wieliczka, urgent=False, text="Zebranie", do="count"))
    ).json()
    html = found["html"]
    polish = re.search(r'id="preview-teams".*?</section>', html, re.S)
    assert polish and "Ogłoszenie" in polish.group(0) and "Od: " in polish.group(0)
    english = re.search(r'id="preview-en-teams".*?</section>', html, re.S)
    assert english and "Announcement" in english.group(0) and "From: " in english.group(0)
    assert "1 people (who read English) will get the English version" in html
    # Nobody reading English among them: the Polish frame only, and said so.
    only_polish = await (await panel_client.post("/panel/ogloszenia/policz",
                                                 data=compose_form(
        csrf, kind="person", email=ANNA.email, urgent=False, text="Zebranie", do="count"))
    ).json()
    assert "preview-en-" not in only_polish["html"]
    assert "in Polish — as the recipients will get it" in only_polish["html"]


async def test_a_coordinator_cannot_announce_to_another_gmina(app: App,
                                                              panel_client: Client) -> None:
    await link_plainly(app, *LINKED)
    csrf = await sign_in(panel_client, app, FRAS.email)
    skawina = str(await gmina_id(app, "Skawina"))
    wieliczka = str(await gmina_id(app, "Wieliczka"))
    page = await (await panel_client.get("/panel/ogloszenia/nowe")).text()
    assert f'value="{wieliczka}"' in page and f'value="{skawina}"' not in page
    assert 'value="everyone"' not in page  # not offered either
    for form in (
        compose_form(csrf, kind="gmina", gmina=skawina, urgent=True, text="x", do="preview"),
        compose_form(csrf, kind="everyone", urgent=True, text="x", do="preview"),
        compose_form(csrf, kind="person", email="m.gawron@skawina.example.pl", urgent=True,
                     text="x", do="preview"),
    ):
        refused = await panel_client.post("/panel/ogloszenia/nowe", data=form,
                                          allow_redirects=False)
        assert refused.status == 403, form
        counted = await panel_client.post("/panel/ogloszenia/policz", data=form)
        assert counted.status == 403
    assert await count(app, Announcement) == 0 and await count(app, Delivery) == 0
    # Their own gmina is theirs to address.
    own = await panel_client.post("/panel/ogloszenia/nowe", data=compose_form(
        csrf, kind="gmina", gmina=wieliczka, urgent=False, text="Zebranie", do="preview"),
        allow_redirects=False)
    assert own.status == 303


# --- the report after real deliveries ------------------------------------------------------------


async def test_report_after_deliveries(app: App, world: World, panel_client: Client) -> None:
    await world.link(*LINKED)
    assert JOLANTA.telegram is not None
    world.tg.block_chat(JOLANTA.telegram)  # she blocked the bot on Telegram
    csrf = await sign_in(panel_client, app, ADMIN)
    wieliczka = str(await gmina_id(app, "Wieliczka"))
    shown = await panel_client.post("/panel/ogloszenia/nowe", data=compose_form(
        csrf, kind="gmina", gmina=wieliczka, urgent=True, text="Awaria <b>EZD</b> & poczty",
        do="preview"), allow_redirects=False)
    draft, report = await confirm_and_send(panel_client, csrf, shown.headers["Location"])
    while await world.deliver():
        pass
    # Renata acknowledges on Telegram a minute later, Anna on Slack twenty minutes later.
    world.clock.advance(timedelta(minutes=1))
    await world.telegram_press(RENATA, world.on_telegram(RENATA)[-1], "Potwierdzam")
    world.clock.advance(timedelta(minutes=19))
    assert await world.slack_press(ANNA, world.on_slack(ANNA)[-1], "Potwierdzam") == 200
    await world.slack.drain()

    page = await (await panel_client.get(report)).text()
    assert "Awaria &lt;b&gt;EZD&lt;/b&gt; &amp; poczty" in page  # the text, escaped
    platforms = cells(page, "platforms")  # delivered, acknowledged, on the way, failed
    assert platforms["Telegram"] == ["2", "1", "0", "1"]
    assert platforms["Slack"] == ["2", "1", "0", "0"]
    assert platforms["Teams"] == ["3", "0", "0", "0"]
    reasons = cells(page, "reasons-table")
    assert reasons["Telegram"] == ["zablokował(a) bota", "1"]
    # One point per bucket with acknowledgements (a minute each: +1 and +20 minutes).
    assert page.count('class="chart-point"') == 2
    assert 'role="img"' in page and "<title" in page
    # The same numbers as a table: each bucket from its start, Polish time.
    assert cells(page, "chart-table") == {"2026-11-23 10:01": ["1", "1"],
                                          "2026-11-23 10:20": ["1", "2"]}
    # Still to act: everyone but the two who acknowledged — Jolanta got Teams, Tomasz too.
    people = cells(page, "to-act-table")
    assert set(people) >= {JOLANTA.name, TOMASZ.name, FRAS.name}
    assert RENATA.name not in people and ANNA.name not in people
    assert len(people) == WIELICZKA_STAFF - 2
    assert "brak połączonego komunikatora" in page
    assert "Ogłoszenie nr 1" in page and "potwierdzone: 2" in page
    # The CSV has exactly those people.
    export = await panel_client.get(f"{report}/osoby.csv")
    assert export.status == 200 and export.content_type == "text/csv"
    # The directory export's dialect (Polish Excel): a BOM, then ";"-separated.
    raw = await export.text()
    assert raw.startswith("\ufeffosoba;e-mail;gmina;stan;")
    rows = list(csv.reader(io.StringIO(raw.lstrip("\ufeff")), delimiter=";"))
    assert rows[0][0] == "osoba"
    assert {r[0] for r in rows[1:]} == set(people)
    by_name = {r[0]: r for r in rows[1:]}
    assert by_name[JOLANTA.name][1] == JOLANTA.email
    # The refresh endpoint gives the same numbers and the parts to swap in.
    live = await (await panel_client.get(f"{report}/raport.json")).json()
    assert live["counts"]["acknowledged"] == 2 and live["to_act"] == WIELICZKA_STAFF - 2
    assert live["platforms"]["telegram"] == {"delivered": 2, "acknowledged": 1,
                                             "pending": 0, "failed": 1}
    assert 'id="platforms"' in live["live"] and 'id="to-act-table"' in live["people"]
    # The panel's SQL counters are the chat's (/raport, the author's copy), number for number.
    assert live["counts"] == await app.core.services.announcements.status(draft)


async def test_report_is_for_the_author_and_admins(app: App, panel_client: Client) -> None:
    await link_plainly(app, *LINKED)
    csrf = await sign_in(panel_client, app, FRAS.email)
    shown = await panel_client.post("/panel/ogloszenia/nowe", data=compose_form(
        csrf, kind="person", email=RENATA.email, urgent=True, text="Proszę o kontakt",
        do="preview"), allow_redirects=False)
    _draft, report = await confirm_and_send(panel_client, csrf, shown.headers["Location"])
    assert (await panel_client.get(report)).status == 200
    # A moderator of another forum is a sender too, but not the author.
    await panel_client.post("/panel/signout", data={"csrf": csrf})
    await sign_in(panel_client, app, "m.gawron@skawina.example.pl")
    assert (await panel_client.get(report)).status == 404
    assert (await panel_client.get(f"{report}/osoby.csv")).status == 404
    listing = await (await panel_client.get("/panel/ogloszenia")).text()
    assert f'"{report}"' not in listing
    await sign_in(panel_client, app, ADMIN)
    assert (await panel_client.get(report)).status == 200


async def test_a_person_without_a_role_has_no_announcement_pages(
        app: App, panel_client: Client) -> None:
    csrf = await sign_in(panel_client, app, RENATA.email)  # staff, no role
    home = await (await panel_client.get("/panel/")).text()
    assert 'href="/panel/ogloszenia"' not in home  # not in the navigation
    assert (await panel_client.get("/panel/ogloszenia/nowe")).status == 403
    refused = await panel_client.post("/panel/ogloszenia/nowe", data=compose_form(
        csrf, kind="person", email=ANNA.email, urgent=True, text="x", do="preview"))
    assert refused.status == 403 and await count(app, Announcement) == 0


async def test_quiet_report_lists_those_it_has_not_reached(app: App, world: World,
                                                           panel_client: Client) -> None:
    await world.link(*LINKED)
    csrf = await sign_in(panel_client, app, ADMIN)
    wieliczka = str(await gmina_id(app, "Wieliczka"))
    shown = await panel_client.post("/panel/ogloszenia/nowe", data=compose_form(
        csrf, kind="gmina", gmina=wieliczka, urgent=False, text="Zebranie w piątek",
        do="preview"), allow_redirects=False)
    draft, report = await confirm_and_send(panel_client, csrf, shown.headers["Location"])
    before = await (await panel_client.get(report)).text()
    assert len(cells(before, "to-act-table")) == WIELICZKA_STAFF  # nothing delivered yet
    while await world.deliver():
        pass
    page = await (await panel_client.get(report)).text()
    delivered = sum(int(row[0]) for row in cells(page, "platforms").values())
    assert delivered == len(LINKED)  # one copy each
    people = cells(page, "to-act-table")
    assert len(people) == WIELICZKA_STAFF - len(LINKED)
    assert {row[1] for row in people.values()} == {"brak połączonego komunikatora"}
    assert cells(page, "reasons-table")["—"] == [
        "brak połączonego komunikatora", str(WIELICZKA_STAFF - len(LINKED))]
    assert "Wszystko dotarło" not in page
    assert "bez przypomnień" in page and 'class="chart-point"' not in page
    live = await (await panel_client.get(f"{report}/raport.json")).json()
    assert live["counts"] == await app.core.services.announcements.status(draft)


async def test_urgent_counts_show_the_sms_and_their_cost(app: App, panel_client: Client) -> None:
    await link_plainly(app, *LINKED)
    service = app.core.services.announcements
    service.sms = SmsSettings(public_url="https://lacznik.example.pl",
                              link_secret=b"k" * 32, price_per_segment=Decimal("0.16"))
    async with app.db.session() as session:
        unlinked = list((await session.execute(
            select(Person).join(Gmina, col(Gmina.id) == col(Person.gmina_id))
            .where(col(Gmina.name) == "Wieliczka",
                   col(Person.email).not_in([s.email for s in LINKED]))
            .order_by(col(Person.id)).limit(2))).scalars())
        for person in unlinked:
            await set_mobile(session, int(person.id or 0), "+48601000001")
        await session.commit()
    csrf = await sign_in(panel_client, app, ADMIN)
    wieliczka = str(await gmina_id(app, "Wieliczka"))
    urgent = await (await panel_client.post("/panel/ogloszenia/policz", data=compose_form(
        csrf, kind="gmina", gmina=wieliczka, urgent=True, text="Awaria EZD", do="count"))
    ).json()
    assert urgent["sms"] == 2 and urgent["sms_segments"] >= 2
    assert urgent["without_messenger"] == WIELICZKA_STAFF - len(LINKED) - 2
    assert "SMS" in urgent["html"] and "zł" in urgent["html"]
    quiet = await (await panel_client.post("/panel/ogloszenia/policz", data=compose_form(
        csrf, kind="gmina", gmina=wieliczka, urgent=False, text="Zebranie", do="count"))
    ).json()
    assert quiet["sms"] == 0  # only urgent announcements go by SMS


async def test_report_shows_re_pings_and_escalation(app: App, panel_client: Client,
                                                    clock: ManualClock) -> None:
    await link_plainly(app, *LINKED)
    csrf = await sign_in(panel_client, app, ADMIN)
    shown = await panel_client.post("/panel/ogloszenia/nowe", data=compose_form(
        csrf, kind="person", email=TOMASZ.email, urgent=True, text="Proszę o kontakt",
        do="preview"), allow_redirects=False)
    _draft, report = await confirm_and_send(panel_client, csrf, shown.headers["Location"])
    announcements = app.core.services.announcements
    page = await (await panel_client.get(report)).text()
    assert cells(page, "pings-table") == {"1": ["1"]}  # one person, pinged once
    assert "Następna runda przypomnień: 2026-11-23 10:15" in page
    for _ in range(3):  # two more pings, then his coordinator is told
        clock.advance(timedelta(minutes=16))
        assert await announcements.reping_round() == 1
    page = await (await panel_client.get(report)).text()
    assert "Przekazano koordynatorom: 1" in page and "Nikt nie czeka" in page
    people = cells(page, "to-act-table")
    assert people[TOMASZ.name][1] == "nie potwierdził(a) — przekazano koordynatorowi"


async def test_english_for_a_person_who_reads_english(app: App, panel_client: Client) -> None:
    await link_plainly(app, *LINKED)
    async with app.db.session() as session:
        admin = await person_by_email(session, ADMIN)
        assert admin is not None
        admin.language = "en"
        session.add(admin)
        await session.commit()
    csrf = await sign_in(panel_client, app, ADMIN)
    shown = await panel_client.post("/panel/ogloszenia/nowe", data=compose_form(
        csrf, kind="coordinators", urgent=True, text="Budget deadline moved", do="preview"),
        allow_redirects=False)
    confirm = await (await panel_client.get(shown.headers["Location"])).text()
    assert '<html lang="en">' in confirm and "Send to" in confirm
    assert "Potwierdzam" in confirm  # the recipients' frame is Polish, not the author's
    _draft, report = await confirm_and_send(panel_client, csrf, shown.headers["Location"])
    page = await (await panel_client.get(report)).text()
    assert "Announcement no. 1" in page and "Who has not acted yet" in page
    assert "Ogłoszenie" not in page


async def test_a_recipient_whose_only_messenger_takes_no_messages(
        app: App, panel_client: Client) -> None:
    await link_plainly(app, *LINKED)
    async with app.db.session() as session:
        tomasz = await person_by_email(session, TOMASZ.email)
        assert tomasz is not None
        [account] = (await session.execute(select(MessengerAccount).where(
            col(MessengerAccount.person_id) == tomasz.id))).scalars()
        account.reachable = False
        account.unreachable_reason = "not reachable in Teams"
        session.add(account)
        await session.commit()
    csrf = await sign_in(panel_client, app, ADMIN)
    wieliczka = str(await gmina_id(app, "Wieliczka"))
    counted = await (await panel_client.post("/panel/ogloszenia/policz", data=compose_form(
        csrf, kind="gmina", gmina=wieliczka, urgent=True, text="x", do="count"))).json()
    assert counted["unreachable"] == 1 and counted["per_platform"]["teams"] == 2
    assert "Połączone konto nie przyjmuje wiadomości (np. zablokowany bot): 1." in counted["html"]
    shown = await panel_client.post("/panel/ogloszenia/nowe", data=compose_form(
        csrf, kind="gmina", gmina=wieliczka, urgent=True, text="x", do="preview"),
        allow_redirects=False)
    draft, report = await confirm_and_send(panel_client, csrf, shown.headers["Location"])
    page = await (await panel_client.get(report)).text()
    [teams] = [row for name, row in cells(page, "reasons-table").items() if name == "Teams"]
    assert "nie jest zainstalowana" in teams[0] and "kopii nie wysłano" in teams[0]
    assert cells(page, "to-act-table")[TOMASZ.name][1].startswith("nieosiągalny(-a) (Teams:")
    live = await (await panel_client.get(f"{report}/raport.json")).json()
    assert live["counts"]["cut_off"] == 1
    assert live["counts"] == await app.core.services.announcements.status(draft)


def test_every_text_in_polish_and_english_with_the_same_placeholders() -> None:
    from adapters.panel.texts import ogloszenia

    assert set(ogloszenia.PL) == set(ogloszenia.EN)
    for key, polish in ogloszenia.PL.items():
        assert key.startswith("ogloszenia.")
        assert set(re.findall(r"{(\w+)}", polish)) == set(
            re.findall(r"{(\w+)}", ogloszenia.EN[key])), key
