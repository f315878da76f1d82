"""Long work started in the browser (a large paste, a STIX or MISP import): a job whose state,
input and report live in the cache under a random id, bound to the member and the agency who
started it. Each kind of job has its own key prefix; the app runs the work and decides who
still manages the agency."""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import QuerySet
from django.http import Http404, JsonResponse
from django.utils import timezone

RUNNING, DONE, FAILED = "running", "done", "failed"
# Not stored: a running job whose progress has not moved for SHARING_BULK_STALL_MINUTES (its
# worker died, or its message was lost) reads as stopped; its page offers to run it again.
STOPPED = "stopped"
MAX_ID = 64
PROGRESS = ("total", "done", "errors")


class CacheJobs:
    """The jobs of one kind, under ``prefix``; kept ``SHARING_BULK_REPORT_DAYS`` days."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def key(self, job_id: str, part: str = "") -> str:
        return f"{self.prefix}:{job_id}" + (f":{part}" if part else "")

    @staticmethod
    def ttl() -> int:
        return max(1, settings.SHARING_BULK_REPORT_DAYS) * 86400

    def create(self, *, user: Any, agency: Any, fields: dict[str, Any], data: Any = None) -> str:
        """A new job of ``user`` for ``agency`` (running unless ``fields`` say otherwise), with
        its input ``data`` if any; its id."""
        job_id = secrets.token_urlsafe(18)
        now = timezone.now().isoformat()
        job = {"user": user.pk, "agency": agency.pk, "state": RUNNING, "started": now}
        cache.set(self.key(job_id), {**job, "moved": now, **fields}, self.ttl())
        if data is not None:
            cache.set(self.key(job_id, "input"), data, self.ttl())
        return job_id

    def get(self, job_id: str) -> dict[str, Any] | None:
        return cache.get(self.key(job_id)) if len(job_id) <= MAX_ID else None

    def input(self, job_id: str) -> Any:
        return cache.get(self.key(job_id, "input"))

    def update(self, job_id: str, **changes: Any) -> dict[str, Any]:
        """Change the job's fields; any change counts as progress (``moved``)."""
        job = cache.get(self.key(job_id)) or {}
        job.update(changes, moved=timezone.now().isoformat())
        cache.set(self.key(job_id), job, self.ttl())
        return job

    def finish(self, job_id: str, rows: list[dict[str, Any]], **changes: Any) -> None:
        """Store the report, mark the job done and drop its input."""
        cache.set(self.key(job_id, "report"), rows, self.ttl())
        self.update(job_id, state=DONE, finished=timezone.now().isoformat(), **changes)
        cache.delete(self.key(job_id, "input"))

    def report(self, job_id: str) -> list[dict[str, Any]]:
        """The finished job's rows (empty while it runs)."""
        return cache.get(self.key(job_id, "report")) or []

    def access(self, *, user: Any, job_id: str, agencies: QuerySet[Any]) -> dict[str, Any]:
        """The job, to the member who started it while its agency is still among
        ``agencies`` (those the member manages); for anyone else, and for an unknown or
        expired id, the same 404."""
        job = self.get(job_id)
        if (
            job is None
            or job.get("user") != user.pk
            or not agencies.filter(pk=job.get("agency")).exists()
        ):
            raise Http404
        return {"id": job_id, **job}


def job_state(job: dict[str, Any], *, now: datetime.datetime | None = None) -> str:
    """The job's state as its page tells it: a running job that has not moved for
    ``SHARING_BULK_STALL_MINUTES`` is ``STOPPED``."""
    state = str(job.get("state"))
    moved = job.get("moved") or job.get("started")
    if state != RUNNING or not moved:
        return state
    idle = (now or timezone.now()) - datetime.datetime.fromisoformat(moved)
    stall = datetime.timedelta(minutes=max(1, settings.SHARING_BULK_STALL_MINUTES))
    return STOPPED if idle >= stall else RUNNING


def progress_response(job: dict[str, Any], extra: Iterable[str] = ()) -> JsonResponse:
    """What a job's page polls: its state (``STOPPED`` once stalled), how many items in all,
    done and in error, and the ``extra`` fields of its kind; never cached."""
    fields = {key: job.get(key) for key in (*PROGRESS, *extra)}
    response = JsonResponse({"state": job_state(job), **fields})
    response["Cache-Control"] = "no-store"
    return response
