"""An outsider learns nothing of another agency's indicators over TAXII or the STIX export.
Hidden and missing things must look exactly alike."""

from __future__ import annotations

import json
import uuid

import pytest

from interop.selectors import collection_id

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
