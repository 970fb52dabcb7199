"""Query counts of pages: one way to measure them, one way to compare them.

A page "runs a fixed number of queries" when it runs as many for a large data
set as for a small one. Measure the small case, add data, measure the large
case, then compare::

    small = page_queries(client, url)
    add_pupils(world, 45)
    assert_same_queries(small, page_queries(client, url))

When the counts differ, the message shows the statements that differ
(literals blanked), which is where an N+1 shows itself.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

# What differs between two runs of the same statement: literals, the names of
# cursors and savepoints, and the length of IN (...) lists.
_LITERALS = re.compile(r"'(?:[^']|'')*'|\b[0-9a-f]{8}(?:-?[0-9a-f]{4}){3}-?[0-9a-f]{12}\b|\b\d+(?:\.\d+)?\b")
_NAMES = re.compile(r'"(?:_django_curs_\w+|s\d+_x\d+)"')
_LISTS = re.compile(r"\?(?:::\w+)?(?:, \?(?:::\w+)?)+")


@dataclass(frozen=True)
class Queries:
    """The statements one request ran."""

    url: str
    sql: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.sql)

    def shapes(self) -> list[str]:
        """The statements with their literals blanked, for comparing runs on different rows."""
        return [_LISTS.sub("?, ...", _LITERALS.sub("?", _NAMES.sub('"?"', statement))) for statement in self.sql]


def page_queries(client: Client, url: str, *, status: int = 200, warm: bool = False) -> Queries:
    """The queries of one GET of URL (which must answer STATUS).

    WARM first requests the page once unmeasured, for pages whose first visit
    in a session does one-off work (a session row, a cache filled).
    """
    if warm:
        client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return Queries(url=url, sql=tuple(q["sql"] for q in ctx.captured_queries))


def count_queries(client: Client, url: str, *, status: int = 200, warm: bool = False) -> int:
    """How many queries one GET of URL runs."""
    return len(page_queries(client, url, status=status, warm=warm))


def assert_same_queries(
    small: Queries | Sequence[Queries], large: Queries | Sequence[Queries], *, at_most: int | None = None
) -> None:
    """Each page runs as many queries on the large data set as on the small one
    (and, with AT_MOST, no more than that many)."""
    smalls = [small] if isinstance(small, Queries) else list(small)
    larges = [large] if isinstance(large, Queries) else list(large)
    assert len(smalls) == len(larges), "measure the same pages on both data sets"
    assert smalls, "no page was measured"
    problems = []
    for n, (s, big) in enumerate(zip(smalls, larges, strict=True), 1):
        assert s is not big, f"page {n}: one measurement compared with itself"
        if len(s) != len(big):
            diff = "\n".join(difflib.unified_diff(s.shapes(), big.shapes(), s.url, big.url, lineterm="", n=0))
            problems.append(f"page {n}: {s.url} ran {len(s)} queries, {big.url} ran {len(big)}\n{diff}")
        elif at_most is not None and len(s) > at_most:
            problems.append(f"page {n}: {s.url} ran {len(s)} queries, more than {at_most}")
    assert not problems, "\n\n".join(problems)
