"""A gmina is named the same way everywhere, and a gmina the directory lacks is said so.

`lacznik roles grant … --gmina`, `/ogloszenie gmina …` and chat questions accept any
grammatical case, lower case, no Polish letters and a TERYT code; a shared name ("Bochnia":
the town and the rural gmina) is refused with every candidate's TERYT code and powiat. A
question about a gmina of the country that the directory does not have ("w Warszawie") says
so and names nobody; a question about several gminy is answered for each of them.

Everything runs on the real app and database (SQLite and PostgreSQL), through the console,
the `lacznik` command line (`bots.cli.main`) and the Telegram fake.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from adapters.console.adapter import ConsoleSession
from bots.app import App
from bots.cli import main as lacznik
from commands.directory.importer import parse_rows
from commands.directory.language import Morphology
from commands.directory.register import GminaRegister, read_forms, read_register
from store.models import Gmina, Person, Role, RoleGrant
from store.people import grant_role, person_by_email
from tests.world import JOLANTA, World

# An office's list: both Bochnia gminy (urban 1201011, rural 1201022), both Czernichów
# (krakowski, żywiecki), Wieliczka, Świątniki Górne and Skawina.
ROWS = [
    ("Wieliczka", "1219053", "urban-rural", "wielicki", "małopolskie", "gospodarka odpadami",
     "Jolanta Kołodziej", "j.kolodziej@wieliczka.example.pl"),
    ("Wieliczka", "1219053", "urban-rural", "wielicki", "małopolskie", "oświata",
     "Renata Nowak", "r.nowak@wieliczka.example.pl"),
    ("Skawina", "1206113", "urban-rural", "krakowski", "małopolskie", "gospodarka odpadami",
     "Adam Wrona", "a.wrona@skawina.example.pl"),
    ("Bochnia", "1201011", "urban", "bocheński", "małopolskie", "gospodarka odpadami",
     "Ewa Miejska", "e.miejska@bochnia.example.pl"),
    ("Bochnia", "1201022", "rural", "bocheński", "małopolskie", "gospodarka odpadami",
     "Piotr Wiejski", "p.wiejski@gminabochnia.example.pl"),
    ("Czernichów", "1206012", "rural", "krakowski", "małopolskie", "oświata",
     "Jan Krakowski", "j.krakowski@czernichow.example.pl"),
    ("Czernichów", "2417012", "rural", "żywiecki", "śląskie", "oświata",
     "Jan Żywiecki", "j.zywiecki@czernichow-zywiec.example.pl"),
    ("Świątniki Górne", "1206143", "urban-rural", "krakowski", "małopolskie", "oświata",
     "Anna Górna", "a.gorna@swiatniki.example.pl"),
    ("Zielonki", "1206172", "rural", "krakowski", "małopolskie", "oświata",
     "Admin Biura", "biuro@metropolia.example.pl"),
    ("Wieliczki", "2817042", "rural", "olecki", "warmińsko-mazurskie", "oświata",
     "Olga Mazurska", "o.mazurska@wieliczki.example.pl"),
]
LIST = "gmina,kod teryt,rodzaj,powiat,województwo,temat,imię i nazwisko,e-mail\n" + "".join(
    ",".join(row) + "\n" for row in ROWS)
ADMIN = "biuro@metropolia.example.pl"
COORDINATOR = "r.nowak@wieliczka.example.pl"


def _url(app: App) -> str:
    """The test database's URL as the command line takes it (PostgreSQL: its schema)."""
    url = app.db.url
    if app.db.is_postgres and app.db.schema:
        url = url.update_query_dict({"options": f"-csearch_path={app.db.schema}"})
    return url.render_as_string(hide_password=False)


