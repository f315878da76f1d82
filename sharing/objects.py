"""Every STIX 2.1 object other than an indicator with one typed value (``StixObject``): checked
against what STIX 2.1 requires of its type, stored as the agency's own copy of its id, newer
versions replacing older ones, with the owner's permission row and the object's references.

The import around it (``interop.services.bundle_import``) sorts a bundle into rounds, one
version of each id per round, and records every version for TAXII.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy, gettext_noop

from agencies.models import TLP, Agency, HandlingCode
from common import lookups  # noqa: F401  (registers field__any)
from common.bulk import copy_instances, copy_rows, new_instance, reserve_ids
from common.dates import parse_iso_datetime
from sharing import stix
from sharing.models import PAP, Indicator, StixObject, StixReference
from sharing.normalize import NOT_A_DATETIME, NOT_ONE_OF, FieldError, reason
from sharing.outbox import enqueue_on_commit, tombstones
from sharing.permissions import bulk_permissions_read, sync_stix_objects_permissions
from sharing.stix import ID_EXPECTED, ID_NOT_RFC_4122, OBSERVABLE_TYPES, UNVERSIONED

# Why an object is refused, after the property it names (translated when shown).
NOT_A_UUID = gettext_lazy("%(value)s is not a UUID")
TYPE_REQUIRED = gettext_lazy("a STIX type (lower-case letters, digits and hyphens) is required")
REQUIRED_OF = gettext_lazy("required of a STIX %(type)s")
ONLY_STIX_21 = gettext_lazy("only STIX 2.1 is supported")
BOOLEAN_REQUIRED = gettext_lazy("true or false is required")
LABELS_REQUIRED = gettext_lazy("a list of strings is required")
IDS_REQUIRED = gettext_lazy("a list of STIX ids is required")

# What STIX 2.1 requires of each type beyond the common properties.
REQUIRED: dict[str, tuple[str, ...]] = {
    "attack-pattern": ("name",),
    "campaign": ("name",),
    "course-of-action": ("name",),
    "grouping": ("context", "object_refs"),
    "identity": ("name",),
    "incident": ("name",),
    "indicator": ("pattern", "pattern_type", "valid_from"),
    "infrastructure": ("name",),
    "intrusion-set": ("name",),
    "malware": ("is_family",),
    "malware-analysis": ("product",),
    "note": ("content", "object_refs"),
    "observed-data": ("first_observed", "last_observed", "number_observed"),
    "opinion": ("opinion", "object_refs"),
    "report": ("name", "published", "object_refs"),
    "threat-actor": ("name",),
    "tool": ("name",),
    "vulnerability": ("name",),
    "relationship": ("relationship_type", "source_ref", "target_ref"),
    "sighting": ("sighting_of_ref",),
    "language-content": ("object_ref", "object_modified", "contents"),
    "extension-definition": ("name", "schema", "version", "extension_types", "created_by_ref"),
    "autonomous-system": ("number",),
    "directory": ("path",),
    "domain-name": ("value",),
    "email-addr": ("value",),
    "email-message": ("is_multipart",),
    "ipv4-addr": ("value",),
    "ipv6-addr": ("value",),
    "mac-addr": ("value",),
    "mutex": ("name",),
    "network-traffic": ("protocols",),
    "software": ("name",),
    "url": ("value",),
}
# Every STIX 2.1 type (custom ones, ``x-…``, besides).
STIX_TYPES = frozenset(REQUIRED) | OBSERVABLE_TYPES | {"location", "marking-definition"}
# STIX 2.1's domain, relationship and meta objects: created, modified (but markings), versions.
DOMAIN_TYPES = frozenset(REQUIRED) - OBSERVABLE_TYPES | {"location", "marking-definition"}
_TYPE = re.compile(r"^[a-z0-9][a-z0-9-]{1,248}[a-z0-9]$")
_TIMESTAMPS = ("created", "modified", "first_observed", "last_observed", "published")


# An RFC 4122 UUID (variant bits 10), as STIX 2.1 §2.9 requires of an identifier.
_RFC_4122 = re.compile(
    r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", re.IGNORECASE
)


def parse_stix_id(value: Any, *, name: str = "id", type_: str | None = None) -> str:
    """``type--uuid`` (of ``type_`` when given); ``FieldError`` of ``name`` otherwise."""
    if not isinstance(value, str) or "--" not in value:
        raise FieldError(name, reason(ID_EXPECTED, form="<type>--<uuid>"))
    kind, _, raw = value.partition("--")
    if not _TYPE.match(kind) or (type_ is not None and kind != type_):
        raise FieldError(name, reason(ID_EXPECTED, form=f"{type_ or '<type>'}--<uuid>"))
    if not _RFC_4122.match(raw):
        try:
            uuid.UUID(raw)
        except ValueError:
            raise FieldError(name, reason(NOT_A_UUID, value=repr(raw))) from None
        raise FieldError(name, reason(ID_NOT_RFC_4122))
    return value


# What the pages call each STIX 2.1 type, translated when shown (others: the type with spaces
# for hyphens).
TYPE_LABELS = {
    "artifact": gettext_noop("Artifact"),
    "attack-pattern": gettext_noop("Attack pattern"),
    "autonomous-system": gettext_noop("Autonomous system"),
    "campaign": gettext_noop("Campaign"),
    "course-of-action": gettext_noop("Course of action"),
    "directory": gettext_noop("Directory"),
    "domain-name": gettext_noop("Domain name"),
    "email-addr": gettext_noop("E-mail address"),
    "email-message": gettext_noop("E-mail message"),
    "extension-definition": gettext_noop("Extension definition"),
    "file": gettext_noop("File"),
    "grouping": gettext_noop("Grouping"),
    "ipv4-addr": gettext_noop("IPv4 address"),
    "ipv6-addr": gettext_noop("IPv6 address"),
    "identity": gettext_noop("Identity"),
    "incident": gettext_noop("Incident"),
    "indicator": gettext_noop("Indicator"),
    "infrastructure": gettext_noop("Infrastructure"),
    "intrusion-set": gettext_noop("Intrusion set"),
    "language-content": gettext_noop("Language content"),
    "location": gettext_noop("Location"),
    "mac-addr": gettext_noop("MAC address"),
    "malware": gettext_noop("Malware"),
    "malware-analysis": gettext_noop("Malware analysis"),
    "marking-definition": gettext_noop("Marking definition"),
    "mutex": gettext_noop("Mutex"),
    "network-traffic": gettext_noop("Network traffic"),
    "note": gettext_noop("Note"),
    "observed-data": gettext_noop("Observed data"),
    "opinion": gettext_noop("Opinion"),
    "process": gettext_noop("Process"),
    "relationship": gettext_noop("Relationship"),
    "report": gettext_noop("Report"),
    "sighting": gettext_noop("Sighting"),
    "software": gettext_noop("Software"),
    "threat-actor": gettext_noop("Threat actor"),
    "tool": gettext_noop("Tool"),
    "url": gettext_noop("URL"),
    "user-account": gettext_noop("User account"),
    "vulnerability": gettext_noop("Vulnerability"),
    "windows-registry-key": gettext_noop("Windows registry key"),
    "x509-certificate": gettext_noop("X.509 certificate"),
}


def type_label(kind: str) -> str:
    """A STIX type in words: ``threat-actor`` → "Threat actor"."""
    label = TYPE_LABELS.get(kind)
    return gettext(label) if label else kind.replace("-", " ").capitalize()


def type_choices() -> list[tuple[str, str]]:
    """(type, label) of every STIX 2.1 type, by label: the type filters and choices."""
    return sorted(((k, type_label(k)) for k in STIX_TYPES), key=lambda choice: choice[1])


def unknown_types(kinds: list[str]) -> list[str]:
    """Of ``kinds``, those that are neither a STIX 2.1 type nor a custom one (``x-…``)."""

    def known(kind: object) -> bool:
        return isinstance(kind, str) and (
            kind in STIX_TYPES or (kind.startswith("x-") and bool(_TYPE.match(kind)))
        )

    return sorted({str(k) for k in kinds if not known(k)})


def is_observable(obj: dict[str, Any]) -> bool:
    """A cyber observable: one of STIX's, or a custom type without ``created``."""
    kind = obj.get("type")
    return kind in OBSERVABLE_TYPES or (kind not in DOMAIN_TYPES and "created" not in obj)


