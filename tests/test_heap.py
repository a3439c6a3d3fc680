"""After start-up the long-lived heap is kept out of the garbage collector's full
collections, which otherwise stopped every reply for 150–450 ms (bench/throughput.py)."""

from __future__ import annotations

import gc
import time

from bots.app import App
from bots.service import Service


async def test_a_started_service_has_its_index_built_and_a_full_collection_is_short(
        app: App) -> None:
    gc.unfreeze()
    service = Service(app, [])
    await service.start()
    try:
        # The index was built at start-up (not by the first question) and frozen with the
        # rest: a full collection no longer walks it.
        assert app.directory.built
        frozen = gc.get_freeze_count()
        assert frozen > 10_000
        began = time.perf_counter()
        gc.collect()
        assert time.perf_counter() - began < 0.5 * _unfrozen_collection_time()
    finally:
        await service.stop()
        gc.unfreeze()


def _unfrozen_collection_time() -> float:
    gc.unfreeze()
    began = time.perf_counter()
    gc.collect()
    took = time.perf_counter() - began
    gc.freeze()
    return took
