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
