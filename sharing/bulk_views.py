"""Browser pages of a large paste's job: its progress (page and JSON for polling), then its
report, paged, with an errors-only filter and a CSV download."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from common import jobs
from common.spreadsheet import csv_response
from sharing import bulk

REPORT_PAGE_SIZE = 100


def _rows(request: HttpRequest, job_id: str) -> tuple[list[dict[str, Any]], bool]:
    """The report's rows (errors only with ``?errors=1``), each with its result in words."""
    errors_only = request.GET.get("errors") == "1"
    rows = bulk.job_report(job_id)
    if errors_only:
        rows = [r for r in rows if r["status"] == bulk.INVALID]
    return bulk.with_words(rows), errors_only


@login_required
@require_GET
def bulk_job(request: HttpRequest, job_id: str) -> HttpResponse:
    job = bulk.access_job(user=request.user, job_id=job_id)
    job["state"] = jobs.job_state(job)
    context: dict[str, Any] = {"job": job}
    if job["state"] == jobs.STOPPED:
        context["can_retry"] = bulk.job_can_retry(job_id)
        context["stall_minutes"] = settings.SHARING_BULK_STALL_MINUTES
    if job["state"] == jobs.DONE:
        rows, errors_only = _rows(request, job_id)
        context["errors_only"] = errors_only
        context["page"] = Paginator(rows, REPORT_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "sharing/bulk_job.html", context)


@login_required
@require_POST
def bulk_job_retry(request: HttpRequest, job_id: str) -> HttpResponse:
    """Run a stopped job again (its starter only, as every page of the job)."""
    job = bulk.access_job(user=request.user, job_id=job_id)
    if bulk.job_retry(job=job):
        messages.success(request, _("The job runs again from the start of the paste."))
    else:
        messages.error(request, _("This job cannot run again: paste the list again instead."))
    return redirect("bulk_job", job_id=job_id)


@login_required
@require_GET
def bulk_job_progress(request: HttpRequest, job_id: str) -> JsonResponse:
    job = bulk.access_job(user=request.user, job_id=job_id)
    return jobs.progress_response(job, extra=["added"])


@login_required
@require_GET
def bulk_job_csv(request: HttpRequest, job_id: str) -> HttpResponse:
    """The report as the page shows it: type, result and reason in the reader's words."""
    bulk.access_job(user=request.user, job_id=job_id)
    rows, errors_only = _rows(request, job_id)
    return csv_response(
        f"indicator-report-{job_id[:8]}{'-errors' if errors_only else ''}.csv",
        [_("Line"), _("Value"), _("Type"), _("Result"), _("Reason"), _("Indicator")],
        (
            [
                row["line"],
                row["value"],
                row["type_label"],
                row["result"],
                row.get("reason", ""),
                row.get("indicator_id") or "",
            ]
            for row in rows
        ),
    )
