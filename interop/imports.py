"""STIX bundles and MISP events imported in the browser: a job whose progress and report live
in the cache under a random id bound to the member and agency who started it.

A file of fewer than ``INTEROP_IMPORT_ASYNC_MIN_OBJECTS`` objects (or events) is imported
within the request; a larger one by a Celery task. A bundle is imported in chunks of
``INTEROP_IMPORT_CHUNK`` objects, each its own transaction, so the progress is real and a rerun
after a crash reports what is already stored as "already present"; references between chunks
resolve as they do between two imports. MISP events are imported one by one.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError

from agencies.models import Agency
from common.jobs import FAILED, RUNNING, CacheJobs
from common.parsers import parse_json
from interop import misp, tasks
from interop.services import OUTCOMES, bundle_import
from sharing.selectors import managing_agencies

logger = logging.getLogger(__name__)

STIX, MISP = "stix", "misp"
REJECTED, WARNING = "rejected", "warning"

JOBS = CacheJobs("interop:import")


def read_upload(raw: bytes) -> tuple[str, list[Any]]:
    """A file's format and its items: a STIX bundle's (or TAXII envelope's) objects, or MISP
    events; ValidationError naming the ``file`` otherwise."""
    try:
        data = parse_json(raw)
    except ParseError as error:
        raise ValidationError({"file": str(error.detail)}) from None
    if isinstance(data, dict) and isinstance(data.get("objects"), list):
        if not data["objects"]:
            raise ValidationError({"file": _("The bundle holds no objects.")})
        return STIX, data["objects"]
    try:
        events = misp.events_from(data)
    except ValidationError:
        events = []
    if events and all(isinstance(e, dict) and ("Event" in e or "info" in e) for e in events):
        return MISP, events
    raise ValidationError(
        {
            "file": _(
                "Neither a STIX bundle (an object with 'objects') nor MISP events "
                "({'Event': …}, {'response': […]} or a list of events)."
            )
        }
    )


def job_start(*, actor: Any, agency: Agency, kind: str, items: list[Any], name: str) -> str:
    """Store an import and run it now (small) or enqueue it after the commit; the job's id."""
    job_id = JOBS.create(
        user=actor,
        agency=agency,
        fields={
            "kind": kind,
            "name": name[:200],
            "total": len(items),
            "done": 0,
            "errors": 0,
            "counts": dict.fromkeys(OUTCOMES, 0),
        },
        data=items,
    )
    if len(items) < settings.INTEROP_IMPORT_ASYNC_MIN_OBJECTS:
        job_run(job_id)
    else:
        transaction.on_commit(lambda: _enqueue(job_id))
    return job_id


def _enqueue(job_id: str) -> None:
    try:
        tasks.import_job.apply_async((job_id,))
    except Exception:  # broker down: the page says so instead of waiting for ever
        logger.exception("could not enqueue import job %s", job_id)
        _update(job_id, state=FAILED)


_update = JOBS.update


def _rows(report: dict[str, Any], offset: int, event: str = "") -> list[dict[str, Any]]:
    """An import's rejections and warnings as report rows: a bundle's numbered from 1 in the
    file; a MISP event's by the event (its warnings name MISP uuids, not positions)."""
    return [
        {
            "number": offset + row["index"] + 1 if row["index"] is not None and not event else None,
            "id": row["id"] or "",
            "status": status,
            "reason": row["reason"],
            "event": event,
        }
        for status, key in ((REJECTED, "rejected"), (WARNING, "warnings"))
        for row in report[key]
    ]


def job_run(job_id: str) -> int:
    """Run a stored import, updating its progress; the items done."""
    job = JOBS.get(job_id)
    items = JOBS.input(job_id)
    if job is None or items is None or job.get("state") != RUNNING:
        return 0
    counts = dict.fromkeys(OUTCOMES, 0)
    rows: list[dict[str, Any]] = []

    def progress(done: int, report: dict[str, Any], added_rows: list[dict[str, Any]]) -> None:
        for outcome, n in report["counts"].items():
            counts[outcome] += n
        rows.extend(added_rows)
        _update(job_id, done=done, errors=counts["rejected"], counts=dict(counts))

    try:
        actor = get_user_model().objects.get(pk=job["user"], is_active=True)
        agency = managing_agencies(user=actor).get(pk=job["agency"])
        if job["kind"] == STIX:
            size = max(1, settings.INTEROP_IMPORT_CHUNK)
            for start in range(0, len(items), size):
                report = bundle_import(
                    actor=actor,
                    agency=agency,
                    objects=items[start : start + size],
                    source="browser",
                ).as_dict()
                progress(min(start + size, len(items)), report, _rows(report, start))
        else:
            done = 0

            def on_event(event: misp.EventReport) -> None:
                nonlocal done
                done += 1
                report = event.report.as_dict()
                progress(done, report, _rows(report, 0, event.info))

            misp.misp_events_import(
                actor=actor, agency=agency, events=items, source="browser", on_event=on_event
            )
        JOBS.finish(job_id, rows)
        return len(items)
    except ValidationError as error:
        # A MISP event that does not hold together: nothing of the file was written.
        messages = (
            [f"{field}: {'; '.join(texts)}" for field, texts in error.message_dict.items()]
            if hasattr(error, "error_dict")
            else error.messages
        )
        refusals = [
            {"number": None, "id": "", "status": REJECTED, "reason": m, "event": ""}
            for m in messages
        ]
        JOBS.finish(job_id, refusals, done=0, errors=len(messages), refused=True)
        return 0
    except Exception:
        logger.exception("import job %s failed", job_id)
        _update(job_id, state=FAILED)
        return 0


def access_job(*, user: Any, job_id: str) -> dict[str, Any]:
    """The job, to the member who started it while still a member of its agency; for anyone
    else, and for an unknown or expired id, the same 404."""
    return JOBS.access(user=user, job_id=job_id, agencies=managing_agencies(user=user))


job_report = JOBS.report