async def cli(app: App, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
              *args: str) -> tuple[int, str, str]:
    """Run `lacznik ARGS` on the test database (its own event loop, in a thread)."""
    monkeypatch.setenv("LACZNIK_DATABASE_URL", _url(app))
    monkeypatch.delenv("LACZNIK_CONFIG", raising=False)
    capsys.readouterr()
    code = await asyncio.to_thread(lacznik, list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
async def office(bare_app: App, tmp_path: Path) -> App:
    """The app with the office's list imported and its admin granted."""
    path = tmp_path / "lista.csv"
    path.write_text(LIST, encoding="utf-8")
    async with bare_app.db.session() as session:
        await bare_app.importer.apply(session, parse_rows(path))
        admin = await person_by_email(session, ADMIN)
        assert admin is not None and admin.id is not None
        await grant_role(session, admin.id, Role.ADMIN)
        await session.commit()
    bare_app.directory.invalidate()
    return bare_app


async def coordinated_gmina(app: App, email: str) -> str | None:
    """The TERYT code of the gmina ``email`` coordinates (None: no such role)."""
    async with app.db.session() as session:
        row = await session.execute(
            select(Gmina.teryt).join(RoleGrant, RoleGrant.gmina_id == Gmina.id)
            .join(Person, Person.id == RoleGrant.person_id)
            .where(Person.email == email, RoleGrant.role == Role.GMINA_COORDINATOR.value))
        return row.scalar()


# --- the command line ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "teryt"),
    [
        ("Wieliczce", "1219053"),  # locative
        ("wieliczka", "1219053"),  # lower case
        ("WIELICZKĄ", "1219053"),  # instrumental, capitals
        ("1219053", "1219053"),  # TERYT code
        ("1201022", "1201022"),  # the TERYT code picks one of the two Bochnia
        ("gmina wiejska Bochnia", "1201022"),  # the kind picks the other
        ("Bochnia miasto", "1201011"),
        ("swiatniki gorne", "1206143"),  # no Polish letters
        ("Czernichów, powiat żywiecki", "2417012"),
    ],
)
async def test_roles_grant_takes_a_gmina_as_people_write_it(
    office: App, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    written: str, teryt: str,
) -> None:
    code, out, err = await cli(office, monkeypatch, capsys, "roles", "grant", COORDINATOR,
                               "gmina_coordinator", "--gmina", written)
    assert code == 0, err
    assert "gmina_coordinator granted" in out and f"TERYT {teryt}" in out
    assert await coordinated_gmina(office, COORDINATOR) == teryt


