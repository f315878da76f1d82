"""Bulk paste of indicator lines: parse, ingest with a line-by-line report, and, for a large
paste, a Celery job whose progress and report live in the cache under a random id bound to
the member and agency who started it."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext_lazy

from agencies.models import Agency
from common.jobs import FAILED, RUNNING, STOPPED, CacheJobs, job_state
from sharing import ingest, tasks
from sharing.models import IndicatorType
from sharing.normalize import detect_type, reason
from sharing.selectors import managing_agencies

logger = logging.getLogger(__name__)

ADDED, ALREADY_THERE, INVALID = "added", "already there", "invalid"
# A report row's result in words (the status is stored as its code).
RESULT_WORDS = {
    ADDED: gettext_lazy("Added"),
    ALREADY_THERE: gettext_lazy("Already there"),
    INVALID: gettext_lazy("Not added"),
}

# A row's reason is translated when the report is shown (a worker writes it, its reader reads
# it later, in their own language).
UNKNOWN_TYPE = gettext_lazy("Cannot tell the type; write 'type value'.")
DUPLICATE_LINE = gettext_lazy("Duplicate of line %(line)s.")

# The job's input: gone once done. Progress: kept as long as the report.
JOBS = CacheJobs("sharing:bulk")


def parse_paste(text: str, default_type: str = "") -> tuple[list[dict], list[dict]]:
    """Lines → (items for ingest with their line numbers, per-line errors)."""
    items, errors = [], []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        first, _sep, rest = line.partition(" ")
        type_: str | None
        if first.lower() in IndicatorType.values and rest.strip():
            type_, value = first.lower(), rest.strip()
        else:
            type_, value = default_type or detect_type(line), line
        if not type_:
            errors.append(
                {
                    "line": number,
                    "value": line,
                    "type": "",
                    "status": INVALID,
                    "reason": UNKNOWN_TYPE,
                }
            )
            continue
        items.append({"line": number, "type": type_, "value": value})
    return items, errors


def line_count(text: str) -> int:
    """The lines a paste holds that are neither blank nor comments."""
    return sum(1 for raw in text.splitlines() if raw.strip() and not raw.strip().startswith("#"))


def is_large(text: str) -> bool:
    return line_count(text) >= settings.SHARING_BULK_ASYNC_MIN_LINES


def paste_ingest(
    *, actor: Any, agency: Agency, items: list[dict], defaults: dict[str, Any]
) -> list[dict[str, Any]]:
    """Ingest parsed items in one transaction; one report row per item, in their order."""
    result = ingest.indicators_ingest(
        actor=actor,
        agency=agency,
        items=[{"type": i["type"], "value": i["value"]} for i in items],
        defaults=defaults,
        source="browser",
    )
    bad = {e["index"]: e for e in result.errors}
    rows = []
    for index, item in enumerate(items):
        row: dict[str, Any] = {"line": item["line"], "value": item["value"], "type": item["type"]}
        if index in result.duplicate_of:
            line = items[result.duplicate_of[index]]["line"]
            row.update(status=INVALID, reason=reason(DUPLICATE_LINE, line=line))
        elif index in bad:
            row.update(status=INVALID, reason=bad[index]["reason"])
        else:
            state, indicator = result.items[index]
            row.update(
                status=ADDED if state == "created" else ALREADY_THERE, indicator_id=indicator.pk
            )
        rows.append(row)
    return rows


def job_start(
    *, actor: Any, agency: Agency, values: str, type: str, defaults: dict[str, Any]
) -> str:
    """Store a large paste and enqueue its job after the commit; the job's id."""
    job_id = JOBS.create(
        user=actor,
        agency=agency,
        fields={"total": line_count(values), "done": 0, "errors": 0, "added": 0},
        data={"values": values, "type": type, "defaults": defaults},
    )
    transaction.on_commit(lambda: _enqueue(job_id))
    return job_id


def _enqueue(job_id: str) -> None:
    try:
        tasks.bulk_paste.apply_async((job_id,))
    except Exception:  # broker down: the page says so instead of waiting for ever
        logger.exception("could not enqueue bulk paste job %s", job_id)
        _update(job_id, state=FAILED)


_update = JOBS.update


def job_run(job_id: str) -> int:
    """Run a stored paste chunk by chunk (each chunk its own transaction, so the progress is
    real; a rerun after a crash reports the lines already stored as "already there"), then
    store the report. The lines done."""
    job = JOBS.get(job_id)
    data = JOBS.input(job_id)
    if job is None or data is None or job.get("state") != RUNNING:
        return 0
    try:
        actor = get_user_model().objects.get(pk=job["user"], is_active=True)
        agency = managing_agencies(user=actor).get(pk=job["agency"])
        items, rows = parse_paste(data["values"], data["type"])
        _update(job_id, done=len(rows), errors=len(rows))
        size = max(1, settings.SHARING_BULK_CHUNK)
        for start in range(0, len(items), size):
            with transaction.atomic():
                chunk = paste_ingest(
                    actor=actor,
                    agency=agency,
                    items=items[start : start + size],
                    defaults=data["defaults"],
                )
            rows += chunk
            _update(
                job_id,
                done=len(rows),
                errors=sum(1 for r in rows if r["status"] == INVALID),
                added=sum(1 for r in rows if r["status"] == ADDED),
            )
        rows.sort(key=lambda r: r["line"])
        JOBS.finish(job_id, rows)
        return len(rows)
    except Exception:
        logger.exception("bulk paste job %s failed", job_id)
        _update(job_id, state=FAILED)
        return 0


def access_job(*, user: Any, job_id: str) -> dict[str, Any]:
    """The job, to the member who started it while still a member of its agency; for anyone
    else, and for an unknown or expired id, the same 404."""
    return JOBS.access(user=user, job_id=job_id, agencies=managing_agencies(user=user))


def job_can_retry(job_id: str) -> bool:
    """Whether the job's input is still stored (it is dropped once the job is done)."""
    return JOBS.input(job_id) is not None


def job_retry(*, job: dict[str, Any]) -> bool:
    """Run a stopped job again from its stored input (lines already stored are reported as
    already there); ``False`` if it is not stopped or its input is gone."""
    job_id = job["id"]
    if job_state(job) != STOPPED or not job_can_retry(job_id):
        return False
    _update(job_id, state=RUNNING)
    transaction.on_commit(lambda: _enqueue(job_id))
    return True


def report_keep(*, actor: Any, agency: Agency, rows: list[dict[str, Any]]) -> str:
    """Keep a paste's report added at once as a finished job's, so that the add page can show
    it after the redirect that follows its POST; the report's id."""
    errors = sum(1 for r in rows if r["status"] == INVALID)
    added = sum(1 for r in rows if r["status"] == ADDED)
    job_id = JOBS.create(
        user=actor,
        agency=agency,
        fields={"total": len(rows), "done": len(rows), "errors": errors, "added": added},
    )
    JOBS.finish(job_id, rows)
    return job_id


def with_words(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Report rows with their result and type in words (``result``, ``type_label``)."""
    types = dict(IndicatorType.choices)
    return [
        {
            **row,
            "result": RESULT_WORDS.get(row["status"], row["status"]),
            "type_label": types.get(row.get("type") or "", row.get("type") or ""),
        }
        for row in rows
    ]


job_report = JOBS.report
