"""REST API: owner / partner / outsider / anonymous for every endpoint, ingest reports."""

from __future__ import annotations

import json
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from agencies.models import PartnerEndpoint
from sharing import services
from sharing.models import Delivery, Indicator
from tests.sharing.conftest import add


@pytest.fixture
def clients(world, api_client_for):
    return {
        "owner": api_client_for(world.owner.investigator, world.owner.agency),
        "partner": api_client_for(world.partner.investigator, world.partner.agency),
        "outsider": api_client_for(world.outsider.investigator, world.outsider.agency),
        "anonymous": APIClient(),
    }


def _shared(world):
    (ind,) = add(world.owner, ("ipv4", "192.0.2.80"))
    services.indicator_share(
        actor=world.owner.investigator,
        indicators=[ind],
        spec=services.ShareSpec(agencies=[world.partner.agency]),
    )
    return ind


# --- ingest ---------------------------------------------------------------------------------


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


# --- reads ----------------------------------------------------------------------------------


def test_list_and_detail_follow_visibility(world, clients, eu_agreement):
    ind = _shared(world)
    (private,) = add(world.owner, ("ipv4", "192.0.2.83"))
    listed = {
        k: [i["id"] for i in c.get("/api/v1/indicators/").json().get("results", [])]
        for k, c in clients.items()
        if k != "anonymous"
    }
    assert set(listed["owner"]) == {ind.pk, private.pk}
    assert listed["partner"] == [ind.pk]
    assert listed["outsider"] == []
    assert clients["anonymous"].get("/api/v1/indicators/").status_code == 401
    assert clients["partner"].get(f"/api/v1/indicators/{ind.pk}/").status_code == 200
    assert clients["partner"].get(f"/api/v1/indicators/{private.pk}/").status_code == 404
    assert clients["outsider"].get(f"/api/v1/indicators/{ind.pk}/").status_code == 404
    assert clients["outsider"].get("/api/v1/indicators/999999/").status_code == 404
    assert clients["anonymous"].get(f"/api/v1/indicators/{ind.pk}/").status_code == 401


def test_search_finds_the_exact_normalised_value(world, clients):
    add(world.owner, ("domain", "xn--bcher-kva.example"), ("domain", "other.example"))
    found = clients["owner"].get("/api/v1/indicators/", {"q": "BÜCHER.example"}).json()["results"]
    assert [i["normalized"] for i in found] == ["xn--bcher-kva.example"]


def test_the_list_query_count_does_not_grow_with_page_size(world, clients):
    add(world.owner, *[("ipv4", f"198.51.100.{n}") for n in range(30)])
    clients["owner"].get("/api/v1/indicators/")  # the key records its first use
    counts = []
    for limit in (2, 30):
        with CaptureQueriesContext(connection) as ctx:
            assert clients["owner"].get("/api/v1/indicators/", {"limit": limit}).status_code == 200
        counts.append(len(ctx))
    assert counts[0] == counts[1]


# --- shares and revocation ------------------------------------------------------------------


