"""The MISP feed of what a caller may see: its latest STIX objects (``export_versions``)
grouped into MISP events and converted by misp-stix's STIX 2.1 → MISP parser.

One event per owning agency and UTC day of the objects' ``created``: an object stays in the
same event for life, the event uuid (uuid5 of agency and day) is stable, and its
``timestamp`` is the newest ``modified`` in it, so a MISP instance pulling the feed sees
updates. Revoked objects are left out.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import stix2
from misp_stix_converter import ExternalSTIX2toMISPParser
from pymisp import MISPEvent, MISPOrganisation

from agencies.models import TLP, Agency
from interop.selectors import export_versions
from interop.stix import export_bundle, identity_id
from sharing import stix as sharing_stix
from sharing.models import TLP_RANK

FEED_NAMESPACE = uuid.UUID("3b0f7c4e-9a51-4f0e-8d3c-5e2a7b6c1d90")
TLP_COLOURS: dict[str, str] = {
    TLP.CLEAR: "#ffffff",
    TLP.GREEN: "#33ff00",
    TLP.AMBER: "#ffc000",
    TLP.AMBER_STRICT: "#ffc000",
    TLP.RED: "#ff2b2b",
}
PAP_STATEMENT = "statement:"  # misp-stix's tag for a statement marking ("PAP:AMBER")
PATTERN_ATTRIBUTE_TYPES = {
    "stix": "stix2-pattern",
    "sigma": "sigma",
    "yara": "yara",
    "snort": "snort",
    "suricata": "suricata",
}
ANALYSIS_COMPLETED = 2
THREAT_LEVEL_UNDEFINED = 4


def event_uuid(agency_code: str, day: str) -> str:
    return str(uuid.uuid5(FEED_NAMESPACE, f"{agency_code}:{day}"))


def _timestamp(stamp: str) -> int:
    return int(datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp())


@dataclass
class FeedEvent:
    """One feed event as the caller sees it: an agency's objects created on one day."""

    owner: Agency
    day: str
    bodies: list[str] = field(default_factory=list)
    levels: dict[str, str] = field(default_factory=dict)  # STIX id → TLP
    tlps: set[str] = field(default_factory=set)
    paps: set[str] = field(default_factory=set)
    timestamp: int = 0

    @property
    def uuid(self) -> str:
        return event_uuid(self.owner.code, self.day)

    @property
    def tlp(self) -> str:
        return max(self.tlps, key=TLP_RANK.__getitem__)

    def meta(self) -> dict[str, Any]:
        """The event's manifest entry (MISP's feed format)."""
        return {
            "info": f"CyberCoop: {self.owner.code} objects created {self.day}",
            "date": self.day,
            "analysis": ANALYSIS_COMPLETED,
            "threat_level_id": THREAT_LEVEL_UNDEFINED,
            "timestamp": self.timestamp,
            "Orgc": {
                "name": self.owner.name or self.owner.code,
                "uuid": identity_id(self.owner.code).partition("--")[2],
            },
            "Tag": [{"name": f"tlp:{self.tlp.lower()}", "colour": TLP_COLOURS[self.tlp]}],
        }


def _rows(*, user: Any, agency: Agency | None) -> Iterator[tuple[Any, ...]]:
    return (
        export_versions(user=user, agency=agency)
        .filter(object_type="indicator")  # MISP attributes; other objects are not fed yet
        .values_list(
            "body",
            "owner_id",
            "indicator__tlp",
            "stix_object__tlp",
            "indicator__pap",
            "stix_object__pap",
            "indicator__type",
            "indicator__normalized",
        )
        .iterator()
    )


def _as_attribute(obj: dict[str, Any], type_: str, normalized: str, owner: Agency) -> str:
    """A typed indicator in the form misp-stix maps to one attribute of its value: our own
    pattern and creator, not the ones it was received with (``Indicator.stix_extra``)."""
    obj["pattern"] = sharing_stix.pattern_for(type_, normalized)
    obj["created_by_ref"] = identity_id(owner.code)
    return json.dumps(obj)


