"""The MISP feed of what a caller may see: its latest STIX objects of every type
(``export_versions``) grouped into MISP events and converted by misp-stix's STIX 2.1 → MISP
parser: indicators and observables become attributes and objects, SDOs galaxy clusters,
relationships galaxies on attributes, object references or cluster relations, sightings MISP
sightings, notes and opinions analyst data, reports and groupings event reports.

One event per owning agency and UTC day of the objects' ``created`` (an observable's: when it
was first stored); a relationship, sighting, note or opinion goes to the event of what it is
about (its source), when the same agency owns that. An object stays in the same event for
life, the event uuid (uuid5 of agency and day) is stable, and its ``timestamp`` is the newest
``modified`` in it, so a MISP instance pulling the feed sees updates. Revoked objects are left
out. A reference to anything the caller cannot see is cut (``_visible_part``): a relationship
or sighting whose end is not fed is left out whole, a list of references loses the entry, so
the feed names no uuid, name or count of what the caller may not see.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import stix2
from django.db.models.functions import Coalesce
from misp_stix_converter import ExternalSTIX2toMISPParser
from pymisp import MISPEvent, MISPOrganisation

from agencies.models import TLP, Agency
from interop.selectors import export_versions
from interop.stix import export_bundle, identity_id
from sharing import stix as sharing_stix
from sharing.models import TLP_RANK
from sharing.objects import REQUIRED, is_observable, is_reference, references_of

logger = logging.getLogger(__name__)

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
# Objects fed with what they are about (their first reference), not on their own day.
ABOUT: dict[str, str] = {
    "relationship": "source_ref",
    "sighting": "sighting_of_ref",
    "note": "object_refs",
    "opinion": "object_refs",
}
CONTAINERS = frozenset({"report", "grouping"})  # MISP event reports (misp-stix: the event)
UNCONVERTED = "STIX 2.1 {kind} that misp-stix does not convert into MISP, as JSON"
ANALYSIS_COMPLETED = 2
THREAT_LEVEL_UNDEFINED = 4


def event_uuid(agency_code: str, day: str) -> str:
    return str(uuid.uuid5(FEED_NAMESPACE, f"{agency_code}:{day}"))


def _timestamp(stamp: str) -> int:
    return int(datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp())


@dataclass
class Entry:
    """One fed object: its STIX form (references the caller may not see cut), owner, markings
    and the day of its own event."""

    obj: dict[str, Any]
    owner: Agency
    tlp: str
    pap: str
    day: str

    @property
    def key(self) -> str:
        return event_uuid(self.owner.code, self.day)


@dataclass
class FeedEvent:
    """One feed event as the caller sees it: an agency's objects created on one day, and the
    objects of other events they refer to (``context``: converted with them, so a
    relationship to another day's malware still names it, but fed in their own event)."""

    owner: Agency
    day: str
    entries: list[Entry] = field(default_factory=list)
    context: list[Entry] = field(default_factory=list)

    @property
    def uuid(self) -> str:
        return event_uuid(self.owner.code, self.day)

    @property
    def levels(self) -> dict[str, str]:  # STIX id → TLP
        return {e.obj["id"]: e.tlp for e in [*self.context, *self.entries]}

    @property
    def tlp(self) -> str:
        """The strictest TLP of what the event shows (the context's galaxy clusters too)."""
        return max((e.tlp for e in [*self.entries, *self.context]), key=TLP_RANK.__getitem__)

    @property
    def timestamp(self) -> int:
        stamps = [_timestamp(e.obj["modified"]) for e in self.entries if "modified" in e.obj]
        return max(stamps, default=0)

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
        .values_list(
            "body",
            "owner_id",
            Coalesce("indicator__tlp", "stix_object__tlp"),
            Coalesce("indicator__pap", "stix_object__pap"),
            "indicator__type",
            "indicator__normalized",
            "stix_object__created",
        )
        .iterator()
    )


def _as_attribute(obj: dict[str, Any], type_: str, normalized: str, owner: Agency) -> None:
    """A typed indicator in the form misp-stix maps to one attribute of its value: our own
    pattern and creator, not the ones it was received with (``Indicator.stix_extra``)."""
    obj["pattern"] = sharing_stix.pattern_for(type_, normalized)
    obj["created_by_ref"] = identity_id(owner.code)


