"""The heap after start-up: keep the cyclic garbage collector off the long-lived objects.

Once started, the service holds ~300,000 objects that live as long as the process (the
directory index, the morphology, SQLAlchemy's mappers, the SDKs' modules). CPython's oldest
generation is collected whenever it has grown by a quarter, and each such full collection
walks all of them: 150–450 ms with the event loop stopped, every conversation's reply waiting
(bench/throughput.py reports the figure). ``gc.freeze()`` moves every tracked object into
the permanent generation, which collections skip; objects frozen are still freed by reference
counting when dropped (a replaced index goes), only garbage *cycles* among them would stay,
hence the collection before each freeze.
"""

from __future__ import annotations

import gc
import logging
import time

log = logging.getLogger(__name__)


def settle_heap() -> float:
    """Collect everything, then freeze what survived (see the module's docstring); the
    seconds it took. Call it when start-up is done and after each rebuild of a large
    long-lived structure (the directory index): the objects frozen earlier are thawed first,
    so cycles the rebuild left are collected too. It stops the event loop for one full
    collection (~0.2 s with the directory loaded), once, instead of again and again."""
    started = time.perf_counter()
    gc.unfreeze()
    gc.collect()
    gc.freeze()
    took = time.perf_counter() - started
    log.debug("heap settled: %d objects frozen in %.0f ms", gc.get_freeze_count(),
              took * 1000)
    return took


__all__ = ["settle_heap"]
