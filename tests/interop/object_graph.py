"""A small STIX graph for the object pages and API tests, imported through
``interop.services.bundle_import``: the owner's malware, threat actor and relationships (one to
the outsider's malware, one to an id nothing holds), an outsider's relationship to the owner's
malware, and the owner's typed indicator that the owner's relationship indicates."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from interop.services import bundle_import
from sharing import services
from sharing.models import Indicator, Share, StixObject

CREATED = "2026-01-01T00:00:00.000Z"


def sdo(kind: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": kind,
        "spec_version": "2.1",
        "id": f"{kind}--{uuid.uuid4()}",
        "created": CREATED,
        "modified": CREATED,
        **extra,
    }


def relationship(source: str, kind: str, target: str) -> dict[str, Any]:
    return sdo("relationship", relationship_type=kind, source_ref=source, target_ref=target)


def ipv4_observable(value: str) -> dict[str, Any]:
    """A cyber observable: no created, no modified, no versions."""
    return {
        "type": "ipv4-addr",
        "spec_version": "2.1",
        "id": f"ipv4-addr--{uuid.uuid4()}",
        "value": value,
    }


def statement_marking(statement: str) -> dict[str, Any]:
    """A marking definition of our own (not TLP, not PAP): created, but no versions."""
    return {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": f"marking-definition--{uuid.uuid4()}",
        "created": CREATED,
        "name": statement,
        "definition_type": "statement",
        "definition": {"statement": statement},
    }


@dataclass
class Graph:
    malware: StixObject
    actor: StixObject
    uses: StixObject  # actor uses malware
    to_hidden: StixObject  # malware variant-of the outsider's malware
    to_unknown: StixObject  # malware variant-of an id no one holds
    indicates: StixObject  # the owner's typed indicator indicates malware
    hidden: StixObject  # the outsider's malware
    hidden_rel: StixObject  # the outsider's relationship targeting the owner's malware
    indicator: Indicator
    unknown_id: str


def load(side: Any, *objects: dict[str, Any]) -> dict[str, StixObject]:
    report = bundle_import(actor=side.investigator, agency=side.agency, objects=list(objects))
    assert not report.rejected, report.rejected
    ids = [o["id"] for o in objects]
    stored = StixObject.objects.filter(owner=side.agency, stix_id__in=ids)
    return {o.stix_id: o for o in stored}


def build(world: Any) -> Graph:
    hidden = sdo("malware", name="Outsider's banker", is_family=True)
    load(world.outsider, hidden)
    malware = sdo("malware", name="Emotet loader", is_family=True, labels=["loader"])
    actor = sdo("threat-actor", name="TA-505")
    unknown_id = f"malware--{uuid.uuid4()}"
    indicator = sdo(
        "indicator",
        pattern="[ipv4-addr:value = '198.51.100.7']",
        pattern_type="stix",
        valid_from=CREATED,
    )
    uses = relationship(actor["id"], "uses", malware["id"])
    to_hidden = relationship(malware["id"], "variant-of", hidden["id"])
    to_unknown = relationship(malware["id"], "variant-of", unknown_id)
    indicates = relationship(indicator["id"], "indicates", malware["id"])
    owner = load(world.owner, malware, actor, indicator, uses, to_hidden, to_unknown, indicates)
    hidden_rel = relationship(hidden["id"], "variant-of", malware["id"])
    outsider = load(world.outsider, hidden_rel)
    return Graph(
        malware=owner[malware["id"]],
        actor=owner[actor["id"]],
        uses=owner[uses["id"]],
        to_hidden=owner[to_hidden["id"]],
        to_unknown=owner[to_unknown["id"]],
        indicates=owner[indicates["id"]],
        hidden=StixObject.objects.get(stix_id=hidden["id"]),
        hidden_rel=outsider[hidden_rel["id"]],
        indicator=Indicator.objects.get(owner=world.owner.agency, stix_uuid=indicator["id"][11:]),
        unknown_id=unknown_id,
    )


def share_with_partner(world: Any, *objects: StixObject) -> Share:
    return services.stix_objects_share(
        actor=world.owner.investigator,
        objects=list(objects),
        spec=services.ShareSpec(agencies=[world.partner.agency]),
    )
