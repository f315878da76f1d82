"""The sharing API's refusals in the client's language (``Accept-Language``): partner
endpoints for admins only, and the correlation lookup's values it cannot read."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db
FRENCH = {"HTTP_ACCEPT_LANGUAGE": "fr"}


def test_a_french_investigator_is_told_in_french_that_only_admins_manage_endpoints(
    world, api_client_for, catalogue
):
    catalogue("fr", {"Only agency admins manage partner endpoints.": "Réservé aux admins."})
    client = api_client_for(world.owner.investigator, world.owner.agency)
    response = client.post("/api/v1/partner-endpoints/", {"name": "x"}, format="json", **FRENCH)
    assert response.status_code == 403
    assert response.json() == {"detail": "Réservé aux admins."}


def test_a_french_client_is_told_in_french_which_lookup_values_it_cannot_read(
    world, api_client_for, catalogue
):
    catalogue(
        "fr",
        {
            'Expected a string or {"type": ..., "value": ...}.': "Chaîne ou objet attendu.",
            "Cannot tell the type of %(value)s; name it.": "Type de %(value)s inconnu.",
        },
    )
    client = api_client_for(world.owner.investigator, world.owner.agency)
    response = client.post(
        "/api/v1/correlations/lookup/", {"values": [5, "blah"]}, format="json", **FRENCH
    )
    assert response.status_code == 400
    assert response.json()["values"] == {
        "0": ["Chaîne ou objet attendu."],
        "1": ["Type de 'blah' inconnu."],
    }


@pytest.mark.parametrize(("language", "limit"), [("en", "10,000"), ("fr", "10\xa0000")])
def test_the_lookups_limit_is_written_in_the_readers_grouping(
    world, api_client_for, language, limit
):
    client = api_client_for(world.owner.investigator, world.owner.agency)
    values = [f"198.51.100.{n % 250}" for n in range(10_001)]
    response = client.post(
        "/api/v1/correlations/lookup/",
        {"values": values},
        format="json",
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 400
    (message,) = response.json()["values"]
    assert f" {limit} " in message
