"""Topics as gminy name their work: the JRWA-grounded thesaurus with the words staff use.

Staff ask with everyday words ("śluby", "podtopienia", "imprezy kulturalne"); the answer is
headed by the topic's own name, not by the word asked. Offices name topics differently —
"ochrona środowiska" in one list, "zieleń" in another — and a question finds the gmina's entry
under the topic its list has (broader/narrower links of the thesaurus). Words outside the
thesaurus still find people by position and notes.

Everything runs on the real app and database (SQLite and PostgreSQL) through the console.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from adapters.console.adapter import ConsoleSession
from bots.app import App
from commands.directory.importer import parse_rows
from commands.directory.matching import load_thesaurus, related_topics
from store.directory import bump_version
from store.models import ContactEntry, Gmina, Person, Topic

ADMIN = "biuro@metropolia.example.pl"
W = ("Wieliczka", "1219053", "urban-rural", "wielicki", "małopolskie")
S = ("Skawina", "1206113", "urban-rural", "krakowski", "małopolskie")
# Wieliczka's list has "ochrona środowiska" where Skawina's has "zieleń" and "ochrona
# powietrza"; both have what the staff words below ask for.
ROWS = [
    (*W, "ochrona środowiska", "Ewa Zielna", "e.zielna@wieliczka.example.pl", "", ""),
    (*W, "ewidencja ludności i USC", "Urszula Stanu", "u.stanu@wieliczka.example.pl", "", ""),
    (*W, "kultura", "Kamil Kulturalny", "k.kultura@wieliczka.example.pl", "", ""),
    (*W, "promocja", "Paula Promocyjna", "p.promocja@wieliczka.example.pl", "", ""),
    (*W, "cmentarze", "Celina Cmentarna", "c.cmentarna@wieliczka.example.pl", "", ""),
    (*W, "szalety publiczne", "Damian Szaletowy", "d.szaletowy@wieliczka.example.pl",
     "", ""),
    (*S, "zieleń", "Zenon Drzewny", "z.drzewny@skawina.example.pl", "", ""),
    (*S, "ochrona powietrza", "Piotr Powietrzny", "p.powietrzny@skawina.example.pl", "", ""),
    (*S, "zarządzanie kryzysowe", "Kinga Kryzysowa", "k.kryzys@skawina.example.pl", "", ""),
    (*S, "podatki i opłaty lokalne", "Paweł Podatkowy", "p.podatki@skawina.example.pl", "", ""),
    (*S, "rozwój gospodarczy i przedsiębiorczość", "Beata Biznesowa",
     "b.biznes@skawina.example.pl", "", ""),
    (*S, "rolnictwo", "Roman Rolny", "r.rolny@skawina.example.pl", "", ""),
    (*S, "turystyka", "Tola Turystyczna", "t.turystyka@skawina.example.pl", "", ""),
    (*S, "transport publiczny", "Hubert Hulajnoga", "h.hulajnoga@skawina.example.pl",
     "inspektor ds. komunikacji", "specjalizacja: hulajnogi elektryczne"),
    (*S, "koordynacja metropolitalna", "Admin Biura", ADMIN, "", ""),
]
LIST = ("gmina,kod teryt,rodzaj,powiat,województwo,temat,imię i nazwisko,e-mail,stanowisko,"
        "uwagi\n" + "".join(",".join(row) + "\n" for row in ROWS))


@pytest.fixture
async def office(bare_app: App, tmp_path: Path) -> ConsoleSession:
    """The console as the office admin, with the two gminy's lists imported."""
    path = tmp_path / "lista.csv"
    path.write_text(LIST, encoding="utf-8")
    async with bare_app.db.session() as session:
        await bare_app.importer.apply(session, parse_rows(path))
    bare_app.directory.invalidate()
    return ConsoleSession(bare_app.core, ADMIN)


@pytest.mark.parametrize(
    ("question", "title", "person"),
    [
        ("kto od ślubów w Wieliczce?", "ewidencja ludności i USC — Wieliczka", "Urszula Stanu"),
        ("do kogo w wieliczce w sprawie meldunku?", "ewidencja ludności i USC — Wieliczka",
         "Urszula Stanu"),
        ("kto od podtopień w Skawinie?", "zarządzanie kryzysowe — Skawina", "Kinga Kryzysowa"),
        ("kto od podatku od nieruchomosci w skawinie", "podatki i opłaty lokalne — Skawina",
         "Paweł Podatkowy"),
        ("jestem z Skawiny, kto u was zajmuje się CEIDG?",
         "rozwój gospodarczy i przedsiębiorczość — Skawina", "Beata Biznesowa"),
        ("gdzie w Skawinie załatwię zwrot akcyzy?", "rolnictwo — Skawina", "Roman Rolny"),
        ("u nas w Skawinie kto prowadzi turystykę?", "turystyka — Skawina", "Tola Turystyczna"),
        # "imprezy" alone is promotion's word; "imprezy kulturalne" is culture.
        ("kto od imprez kulturalnych w Wieliczce?", "kultura — Wieliczka", "Kamil Kulturalny"),
        # The topic's name, not the word asked ("cmentarzy").
        ("kto od cmentarzy w Wieliczce?", "cmentarze — Wieliczka", "Celina Cmentarna"),
        # A topic the office imported that the thesaurus does not have keeps working.
        ("kto od szaletów publicznych w Wieliczce?", "szalety publiczne — Wieliczka",
         "Damian Szaletowy"),
    ],
)
async def test_staff_words_find_the_topic_and_the_answer_is_headed_by_its_name(
    office: ConsoleSession, question: str, title: str, person: str,
) -> None:
    [answer] = await office.say(question)
    assert answer.startswith(title + "\n"), answer
    assert person in answer
    assert answer.count("@") == 1, answer  # that person, nobody else


