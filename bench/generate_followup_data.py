"""Generate follow-up data at scale on PostgreSQL: schools, pupils and deadlines.

    .venv/bin/python bench/generate_followup_data.py [--pupils 100000] [--deadlines 2000000] [--due 2000]

Uses a scratch database of its own (``BENCH_DATABASE_URL``, default
``postgres://postgres@127.0.0.1:5432/iop_followup_bench``), created and
migrated when needed. Pupils are generated once (200 schools, one class and
one kontaktlærer each) and kept; deadlines are replaced on every run. Of the
deadlines, ``--due`` have a reminder due now; the rest are done (40 %) or have
their next reminder in the coming weeks, as over a real school year.
Everything is made with ``INSERT … SELECT generate_series`` in the database.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/iop_followup_bench"
SCHOOLS = 200


def create_database(url: str) -> None:
    import psycopg

    parts = urllib.parse.urlparse(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


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


def ensure_pupils(count: int) -> None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM students_pupil")
        if cur.fetchone()[0] >= count:
            return
        print(f"generating {SCHOOLS} schools and {count:,} pupils …", flush=True)
        started = time.perf_counter()
        cur.execute("TRUNCATE students_skoleeier, students_school, students_pupil, students_user CASCADE")
        cur.execute(
            "INSERT INTO students_skoleeier (name, kind, country, org_number) "
            "VALUES ('Benchkommune', 'kommune', 'NO', '') RETURNING id"
        )
        owner = cur.fetchone()[0]
        cur.execute(
            """
            INSERT INTO students_school (skoleeier_id, name, kind, language)
            SELECT %s, 'Skole ' || g, 'barne_ungdom', 'nb' FROM generate_series(1, %s) g
            """,
            [owner, SCHOOLS],
        )
        cur.execute(
            """
            INSERT INTO students_schoolyear (school_id, name, start, "end")
            SELECT id, '2026/27', DATE '2026-08-17', DATE '2027-06-18' FROM students_school
            """
        )
        cur.execute(
            """
            INSERT INTO students_group (school_year_id, name, kind, year_level)
            SELECT id, '5A', 'class', 5 FROM students_schoolyear
            """
        )
        cur.execute(
            """
            INSERT INTO students_user (password, email, full_name, is_staff, is_active, is_superuser, date_joined)
            SELECT '!', 'laerer' || s.id || '@bench.example', 'Lærer ' || s.id, false, true, false, now()
            FROM students_school s
            """
        )
        cur.execute(
            """
            INSERT INTO students_staffmembership (user_id, school_id, role, active)
            SELECT u.id, s.id, 'kontaktlaerer', true
            FROM students_school s JOIN students_user u ON u.email = 'laerer' || s.id || '@bench.example'
            """
        )
        cur.execute(
            """
            INSERT INTO students_pupil (id, school_id, first_name, last_name, birth_date, guardians_may_see_as_adult)
            SELECT gen_random_uuid(), s.id, 'Elev', 'Nr ' || g, DATE '2016-01-01', false
            FROM generate_series(1, %s) g
            JOIN students_school s ON s.id = (SELECT min(id) FROM students_school) + (g %% %s)
            """,
            [count, SCHOOLS],
        )
        cur.execute("ANALYZE")
    print(f"  done in {time.perf_counter() - started:.1f} s", flush=True)


def generate_deadlines(total: int, due: int) -> None:
    """Replace all deadlines with TOTAL rows, DUE of them with a reminder due now."""
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("TRUNCATE followup_notification, followup_deadline CASCADE")
        cur.execute(
            """
            WITH pupils AS (
                SELECT p.id, p.school_id, y.id AS year_id, u.id AS teacher_id,
                       row_number() OVER (ORDER BY p.id) AS rn
                FROM students_pupil p
                JOIN students_schoolyear y ON y.school_id = p.school_id
                JOIN students_staffmembership m ON m.school_id = p.school_id AND m.role = 'kontaktlaerer'
                JOIN students_user u ON u.id = m.user_id
            ), n AS (SELECT count(*) AS c FROM pupils)
            INSERT INTO followup_deadline (
                id, key, school_id, school_year_id, title, pupil_id, record_kind, record_id, due,
                responsible_role, responsible_id, reminder_days, state, done_at, done_note, done_automatically,
                next_reminder_at, reminded_through, created_at
            )
            SELECT gen_random_uuid(), 'bench:' || g, p.school_id, p.year_id, 'Plikt ' || (g %% 20), p.id, '', '',
                   CASE WHEN g <= %(due)s THEN CURRENT_DATE + 6 ELSE CURRENT_DATE + (g %% 200) - 60 END,
                   'kontaktlaerer', p.teacher_id, '7,1',
                   CASE WHEN g > %(due)s AND g %% 10 < 4 THEN 'done' ELSE 'open' END,
                   CASE WHEN g > %(due)s AND g %% 10 < 4 THEN now() END,
                   '', false,
                   CASE
                       WHEN g <= %(due)s THEN now() - interval '1 minute'
                       WHEN g %% 10 < 4 THEN NULL
                       ELSE now() + ((g %% 200) + 1) * interval '1 day'
                   END,
                   -- reminded through two days ago: the reminder seven days before
                   -- the due date (yesterday 07:00) is due at any hour of the run
                   now() - interval '2 days', now()
            FROM generate_series(1, %(total)s) g
            JOIN pupils p ON p.rn = (g %% (SELECT c FROM n)) + 1
            """,
            {"total": total, "due": due},
        )
        cur.execute("ANALYZE followup_deadline")
        cur.execute("ANALYZE followup_notification")
    print(f"  {total:,} deadlines ({due:,} due) in {time.perf_counter() - started:.1f} s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pupils", type=int, default=100_000)
    parser.add_argument("--deadlines", type=int, default=2_000_000)
    parser.add_argument("--due", type=int, default=2_000)
    args = parser.parse_args()
    setup_django()
    ensure_pupils(args.pupils)
    generate_deadlines(args.deadlines, args.due)


if __name__ == "__main__":
    main()
