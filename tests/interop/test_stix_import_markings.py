"""Markings on STIX import: TLP 1.0, OASIS TLP 2.0 and OpenCTI ids, marking definitions read by
content, PAP markings, unknown markings (most restrictive, reported) and PAP on export."""

from __future__ import annotations

import json
import uuid

import pytest
import stix2

from agencies.models import TLP
from interop.selectors import collection_id
from interop.services import unknown_marking
from sharing.models import PAP, Indicator, StixObject
from sharing.stix import (
    OPENCTI_AMBER_STRICT_ID,
    OPENCTI_PAP_MARKING_IDS,
    PAP_BY_MARKING,
    PAP_MARKING_IDS,
    TLP_MARKING_IDS,
)
from tests.stix_objects import stix_indicator, stix_marking

URL = "/api/v1/stix/bundles/"
pytestmark = pytest.mark.django_db
# OpenCTI's PAP marking ids, as its platform defines them (opencti-graphql's PAP_* constants).
OPENCTI_PAP_AMBER = "marking-definition--a6f20d4d-0360-59b6-ba22-3b48707828b1"
OPENCTI_PAP_RED = "marking-definition--4e4e3b84-de45-53df-9d9b-b21207699fd8"


def indicator(value: str, refs: list[str], **extra) -> dict:
    pattern = extra.pop("pattern", f"[ipv4-addr:value = '{value}']")
    return stix_indicator(pattern, object_marking_refs=refs, **extra)


