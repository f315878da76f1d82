"""A JSON body that is not an object or array is a 400 naming the problem on every endpoint
that takes JSON, never a 500; a list where an object is expected is a 4xx too."""

from __future__ import annotations

import json
import re

import pytest

from common.parsers import NOT_A_DOCUMENT

INGEST_SHAPE = "Send an indicator object, a list of them, or a STIX bundle."
SCALARS = [("null", "null"), ("true", "true or false"), ("1", "a number"), ('"x"', "a string")]


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
    assert ("post", "/api/v1/indicators/") in operations


@pytest.mark.parametrize("body, kind", SCALARS)
def test_a_bare_scalar_body_is_a_400_on_every_json_endpoint(
    world, client, api_client_for, body, kind
):
    api = api_client_for(world.owner.admin, world.owner.agency)
    for method, path in _json_operations(client):
        response = getattr(api, method)(path, data=body, content_type="application/json")
        assert response.status_code == 400, (method, path, response.status_code)
        # DRF's parser names the kind; the streamed indicator ingest says what it takes.
        assert response.json()["detail"] in {
            NOT_A_DOCUMENT.format(kind=kind),
            INGEST_SHAPE,
        }, (method, path)


def test_a_list_body_is_never_a_server_error(world, client, api_client_for):
    api = api_client_for(world.owner.admin, world.owner.agency)
    for method, path in _json_operations(client):
        response = getattr(api, method)(
            path, data=json.dumps([{"x": 1}]), content_type="application/json"
        )
        assert response.status_code < 500, (method, path, response.status_code)


def test_the_message_names_what_was_sent():
    assert re.search("not null", NOT_A_DOCUMENT.format(kind="null"))
