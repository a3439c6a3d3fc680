"""Writes the directory evaluation set: a directory of 300 gminy and ~2,150 questions about it.

    .venv/bin/python bench/data/make_directory_eval.py

Deterministic (seed 16): running it again writes the same two files,

- ``directory_eval_staff.csv`` — the evaluation directory: 300 gminy of the TERYT register
  (the 15 of the Metropolia Krakowska, 40 groups of gminy sharing a name, the rest drawn at
  random) with one person per gmina and topic; the people are fictional;
- ``directory_eval.jsonl`` — one question a line: ``{"kind", "lang", "q", "topic",
  "expect"}`` where ``expect`` lists the TERYT codes the answer must name (unique, qualified,
  English: one; several: each; ambiguous: the candidates to ask back between; unknown: the
  gmina's name, which must be said while nobody is named).

The phrasings are the staff's own (README, seed documents): "kto od X w Y", "jestem z Y, kto u
was…", "u nas w Y…", "do kogo w Y w sprawie…", "gdzie w Y załatwię…", "kontakt do gminy Y
w sprawie…", "X Y"; each question is written as is, in lower case, or in lower case without
Polish letters. Gmina names are inflected from morfeusz2's paradigms of the place names.
"""

from __future__ import annotations

import csv
import json
import random
import sys
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO))

from commands.directory.language import CASES, Morphology, Reading, fold, tokens  # noqa: E402
from commands.directory.register import RegisteredGmina, read_register  # noqa: E402

STAFF = HERE / "directory_eval_staff.csv"
QUESTIONS = HERE / "directory_eval.jsonl"
MEMBERS = REPO / "commands" / "directory" / "data" / "metropolia_krakowska.csv"
SEED = 16
SIZE = 300

