"""The web process's garbage collector (iop/memory.py): no full collection
walks the modules loaded at start-up, and the youngest generation is
collected less often."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import weakref
from pathlib import Path

from iop import memory

ROOT = Path(__file__).resolve().parents[1]


def test_the_wsgi_application_freezes_what_it_loaded_and_raises_the_youngest_threshold() -> None:
    probe = "import gc, iop.wsgi; print(gc.get_freeze_count(), *gc.get_threshold())"
    out = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", probe], cwd=ROOT, env=os.environ, capture_output=True, text=True, check=True, timeout=120
    )
    frozen, youngest, middle, oldest = map(int, out.stdout.split())
    assert frozen > 50_000, "Django and the project's modules are in the permanent generation"
    assert (youngest, middle, oldest) == (memory.YOUNGEST_THRESHOLD, 10, 10)


def test_garbage_made_after_settling_is_still_collected() -> None:
    saved = gc.get_threshold()
    try:
        memory.settle()

        class Node:
            pass

        cycle = Node()
        cycle.me = cycle  # type: ignore[attr-defined]
        alive = weakref.ref(cycle)
        del cycle
        kept = [[] for _ in range(memory.YOUNGEST_THRESHOLD * 2)]  # enough for a collection of its own
        assert alive() is None
        assert len(kept) == memory.YOUNGEST_THRESHOLD * 2
    finally:
        gc.unfreeze()
        gc.set_threshold(*saved)
