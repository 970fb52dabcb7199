"""The demo's SQLite: concurrent writers take their turn (eight threads
writing at once, as a double-clicked form or two teachers, wait for the lock
instead of failing with "database is locked"), and the roster import and the
access layer's compiled queries run on it.

Migrating SQLite from nothing costs the better part of a minute, so one
migrated file is kept in the user's cache directory, named after the
migration files, Django's and SQLite's versions (any change makes a new one),
as the PostgreSQL template is kept in the server (tests/template_db.py). The
first worker that finds none makes it while the others wait on a file lock;
each test works on a copy.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.template_db import _schema_key

ROOT = Path(__file__).resolve().parents[1]


def _demo_env(var_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "DJANGO"))}
    env.update(IOP_ENV="demo", IOP_VAR_DIR=str(var_dir), DJANGO_SETTINGS_MODULE="iop.settings")
    return env


def _cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``$XDG_CACHE_HOME/iop-tests`` (``~/.cache/iop-tests``), or the run's own
    temporary directory where that cannot be written."""
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "iop-tests"
    try:
        cache.mkdir(parents=True, exist_ok=True)
        probe = cache / f".probe-{os.getpid()}"
        probe.touch()
        probe.unlink()
    except OSError:
        return tmp_path_factory.getbasetemp().parent
    return cache


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's database file with every migration applied, shared by the run's workers and kept between runs."""
    shared = _cache_dir(tmp_path_factory)
    key = f"{_schema_key()}-{sqlite3.sqlite_version}"
    var_dir = shared / f"sqlite-demo-{key}"
    with open(shared / "sqlite-demo.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (var_dir / "done").exists():
            building = shared / f"sqlite-demo-{key}.building"
            shutil.rmtree(building, ignore_errors=True)
            shutil.rmtree(var_dir, ignore_errors=True)
            building.mkdir()
            migrate = [sys.executable, "manage.py", "migrate", "-v0"]
            subprocess.run(migrate, cwd=ROOT, env=_demo_env(building), check=True, timeout=600)  # noqa: S603
            (building / "done").touch()
            building.rename(var_dir)
            for old in shared.glob("sqlite-demo-*"):  # files of earlier migrations
                if old.is_dir() and old != var_dir:
                    shutil.rmtree(old, ignore_errors=True)
    return var_dir / "iop.sqlite3"


@pytest.fixture
def demo_var_dir(tmp_path: Path, migrated_sqlite: Path) -> Path:
    """A var directory holding a copy of the migrated demo database."""
    shutil.copyfile(migrated_sqlite, tmp_path / "iop.sqlite3")
    return tmp_path


RACE = """
import threading
import django
django.setup()
from django.core.management import call_command
call_command("migrate", "students", verbosity=0)
from django.db import connection, transaction
from students.models import Skoleeier
errors = []
def work(i):
    try:
        for j in range(20):
            with transaction.atomic():
                n = Skoleeier.objects.count()
                Skoleeier.objects.create(name=f"K{i}-{j}-{n}")
    except Exception as exc:
        errors.append(repr(exc))
    finally:
        connection.close()
threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(Skoleeier.objects.count(), len(errors), errors[:1])
"""


def test_concurrent_writers_wait_for_the_lock(tmp_path: Path) -> None:
    env = _demo_env(tmp_path)
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", RACE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=True
    )
    assert done.stdout.split()[:2] == ["160", "0"], done.stdout


IMPORT = """
import sys
from pathlib import Path
import django
django.setup()
from django.core.management import call_command
from students.models import Pupil, RosterImport, User
from students.roster_import import service
files = {p.name: p.read_text(encoding="utf-8") for p in sorted(Path(sys.argv[1]).iterdir())}
operator = User.objects.create_user(email="operator@demo.example", password="x", is_superuser=True, is_staff=True)
record = service.create(fmt="csv", files=files, actor=operator)
planned = service.plan(record.pk)
assert service.claim_apply(planned, actor=operator)
applied = service.apply(record.pk)
applied.refresh_from_db()
print(applied.status, applied.progress_done == applied.progress_total > 0, Pupil.objects.count())
"""


def test_a_roster_import_runs_on_the_demo_database(demo_var_dir: Path) -> None:
    """Dry run and apply of the sample CSV on SQLite: progress is written with
    the import's UUID (SQLite's driver takes no UUID parameters)."""
    env = _demo_env(demo_var_dir)
    sample = ROOT / "tests" / "students" / "roster" / "csv"
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", IMPORT, str(sample)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    status, progressed, pupils = done.stdout.split()[-3:]
    assert (status, progressed) == ("applied", "True"), done.stdout
    assert int(pupils) > 0


ACCESS = """
import datetime
import django
django.setup()
from django.http import Http404
from django.utils import timezone
from students import access
from students.models import Enrolment, Group, Pupil, School, SchoolYear, Skoleeier, StaffMembership
from students.models import TeachingAssignment, User
owner = Skoleeier.objects.create(name="K", kind=Skoleeier.Kind.KOMMUNE)
school = School.objects.create(skoleeier=owner, name="S", kind=School.Kind.BARNE_UNGDOM)
today = timezone.localdate()
day = datetime.timedelta(days=1)
year = SchoolYear.objects.create(school=school, name="Y", start=today - 30 * day, end=today + 200 * day)
group = Group.objects.create(school_year=year, name="5A", year_level=5)
pupil = Pupil.objects.create(school=school, first_name="A", last_name="B", birth_date=datetime.date(2016, 1, 1))
Enrolment.objects.create(pupil=pupil, group=group)
teacher, former, current = (User.objects.create_user(email=f"{n}@demo.example", password="x") for n in ("t", "f", "c"))
StaffMembership.objects.create(user=teacher, school=school, role=StaffMembership.Role.KONTAKTLAERER)
TeachingAssignment.objects.create(user=teacher, group=group, role=TeachingAssignment.Role.KONTAKTLAERER)
for user, days in ((former, -1), (current, 1)):
    StaffMembership.objects.create(user=user, school=school, role=StaffMembership.Role.VIKAR)
    until = timezone.now() + days * day
    access.grant_pupil_access(pupil=pupil, user=user, granted_by=teacher, expires_at=until)
def sees(user):
    try:
        return access.get_pupil(user, str(pupil.pk)).pk == pupil.pk
    except Http404:
        return False
def listed(user):
    return Pupil.objects.filter(pk__in=access.pupil_ids(user)).exists()
print(sees(teacher), sees(current), sees(former), listed(teacher), listed(current), listed(former))
"""


def test_the_access_layer_answers_on_the_demo_database(demo_var_dir: Path) -> None:
    """The access layer's compiled pupil queries (one pupil; the list of
    visible pupils) run on SQLite (keys and moments are text there): the
    teacher and a current grant see the pupil, an expired grant does not."""
    env = _demo_env(demo_var_dir)
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", ACCESS], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.split()[-6:] == ["True", "True", "False"] * 2, done.stdout
