"""The STIX import report rejects an indicator whose valid_until is not later than its
valid_from — typed or pattern-only — by index, id and a reason naming valid_until."""

from __future__ import annotations

import uuid

import pytest

from sharing.ingest import VALID_UNTIL_NOT_LATER
from tests.stix_objects import stix_indicator

URL = "/api/v1/stix/bundles/"
pytestmark = pytest.mark.django_db


def indicator(pattern: str, valid_until: str) -> dict:
    return stix_indicator(pattern, valid_from="2026-02-01T00:00:00Z", valid_until=valid_until)


def test_valid_until_not_after_valid_from_is_rejected_for_typed_and_pattern_only(
    world, api_client_for
):
    client = api_client_for(world.owner.investigator, world.owner.agency)
    objects = [
        indicator("[ipv4-addr:value = '198.51.100.20']", "2026-01-15T00:00:00Z"),
        indicator(
            "[ipv4-addr:value = '198.51.100.21'] OR [domain-name:value = 'a.example']",
            "2026-02-01T00:00:00Z",
        ),
        indicator("[ipv4-addr:value = '198.51.100.22']", "2026-02-02T00:00:00Z"),
    ]
    response = client.post(
        URL, {"type": "bundle", "id": f"bundle--{uuid.uuid4()}", "objects": objects}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["counts"]["created"] == 1 and body["counts"]["rejected"] == 2
    reason = f"valid_until: {VALID_UNTIL_NOT_LATER}"
    assert body["rejected"] == [
        {"index": 0, "id": objects[0]["id"], "reason": reason},
        {"index": 1, "id": objects[1]["id"], "reason": reason},
    ]
