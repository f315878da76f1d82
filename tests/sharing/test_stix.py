from __future__ import annotations

import json

import pytest
from stix2patterns.validator import run_validator

from sharing import stix
from sharing.models import IndicatorType
from sharing.normalize import normalize
from tests.sharing.conftest import add

SAMPLES = {
    "ipv4": "192.0.2.1",
    "ipv6": "2001:db8::1",
    "cidr": "192.0.2.0/24",
    "domain": "xn--bcher-kva.example",
    "url": "https://evil.example/a'b\\\\c",
    "email": "o'brien@evil.example",
    "md5": "d41d8cd98f00b204e9800998ecf8427e",
    "sha1": "da39a3ee5e6b4b0d3255bfef95601890afd80709",
    "sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "asn": "AS64500",
    "btc": "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2",
    "eth": "0x52908400098527886e0f7030069857d2e4169ee7",
}


@pytest.mark.parametrize("type_", IndicatorType.values)
def test_every_generated_pattern_passes_the_stix_validator_and_parses_back(type_):
    pattern = stix.pattern_for(type_, SAMPLES[type_])
    assert run_validator(pattern, "2.1") == []
    parsed_type, value = stix.parse_pattern(pattern, type_)
    assert (parsed_type, normalize(parsed_type, value)) == (type_, SAMPLES[type_])


def test_an_indicator_becomes_a_stix_21_object_with_tlp2_marking_and_a_stable_id(world):
    (ind,) = add(world.owner, ("domain", "evil.example"), tlp="GREEN")
    obj = stix.indicator_dict(ind)
    assert obj["id"] == ind.stix_id and obj["spec_version"] == "2.1"
    assert obj["pattern"] == "[domain-name:value = 'evil.example']"
    assert obj["object_marking_refs"] == [
        "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
        stix.PAP_MARKING_IDS[ind.pap],
    ]
    ours = obj["extensions"][stix.CYBERCOOP_EXTENSION_ID]
    assert ours == {
        "extension_type": "property-extension",
        "indicator_type": "domain",
        "pap": ind.pap,
        "handling_code": ind.handling_code,
        "owner": "DE-BKA",
    }
    assert obj.get("revoked", False) is False and not [k for k in obj if k.startswith("x_")]
    tomb = stix.indicator_dict(ind, revoked=True)
    assert (
        tomb["id"] == obj["id"] and tomb["revoked"] is True and tomb["modified"] >= obj["modified"]
    )
    fields = stix.fields_from_stix(json.loads(json.dumps(obj)))
    assert (fields["type"], fields["value"], fields["tlp"]) == ("domain", "evil.example", "GREEN")


def test_ingest_refuses_stix_ids_that_are_not_rfc4122(world):
    with pytest.raises(ValueError, match="RFC 4122"):
        stix.fields_from_stix(
            {
                "id": "indicator--59510d91-a04a-1af4-6794-6ec474bb7593",
                "pattern": "[ipv4-addr:value = '1.2.3.4']",
            }
        )


@pytest.mark.parametrize("type_", IndicatorType.values)
@pytest.mark.parametrize("micro", [0, 120000, 123456])
def test_the_fast_serialisation_equals_the_stix2_one(world, type_, micro):
    from datetime import UTC, datetime

    from sharing.models import Indicator

    ind = Indicator(
        owner=world.owner.agency,
        type=type_,
        value=SAMPLES[type_],
        normalized=SAMPLES[type_],
        confidence=0,
        tlp="AMBER+STRICT",
        pap="RED",
        created=datetime(2026, 1, 2, 3, 4, 5, micro, tzinfo=UTC),
        modified=datetime(2026, 1, 3, 3, 4, 5, micro, tzinfo=UTC),
    )
    assert stix.indicator_json(ind) == stix.indicator_dict(ind)
    ind.first_seen = datetime(2025, 12, 1, tzinfo=UTC)
    ind.last_seen = datetime(2025, 12, 2, 1, 1, 1, micro, tzinfo=UTC)
    ind.valid_until = datetime(2027, 1, 1, 0, 0, 0, micro, tzinfo=UTC)
    ind.description, ind.labels, ind.revoked = "C2 'quoted'", ["botnet", "demo"], True
    assert stix.indicator_json(ind) == stix.indicator_dict(ind)
