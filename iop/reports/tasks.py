"""Celery tasks: thin wrappers that take ids and call services.

Enqueued with ``transaction.on_commit`` by :func:`services.batch_start`;
idempotent (a finished item is left alone), so ``acks_late`` redelivery
after a lost worker is harmless.
"""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="reports.run_batch_item", acks_late=True, time_limit=120, soft_time_limit=100)
def run_batch_item(item_id: int) -> str | None:
    item = services.batch_item_run(item_id=item_id)
    return item.status if item is not None else None
