"""POST /api/v1/indicators/ with a STIX bundle reads the bundle's own marking definitions by
content (TLP and PAP, OpenCTI's included), so AMBER+STRICT is never downgraded to AMBER."""

from __future__ import annotations

import uuid

import pytest
import stix2

from agencies.models import TLP
from sharing.models import PAP, Indicator
from sharing.stix import OPENCTI_AMBER_STRICT_ID, UNKNOWN_MARKING_TLP

pytestmark = pytest.mark.django_db
URL = "/api/v1/indicators/"


def indicator(value: str, refs: list[str]) -> dict:
    return {
        "type": "indicator",
        "spec_version": "2.1",
        "id": f"indicator--{uuid.uuid4()}",
        "created": "2026-01-01T00:00:00.000Z",
        "modified": "2026-01-01T00:00:00.000Z",
        "pattern": f"[domain-name:value = '{value}']",
        "pattern_type": "stix",
        "valid_from": "2026-01-01T00:00:00Z",
        "object_marking_refs": refs,
    }


def marking(**content) -> dict:
    return {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": f"marking-definition--{uuid.uuid4()}",
        "created": "2022-01-01T00:00:00.000Z",
        **content,
    }


@pytest.mark.parametrize("side", ["owner", "partner", "outsider"])
def test_bundle_markings_are_read_by_content_for_every_agency_s_own_import(world, clients, side):
    strict = marking(x_opencti_definition_type="TLP", name="TLP:AMBER+STRICT")
    pap = marking(definition_type="statement", definition={"statement": "PAP:RED"})
    objects = [
        strict,
        pap,
        indicator(f"{side}-strict.example", [stix2.TLP_AMBER.id, strict["id"], pap["id"]]),
        indicator(f"{side}-opencti.example", [OPENCTI_AMBER_STRICT_ID]),
        indicator(f"{side}-unknown.example", [f"marking-definition--{uuid.uuid4()}"]),
    ]
    bundle = {"type": "bundle", "id": f"bundle--{uuid.uuid4()}", "objects": objects}
    response = clients[side].post(URL, bundle, format="json")
    assert response.status_code == 201, response.content
    agency = getattr(world, side).agency
    mine = {i.normalized: i for i in Indicator.objects.filter(owner=agency)}
    assert (mine[f"{side}-strict.example"].tlp, mine[f"{side}-strict.example"].pap) == (
        TLP.AMBER_STRICT,
        PAP.RED,
    )
    assert mine[f"{side}-opencti.example"].tlp == TLP.AMBER_STRICT
    assert mine[f"{side}-unknown.example"].tlp == UNKNOWN_MARKING_TLP == TLP.RED
