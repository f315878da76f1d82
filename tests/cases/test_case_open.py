"""Opening a case, in the browser and over the API: the reference, and bad input named."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cases.models import Case

pytestmark = pytest.mark.django_db


def test_an_investigator_opens_a_case_over_the_api(world, api_client_for):
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
def test_bad_input_over_the_api_is_400_naming_the_field(world, api_client_for, payload, field):
    client = api_client_for(world.owner.investigator, world.owner.agency)
    response = client.post("/api/v1/cases/", payload, format="json")
    assert response.status_code == 400 and field in response.json(), response.json()
    assert not Case.objects.exists()


def test_an_investigator_opens_a_case_in_the_browser(world, client):
    client.force_login(world.owner.investigator)
    response = client.post(
        reverse("cases:create"),
        {
            "lead_agency": world.owner.agency.pk,
            "title": "Phishing kit",
            "status": "open",
            "tlp": "GREEN",
            "handling_code": "H0",
            "offence_categories": ["computer_fraud"],
            "tags": "phishing, kit",
        },
    )
    case = Case.objects.get(title="Phishing kit")
    assert response.status_code == 302 and case.tags == ["phishing", "kit"]
    assert case.reference.startswith("DE-BKA-")


def test_bad_input_in_the_browser_is_400_naming_the_field(world, client):
    client.force_login(world.owner.investigator)
    response = client.post(
        reverse("cases:create"),
        {
            "lead_agency": world.owner.agency.pk,
            "title": "",
            "status": "open",
            "tlp": "GREEN",
            "handling_code": "H3",
            "handling_text": "",
        },
    )
    assert response.status_code == 400
    assert "title" in response.context["form"].errors
    response = client.post(
        reverse("cases:create"),
        {
            "lead_agency": world.owner.agency.pk,
            "title": "x",
            "status": "open",
            "tlp": "GREEN",
            "handling_code": "H3",
            "handling_text": "",
        },
    )
    assert response.status_code == 400 and "handling_text" in response.context["form"].errors
    assert not Case.objects.exists()


def test_nobody_opens_a_case_for_another_agency(world, client):
    client.force_login(world.owner.investigator)
    response = client.post(
        reverse("cases:create"),
        {
            "lead_agency": world.partner.agency.pk,
            "title": "x",
            "status": "open",
            "tlp": "GREEN",
            "handling_code": "H0",
        },
    )
    assert response.status_code == 400 and "lead_agency" in response.context["form"].errors
