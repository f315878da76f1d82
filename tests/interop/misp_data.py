"""MISP test events (tests/interop/data/misp, README there) and what misp-stix makes of them."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from misp_stix_converter import MISPtoSTIX21Parser

from interop.services import OUTCOMES

DATA = Path(__file__).parent / "data" / "misp"
FEED = DATA / "feed"
EVENT_UUID = "a6ef17d6-91cb-4a05-b10b-2f045daf874c"
SHARING_GROUP_EVENT_UUID = "5d9e3a8c-4f1b-4c6e-9a2d-7b8c9d0e1f21"


def event(name: str = "event-indicators.json") -> dict[str, Any]:
    return copy.deepcopy(json.loads((DATA / name).read_text()))


def feed_events() -> list[dict[str, Any]]:
    manifest = json.loads((FEED / "manifest.json").read_text())
    return [json.loads((FEED / f"{key}.json").read_text()) for key in manifest]


def misp_stix_objects(misp_event: dict[str, Any]) -> list[dict[str, Any]]:
    """The STIX 2.1 objects misp-stix itself makes of an event."""
    parser = MISPtoSTIX21Parser()
    parser.parse_misp_event(misp_event)
    return json.loads(parser.bundle.serialize())["objects"]


def handled(counts: dict[str, int]) -> int:
    """Objects the import accounted for (``revoked`` is a subset of created/updated)."""
    return sum(counts[outcome] for outcome in OUTCOMES if outcome != "revoked")


# --- one STIX 2.1 object of each family, for the MISP feed (tests/interop/test_misp_feed.py) ---

DAY = "2025-11-30"
STAMP = f"{DAY}T10:00:00.000Z"
GREEN = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"  # TLP:GREEN (sharing.stix)


def _id(kind: str, n: int) -> str:
    return f"{kind}--{n:08d}-0000-4000-8000-{n:012d}"


def _sdo(kind: str, n: int, **properties: Any) -> dict[str, Any]:
    return {
        "type": kind,
        "spec_version": "2.1",
        "id": _id(kind, n),
        "created": STAMP,
        "modified": STAMP,
        "object_marking_refs": [GREEN],
        **properties,
    }


def _observable(kind: str, n: int, **properties: Any) -> dict[str, Any]:
    return {"type": kind, "spec_version": "2.1", "id": _id(kind, n), **properties}


INDICATOR = _sdo(
    "indicator",
    1,
    name="Nightjar C2 domain",
    pattern="[domain-name:value = 'c2.nightjar.example']",
    pattern_type="stix",
    valid_from=STAMP,
)
MALWARE = _sdo("malware", 2, name="NIGHTJAR loader", is_family=True)
THREAT_ACTOR = _sdo("threat-actor", 3, name="Nightjar Crew")
SECRET_ACTOR = _sdo("threat-actor", 4, name="Operation Whippoorwill Sponsor")
GALAXIES = {  # SDO → the galaxy misp-stix makes of it (STIX 2.1 <type>)
    "threat-actor": THREAT_ACTOR,
    "intrusion-set": _sdo("intrusion-set", 5, name="Nightjar Set"),
    "campaign": _sdo("campaign", 6, name="Operation Nightjar"),
    "tool": _sdo("tool", 7, name="nightjar-dropper"),
    "attack-pattern": _sdo("attack-pattern", 8, name="Spearphishing Attachment"),
    "vulnerability": _sdo("vulnerability", 9, name="CVE-2021-44228"),
    "course-of-action": _sdo("course-of-action", 10, name="Block the C2 domain"),
    "location": _sdo("location", 11, name="Lyon", country="FR"),
}
IDENTITY = _sdo("identity", 12, name="Acme Bank", identity_class="organization")
INFRASTRUCTURE = _sdo("infrastructure", 13, name="Nightjar relay")
DOMAIN = _observable("domain-name", 14, value="relay.nightjar.example")
ADDRESS = _observable("ipv4-addr", 15, value="198.51.100.77")
OBSERVED = _sdo(
    "observed-data",
    16,
    first_observed=STAMP,
    last_observed=STAMP,
    number_observed=2,
    object_refs=[DOMAIN["id"], ADDRESS["id"]],
)
INDICATES = _sdo(
    "relationship",
    17,
    relationship_type="indicates",
    source_ref=INDICATOR["id"],
    target_ref=MALWARE["id"],
)
USES = _sdo(
    "relationship",
    18,
    relationship_type="uses",
    source_ref=THREAT_ACTOR["id"],
    target_ref=MALWARE["id"],
)
SECRET_USES = _sdo(
    "relationship",
    19,
    relationship_type="uses",
    source_ref=SECRET_ACTOR["id"],
    target_ref=MALWARE["id"],
)
TO_SECRET = _sdo(  # its target is what a partner may not see
    "relationship",
    25,
    relationship_type="related-to",
    source_ref=MALWARE["id"],
    target_ref=SECRET_ACTOR["id"],
)
BROKEN = _sdo("campaign", 26, name="Half-written campaign", first_seen="soon")  # stix2 refuses
SIGHTING = _sdo(
    "sighting", 20, sighting_of_ref=INDICATOR["id"], count=3, where_sighted_refs=[IDENTITY["id"]]
)
NOTE = _sdo("note", 21, content="Seen in three banks' mail gateways", object_refs=[INDICATOR["id"]])
OPINION = _sdo("opinion", 22, opinion="agree", object_refs=[MALWARE["id"]])
REPORT = _sdo(
    "report",
    23,
    name="Nightjar weekly",
    description="What we know of Nightjar",
    published=STAMP,
    object_refs=[INDICATOR["id"], MALWARE["id"], SECRET_ACTOR["id"]],
)
GROUPING = _sdo(
    "grouping", 24, context="suspicious-activity", object_refs=[INDICATOR["id"], MALWARE["id"]]
)
FAMILIES = [
    INDICATOR,
    MALWARE,
    SECRET_ACTOR,
    *GALAXIES.values(),
    IDENTITY,
    INFRASTRUCTURE,
    DOMAIN,
    ADDRESS,
    OBSERVED,
    INDICATES,
    USES,
    SECRET_USES,
    TO_SECRET,
    BROKEN,
    SIGHTING,
    NOTE,
    OPINION,
    REPORT,
    GROUPING,
]
