"""The marking definitions an agency's objects are marked with are in its TAXII collections, and
``stix2.TAXIICollectionSource.get`` finds them (issue 14 §2): an object imported with a TLP 1.0
marking gets that TLP 1.0 definition (STIX 2.1 fixes its content, so it is served as context,
not stored per agency) besides the TLP 2.0 one it is now marked with; TLP 2.0 and our PAP
markings are served as they are; OpenCTI's AMBER+STRICT and PAP markings are read as our
TLP 2.0 AMBER+STRICT and PAP definitions, which the object then refers to (OpenCTI's own
definitions, with UUIDv5 ids and ``x_opencti_*`` properties, are not valid in strict mode)."""

from __future__ import annotations

import json
import uuid

import pytest
import stix2
from stix2validator import ValidationOptions, validate_string
from taxii2client.v21 import Collection

from agencies.models import TLP
from interop.selectors import collection_id
from sharing.models import PAP, StixObject
from sharing.stix import (
    OPENCTI_AMBER_STRICT_ID,
    OPENCTI_PAP_MARKING_IDS,
    PAP_MARKING_IDS,
    TLP_MARKING_IDS,
)
from tests.interop.object_graph import load, sdo, share_with_partner

pytestmark = pytest.mark.django_db(transaction=True)
TLP1 = {
    stix2.TLP_WHITE.id: TLP.CLEAR,
    stix2.TLP_GREEN.id: TLP.GREEN,
    stix2.TLP_AMBER.id: TLP.AMBER,
    stix2.TLP_RED.id: TLP.RED,
}
# The marking an object is imported with -> the marking definitions it is served with.
SERVED_AS = {
    **{marking: TLP_MARKING_IDS[tlp] for marking, tlp in TLP1.items()},
    **{marking: marking for marking in TLP_MARKING_IDS.values()},
    OPENCTI_AMBER_STRICT_ID: TLP_MARKING_IDS[TLP.AMBER_STRICT],
    **{OPENCTI_PAP_MARKING_IDS[pap]: PAP_MARKING_IDS[pap] for pap in PAP.values},
    **{marking: marking for marking in PAP_MARKING_IDS.values()},
}


def _source(live_server, key, agency, kind: str) -> stix2.TAXIICollectionSource:
    url = f"{live_server.url}/taxii2/cybercoop/collections/{collection_id(agency, kind)}/"
    collection = Collection(url, user=key.username, password=key.key)
    return stix2.TAXIICollectionSource(collection, allow_custom=False)


def test_every_marking_an_object_is_imported_with_is_found_in_its_collection(
    world, key_for, live_server
):
    malware = {marking: sdo("malware", name=marking, is_family=False) for marking in SERVED_AS}
    for marking, obj in malware.items():
        obj["object_marking_refs"] = [marking]
    load(world.owner, *malware.values())
    source = _source(live_server, key_for(world.owner), world.owner.agency, "own")
    for marking, obj in malware.items():
        served = source.get(obj["id"])
        assert SERVED_AS[marking] in served.object_marking_refs, marking
        for ref in served.object_marking_refs:
            definition = source.get(ref)
            assert isinstance(definition, stix2.MarkingDefinition), ref
            assert definition.id == ref
        if marking not in (OPENCTI_AMBER_STRICT_ID, *OPENCTI_PAP_MARKING_IDS.values()):
            assert source.get(marking).id == marking  # the very definition it was marked with
    assert source.get(stix2.TLP_GREEN.id) == stix2.TLP_GREEN  # as STIX 2.1 defines it
    assert source.get(OPENCTI_AMBER_STRICT_ID) is None  # OpenCTI's, never served as ours
    definitions = source.query([stix2.Filter("type", "=", "marking-definition")])
    text = json.dumps(
        {
            "type": "bundle",
            "id": f"bundle--{uuid.uuid4()}",
            "objects": [json.loads(d.serialize()) for d in definitions],
        }
    )
    results = validate_string(text, ValidationOptions(strict=True, version="2.1"))
    assert [str(e) for e in results.errors] + [str(w) for w in results.warnings] == []


def test_a_granular_tlp_1_marking_resolves_for_the_partner_it_is_shared_with_and_no_one_else(
    world, eu_agreement, key_for, live_server
):
    obj = sdo(
        "malware",
        name="Granular",
        is_family=False,
        object_marking_refs=[stix2.TLP_GREEN.id],
        granular_markings=[{"marking_ref": stix2.TLP_AMBER.id, "selectors": ["name"]}],
    )
    stored = load(world.owner, obj)[obj["id"]]
    share_with_partner(world, stored)
    partner = _source(live_server, key_for(world.partner), world.partner.agency, "shared")
    served = partner.get(obj["id"])
    (granular,) = served.granular_markings
    assert granular.marking_ref == stix2.TLP_AMBER.id
    assert partner.get(stix2.TLP_AMBER.id) == stix2.TLP_AMBER
    assert partner.get(stix2.TLP_GREEN.id) == stix2.TLP_GREEN
    # The outsider sees nothing of the owner's: not the object, not even the context.
    outsider = _source(live_server, key_for(world.outsider), world.outsider.agency, "shared")
    assert outsider.get(obj["id"]) is None
    assert outsider.get(stix2.TLP_AMBER.id) is None
    assert StixObject.objects.filter(type="marking-definition").count() == 0  # none per agency
