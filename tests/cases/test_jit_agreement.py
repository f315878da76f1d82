"""The JIT agreement: the lead agency forms and changes it; every change is a dated amendment."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.cases.conftest import api_clients

pytestmark = pytest.mark.django_db


def test_the_lead_agency_forms_a_jit_over_the_api(case_world, api_client_for):
    by_side = api_clients(case_world, api_client_for)
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


def test_only_the_lead_agency_patches_the_agreement(case_world, api_client_for):
    by_side = api_clients(case_world, api_client_for)
    url = f"/api/v1/jits/{case_world.jit.pk}/"
    assert by_side["partner"].patch(url, {"purpose": "x"}, format="json").status_code == 403
    assert by_side["outsider"].patch(url, {"purpose": "x"}, format="json").status_code == 404
    response = by_side["owner"].patch(url, {"period_end": "2027-12-31"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "extended"
    kinds = [a["kind"] for a in response.json()["amendments"]]
    assert kinds[0] == "created" and kinds[-1] == "extended"


def test_only_the_lead_agency_forms_a_jit_in_the_browser(case_world, client):
    url = reverse("cases:jit-create", args=[case_world.case.pk])
    data = {"name": "JIT 2", "legal_basis": "budapest", "status": "active"}
    client.force_login(case_world.partner.investigator)
    assert client.post(url, data).status_code == 403
    client.force_login(case_world.owner.investigator)
    assert client.post(url, data).status_code == 302
    response = client.post(url, {"name": "JIT 3", "legal_basis": "other", "legal_basis_text": ""})
    assert response.status_code == 400 and "legal_basis_text" in response.context["jit_form"].errors


def test_a_later_end_date_is_recorded_as_an_extension(case_world, client):
    client.force_login(case_world.owner.investigator)
    url = reverse("cases:jit-edit", args=[case_world.jit.pk])
    response = client.post(
        url,
        {
            "name": "JIT Botnet",
            "purpose": "p",
            "legal_basis": "eu_jit",
            "period_start": "2026-01-01",
            "period_end": "2027-06-30",
        },
    )
    assert response.status_code == 302
    case_world.jit.refresh_from_db()
    assert case_world.jit.status == "extended"
    assert case_world.jit.amendments.filter(kind="extended").exists()
    client.force_login(case_world.partner.investigator)
    assert client.post(url, {"name": "x"}).status_code == 403


def test_membership_changes_are_dated_amendments(case_world):
    kinds = list(case_world.jit.amendments.values_list("kind", "agency__code"))
    assert kinds == [
        ("created", "DE-BKA"),
        ("member_invited", "NL-NHTCU"),
        ("member_accepted", "NL-NHTCU"),
        ("member_invited", "FR-OFAC"),
        ("member_accepted", "FR-OFAC"),
        ("member_left", "FR-OFAC"),
    ]
    assert all(a.effective_date for a in case_world.jit.amendments.all())
