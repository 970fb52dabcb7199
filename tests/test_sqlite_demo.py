"""The demo's SQLite takes concurrent writers in turn: eight threads writing
at once (a double-clicked form, two teachers) wait for the lock instead of
failing with "database is locked"."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
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
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "DJANGO"))}
    env.update(IOP_ENV="demo", IOP_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="iop.settings")
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", RACE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=True
    )
    assert done.stdout.split()[:2] == ["160", "0"], done.stdout
