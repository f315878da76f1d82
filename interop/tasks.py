"""Celery tasks of interop: thin, they take ids and call a module."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="interop.import_job", acks_late=True, ignore_result=True)
def import_job(job_id: str) -> int:
    """Run a large STIX or MISP import started in the browser; the objects or events done."""
    from interop import imports  # cycle: imports enqueues through this module

    return imports.job_run(job_id)
