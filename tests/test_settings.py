"""Settings read the environment and fail loudly on bad values."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GOOD_KEY = "k" * 60


def load(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "IOP_", "SECRET_KEY", "DJANGO"))}
    clean.update(env)
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='iop.settings'; django.setup();"
        "from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.LANGUAGE_CODE, s.TIME_ZONE, s.DEBUG)"
    )
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True)  # noqa: S603


def load_values(env: dict[str, str], names: list[str]) -> list[object]:
    """The values of settings NAMES when the settings load in a process with ENV."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "IOP_", "SECRET_KEY", "DJANGO"))}
    code = (
        "import json, django, os, sys; os.environ['DJANGO_SETTINGS_MODULE']='iop.settings'; django.setup();"
        "from django.conf import settings as s;"
        "print(json.dumps([getattr(s, n) for n in sys.argv[1:]]))"
    )
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code, *names], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, check=True
    )
    return list(json.loads(done.stdout.strip().splitlines()[-1]))


def test_it_requires_a_secret_key_in_production() -> None:
    result = load({"IOP_ENV": "production", "DATABASE_URL": "postgres://u@h/db", "ALLOWED_HOSTS": "x.example"})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"IOP_ENV": "staging"}, "IOP_ENV must be one of"),
        ({"IOP_ENV": "demo", "DEBUG": "maybe"}, "DEBUG must be a boolean"),
        ({"IOP_ENV": "demo", "EMAIL_PORT": "twenty-five"}, "EMAIL_PORT must be an integer"),
        ({"IOP_ENV": "demo", "DATABASE_URL": "nosuchdb://x"}, "DATABASE_URL is not a valid database URL"),
        ({"IOP_ENV": "production", "SECRET_KEY": "short", "DATABASE_URL": "postgres://u@h/db"}, "at least 50"),
        ({"IOP_ENV": "production", "SECRET_KEY": GOOD_KEY, "DATABASE_URL": "postgres://u@h/db"}, "ALLOWED_HOSTS"),
        ({"IOP_ENV": "production", "SECRET_KEY": GOOD_KEY, "ALLOWED_HOSTS": "x.example"}, "DATABASE_URL must be set"),
        ({"IOP_ENV": "demo", "OIDC_PROVIDERS": "[{"}, "OIDC_PROVIDERS must be a JSON list"),
        ({"IOP_ENV": "demo", "PASSWORD_LOGIN": "perhaps"}, "PASSWORD_LOGIN must be a boolean"),
        (
            {
                "IOP_ENV": "production",
                "SECRET_KEY": GOOD_KEY,
                "ALLOWED_HOSTS": "x.example",
                "DATABASE_URL": "postgres://u@h/db",
                "OIDC_PROVIDERS": '[{"id": "idporten", "name": "ID-porten", "server_url": "https://idporten.no", '
                '"client_id": "c", "secret": "s", "users": "guardians"}]',
            },
            "NATIONAL_ID_HASH_KEY must be set",
        ),
    ],
)
def test_it_fails_loudly_on_bad_values(env: dict[str, str], message: str) -> None:
    result = load(env)
    assert result.returncode != 0
    assert message in result.stderr


def test_it_runs_the_demo_on_sqlite_with_in_process_tasks(tmp_path: Path) -> None:
    result = load({"IOP_ENV": "demo", "IOP_VAR_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.sqlite3", "True", "nb", "Europe/Oslo", "False"]
    assert (tmp_path / "secret_key").exists()


def test_it_uses_the_broker_when_configured() -> None:
    result = load(
        {
            "IOP_ENV": "production",
            "SECRET_KEY": GOOD_KEY,
            "ALLOWED_HOSTS": "x.example",
            "DATABASE_URL": "postgres://u@h/db",
            "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
        }
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.postgresql", "False", "nb", "Europe/Oslo", "False"]


def test_it_passes_the_deployment_checks_in_production() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "IOP_", "SECRET_KEY", "DJANGO"))}
    env.update(
        {
            "IOP_ENV": "production",
            "SECRET_KEY": "p8-Zq" + GOOD_KEY.replace("k", "Xy7#"),
            "ALLOWED_HOSTS": "iop.example.org",
            "SITE_URL": "https://iop.example.org",
            "DATABASE_URL": "postgres://u@127.0.0.1/db",
            "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
            "DJANGO_SETTINGS_MODULE": "iop.settings",
        }
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_celery_workers_are_recycled_past_a_memory_ceiling() -> None:
    """A worker that rendered a long PDF gives its memory back: Celery replaces
    a child process past the ceiling (and after a number of tasks)."""
    from django.conf import settings

    from iop.celery import app

    assert app.conf.worker_max_memory_per_child == settings.CELERY_WORKER_MAX_MEMORY_PER_CHILD > 0
    assert app.conf.worker_max_tasks_per_child == settings.CELERY_WORKER_MAX_TASKS_PER_CHILD > 0
