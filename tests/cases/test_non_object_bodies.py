"""A JSON body that is not an object (null, true, 1, "x", a list) answers 400 and writes nothing,
on every write endpoint of cases, JITs, evidence, tasks and notes."""

from __future__ import annotations

import pytest

from audit.models import AuditEvent
from cases import jits
from cases.models import Evidence, JITMembership

BAD_BODIES = ["null", "true", "1", '"x"', "[]", '[{"title": "x"}]']


def _reinvite_former(cw) -> None:
    jits.jit_invite(actor=cw.owner.investigator, jit=cw.jit, agency=cw.former.agency)


# (method, url, side, role, setup): the request of someone allowed to make it.
API_WRITES = [
    ("post", "/api/v1/cases/", "owner", "investigator", None),
    ("patch", "/api/v1/cases/{case}/", "owner", "investigator", None),
    ("post", "/api/v1/evidence/{evidence}/verify/", "owner", "investigator", None),
    ("post", "/api/v1/jits/", "owner", "investigator", None),
    ("patch", "/api/v1/jits/{jit}/", "owner", "investigator", None),
    ("post", "/api/v1/jits/{jit}/members/", "owner", "investigator", None),
    ("post", "/api/v1/jits/{jit}/members/FR-OFAC/accept/", "former", "admin", _reinvite_former),
    ("post", "/api/v1/jits/{jit}/members/FR-OFAC/decline/", "former", "admin", _reinvite_former),
    ("post", "/api/v1/jits/{jit}/members/NL-NHTCU/leave/", "partner", "admin", None),
]


@pytest.mark.parametrize("method,url,side,role,setup", API_WRITES)
@pytest.mark.parametrize("body", BAD_BODIES)
def test_an_api_write_with_a_non_object_body_is_400_and_writes_nothing(
    case_world, api_client_for, method, url, side, role, setup, body
):
    cw = case_world
    if setup:
        setup(cw)
    acting = getattr(cw, side)
    client = api_client_for(getattr(acting, role), acting.agency)
    url = url.format(case=cw.case.pk, evidence=cw.evidence.pk, jit=cw.jit.pk)
    events = AuditEvent.objects.count()
    memberships = list(JITMembership.objects.values_list("agency__code", "status"))

    response = getattr(client, method)(url, body, content_type="application/json")

    assert response.status_code == 400, response.content
    assert "non_field_errors" in response.json()
    assert AuditEvent.objects.count() == events
    assert list(JITMembership.objects.values_list("agency__code", "status")) == memberships


@pytest.mark.parametrize("body", BAD_BODIES)
def test_an_evidence_upload_takes_multipart_only_so_json_is_415(case_world, api_client_for, body):
    """The upload streams a multipart file; a JSON body of any shape is refused unread."""
    cw = case_world
    client = api_client_for(cw.owner.investigator, cw.owner.agency)
    count = Evidence.objects.count()

    response = client.post(
        f"/api/v1/cases/{cw.case.pk}/evidence/", body, content_type="application/json"
    )

    assert response.status_code == 415
    assert "application/json" in response.json()["detail"]
    assert Evidence.objects.count() == count


@pytest.mark.parametrize("path", ["tasks/new/", "notes/new/"])
@pytest.mark.parametrize("body", BAD_BODIES)
def test_a_task_or_note_form_post_with_a_json_body_is_400(case_world, client, path, body):
    cw = case_world
    client.force_login(cw.owner.investigator)
    events = AuditEvent.objects.count()

    response = client.post(f"/cases/{cw.case.pk}/{path}", body, content_type="application/json")

    assert response.status_code == 400
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize("body", BAD_BODIES)
def test_a_task_status_post_with_a_json_body_is_400(case_world, client, body):
    cw = case_world
    client.force_login(cw.owner.investigator)

    response = client.post(
        f"/cases/tasks/{cw.task.pk}/status/", body, content_type="application/json"
    )

    assert response.status_code == 400
    cw.task.refresh_from_db()
    assert cw.task.status == "open"
