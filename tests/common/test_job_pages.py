"""What the pages of a long browser job share: the progress JSON they poll (a stalled job reads
as stopped, never cached) and the CSV report download (every cell spreadsheet-safe)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

from django.utils import timezone

from common import jobs
from common.spreadsheet import csv_response


def test_the_progress_json_tells_the_state_the_counts_and_the_kinds_extra_fields():
    moved = timezone.now().isoformat()
    job = {"state": jobs.RUNNING, "moved": moved, "total": 10, "done": 4, "errors": 1, "added": 3}
    response = jobs.progress_response(job, extra=["added"])
    assert response["Cache-Control"] == "no-store"
    body = json.loads(response.content)
    assert body == {"state": "running", "total": 10, "done": 4, "errors": 1, "added": 3}
    assert "added" not in json.loads(jobs.progress_response(job).content)


def test_the_progress_json_of_a_job_that_stopped_moving_says_stopped(settings):
    settings.SHARING_BULK_STALL_MINUTES = 5
    moved = (timezone.now() - dt.timedelta(minutes=6)).isoformat()
    body = json.loads(jobs.progress_response({"state": jobs.RUNNING, "moved": moved}).content)
    assert body == {"state": "stopped", "total": None, "done": None, "errors": None}


def test_the_csv_report_is_an_attachment_whose_formula_cells_a_spreadsheet_will_not_run():
    response = csv_response("report.csv", ["Line", "Value"], [[1, "=cmd|' /C calc'!A0"], [2, None]])
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="report.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows == [["Line", "Value"], ["1", "'=cmd|' /C calc'!A0"], ["2", ""]]