# Topic of the directory (its name in the thesaurus), then the words staff use for it in
# the nominative, genitive, accusative and instrumental, and English words.
TOPICS: list[tuple[str, str, list[tuple[str, str, str, str]], list[str]]] = [
    ("odpady", "gospodarka odpadami", [
        ("śmieci", "śmieci", "śmieci", "śmieciami"),
        ("odpady", "odpadów", "odpady", "odpadami"),
        ("PSZOK", "PSZOK-u", "PSZOK", "PSZOK-iem")], ["waste", "rubbish collection"]),
    ("oswiata", "oświata", [
        ("szkoły", "szkół", "szkoły", "szkołami"),
        ("oświata", "oświaty", "oświatę", "oświatą")], ["education", "schools"]),
    ("zamowienia", "zamówienia publiczne", [
        ("przetargi", "przetargów", "przetargi", "przetargami"),
        ("zamówienia publiczne", "zamówień publicznych", "zamówienia publiczne",
         "zamówieniami publicznymi")], ["procurement", "tenders"]),
    ("ewidencja", "ewidencja ludności i USC", [
        ("meldunek", "meldunku", "meldunek", "meldunkiem"),
        ("śluby", "ślubów", "śluby", "ślubami"),
        ("dowody osobiste", "dowodów osobistych", "dowody osobiste", "dowodami osobistymi")],
     ["registry office", "residence registration"]),
    ("podatki", "podatki i opłaty lokalne", [
        ("podatek od nieruchomości", "podatku od nieruchomości", "podatek od nieruchomości",
         "podatkiem od nieruchomości"),
        ("podatki lokalne", "podatków lokalnych", "podatki lokalne", "podatkami lokalnymi")],
     ["local taxes", "property tax"]),
    ("zielen", "zieleń", [
        ("wycinka drzew", "wycinki drzew", "wycinkę drzew", "wycinką drzew"),
        ("zieleń", "zieleni", "zieleń", "zielenią")], ["green spaces", "tree felling"]),
    ("kryzys", "zarządzanie kryzysowe", [
        ("podtopienia", "podtopień", "podtopienia", "podtopieniami"),
        ("zarządzanie kryzysowe", "zarządzania kryzysowego", "zarządzanie kryzysowe",
         "zarządzaniem kryzysowym")], ["crisis management", "flooding"]),
    ("gospodarka", "rozwój gospodarczy i przedsiębiorczość", [
        ("CEIDG", "CEIDG", "CEIDG", "CEIDG"),
        ("działalność gospodarcza", "działalności gospodarczej", "działalność gospodarczą",
         "działalnością gospodarczą")], ["business registration", "entrepreneurship"]),
    ("rolnictwo", "rolnictwo", [
        ("zwrot akcyzy", "zwrotu akcyzy", "zwrot akcyzy", "zwrotem akcyzy"),
        ("rolnictwo", "rolnictwa", "rolnictwo", "rolnictwem")], ["agriculture", "farming"]),
    ("turystyka", "turystyka", [
        ("turystyka", "turystyki", "turystykę", "turystyką"),
        ("szlaki turystyczne", "szlaków turystycznych", "szlaki turystyczne",
         "szlakami turystycznymi")], ["tourism"]),
    ("kultura", "kultura", [
        ("imprezy kulturalne", "imprez kulturalnych", "imprezy kulturalne",
         "imprezami kulturalnymi"),
        ("kultura", "kultury", "kulturę", "kulturą")], ["culture", "cultural events"]),
    ("transport", "publiczny transport zbiorowy", [
        ("autobusy", "autobusów", "autobusy", "autobusami"),
        ("komunikacja publiczna", "komunikacji publicznej", "komunikację publiczną",
         "komunikacją publiczną")], ["public transport", "buses"]),
    ("pomoc", "pomoc społeczna", [
        ("pomoc społeczna", "pomocy społecznej", "pomoc społeczną", "pomocą społeczną"),
        ("GOPS", "GOPS", "GOPS", "GOPS")], ["social welfare"]),
    ("drogi", "drogi gminne", [
        ("drogi gminne", "dróg gminnych", "drogi gminne", "drogami gminnymi"),
        ("dziury w drogach", "dziur w drogach", "dziury w drogach", "dziurami w drogach")],
     ["roads", "potholes"]),
]
FIRST = ["Anna", "Jan", "Ewa", "Piotr", "Maria", "Tomasz", "Katarzyna", "Paweł", "Agnieszka",
         "Marek", "Barbara", "Krzysztof"]
LAST = ["Nowak", "Kowalski", "Wiśniewska", "Wójcik", "Kamińska", "Lewandowski", "Zielińska",
        "Dąbrowski", "Mazur", "Krawczyk"]

