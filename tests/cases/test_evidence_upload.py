"""Evidence intake: one streaming pass (SHA-256 and size on the way), the size limit enforced
while streaming, bad fields named, and nothing left behind when the write fails."""

from __future__ import annotations

import hashlib
import os
import re
import tracemalloc

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import AuditEvent
from cases import evidence as evidence_services
from cases.files import too_large_message
from cases.models import CustodyEvent, Evidence
from tests.cases.conftest import add_evidence

pytestmark = pytest.mark.django_db


FIELDS = {
    "title": "Disk image",
    "collected_by": "KOK Meyer",
    "collected_at": "2026-01-05T10:00:00Z",
    "collected_where": "Frankfurt",
    "tlp": "AMBER",
    "handling_code": "H1",
}


def big_file(megabytes: int = 6) -> bytes:
    return os.urandom(megabytes * 1024 * 1024)


def stored_files() -> list[str]:
    try:
        return [
            name
            for folder in default_storage.listdir("evidence")[0]
            for name in default_storage.listdir(f"evidence/{folder}")[1]
        ]
    except FileNotFoundError:
        return []


def test_multi_megabyte_api_upload_hash_matches(case_world, api_client_for):
    content = big_file(6)
    client = api_client_for(case_world.partner.investigator, case_world.partner.agency)
    upload = SimpleUploadedFile("image.dd", content)
    response = client.post(
        f"/api/v1/cases/{case_world.case.pk}/evidence/",
        {**FIELDS, "file": upload},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["sha256"] == hashlib.sha256(content).hexdigest()
    assert body["size"] == len(content) and body["agency"] == "NL-NHTCU"
    assert body["custody_events"][0]["kind"] == "collected"
    evidence = Evidence.objects.get(pk=body["id"])
    with evidence.file.open("rb") as stored:
        assert hashlib.sha256(stored.read()).hexdigest() == body["sha256"]
    download = client.get(f"/api/v1/evidence/{evidence.pk}/download/")
    assert download.status_code == 200 and download.streaming
    assert hashlib.sha256(b"".join(download.streaming_content)).hexdigest() == body["sha256"]
    assert download["X-Content-SHA256"] == body["sha256"]
    assert evidence.custody_events.filter(kind="downloaded").count() == 1
    assert AuditEvent.objects.filter(
        action="evidence.downloaded", object_id=str(evidence.pk)
    ).exists()


def test_streaming_store_does_not_hold_the_file_in_memory(case_world):
    content = big_file(8)
    upload = SimpleUploadedFile("big.bin", b"")
    upload.file.write(content)  # an in-memory source; what we measure is our own copying
    upload.file.seek(0)
    upload.size = len(content)
    tracemalloc.start()
    evidence = add_evidence(case_world.case, case_world.owner, content=b"")  # warm up
    tracemalloc.reset_peak()
    evidence = evidence_services.evidence_add(
        actor=case_world.owner.investigator,
        case=case_world.case,
        agency=case_world.owner.agency,
        file=upload,
        title="big",
        collected_by="x",
        collected_at="2026-01-01T00:00:00Z",
        collected_where="y",
    )
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert evidence.sha256 == hashlib.sha256(content).hexdigest()
    assert peak < 4 * 1024 * 1024, peak  # chunks of 1 MiB, never the 8 MiB file


def test_browser_upload_multi_megabyte(case_world, client):
    content = big_file(3)
    client.force_login(case_world.owner.investigator)
    data = {
        **FIELDS,
        "collected_at": "2026-01-05T10:00",
        "file": SimpleUploadedFile("img.dd", content),
    }
    response = client.post(reverse("cases:evidence-upload", args=[case_world.case.pk]), data)
    assert response.status_code == 302
    evidence = Evidence.objects.get(title="Disk image")
    assert evidence.sha256 == hashlib.sha256(content).hexdigest() and evidence.size == len(content)


def test_api_upload_over_limit_is_400_and_writes_nothing(case_world, api_client_for, settings):
    settings.EVIDENCE_MAX_BYTES = 1024 * 1024
    before_files, before_rows = stored_files(), Evidence.objects.count()
    client = api_client_for(case_world.owner.investigator, case_world.owner.agency)
    response = client.post(
        f"/api/v1/cases/{case_world.case.pk}/evidence/",
        {**FIELDS, "file": SimpleUploadedFile("x.bin", big_file(2))},
        format="multipart",
    )
    assert response.status_code == 400 and "file" in response.json()
    assert "limit" in response.json()["file"][0]
    assert Evidence.objects.count() == before_rows and stored_files() == before_files


def test_browser_upload_over_limit_is_400(case_world, client, settings):
    settings.EVIDENCE_MAX_BYTES = 1024 * 1024
    client.force_login(case_world.owner.investigator)
    data = {
        **FIELDS,
        "collected_at": "2026-01-05T10:00",
        "file": SimpleUploadedFile("x", big_file(2)),
    }
    response = client.post(reverse("cases:evidence-upload", args=[case_world.case.pk]), data)
    assert response.status_code == 400
    assert "limit" in str(response.context["evidence_form"].errors["file"])


def test_limit_enforced_while_streaming_even_if_size_lies(case_world, settings):
    settings.EVIDENCE_MAX_BYTES = 1024 * 1024
    upload = SimpleUploadedFile("liar.bin", big_file(2))
    upload.size = 10  # a client-declared size cannot be trusted
    before = stored_files()
    too_large = too_large_message(settings.EVIDENCE_MAX_BYTES)
    with pytest.raises(ValidationError, match=re.escape(too_large)) as excinfo:
        evidence_services.evidence_add(
            actor=case_world.owner.investigator,
            case=case_world.case,
            agency=case_world.owner.agency,
            file=upload,
            title="x",
            collected_by="x",
            collected_at="2026-01-01T00:00:00Z",
            collected_where="y",
        )
    assert "file" in excinfo.value.message_dict
    assert stored_files() == before


def test_an_upload_with_bad_fields_is_400_naming_them(case_world, api_client_for):
    client = api_client_for(case_world.owner.investigator, case_world.owner.agency)
    response = client.post(
        f"/api/v1/cases/{case_world.case.pk}/evidence/",
        {**FIELDS, "collected_at": "yesterday", "file": SimpleUploadedFile("a", b"a")},
        format="multipart",
    )
    assert response.status_code == 400 and list(response.json()) == ["collected_at"]
    response = client.post(
        f"/api/v1/cases/{case_world.case.pk}/evidence/", FIELDS, format="multipart"
    )
    assert response.status_code == 400 and list(response.json()) == ["file"]
    response = client.post(
        f"/api/v1/cases/{case_world.case.pk}/evidence/",
        {**FIELDS, "handling_code": "H3", "file": SimpleUploadedFile("a", b"a")},
        format="multipart",
    )
    assert response.status_code == 400 and list(response.json()) == ["handling_text"]


def test_former_members_and_outsiders_cannot_upload(case_world, api_client_for):
    url = f"/api/v1/cases/{case_world.case.pk}/evidence/"
    for side, status in ((case_world.former, 404), (case_world.outsider, 404)):
        client = api_client_for(side.investigator, side.agency)
        data = {**FIELDS, "file": SimpleUploadedFile("a", b"a")}
        assert client.post(url, data, format="multipart").status_code == status


def test_failure_after_storing_leaves_no_row_and_no_file(case_world, monkeypatch):
    def broken_audit(**kwargs):
        raise RuntimeError("audit unavailable")

    monkeypatch.setattr("cases.evidence.audit_log", broken_audit)
    before_files, before_rows = stored_files(), Evidence.objects.count()
    before_events = CustodyEvent.objects.count()
    with pytest.raises(RuntimeError, match="audit unavailable"):
        add_evidence(case_world.case, case_world.owner, content=b"x" * 100_000)
    assert Evidence.objects.count() == before_rows
    assert CustodyEvent.objects.count() == before_events
    assert stored_files() == before_files


def test_the_longest_collector_and_place_are_stored_over_the_api_and_the_form(
    case_world, api_client_for, client
):
    """Intake writes "Collected by <200> at <300>" into its custody event (once a 500)."""
    long_fields = {**FIELDS, "collected_by": "B" * 200, "collected_where": "W" * 300}
    api = api_client_for(case_world.owner.investigator, case_world.owner.agency)
    response = api.post(
        f"/api/v1/cases/{case_world.case.pk}/evidence/",
        {**long_fields, "file": SimpleUploadedFile("a.bin", b"a")},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    client.force_login(case_world.owner.investigator)
    form = {
        **long_fields,
        "collected_at": "2026-01-05T10:00",
        "file": SimpleUploadedFile("b", b"b"),
    }
    response = client.post(reverse("cases:evidence-upload", args=[case_world.case.pk]), form)
    assert response.status_code == 302
    purposes = CustodyEvent.objects.filter(kind="collected", purpose__contains="BBB").values_list(
        "purpose", flat=True
    )
    assert list(purposes) == [f"Collected by {'B' * 200} at {'W' * 300}"] * 2


def test_a_stated_purpose_is_bounded_naming_the_field(case_world):
    evidence = add_evidence(case_world.case, case_world.owner)
    message = evidence_services.PURPOSE_TOO_LONG.format(limit=evidence_services.PURPOSE_MAX)
    with pytest.raises(ValidationError, match=re.escape(message)) as info:
        evidence_services.evidence_custody(
            actor=case_world.owner.investigator,
            evidence=evidence,
            agency=case_world.owner.agency,
            kind="checked_out",
            purpose="p" * 301,
        )
    assert list(info.value.message_dict) == ["purpose"]