def _visible_part(obj: dict[str, Any], fed: set[str]) -> dict[str, Any] | None:
    """The object without its references to anything not fed (``fed``: ids of the objects
    and identities the caller gets): such an entry leaves a list, such a property goes, and
    an object left without a reference its type requires (a relationship's end, a sighting's
    sighting_of_ref, a note's object_refs, an observed-data's objects) is not fed at all."""
    kept = dict(obj)
    required = REQUIRED.get(str(obj.get("type")), ())
    for name, value in obj.items():
        if not is_reference(name):
            continue
        values = value if isinstance(value, list) else [value]
        visible = [v for v in values if isinstance(v, str) and v in fed]
        if len(visible) == len(values):
            continue
        if not visible and (name in required or name == "object_refs"):
            return None
        if isinstance(value, list) and visible:
            kept[name] = visible
        else:
            del kept[name]
    return kept


def _entries(*, user: Any, agency: Agency | None) -> list[Entry]:
    """The objects the caller gets, revoked ones left out, references cut to what it gets."""
    owners = {a.pk: a for a in Agency.objects.all()}
    entries = []
    for body, owner_id, tlp, pap, type_, normalized, stored in _rows(user=user, agency=agency):
        obj = json.loads(body)
        if obj.get("revoked") is True:
            continue
        owner = owners[owner_id]
        if type_:
            _as_attribute(obj, type_, normalized, owner)
        # a stored object's day is when its first version was created: misp-stix writes an
        # updated MISP attribute's STIX objects with a new ``created``
        created = stored.date().isoformat() if stored else str(obj.get("created", ""))[:10]
        entries.append(Entry(obj, owner, tlp, pap, created))
    fed = {e.obj["id"] for e in entries} | {identity_id(e.owner.code) for e in entries}
    while True:  # cutting one object may leave another without its required reference
        kept = []
        for entry in entries:
            visible = _visible_part(entry.obj, fed)
            if visible is not None:
                kept.append(Entry(visible, entry.owner, entry.tlp, entry.pap, entry.day))
        if len(kept) == len(entries):
            return kept
        entries = kept
        fed = {e.obj["id"] for e in entries} | {identity_id(e.owner.code) for e in entries}


def _about(entry: Entry, by_id: dict[str, list[Entry]], seen_in: dict[str, list[Entry]]) -> Entry:
    """The entry whose event this one is fed in, when the same agency owns it: for a
    relationship, sighting, note or opinion what it is about; for a cyber observable (which
    has no ``created``) the first observed-data that refers to it; else itself."""
    kind = str(entry.obj.get("type"))
    if kind in ABOUT:
        ref = entry.obj.get(ABOUT[kind])
        first = ref[0] if isinstance(ref, list) and ref else ref
        candidates = by_id.get(first, []) if isinstance(first, str) else []
    elif is_observable(entry.obj):
        candidates = seen_in.get(entry.obj["id"], [])
    else:
        return entry
    same = [e for e in candidates if e.owner == entry.owner and e.obj.get("type") not in ABOUT]
    return same[0] if same else entry


def feed_events(*, user: Any, agency: Agency | None) -> dict[str, FeedEvent]:
    """The caller's feed events by uuid: only objects it may see, so only events it sees."""
    entries = _entries(user=user, agency=agency)
    by_id: dict[str, list[Entry]] = {}
    for entry in entries:
        by_id.setdefault(entry.obj["id"], []).append(entry)
    seen_in: dict[str, list[Entry]] = {}  # observable id → observed-data, first created first
    for entry in sorted(entries, key=lambda e: (str(e.obj.get("created")), e.obj["id"])):
        if entry.obj.get("type") == "observed-data":
            for ref in entry.obj.get("object_refs", []):
                seen_in.setdefault(ref, []).append(entry)
    events: dict[str, FeedEvent] = {}
    for entry in entries:
        home = _about(entry, by_id, seen_in)
        event = events.setdefault(home.key, FeedEvent(entry.owner, home.day))
        event.entries.append(entry)
    for event in events.values():
        present = {e.obj["id"] for e in event.entries}
        wanted = {t for e in event.entries for _, t in references_of(e.obj)} - present
        event.context = [by_id[t][0] for t in sorted(wanted) if t in by_id]
    return events