def test_the_owner_shares_and_the_partner_then_sees_it(world, clients, eu_agreement):
    (ind,) = add(world.owner, ("ipv4", "192.0.2.84"))
    url = f"/api/v1/indicators/{ind.pk}/shares/"
    response = clients["owner"].post(url, {"agencies": ["NL-NHTCU"]}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["legal_basis"][0]["recipient"] == "NL-NHTCU"
    assert clients["owner"].get(url).json()[0]["agencies"] == ["NL-NHTCU"]
    assert clients["partner"].get(f"/api/v1/indicators/{ind.pk}/").status_code == 200
    # the partner may see but not widen
    assert clients["partner"].post(url, {"community": True}, format="json").status_code == 403
    assert clients["partner"].get(url).status_code == 403
    assert clients["outsider"].post(url, {"agencies": ["IN-CBI"]}, format="json").status_code == 404
    assert (
        clients["anonymous"].post(url, {"agencies": ["NL-NHTCU"]}, format="json").status_code == 401
    )


def test_a_share_without_legal_basis_is_refused_with_what_is_missing(world, clients, eu_agreement):
    (ind,) = add(world.owner, ("ipv4", "192.0.2.85"))
    response = clients["owner"].post(
        f"/api/v1/indicators/{ind.pk}/shares/", {"agencies": ["IN-CBI"]}, format="json"
    )
    assert response.status_code == 400
    assert "No legal basis on record" in response.json()["legal_basis"][0]
    assert "IN-CBI" in response.json()["legal_basis"][0]


def test_an_unknown_agency_is_a_400_naming_the_field(world, clients, eu_agreement):
    (ind,) = add(world.owner, ("ipv4", "192.0.2.86"))
    response = clients["owner"].post(
        f"/api/v1/indicators/{ind.pk}/shares/", {"agencies": ["XX-NONE"]}, format="json"
    )
    assert response.status_code == 400 and "agencies" in response.json()


def test_bulk_share_of_several_indicators(world, clients, eu_agreement):
    inds = add(world.owner, ("ipv4", "192.0.2.87"), ("ipv4", "192.0.2.88"))
    response = clients["owner"].post(
        "/api/v1/shares/",
        {"indicators": [i.pk for i in inds], "jurisdictions": ["EU"]},
        format="json",
    )
    assert response.status_code == 201 and response.json()["indicators"] == 2
    assert (
        clients["outsider"]
        .post(
            "/api/v1/shares/", {"indicators": [inds[0].pk], "agencies": ["IN-CBI"]}, format="json"
        )
        .status_code
        == 400
    )


def test_withdraw_and_revoke(world, clients, eu_agreement):
    ind = _shared(world)
    share = ind.shares.get()
    withdraw = f"/api/v1/indicators/{ind.pk}/shares/{share.pk}/withdraw/"
    assert clients["outsider"].post(withdraw).status_code == 404
    assert clients["partner"].post(withdraw).status_code == 403
    assert clients["anonymous"].post(withdraw).status_code == 401
    assert clients["owner"].post(withdraw).json()["withdrawn_at"]
    assert clients["partner"].get(f"/api/v1/indicators/{ind.pk}/").status_code == 404
    revoke = f"/api/v1/indicators/{ind.pk}/revoke/"
    assert clients["outsider"].post(revoke).status_code == 404
    assert clients["anonymous"].post(revoke).status_code == 401
    assert clients["owner"].post(revoke).json()["revoked"] is True
    assert clients["owner"].post(revoke).status_code == 400


# --- endpoints and deliveries ---------------------------------------------------------------


def test_an_agency_admin_registers_an_endpoint_and_sees_the_secret_once(world, api_client_for):
    admin = api_client_for(world.partner.admin, world.partner.agency)
    response = admin.post(
        "/api/v1/partner-endpoints/",
        {"url": "http://127.0.0.1:8765/hook", "name": "SOC", "types": ["ipv4"], "max_tlp": "GREEN"},
        format="json",
    )
    assert response.status_code == 201, response.content
    secret = response.json()["secret"]
    assert secret.startswith("whsec_") and len(__import__("base64").b64decode(secret[6:])) == 32
    pk = response.json()["id"]
    assert "secret" not in admin.get(f"/api/v1/partner-endpoints/{pk}/").json()
    assert all("secret" not in e for e in admin.get("/api/v1/partner-endpoints/").json())
    assert secret not in json.dumps(admin.get("/api/v1/partner-endpoints/").json())
    assert PartnerEndpoint.objects.get(pk=pk).secret == secret
    patched = admin.patch(f"/api/v1/partner-endpoints/{pk}/", {"active": False}, format="json")
    assert patched.json()["active"] is False


def test_endpoints_are_for_their_agency_admins_only(world, api_client_for, clients):
    endpoint, _ = services.endpoint_create(
        actor=world.partner.admin, agency=world.partner.agency, name="x", url="http://127.0.0.1:9/"
    )
    url = f"/api/v1/partner-endpoints/{endpoint.pk}/"
    outsider_admin = api_client_for(world.outsider.admin, world.outsider.agency)
    assert outsider_admin.get(url).status_code == 404
    assert api_client_for(world.owner.admin, world.owner.agency).get(url).status_code == 404
    assert clients["partner"].get(url).status_code == 404  # a non-admin member
    assert (
        clients["partner"]
        .post(
            "/api/v1/partner-endpoints/", {"url": "http://127.0.0.1:9/", "name": "y"}, format="json"
        )
        .status_code
        == 403
    )
    assert clients["anonymous"].get("/api/v1/partner-endpoints/").status_code == 401


def test_an_unsafe_endpoint_url_is_a_400_on_url(world, api_client_for, settings):
    settings.SHARING_ENDPOINT_ALLOWED_NETWORKS = []
    admin = api_client_for(world.partner.admin, world.partner.agency)
    response = admin.post(
        "/api/v1/partner-endpoints/", {"url": "http://169.254.169.254/", "name": "x"}, format="json"
    )
    assert response.status_code == 400 and "metadata" in response.json()["url"][0]


def test_an_endpoint_url_with_credentials_is_a_400_on_url_and_nothing_is_stored(
    world, api_client_for
):
    admin = api_client_for(world.partner.admin, world.partner.agency)
    response = admin.post(
        "/api/v1/partner-endpoints/",
        {"url": "http://user:hunter2@127.0.0.1:9/", "name": "x"},
        format="json",
    )
    assert response.status_code == 400 and "credentials" in response.json()["url"][0]
    assert not world.partner.agency.partner_endpoints.exists()
    assert "hunter2" not in response.content.decode()


def test_deliveries_are_listed_for_the_receiving_agency_admins(
    world, api_client_for, eu_agreement, partner_endpoint, clients
):
    _shared(world)
    delivery = Delivery.objects.get()
    partner_admin = api_client_for(world.partner.admin, world.partner.agency)
    listed = partner_admin.get("/api/v1/deliveries/").json()["results"]
    assert [d["id"] for d in listed] == [delivery.pk] and listed[0]["objects"] == 1
    assert listed[0]["webhook_id"] == delivery.message_id
    detail = partner_admin.get(f"/api/v1/deliveries/{delivery.pk}/").json()
    assert detail["attempt_log"] == []
    owner_admin = api_client_for(world.owner.admin, world.owner.agency)
    assert owner_admin.get(f"/api/v1/deliveries/{delivery.pk}/").status_code == 404
    assert owner_admin.get("/api/v1/deliveries/").json()["results"] == []
    assert clients["anonymous"].get("/api/v1/deliveries/").status_code == 401
    retry = partner_admin.post(f"/api/v1/partner-endpoints/{partner_endpoint.pk}/retry/")
    assert retry.json() == {"deliveries": 1}
    assert (
        owner_admin.post(f"/api/v1/partner-endpoints/{partner_endpoint.pk}/retry/").status_code
        == 404
    )


def test_the_openapi_schema_documents_the_sharing_api(world, clients):
    from drf_spectacular.generators import SchemaGenerator

    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    for path in (
        "/api/v1/indicators/",
        "/api/v1/indicators/{id}/",
        "/api/v1/indicators/{id}/shares/",
        "/api/v1/indicators/{id}/revoke/",
        "/api/v1/partner-endpoints/",
        "/api/v1/deliveries/",
    ):
        assert path in paths, path


def test_an_id_of_another_agency_and_an_invisible_case_are_reported_per_item(world, clients):
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
    assert response.status_code == 400
    errors = {e["index"]: e["field"] for e in response.json()["errors"]}
    assert errors == {0: "id", 1: "case"}
    assert Indicator.objects.get().owner == world.partner.agency


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
