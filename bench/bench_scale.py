"""A municipality of 10,000 pupils: how fast are the coordinator's pages and
the contact teacher's pupil list?

Creates (once) in a scratch PostgreSQL database (``BENCH_DATABASE_URL``,
default ``iop_bench_scale``) a kommune with 20 schools of 500 pupils each
(20 classes of 25 with their contact teacher, a coordinator per school, a
guardian per pupil); 1,000 of the pupils (50 a school) have an expert
assessment, a made vedtak and a published IOP with two goals, and the goals
hold 100,000 goal logs spread over two school years. Then requests each page
in this process through Django's test client (``DEBUG`` off, production
middleware, a real session), ``--repeat`` times after a warm-up, and prints
p50/p95 in milliseconds and the number of SQL queries of one request, with
the targets (the contact teacher's pupil list: its queries p95 ≤ 10 ms;
every page p95 ≤ 200 ms). Figures only, no pass/fail; the load average is printed
with them, since other programs on the machine slow every page alike.

    .venv/bin/python bench/bench_scale.py                  # generate once, then measure
    .venv/bin/python bench/bench_scale.py --repeat 50
    .venv/bin/python bench/bench_scale.py --drop           # drop the scratch database afterwards
"""

from __future__ import annotations

import argparse
import datetime
import logging
import os
import statistics
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["IOP_ENV"] = "test"
os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/iop_bench_scale")
os.environ["DJANGO_SETTINGS_MODULE"] = "iop.settings"

import django  # noqa: E402

SCHOOLS = 20
CLASSES_PER_SCHOOL = 20
PUPILS_PER_CLASS = 25  # 20 × 20 × 25 = 10,000 pupils
WITH_IOP_PER_SCHOOL = 50  # 1,000 pupils with a vedtak and an IOP
GOALS_PER_IOP = 2
LOGS_PER_GOAL = 50  # 1,000 × 2 × 50 = 100,000 goal logs

CONTACT_TEACHER_P95_MS = 10
COORDINATOR_P95_MS = 200


