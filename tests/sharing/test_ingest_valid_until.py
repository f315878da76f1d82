"""Ingest refuses an indicator whose valid_until is not later than its valid_from (simple
JSON's first_seen, else created), naming the field valid_until, in the per-item report."""

from __future__ import annotations

import pytest

from sharing.ingest import VALID_UNTIL_NOT_LATER, indicators_ingest
from sharing.models import Indicator
from tests.stix_objects import stix_indicator

pytestmark = pytest.mark.django_db
URL = "/api/v1/indicators/"


def ipv4_indicator(value: str, valid_from: str, valid_until: str) -> dict:
    pattern = f"[ipv4-addr:value = '{value}']"
    return stix_indicator(pattern, valid_from=valid_from, valid_until=valid_until)


def test_valid_until_before_or_equal_to_first_seen_is_rejected_naming_valid_until(world):
    report = indicators_ingest(
        actor=world.owner.investigator,
        agency=world.owner.agency,
        items=[
            {
                "type": "ipv4",
                "value": "192.0.2.1",
                "first_seen": "2026-02-01T00:00:00Z",
                "valid_until": "2026-01-01T00:00:00Z",
            },
            {
                "type": "ipv4",
                "value": "192.0.2.2",
                "first_seen": "2026-02-01T00:00:00Z",
                "valid_until": "2026-02-01T00:00:00Z",
            },
            {
                "type": "ipv4",
                "value": "192.0.2.3",
                "created": "2026-02-01T00:00:00Z",
                "valid_until": "2026-01-31T00:00:00Z",
            },
            {
                "type": "ipv4",
                "value": "192.0.2.4",
                "first_seen": "2026-02-01T00:00:00Z",
                "valid_until": "2026-02-01T00:00:01Z",
            },
        ],
    )
    assert report.errors == [
        {"index": i, "field": "valid_until", "reason": VALID_UNTIL_NOT_LATER} for i in (0, 1, 2)
    ]
    assert [i.normalized for i in report.created] == ["192.0.2.4"]


def test_a_stix_indicator_whose_valid_until_is_not_after_valid_from_is_rejected(world):
    report = indicators_ingest(
        actor=world.owner.investigator,
        agency=world.owner.agency,
        items=[ipv4_indicator("192.0.2.5", "2026-03-01T00:00:00Z", "2026-03-01T00:00:00Z")],
    )
    assert report.errors == [{"index": 0, "field": "valid_until", "reason": VALID_UNTIL_NOT_LATER}]
    assert not report.created


@pytest.mark.parametrize("side", ["owner", "partner", "outsider"])
def test_the_rest_ingest_reports_valid_until_per_item_for_every_agency(world, clients, side):
    items = [
        {"type": "domain", "value": "ok.example"},
        ipv4_indicator("192.0.2.6", "2026-03-01T00:00:00Z", "2026-02-01T00:00:00Z"),
    ]
    response = clients[side].post(URL, items, format="json")
    assert response.status_code == 201
    assert response.json()["errors"] == [
        {"index": 1, "field": "valid_until", "reason": VALID_UNTIL_NOT_LATER}
    ]
    assert not Indicator.objects.filter(normalized="192.0.2.6").exists()


def test_a_single_object_with_a_bad_valid_until_is_a_400_naming_the_field(clients):
    item = {
        "type": "ipv4",
        "value": "192.0.2.7",
        "first_seen": "2026-03-01T00:00:00Z",
        "valid_until": "2026-01-01T00:00:00Z",
    }
    response = clients["owner"].post(URL, item, format="json")
    assert response.status_code == 400
    assert response.json() == {"valid_until": [VALID_UNTIL_NOT_LATER]}
