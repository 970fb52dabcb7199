"""Celery tasks of the plan app: thin wrappers that call services."""

from __future__ import annotations

from celery import shared_task

from . import retention


@shared_task(name="iop.apply_retention", acks_late=True, time_limit=1800, soft_time_limit=1700)
def apply_retention() -> dict[str, int]:
    """Prune the access log and thin the edit history by the RETENTION_*
    settings (see :mod:`iop.retention`); idempotent, run nightly by beat."""
    return retention.retention_apply()