def admin_connection():  # type: ignore[no-untyped-def]
    import psycopg

    return psycopg.connect(os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/postgres", autocommit=True)


def ensure_database() -> None:
    name = os.environ["DATABASE_URL"].rsplit("/", 1)[1]
    with admin_connection() as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def drop_database() -> None:
    from django.db import connections

    connections.close_all()
    name = os.environ["DATABASE_URL"].rsplit("/", 1)[1]
    with admin_connection() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    print(f"dropped {name}")


def generate() -> None:
    """The kommune, once (a second run finds it and measures at once)."""
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction
    from django.utils import timezone

    from iop.models import GoalLog
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
    from tests.iop.factories import chain

    total = SCHOOLS * CLASSES_PER_SCHOOL * PUPILS_PER_CLASS
    if Pupil.objects.count() >= total:
        return
    print(f"generating {total:,} pupils in {SCHOOLS} schools (once) …", flush=True)
    started = time.perf_counter()
    today = timezone.localdate()
    first = today.year if today.month >= 8 else today.year - 1
    password = make_password("bench-only-password")
    owner = Skoleeier.objects.create(name="Skalakommune", kind="kommune")
    for s in range(SCHOOLS):
        with transaction.atomic():
            school = School.objects.create(skoleeier=owner, name=f"Skalaskole {s:02d}", kind="barne_ungdom")
            last_year, this_year = (
                SchoolYear.objects.create(
                    school=school,
                    name=f"{y}/{str(y + 1)[-2:]}",
                    start=datetime.date(y, 8, 17),
                    end=datetime.date(y + 1, 6, 19),
                )
                for y in (first - 1, first)
            )
            coordinator = User.objects.create(
                email=f"k{s}@scale.example", full_name=f"Koordinator {s}", password=password
            )
            StaffMembership.objects.create(user=coordinator, school=school, role="koordinator")
            groups = Group.objects.bulk_create(
                [
                    Group(school_year=this_year, name=f"{c % 10 + 1}{'ABCDEFGH'[c // 10]}", year_level=c % 10 + 1)
                    for c in range(CLASSES_PER_SCHOOL)
                ]
            )
            teachers = User.objects.bulk_create(
                [
                    User(email=f"t{s}-{c}@scale.example", full_name=f"Lærer {s}-{c}", password=password)
                    for c in range(CLASSES_PER_SCHOOL)
                ]
            )
            StaffMembership.objects.bulk_create(
                [StaffMembership(user=t, school=school, role="kontaktlaerer") for t in teachers]
            )
            TeachingAssignment.objects.bulk_create(
                [
                    TeachingAssignment(user=t, group=g, role="kontaktlaerer")
                    for t, g in zip(teachers, groups, strict=True)
                ]
            )
            pupils = Pupil.objects.bulk_create(
                [
                    Pupil(
                        school=school,
                        first_name=f"Elev{i}",
                        last_name=f"Skala{s:02d}-{i:03d}",
                        birth_date=datetime.date(2014, 1, 1) + datetime.timedelta(days=i),
                    )
                    for i in range(CLASSES_PER_SCHOOL * PUPILS_PER_CLASS)
                ]
            )
            Enrolment.objects.bulk_create(
                [Enrolment(pupil=p, group=groups[i // PUPILS_PER_CLASS]) for i, p in enumerate(pupils)]
            )
            parents = User.objects.bulk_create(
                [
                    User(email=f"f{s}-{i}@scale.example", full_name=f"Foresatt {i}", password=password)
                    for i in range(len(pupils))
                ]
            )
            GuardianLink.objects.bulk_create(
                [GuardianLink(user=u, pupil=p) for u, p in zip(parents, pupils, strict=True)]
            )
            # Every tenth pupil of the first 500 has the whole chain; its goals have logs over two years.
            logs: list[GoalLog] = []
            for pupil in pupils[: WITH_IOP_PER_SCHOOL * 10 : 10]:
                made = chain(
                    pupil, author=coordinator, goals=GOALS_PER_IOP, subjects=(("Matematikk", 76), ("Norsk", 38))
                )
                for goal in made.goals:
                    logs += [
                        GoalLog(
                            goal=goal,
                            date=last_year.start + datetime.timedelta(days=(n * 14) % 700),
                            author=coordinator,
                            quality=n % 4 + 1,
                            independence=(n + 1) % 4 + 1,
                            note=f"Logg {n}",
                        )
                        for n in range(LOGS_PER_GOAL)
                    ]
            GoalLog.objects.bulk_create(logs, batch_size=2000)
        print(f"  school {s + 1}/{SCHOOLS} ({time.perf_counter() - started:.0f} s)", end="\r", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"\n  done in {time.perf_counter() - started:.0f} s", flush=True)


def measure(client, url: str, repeat: int) -> tuple[float, float, int]:  # type: ignore[no-untyped-def]
    """(p50, p95 in ms, queries of one request) of REPEAT GETs of URL after a warm-up."""
    from django.db import connection

    for _ in range(3):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    queries: list[str] = []

    def count(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        client.get(url)
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[max(0, int(len(times) * 0.95) - 1)], len(queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--drop", action="store_true", help="drop the scratch database afterwards")
    args = parser.parse_args()
    ensure_database()
    django.setup()
    from iop.memory import settle

    settle()  # as iop/wsgi.py does in a server's worker
    from django.conf import settings
    from django.core.management import call_command

    logging.getLogger("iop").setLevel(logging.WARNING)
    call_command("migrate", verbosity=0)
    generate()

    from django.test import Client
    from django.urls import reverse

    from iop.models import Iop
    from students.models import Pupil, School, User

    settings.DEBUG = False
    logging.getLogger("iop").setLevel(logging.WARNING)  # no line per request or task
    warnings.filterwarnings("ignore", message="No directory at")  # static files are not served here
    settings.ALLOWED_HOSTS = ["*"]
    school = School.objects.get(name="Skalaskole 07")
    pupil = Iop.objects.filter(pupil__school=school).select_related("pupil").first()
    assert pupil is not None
    teacher = User.objects.get(email="t7-3@scale.example")
    coordinator = User.objects.get(email="k7@scale.example")
    print(f"pupils: {Pupil.objects.count():,}   load average: {os.getloadavg()[0]:.2f}")
    print(f"{'page':<52} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8} {'target p95':>11}")
    pages = [
        (teacher, "contact teacher: pupil list page (25 pupils)", reverse("pupil_list"), COORDINATOR_P95_MS),
        (coordinator, "coordinator: home", reverse("home"), COORDINATOR_P95_MS),
        (coordinator, "coordinator: pupil list (500 pupils)", reverse("pupil_list"), COORDINATOR_P95_MS),
        (coordinator, "coordinator: pupil page", reverse("pupil_detail", args=[pupil.pupil_id]), COORDINATOR_P95_MS),
        (coordinator, "coordinator: clear-line overview", reverse("iop:overview"), COORDINATOR_P95_MS),
        (coordinator, "coordinator: deadline dashboard", reverse("followup:dashboard"), COORDINATOR_P95_MS),
        (coordinator, "coordinator: pupils in the chain", reverse("followup:pipeline"), COORDINATOR_P95_MS),
        (coordinator, "coordinator: key figures", reverse("kpi:key_figures"), COORDINATOR_P95_MS),
        (
            coordinator,
            "coordinator: tilsyn check of the school",
            reverse("followup:tilsyn_school", args=[school.pk]),
            COORDINATOR_P95_MS,
        ),
        (coordinator, "coordinator: IUP list", reverse("iop:iup_list"), COORDINATOR_P95_MS),
    ]
    # The list's queries alone (the access layer's "pupils this user may see": count and first page),
    # as bench/bench_access.py measures them at 100,000 pupils.
    from students import access, selectors

    def pupil_list_queries() -> None:
        access.forget(teacher)
        listed = selectors.pupil_list(teacher)
        listed.count()
        list(listed[:50])

    pupil_list_queries()
    times = []
    for _ in range(args.repeat * 3):
        started = time.perf_counter()
        pupil_list_queries()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    p95 = times[max(0, int(len(times) * 0.95) - 1)]
    mark = "ok" if p95 <= CONTACT_TEACHER_P95_MS else "over"
    label = "contact teacher: pupil list, its queries only"
    print(f"{label:<52} {statistics.median(times):8.1f} {p95:8.1f} {2:8d} {CONTACT_TEACHER_P95_MS:>7d} {mark}")
    clients: dict[int, Client] = {}
    for user, label, url, target in pages:
        if user.pk not in clients:
            clients[user.pk] = Client()
            clients[user.pk].force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        p50, p95, queries = measure(clients[user.pk], url, args.repeat)
        mark = "ok" if p95 <= target else "over"
        print(f"{label:<52} {p50:8.1f} {p95:8.1f} {queries:8d} {target:>7d} {mark}", flush=True)
    if args.drop:
        drop_database()


if __name__ == "__main__":
    main()
