"""An outsider learns nothing beyond "hit" through correlation: REST lookups, correlations,
access requests and the HTML pages. Hidden and missing things must look exactly alike."""

from __future__ import annotations

import json

import pytest

from sharing.access_requests import access_request_create
from sharing.models import AccessRequestTarget

pytestmark = pytest.mark.django_db
SECRET = "operation-nightjar"


@pytest.fixture
def secret(world, add_indicators):
    """The owner holds two indicators with a secret description; nothing is shared."""
    return add_indicators(
        world.owner,
        [
            {"type": "domain", "value": "nightjar.example", "description": SECRET},
            {"type": "ipv4", "value": "198.51.100.200", "description": SECRET},
        ],
    )


def test_rest_hidden_and_missing_ids_answer_the_same_404(world, secret, api_client_for):
    client = api_client_for(world.outsider.investigator, world.outsider.agency)
    missing_id = max(i.pk for i in secret) + 1000
    for template in (
        "/api/v1/indicators/{}/",
        "/api/v1/correlations/indicators/{}/",
        "/api/v1/access-requests/{}/",
        "/api/v1/access-requests/inbox/{}/",
    ):
        hidden = client.get(template.format(secret[0].pk))
        missing = client.get(template.format(missing_id))
        assert hidden.status_code == missing.status_code == 404, template
        assert hidden.content == missing.content
    request = client.post(
        "/api/v1/access-requests/",
        {"indicator": secret[0].pk, "reason": "r", "legal_basis": "b", "handling_code": "H0"},
        format="json",
    )
    assert request.status_code == 404
    listing = client.get("/api/v1/indicators/").content.decode()
    assert SECRET not in listing and "nightjar" not in listing


def test_correlation_says_hit_and_nothing_more(world, secret, add_indicators, api_client_for):
    client = api_client_for(world.outsider.investigator, world.outsider.agency)

    def lookup(value):
        return client.post("/api/v1/correlations/lookup/", {"values": [value]}, format="json")

    single = lookup("nightjar.example").json()
    add_indicators(world.partner, [{"type": "domain", "value": "nightjar.example"}])
    double = lookup("nightjar.example").json()
    assert (
        single
        == double
        == {
            "results": [
                {
                    "type": "domain",
                    "value": "nightjar.example",
                    "normalized": "nightjar.example",
                    "result": "hit",
                    "ids": [],
                }
            ]
        }
    )
    none = lookup("unknown.example").json()["results"][0]
    assert set(none) == set(single["results"][0]) and none["ids"] == []
    (mine,) = add_indicators(world.outsider, [{"type": "domain", "value": "nightjar.example"}])
    detail = client.get(f"/api/v1/correlations/indicators/{mine.pk}/").json()
    assert detail == {"indicator": mine.pk, "visible": [], "held_elsewhere": True}
    request = access_request_create(
        actor=world.outsider.investigator,
        indicator=mine,
        reason="Fraud",
        legal_basis="MLA",
        handling_code="H0",
    )
    body = client.get(f"/api/v1/access-requests/{request.pk}/").content.decode()
    assert "DE-BKA" not in body and "NL-NHTCU" not in body and SECRET not in body
    assert set(json.loads(body)) == {
        "id",
        "requester",
        "requested_by",
        "indicator",
        "reason",
        "legal_basis",
        "handling_code",
        "created_at",
        "outcome",
    }
    assert AccessRequestTarget.objects.filter(request=request).count() == 2


def test_html_pages_show_the_hit_but_not_the_holder(world, secret, add_indicators, client_for):
    (mine,) = add_indicators(world.outsider, [{"type": "ipv4", "value": "198.51.100.200"}])
    client = client_for(world.outsider.investigator)
    text = client.get("/correlations/").content.decode()
    assert "Another agency holds a match." in text
    assert "DE-BKA" not in text and SECRET not in text and f"#{secret[1].pk}" not in text
    text = client.post(
        "/correlations/", {"values": "198.51.100.200\nnightjar.example"}
    ).content.decode()
    assert text.count("Another agency holds a match") >= 2
    assert "DE-BKA" not in text and SECRET not in text
    hidden = client.get(f"/indicators/{secret[0].pk}/")
    missing = client.get(f"/indicators/{secret[0].pk + 1000}/")
    assert hidden.status_code == missing.status_code == 404
    assert client.get(f"/correlations/indicators/{secret[0].pk}/request/").status_code == 404
    client.post(
        f"/correlations/indicators/{mine.pk}/request/",
        {"reason": "Fraud", "legal_basis": "MLA", "handling_code": "H0"},
    )
    text = client.get("/correlations/requests/").content.decode()
    assert "Fraud" in text and "DE-BKA" not in text and SECRET not in text