def post(client, *objects) -> dict:
    body = {"type": "bundle", "id": f"bundle--{uuid.uuid4()}", "objects": list(objects)}
    response = client.post(URL, body, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def stored(value: str) -> Indicator:
    return Indicator.objects.get(normalized=value)


@pytest.fixture
def owner(world, api_client_for):
    return api_client_for(world.owner.investigator, world.owner.agency)


@pytest.mark.parametrize(
    ("ref", "tlp"),
    [
        (stix2.TLP_WHITE.id, TLP.CLEAR),
        (stix2.TLP_GREEN.id, TLP.GREEN),
        (stix2.TLP_AMBER.id, TLP.AMBER),
        (stix2.TLP_RED.id, TLP.RED),
        (TLP_MARKING_IDS[TLP.CLEAR], TLP.CLEAR),
        (TLP_MARKING_IDS[TLP.AMBER_STRICT], TLP.AMBER_STRICT),
        (TLP_MARKING_IDS[TLP.RED], TLP.RED),
        (OPENCTI_AMBER_STRICT_ID, TLP.AMBER_STRICT),
    ],
)
def test_tlp_1_tlp_2_and_opencti_marking_ids_map_to_their_level(owner, ref, tlp):
    report = post(owner, indicator("198.51.100.30", [ref]))
    assert report["counts"]["created"] == 1 and report["warnings"] == []
    assert stored("198.51.100.30").tlp == tlp


@pytest.mark.parametrize(
    "refs",
    [
        [stix2.TLP_AMBER.id, OPENCTI_AMBER_STRICT_ID],
        [OPENCTI_AMBER_STRICT_ID, stix2.TLP_AMBER.id],
        [TLP_MARKING_IDS[TLP.AMBER_STRICT], TLP_MARKING_IDS[TLP.GREEN]],
    ],
)
def test_amber_strict_is_never_downgraded_by_another_tlp_marking(owner, refs):
    post(owner, indicator("198.51.100.31", refs))
    assert stored("198.51.100.31").tlp == TLP.AMBER_STRICT


@pytest.mark.parametrize(
    "definition",
    [
        {"definition_type": "tlp", "definition": {"tlp": "amber+strict"}},
        {"definition_type": "tlp", "definition": {"tlp": "TLP:AMBER+STRICT"}},
        {
            "definition_type": "statement",
            "definition": {"statement": "custom"},
            "x_opencti_definition_type": "TLP",
            "x_opencti_definition": "TLP:AMBER+STRICT",
        },
        {"x_opencti_definition_type": "TLP", "name": "TLP:AMBER+STRICT"},
    ],
)
def test_a_marking_definition_in_the_bundle_is_recognised_by_its_content(owner, definition):
    defined = stix_marking(**definition)
    report = post(owner, defined, indicator("198.51.100.32", [defined["id"]]))
    assert report["warnings"] == []
    assert stored("198.51.100.32").tlp == TLP.AMBER_STRICT


def test_pap_markings_by_opencti_id_and_by_content_set_the_indicators_pap(owner):
    statement = stix_marking(definition_type="statement", definition={"statement": "PAP:RED"})
    opencti = stix_marking(x_opencti_definition_type="PAP", name="PAP:GREEN")
    report = post(
        owner,
        statement,
        opencti,
        indicator("198.51.100.33", [stix2.TLP_GREEN.id, OPENCTI_PAP_AMBER]),
        indicator("198.51.100.34", [statement["id"]]),
        indicator("198.51.100.35", [opencti["id"]], x_cybercoop_pap="CLEAR"),
        indicator("198.51.100.36", [OPENCTI_PAP_RED], x_cybercoop_pap="GREEN"),
    )
    # the four indicators and the two marking definitions, stored as the agency's objects
    assert report["counts"]["created"] == 6 and report["warnings"] == []
    assert stored("198.51.100.33").pap == PAP.AMBER
    assert stored("198.51.100.33").tlp == TLP.GREEN
    assert stored("198.51.100.34").pap == PAP.RED
    assert stored("198.51.100.35").pap == PAP.GREEN  # the more restrictive of the two
    assert stored("198.51.100.36").pap == PAP.RED


def test_opencti_s_pap_marking_ids_are_read_and_ours_are_uuid4_for_strict_validation():
    assert OPENCTI_PAP_MARKING_IDS[PAP.AMBER] == OPENCTI_PAP_AMBER
    assert OPENCTI_PAP_MARKING_IDS[PAP.RED] == OPENCTI_PAP_RED
    assert PAP_BY_MARKING[OPENCTI_PAP_RED] == PAP_BY_MARKING[PAP_MARKING_IDS[PAP.RED]] == PAP.RED
    assert {uuid.UUID(i.split("--")[1]).version for i in PAP_MARKING_IDS.values()} == {4}


def test_an_unknown_marking_keeps_the_tlp_of_the_others_and_is_reported(owner):
    unknown = f"marking-definition--{uuid.uuid4()}"
    sent = indicator("198.51.100.37", [stix2.TLP_GREEN.id, unknown])
    report = post(owner, sent)
    assert stored("198.51.100.37").tlp == TLP.GREEN
    assert report["warnings"] == [
        {"index": 0, "id": sent["id"], "reason": unknown_marking(unknown, TLP.GREEN)}
    ]


def test_only_unknown_markings_make_the_object_tlp_red_and_are_reported(owner):
    unknown = f"marking-definition--{uuid.uuid4()}"
    statement = stix_marking(definition_type="statement", definition={"statement": "Do not share"})
    sent = indicator("198.51.100.38", [unknown, statement["id"]])
    complex_ = indicator(
        "",
        [unknown],
        pattern="[ipv4-addr:value = '198.51.100.39'] OR [ipv4-addr:value = '198.51.100.40']",
    )
    report = post(owner, statement, sent, complex_)
    assert stored("198.51.100.38").tlp == TLP.RED
    assert StixObject.objects.get(stix_id=complex_["id"]).tlp == TLP.RED
    assert report["warnings"] == [
        {"index": 1, "id": sent["id"], "reason": unknown_marking(unknown, TLP.RED)},
        {"index": 1, "id": sent["id"], "reason": unknown_marking(statement["id"], TLP.RED)},
        {"index": 2, "id": complex_["id"], "reason": unknown_marking(unknown, TLP.RED)},
    ]
    assert "unknown marking " + unknown in report["warnings"][0]["reason"]


def test_no_marking_at_all_keeps_the_default_amber_without_a_warning(owner):
    report = post(owner, indicator("198.51.100.41", []))
    assert report["warnings"] == [] and stored("198.51.100.41").tlp == TLP.AMBER


def test_export_writes_pap_as_a_marking_definition_a_partner_can_import_back(
    world, owner, api_client_for
):
    post(owner, indicator("198.51.100.42", [stix2.TLP_GREEN.id, OPENCTI_PAP_RED]))
    exported = json.loads(owner.get("/api/v1/stix/export/").content)
    by_id = {o["id"]: o for o in exported["objects"]}
    (obj,) = [o for o in exported["objects"] if o.get("pattern", "").find("198.51.100.42") > 0]
    assert PAP_MARKING_IDS[PAP.RED] in obj["object_marking_refs"]
    definition = by_id[PAP_MARKING_IDS[PAP.RED]]
    assert definition["definition"] == {"statement": "PAP:RED"}
    assert not [k for k in definition if k.startswith("x_")]  # strict validation: none
    for side in (world.partner, world.outsider):
        client = api_client_for(side.investigator, side.agency)
        copy = {**obj, "id": f"indicator--{uuid.uuid4()}"}
        report = post(client, definition, copy)
        assert report["counts"]["created"] == 1 and report["warnings"] == []
        imported = Indicator.objects.get(owner=side.agency, normalized="198.51.100.42")
        assert (imported.tlp, imported.pap) == (TLP.GREEN, PAP.RED)


def test_a_taxii_submission_names_the_unknown_marking_in_its_status(world, key_for, client):
    key = key_for(world.owner)
    unknown = f"marking-definition--{uuid.uuid4()}"
    sent = indicator("198.51.100.43", [unknown])
    taxii = "application/taxii+json;version=2.1"
    response = client.post(
        f"/taxii2/cybercoop/collections/{collection_id(key.agency, 'submissions')}/objects/",
        json.dumps({"objects": [sent]}),
        content_type=taxii,
        HTTP_ACCEPT=taxii,
        **key.bearer,
    )
    assert response.status_code == 202
    (success,) = response.json()["successes"]
    assert success["id"] == sent["id"]
    assert success["message"] == unknown_marking(unknown, TLP.RED)
    assert stored("198.51.100.43").tlp == TLP.RED
