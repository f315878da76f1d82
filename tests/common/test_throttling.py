"""Rate limits answer 429 with Retry-After, counted in the shared cache (real Redis here): key
guessing per address, the correlation lookup per value, TAXII, STIX import and ingest per key."""

from __future__ import annotations

import uuid

import pytest
from rest_framework.test import APIClient

from agencies import services
from common.throttles import parse_rate

TAXII = {"HTTP_ACCEPT": "application/taxii+json;version=2.1"}


@pytest.fixture
def rates(settings):
    """Set some scopes' rates for this test (the suite runs with generous ones)."""

    def set_rates(**scopes: str) -> None:
        settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, **scopes}

    return set_rates


def address() -> str:
    return f"203.0.113.{uuid.uuid4().int % 250 + 1}"


def test_rates_read_as_count_per_period():
    assert parse_rate("20/min") == (20, 60)
    assert parse_rate("5/s") == (5, 1)
    assert parse_rate("1000/hour") == (1000, 3600)


def test_guessing_keys_from_one_address_is_refused_for_a_while(world, rates, api_client_for):
    rates(api_key_failures="3/min")
    guesser = APIClient(REMOTE_ADDR=address())
    guesser.credentials(HTTP_AUTHORIZATION="Bearer cc_nothere_guess")
    assert [guesser.get("/api/v1/me/").status_code for _ in range(3)] == [401, 401, 401]
    refused = guesser.get("/api/v1/me/")
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    # the same address is refused over TAXII too; a holder elsewhere is not affected
    assert guesser.get("/taxii2/", **TAXII).status_code == 429
    assert (
        api_client_for(world.owner.analyst, world.owner.agency).get("/api/v1/me/").status_code
        == 200
    )


def test_the_lookup_is_limited_in_values_not_only_calls(world, rates, api_client_for):
    rates(lookup="5/min")
    client = api_client_for(world.owner.analyst, world.owner.agency)
    values = ["192.0.2.1", "192.0.2.2", "192.0.2.3"]
    assert (
        client.post("/api/v1/correlations/lookup/", {"values": values}, format="json").status_code
        == 200
    )
    refused = client.post("/api/v1/correlations/lookup/", {"values": values}, format="json")
    assert refused.status_code == 429 and int(refused["Retry-After"]) >= 1


@pytest.mark.parametrize(
    "scope, url, body",
    [
        ("ingest", "/api/v1/indicators/", {"type": "ipv4", "value": "192.0.2.9", "tlp": "green"}),
        (
            "stix_import",
            "/api/v1/stix/bundles/",
            {"type": "bundle", "id": "bundle--" + str(uuid.uuid4()), "objects": []},
        ),
    ],
)
def test_ingest_and_stix_import_are_limited_per_key(world, rates, api_client_for, scope, url, body):
    rates(**{scope: "2/min"})
    client = api_client_for(world.owner.investigator, world.owner.agency)
    answers = [client.post(url, body, format="json").status_code for _ in range(3)]
    assert answers[:2] != [429, 429] and answers[2] == 429
    other = api_client_for(world.partner.investigator, world.partner.agency)
    assert other.post(url, body, format="json").status_code != 429
    assert client.get("/api/v1/indicators/").status_code == 200  # listing is not ingest


def test_taxii_is_limited_per_key(world, rates, api_client_for):
    rates(taxii="2/min")
    _, plaintext = services.api_key_issue(
        actor=None, agency=world.owner.agency, user=world.owner.analyst, name="t"
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    answers = [client.get("/taxii2/", **TAXII).status_code for _ in range(3)]
    assert answers == [200, 200, 429]
    refused = client.get("/taxii2/", **TAXII)
    assert refused["Retry-After"].isdigit()
    assert refused.json()["title"] == "Too many requests"
