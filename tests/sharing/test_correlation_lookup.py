"""Hit/no-hit: matches recorded as indicators arrive and bulk lookups answering visible,
hit or none, in a few queries, audited."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEvent
from audit.services import sequence_pending
from sharing.models import Match

pytestmark = pytest.mark.django_db
LOOKUP = "/api/v1/correlations/lookup/"


@pytest.fixture
def held(world, add_indicators):
    """The owner (DE-BKA) holds 198.51.100.77 unshared; the partner then adds it too."""
    (mine,) = add_indicators(world.owner, [{"type": "ipv4", "value": "198.51.100.77"}])
    (theirs,) = add_indicators(world.partner, [{"type": "ipv4", "value": " 198.51.100.77 "}])
    return mine, theirs


def test_adding_an_indicator_records_matches_across_agencies(held):
    mine, theirs = held
    assert list(Match.objects.values_list("indicator", "other")) == [(theirs.pk, mine.pk)]
    event = AuditEvent.objects.filter(action="correlation.matches_found").get()
    assert event.summary["matches"] == 1


def test_lookup_answers_visible_hit_or_none_in_a_few_queries(world, held, api_client_for):
    mine, theirs = held
    client = api_client_for(world.partner.investigator, world.partner.agency)
    # Warm up: the key's last use is stamped and content types are cached.
    client.post(LOOKUP, {"values": ["198.51.100.77"]}, format="json")
    values = [
        "198.51.100.77",
        {"type": "domain", "value": "nothing.example"},
        *[f"203.0.113.{i}" for i in range(200)],
    ]
    with CaptureQueriesContext(connection) as queries:
        response = client.post(LOOKUP, {"values": values}, format="json")
    assert response.status_code == 200, response.content
    results = response.json()["results"]
    assert results[0] == {
        "type": "ipv4",
        "value": "198.51.100.77",
        "normalized": "198.51.100.77",
        "result": "visible",
        "ids": [theirs.pk],
    }
    assert results[1]["result"] == "none" and results[1]["ids"] == []
    assert {r["result"] for r in results[2:]} == {"none"}
    few = len(queries)
    with CaptureQueriesContext(connection) as queries:
        client.post(LOOKUP, {"values": values * 10}, format="json")
    assert len(queries) == few  # independent of the number of values
    outsider = api_client_for(world.outsider.investigator, world.outsider.agency)
    (hit,) = outsider.post(LOOKUP, {"values": ["198.51.100.77"]}, format="json").json()["results"]
    assert hit == {
        "type": "ipv4",
        "value": "198.51.100.77",
        "normalized": "198.51.100.77",
        "result": "hit",
        "ids": [],
    }
    assert not AuditEvent.objects.filter(action="correlation.lookup").exists()  # not yet
    assert sequence_pending() == 4  # what the task queued on commit does
    assert AuditEvent.objects.filter(action="correlation.lookup").count() == 4


def test_lookup_validates_values_naming_the_item(world, api_client_for):
    client = api_client_for(world.partner.investigator, world.partner.agency)
    response = client.post(
        LOOKUP, {"values": ["1.2.3.4", {"type": "ipv4", "value": "x"}]}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()["values"]) == ["1"]
    assert "values" in client.post(LOOKUP, {"values": []}, format="json").json()
    too_many = client.post(LOOKUP, {"values": ["1.2.3.4"] * 10_001}, format="json")
    assert too_many.status_code == 400 and too_many.json() == {
        "values": ["At most 10,000 values per request."]
    }
    assert client.post(LOOKUP, {}, format="json").status_code == 400