def feed_manifest(*, user: Any, agency: Agency | None) -> dict[str, Any]:
    return {key: event.meta() for key, event in feed_events(user=user, agency=agency).items()}


def feed_event(event: FeedEvent) -> MISPEvent:
    """The MISP event of a feed event: misp-stix's external STIX 2.1 parser reads our export
    bundle (objects with their TLP markings → attributes, objects, galaxies tagged
    ``tlp:*``); the event's own fields are ours, so they match its manifest entry. What the
    context (other events' objects) became is removed but galaxy clusters, which MISP shares
    across events; what misp-stix made nothing of is added (``_add_unconverted``)."""
    everything = [*event.entries, *event.context]
    bodies = [json.dumps(e.obj) for e in everything if str(e.obj.get("type")) not in CONTAINERS]
    tlps = {e.tlp for e in everything}
    paps = {e.pap for e in everything}
    document = json.loads(export_bundle(bodies, [event.owner], tlps, paps))
    ours = {sharing_stix.PLATFORM_IDENTITY_ID, sharing_stix.CYBERCOOP_EXTENSION_ID}
    document["objects"] = [o for o in document["objects"] if o["id"] not in ours]
    parser = ExternalSTIX2toMISPParser()
    misp_event = _converted_event(parser, document["objects"])
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
    elsewhere = {e.obj["id"].partition("--")[2] for e in event.context}
    misp_event.attributes = [a for a in misp_event.attributes if str(a.uuid) not in elsewhere]
    misp_event.objects = [o for o in misp_event.objects if str(o.uuid) not in elsewhere]
    _tlp_tags(misp_event, event)
    _add_unconverted(misp_event, event, _cluster_uuids(parser))
    return misp_event


def _converted_event(parser: ExternalSTIX2toMISPParser, objects: list[Any]) -> MISPEvent:
    """misp-stix's MISP event of these objects (without our publisher: not event data). An
    object stix2 rejects (our import checks less, e.g. a campaign's ``first_seen``) is left
    to ``_add_unconverted``, as is everything when misp-stix itself fails, so an odd object
    never fails the event."""
    parsed = []
    for obj in objects:
        try:
            parsed.append(stix2.parse(obj, allow_custom=True))
        except Exception:  # stix2 raises several kinds on what it will not take
            logger.info("MISP feed: stix2 rejects %s", obj.get("id"))
    try:
        parser.load_stix_bundle(stix2.v21.Bundle(objects=parsed, allow_custom=True))
        parser.parse_stix_bundle(single_event=True)
    except Exception:  # misp-stix raises anything on input it cannot read
        logger.warning("MISP feed: misp-stix could not convert an event", exc_info=True)
        return MISPEvent()
    misp_event: MISPEvent = parser.misp_event
    return misp_event


def _tlp_tags(misp_event: MISPEvent, event: FeedEvent) -> None:
    """Every attribute tagged with its TLP and PAP (``PAP:*``: misp-stix reads our PAP
    marking as a statement). misp-stix tags what it made of a marked object but not the
    attributes of an object it made of an observed-data: those take the markings of the STIX
    object of their own uuid, or of their MISP object's, or of the objects their comment
    names, else the event's strictest TLP and the PAP of its first object."""
    everything = [*event.context, *event.entries]
    by_id = {e.obj["id"]: e for e in everything}
    by_uuid = {uuid_: e for uuid_, e in ((i.partition("--")[2], e) for i, e in by_id.items())}

    def entry(*items: Any) -> Entry | None:
        for item in items:
            if str(item.uuid) in by_uuid:
                return by_uuid[str(item.uuid)]
            named = [by_id[w] for w in str(getattr(item, "comment", "")).split() if w in by_id]
            if named:
                return max(named, key=lambda e: TLP_RANK[e.tlp])
        return None

    pairs: list[tuple[Any, tuple[Any, ...]]] = [(a, (a,)) for a in misp_event.attributes]
    pairs += [(a, (a, o)) for o in misp_event.objects for a in o.attributes]
    for attribute, items in pairs:
        for tag in attribute.tags:
            tag.name = tag.name.removeprefix(PAP_STATEMENT)
        names = {t.name.split(":")[0] for t in attribute.tags}
        found = entry(*items)
        if "tlp" not in names:
            attribute.add_tag(f"tlp:{(found.tlp if found else event.tlp).lower()}")
        if "PAP" not in names:
            attribute.add_tag(f"PAP:{(found or event.entries[0]).pap}")