def _check_refs(obj: dict[str, Any]) -> None:
    for name, value in obj.items():
        if name.endswith("_ref"):
            parse_stix_id(value, name=name)
        elif name.endswith("_refs"):
            if not isinstance(value, list):
                raise FieldError(name, reason(IDS_REQUIRED))
            for ref in value:
                parse_stix_id(ref, name=name)


def timestamp(obj: dict[str, Any], name: str) -> datetime | None:
    """The object's date-time ``name`` (``None`` when it has none); ``FieldError`` of ``name``
    for one that is not ISO 8601."""
    try:
        return parse_iso_datetime(obj.get(name))
    except ValueError:
        raise FieldError(name, reason(NOT_A_DATETIME, value=repr(obj[name]))) from None


def check(obj: dict[str, Any]) -> None:
    """What STIX 2.1 requires of any object and of its type; ``FieldError`` otherwise."""
    kind = obj.get("type")
    if not isinstance(kind, str) or not _TYPE.match(kind):
        raise FieldError("type", reason(TYPE_REQUIRED))
    parse_stix_id(obj.get("id"), type_=kind)
    observable = is_observable(obj)
    if "spec_version" not in obj and not observable:
        raise FieldError("spec_version", reason(REQUIRED_OF, type=kind))
    if obj.get("spec_version", "2.1") != "2.1":
        raise FieldError("spec_version", reason(ONLY_STIX_21))
    if not observable:
        for name in ("created",) if kind in UNVERSIONED else ("created", "modified"):
            if name not in obj:
                raise FieldError(name, reason(REQUIRED_OF, type=kind))
    for name in _TIMESTAMPS:
        timestamp(obj, name)
    missing = [name for name in REQUIRED.get(kind, ()) if name not in obj]
    if missing:
        raise FieldError(missing[0], reason(REQUIRED_OF, type=kind))
    if kind == "malware" and not isinstance(obj["is_family"], bool):
        raise FieldError("is_family", reason(BOOLEAN_REQUIRED))
    if obj.get("revoked") not in (None, True, False):
        raise FieldError("revoked", reason(BOOLEAN_REQUIRED))
    if "labels" in obj and not (
        isinstance(obj["labels"], list) and all(isinstance(x, str) for x in obj["labels"])
    ):
        raise FieldError("labels", reason(LABELS_REQUIRED))
    _check_refs(obj)


