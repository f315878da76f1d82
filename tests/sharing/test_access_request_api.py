"""Access requests over the API: the requester asks the unnamed holders of a hidden match,
a holder shares (through sharing's normal share) or declines with a reason; all audited."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEvent
from sharing import services as sharing_services
from sharing.access_requests import access_request_create
from sharing.models import AccessRequestTarget, Delivery

pytestmark = pytest.mark.django_db
LOOKUP = "/api/v1/correlations/lookup/"
REQUESTS = "/api/v1/access-requests/"
INBOX = "/api/v1/access-requests/inbox/"


@pytest.fixture
def held(world, add_indicators):
    """The owner (DE-BKA) holds 198.51.100.77 unshared; the partner then adds it too."""
    (mine,) = add_indicators(world.owner, [{"type": "ipv4", "value": "198.51.100.77"}])
    (theirs,) = add_indicators(world.partner, [{"type": "ipv4", "value": " 198.51.100.77 "}])
    return mine, theirs


def test_access_request_is_answered_by_sharing_through_the_normal_share(
    world, held, eu_agreement, api_client_for, settings
):
    settings.SHARING_ENDPOINT_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    sharing_services.endpoint_create(
        actor=world.partner.admin,
        agency=world.partner.agency,
        name="soc",
        url="http://127.0.0.1:9/",
    )
    mine, theirs = held
    partner = api_client_for(world.partner.investigator, world.partner.agency)
    correlation = partner.get(f"/api/v1/correlations/indicators/{theirs.pk}/").json()
    assert correlation == {"indicator": theirs.pk, "visible": [], "held_elsewhere": True}
    response = partner.post(
        REQUESTS,
        {
            "indicator": theirs.pk,
            "reason": "Ransomware C2 in op TULIP",
            "legal_basis": "EU 2023/977",
            "handling_code": "H1",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    request_id = response.json()["id"]
    assert response.json()["outcome"] == {"status": "pending", "decline_reasons": []}

    holder = api_client_for(world.owner.investigator, world.owner.agency)
    (item,) = holder.get(INBOX).json()["results"]
    assert (item["indicator"], item["requester"], item["requested_by"]) == (
        mine.pk,
        "NL-NHTCU",
        "partner_investigator",
    )
    assert (item["reason"], item["legal_basis"], item["handling_code"]) == (
        "Ransomware C2 in op TULIP",
        "EU 2023/977",
        "H1",
    )
    analyst = api_client_for(world.owner.analyst, world.owner.agency)
    assert analyst.post(f"{INBOX}{item['id']}/share/", {}, format="json").status_code == 404
    shared = holder.post(f"{INBOX}{item['id']}/share/", {}, format="json")
    assert shared.status_code == 200, shared.content
    assert shared.json()["status"] == "granted" and shared.json()["share"]
    assert Delivery.objects.filter(share_id=shared.json()["share"]).exists()
    again = holder.post(f"{INBOX}{item['id']}/share/", {}, format="json")
    assert again.status_code == 400 and "status" in again.json()

    assert partner.get(f"{REQUESTS}{request_id}/").json()["outcome"]["status"] == "shared"
    (now,) = partner.post(LOOKUP, {"values": ["198.51.100.77"]}, format="json").json()["results"]
    assert now["result"] == "visible" and now["ids"] == sorted([mine.pk, theirs.pk])
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "correlation.access_requested",
        "correlation.access_granted",
        "indicator.shared",
    } <= actions


def test_share_needs_a_legal_basis_and_decline_needs_a_reason(
    world, held, add_indicators, api_client_for
):
    (outsider_copy,) = add_indicators(world.outsider, [{"type": "ipv4", "value": "198.51.100.77"}])
    outsider = api_client_for(world.outsider.investigator, world.outsider.agency)
    created = outsider.post(
        REQUESTS,
        {
            "indicator": outsider_copy.pk,
            "reason": "Fraud case",
            "legal_basis": "MLA 12/2026",
            "handling_code": "H0",
        },
        format="json",
    ).json()
    holder = api_client_for(world.owner.investigator, world.owner.agency)
    items = {i["requester"]: i for i in holder.get(INBOX).json()["results"]}
    target = items["IN-CBI"]["id"]
    refused = holder.post(f"{INBOX}{target}/share/", {}, format="json")
    assert refused.status_code == 400 and "legal_basis" in refused.json()
    assert AccessRequestTarget.objects.get(pk=target).status == "pending"
    assert "reason" in holder.post(f"{INBOX}{target}/decline/", {}, format="json").json()
    declined = holder.post(
        f"{INBOX}{target}/decline/", {"reason": "No MLA received yet"}, format="json"
    )
    assert declined.json()["status"] == "declined"
    outcome = outsider.get(f"{REQUESTS}{created['id']}/").json()["outcome"]
    assert outcome == {"status": "pending", "decline_reasons": []}  # NL holds a copy too
    partner = api_client_for(world.partner.investigator, world.partner.agency)
    (other,) = partner.get(INBOX).json()["results"]
    partner.post(f"{INBOX}{other['id']}/decline/", {"reason": "No MLA received yet"}, format="json")
    outcome = outsider.get(f"{REQUESTS}{created['id']}/").json()["outcome"]
    assert outcome == {"status": "declined", "decline_reasons": ["No MLA received yet"]}
    assert AuditEvent.objects.filter(action="correlation.access_declined").exists()


def test_access_request_validation_and_visibility(world, held, api_client_for):
    mine, theirs = held
    partner = api_client_for(world.partner.investigator, world.partner.agency)
    bad = partner.post(
        REQUESTS,
        {"indicator": theirs.pk, "reason": "", "legal_basis": "x", "handling_code": "H9"},
        format="json",
    )
    assert bad.status_code == 400 and {"reason", "handling_code"} <= set(bad.json())
    assert (
        partner.post(
            REQUESTS,
            {"indicator": mine.pk, "reason": "r", "legal_basis": "b", "handling_code": "H0"},
            format="json",
        ).status_code
        == 404
    )
    outsider = api_client_for(world.outsider.investigator, world.outsider.agency)
    assert outsider.get(INBOX).json()["results"] == []
    created = partner.post(
        REQUESTS,
        {"indicator": theirs.pk, "reason": "r", "legal_basis": "b", "handling_code": "H0"},
        format="json",
    ).json()
    assert outsider.get(f"{REQUESTS}{created['id']}/").status_code == 404
    target = AccessRequestTarget.objects.get()
    assert outsider.get(f"{INBOX}{target.pk}/").status_code == 404
    assert partner.get(f"{INBOX}{target.pk}/").status_code == 404
    assert (
        api_client_for(world.owner.investigator, world.owner.agency)
        .get(f"{INBOX}{target.pk}/")
        .status_code
        == 200
    )


def test_request_lists_keep_their_query_count_with_more_rows(world, add_indicators, api_client_for):
    holder = api_client_for(world.owner.investigator, world.owner.agency)
    requester = api_client_for(world.partner.investigator, world.partner.agency)
    counts = []
    for round_ in range(2):
        values = [{"type": "ipv4", "value": f"198.19.{round_}.{i}"} for i in range(5)]
        add_indicators(world.owner, values)
        for theirs in add_indicators(world.partner, values):
            access_request_create(
                actor=world.partner.investigator,
                indicator=theirs,
                reason="r",
                legal_basis="b",
                handling_code="H0",
            )
        for client, url in ((holder, INBOX), (requester, REQUESTS)):
            client.get(url)
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            counts.append(len(queries))
    assert counts[:2] == counts[2:]
