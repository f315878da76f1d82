"""REST API: owner / partner / former member / outsider / anonymous for every endpoint."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from audit.models import AuditEvent
from cases.models import Case, JITMembership

pytestmark = pytest.mark.django_db


def clients(cw, api_client_for, role="investigator"):
    return {
        name: api_client_for(getattr(side, role), side.agency)
        for name, side in (
            ("owner", cw.owner),
            ("partner", cw.partner),
            ("former", cw.former),
            ("outsider", cw.outsider),
        )
    }


GETS = [
    ("/api/v1/cases/{case}/", (200, 200, 404, 404)),
    ("/api/v1/cases/{case}/evidence/", (200, 200, 404, 404)),
    ("/api/v1/evidence/{evidence}/", (200, 200, 404, 404)),
    ("/api/v1/evidence/{evidence}/download/", (200, 200, 404, 404)),
    ("/api/v1/jits/{jit}/", (200, 200, 404, 404)),
    ("/api/v1/jits/{jit}/members/", (200, 200, 404, 404)),
]


def fmt(url, cw):
    return url.format(case=cw.case.pk, evidence=cw.evidence.pk, jit=cw.jit.pk)


@pytest.mark.parametrize(("url", "expected"), GETS)
def test_get_endpoints_answer_each_side(case_world, api_client_for, url, expected):
    by_side = clients(case_world, api_client_for)
    for (name, client), status in zip(by_side.items(), expected, strict=True):
        assert client.get(fmt(url, case_world)).status_code == status, (url, name)
    assert APIClient().get(fmt(url, case_world)).status_code in (401, 403)


def test_case_list_per_side(case_world, api_client_for):
    for name, client in clients(case_world, api_client_for).items():
        refs = [c["reference"] for c in client.get("/api/v1/cases/").json()["results"]]
        assert (case_world.case.reference in refs) is (name in ("owner", "partner")), name


def test_api_key_sees_only_its_agency(case_world, api_client_for, world):
    # The partner's investigator is also a member of the outsider agency; a key for the
    # outsider agency must not see what the partner agency sees.
    from agencies.services import membership_set

    membership_set(
        actor=None,
        agency=world.outsider.agency,
        user=world.partner.investigator,
        role="investigator",
    )
    client = api_client_for(world.partner.investigator, world.outsider.agency)
    assert client.get(f"/api/v1/cases/{case_world.case.pk}/").status_code == 404


def test_create_case_over_api(world, api_client_for):
    client = api_client_for(world.owner.investigator, world.owner.agency)
    response = client.post(
        "/api/v1/cases/",
        {
            "title": "Ransomware",
            "tlp": "AMBER",
            "offence_categories": ["data_interference"],
            "tags": ["Ransomware"],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["reference"].startswith("DE-BKA-") and body["lead_agency"] == "DE-BKA"
    assert body["tags"] == ["ransomware"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"tlp": "AMBER"}, "title"),
        ({"title": "x", "tlp": "PURPLE"}, "tlp"),
        ({"title": "x", "offence_categories": ["jaywalking"]}, "offence_categories"),
        ({"title": "x", "handling_code": "H3"}, "handling_text"),
        ({"title": "x", "lead_agency": "NL-NHTCU"}, "lead_agency"),
    ],
)
def test_create_case_bad_input_400_names_field(world, api_client_for, payload, field):
    client = api_client_for(world.owner.investigator, world.owner.agency)
    response = client.post("/api/v1/cases/", payload, format="json")
    assert response.status_code == 400 and field in response.json(), response.json()
    assert not Case.objects.exists()


def test_patch_case_owner_ok_partner_403_outsider_404(case_world, api_client_for):
    by_side = clients(case_world, api_client_for)
    url = f"/api/v1/cases/{case_world.case.pk}/"
    assert by_side["partner"].patch(url, {"status": "active"}, format="json").status_code == 403
    assert by_side["outsider"].patch(url, {"status": "active"}, format="json").status_code == 404
    assert by_side["former"].patch(url, {"status": "active"}, format="json").status_code == 404
    response = by_side["owner"].patch(url, {"status": "active"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "active"
    assert by_side["owner"].patch(url, {"status": "dormant"}, format="json").json().keys() == {
        "status"
    }


def test_case_read_is_audited(case_world, api_client_for):
    by_side = clients(case_world, api_client_for)
    by_side["partner"].get(f"/api/v1/cases/{case_world.case.pk}/")
    event = AuditEvent.objects.filter(action="case.viewed").last()
    assert event.agency_code == "NL-NHTCU"


def test_jit_create_over_api(case_world, api_client_for):
    by_side = clients(case_world, api_client_for)
    payload = {
        "case": case_world.case.pk,
        "name": "JIT 2",
        "legal_basis": "budapest",
        "states_of_operation": ["DE", "NL"],
    }
    assert by_side["partner"].post("/api/v1/jits/", payload, format="json").status_code == 403
    response = by_side["outsider"].post("/api/v1/jits/", payload, format="json")
    assert response.status_code == 400 and "case" in response.json()
    response = by_side["owner"].post("/api/v1/jits/", payload, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["leader"] == "DE-BKA" and body["states_of_operation"] == ["DE", "NL"]
    assert body["memberships"][0]["status"] == "accepted"
    response = by_side["owner"].post(
        "/api/v1/jits/",
        {**payload, "period_start": "2026-05-01", "period_end": "2026-01-01"},
        format="json",
    )
    assert response.status_code == 400 and "period_end" in response.json()


def test_jit_patch_owner_only(case_world, api_client_for):
    by_side = clients(case_world, api_client_for)
    url = f"/api/v1/jits/{case_world.jit.pk}/"
    assert by_side["partner"].patch(url, {"purpose": "x"}, format="json").status_code == 403
    assert by_side["outsider"].patch(url, {"purpose": "x"}, format="json").status_code == 404
    response = by_side["owner"].patch(url, {"period_end": "2027-12-31"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "extended"
    kinds = [a["kind"] for a in response.json()["amendments"]]
    assert kinds[0] == "created" and kinds[-1] == "extended"


def test_invite_accept_decline_leave_over_api(case_world, api_client_for, world):
    cw = case_world
    owner = api_client_for(cw.owner.investigator, cw.owner.agency)
    members_url = f"/api/v1/jits/{cw.jit.pk}/members/"
    response = owner.post(members_url, {"agency": "FR-OFAC", "role": "party"}, format="json")
    assert response.status_code == 201 and response.json()["status"] == "invited"
    # the partner cannot invite; the outsider cannot even see the JIT
    partner = api_client_for(cw.partner.investigator, cw.partner.agency)
    assert partner.post(members_url, {"agency": "FR-OFAC"}, format="json").status_code == 403
    outsider = api_client_for(cw.outsider.admin, cw.outsider.agency)
    assert outsider.post(members_url, {"agency": "FR-OFAC"}, format="json").status_code == 404
    assert owner.post(members_url, {"agency": "XX-NONE"}, format="json").json().keys() == {"agency"}
    assert owner.post(members_url, {"agency": "FR-OFAC"}, format="json").json().keys() == {"agency"}
    accept = f"/api/v1/jits/{cw.jit.pk}/members/FR-OFAC/accept/"
    former_investigator = api_client_for(cw.former.investigator, cw.former.agency)
    assert former_investigator.post(accept).status_code == 403
    assert outsider.post(accept).status_code == 404
    assert owner.post(accept).status_code == 403
    former_admin = api_client_for(cw.former.admin, cw.former.agency)
    response = former_admin.post(accept)
    assert response.status_code == 200 and response.json()["status"] == "accepted"
    assert former_investigator.get(f"/api/v1/cases/{cw.case.pk}/").status_code == 200
    assert former_admin.post(accept).status_code == 400  # no longer invited
    leave = f"/api/v1/jits/{cw.jit.pk}/members/FR-OFAC/leave/"
    response = former_admin.post(leave)
    assert response.status_code == 200 and response.json()["status"] == "left"
    assert former_investigator.get(f"/api/v1/cases/{cw.case.pk}/").status_code == 404
    assert former_investigator.get(f"/api/v1/evidence/{cw.evidence.pk}/").status_code == 404
    # re-invite and decline
    owner.post(members_url, {"agency": "FR-OFAC"}, format="json")
    response = former_admin.post(f"/api/v1/jits/{cw.jit.pk}/members/FR-OFAC/decline/")
    assert response.status_code == 200 and response.json()["status"] == "declined"
    assert former_investigator.get(f"/api/v1/cases/{cw.case.pk}/").status_code == 404
    # the lead can remove a member; the leader cannot leave
    response = owner.post(f"/api/v1/jits/{cw.jit.pk}/members/NL-NHTCU/leave/")
    assert response.status_code == 200
    assert partner.get(f"/api/v1/cases/{cw.case.pk}/").status_code == 404
    assert owner.post(f"/api/v1/jits/{cw.jit.pk}/members/DE-BKA/leave/").status_code == 400
    assert JITMembership.objects.get(jit=cw.jit, agency=cw.partner.agency).status == "left"


def test_invite_without_legal_basis_names_what_is_missing(case_world, api_client_for):
    owner = api_client_for(case_world.owner.investigator, case_world.owner.agency)
    jit = owner.post(
        "/api/v1/jits/", {"case": case_world.case.pk, "name": "bare"}, format="json"
    ).json()
    response = owner.post(
        f"/api/v1/jits/{jit['id']}/members/", {"agency": "NL-NHTCU"}, format="json"
    )
    assert response.status_code == 400
    message = response.json()["legal_basis"][0]
    assert (
        "no legal basis" in message and "NL-NHTCU" in message and "another jurisdiction" in message
    )


def test_invited_agency_sees_jit_but_not_case(case_world, api_client_for):
    cw = case_world
    owner = api_client_for(cw.owner.investigator, cw.owner.agency)
    owner.post(f"/api/v1/jits/{cw.jit.pk}/members/", {"agency": "FR-OFAC"}, format="json")
    former = api_client_for(cw.former.admin, cw.former.agency)
    assert former.get(f"/api/v1/jits/{cw.jit.pk}/").status_code == 200
    assert former.get(f"/api/v1/cases/{cw.case.pk}/").status_code == 404
    assert [j["id"] for j in former.get("/api/v1/jits/").json()["results"]] == [cw.jit.pk]


def test_schema_documents_every_case_path(client):
    from django.urls import reverse

    response = client.get(reverse("schema"), {"format": "json"})
    paths = response.json()["paths"]
    for path in (
        "/api/v1/cases/",
        "/api/v1/cases/{id}/",
        "/api/v1/cases/{id}/evidence/",
        "/api/v1/evidence/{id}/",
        "/api/v1/evidence/{id}/download/",
        "/api/v1/jits/",
        "/api/v1/jits/{id}/",
        "/api/v1/jits/{id}/members/",
        "/api/v1/jits/{id}/members/{code}/accept/",
        "/api/v1/jits/{id}/members/{code}/decline/",
        "/api/v1/jits/{id}/members/{code}/leave/",
    ):
        assert path in paths, path
    assert (
        "multipart/form-data"
        in paths["/api/v1/cases/{id}/evidence/"]["post"]["requestBody"]["content"]
    )


def test_schema_generates_without_warnings_for_case_views(tmp_path, capsys):
    from django.core.management import call_command

    call_command("spectacular", "--file", str(tmp_path / "schema.yml"))
    output = capsys.readouterr()
    lines = [line for line in (output.err + output.out).splitlines() if "cases/" in line]
    assert lines == []
    assert "CaseStatusEnum" in (tmp_path / "schema.yml").read_text()