def version_of(obj: dict[str, Any]) -> str | None:
    """The version string (``modified`` as written), ``created`` for objects that have no
    versions (marking definitions), ``None`` for cyber observables."""
    value = obj.get("modified", obj.get("created"))
    return value if isinstance(value, str) else None


def _name(obj: dict[str, Any], names: dict[str, str] | None = None) -> str:
    """What a list shows for the object; a relationship or sighting names its ends by
    ``names`` (id → name, of the agency's own objects), else by their types."""

    def end(ref: str) -> str:
        return (names or {}).get(ref) or ref.partition("--")[0]

    for key in ("name", "value", "path", "number", "opinion", "pattern", "content"):
        if key in obj and isinstance(obj[key], str | int) and not isinstance(obj[key], bool):
            return str(obj[key])[:250]
    if obj.get("type") == "relationship":
        source, target = end(obj["source_ref"]), end(obj["target_ref"])
        return f"{source} {obj['relationship_type']} {target}"[:250]
    if obj.get("type") == "sighting":
        return f"sighting of {end(obj['sighting_of_ref'])}"[:250]
    hashes = obj.get("hashes")
    if isinstance(hashes, dict) and hashes:
        return str(next(iter(hashes.values())))[:250]
    return ""


_PAPS = tuple(PAP.values)  # computed once: ``.values`` builds a new list on every access
_HANDLING_CODES = tuple(HandlingCode.values)


def _choice(ours: dict[str, Any], name: str, allowed: tuple[str, ...], default: str) -> str:
    """One of our extension's properties (``stix.extension_properties``), or ``default``."""
    value = str(ours.get(name, default)).upper()
    if value not in allowed:
        raise FieldError(name, reason(NOT_ONE_OF, value=repr(value), choices=", ".join(allowed)))
    return value


def fields_of(
    obj: dict[str, Any], *, now: datetime, names: dict[str, str] | None = None
) -> dict[str, Any]:
    """StixObject fields of a checked object whose markings are already ours."""
    markings = stix.markings_read(obj.get("object_marking_refs"))
    ours = stix.extension_properties(obj)
    created = parse_iso_datetime(obj.get("created")) or now
    return {
        "stix_id": obj["id"],
        "type": obj["type"],
        "name": _name(obj, names),
        "pattern_type": str(obj.get("pattern_type", ""))[:32] if obj["type"] == "indicator" else "",
        "tlp": markings.tlp or TLP.AMBER,
        "pap": _choice(ours, "pap", _PAPS, markings.pap or PAP.AMBER),
        "handling_code": _choice(ours, "handling_code", _HANDLING_CODES, HandlingCode.H0),
        "created": created,
        "modified": parse_iso_datetime(obj.get("modified")) or created,
        "revoked": obj.get("revoked") is True,
        "body": obj,
    }


@dataclass
class StoreReport:
    # index -> (status, object): created, updated, unchanged (this version is present), or
    # older (an older version than the stored one: recorded as a version only)
    items: dict[int, tuple[str, StixObject]] = field(default_factory=dict)
    errors: list[tuple[int, str]] = field(default_factory=list)  # (index, "field: reason")


