"""``/helse/`` tells the truth: 200 only while the database answers a real
query, 503 when it does not; the broker's state is reported beside it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_it_answers_ok_while_the_database_answers(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json()["database"] == "ok"
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_it_reports_the_brokers_state_without_failing(client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.CELERY_BROKER_URL = settings.TEST_REDIS_URL
    assert client.get(reverse("healthz")).json() == {"database": "ok", "broker": "ok"}
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "unreachable"}


def test_it_answers_503_when_the_database_is_down() -> None:
    """A real process whose database does not answer (nothing listens on port 1)."""
    code = (
        "from django.test import Client; r = Client().get('/helse/'); print(r.status_code); print(r.content.decode())"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "iop.settings_test",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:1/iop",
        "CELERY_BROKER_URL": settings.TEST_REDIS_URL,
    }
    done = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    status, body = done.stdout.strip().splitlines()[-2:]
    assert status == "503"
    assert json.loads(body) == {"database": "unreachable", "broker": "ok"}
