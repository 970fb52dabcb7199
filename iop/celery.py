"""Celery application.

Without ``CELERY_BROKER_URL`` the settings make tasks run eagerly in-process,
so the demo needs no Redis; production and CI run real workers.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iop.settings")

app = Celery("iop")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
