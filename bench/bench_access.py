"""How fast is the access layer on a large kommune?

Creates (once) 100,000 pupils in 100 schools with groups, teachers and
guardians in a scratch PostgreSQL database, then prints the time of the
queries every page runs: "the pupils USER may see" (first page of the list
plus the count) and resolving one pupil, for each role.

    .venv/bin/python bench/bench_access.py            # uses postgres://postgres@127.0.0.1:5432/iop_bench_access
    BENCH_DATABASE_URL=postgres://... .venv/bin/python bench/bench_access.py
"""

from __future__ import annotations

import datetime
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["IOP_ENV"] = "test"
os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/iop_bench_access")
os.environ["DJANGO_SETTINGS_MODULE"] = "iop.settings"

import django  # noqa: E402

SCHOOLS = 100
GROUPS_PER_SCHOOL = 40
PUPILS_PER_GROUP = 25  # 100 × 40 × 25 = 100,000 pupils


def ensure_database() -> None:
    import psycopg

    url = os.environ["DATABASE_URL"]
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def populate() -> None:
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from students.models import (
        Enrolment,
        Group,
        GuardianLink,
        Pupil,
        School,
        SchoolYear,
        Skoleeier,
        StaffMembership,
        TeachingAssignment,
        User,
    )

    if Pupil.objects.count() >= SCHOOLS * GROUPS_PER_SCHOOL * PUPILS_PER_GROUP:
        return
    print("Creating 100,000 pupils (once) …", flush=True)
    today = timezone.localdate()
    password = make_password("bench-only-password")
    owner = Skoleeier.objects.create(name="Benchkommune", kind="kommune")
    for s in range(SCHOOLS):
        school = School.objects.create(skoleeier=owner, name=f"Skole {s}", kind="barne_ungdom")
        year = SchoolYear.objects.create(
            school=school, name="x", start=today - datetime.timedelta(days=60), end=today + datetime.timedelta(days=250)
        )
        coordinator = User.objects.create(email=f"k{s}@bench.example", full_name="K", password=password)
        StaffMembership.objects.create(user=coordinator, school=school, role="koordinator")
        groups = Group.objects.bulk_create(
            [Group(school_year=year, name=f"G{g}", year_level=g % 10 + 1) for g in range(GROUPS_PER_SCHOOL)]
        )
        teachers = User.objects.bulk_create(
            [User(email=f"t{s}-{g}@bench.example", full_name="T", password=password) for g in range(GROUPS_PER_SCHOOL)]
        )
        StaffMembership.objects.bulk_create(
            [StaffMembership(user=t, school=school, role="kontaktlaerer") for t in teachers]
        )
        TeachingAssignment.objects.bulk_create(
            [TeachingAssignment(user=t, group=g, role="kontaktlaerer") for t, g in zip(teachers, groups, strict=True)]
        )
        pupils = Pupil.objects.bulk_create(
            [
                Pupil(school=school, first_name=f"P{i}", last_name=f"L{i}", birth_date=datetime.date(2015, 1, 1))
                for i in range(GROUPS_PER_SCHOOL * PUPILS_PER_GROUP)
            ]
        )
        Enrolment.objects.bulk_create(
            [Enrolment(pupil=p, group=groups[i // PUPILS_PER_GROUP]) for i, p in enumerate(pupils)]
        )
        parents = User.objects.bulk_create(
            [User(email=f"p{s}-{i}@bench.example", full_name="F", password=password) for i in range(len(pupils))]
        )
        GuardianLink.objects.bulk_create([GuardianLink(user=u, pupil=p) for u, p in zip(parents, pupils, strict=True)])
        print(f"  school {s + 1}/{SCHOOLS}", end="\r", flush=True)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print()


def measure(label: str, fn, repeat: int = 30) -> None:
    fn()  # warm up
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    print(f"{label:<55} median {statistics.median(times):6.2f} ms   p95 {times[int(len(times) * 0.95) - 1]:6.2f} ms")


def main() -> None:
    ensure_database()
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    populate()

    from students import access, selectors
    from students.models import Pupil, User

    print(f"pupils: {Pupil.objects.count():,}")
    personas = {
        "coordinator (1,000 pupils)": User.objects.get(email="k50@bench.example"),
        "contact teacher (25 pupils)": User.objects.get(email="t50-7@bench.example"),
        "guardian (1 child)": User.objects.get(email="p50-500@bench.example"),
    }
    for label, user in personas.items():
        pupil_id = access.pupils_for(user).values_list("pk", flat=True).first()

        def page(user: User = user) -> None:
            access.forget(user)
            qs = selectors.pupil_list(user)
            qs.count()
            list(qs[:50])

        def one(user: User = user, pupil_id: object = pupil_id) -> None:
            access.forget(user)
            access.get_pupil(user, pupil_id)

        measure(f"{label}: pupil list page (count + 50 rows)", page)
        measure(f"{label}: resolve one pupil", one)


if __name__ == "__main__":
    main()
