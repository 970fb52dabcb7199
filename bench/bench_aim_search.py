"""Benchmark the competence-aim search on PostgreSQL at the size of all of LK20.

    .venv/bin/python bench/bench_aim_search.py [--aims 15000] [--runs 40] [--reload] [--explain]

It uses a scratch database of its own (``BENCH_DATABASE_URL``, default
``postgres://postgres@127.0.0.1:5432/iop_bench``), creating and migrating it
when needed and reusing it afterwards. The data: the 317 real aims of
``../shared/curriculum/lk20-subset`` imported through the real importer, plus
generated variations of them (reworded, in other made-up subjects) up to
``--aims``, roughly LK20's full size. Then it times typical searches through
``curriculum.selectors.search_aims`` -- evaluated like a page would, with the
related rows loaded -- and prints per search the fastest, median and 95th
percentile wall-clock time, the median CPU time spent in Python, and the
server-side time of its main SQL query. It prints the load average too: on a
busy machine the wall-clock figures are inflated, and "py cpu" + "sql" is the
better estimate of what one search costs.

Exit status 1 when a search's p95 is over the 50 ms budget.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import random
import statistics
import sys
import time
import urllib.parse
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SUBSET = ROOT / ".." / "shared" / "curriculum" / "lk20-subset"
BUDGET_MS = 50.0
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/iop_bench"

# Made-up subjects for the replicas: (curriculum code prefix, subject name).
SUBJECTS = [
    ("XNAT", "naturfag"),
    ("XSAF", "samfunnsfag"),
    ("XKRL", "kristendom, religion, livssyn og etikk"),
    ("XKHV", "kunst og håndverk"),
    ("XMUS", "musikk"),
    ("XMHE", "mat og helse"),
    ("XKRO", "kroppsøving"),
    ("XUTV", "utdanningsvalg"),
    ("XSPR", "fremmedspråk"),
    ("XFYS", "fysikk"),
    ("XKJE", "kjemi"),
    ("XBIO", "biologi"),
    ("XGEO", "geografi"),
    ("XHIS", "historie"),
    ("XSAM", "samisk"),
    ("XOKO", "økonomi"),
]
SYNONYMS = {
    "bruke": "anvende",
    "utforske": "undersøke",
    "beskrive": "forklare",
    "samtale": "snakke",
    "tekster": "fortellinger",
    "lese": "utforske",
    "skrive": "formulere",
    "tall": "tallmengder",
    "ulike": "forskjellige",
    "egne": "sine egne",
    "presentere": "vise fram",
    "vurdere": "drøfte",
    "reflektere": "tenke",
}
PHRASES = [
    "i praktiske situasjoner",
    "med støtte fra digitale verktøy",
    "alene og sammen med andre",
    "i ulike sammenhenger",
    "og begrunne valgene sine",
    "i naturen og nærmiljøet",
    "med hjelp av kilder",
]
SEARCHES: list[tuple[str, dict[str, Any]]] = [
    ("KM12001", {}),
    ("km120", {}),
    ("brøk", {}),
    ("brøker", {}),
    ("tekster", {}),
    ("samtale", {}),
    ("bruke", {}),
    ("multipl", {}),
    ("skaping", {}),
    ("lese og skrive tekster", {}),
    ("digitale verktøy", {}),
    ("lese", {"subject": "NOR", "year_level": 4}),
    ("utforske", {"subject": "matematikk"}),
    ("", {"subject": "matematikk", "year_level": 7}),
    ("", {"year_level": 10}),
    ("og", {}),
]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--aims", type=int, default=15_000, help="how many aims to search over (default 15000)")
    parser.add_argument("--runs", type=int, default=40, help="timed runs per search (default 40)")
    parser.add_argument("--reload", action="store_true", help="replace the data even if enough is loaded")
    parser.add_argument("--explain", action="store_true", help="print the query plans")
    return parser.parse_args()


def setup_django() -> None:
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("IOP_ENV", "test")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iop.settings_test")
    sys.path.insert(0, str(ROOT))
    create_database(url)

    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def create_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    admin_url = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"created database {name}")


def vary(text: str, rng: random.Random) -> str:
    words = text.split()
    words = [SYNONYMS[w] if w in SYNONYMS and rng.random() < 0.4 else w for w in words]
    if len(words) > 4 and rng.random() < 0.5:
        i = rng.randrange(1, len(words) - 1)
        words[i], words[i + 1] = words[i + 1], words[i]
    if rng.random() < 0.6:
        words.append(rng.choice(PHRASES))
    return " ".join(words)


def replica(document: dict[str, Any], number: int, rng: random.Random) -> dict[str, Any]:
    """A made-up curriculum shaped like a real one, with its own codes and reworded aims."""
    doc = copy.deepcopy(document)
    subject = doc["subject"]
    prefix, name = SUBJECTS[number % len(SUBJECTS)]
    subject["code"] = f"{prefix}{number:02d}-01"
    subject["name"] = {"local": f"Læreplan i {name}"}
    for element in subject["coreElements"]:
        element["code"] = f"KE9{number:03d}{element['code'][2:]}"
    for band in subject["gradeBands"]:
        for goal in band["competenceGoals"]:
            goal["code"] = f"KM9{number:03d}{goal['code'][2:]}"
            goal["text"] = {"local": vary(goal["text"]["local"], rng)}
    return doc


def load(target: int) -> None:
    from django.db import connection

    from curriculum import grep
    from curriculum.models import CompetenceAim, CompetenceAimSet, CoreElement, Curriculum, SubjectCode

    if not SUBSET.is_dir():
        sys.exit(f"Udir reference data not found at {SUBSET.resolve()}")
    print("replacing the curriculum data ...")
    CompetenceAim.objects.all().delete()
    CompetenceAimSet.objects.all().delete()
    CoreElement.objects.all().delete()
    SubjectCode.objects.all().delete()
    Curriculum.objects.all().delete()

    started = time.perf_counter()
    real = grep.import_paths([SUBSET])
    print(f"imported the real subset: {real.created} records in {time.perf_counter() - started:.1f} s")

    documents = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(SUBSET.glob("*.json"))]
    documents = [d for d in documents if "subject" in d]
    rng = random.Random(20)
    bundle = grep.GrepBundle()
    number = 0
    while CompetenceAim.objects.count() + len(bundle.aims) < target:
        number += 1
        grep.parse_document(
            replica(documents[number % len(documents)], number, rng), bundle, source=f"replica {number}"
        )
    started = time.perf_counter()
    result = grep.import_bundle(bundle)
    print(
        f"imported {number} generated curricula: {result.counts['aims'].created} aims "
        f"in {time.perf_counter() - started:.1f} s"
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def sql_ms(query: str, filters: dict[str, Any]) -> float:
    """Server-side execution time of the main query (EXPLAIN ANALYZE without per-node timing)."""
    from django.db import connection

    from curriculum.selectors import search_aims

    sql, params = search_aims(query, **filters).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, TIMING OFF) {sql}", params)
        lines = [row[0] for row in cursor.fetchall()]
    return float(next(line for line in lines if line.startswith("Execution Time")).split()[2])


def run(runs: int, explain: bool) -> bool:
    from django.db import connection

    from curriculum.models import CompetenceAim
    from curriculum.selectors import search_aims

    total = CompetenceAim.objects.count()
    load, cpus = os.getloadavg()[0], os.cpu_count() or 1
    print(f"\n{total} competence aims; {runs} runs per search; budget {BUDGET_MS:.0f} ms (p95)")
    print(f"load average {load:.1f} on {cpus} CPUs" + ("  (busy machine: timings are inflated)" if load > cpus else ""))
    print(f"\n{'search':<44} {'rows':>4} {'min':>6} {'median':>7} {'p95':>7} {'py cpu':>6} {'sql':>6}   (ms)")
    ok = True
    for query, filters in SEARCHES:

        def once(query: str = query, filters: dict[str, Any] = filters) -> int:
            rows = list(search_aims(query, **filters))
            for aim in rows:  # what a result list shows
                _ = (aim.curriculum.subject_name, aim.aim_set.title, [e.title for e in aim.core_elements.all()])
            return len(rows)

        for _ in range(3):
            count = once()
        timings, cpu = [], []
        for _ in range(runs):
            started, started_cpu = time.perf_counter(), time.process_time()
            once()
            timings.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        median, p95 = statistics.median(timings), percentile(timings, 0.95)
        database = statistics.median(sql_ms(query, filters) for _ in range(5))
        ok = ok and p95 <= BUDGET_MS
        label = repr(query) + (" " + " ".join(f"{k}={v}" for k, v in filters.items()) if filters else "")
        flag = "" if p95 <= BUDGET_MS else "  over budget"
        print(
            f"{label:<44} {count:>4} {min(timings):>6.1f} {median:>7.1f} {p95:>7.1f} "
            f"{statistics.median(cpu):>6.1f} {database:>6.1f}{flag}"
        )
        if explain:
            sql, params = search_aims(query, **filters).query.sql_with_params()
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN (ANALYZE, COSTS OFF) {sql}", params)
                print("\n".join("    " + row[0] for row in cursor.fetchall()))
    load = os.getloadavg()[0]
    print(f"\nload average at the end {load:.1f} on {cpus} CPUs")
    print("all searches within budget" if ok else "SOME SEARCHES ARE OVER BUDGET")
    return ok


def main() -> None:
    args = parse_args()
    setup_django()
    from curriculum.models import CompetenceAim

    if args.reload or CompetenceAim.objects.count() < args.aims:
        load(args.aims)
    sys.exit(0 if run(args.runs, args.explain) else 1)


if __name__ == "__main__":
    main()
