"""API key scopes and client networks: a read-only key is refused every write over REST and
TAXII; a key limited to networks answers 401 from elsewhere, like an invalid key."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from rest_framework.test import APIClient

from agencies import services
from agencies.authentication import INVALID_KEY, SCOPE_MISSING
from agencies.models import APIKey


def client_with(world, *, scopes, networks=(), address="127.0.0.1") -> APIClient:
    _, plaintext = services.api_key_issue(
        actor=None,
        agency=world.owner.agency,
        user=world.owner.investigator,
        name="scoped",
        scopes=scopes,
        allowed_networks=networks,
    )
    client = APIClient(REMOTE_ADDR=address)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    return client


def test_a_read_only_key_reads_but_every_write_is_403_naming_the_scope(world):
    client = client_with(world, scopes=["read"])
    assert client.get("/api/v1/cases/").status_code == 200
    response = client.post("/api/v1/cases/", {"title": "x"}, format="json")
    assert response.status_code == 403
    assert response.json() == {"detail": SCOPE_MISSING.format(scope="write")}
    response = client.post("/api/v1/stix/bundles/", {"type": "bundle"}, format="json")
    assert response.json() == {"detail": SCOPE_MISSING.format(scope="ingest")}


def test_a_write_key_without_read_cannot_list(world):
    client = client_with(world, scopes=["write"])
    assert client.get("/api/v1/cases/").status_code == 403


def test_taxii_needs_its_scope_and_posting_needs_ingest(world):
    headers = {"HTTP_ACCEPT": "application/taxii+json;version=2.1"}
    assert client_with(world, scopes=["read"]).get("/taxii2/", **headers).status_code == 403
    taxii = client_with(world, scopes=["read", "taxii"])
    assert taxii.get("/taxii2/", **headers).status_code == 200
    collections = taxii.get("/taxii2/cybercoop/collections/", **headers).json()["collections"]
    writable = next(c for c in collections if c["can_write"])
    response = taxii.post(
        f"/taxii2/cybercoop/collections/{writable['id']}/objects/",
        data='{"objects": []}',
        content_type="application/taxii+json;version=2.1",
        **headers,
    )
    assert response.status_code == 403
    assert SCOPE_MISSING.format(scope="ingest") in response.content.decode()


@pytest.mark.parametrize("address, expected", [("192.0.2.7", 200), ("198.51.100.7", 401)])
def test_a_key_limited_to_networks_answers_401_from_elsewhere(world, address, expected):
    client = client_with(world, scopes=["read"], networks=["192.0.2.0/24"], address=address)
    response = client.get("/api/v1/me/")
    assert response.status_code == expected
    if expected == 401:
        assert response.json() == {"detail": INVALID_KEY}


@pytest.mark.parametrize(
    "kwargs, field, message",
    [
        (
            {"scopes": []},
            "scopes",
            services.KEY_SCOPES.format(scopes="read, write, taxii, ingest, witness"),
        ),
        (
            {"scopes": ["admin"]},
            "scopes",
            services.KEY_SCOPES.format(scopes="read, write, taxii, ingest, witness"),
        ),
        (
            {"scopes": ["read"], "allowed_networks": ["10.0.0.300/8"]},
            "allowed_networks",
            services.KEY_NETWORK.format(network="10.0.0.300/8"),
        ),
    ],
)
def test_bad_scopes_or_networks_are_refused_naming_the_field(world, kwargs, field, message):
    with pytest.raises(ValidationError, match=re.escape(message)) as info:
        services.api_key_issue(
            actor=None, agency=world.owner.agency, user=world.owner.investigator, name="x", **kwargs
        )
    assert list(info.value.message_dict) == [field]


def test_issue_api_key_defaults_to_read_and_takes_scopes_and_networks(world, capsys):
    call_command("issue_api_key", "--agency", "DE-BKA", "--user", "owner_investigator")
    call_command(
        "issue_api_key",
        "--agency",
        "DE-BKA",
        "--user",
        "owner_investigator",
        "--scope",
        "read",
        "--scope",
        "ingest",
        "--network",
        "192.0.2.0/24",
    )
    first, second = APIKey.objects.order_by("created_at")
    assert first.scopes == ["read"]
    assert (second.scopes, second.allowed_networks) == (["read", "ingest"], ["192.0.2.0/24"])
    assert "(read, ingest)" in capsys.readouterr().out


def test_ingest_needs_the_ingest_scope_and_listing_needs_read(world):
    body = {"type": "ipv4", "value": "192.0.2.80", "tlp": "green"}
    response = client_with(world, scopes=["read", "write"]).post(
        "/api/v1/indicators/", body, format="json"
    )
    assert response.status_code == 403
    assert response.json() == {"detail": SCOPE_MISSING.format(scope="ingest")}
    ingest_only = client_with(world, scopes=["ingest"])
    assert ingest_only.post("/api/v1/indicators/", body, format="json").status_code == 201
    assert ingest_only.get("/api/v1/indicators/").status_code == 403