def _cluster_uuids(parser: ExternalSTIX2toMISPParser) -> dict[str, str]:
    """STIX id → uuid of the galaxy cluster misp-stix made of it."""
    found: dict[str, str] = {}
    for stix_id, loaded in getattr(parser, "_clusters", {}).items():
        clusters = loaded.get("cluster") if isinstance(loaded, dict) else None
        for cluster in clusters if isinstance(clusters, list) else [clusters]:
            if getattr(cluster, "uuid", None):
                found[stix_id] = str(cluster.uuid)
    return found


@dataclass
class _Output:
    """What a MISP event holds, to tell what misp-stix converted: every uuid in it, and per
    attribute, object and galaxy cluster (a holder) its JSON text."""

    uuids: set[str]
    holders: list[str]
    text: str

    @classmethod
    def of(cls, misp_event: MISPEvent) -> _Output:
        text = misp_event.to_json()
        document = json.loads(text)
        uuids: set[str] = set()
        holders: list[str] = []

        def walk(node: Any, holder: bool = False) -> None:
            if isinstance(node, dict):
                if "uuid" in node:
                    uuids.add(str(node["uuid"]))
                if holder:
                    holders.append(json.dumps(node))
                for name, value in node.items():
                    walk(value, name in ("Attribute", "Object", "GalaxyCluster"))
            elif isinstance(node, list):
                for item in node:
                    walk(item, holder)

        walk(document)
        return cls(uuids, holders, text)

    def together(self, *keys: str) -> bool:
        return any(all(k in text for k in keys) for text in self.holders)


def _converted(obj: dict[str, Any], output: _Output, keys: dict[str, str]) -> bool:
    """Whether misp-stix made a MISP construct of this object (``keys``: STIX id → the uuid
    it has in MISP, a galaxy cluster's own or the STIX uuid)."""

    def key(ref: str) -> str:
        return keys.get(ref, ref.partition("--")[2])

    kind = str(obj.get("type"))
    if kind == "relationship":
        return output.together(key(obj["source_ref"]), key(obj["target_ref"]))
    if kind == "sighting":
        return output.together(key(obj["sighting_of_ref"]), '"Sighting"')
    if kind in ("note", "opinion"):  # analyst data of what they are about
        return output.together(*(key(r) for r in obj["object_refs"][:1]), f'"{kind.title()}"')
    # misp-stix merges an indicator with the observed-data of its value into one attribute
    # or object, whose comment names them ("Indicator ID: indicator--…")
    return key(obj["id"]) in output.uuids or obj["id"] in output.text


def _add_unconverted(misp_event: MISPEvent, event: FeedEvent, clusters: dict[str, str]) -> None:
    """Nothing is dropped silently. A report or grouping becomes an event report (its name,
    description and what it refers to). An indicator misp-stix made nothing of (e.g. a
    pattern of several comparisons, like the ``ip-src`` misp-stix itself writes) travels as
    its pattern: a ``stix2-pattern`` attribute (or ``sigma``, ``yara``, ...). Anything else
    misp-stix did not convert (an infrastructure, an opinion on a galaxy cluster, a
    relationship between two attributes, ...) travels as a ``text`` attribute holding the
    STIX object's JSON, with its uuid, marking and a comment saying so."""
    output = _Output.of(misp_event)
    observed = [e.obj for e in event.entries if e.obj.get("type") == "observed-data"]
    for entry in event.entries:
        obj = entry.obj
        key = str(obj["id"]).partition("--")[2]
        kind = str(obj.get("type"))
        tag = [{"name": f"tlp:{entry.tlp.lower()}"}]
        if kind in CONTAINERS:
            misp_event.add_event_report(
                str(obj.get("name") or f"STIX {kind}"),
                _report_content(obj),
                uuid=key,
                timestamp=_timestamp(obj["modified"]),
            )
            continue
        if _converted(obj, output, clusters):
            continue
        if is_observable(obj) and any(
            obj["id"] in o.get("object_refs", []) and _converted(o, output, clusters)
            for o in observed
        ):  # part of an observed-data's MISP object (a network-traffic's addresses, ...)
            continue
        if kind == "indicator":
            misp_event.add_attribute(
                PATTERN_ATTRIBUTE_TYPES.get(str(obj.get("pattern_type")), "other"),
                obj["pattern"],
                uuid=key,
                category="Network activity",
                to_ids=True,
                comment=str(obj.get("name", ""))[:250],
                timestamp=_timestamp(obj["modified"]),
                Tag=tag,
            )
            continue
        stamp = obj.get("modified")
        misp_event.add_attribute(
            "text",
            json.dumps(obj, sort_keys=True),
            uuid=key,
            category="Other",
            to_ids=False,
            comment=UNCONVERTED.format(kind=kind),
            Tag=tag,
            **({"timestamp": _timestamp(stamp)} if stamp else {}),
        )


