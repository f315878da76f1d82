"""Browser import of a STIX bundle or MISP events: the form, then the job's page (progress,
polled as JSON, then the report of rejections and warnings, paged, errors only, as CSV)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from common import jobs
from common.spreadsheet import csv_response
from interop import imports
from interop.forms import ImportForm
from sharing.selectors import managing_agencies

REPORT_PAGE_SIZE = 100


@login_required
@require_http_methods(["GET", "POST"])
def import_new(request: HttpRequest) -> HttpResponse:
    agencies = managing_agencies(user=request.user)
    if not agencies.exists():
        raise Http404
    form = ImportForm(
        request.POST or None,
        request.FILES or None,
        agencies=agencies,
        initial={"agency": agencies.first()},
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            kind, items = imports.read_upload(upload.read())
        except ValidationError as error:
            form.add_error("file", error.message_dict["file"])
        else:
            job_id = imports.job_start(
                actor=request.user,
                agency=form.cleaned_data["agency"],
                kind=kind,
                items=items,
                name=upload.name,
            )
            messages.info(request, _("Import of %(name)s started.") % {"name": upload.name})
            return redirect("stix_import_job", job_id=job_id)
    status = 400 if form.errors else 200
    return render(request, "interop/import_form.html", {"form": form}, status=status)


def _rows(request: HttpRequest, job_id: str) -> tuple[list[dict[str, Any]], bool]:
    rejected_only = request.GET.get("errors") == "1"
    rows = imports.job_report(job_id)
    if rejected_only:
        rows = [r for r in rows if r["status"] == imports.REJECTED]
    return rows, rejected_only


@login_required
@require_GET
def import_job(request: HttpRequest, job_id: str) -> HttpResponse:
    job = imports.access_job(user=request.user, job_id=job_id)
    job["state"] = jobs.job_state(job)  # a job whose worker died reads as stopped
    context: dict[str, Any] = {"job": job}
    if job["state"] == jobs.DONE:
        rows, errors_only = _rows(request, job_id)
        context["errors_only"] = errors_only
        context["page"] = Paginator(rows, REPORT_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "interop/import_job.html", context)


@login_required
@require_GET
def import_job_progress(request: HttpRequest, job_id: str) -> JsonResponse:
    return jobs.progress_response(imports.access_job(user=request.user, job_id=job_id))


@login_required
@require_GET
def import_job_csv(request: HttpRequest, job_id: str) -> HttpResponse:
    imports.access_job(user=request.user, job_id=job_id)
    rows, errors_only = _rows(request, job_id)
    return csv_response(
        f"import-report-{job_id[:8]}{'-errors' if errors_only else ''}.csv",
        [_("Object"), _("MISP event"), _("STIX id"), _("Result"), _("Reason")],
        (
            [
                row["number"],
                row["event"],
                row["id"],
                _("Rejected") if row["status"] == imports.REJECTED else _("Warning"),
                row["reason"],
            ]
            for row in rows
        ),
    )
