"""What counts as a reference of a STIX object (``sharing.objects.is_reference``): the one
rule that the stored references, the object page's property table and the MISP feed's
cutting of invisible references share."""

from __future__ import annotations

from sharing.objects import is_reference, references_of

MARKING = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"
ACTOR = "threat-actor--00000003-0000-4000-8000-000000000003"
MALWARE = "malware--00000002-0000-4000-8000-000000000002"
CREATOR = "identity--00000012-0000-4000-8000-000000000012"


def test_refs_and_ref_lists_are_references_but_markings_and_other_properties_are_not():
    assert is_reference("source_ref") and is_reference("object_refs")
    assert not is_reference("object_marking_refs")
    assert not is_reference("name") and not is_reference("refs") and not is_reference("preface")


def test_an_objects_references_follow_the_same_rule():
    body = {
        "type": "relationship",
        "source_ref": ACTOR,
        "target_ref": MALWARE,
        "created_by_ref": CREATOR,
        "object_marking_refs": [MARKING],
        "external_references": [{"source_name": "x", "external_id": "y"}],
    }
    assert references_of(body) == {
        ("source_ref", ACTOR),
        ("target_ref", MALWARE),
        ("created_by_ref", CREATOR),
    }
    assert references_of({"type": "report", "object_refs": [ACTOR, MALWARE]}) == {
        ("object_refs", ACTOR),
        ("object_refs", MALWARE),
    }
