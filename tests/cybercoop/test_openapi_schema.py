"""The OpenAPI schema and the interactive docs partners code against."""

from __future__ import annotations


def test_the_openapi_schema_documents_every_v1_endpoint_and_bearer_auth(db, client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert {
        "/api/v1/me/",
        "/api/v1/agencies/",
        "/api/v1/agencies/{code}/members/",
    } <= set(schema["paths"])
    assert schema["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "An agency API key",
    }
    params = {p["name"] for p in schema["paths"]["/api/v1/agencies/"]["get"]["parameters"]}
    assert {"country", "kind", "limit", "cursor"} <= params and "offset" not in params


def test_the_interactive_docs_are_served_with_local_assets(db, client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    assert "/static/drf_spectacular_sidecar/" in html
    assert "cdn." not in html  # works without internet access


def test_paged_lists_are_documented_as_pages_and_nullable_fields_as_nullable(db, client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    components = schema["components"]["schemas"]
    for path in ["/api/v1/access-requests/", "/api/v1/access-requests/inbox/"]:
        body = schema["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
        page = components[body["schema"]["$ref"].rsplit("/", 1)[-1]]
        assert {"next", "previous", "results"} <= set(page["properties"]), path
    custody = components["CustodyEvent"]["properties"]["to_agency"]
    assert custody.get("nullable") is True
