"""Gminy outside the directory: how often they are recognised, and what it costs.

The directory holds the 15 gminy of the Metropolia Krakowska; the questions ask about random
gminy of the whole country after "w" or "z" ("kto od śmieci w Bochni?"), half of them in lower
case without Polish letters. Prints the one-off cost of loading the shipped TERYT register with
its inflected forms, the share of questions about a gmina outside the directory that say so
(instead of naming other gminy's staff), and the answer time (parse + answer, no database).

    .venv/bin/python bench/gmina_register_bench.py [--questions 2000]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from commands.directory.answers import DirectoryAnswers  # noqa: E402
from commands.directory.index import (  # noqa: E402
    DirectoryIndex,
    GminaInfo,
    IndexData,
    TopicInfo,
    TopicMatcherCache,
)
from commands.directory.language import Morphology, fold, tokens  # noqa: E402
from commands.directory.matching import load_thesaurus  # noqa: E402
from commands.directory.query import parse_query  # noqa: E402
from commands.directory.register import read_register, shipped_register  # noqa: E402

MEMBERS = REPO / "commands" / "directory" / "data" / "metropolia_krakowska.csv"


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0..100) of ``values``."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


TEMPLATES = (("loc", "kto od śmieci w {}?"), ("gen", "jestem z {}, kto zajmuje się oświatą?"),
             ("loc", "kto w {} odpowiada za drogi"))


def _form(morphology: Morphology, name: str, case: str) -> str:
    """``name`` in ``case``, each word with its own capitals (the place's own paradigm)."""
    words = tokens(name)
    forms = morphology.name_cases(name, places_only=True)
    folded = next((f for f, c in sorted(forms.items()) if case in c), None)
    if folded is None or len(folded.split()) != len(words):
        return name
    return " ".join(w[:1] + f[1:] if w[:1].isupper() else f
                    for w, f in zip(words, folded.split(), strict=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--questions", type=int, default=2000)
    args = parser.parse_args()
    morphology = Morphology()
    register = read_register()
    members = {line.split(",")[0] for line in MEMBERS.read_text(encoding="utf-8").splitlines()[1:]}
    gminy = [GminaInfo(i, g.name, g.kind, g.powiat, g.wojewodztwo, g.teryt)
             for i, g in enumerate(register, 1) if g.teryt in members]
    forms: dict[str, set[int]] = {}
    for gmina in gminy:
        for form in morphology.name_forms(gmina.name):
            forms.setdefault(form, set()).add(gmina.id)
    thesaurus = load_thesaurus()
    topics = [TopicInfo(i, t.key, t.name_pl, t.name_en) for i, t in enumerate(thesaurus, 1)]
    matcher = TopicMatcherCache(morphology, thesaurus).matcher(topics, [])
    index = DirectoryIndex(IndexData(gminy=gminy, forms=forms, topics=topics),
                           topic_matcher=matcher, morphology=morphology)
    started = time.perf_counter()
    shipped_register()
    print(f"register: {len(register)} gminy with their inflected forms loaded in "
          f"{time.perf_counter() - started:.2f} s (once per process); directory: "
          f"{len(gminy)} gminy")

    rng = random.Random(3)
    questions: list[tuple[str, bool]] = []
    for _ in range(args.questions):
        gmina = rng.choice(register)
        case, template = rng.choice(TEMPLATES)
        form = _form(morphology, gmina.name, case)
        if rng.random() < 0.5:
            form = fold(form)  # lower case without Polish letters, as people often type
        questions.append((template.format(form), gmina.teryt not in members))
    answers = DirectoryAnswers(stale_after_months=6)
    today = date(2026, 12, 7)
    for text, _ in questions[:50]:  # warm the caches the way a running service would
        answers.answer_all(index, parse_query(text, index), lang="pl", today=today)
    times: list[float] = []
    said = outside_total = 0
    misses: list[str] = []
    for text, outside in questions:
        t0 = time.perf_counter()
        query = parse_query(text, index)
        messages = answers.answer_all(index, query, lang="pl", today=today)
        times.append((time.perf_counter() - t0) * 1000)
        if outside:
            outside_total += 1
            if query.outside and not any(m.cards for m in messages):
                said += 1
            elif len(misses) < 10:
                misses.append(text)
    print(f"outside the directory said so, nobody named: {said}/{outside_total} "
          f"({100 * said / max(outside_total, 1):.1f} %)")
    print(f"answer (parse + answer, {len(times)} questions): p50 {percentile(times, 50):.2f} ms, "
          f"p99 {percentile(times, 99):.2f} ms, max {max(times):.2f} ms")
    if misses:
        print("misses, e.g.: " + "; ".join(misses))


if __name__ == "__main__":
    main()