def carried_object(attribute: Any) -> dict[str, Any] | None:
    """The STIX object a feed attribute carries as JSON (``_add_unconverted``), for our MISP
    import to take back as it is; ``None`` for any other attribute."""
    if not isinstance(attribute, dict) or attribute.get("type") != "text":
        return None
    prefix, _, suffix = UNCONVERTED.partition("{kind}")
    comment = str(attribute.get("comment", ""))
    if not (comment.startswith(prefix) and comment.endswith(suffix)):
        return None
    try:
        obj = json.loads(str(attribute.get("value")))
    except ValueError:
        return None
    if not isinstance(obj, dict) or obj.get("type") != comment[len(prefix) : -len(suffix)]:
        return None
    return obj if str(obj.get("id", "")).partition("--")[2] == attribute.get("uuid") else None


def _report_content(obj: dict[str, Any]) -> str:
    """An event report's markdown: the description, then the STIX ids it refers to."""
    lines = [str(obj.get("description", "")).strip()]
    if obj.get("context"):
        lines.append(f"Context: {obj['context']}")
    refs = obj.get("object_refs") or []
    if refs:
        lines.append("Objects:\n" + "\n".join(f"- {ref}" for ref in refs))
    return "\n\n".join(line for line in lines if line)


# What PyMISP's feed format leaves out but MISP reads in an event (and our MISP import too).
CARRIED = ("Galaxy", "Sighting", "Note", "Opinion")


def _carry(feed: dict[str, Any], full: dict[str, Any]) -> None:
    for name in CARRIED:
        if full.get(name):
            feed[name] = full[name]
    for index, sighting in enumerate(feed.get("Sighting", [])):  # misp-stix gives none
        sighting.setdefault("uuid", str(uuid.uuid5(FEED_NAMESPACE, f"{feed['uuid']}:{index}")))
    for data in [*feed.get("Note", []), *feed.get("Opinion", [])]:
        for stamp in ("created", "modified"):  # MISP's form: PyMISP reads no ISO offset back
            if isinstance(data.get(stamp), str):
                moment = datetime.fromisoformat(data[stamp]).astimezone(UTC)
                data[stamp] = moment.strftime("%Y-%m-%d %H:%M:%S")


def feed_event_json(event: FeedEvent) -> dict[str, Any]:
    """The event in MISP's feed format, with the galaxy clusters, sightings and analyst data
    (notes, opinions) of the event, its attributes and objects, which ``to_feed`` leaves out."""
    misp_event = feed_event(event)
    feed: dict[str, Any] = misp_event.to_feed()
    full = json.loads(misp_event.to_json())
    _carry(feed["Event"], full)
    attributes = {a["uuid"]: a for a in full.get("Attribute", [])}
    for attribute in feed["Event"].get("Attribute", []):
        _carry(attribute, attributes.get(attribute["uuid"], {}))
    objects = {o["uuid"]: o for o in full.get("Object", [])}
    for misp_object in feed["Event"].get("Object", []):
        whole = objects.get(misp_object["uuid"], {})
        _carry(misp_object, whole)
        inner = {a["uuid"]: a for a in whole.get("Attribute", [])}
        for attribute in misp_object.get("Attribute", []):
            _carry(attribute, inner.get(attribute["uuid"], {}))
    return feed


def feed_hashes(*, user: Any, agency: Agency | None) -> list[tuple[str, str]]:
    """(md5 of an attribute value, event uuid) rows: MISP's ``hashes.csv``."""
    return [
        (value_hash, key)
        for key, event in feed_events(user=user, agency=agency).items()
        for value_hash in feed_event(event).to_feed(with_meta=True)["Event"]["_hashes"]
    ]