def feed_events(*, user: Any, agency: Agency | None) -> dict[str, FeedEvent]:
    """The caller's feed events by uuid: only objects it may see, so only events it sees."""
    events: dict[str, FeedEvent] = {}
    owners = {a.pk: a for a in Agency.objects.all()}
    for row in _rows(user=user, agency=agency):
        body, owner_id, tlp, pattern_tlp, pap, pattern_pap, type_, normalized = row
        obj = json.loads(body)
        if obj.get("revoked") is True:
            continue
        if type_:
            body = _as_attribute(obj, type_, normalized, owners[owner_id])
        day = str(obj.get("created", ""))[:10]
        event = FeedEvent(owners[owner_id], day)
        event = events.setdefault(event.uuid, event)
        event.bodies.append(body)
        event.levels[obj["id"]] = tlp or pattern_tlp
        event.tlps.add(tlp or pattern_tlp)
        event.paps.add(pap or pattern_pap)
        if "modified" in obj:
            event.timestamp = max(event.timestamp, _timestamp(obj["modified"]))
    return events


def feed_manifest(*, user: Any, agency: Agency | None) -> dict[str, Any]:
    return {key: event.meta() for key, event in feed_events(user=user, agency=agency).items()}


def feed_event(event: FeedEvent) -> MISPEvent:
    """The MISP event of a feed event: misp-stix's external STIX 2.1 parser reads our export
    bundle (indicators with their TLP markings → attributes and objects tagged ``tlp:*``);
    the event's own fields are ours, so they match its manifest entry."""
    document = json.loads(export_bundle(event.bodies, [event.owner], event.tlps, event.paps))
    ours = {sharing_stix.PLATFORM_IDENTITY_ID, sharing_stix.CYBERCOOP_EXTENSION_ID}
    document["objects"] = [o for o in document["objects"] if o["id"] not in ours]
    bundle = stix2.parse(document, allow_custom=True)  # without our publisher: not event data
    parser = ExternalSTIX2toMISPParser()
    parser.load_stix_bundle(bundle)
    parser.parse_stix_bundle(single_event=True)
    misp_event: MISPEvent = parser.misp_event
    meta = event.meta()
    misp_event.uuid = event.uuid
    misp_event.info = meta["info"]
    misp_event.set_date(event.day)
    misp_event.analysis = meta["analysis"]
    misp_event.threat_level_id = meta["threat_level_id"]
    misp_event.timestamp = event.timestamp
    misp_event.publish_timestamp = event.timestamp
    misp_event.published = True
    orgc = MISPOrganisation()
    orgc.from_dict(**meta["Orgc"])
    misp_event.Orgc = orgc
    misp_event.tags = []
    for tag in meta["Tag"]:
        misp_event.add_tag(**tag)
    for attribute in [
        *misp_event.attributes,
        *(a for o in misp_event.objects for a in o.attributes),
    ]:
        for tag in attribute.tags:  # misp-stix reads our PAP marking as a statement
            tag.name = tag.name.removeprefix(PAP_STATEMENT)
    _add_unconverted(misp_event, event)
    return misp_event


def _add_unconverted(misp_event: MISPEvent, event: FeedEvent) -> None:
    """Indicators misp-stix made nothing of (e.g. a pattern of several comparisons, like the
    ``ip-src`` misp-stix itself writes) travel as their pattern: a ``stix2-pattern`` attribute
    (or ``sigma``, ``yara``, ...), so the feed never drops one silently."""
    converted = {str(a.uuid) for a in misp_event.attributes}
    for misp_object in misp_event.objects:
        converted |= {str(misp_object.uuid), *(str(a.uuid) for a in misp_object.attributes)}
    for body in event.bodies:
        obj = json.loads(body)
        key = str(obj.get("id", "")).partition("--")[2]
        if obj.get("type") != "indicator" or key in converted:
            continue
        misp_event.add_attribute(
            PATTERN_ATTRIBUTE_TYPES.get(obj.get("pattern_type"), "other"),
            obj["pattern"],
            uuid=key,
            category="Network activity",
            to_ids=True,
            comment=str(obj.get("name", ""))[:250],
            timestamp=_timestamp(obj["modified"]),
            Tag=[{"name": f"tlp:{event.levels[obj['id']].lower()}"}],
        )


def feed_event_json(event: FeedEvent) -> dict[str, Any]:
    feed: dict[str, Any] = feed_event(event).to_feed()
    return feed


def feed_hashes(*, user: Any, agency: Agency | None) -> list[tuple[str, str]]:
    """(md5 of an attribute value, event uuid) rows: MISP's ``hashes.csv``."""
    return [
        (value_hash, key)
        for key, event in feed_events(user=user, agency=agency).items()
        for value_hash in feed_event(event).to_feed(with_meta=True)["Event"]["_hashes"]
    ]