# Templates: t = topic form (nom/gen/acc/inst), g = gmina form (nom/gen/loc).
PL_TEMPLATES = [
    "kto od {t_gen} w {g_loc}?",
    "Kto w {g_loc} odpowiada za {t_acc}?",
    "jestem z {g_gen}, kto u was zajmuje się {t_inst}?",
    "Jestem z {g_gen} — kto u was jest od {t_gen}?",
    "u nas w {g_loc} kto prowadzi {t_acc}?",
    "U nas w {g_loc} kto się zajmuje {t_inst}?",
    "do kogo w {g_loc} w sprawie {t_gen}?",
    "Do kogo mam się zwrócić w {g_loc} w sprawie {t_gen}?",
    "gdzie w {g_loc} załatwię {t_acc}?",
    "kontakt do gminy {g_gen} w sprawie {t_gen}",
    "{t_nom} {g_nom}",
    "kto zajmuje się {t_inst} w gminie {g_nom}?",
    "Dzień dobry, szukam osoby od {t_gen} w {g_loc}",
    "Kto w urzędzie w {g_loc} zajmuje się {t_inst}?",
    "kto od {t_gen} jest w {g_loc}",
    "Czy ktoś z {g_gen} zajmuje się {t_inst}?",
    "Szukam kontaktu w sprawie {t_gen} — gmina {g_nom}",
    "{g_nom}: {t_nom}",
    "potrzebuję kogoś od {t_gen} z {g_gen}",
    "Kto w {g_loc} jest odpowiedzialny za {t_acc}?",
    "kto w urzędzie gminy {g_gen} prowadzi sprawy {t_gen}?",
    "{g_nom} — kto od {t_gen}?",
]
SEVERAL_TEMPLATES = [
    "kto od {t_gen} w {a_loc} i w {b_loc}?",
    "kto od {t_gen} w {a_loc} i {b_loc}?",
    "Kto w {a_loc} oraz w {b_loc} odpowiada za {t_acc}?",
    "{a_nom}, {b_nom} — kto od {t_gen}?",
    "do kogo w sprawie {t_gen} w {a_loc} i w {b_loc}?",
    "kto od {t_gen} w {a_loc}, {b_loc} i {c_loc}?",
    "jestem z {a_gen}, a kolega z {b_gen} — kto u was od {t_gen}?",
]
EN_TEMPLATES = [
    "who handles {t_en} in {g_nom}",
    "Who is responsible for {t_en} in {g_nom}?",
    "{t_en} contact in {g_nom}?",
    "who deals with {t_en} in the municipality of {g_nom}?",
]
UNKNOWN_TEMPLATES = [
    "kto od {t_gen} w {g_loc}?",
    "jestem z {g_gen}, kto u was zajmuje się {t_inst}?",
    "Kto w {g_loc} odpowiada za {t_acc}?",
    "do kogo w {g_loc} w sprawie {t_gen}?",
    "u nas w {g_loc} kto prowadzi {t_acc}?",
    "{g_nom} — kto od {t_gen}?",
    "{g_nom}: {t_nom}",
]


class Inflector:
    """A place name in a grammatical case, with its Polish letters and capitals."""

    def __init__(self, morphology: Morphology) -> None:
        self.morphology = morphology

    def _noun(self, word: str) -> Reading | None:
        readings = [r for r in self.morphology.analyse(word)
                    if r.pos == "subst" and "nom" in r.cases]
        readings.sort(key=lambda r: (not r.proper, r.number != "sg"))
        return readings[0] if readings else None

    def _adjective(self, word: str, number: str) -> Reading | None:
        for reading in self.morphology.analyse(word.lower()):
            if reading.pos == "adj" and "nom" in reading.cases and (
                    not number or reading.number == number):
                return reading
        return None

    def _form(self, word: str, reading: Reading, case: str) -> str | None:
        options = sorted(
            form for form, other in self.morphology.paradigm(reading.lemma)
            if other.number == reading.number and other.pos == reading.pos
            and case in other.cases and other.genders & reading.genders
            and (reading.pos != "adj" or other.degree == "pos")
            and (not reading.proper or other.proper))
        if not options:
            return None
        form = options[0]
        return word[:1] + form[1:] if word[:1].isupper() else form

    def name(self, name: str, case: str) -> str | None:
        """``name`` in ``case``; None when a word cannot be inflected (or the form is not
        one the product lists for that case)."""
        if case == "nom":
            return name
        parts = tokens(name)
        nouns = {i: self._noun(p) for i, p in enumerate(parts)}
        number = next((n.number for i, n in nouns.items()
                       if n and not self._adjective(parts[i], "")), "")
        out = []
        for i, part in enumerate(parts):
            adjective = self._adjective(part, number) if len(parts) > 1 else None
            reading = adjective or nouns[i]
            form = self._form(part, reading, case) if reading else None
            if form is None:
                if self.morphology.analyse(part) and reading is not None:
                    return None
                form = part  # "nad", "Wisłą": uninflected parts
            out.append(form)
        text = ("-" if "-" in name else " ").join(out)
        known = self.morphology.name_cases(name, places_only=True)
        return text if case in known.get(fold(" ".join(out)), frozenset()) else None


def style(rng: random.Random, text: str, *, keep_case: bool) -> str:
    """As written, in lower case, or in lower case without Polish letters."""
    choice = rng.random()
    if keep_case or choice < 0.4:
        return text
    if choice < 0.7:
        return text.lower()
    return fold(text)


