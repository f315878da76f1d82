"""The OpenAPI schema documents every case, evidence and JIT endpoint, without warnings."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_schema_documents_every_case_path(client):

    response = client.get(reverse("schema"), {"format": "json"})
    paths = response.json()["paths"]
    for path in (
        "/api/v1/cases/",
        "/api/v1/cases/{id}/",
        "/api/v1/cases/{id}/evidence/",
        "/api/v1/evidence/{id}/",
        "/api/v1/evidence/{id}/download/",
        "/api/v1/jits/",
        "/api/v1/jits/{id}/",
        "/api/v1/jits/{id}/members/",
        "/api/v1/jits/{id}/members/{code}/accept/",
        "/api/v1/jits/{id}/members/{code}/decline/",
        "/api/v1/jits/{id}/members/{code}/leave/",
    ):
        assert path in paths, path
    assert (
        "multipart/form-data"
        in paths["/api/v1/cases/{id}/evidence/"]["post"]["requestBody"]["content"]
    )


def test_schema_generates_without_warnings_for_case_views(tmp_path, capsys):
    call_command("spectacular", "--file", str(tmp_path / "schema.yml"))
    output = capsys.readouterr()
    lines = [line for line in (output.err + output.out).splitlines() if "cases/" in line]
    assert lines == []
    assert "CaseStatusEnum" in (tmp_path / "schema.yml").read_text()
