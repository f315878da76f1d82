"""Concurrent writes on one case on real PostgreSQL: evidence uploads and a case PATCH at once
all succeed (locks taken in one order: the case row first), none answers 500."""

from __future__ import annotations

import threading

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from rest_framework.test import APIClient

from agencies import services as agency_services
from cases.models import Evidence
from tests.cases.test_evidence_upload import FIELDS


def test_uploads_and_a_case_patch_at_once_all_succeed(transactional_db, case_world):
    _, plaintext = agency_services.api_key_issue(
        actor=None,
        agency=case_world.owner.agency,
        user=case_world.owner.investigator,
        name="load",
    )
    url = f"/api/v1/cases/{case_world.case.pk}/"
    start = threading.Barrier(11)
    answers: list[int] = []

    def call(kind: str, n: int) -> None:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
        start.wait()
        try:
            if kind == "patch":
                tlp = ["GREEN", "AMBER"][n % 2]
                response = client.patch(url, {"summary": f"edit {n}", "tlp": tlp}, format="json")
            else:
                response = client.post(
                    f"{url}evidence/",
                    {**FIELDS, "title": f"upload {n}", "file": SimpleUploadedFile("f", b"x" * n)},
                    format="multipart",
                )
            answers.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=call, args=("upload", n)) for n in range(1, 10)]
    threads += [threading.Thread(target=call, args=("patch", n)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(answers) == [200, 200] + [201] * 9
    assert Evidence.objects.filter(title__startswith="upload ").count() == 9
