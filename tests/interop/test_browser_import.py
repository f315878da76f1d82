"""Importing a STIX bundle or MISP events in the browser: the form, then the job's page with
its progress, counts and report (rejections only, CSV); a large file runs as a Celery job in
chunks; only the member who started a job sees it; a bad file is refused naming the field and
writes nothing."""

from __future__ import annotations

import csv
import io
import json
import re
import uuid
from pathlib import Path

import pytest
from celery import current_app
from django.core.files.uploadedfile import SimpleUploadedFile

from interop import imports
from sharing.models import Indicator, StixObject
from tests.interop.misp_data import event
from tests.stix_objects import stix_bundle, stix_indicator

OASIS = Path(__file__).parent / "data" / "oasis"


@pytest.fixture(autouse=True)
def _small_jobs(settings):
    settings.INTEROP_IMPORT_ASYNC_MIN_OBJECTS = 5
    settings.INTEROP_IMPORT_CHUNK = 2


@pytest.fixture
def eager():
    was = current_app.conf.task_always_eager
    current_app.conf.task_always_eager = True
    yield
    current_app.conf.task_always_eager = was


def malware(name: str) -> dict:
    return {
        "type": "malware",
        "spec_version": "2.1",
        "id": f"malware--{uuid.uuid4()}",
        "created": "2026-01-01T00:00:00.000Z",
        "modified": "2026-01-01T00:00:00.000Z",
        "name": name,
        "is_family": True,
    }


def upload(data: object, name: str = "bundle.json") -> SimpleUploadedFile:
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    return SimpleUploadedFile(name, raw, content_type="application/json")


def start(client, agency, data, capture, name: str = "bundle.json", execute: bool = True) -> str:
    with capture(execute=execute):
        response = client.post(
            "/objects/import/", {"agency": agency.pk, "file": upload(data, name)}
        )
    assert response.status_code == 302, response.content[:800]
    return response["Location"]


# Three good objects, then one whose valid_until precedes its valid_from (rejected).
def small_bundle() -> dict:
    bad = stix_indicator(
        "[domain-name:value = 'bad-window.example']",
        valid_from="2026-02-01T00:00:00Z",
        valid_until="2026-01-01T00:00:00Z",
    )
    return stix_bundle(
        stix_indicator("[domain-name:value = 'browser-import.example']"),
        malware("Browser Import Loader"),
        malware("Second Loader"),
        bad,
    )


def test_a_small_bundle_is_imported_at_once_and_its_page_counts_the_outcomes(
    world, client_for, django_capture_on_commit_callbacks
):
    client = client_for(world.owner.investigator)
    url = start(client, world.owner.agency, small_bundle(), django_capture_on_commit_callbacks)
    assert url.startswith("/objects/import/")
    page = client.get(url)
    assert page.status_code == 200
    job = page.context["job"]
    assert (job["state"], job["total"], job["done"]) == ("done", 4, 4)
    assert job["counts"]["created"] == 3 and job["counts"]["rejected"] == 1
    rows = list(page.context["page"])
    assert [(r["number"], r["status"]) for r in rows] == [(4, "rejected")]
    assert "valid_until" in rows[0]["reason"]
    assert b"Finished: 4 objects." in page.content
    assert Indicator.objects.filter(owner=world.owner.agency).count() == 1
    names = set(
        StixObject.objects.filter(owner=world.owner.agency, type="malware").values_list(
            "name", flat=True
        )
    )
    assert names == {"Browser Import Loader", "Second Loader"}


def test_a_large_bundle_runs_as_a_job_chunk_by_chunk(
    world, client_for, eager, django_capture_on_commit_callbacks, monkeypatch
):
    bundle = json.loads((OASIS / "poisonivy.json").read_text())
    client = client_for(world.owner.investigator)
    url = start(
        client, world.owner.agency, bundle, django_capture_on_commit_callbacks, execute=False
    )
    job_id = url.rstrip("/").rsplit("/", 1)[1]
    assert client.get(url + "progress/").json()["state"] == "running"
    assert b"data-progress-url" in client.get(url).content
    seen: list[int] = []
    real_update = imports._update

    def update(job, **changes):
        if "done" in changes:
            seen.append(changes["done"])
        return real_update(job, **changes)

    monkeypatch.setattr(imports, "_update", update)
    total = len(bundle["objects"])
    assert imports.job_run(job_id) == total
    assert seen == [min(n, total) for n in range(2, total + 2, 2)]
    progress = client.get(url + "progress/").json()
    assert progress == {"state": "done", "total": total, "done": total, "errors": 0}
    assert StixObject.objects.filter(owner=world.owner.agency).count() > 100


