"""Bad input to the share dialog answers 4xx, never 500."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from agencies import services as agency_services
from agencies.models import Membership
from tests.sharing.conftest import add


@pytest.mark.parametrize("ids", ["²", "١٢", "𝟙"])
def test_share_dialog_non_ascii_digit_ids_are_not_found(world, client_for, ids):
    add(world.owner, ("ipv4", "203.0.113.7"))
    response = client_for(world.owner.investigator).get("/indicators/share/", {"ids": ids})
    assert response.status_code == 404


def test_share_dialog_ignores_a_non_ascii_digit_next_to_a_real_id(world, client_for):
    (indicator,) = add(world.owner, ("ipv4", "203.0.113.7"))
    response = client_for(world.owner.investigator).get(
        "/indicators/share/", {"ids": [str(indicator.pk), "²"]}
    )
    assert response.status_code == 200


def test_share_dialog_owner_partner_outsider(world, client_for):
    (indicator,) = add(world.owner, ("ipv4", "203.0.113.7"))
    assert (
        client_for(world.owner.investigator)
        .get("/indicators/share/", {"ids": indicator.pk})
        .status_code
        == 200
    )
    for side in (world.partner, world.outsider):
        response = client_for(side.investigator).get("/indicators/share/", {"ids": indicator.pk})
        assert response.status_code == 404


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
