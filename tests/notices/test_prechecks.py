"""Submission pre-checks: a 400 that names every problem field at once."""

from __future__ import annotations

import pytest

from cases.services import case_open
from notices import prechecks
from tests.notices.conftest import red_payload


def _submit(api_client_for, world, payload):
    client = api_client_for(world.owner.investigator, world.owner.agency)
    response = client.post("/api/v1/notices/", payload, format="json")
    assert response.status_code == 201, response.json()
    return client.post(f"/api/v1/notices/{response.json()['id']}/submit/")


def test_an_empty_red_notice_names_every_missing_field_at_once(world, api_client_for):
    response = _submit(api_client_for, world, {"notice_type": "RED"})
    assert response.status_code == 400
    assert set(response.json()) == {
        "languages",
        "family_name",
        "forenames",
        "date_of_birth",
        "sex",
        "nationalities",
        "offence_category",
        "facts_summary",
        "facts_date",
        "facts_place",
        "charges",
        "law",
        "judicial_basis",
        "warrant_reference",
        "warrant_authority",
        "warrant_date",
    }
    assert "required for a Red notice" in response.json()["charges"][0]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"max_penalty_months": 18}, "max_penalty_months", prechecks.RED_PROSECUTION_THRESHOLD),
        ({"max_penalty_months": None}, "max_penalty_months", "required"),
        (
            {
                "judicial_basis": "sentence",
                "max_penalty_months": None,
                "sentence_remaining_months": 4,
            },
            "sentence_remaining_months",
            prechecks.RED_SENTENCE_THRESHOLD,
        ),
        ({"offence_category": "family"}, "offence_category", prechecks.EXCLUDED_CATEGORY),
        ({"offence_category": "private"}, "offence_category", prechecks.EXCLUDED_CATEGORY),
        ({"offence_category": "administrative"}, "offence_category", prechecks.EXCLUDED_CATEGORY),
        ({"date_of_birth": None}, "date_of_birth", "required"),
        ({"warrant_reference": ""}, "warrant_reference", "required"),
    ],
)
def test_a_red_notice_is_refused_naming_its_field(world, api_client_for, overrides, field, message):

    response = _submit(api_client_for, world, red_payload(**overrides))
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert message in response.json()[field][0]


def test_the_penalty_thresholds_are_inclusive(world, api_client_for):

    assert _submit(api_client_for, world, red_payload(max_penalty_months=24)).status_code == 200
    response = _submit(
        api_client_for,
        world,
        red_payload(
            judicial_basis="sentence", max_penalty_months=None, sentence_remaining_months=6
        ),
    )
    assert response.status_code == 200


def test_a_purple_notice_needs_a_modus_operandi(world, api_client_for):
    response = _submit(
        api_client_for,
        world,
        {"notice_type": "PURPLE", "languages": ["EN"], "offence_category": "criminal"},
    )
    assert response.status_code == 400
    assert list(response.json()) == ["subject_description"]


def test_a_diffusion_needs_recipients(world, api_client_for):
    payload = {
        "notice_type": "DIFFUSION",
        "languages": ["EN"],
        "family_name": "Doe",
        "offence_category": "criminal",
        "facts_summary": "Phishing",
        "charges": "Fraud",
    }
    response = _submit(api_client_for, world, payload)
    assert response.status_code == 400
    assert list(response.json()) == ["recipients"]


def test_a_public_extract_is_refused_for_other_types(world, api_client_for):
    payload = {
        "notice_type": "BLUE",
        "languages": ["EN"],
        "family_name": "Doe",
        "forenames": "Jane",
        "offence_category": "criminal",
        "facts_summary": "x",
        "charges": "y",
        "public_extract_consent": True,
    }
    response = _submit(api_client_for, world, payload)
    assert response.status_code == 400
    assert list(response.json()) == ["public_extract_consent"]


def test_a_linked_case_must_be_visible_to_the_requester(world, api_client_for):

    own = case_open(actor=world.owner.investigator, lead_agency=world.owner.agency, title="Ours")
    foreign = case_open(
        actor=world.partner.investigator, lead_agency=world.partner.agency, title="Theirs"
    )
    client = api_client_for(world.owner.investigator, world.owner.agency)
    for pk in (foreign.pk, 999999):
        response = client.post("/api/v1/notices/", red_payload(case=pk), format="json")
        assert response.status_code == 400
        assert list(response.json()) == ["case"]
    response = client.post("/api/v1/notices/", red_payload(case=own.pk), format="json")
    assert response.status_code == 201
    assert response.json()["case"] == own.pk
