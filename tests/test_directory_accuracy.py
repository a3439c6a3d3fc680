"""The directory answers the evaluation set right: the floor `bench/directory_accuracy.py` reaches.

The set (bench/data/directory_eval.jsonl, written by bench/data/make_directory_eval.py with a
fixed seed) asks ~2,150 questions the way staff write them — "kto od X w Y", "jestem z Y, kto u
was…", "u nas w Y…", "do kogo w Y w sprawie…", "gdzie w Y załatwię…", inflected, lower case,
without Polish letters, in English — over a directory of 300 gminy of the register imported
into the real database (SQLite and PostgreSQL). Each question is judged on what the bot sends:
the right gmina's person, asking back between namesakes, "not in the directory" naming nobody,
one answer per gmina named.
"""

from __future__ import annotations

import importlib.util
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType

from bots.app import App

BENCH = Path(__file__).resolve().parents[1] / "bench" / "directory_accuracy.py"

# What the set reaches now (all 100 %); a change that loses more than about one question in a
# hundred of any kind (one in 200 of the unique ones) fails. Every floor is at or above the
# issue's targets (unique 99 %, ambiguous 98 %, unknown 98 %, several 95 %).
FLOORS = {"unique": 0.995, "ambiguous": 0.99, "unknown": 0.99, "several": 0.99,
          "qualified": 0.99, "english": 0.99}


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("directory_accuracy", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_the_evaluation_set_covers_every_kind() -> None:
    questions = _bench().load_questions()
    kinds = Counter(str(q["kind"]) for q in questions)
    assert len(questions) >= 2000
    assert set(kinds) == set(FLOORS)
    assert min(kinds.values()) >= 200
    texts = [str(q["q"]) for q in questions]
    # Written as staff write them: inflected, lower case, without Polish letters.
    assert any(t.startswith("jestem z ") for t in texts)
    assert any(t.startswith(("u nas w ", "U nas w ")) for t in texts)
    assert any(t.startswith("gdzie w ") for t in texts)
    assert sum(t == t.lower() and t.isascii() for t in texts) > 300


async def test_the_directory_answers_the_evaluation_set(bare_app: App) -> None:
    bench = _bench()
    await bench.import_directory(bare_app)
    result = await bench.evaluate(bare_app, bench.load_questions())
    for kind, floor in FLOORS.items():
        accuracy = result.accuracy(kind)
        misses = "\n".join(f"{text!r}: {why}" for text, why in result.misses[kind][:20])
        assert accuracy >= floor, f"{kind}: {accuracy:.3f} < {floor}\n{misses}"
