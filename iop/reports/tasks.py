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


@shared_task(name="reports.finish_batch", acks_late=True, time_limit=1800, soft_time_limit=1740)
def finish_batch(batch_id: str) -> str | None:
    """Close a batch whose items have all finished; a ZIP batch's archive is
    written here (a large school's reports copied from disk into one file)."""
    batch = services.batch_finish(batch_id=batch_id)
    return batch.status if batch is not None else None


@shared_task(name="reports.make_pdf", acks_late=True, time_limit=600, soft_time_limit=540)
def make_pdf(job_id: str) -> str | None:
    """Render one :class:`~iop.reports.models.PdfJob` (too large for the web)."""
    job = services.pdf_job_run(job_id=job_id)
    return job.status if job is not None else None


@shared_task(name="reports.prune_pdf_jobs")
def prune_pdf_jobs() -> int:
    return services.pdf_jobs_prune()
