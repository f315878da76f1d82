"""The OpenAPI schema documents the sharing API."""

from __future__ import annotations


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
