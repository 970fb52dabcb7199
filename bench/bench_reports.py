"""How fast are the reports?

1. A typical årsrapport (10 goals, 40 log entries, 3 subjects): the time of
   our whole render (queries, template, WeasyPrint) against raw WeasyPrint
   rendering the same finished HTML with the same options – our overhead
   ratio (goal ≤ 1.3×). Both as a draft and as the archive PDF/A.
2. A school batch ("drafts for every pupil with an active IOP", each
   rendered) through a real Celery worker with 2 worker processes against
   Redis. 500 pupils take long; by default a smaller batch is measured and
   the 500-report time extrapolated from its throughput (the output says so).

    .venv/bin/python bench/bench_reports.py
    BENCH_BATCH=500 .venv/bin/python bench/bench_reports.py      # measure all 500
    BENCH_DATABASE_URL=postgres://... BENCH_BROKER=redis://... .venv/bin/python bench/bench_reports.py
"""

from __future__ import annotations

import datetime
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
MEDIA = Path(tempfile.mkdtemp(prefix="bench-reports-"))
BROKER = os.environ.get("BENCH_BROKER", "redis://127.0.0.1:6379/13")
os.environ["IOP_ENV"] = "test"
os.environ["DATABASE_URL"] = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/iop_bench_reports"
)
os.environ["DJANGO_SETTINGS_MODULE"] = "iop.settings"
os.environ["CELERY_BROKER_URL"] = BROKER
os.environ["MEDIA_ROOT"] = str(MEDIA)
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

PUPILS = 500
BATCH = int(os.environ.get("BENCH_BATCH", "40"))
SUBJECTS = (("Norsk", 76, 4), ("Matematikk", 57, 3), ("Engelsk", 38, 3))  # 10 goals
LOGS_PER_GOAL = 4  # 40 log entries
SCHOOL = "Benkeby skole (bench)"


