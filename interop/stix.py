"""STIX 2.1 documents around sharing's one indicator mapping (``sharing.stix``, which also
holds the TLP marking definitions): identities for owning agencies and export bundles.
"""

from __future__ import annotations

import functools
import json
import uuid
from collections.abc import Iterable
from typing import Any

from agencies.models import TLP, Agency
from sharing import stix as sharing_stix
from sharing.models import PAP, Indicator, StixObject

IDENTITY_NAMESPACE = uuid.UUID("1f0b7a52-6a53-4c44-9d0c-9a3c2f1e7d21")
IDENTITY_CREATED = "2020-01-01T00:00:00.000Z"
STIX_MEDIA_TYPE = "application/stix+json;version=2.1"
TLP_ORDER: list[str] = list(TLP.values)  # markings appear in a bundle from CLEAR to RED
# A pattern-only indicator received without a description (strict validation asks for one).
PATTERN_DESCRIPTION = "Pattern-only indicator kept as received, shared through CyberCoop."


@functools.cache
def identity_id(agency_code: str) -> str:
    """A fixed id per agency, from its code (``sharing.stix.derived_uuid4``)."""
    return f"identity--{sharing_stix.derived_uuid4(IDENTITY_NAMESPACE, agency_code)}"


def identity(agency: Agency) -> dict[str, Any]:
    return {
        "type": "identity",
        "spec_version": "2.1",
        "id": identity_id(agency.code),
        "created": IDENTITY_CREATED,
        "modified": IDENTITY_CREATED,
        "name": agency.name or agency.code,
        "identity_class": "organization",
        "extensions": {
            sharing_stix.CYBERCOOP_EXTENSION_ID: {
                "extension_type": sharing_stix.PROPERTY_EXTENSION,
                "agency": agency.code,
            }
        },
    }


def indicator_stix(indicator: Indicator, owner_code: str) -> dict[str, Any]:
    """sharing's STIX indicator (its fast ``indicator_json``) plus ``created_by_ref``, with
    the labels and description strict validation asks for (``sharing.stix.with_stand_ins``)."""
    obj = sharing_stix.indicator_json(indicator)
    obj.setdefault("created_by_ref", identity_id(owner_code))  # its own, when it came with one
    return sharing_stix.with_stand_ins(obj, indicator.type)


def object_stix(
    body: dict[str, Any], *, tlp: str, pap: str, handling_code: str, owner_code: str
) -> dict[str, Any]:
    """A STIX object as received, with our markings, provenance (its own ``created_by_ref``
    when it had one, else the owning agency's identity) and extension (in place of any legacy
    ``x_cybercoop_*`` properties it was sent with)."""
    ours: dict[str, Any] = {"pap": pap, "handling_code": handling_code, "owner": owner_code}
    indicator = body.get("type") == "indicator"
    if indicator:
        ours["pattern_only"] = True
    obj = sharing_stix.with_extension(body, ours)
    obj["spec_version"] = "2.1"
    if "created" in obj:  # not a cyber observable (those have no creator)
        obj.setdefault("created_by_ref", identity_id(owner_code))
    obj["object_marking_refs"] = [
        sharing_stix.TLP_MARKING_IDS[tlp],
        sharing_stix.PAP_MARKING_IDS[pap],
    ]
    if indicator:
        obj.setdefault("labels", ["pattern"])
        obj.setdefault("name", f"{obj.get('pattern_type', 'stix')} pattern")
        obj.setdefault("description", PATTERN_DESCRIPTION)
    return obj


def stix_object_stix(stix_object: StixObject, owner_code: str) -> dict[str, Any]:
    """A stored STIX object's newest version as we serve it."""
    return object_stix(
        stix_object.body,
        tlp=stix_object.tlp,
        pap=stix_object.pap,
        handling_code=stix_object.handling_code,
        owner_code=owner_code,
    )


def export_bundle(
    objects: list[str],
    agencies: Iterable[Agency],
    tlps: Iterable[str],
    paps: Iterable[str] = (),
) -> str:
    """A bundle (as JSON text) of serialised objects with their identities, the TLP and PAP
    marking definitions they refer to and, as our identities and indicators use it, our
    extension definition with the platform identity that publishes it."""
    context = [json.dumps(identity(a)) for a in agencies]
    if context or any(sharing_stix.CYBERCOOP_EXTENSION_ID in o for o in objects):
        context = [
            json.dumps(sharing_stix.platform_identity()),
            json.dumps(sharing_stix.extension_definition()),
            *context,
        ]
    context += [
        json.dumps(sharing_stix.tlp_marking(t)) for t in sorted(set(tlps), key=TLP_ORDER.index)
    ]
    context += [json.dumps(sharing_stix.pap_marking(p)) for p in PAP.values if p in set(paps)]
    bundle_id = f"bundle--{uuid.uuid4()}"
    return (
        '{"type": "bundle", "id": "'
        + bundle_id
        + '", "objects": ['
        + ", ".join(context + objects)
        + "]}"
    )