def main() -> None:
    rng = random.Random(SEED)
    morphology = Morphology()
    inflect = Inflector(morphology)
    register = read_register()
    by_name: dict[str, list[RegisteredGmina]] = defaultdict(list)
    for gmina in register:
        by_name[gmina.name].append(gmina)
    members = {line.split(",")[0] for line in MEMBERS.read_text(encoding="utf-8").splitlines()[1:]}

    def usable(g: RegisteredGmina) -> bool:
        return all(inflect.name(g.name, c) for c in ("gen", "loc"))

    chosen: dict[str, RegisteredGmina] = {g.teryt: g for g in register if g.teryt in members}
    shared = sorted(n for n, gs in by_name.items() if len(gs) > 1 and all(map(usable, gs)))
    for name in rng.sample(shared, 40):
        chosen.update((g.teryt, g) for g in by_name[name])
    pool = [g for g in register if len(by_name[g.name]) == 1 and usable(g)
            and g.teryt not in chosen]
    rng.shuffle(pool)
    for g in pool:
        if len(chosen) >= SIZE:
            break
        chosen[g.teryt] = g
    directory = sorted(chosen.values(), key=lambda g: g.teryt)

    with STAFF.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["gmina", "teryt", "kind", "powiat", "wojewodztwo", "topic", "name",
                         "position", "email", "phone", "confirmed_at"])
        for g in directory:
            # Offices name topics differently: a third of the lists have "ochrona środowiska"
            # where others have "zieleń", "oferta czasu wolnego" where others have "turystyka".
            listed_as = {"zielen": "ochrona środowiska", "turystyka": "oferta czasu wolnego"}
            other_names = rng.random() < 1 / 3
            for key, topic, _words, _en in TOPICS:
                if other_names and key in listed_as:
                    topic = listed_as[key]
                writer.writerow([g.name, g.teryt, g.kind, g.powiat, g.wojewodztwo, topic,
                                 f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                                 f"inspektor ds. {topic}", f"{key}.{g.teryt}@eval.example.pl",
                                 f"+48 12 000 {rng.randint(10, 99)} {rng.randint(10, 99)}",
                                 "2026-11-01"])

    # Names whose every form is theirs alone in the register (unique in the whole country).
    folded_owner: dict[str, set[str]] = defaultdict(set)
    for g in register:
        for form in morphology.name_cases(g.name, places_only=True):
            folded_owner[form].add(g.name)

    def alone(g: RegisteredGmina) -> bool:
        return all(folded_owner[f] == {g.name}
                   for f in morphology.name_cases(g.name, places_only=True))

    def common(g: RegisteredGmina) -> bool:
        return any(morphology.is_common_word(w.lower()) for w in tokens(g.name))

    unique = [g for g in directory if len(by_name[g.name]) == 1 and alone(g)]
    groups = [by_name[n] for n in sorted({g.name for g in directory}) if len(by_name[n]) > 1
              and all(x.teryt in chosen for x in by_name[n])]
    outside = [g for g in register if g.teryt not in chosen and len(by_name[g.name]) == 1
               and alone(g) and usable(g)]

    def fill(template: str, g: RegisteredGmina, words: tuple[str, str, str, str]) -> str:
        values = dict(zip(("t_nom", "t_gen", "t_acc", "t_inst"), words, strict=True))
        values.update(g_nom=g.name, g_gen=inflect.name(g.name, "gen") or g.name,
                      g_loc=inflect.name(g.name, "loc") or g.name)
        return template.format(**values)

    questions: list[dict[str, object]] = []

    def add(kind: str, lang: str, text: str, key: str, expect: list[str]) -> None:
        questions.append({"kind": kind, "lang": lang, "q": text, "topic": key,
                          "expect": expect})

    for _ in range(900):
        g = rng.choice(unique)
        key, _topic, words, _en = rng.choice(TOPICS)
        text = fill(rng.choice(PL_TEMPLATES), g, rng.choice(words))
        add("unique", "pl", style(rng, text, keep_case=common(g)), key, [g.teryt])
    for _ in range(250):
        group = rng.choice(groups)
        key, _topic, words, _en = rng.choice(TOPICS)
        text = fill(rng.choice(PL_TEMPLATES), group[0], rng.choice(words))
        add("ambiguous", "pl", style(rng, text, keep_case=common(group[0])), key,
            sorted(g.teryt for g in group))
    for _ in range(350):
        g = rng.choice(outside)
        key, _topic, words, _en = rng.choice(TOPICS)
        text = fill(rng.choice(UNKNOWN_TEMPLATES), g, rng.choice(words))
        add("unknown", "pl", style(rng, text, keep_case=common(g)), key, [g.name])
    for _ in range(250):
        a, b, c = rng.sample(unique, 3)
        key, _topic, words, _en = rng.choice(TOPICS)
        t_nom, t_gen, t_acc, _t_inst = rng.choice(words)
        template = rng.choice(SEVERAL_TEMPLATES)
        text = template.format(
            t_gen=t_gen, t_acc=t_acc, a_nom=a.name, b_nom=b.name,
            a_loc=inflect.name(a.name, "loc"), b_loc=inflect.name(b.name, "loc"),
            c_loc=inflect.name(c.name, "loc"), a_gen=inflect.name(a.name, "gen"),
            b_gen=inflect.name(b.name, "gen"))
        named = [a, b, c] if "{c_loc}" in template else [a, b]
        add("several", "pl", style(rng, text, keep_case=any(map(common, named))), key,
            [g.teryt for g in named])
    qualified = 0
    while qualified < 200:
        group = rng.choice(groups)
        g = rng.choice(group)
        others = [x for x in group if x is not g]
        key, _topic, words, _en = rng.choice(TOPICS)
        t_nom, t_gen, t_acc, t_inst = rng.choice(words)
        loc = inflect.name(g.name, "loc")
        options = [f"kto od {t_gen} w {g.teryt}?", f"{t_nom} gmina {g.teryt}"]
        if all(o.kind != g.kind for o in others):
            word = {"urban": "miejskiej", "rural": "wiejskiej",
                    "urban-rural": "miejsko-wiejskiej"}[g.kind]
            options += [f"kto od {t_gen} w gminie {word} {g.name}?",
                        f"Kto w gminie {word} {g.name} zajmuje się {t_inst}?"]
            if g.kind == "urban":
                options.append(f"{t_nom} {g.name} miasto")
        if all(o.powiat != g.powiat for o in others) and g.powiat.endswith("ki"):
            powiat = g.powiat + "m"
            options += [f"kto od {t_gen} w {loc} w powiecie {powiat}?",
                        f"do kogo w {loc} (powiat {g.powiat}) w sprawie {t_gen}?"]
        if len(options) == 2 and rng.random() < 0.7:
            continue  # mostly qualifiers in words; TERYT codes are rarer
        add("qualified", "pl", style(rng, rng.choice(options), keep_case=common(g)), key,
            [g.teryt])
        qualified += 1
    for _ in range(200):
        g = rng.choice(unique)
        key, _topic, _words, english = rng.choice(TOPICS)
        text = rng.choice(EN_TEMPLATES).format(t_en=rng.choice(english), g_nom=g.name)
        add("english", "en", text, key, [g.teryt])

    with QUESTIONS.open("w", encoding="utf-8") as handle:
        for question in questions:
            handle.write(json.dumps(question, ensure_ascii=False) + "\n")
    kinds = defaultdict(int)
    for question in questions:
        kinds[question["kind"]] += 1  # type: ignore[index]
    print(f"{len(directory)} gminy ({len(groups)} shared names), {len(questions)} questions: "
          + ", ".join(f"{k} {v}" for k, v in kinds.items()))
    assert set(CASES) >= {"nom", "gen", "loc"}


if __name__ == "__main__":
    main()