async def test_roles_grant_refuses_a_shared_name_with_every_candidate(
    office: App, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    code, _out, err = await cli(office, monkeypatch, capsys, "roles", "grant", COORDINATOR,
                                "gmina_coordinator", "--gmina", "Bochnia")
    assert code != 0
    assert "fits several gminy" in err
    for line in ("Bochnia (urban gmina, powiat bocheński, małopolskie) — TERYT 1201011",
                 "Bochnia (rural gmina, powiat bocheński, małopolskie) — TERYT 1201022"):
        assert line in err
    assert await coordinated_gmina(office, COORDINATOR) is None  # nothing was granted
    # Two gminy in different powiaty are told apart by the powiat the refusal shows.
    code, _out, err = await cli(office, monkeypatch, capsys, "roles", "revoke", COORDINATOR,
                                "gmina_coordinator", "--gmina", "czernichow")
    assert code != 0 and "TERYT 1206012" in err and "TERYT 2417012" in err
    assert "powiat krakowski" in err and "powiat żywiecki" in err


@pytest.mark.parametrize(
    ("written", "said"),
    [
        ("Warszawa", "I have no gmina Warszawa in the directory."),
        ("1465011", "I have no gmina Warszawa in the directory."),  # Warszawa's TERYT code
        ("Wielicka", "Did you mean:\n• Wieliczka (urban-rural gmina, powiat wielicki"),
        ("Nibylandia", "I know no gmina “Nibylandia”."),
    ],
)
async def test_roles_grant_names_a_gmina_it_cannot_use(
    office: App, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    written: str, said: str,
) -> None:
    code, _out, err = await cli(office, monkeypatch, capsys, "roles", "grant", COORDINATOR,
                                "gmina_coordinator", "--gmina", written)
    assert code == 2
    assert said in err
    assert await coordinated_gmina(office, COORDINATOR) is None


# --- announcements ------------------------------------------------------------------------


@pytest.mark.parametrize("audience", ["gmina wieliczce", "gmina WIELICZKA", "gmina 1219053",
                                      "gminie Wieliczka"])
async def test_announcement_to_a_gmina_in_any_form(office: App, audience: str) -> None:
    console = ConsoleSession(office.core, ADMIN)
    [preview] = await console.say(f"/ogloszenie {audience}: zebranie w czwartek o 10:00")
    assert preview.startswith("Podgląd ogłoszenia"), preview
    assert re.search(r"Wysłać do 2\b", preview), preview  # Wieliczka's two people


async def test_announcement_to_a_shared_name_lists_the_candidates(office: App) -> None:
    console = ConsoleSession(office.core, ADMIN)
    [answer] = await console.say("/ogloszenie gmina Bochnia: zebranie w czwartek")
    assert "„gmina Bochnia” pasuje do kilku gmin" in answer
    assert "Bochnia (gmina miejska, powiat bocheński, woj. małopolskie) — TERYT 1201011" in answer
    assert "Bochnia (gmina wiejska, powiat bocheński, woj. małopolskie) — TERYT 1201022" in answer
    assert "Podgląd" not in answer  # nothing drafted
    [preview] = await console.say("/ogloszenie gmina wiejska Bochnia: zebranie w czwartek")
    assert re.search(r"Wysłać do 1\b", preview), preview
    [answer] = await console.say("/ogloszenie gmina Warszawa: zebranie")
    assert answer == "Nie mam w katalogu gminy Warszawa."
    console.lang = "en"
    [answer] = await console.say("/announce gmina Bochnia: meeting on Thursday")
    assert "“gmina Bochnia” fits several gminy" in answer and "TERYT 1201022" in answer


# --- questions in chat --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "gmina"),
    [
        ("kto od śmieci w Warszawie?", "Nie mam w katalogu gminy Warszawa."),
        ("kto od smieci w warszawie", "Nie mam w katalogu gminy Warszawa."),
        ("kontakt do gminy Łódź w sprawie odpadów", "Nie mam w katalogu gminy Łódź."),
        ("kto z Radomia zajmuje się oświatą?", "Nie mam w katalogu gminy Radom."),
        # Not in the register either, but named as a gmina.
        ("kto od śmieci w gminie Nibylandia?", "Nie mam w katalogu gminy Nibylandia."),
    ],
)
async def test_a_gmina_outside_the_directory_is_said_and_nobody_named(
    office: App, question: str, gmina: str,
) -> None:
    console = ConsoleSession(office.core, ADMIN)
    [answer] = await console.say(question)
    assert answer.startswith(gmina), answer
    assert "@" not in answer  # no contact card of another gmina's staff
    console.lang = "en"
    [answer] = await console.say("who handles waste in Warszawa?")
    assert answer.startswith("I have no gmina Warszawa in the directory."), answer
    assert "@" not in answer


async def test_a_question_about_several_gminy_is_answered_for_each(office: App) -> None:
    console = ConsoleSession(office.core, ADMIN)
    skawina, wieliczka = await console.say("kto od odpadów w Skawinie i w Wieliczce?")
    assert skawina.startswith("gospodarka odpadami — Skawina")
    assert "Adam Wrona — Skawina" in skawina and "Wieliczka" not in skawina
    assert wieliczka.startswith("gospodarka odpadami — Wieliczka")
    assert "Jolanta Kołodziej — Wieliczka" in wieliczka and "Skawina" not in wieliczka
    # Listed without a second preposition, and with a gmina outside the directory.
    skawina, wieliczka, warszawa = await console.say(
        "kto od śmieci w skawinie, wieliczce i warszawie")
    assert "Adam Wrona" in skawina and "Jolanta Kołodziej" in wieliczka
    assert warszawa == "Nie mam w katalogu gminy Warszawa."
    # A shared name among several is asked back on its own; the other gmina is answered.
    wieliczka, bochnia = await console.say("kto od odpadów w Wieliczce i w Bochni?")
    assert "Jolanta Kołodziej" in wieliczka
    assert bochnia.startswith("„Bochni” pasuje do kilku gmin") and "@" not in bochnia


async def test_ordinary_words_after_a_preposition_are_not_taken_for_gminy(office: App) -> None:
    console = ConsoleSession(office.core, ADMIN)
    # Piątek is a gmina; "w piątek" (a day: accusative) is not its locative "w Piątku".
    [answer] = await console.say("kto od oświaty w Wieliczce w piątek")
    assert "Renata Nowak — Wieliczka" in answer and "Piątek" not in answer