async def test_a_topic_found_under_the_broader_or_narrower_one_the_list_has(
    office: ConsoleSession,
) -> None:
    # Wieliczka lists "ochrona środowiska": a question about trees finds it there.
    [answer] = await office.say("kto od wycinki drzew w Wieliczce?")
    assert answer.startswith("zieleń — Wieliczka\n"), answer
    assert "Ewa Zielna" in answer
    # Skawina lists "zieleń" and "ochrona powietrza": the environment is both of them.
    [answer] = await office.say("kto w Skawinie odpowiada za ochronę środowiska?")
    assert answer.startswith("ekologia i ochrona środowiska — Skawina\n"), answer
    assert "Zenon Drzewny" in answer and "Piotr Powietrzny" in answer
    # Where the list has the topic itself, only its own people answer.
    [answer] = await office.say("kto od wycinki drzew w Skawinie?")
    assert "Zenon Drzewny" in answer and "Piotr Powietrzny" not in answer
    # A topic with no link to what a gmina lists still says nobody is listed.
    [answer] = await office.say("kto od ślubów w Skawinie?")
    assert answer.startswith("Nie znalazłem nikogo od tematu „ewidencja ludności i USC” "
                             "w gminie Skawina."), answer


async def test_words_outside_the_thesaurus_match_positions_and_notes(
    office: ConsoleSession,
) -> None:
    [answer] = await office.say("kto od hulajnóg w Skawinie?")
    assert "Hubert Hulajnoga" in answer and answer.count("@") == 1, answer


async def test_english_staff_words_are_headed_by_the_topic_in_english(
    office: ConsoleSession,
) -> None:
    office.lang = "en"
    [answer] = await office.say("who handles weddings in Wieliczka?")
    assert answer.startswith("population register and civil registry — Wieliczka\n"), answer
    [answer] = await office.say("who handles flooding in Skawina?")
    assert answer.startswith("crisis management — Skawina\n"), answer


def test_the_thesaurus_cites_jrwa_and_its_links_are_topics() -> None:
    text = Path("commands/directory/topics_pl.toml").read_text(encoding="utf-8")
    assert "Dz.U. 2011 nr 14 poz. 67" in text and "JRWA" in text
    thesaurus = load_thesaurus()
    keys = {t.key for t in thesaurus}
    assert all(set(t.broader) <= keys for t in thesaurus)
    ids = {key: i for i, key in enumerate(sorted(keys), 1)}
    related = related_topics(thesaurus, ids)
    assert related[ids["zielen"]] == ((ids["eko"],), ())
    assert set(related[ids["eko"]][1]) == {ids["zielen"], ids["powietrze"]}


async def test_an_office_topic_imported_before_the_thesaurus_had_it_keeps_answering(
    bare_app: App, office: ConsoleSession,
) -> None:
    # Imported as the office's own topic before "cmentarze" was in the thesaurus; the office's
    # name for it stays, and a question about cemeteries still finds its person.
    async with bare_app.db.session() as session:
        skawina = (await session.execute(
            select(Gmina).where(Gmina.teryt == "1206113"))).scalars().one()
        topic = Topic(key="cmentarze-komunalne", name_pl="Cmentarze komunalne")
        person = Person(name="Cezary Grabarz", email="c.grabarz@skawina.example.pl",
                        gmina_id=skawina.id)
        session.add_all([topic, person])
        await session.flush()
        session.add(ContactEntry(person_id=person.id, topic_id=topic.id,  # type: ignore[arg-type]
                                 gmina_id=skawina.id))  # type: ignore[arg-type]
        await bump_version(session)
        await session.commit()
    bare_app.directory.invalidate()
    for question in ("kto od cmentarzy w Skawinie?", "kto od cmentarzy komunalnych w Skawinie?"):
        [answer] = await office.say(question)
        assert "Cezary Grabarz — Skawina" in answer and answer.count("@") == 1, answer