def ensure_database() -> None:
    import psycopg

    url = os.environ["DATABASE_URL"]
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def populate() -> None:
    from django.utils import timezone

    from iop.models import (
        Enkeltvedtak,
        EnkeltvedtakSubject,
        Goal,
        GoalLog,
        Iop,
        IopSubject,
        SakkyndigVurdering,
        TeachingLog,
    )
    from students.models import Group, Pupil, School, SchoolYear, Skoleeier, StaffMembership, User

    if School.objects.filter(name=SCHOOL).exists():
        return
    print(f"Creating {PUPILS} pupils with a typical IOP (once) …", flush=True)
    today = timezone.localdate()
    owner = Skoleeier.objects.create(name="Benkeby kommune", kind=Skoleeier.Kind.KOMMUNE)
    school = School.objects.create(skoleeier=owner, name=SCHOOL, kind=School.Kind.BARNE_UNGDOM)
    start = today - datetime.timedelta(days=200)
    year = SchoolYear.objects.create(school=school, name="bench", start=start, end=start + datetime.timedelta(days=300))
    group = Group.objects.create(school_year=year, name="5A", year_level=5)
    coordinator = User.objects.create_user("koordinator@bench.example", "x" * 12, full_name="Kari Koordinator")
    StaffMembership.objects.create(user=coordinator, school=school, role=StaffMembership.Role.KOORDINATOR)
    for n in range(PUPILS):
        pupil = Pupil.objects.create(
            school=school, first_name=f"Åse{n}", last_name=f"Ødegård{n}", birth_date=datetime.date(2015, 3, 1)
        )
        pupil.enrolments.create(group=group)
        sv = SakkyndigVurdering.objects.create(
            pupil=pupil,
            status="completed",
            assessed_on=start,
            valid_from=start,
            valid_to=year.end,
            completed_at=timezone.now(),
        )
        vedtak = Enkeltvedtak.objects.create(
            pupil=pupil, vurdering=sv, status="made", valid_from=start, valid_to=year.end, made_on=start
        )
        iop = Iop.objects.create(
            pupil=pupil,
            vedtak=vedtak,
            school_year=year,
            status="published",
            period_start=year.start,
            period_end=year.end,
            published_at=timezone.now(),
        )
        for order, (subject, hours, goals) in enumerate(SUBJECTS):
            EnkeltvedtakSubject.objects.create(vedtak=vedtak, subject=subject, hours=hours)
            section = IopSubject.objects.create(
                iop=iop, subject=subject, hours=hours, order=order, organisation="Liten gruppe, to økter i uka"
            )
            TeachingLog.objects.bulk_create(
                TeachingLog(
                    section=section,
                    period_start=start + datetime.timedelta(days=7 * w),
                    period_end=start + datetime.timedelta(days=7 * w + 4),
                    hours=Decimal("2.0"),
                )
                for w in range(20)
            )
            for g in range(goals):
                criteria = {
                    f"{axis}_{level}": f"Eleven {word} {subject.lower()} på nivå {level} ({axis})."
                    for axis in ("quality", "independence")
                    for level, word in ((1, "prøver"), (2, "bruker delvis"), (3, "bruker"), (4, "bruker sikkert"))
                }
                goal = Goal.objects.create(
                    iop=iop,
                    section=section,
                    text=f"{subject}: læringsmål {g + 1} – leser og skriver",
                    order=g,
                    competence_aim="KM1234",
                    **criteria,
                )
                GoalLog.objects.bulk_create(
                    GoalLog(
                        goal=goal,
                        date=start + datetime.timedelta(days=14 + 30 * s),
                        quality=min(1 + s, 4),
                        independence=min(1 + s // 2, 4),
                        feed_forward="Neste steg: les høyt for en medelev." if s == LOGS_PER_GOAL - 1 else "",
                    )
                    for s in range(LOGS_PER_GOAL)
                )


def typical_render() -> None:
    from iop.models import Iop
    from iop.reports import rendering, services
    from iop.reports.models import Report
    from students.models import User

    coordinator = User.objects.get(email="koordinator@bench.example")
    iop = Iop.objects.filter(pupil__school__name=SCHOOL).order_by("pupil__last_name").first()
    assert iop is not None
    Report.objects.filter(iop=iop).delete()
    report = services.report_create(actor=coordinator, iop=iop)
    Report.objects.filter(pk=report.pk).update(summary="Et år med god framgang.")
    report = Report.objects.select_related("pupil__school", "iop__school_year", "iop__vedtak").get(pk=report.pk)
    services.render_report(report)  # warm up fonts and templates
    for archive in (False, True):
        ours, raw = [], []
        html = ""
        for _n in range(5):
            t0 = time.perf_counter()
            rendered = services.render_report(report, archive=archive)
            ours.append(time.perf_counter() - t0)
            html = rendered.html
        options = {"archive": archive, "identifier": str(report.pk)}
        for _n in range(5):
            t0 = time.perf_counter()
            rendering.html_to_pdf(html, **options)  # type: ignore[arg-type]
            raw.append(time.perf_counter() - t0)
        o, r = statistics.median(ours), statistics.median(raw)
        kind = "archive PDF/A-3b" if archive else "draft"
        print(
            f"Typical årsrapport ({kind}; 10 goals, 40 log entries, 3 subjects, {len(rendered.pdf) // 1024} KiB): "
            f"ours {o * 1000:.0f} ms, raw WeasyPrint {r * 1000:.0f} ms on the same HTML → overhead {o / r:.2f}×"
        )
    Report.objects.filter(pk=report.pk).delete()


def batch() -> None:
    from iop.celery import app
    from iop.reports import selectors, services
    from iop.reports.models import Report, ReportBatch
    from students.models import School, User

    school = School.objects.get(name=SCHOOL)
    year = school.school_years.get()
    coordinator = User.objects.get(email="koordinator@bench.example")
    Report.objects.filter(pupil__school=school).delete()
    from iop.models import Iop

    keep = list(
        Iop.objects.filter(pupil__school=school).order_by("pupil__last_name").values_list("pk", flat=True)[:BATCH]
    )
    Iop.objects.filter(pupil__school=school).exclude(pk__in=keep).update(status="archived")
    queue = QUEUE
    app.conf.update(task_always_eager=False, broker_url=BROKER, task_default_queue=queue)
    env = {**os.environ, "DB_CONN_MAX_AGE": "60"}
    worker = subprocess.Popen(  # noqa: S603
        [
            str(Path(sys.executable).parent / "celery"),
            "-A",
            "iop",
            "worker",
            "--concurrency=2",
            "-Q",
            queue,
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "-l",
            "WARNING",
            "-n",
            f"{queue}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        time.sleep(4)  # let the worker start before the clock starts
        t0 = time.perf_counter()
        job = services.batch_start(actor=coordinator, school=school, school_year=year, job=ReportBatch.Job.DRAFTS)
        while True:
            job.refresh_from_db()
            if job.is_done:
                break
            if time.perf_counter() - t0 > 3600:
                raise SystemExit("batch did not finish within an hour")
            time.sleep(0.2)
        elapsed = time.perf_counter() - t0
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        Iop.objects.filter(pupil__school=school, status="archived").update(status="published")
    progress = selectors.batch_progress(job, with_items=False)
    per = elapsed / max(progress.total, 1)
    print(
        f"Batch of {progress.total} pupils (draft made and rendered for each), 2 worker processes: "
        f"{elapsed:.1f} s ({per * 1000:.0f} ms per report, {progress.done} done, {len(progress.failed)} failed)"
    )
    if progress.total >= PUPILS:
        print(f"500-report batch, measured: {elapsed:.0f} s")
    else:
        print(
            f"500-report batch, EXTRAPOLATED from the {progress.total}-pupil batch above: "
            f"≈ {per * PUPILS:.0f} s ({per * PUPILS / 60:.1f} min). Run with BENCH_BATCH=500 to measure it."
        )


#: Every task this run sends (the batch's, and those the roster's signals send
#: while the data is made) goes to this queue, which is emptied at the end.
QUEUE = f"bench-reports-{uuid.uuid4().hex[:6]}"


def main() -> None:
    ensure_database()
    django.setup()
    from django.core.management import call_command

    from iop.celery import app

    app.conf.update(task_always_eager=False, broker_url=BROKER, task_default_queue=QUEUE)
    try:
        call_command("migrate", verbosity=0)
        populate()
        typical_render()
        batch()
    finally:
        with app.connection_for_write() as conn:
            left = conn.default_channel.queue_purge(QUEUE) or 0
        print(f"Tasks left on the bench's queue, now removed: {left}")


if __name__ == "__main__":
    main()
