"""An outsider learns nothing beyond "hit": one test per channel (REST, TAXII, STIX export,
correlation, HTML). Hidden and missing things must look exactly alike."""

from __future__ import annotations

import json
import uuid

import pytest

from interop.models import AccessRequestTarget
from interop.selectors import collection_id
from interop.services import access_request_create

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


@pytest.fixture
def outsider_key(world, key_for):
    return key_for(world.outsider)


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


def test_taxii_hides_objects_manifest_entries_and_counts(world, secret, client, outsider_key):
    taxii = {"HTTP_ACCEPT": "application/taxii+json;version=2.1", **outsider_key.bearer}
    base = f"/taxii2/cybercoop/collections/{collection_id(world.outsider.agency, 'shared')}/"
    assert client.get(base + "objects/", **taxii).json() == {"more": False}
    assert client.get(base + "manifest/", **taxii).json() == {"more": False}
    hidden = client.get(base + f"objects/{secret[0].stix_id}/", **taxii)
    missing = client.get(base + f"objects/indicator--{uuid.uuid4()}/", **taxii)
    assert hidden.status_code == missing.status_code == 404 and hidden.content == missing.content
    versions = client.get(base + f"objects/{secret[0].stix_id}/versions/", **taxii)
    assert versions.status_code == 404
    owner_collection = (
        f"/taxii2/cybercoop/collections/{collection_id(world.owner.agency, 'shared')}/"
    )
    unknown = f"/taxii2/cybercoop/collections/{uuid.uuid4()}/"
    assert client.get(owner_collection, **taxii).content == client.get(unknown, **taxii).content
    filtered = client.get(base + "objects/", {"match[id]": secret[0].stix_id}, **taxii)
    assert filtered.json() == {"more": False} and "X-TAXII-Date-Added-First" not in filtered


def test_stix_export_contains_nothing_of_the_owner(world, secret, api_client_for):
    client = api_client_for(world.outsider.investigator, world.outsider.agency)
    response = client.get("/api/v1/stix/export/")
    bundle = json.loads(response.content)
    assert bundle["objects"] == []
    assert SECRET not in response.content.decode() and "DE-BKA" not in response.content.decode()
    for params in ({"type": "domain"}, {"since": "2000-01-01T00:00:00Z"}, {"case": 1}):
        assert json.loads(client.get("/api/v1/stix/export/", params).content)["objects"] == []


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