_UPDATABLE = [
    "name",
    "pattern_type",
    "tlp",
    "pap",
    "handling_code",
    "modified",
    "revoked",
    "body",
]


def is_reference(name: str) -> bool:
    """A top-level property that refers to other objects: ``*_ref`` or ``*_refs``, but the
    markings (those are ours)."""
    return name != "object_marking_refs" and (name.endswith("_ref") or name.endswith("_refs"))


def references_of(body: dict[str, Any]) -> set[tuple[str, str]]:
    """(property, target id) of an object's references (``is_reference``)."""
    found: set[tuple[str, str]] = set()
    for name, value in body.items():
        if not is_reference(name):
            continue
        if name.endswith("_ref"):
            found.add((name, value))
        else:
            found.update((name, target) for target in value)
    return found


def _references_replace(objects: list[StixObject], *, fresh: bool) -> None:
    """Each object's references, written afresh (``fresh``: new objects, none to delete)."""
    if not fresh:
        StixReference.objects.filter(source_id__any=[o.pk for o in objects]).delete()
    rows = [(o.pk, target, name) for o in objects for name, target in references_of(o.body)]
    copy_rows(StixReference, ["source", "target", "property"], rows)


_ENDS = ("source_ref", "target_ref", "sighting_of_ref")


def indicator_name(indicator: Indicator) -> str:
    """What a relationship's or sighting's name calls a typed indicator at one of its ends."""
    extra = indicator.stix_extra or {}
    return _indicator_name(indicator.type, indicator.normalized, extra.get("name"))


def _indicator_name(type_: str, normalized: str, name: Any) -> str:
    return str(name or f"{type_}:{normalized}")  # its STIX name, else ``Indicator.__str__``


def stored_copies(agency: Agency, ids: list[str]) -> dict[str, StixObject]:
    """The agency's own stored objects of these STIX ids, by id."""
    return {o.stix_id: o for o in StixObject.objects.filter(owner=agency, stix_id__any=ids)}


def _ends(items: list[tuple[int, dict[str, Any]]]) -> set[str]:
    return {o[k] for _, o in items for k in _ENDS if isinstance(o.get(k), str)}


def end_names_read(agency: Agency, ends: Iterable[str]) -> dict[str, str]:
    """Names of the agency's own typed indicators and stored objects among ``ends`` (ids)."""
    ends = list(ends)
    if not ends:
        return {}
    names: dict[str, str] = {}
    # A typed indicator's name comes first (and only what it reads, ``Indicator.__str__``): an
    # import's relationships can point to tens of thousands of indicators.
    uuids = [e.partition("--")[2] for e in ends if e.startswith("indicator--")]
    if uuids:
        found = Indicator.objects.filter(owner=agency, stix_uuid__any=uuids).values_list(
            "stix_uuid", "type", "normalized", "stix_extra__name"
        )  # rows, not instances: an envelope of relationships can name 10,000 of them
        for stix_uuid, type_, normalized, name in found:
            names[f"indicator--{stix_uuid}"] = _indicator_name(type_, normalized, name)
    missing = [e for e in ends if e not in names]
    names |= dict(
        StixObject.objects.filter(owner=agency, stix_id__any=missing).values_list("stix_id", "name")
    )
    return names


@dataclass
class Prefetched:
    """What ``stix_objects_store`` reads, read by the caller before its other writes of the
    round (a STIX import writes its typed indicators first): the agency's stored copies of
    the items' ids, the names of the ends in ``read``, ids reserved for new objects."""

    stored: dict[str, StixObject]
    read: set[str]
    names: dict[str, str]
    ids: Iterator[int]


def stix_objects_prefetch(
    agency: Agency,
    items: list[tuple[int, dict[str, Any]]],
    stored: dict[str, StixObject],
    *,
    later: Collection[str] = (),
) -> Prefetched:
    """``stored`` (``stored_copies`` of every id the store may be given) and the rest of what
    storing ``items`` (at once or in steps) reads: the names of their relationships' ends but
    ``later`` (ids the caller will name from the typed indicators it is about to write), and
    ids for the items not stored yet."""
    ends = _ends(items) - set(later)
    named = {o["id"]: _name(o) for _, o in items if o["id"] in ends}
    named = {k: v for k, v in named.items() if v}  # by the items: whichever step stores them
    new = len({o["id"] for _, o in items} - stored.keys())
    bulk_permissions_read()
    return Prefetched(
        stored=stored,
        read=ends,
        names=end_names_read(agency, ends - named.keys()) | named,
        ids=iter(reserve_ids(StixObject, new)),
    )


