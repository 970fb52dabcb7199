"""Background work of the roster app."""

from __future__ import annotations

from celery import shared_task
from django.contrib.sessions.models import Session
from django.utils import timezone


@shared_task(name="students.clear_sessions")
def clear_sessions() -> int:
    """Delete the sessions whose expiry has passed (Django never deletes them
    itself); run nightly by Celery beat. Returns the number deleted."""
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted


@shared_task(name="students.plan_roster_import", time_limit=900, soft_time_limit=870)
def plan_roster_import(import_id: str) -> None:
    """Work out an uploaded roster's dry run (:func:`students.roster_import.service.plan`)."""
    from .roster_import import service

    service.plan(import_id)


@shared_task(name="students.apply_roster_import", time_limit=900, soft_time_limit=870)
def apply_roster_import(import_id: str) -> None:
    """Apply a roster import the operator confirmed (:func:`students.roster_import.service.apply`)."""
    from .roster_import import service

    service.apply(import_id)