def test_misp_events_are_imported_event_by_event(
    world, client_for, django_capture_on_commit_callbacks
):
    client = client_for(world.owner.investigator)
    url = start(
        client,
        world.owner.agency,
        {"response": [event()]},
        django_capture_on_commit_callbacks,
        name="misp.json",
    )
    page = client.get(url)
    job = page.context["job"]
    assert (job["kind"], job["state"], job["total"], job["done"]) == ("misp", "done", 1, 1)
    assert job["counts"]["created"] > 0
    assert b"Finished: 1 events." in page.content
    assert Indicator.objects.filter(owner=world.owner.agency).exists()


def test_an_incoherent_misp_event_is_refused_and_writes_nothing(
    world, client_for, django_capture_on_commit_callbacks
):
    broken = event()
    broken["Event"]["info"] = ""
    client = client_for(world.owner.investigator)
    url = start(client, world.owner.agency, broken, django_capture_on_commit_callbacks)
    page = client.get(url)
    assert page.context["job"]["refused"] is True
    assert "events[0].info" in list(page.context["page"])[0]["reason"]
    assert b"nothing was imported" in page.content
    assert not StixObject.objects.filter(owner=world.owner.agency).exists()
    assert not Indicator.objects.filter(owner=world.owner.agency).exists()


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        (b"{not json", "JSON parse error"),
        (json.dumps({"objects": []}).encode(), "The bundle holds no objects."),
        (json.dumps({"hello": "world"}).encode(), "Neither a STIX bundle"),
        (b'{"objects": [{"name": "a\\u0000b"}]}', "NUL"),
    ],
)
def test_a_bad_file_is_refused_naming_the_field_and_writes_nothing(world, client_for, raw, words):
    client = client_for(world.owner.investigator)
    response = client.post(
        "/objects/import/", {"agency": world.owner.agency.pk, "file": upload(raw)}
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == ["file"] and words in " ".join(errors["file"])
    assert not StixObject.objects.filter(owner=world.owner.agency).exists()


def test_a_member_imports_only_as_an_agency_they_manage(world, client_for):
    client = client_for(world.owner.investigator)
    response = client.post(
        "/objects/import/", {"agency": world.outsider.agency.pk, "file": upload(small_bundle())}
    )
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["agency"]
    assert not StixObject.objects.filter(owner=world.outsider.agency).exists()


def test_the_report_filters_rejections_and_downloads_as_csv(
    world, client_for, django_capture_on_commit_callbacks
):
    bundle = small_bundle()
    bundle["objects"][1] = {"type": "malware", "id": "malware--not-a-uuid"}
    client = client_for(world.owner.investigator)
    url = start(client, world.owner.agency, bundle, django_capture_on_commit_callbacks)
    rejected = list(client.get(url + "?errors=1").context["page"])
    assert {r["number"] for r in rejected} == {2, 4}
    response = client.get(url + "report.csv?errors=1")
    assert response["Content-Disposition"].endswith('-errors.csv"')
    lines = list(csv.reader(io.StringIO(response.content.decode())))
    assert lines[0] == ["Object", "MISP event", "STIX id", "Result", "Reason"]
    assert [(line[0], line[3]) for line in lines[1:]] == [("2", "Rejected"), ("4", "Rejected")]


def test_a_rejection_reads_with_the_readers_punctuation_before_its_reason(
    world, client_for, django_capture_on_commit_callbacks, catalogue
):
    catalogue(
        "fr",
        {
            "Rejected": "Rejeté",
            "report line: result and reason\x04%(result)s: %(reason)s": "%(result)s : %(reason)s",
        },
    )
    bundle = small_bundle()
    bundle["objects"][1] = {"type": "malware", "id": "malware--not-a-uuid"}
    client = client_for(world.owner.investigator)
    url = start(client, world.owner.agency, bundle, django_capture_on_commit_callbacks)
    page = client.get(url + "?errors=1", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "<td>Rejeté : " in page


def _page(response, job_id: str) -> bytes:
    body = response.content.replace(job_id.encode(), b"x" * len(job_id))
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]*"', b"", body)


def test_only_the_member_who_started_an_import_sees_it(
    world, client_for, django_capture_on_commit_callbacks
):
    owner = client_for(world.owner.investigator)
    url = start(owner, world.owner.agency, small_bundle(), django_capture_on_commit_callbacks)
    job_id = url.rstrip("/").rsplit("/", 1)[1]
    unknown = url.replace(job_id, "x" * len(job_id))
    others = [world.owner.analyst, world.partner.investigator, world.outsider.investigator]
    for suffix in ("", "progress/", "report.csv", "?errors=1&page=1"):
        assert client_for(world.owner.investigator).get(url + suffix).status_code == 200
        for user in others:
            client = client_for(user)
            expected = client.get(unknown + suffix)
            response = client.get(url + suffix)
            assert response.status_code == expected.status_code == 404, (user, suffix)
            assert _page(response, job_id) == _page(expected, job_id)