def _end_names(
    agency: Agency,
    items: list[tuple[int, dict[str, Any]]],
    indicators: dict[str, Indicator] | None = None,
    prefetched: Prefetched | None = None,
) -> dict[str, str]:
    """Names of what the relationships and sightings among ``items`` connect: objects in
    ``items``, ``indicators`` (the agency's typed indicators by STIX id, as the caller holds
    them already), those ``prefetched``, else the agency's own stored objects and indicators
    (a few queries)."""
    ends = _ends(items)
    if not ends:
        return {}
    names = {o["id"]: _name(o) for _, o in items if o["id"] in ends}
    missing = [e for e in ends if not names.get(e)]
    if indicators:
        for end in missing:
            if end in indicators:
                names[end] = indicator_name(indicators[end])
        missing = [e for e in missing if e not in names]
    if prefetched is not None:
        names |= {e: prefetched.names[e] for e in missing if e in prefetched.names}
        missing = [e for e in missing if e not in prefetched.read]
    names |= end_names_read(agency, missing)
    return {k: v for k, v in names.items() if v}


def stix_objects_store(
    *,
    actor: Any,
    agency: Agency,
    items: list[tuple[int, dict[str, Any]]],
    indicators: dict[str, Indicator] | None = None,
    prefetched: Prefetched | None = None,
) -> StoreReport:
    """Store one version of each of these (checked) objects as ``agency``'s copies: a new id
    creates the agency's object, a newer ``modified`` updates it, the stored version is
    unchanged, an older one is left for the caller to record as history; a cyber observable
    sent again with the same content is unchanged, with other content a new version. At most
    one item per id; the caller's transaction. A newer version that revokes an object is
    pushed to the partner endpoints that received it (``outbox.tombstones``). ``indicators``:
    typed indicators of the agency the caller has just written or read, by STIX id
    (relationships name their ends by them without reading them again); ``prefetched``: what
    the caller read for these items before (``stix_objects_prefetch``), so that storing new
    objects asks the database nothing it must answer first."""
    report = StoreReport()
    now = timezone.now()
    if prefetched is not None:
        stored = prefetched.stored
    else:
        stored = stored_copies(agency, [obj["id"] for _, obj in items])
    names = _end_names(agency, items, indicators, prefetched)
    new: list[StixObject] = []
    changed: list[StixObject] = []
    owner_cache = StixObject.owner.field  # as ``created.owner = agency``, without its checks
    for index, obj in items:
        try:
            fields = fields_of(obj, now=now, names=names)
        except FieldError as exc:
            report.errors.append((index, exc.reason))
            continue
        current = stored.get(obj["id"])
        if current is None:
            fields.update(owner_id=agency.pk, created_by_id=actor.pk if actor else None)
            created = new_instance(StixObject, fields)
            owner_cache.set_cached_value(created, agency)  # the permission rows read its group
            new.append(created)
            report.items[index] = ("created", created)
        elif "created" not in obj and obj == current.body:
            # A cyber observable has no versions (no created, no modified): the same content
            # again is the object already present, not a newer version of it.
            report.items[index] = ("unchanged", current)
        elif fields["modified"] > current.modified:
            for name in _UPDATABLE:
                setattr(current, name, fields[name])
            changed.append(current)
            report.items[index] = ("updated", current)
        else:
            status = "unchanged" if fields["modified"] == current.modified else "older"
            report.items[index] = (status, current)
    if new:
        copy_instances(StixObject, new, prefetched.ids if prefetched else None)
        sync_stix_objects_permissions(new, fresh=True)
        _references_replace(new, fresh=True)
    if changed:
        StixObject.objects.bulk_update(changed, _UPDATABLE, batch_size=2000)
        _references_replace(changed, fresh=False)
        revoked = [o for o in changed if o.revoked]
        if revoked:  # a newer version revoked it: endpoints that got it get that version
            enqueue_on_commit(tombstones([], keep_entitled=False, objects=revoked))
    return report


def stix_object_restore(stix_object: StixObject, obj: dict[str, Any]) -> None:
    """The object becomes ``obj``, an older version of it (its newer ones were deleted)."""
    fields = fields_of(obj, now=stix_object.modified)
    for name in _UPDATABLE:
        setattr(stix_object, name, fields[name])
    stix_object.save(update_fields=_UPDATABLE)
    _references_replace([stix_object], fresh=False)


def stix_object_delete(stix_object: StixObject) -> None:
    """The object is gone (its last version was deleted): its rows, links and references."""
    stix_object.delete()
