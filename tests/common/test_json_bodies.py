"""Every endpoint that takes a JSON object answers a body that is not one (null, true, 1, "x",
a list) with a 400 naming what came, never a 500: read from the OpenAPI schema, so a new
endpoint is checked without being listed here."""

from __future__ import annotations

import json

import pytest

from common.parsers import NOT_AN_OBJECT, json_kind
from sharing.api import NOT_INGESTIBLE

BODIES = [None, True, 1, "x", [{"x": 1}]]
INGEST = ("post", "/api/v1/indicators/")  # takes an object, a list or a bundle


def _json_operations(client) -> list[tuple[str, str]]:
    """(method, path) of every operation without path parameters that takes a JSON body."""
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    return [
        (method, path)
        for path, item in schema["paths"].items()
        if "{" not in path
        for method, operation in item.items()
        if method in {"post", "put", "patch"}
        and "application/json" in operation.get("requestBody", {}).get("content", {})
    ]


def test_the_schema_lists_json_operations_to_check(world, client):
    operations = _json_operations(client)
    assert ("post", "/api/v1/cases/") in operations
    assert INGEST in operations
    assert len(operations) >= 8


@pytest.mark.parametrize("body", BODIES, ids=json_kind)
def test_a_body_that_is_not_an_object_is_a_400_naming_it(world, client, api_client_for, body):
    api = api_client_for(world.owner.admin, world.owner.agency)
    for method, path in _json_operations(client):
        response = getattr(api, method)(
            path, data=json.dumps(body), content_type="application/json"
        )
        if (method, path) == INGEST and isinstance(body, list):
            assert response.status_code < 500, path  # a list of indicators is ingest's input
            continue
        assert response.status_code == 400, (method, path, response.status_code)
        expected = (
            {"detail": NOT_INGESTIBLE.format(kind=json_kind(body))}
            if (method, path) == INGEST
            else {"non_field_errors": [NOT_AN_OBJECT.format(kind=json_kind(body))]}
        )
        assert response.json() == expected, (method, path)
