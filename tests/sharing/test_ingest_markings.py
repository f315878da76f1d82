"""POST /api/v1/indicators/ with a STIX bundle reads the bundle's own marking definitions by
content (TLP and PAP, OpenCTI's included), so AMBER+STRICT is never downgraded to AMBER."""

from __future__ import annotations

import uuid

import pytest
import stix2

from agencies.models import TLP
from sharing.models import PAP, Indicator
from sharing.stix import OPENCTI_AMBER_STRICT_ID, UNKNOWN_MARKING_TLP
from tests.stix_objects import stix_indicator, stix_marking

pytestmark = pytest.mark.django_db
URL = "/api/v1/indicators/"


def indicator(value: str, refs: list[str]) -> dict:
    return stix_indicator(f"[domain-name:value = '{value}']", object_marking_refs=refs)


@pytest.mark.parametrize("side", ["owner", "partner", "outsider"])
def test_bundle_markings_are_read_by_content_for_every_agency_s_own_import(world, clients, side):
    strict = stix_marking(x_opencti_definition_type="TLP", name="TLP:AMBER+STRICT")
    pap = stix_marking(definition_type="statement", definition={"statement": "PAP:RED"})
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