@pytest.mark.parametrize(
    ("question", "answered"),
    [
        # The preposition's case: after "z" the genitive of Wieliczka ("Wieliczki"), not the
        # gmina Wieliczki (whose genitive is "Wieliczek"); after "w" the plural's locative.
        ("jestem z Wieliczki, kto u was zajmuje się oświatą?", "Renata Nowak — Wieliczka"),
        ("kto od oświaty w Wieliczkach?", "Olga Mazurska — Wieliczki"),
        # Qualifiers pick one of a shared name.
        ("kto od śmieci w gminie wiejskiej Bochnia?", "Piotr Wiejski — Bochnia"),
        ("kto od śmieci w mieście Bochnia?", "Ewa Miejska — Bochnia"),
        ("kto od smieci w bochni miasto", "Ewa Miejska — Bochnia"),
        ("kto od oświaty w Czernichowie w powiecie żywieckim?", "Jan Żywiecki — Czernichów"),
        ("kto od oświaty w 2417012", "Jan Żywiecki — Czernichów"),
    ],
)
async def test_case_and_qualifiers_pick_one_of_a_shared_name(
    office: App, question: str, answered: str,
) -> None:
    console = ConsoleSession(office.core, ADMIN)
    [answer] = await console.say(question)
    assert answered in answer, answer
    assert answer.count(" — ") == 2, answer  # the title and that one person, nobody else


async def test_several_gminy_and_an_unknown_one_on_telegram(world: World) -> None:
    await world.link(JOLANTA)
    await world.telegram_says(JOLANTA, "kto od odpadów w Skawinie i w Wieliczce?")
    skawina, wieliczka = [m["text"] for m in world.on_telegram(JOLANTA)[-2:]]
    assert "Skawina" in skawina and "Wieliczka" not in skawina
    assert "Jolanta Kołodziej — Wieliczka" in wieliczka
    await world.telegram_says(JOLANTA, "kto od śmieci w Warszawie?")
    answer = world.on_telegram(JOLANTA)[-1]["text"]
    assert answer.startswith("Nie mam w katalogu gminy Warszawa.")
    assert "@" not in answer


async def test_a_qualifier_naming_the_namesake_outside_the_directory(
    console: ConsoleSession,
) -> None:
    # The sample directory has Michałowice of powiat krakowski; Poland has another one.
    [answer] = await console.say("kto od oświaty w Michałowicach w powiecie pruszkowskim?")
    assert answer.startswith("Nie mam w katalogu gminy Michałowice (powiat pruszkowski).")
    assert "@" not in answer
    [answer] = await console.say("kto od oświaty w Michałowicach?")
    assert "— Michałowice" in answer and "@" in answer


async def test_the_case_tells_a_namesake_outside_the_directory(console: ConsoleSession) -> None:
    # "z Zielonki" is the genitive of Zielonka (powiat wołomiński, not in the sample
    # directory); the sample's Zielonki has the genitive "Zielonek".
    [answer] = await console.say("jestem z Zielonki, kto zajmuje się oświatą?")
    assert answer.startswith("Nie mam w katalogu gminy Zielonka (powiat wołomiński).")
    [answer] = await console.say("jestem z Zielonek, kto zajmuje się oświatą?")
    assert "— Zielonki" in answer and "@" in answer


def test_the_shipped_name_forms_are_what_the_dictionary_makes(morphology: Morphology) -> None:
    """`data/gminy_forms.csv` is derived data: regenerate it with
    `python -m commands.directory.register` when this fails (gminy.csv or morfeusz2 changed)."""
    gminy = read_register()
    shipped = read_forms(gminy)
    assert shipped is not None, "gminy_forms.csv is missing or made from another gminy.csv"
    assert shipped.rows() == GminaRegister.inflected(gminy, morphology).rows()
    assert [g.name for g in shipped.named("bochni")] == ["Bochnia", "Bochnia"]
    assert shipped.cases("piatek") == {"nom", "acc"}  # not the locative: "w piątek" is a day
