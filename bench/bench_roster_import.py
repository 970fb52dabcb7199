"""How long a roster import takes: 10,000 pupils, 15,000 guardians and 1,000
staff as CSV files, on PostgreSQL.

    .venv/bin/python bench/bench_roster_import.py [--pupils 10000] [--guardians 15000] [--staff 1000] [--keep]

Uses a scratch database of its own (``BENCH_DATABASE_URL``, default
``postgres://postgres@127.0.0.1:5432/iop_roster_bench``), created, migrated
and dropped at the end (``--keep`` keeps it). Prints the seconds of:

* the dry run of the first import (target: like the import),
* the first import (target ≤ 60 s),
* an unchanged re-run (target ≤ 10 s; it must change nothing),
* a re-run where 1 % of the pupils changed name and 1 % of the guardianships ended.

Figures only, no pass/fail.
"""

from __future__ import annotations

import argparse
import datetime
import functools
import io
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/iop_roster_bench"
os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
os.environ["IOP_ENV"] = "demo"
os.environ["DEBUG"] = "false"
os.environ["DJANGO_SETTINGS_MODULE"] = "iop.settings"

SCHOOLS = 20
LEVELS = 10  # one class per year level 1–10 in each school
STAFF_ROLES = ["kontaktlaerer"] * 10 + ["faglaerer"] * 30 + ["koordinator", "rektor", "ppt", "ppt"] + ["vikar"] * 6


@functools.cache
def fodselsnumre(born: datetime.date) -> list[str]:
    """The valid fødselsnumre of a child born BORN (2000–2039: individual numbers 500–999), in order."""
    from stdnum.no import fodselsnummer

    numbers = []
    for individual in range(500, 1000):
        base = f"{born:%d%m%y}{individual:03d}"
        first = fodselsnummer.calc_check_digit1(base)
        number = base + first + fodselsnummer.calc_check_digit2(base + first)
        if fodselsnummer.is_valid(number):
            numbers.append(number)
    return numbers


def admin_sql(statement: str) -> None:
    import psycopg

    url = os.environ["DATABASE_URL"]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(statement)


def csv_files(pupils: int, guardians: int, staff: int, changed: bool = False) -> dict[str, str]:
    """The roster as the five CSV files; CHANGED: 1 % of the pupils renamed,
    1 % of the guardianships gone."""
    out = {name: io.StringIO() for name in ("schools", "groups", "pupils", "guardians", "staff")}
    out["schools"].write("school_id,school_name,school_kind,owner_id,owner_name\n")
    out["groups"].write("group_id,school_id,group_name,year_level,school_year,year_start,year_end\n")
    for s in range(SCHOOLS):
        out["schools"].write(f"S{s},Skole {s},barne_ungdom,K1,Benchkommune\n")
        for level in range(1, LEVELS + 1):
            out["groups"].write(f"G{s}-{level},S{s},{level}A,{level},2026/27,2026-08-17,2027-06-18\n")
    out["pupils"].write("pupil_id,school_id,first_name,last_name,birth_date,national_id,groups\n")
    for p in range(pupils):
        s, level = p % SCHOOLS, p // SCHOOLS % LEVELS + 1
        last = f"Etternavn{p}" + ("x" if changed and p % 100 == 0 else "")
        year, month, day = 2026 - 5 - level, 1 + p // 28 % 12, 1 + p % 28
        born = fodselsnumre(datetime.date(year, month, day))
        number = born[p // 336 % len(born)]
        out["pupils"].write(f"P{p},S{s},Fornavn{p},{last},{year}-{month:02d}-{day:02d},{number},G{s}-{level}\n")
    out["guardians"].write("guardian_id,email,full_name,pupil_id,relation,parental_responsibility\n")
    for g in range(guardians):
        if changed and g % 100 == 1:
            continue
        out["guardians"].write(f"F{g},foresatt{g}@bench.example,Foresatt {g},P{g % pupils},other,ja\n")
    out["staff"].write("staff_id,email,full_name,school_id,role,groups,subject\n")
    for t in range(staff):
        s, role = t % SCHOOLS, STAFF_ROLES[t // SCHOOLS % len(STAFF_ROLES)]
        n = t // SCHOOLS
        groups = f"G{s}-{n % LEVELS + 1}" if role == "kontaktlaerer" else ""
        subject = ""
        if role == "faglaerer":
            groups, subject = f"G{s}-{n % LEVELS + 1} G{s}-{(n + 1) % LEVELS + 1}", f"Fag {n}"
        out["staff"].write(f"T{t},ansatt{t}@bench.example,Ansatt {t},S{s},{role},{groups},{subject}\n")
    return {f"{name}.csv": buf.getvalue() for name, buf in out.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pupils", type=int, default=10_000)
    parser.add_argument("--guardians", type=int, default=15_000)
    parser.add_argument("--staff", type=int, default=1_000)
    parser.add_argument("--keep", action="store_true", help="keep the database")
    args = parser.parse_args()
    name = os.environ["DATABASE_URL"].rsplit("/", 1)[1]
    admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin_sql(f'CREATE DATABASE "{name}"')
    try:
        import django

        django.setup()
        import time_machine
        from django.core.management import call_command

        from students import roster_import

        call_command("migrate", verbosity=0)
        files = csv_files(args.pupils, args.guardians, args.staff)
        size = sum(len(t) for t in files.values()) / 1e6
        print(f"load average {os.getloadavg()[0]:.2f}; {args.pupils:,} pupils, {args.guardians:,} guardians, "
              f"{args.staff:,} staff ({size:.1f} MB of CSV)")  # fmt: skip
        # Mid-autumn of the files' school year: every enrolment is current.
        with time_machine.travel("2026-10-05T10:00:00+02:00", tick=True):

            def timed(label: str, files: dict[str, str], apply: bool) -> roster_import.Result:
                began = time.perf_counter()
                result = roster_import.run(roster_import.read("csv", files), apply=apply)
                seconds = time.perf_counter() - began
                counts = {op: sum(c[op] for c in result.summary.values()) for op in ("created", "changed", "ended")}
                print(f"{label:<44} {seconds:7.1f} s   {counts}, rejected {len(result.rejected)}", flush=True)
                return result

            timed("dry run of the first import", files, apply=False)
            timed("first import (target <= 60 s)", files, apply=True)
            timed("unchanged re-run (target <= 10 s)", files, apply=True)
            changed = csv_files(args.pupils, args.guardians, args.staff, changed=True)
            timed("re-run, 1 % renamed and 1 % guardianships gone", changed, apply=True)
    finally:
        if not args.keep:
            from django.db import connections

            connections.close_all()
            admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
