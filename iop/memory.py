"""The cyclic garbage collector of a long-running server process.

CPython runs a full collection whenever enough objects have survived the
younger ones, and a full collection walks every object the process holds:
the 200,000 or so of Django and the project's own modules as well as the
request's. On a page that reads many rows (a school's tilsyn check or the
clear-line overview of a school of 500 pupils) that was a pause of 100–250 ms
in about one request in twenty (``bench/bench_scale.py``).

:func:`settle` is called once the web process has loaded the project
(``iop/wsgi.py``, in every gunicorn worker): what is loaded by then moves to the
permanent generation (``gc.freeze``), which collections never walk, and the
youngest generation is collected every :data:`YOUNGEST_THRESHOLD` allocations
instead of every 700, so a request that builds many model instances starts
fewer collections. Garbage is still collected; only its timing changes.
"""

from __future__ import annotations

import gc

#: Allocations (net of deallocations) between two collections of the youngest generation.
YOUNGEST_THRESHOLD = 10_000


def settle() -> None:
    """Freeze what the process has loaded and raise the youngest generation's
    threshold to :data:`YOUNGEST_THRESHOLD` (the older generations keep
    CPython's default of 10 collections of the one below). Call once after
    start-up; calling it again freezes what has been loaded since."""
    gc.collect()
    gc.freeze()
    _, middle, oldest = gc.get_threshold()
    gc.set_threshold(YOUNGEST_THRESHOLD, middle, oldest)
