"""Ingest over the API: one item, a list with a per-item report, STIX bundles, idempotency,
limits, and browser sessions acting for their agency."""

from __future__ import annotations

import uuid

from rest_framework.test import APIClient

from agencies import services as agency_services
from agencies.models import Membership
from sharing.models import Delivery, Indicator


def test_one_indicator_is_ingested_with_provenance(world, clients):
    response = clients["owner"].post(
        "/api/v1/indicators/",
        {"type": "domain", "value": "Bücher.example", "tlp": "GREEN"},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["normalized"] == "xn--bcher-kva.example" and body["owner"] == "DE-BKA"
    assert body["stix_id"].startswith("indicator--")
    stored = Indicator.objects.get(pk=body["id"])
    assert stored.source_api_key is not None and stored.source_api_key.agency == world.owner.agency


def test_an_invalid_value_gets_a_400_naming_it(world, clients):
    response = clients["owner"].post(
        "/api/v1/indicators/", {"type": "ipv4", "value": "300.1.1.1"}, format="json"
    )
    assert response.status_code == 400
    assert "'300.1.1.1' is not a valid IPv4 address" in response.json()["value"][0]
    assert not Indicator.objects.exists()


def test_ingest_is_idempotent_on_stix_id_and_modified(world, clients):
    stix_id = f"indicator--{uuid.uuid4()}"
    item = {
        "id": stix_id,
        "type": "ipv4",
        "value": "192.0.2.81",
        "modified": "2026-01-01T00:00:00Z",
        "confidence": 40,
    }
    assert clients["owner"].post("/api/v1/indicators/", item, format="json").status_code == 201
    again = clients["owner"].post("/api/v1/indicators/", item, format="json")
    assert again.status_code == 200 and again.json()["confidence"] == 40
    newer = {**item, "modified": "2026-02-01T00:00:00Z", "confidence": 90}
    assert (
        clients["owner"].post("/api/v1/indicators/", newer, format="json").json()["confidence"]
        == 90
    )
    assert Indicator.objects.count() == 1
    assert Indicator.objects.get().stix_id == stix_id


def test_a_list_gets_a_per_item_report_and_its_valid_items_are_stored(world, clients):
    items = [
        {"type": "ipv4", "value": "192.0.2.82"},
        {"type": "sha256", "value": "abc"},
        {"type": "nope", "value": "x"},
        {"type": "url", "value": "HTTPS://Evil.example:443/login"},
        {"type": "ipv4", "value": "192.0.2.82"},
        {"type": "asn", "value": "AS64500", "confidence": 101},
    ]
    response = clients["owner"].post("/api/v1/indicators/", items, format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["created"] == 2 and body["rejected"] == 4
    errors = {e["index"]: (e["field"], e["reason"]) for e in body["errors"]}
    assert errors[1][0] == "value" and "64 hexadecimal" in errors[1][1]
    assert errors[2][0] == "type"
    assert errors[4][0] == "value" and "Duplicate of item 0" in errors[4][1]
    assert errors[5][0] == "confidence"
    assert set(Indicator.objects.values_list("normalized", flat=True)) == {
        "192.0.2.82",
        "https://evil.example/login",
    }


def test_a_stix_bundle_is_ingested(world, clients):
    bundle = {
        "type": "bundle",
        "id": f"bundle--{uuid.uuid4()}",
        "objects": [
            {
                "type": "indicator",
                "spec_version": "2.1",
                "id": f"indicator--{uuid.uuid4()}",
                "created": "2026-01-01T00:00:00Z",
                "modified": "2026-01-01T00:00:00Z",
                "pattern": "[file:hashes.'SHA-256' = '" + "A" * 64 + "']",
                "pattern_type": "stix",
                "valid_from": "2026-01-01T00:00:00Z",
                "object_marking_refs": ["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"],
            },
            {"type": "indicator", "id": "indicator--bad", "pattern": "[x:y = 'z']"},
        ],
    }
    response = clients["owner"].post("/api/v1/indicators/", bundle, format="json")
    assert response.status_code == 201
    assert response.json()["errors"] == [
        {"index": 1, "field": "id", "reason": "expected indicator--<uuid>"}
    ]
    stored = Indicator.objects.get()
    assert (stored.type, stored.normalized, stored.tlp) == ("sha256", "a" * 64, "GREEN")


def test_malformed_json_writes_nothing(world, clients):
    response = clients["owner"].post(
        "/api/v1/indicators/",
        data='[{"type": "ipv4", "value": "1.2.3.4"',
        content_type="application/json",
    )
    assert response.status_code == 400
    assert not Indicator.objects.exists()


def test_an_oversized_body_gets_413_and_writes_nothing(world, clients, settings):
    settings.SHARING_INGEST_MAX_BYTES = 100
    items = [{"type": "ipv4", "value": f"192.0.2.{n}"} for n in range(10)]
    response = clients["owner"].post("/api/v1/indicators/", items, format="json")
    assert response.status_code == 413
    assert not Indicator.objects.exists()


def test_anonymous_cannot_ingest(world, clients):
    response = clients["anonymous"].post(
        "/api/v1/indicators/", {"type": "ipv4", "value": "1.2.3.4"}, format="json"
    )
    assert response.status_code == 401


def test_an_id_another_agency_holds_is_a_copy_of_ones_own_and_an_invisible_case_an_error(
    world, clients
):
    from cases.models import Case

    stix_id = f"indicator--{uuid.uuid4()}"
    clients["partner"].post(
        "/api/v1/indicators/", {"id": stix_id, "type": "ipv4", "value": "192.0.2.99"}, format="json"
    )
    case = Case.objects.create(reference="IN-CBI-1", title="x", lead_agency=world.outsider.agency)
    response = clients["owner"].post(
        "/api/v1/indicators/",
        [
            {
                "id": stix_id,
                "type": "ipv4",
                "value": "192.0.2.99",
                "modified": "2030-01-01T00:00:00Z",
            },
            {"type": "ipv4", "value": "192.0.2.98", "case": case.pk},
        ],
        format="json",
    )
    assert response.status_code == 201
    assert [(e["index"], e["field"]) for e in response.json()["errors"]] == [(1, "case")]
    copies = Indicator.objects.filter(stix_uuid=stix_id.split("--")[1])
    assert {i.owner for i in copies} == {world.partner.agency, world.owner.agency}


def test_a_second_id_for_a_value_held_is_refused_naming_the_id_that_holds_it(world, clients):
    first = f"indicator--{uuid.uuid4()}"
    clients["owner"].post(
        "/api/v1/indicators/", {"id": first, "type": "ipv4", "value": "192.0.2.97"}, format="json"
    )
    second = {"id": f"indicator--{uuid.uuid4()}", "type": "ipv4", "value": "192.0.2.97"}
    response = clients["owner"].post("/api/v1/indicators/", second, format="json")
    assert response.status_code == 400
    (reason,) = response.json()["id"]
    assert first in reason and "already holds this value" in reason


def test_a_newer_revoked_version_over_the_api_revokes_and_tombstones(
    world, clients, eu_agreement, partner_endpoint, receiver
):
    from sharing import delivery

    stix_id = f"indicator--{uuid.uuid4()}"
    item = {
        "id": stix_id,
        "type": "ipv4",
        "value": "192.0.2.97",
        "modified": "2026-01-01T00:00:00Z",
    }
    pk = clients["owner"].post("/api/v1/indicators/", item, format="json").json()["id"]
    clients["owner"].post(
        f"/api/v1/indicators/{pk}/shares/", {"agencies": ["NL-NHTCU"]}, format="json"
    )
    delivery.deliver(Delivery.objects.get().pk)
    revoked = {**item, "modified": "2026-02-01T00:00:00Z", "revoked": True}
    assert clients["owner"].post("/api/v1/indicators/", revoked, format="json").json()["revoked"]
    assert clients["partner"].get(f"/api/v1/indicators/{pk}/").status_code == 404
    delivery.deliver(Delivery.objects.get(status="pending").pk)
    assert receiver.objects() == [(stix_id, 0), (stix_id, 1)]


def _session(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def test_browser_session_ingest_acts_for_its_only_agency(world):
    response = _session(world.owner.investigator).post(
        "/api/v1/indicators/", {"type": "ipv4", "value": "198.51.100.1"}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["owner"] == world.owner.agency.code


def test_browser_session_ingest_names_the_agency_in_the_body(world):
    user = world.owner.investigator
    agency_services.membership_set(
        actor=None, agency=world.partner.agency, user=user, role=Membership.Role.INVESTIGATOR
    )
    client = _session(user)
    body = {"type": "ipv4", "value": "198.51.100.2", "agency": world.partner.agency.code}
    response = client.post("/api/v1/indicators/", body, format="json")
    assert response.status_code == 201
    assert response.json()["owner"] == world.partner.agency.code
    unnamed = client.post(
        "/api/v1/indicators/", {"type": "ipv4", "value": "198.51.100.3"}, format="json"
    )
    assert unnamed.status_code == 400
    assert "agency" in unnamed.json()
    foreign = {**body, "agency": world.outsider.agency.code}
    response = client.post("/api/v1/indicators/", foreign, format="json")
    assert response.status_code == 400
    assert "agency" in response.json()


def test_browser_session_ingest_of_a_list(world):
    items = [{"type": "ipv4", "value": "198.51.100.4"}, {"type": "ipv4", "value": "198.51.100.5"}]
    response = _session(world.owner.investigator).post("/api/v1/indicators/", items, format="json")
    assert response.status_code == 201
    assert response.json()["created"] == 2


def test_ids_another_request_stored_meanwhile_get_a_409_and_nothing_is_written(
    world, clients, monkeypatch
):
    """Two requests with the same new ids: both read "not stored", one commits first, the
    other's COPY meets the unique key — a 409 to send again, not a 500."""
    from sharing import ingest

    items = [
        {"id": f"indicator--{uuid.uuid4()}", "type": "ipv4", "value": f"192.0.2.{n}"}
        for n in (91, 92)
    ]
    first = clients["owner"].post("/api/v1/indicators/", items, format="json")
    assert first.status_code in (200, 201, 207), first.content
    monkeypatch.setattr(ingest, "_stored", lambda items, agency: ingest._Stored({}, {}))
    again = clients["owner"].post(
        "/api/v1/indicators/", [{**i, "confidence": 90} for i in items], format="json"
    )
    assert again.status_code == 409
    assert "Send the request again" in again.json()["detail"]
    assert Indicator.objects.count() == 2
    assert not Indicator.objects.filter(confidence=90).exists()
