"""TLP:RED named-user grants through an API key: the key of the agency the user was named
through sees the indicator (REST, correlation, TAXII); a key of another of their agencies does
not, exactly as if it did not exist; the browser session still sees it."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from agencies import services as agency_services
from interop.selectors import SHARED, collection_id
from sharing import services
from tests.factories import make_member
from tests.sharing.conftest import add

TAXII = {"HTTP_ACCEPT": "application/taxii+json;version=2.1"}


@pytest.fixture
def named(world, eu_agreement):
    """A partner (NL) analyst who is also a member of the outsider agency (IN, no agreement),
    named in a TLP:RED share: they receive it through NL, the only agency with a basis."""
    user = make_member(world.partner.agency, "double_hat")
    agency_services.membership_set(
        actor=None, agency=world.outsider.agency, user=user, role="analyst"
    )
    (indicator,) = add(world.owner, ("ipv4", "192.0.2.200"), tlp="RED")
    share = services.indicator_share(
        actor=world.owner.investigator,
        indicators=[indicator],
        spec=services.ShareSpec(users=[user]),
    )
    assert [(n.user, n.agency) for n in share.named.all()] == [(user, world.partner.agency)]
    return user, indicator


def key_client(user, agency) -> APIClient:
    _, plaintext = agency_services.api_key_issue(actor=None, agency=agency, user=user, name="k")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    return client


def taxii_ids(client, agency) -> set[str]:
    url = f"/taxii2/cybercoop/collections/{collection_id(agency, SHARED)}/objects/"
    response = client.get(url, **TAXII)
    assert response.status_code == 200
    return {obj["id"] for obj in response.json().get("objects", [])}


def test_the_key_of_the_agency_named_through_sees_it_everywhere(world, named):
    user, indicator = named
    client = key_client(user, world.partner.agency)
    assert client.get(f"/api/v1/indicators/{indicator.pk}/").status_code == 200
    assert indicator.pk in [i["id"] for i in client.get("/api/v1/indicators/").json()["results"]]
    lookup = client.post("/api/v1/correlations/lookup/", {"values": ["192.0.2.200"]}, format="json")
    assert lookup.json()["results"][0]["result"] == "visible"
    assert indicator.stix_id in taxii_ids(client, world.partner.agency)


def test_a_key_of_another_of_the_users_agencies_does_not(world, named):
    user, indicator = named
    client = key_client(user, world.outsider.agency)
    assert client.get(f"/api/v1/indicators/{indicator.pk}/").status_code == 404
    assert client.get("/api/v1/indicators/").json()["results"] == []
    lookup = client.post("/api/v1/correlations/lookup/", {"values": ["192.0.2.200"]}, format="json")
    assert lookup.json()["results"][0]["result"] != "visible"
    assert indicator.stix_id not in taxii_ids(client, world.outsider.agency)


def test_the_browser_session_still_sees_it(world, named, client):
    user, indicator = named
    client.force_login(user)
    assert client.get(f"/indicators/{indicator.pk}/").status_code == 200


def test_a_withdrawn_share_no_longer_counts_for_the_key(world, named):
    user, indicator = named
    share = indicator.shares.get()
    services.share_withdraw(actor=world.owner.investigator, share=share)
    client = key_client(user, world.partner.agency)
    assert client.get(f"/api/v1/indicators/{indicator.pk}/").status_code == 404
