"""Writes for interop: STIX bundle import and TAXII submissions. Typed indicators are
written by sharing's ingest, every other STIX object by sharing's object store; interop sorts
the bundle, records each version for TAXII and keeps pattern literals."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from stix2patterns.validator import run_validator

from agencies.models import TLP, Agency, APIKey
from audit.services import appends_at_end, audit_log
from common import lookups  # noqa: F401  (registers field__any)
from common.bulk import collector_paused, copies_in_background
from common.dates import parse_iso_datetime
from interop import stix
from interop.models import ObjectVersion, PatternLiteral, TaxiiStatus
from interop.versions import Version, context_record, object_versions_record
from sharing import ingest as sharing_ingest
from sharing import objects as sharing_objects
from sharing import stix as sharing_stix
from sharing.models import Indicator, StixObject
from sharing.normalize import FIELD_REASON, NOT_ONE_OF, FieldError, InvalidValue, reason

NOT_A_LIST = _("A list of STIX objects is required.")
NOT_AN_OBJECT = _("not a JSON object")
PATTERN_REQUIRED = _("a pattern is required")
UNKNOWN_MARKING = _("unknown marking %(ref)s; the object is kept at TLP:%(tlp)s.")
RULE_PATTERN_TYPES = frozenset({"sigma", "yara", "snort", "suricata", "pcre"})
PATTERN_TYPE_NAMES = ", ".join(("stix", *sorted(RULE_PATTERN_TYPES)))
OBJECTS_PER_STEP = 10_000  # objects stored at a time (``_bundle_import``)
MAX_LITERAL = 1000  # longer literals are not indexed (a btree row has a size limit)
OUTCOMES = ("created", "updated", "unchanged", "revoked", "pattern_only", "rejected")
NOW_PATTERN_ONLY = _(
    "this indicator has a typed value; a newer version must compare one value too "
    "(revoke it and import the new pattern under a new id)"
)

Item = tuple[int, dict[str, Any]]  # (index in the bundle, STIX object)
Checked = tuple[int, dict[str, Any], bool]  # … and whether it is a typed (simple) indicator


@dataclass
class ImportReport:
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OUTCOMES, 0))
    rejected: list[dict[str, Any]] = field(default_factory=list)
    accepted: list[dict[str, Any]] = field(default_factory=list)  # {"index","id","version"}
    warnings: list[dict[str, Any]] = field(default_factory=list)  # {"index","id","reason"}

    def accept(self, index: int, obj: dict[str, Any], status: str) -> None:
        self.counts[status] += 1
        version = obj.get("modified", obj.get("created"))
        self.accepted.append({"index": index, "id": obj.get("id"), "version": version})

    def reject(self, index: int, obj: Any, reason: str) -> None:
        stix_id = obj.get("id") if isinstance(obj, dict) else None
        version = obj.get("modified", obj.get("created")) if isinstance(obj, dict) else None
        self.rejected.append({"index": index, "id": stix_id, "reason": reason, "version": version})
        self.counts["rejected"] += 1

    def warn(self, index: int, obj: dict[str, Any], reason: str) -> None:
        self.warnings.append({"index": index, "id": obj.get("id"), "reason": reason})

    def as_dict(self) -> dict[str, Any]:
        rejected = [{k: r[k] for k in ("index", "id", "reason")} for r in self.rejected]
        rejected_indexes = {r["index"] for r in self.rejected}
        warnings = [w for w in self.warnings if w["index"] not in rejected_indexes]
        return {"counts": self.counts, "rejected": rejected, "warnings": warnings}


# --- checking a bundle's objects ----------------------------------------------------------------


def unknown_marking(ref: str, tlp: str) -> str:
    why = reason(UNKNOWN_MARKING, ref=ref, tlp=tlp)
    return reason(FIELD_REASON, field="object_marking_refs", reason=why)


def _markings(
    index: int, obj: dict[str, Any], defined: sharing_stix.Defined, report: ImportReport
) -> dict[str, Any]:
    """The object with its markings as ours: one TLP (the most restrictive it carries;
    TLP:RED when it carries only markings we do not know) and its PAP, each unknown marking
    reported by id."""
    if "object_marking_refs" not in obj:
        return obj  # no markings: nothing to read or replace
    markings = sharing_stix.markings_read(obj["object_marking_refs"], defined)
    refs = [sharing_stix.TLP_MARKING_IDS[markings.tlp]] if markings.tlp else []
    obj = {**obj, "object_marking_refs": refs}
    if not refs:
        del obj["object_marking_refs"]
    if markings.pap:
        stated = str(sharing_stix.extension_properties(obj).get("pap", "")).upper()
        pap = max(markings.pap, stated, key=lambda p: sharing_stix.PAP_RANK.get(p, -1))
        obj = sharing_stix.with_extension(obj, {"pap": pap})
    for ref in markings.unknown:
        report.warn(index, obj, unknown_marking(ref, markings.tlp or TLP.RED))
    return obj


def _simple(obj: dict[str, Any]) -> bool:
    """Whether an indicator's pattern compares one typed value; ``FieldError`` for a pattern
    that cannot be stored at all."""
    pattern, pattern_type = obj.get("pattern"), obj.get("pattern_type")
    if not isinstance(pattern, str) or not pattern.strip():
        raise FieldError("pattern", reason(PATTERN_REQUIRED))
    if pattern_type in RULE_PATTERN_TYPES:
        return False  # kept as received: not a STIX pattern, so not validated as one
    if pattern_type != "stix":
        why = reason(NOT_ONE_OF, value=repr(pattern_type), choices=PATTERN_TYPE_NAMES)
        raise FieldError("pattern_type", why)
    try:
        hint = sharing_stix.extension_properties(obj).get("indicator_type")
        sharing_stix.parse_pattern(pattern, hint)
    except ValueError:  # its reason is never shown: the pattern is stored pattern-only
        errors = run_validator(pattern, stix_version="2.1")
        if errors:
            raise FieldError("pattern", errors[0]) from None  # the validator's own words
        return False
    return True


def _valid_until(obj: dict[str, Any]) -> None:
    valid_from = sharing_objects.timestamp(obj, "valid_from")
    valid_until = sharing_objects.timestamp(obj, "valid_until")
    if valid_from and valid_until and valid_until <= valid_from:
        raise FieldError("valid_until", reason(sharing_ingest.VALID_UNTIL_NOT_LATER))


def _checked(objects: list[Any], report: ImportReport) -> list[Checked]:
    """(index, object with our markings, simple indicator?) of every storable object; the
    rest rejected by index. The well-known TLP and PAP definitions are ours already: read as
    our levels, served as every collection's context (``versions.context_record``)."""
    defined = sharing_stix.bundle_markings(objects)
    checked = []
    for index, obj in enumerate(objects):
        if not isinstance(obj, dict):
            report.reject(index, obj, reason(NOT_AN_OBJECT))
            continue
        if obj.get("id") in sharing_stix.TLP_BY_MARKING or obj.get("id") in (
            sharing_stix.PAP_BY_MARKING
        ):
            report.accept(index, obj, "unchanged")
            continue
        try:
            sharing_objects.check(obj)
            simple = False
            if obj["type"] == "indicator":
                simple = _simple(obj)
                _valid_until(obj)
        except InvalidValue as exc:  # its reason translated when the report is read
            report.reject(index, obj, exc.reason)
            continue
        checked.append((index, _markings(index, obj, defined, report), simple))
    return checked


def _rounds(checked: list[Checked], report: ImportReport) -> list[list[Checked]]:
    """The objects in rounds, oldest version first: round k holds the k-th version of each id,
    so every version of an id sent together is stored, in order. A second copy of a version
    already in the bundle is "already present" (counted unchanged)."""
    by_id: dict[str, dict[str | None, Checked]] = {}
    for item in checked:
        index, obj, _ = item
        versions = by_id.setdefault(obj["id"], {})
        version = sharing_objects.version_of(obj)
        if version in versions or (version is None and versions):
            report.accept(index, obj, "unchanged")
            continue
        versions[version] = item
    rounds: list[list[Checked]] = []
    for versions in by_id.values():
        ordered = list(versions.values())
        if len(ordered) > 1:
            ordered.sort(key=lambda i: _modified_key(i[1]))
        for position, item in enumerate(ordered):
            if position == len(rounds):
                rounds.append([])
            rounds[position].append(item)
    for items in rounds:
        items.sort(key=lambda i: i[0])
    return rounds


def _modified_key(obj: dict[str, Any]) -> datetime:
    return parse_iso_datetime(obj.get("modified", obj.get("created"))) or timezone.now()


# --- storing a round: typed indicators through sharing's ingest, the rest as STIX objects --------


def _route(
    agency: Agency, items: list[Checked], stored: dict[str, StixObject], report: ImportReport
) -> tuple[list[Item], list[Item]]:
    """(typed indicators, other objects). An id the agency holds as a STIX object (``stored``)
    stays one; a typed indicator cannot become pattern-only."""
    as_objects = stored.keys()
    # Only an indicator that is not routed to the ingest may be refused as a typed one (the
    # ingest reads its own), so only those are looked up.
    uuids = [
        uuid.UUID(obj["id"].removeprefix("indicator--"))
        for _, obj, simple in items
        if obj["type"] == "indicator" and not simple and obj["id"] not in as_objects
    ]
    typed = (
        {
            i.stix_id
            for i in Indicator.objects.filter(owner=agency, stix_uuid__any=uuids).only("stix_uuid")
        }
        if uuids
        else set()
    )
    indicators: list[Item] = []
    objects: list[Item] = []
    for index, obj, simple in items:
        if simple and obj["id"] not in as_objects:
            indicators.append((index, obj))
        elif obj["id"] in typed:
            report.reject(
                index, obj, reason(FIELD_REASON, field="pattern", reason=NOW_PATTERN_ONLY)
            )
        else:
            objects.append((index, obj))
    return indicators, objects


def _import_indicators(
    *,
    actor: Any,
    agency: Agency,
    items: list[Item],
    api_key: APIKey | None,
    source: str,
    report: ImportReport,
) -> tuple[list[Item], dict[str, Indicator]]:
    """Typed indicators through sharing's ingest; returns those whose value the agency holds
    under another id, to be stored as STIX objects of their own, and the indicators stored
    (created, updated or unchanged) by STIX id."""
    ingest = sharing_ingest.indicators_ingest(
        actor=actor,
        agency=agency,
        items=[o for _, o in items],
        api_key=api_key,
        source=source,
        keep_same_value=True,
    )
    stored: dict[str, Indicator] = {}
    for position, (status, indicator) in ingest.items.items():
        stored[indicator.stix_id] = indicator
        index, obj = items[position]
        report.accept(index, obj, status)
        if status != "unchanged" and indicator.revoked:
            report.counts["revoked"] += 1
    for error in ingest.errors:
        index, obj = items[error["index"]]
        report.reject(
            index, obj, reason(FIELD_REASON, field=error["field"], reason=error["reason"])
        )
    return [items[position] for position in sorted(ingest.same_value)], stored


def _import_objects(
    *,
    actor: Any,
    agency: Agency,
    items: list[Item],
    report: ImportReport,
    typed: frozenset[int] = frozenset(),
    indicators: dict[str, Indicator] | None = None,
    prefetched: sharing_objects.Prefetched | None = None,
) -> None:
    """Every other object as the agency's copy; each version recorded for TAXII. ``typed``:
    indexes of indicators with a typed value held under another id (not pattern-only);
    ``indicators``: the round's typed indicators by STIX id (they name relationships' ends);
    ``prefetched``: what storing them reads, read before the round's writes."""
    stored = sharing_objects.stix_objects_store(
        actor=actor, agency=agency, items=items, indicators=indicators, prefetched=prefetched
    )
    bodies = dict(items)
    for index, why in stored.errors:
        report.reject(index, bodies[index], why)
    versions: list[Version] = []
    first: list[Version] = []
    patterns: list[StixObject] = []
    for index, (status, stix_object) in sorted(stored.items.items()):
        obj = bodies[index]
        if status == "created" and obj["type"] == "indicator" and index not in typed:
            report.accept(index, obj, "pattern_only")
        else:
            report.accept(index, obj, "created" if status == "older" else status)
        if status == "unchanged":
            continue
        if status != "older" and stix_object.revoked:
            report.counts["revoked"] += 1
        if status != "older" and stix_object.type == "indicator":
            patterns.append(stix_object)
        (first if status == "created" else versions).append(_version(stix_object, obj, agency))
    if patterns:
        _literals_replace(patterns)
    object_versions_record(versions, first=first, context=False)  # the import's end records it


def _version(stix_object: StixObject, obj: dict[str, Any], agency: Agency) -> Version:
    """One version of ``stix_object`` as TAXII serves it (``obj`` may be older than it)."""
    modified = _modified_key(obj) if "created" in obj else stix_object.modified
    if obj is stix_object.body:  # the newest: its markings are the stored object's
        body = stix.stix_object_stix(stix_object, agency.code)
    else:
        fields = sharing_objects.fields_of(obj, now=modified)
        body = stix.object_stix(
            obj,
            tlp=fields["tlp"],
            pap=fields["pap"],
            handling_code=fields["handling_code"],
            owner_code=agency.code,
        )
    version = sharing_objects.version_of(obj) or sharing_stix.modified_stamp(modified)
    return Version(stix_object, body, modified, version)


def _literals_replace(patterns: list[StixObject]) -> None:
    """The literal values of each STIX pattern, written afresh (a rule has none)."""
    PatternLiteral.objects.filter(stix_object__in=patterns).delete()
    PatternLiteral.objects.bulk_create(
        [
            PatternLiteral(stix_object=p, value=value)
            for p in patterns
            if p.pattern_type == "stix"
            for value in sharing_stix.pattern_literals(p.body["pattern"])
            if len(value) <= MAX_LITERAL
        ],
        batch_size=2000,
    )


# --- the services -----------------------------------------------------------------------------


@transaction.atomic
def bundle_import(
    *,
    actor: Any,
    agency: Agency,
    objects: Any,
    api_key: APIKey | None = None,
    source: str = "stix",
) -> ImportReport:
    """Import a STIX bundle's (or TAXII envelope's) objects as ``agency``'s own copies.

    Every STIX 2.1 type is stored: indicators whose pattern compares one typed value through
    sharing's ingest (typed, normalised, correlated), everything else — other patterns,
    SDOs, SROs, observables, identities, definitions — as STIX objects. Versions follow STIX
    2.1 §3.6 per agency: every version sent is stored, the newest is current, an identical
    one is "already present" (unchanged), ``revoked: true`` is a version like any other.
    Anything that cannot be stored is reported by index, id and reason.
    """
    if not isinstance(objects, list):
        raise ValidationError({"objects": NOT_A_LIST})
    # The ingest's own event waits for the end too: the log's lock is held until the commit,
    # and a concurrent import would otherwise wait for the whole of this one's other objects.
    with collector_paused(), appends_at_end(), copies_in_background():
        report = _bundle_import(
            actor=actor, agency=agency, objects=objects, api_key=api_key, source=source
        )
    audit_log(
        actor=actor,
        action="stix.bundle_imported",
        agency=agency,
        object_type="sharing.stixobject",
        summary={**report.counts, "source": source, "api_key": api_key.prefix if api_key else None},
    )
    return report


def _bundle_import(
    *, actor: Any, agency: Agency, objects: list[Any], api_key: APIKey | None, source: str
) -> ImportReport:
    report = ImportReport()
    for items in _rounds(_checked(objects, report), report):
        # Everything the round reads first: its writes are then sent while it goes on
        # (``copies_in_background``), the typed indicators' while the other objects are built.
        stored = sharing_objects.stored_copies(agency, [obj["id"] for _, obj, _ in items])
        indicators, others = _route(agency, items, stored, report)
        prefetched = sharing_objects.stix_objects_prefetch(
            agency, others, stored, later={obj["id"] for _, obj in indicators}
        )
        held: list[Item] = []
        typed: dict[str, Indicator] = {}
        if indicators:
            held, typed = _import_indicators(
                actor=actor,
                agency=agency,
                items=indicators,
                api_key=api_key,
                source=source,
                report=report,
            )
        rest = sorted(others + held, key=lambda item: item[0])
        held_indexes = frozenset(index for index, _ in held)
        for at in range(0, len(rest), OBJECTS_PER_STEP):
            # In steps, so that each step's writes are sent while the next one is built and
            # only the last step's are waited for.
            _import_objects(
                actor=actor,
                agency=agency,
                items=rest[at : at + OBJECTS_PER_STEP],
                report=report,
                typed=held_indexes,
                indicators=typed,
                prefetched=prefetched,
            )
    context_record([agency.pk])
    report.rejected.sort(key=lambda r: r["index"])
    report.accepted.sort(key=lambda r: r["index"])
    return report


def _taxii_version(value: Any) -> Any:
    return value.isoformat().replace("+00:00", "Z") if hasattr(value, "isoformat") else value


def _success(accepted: dict[str, Any], notes: list[str] | None) -> dict[str, Any]:
    """A TAXII status-details entry; the import's warnings go in its optional ``message``."""
    entry = {"id": accepted["id"], "version": _taxii_version(accepted["version"])}
    if notes:
        entry["message"] = " ".join(map(str, notes))
    return entry


@transaction.atomic
def taxii_objects_add(
    *, actor: Any, agency: Agency, collection_id: str, objects: Any, api_key: APIKey | None
) -> TaxiiStatus:
    """A TAXII POST to an agency's submissions collection: import, record the status."""
    report = bundle_import(
        actor=actor, agency=agency, objects=objects, api_key=api_key, source="taxii"
    )
    notes: dict[int, list[str]] = {}
    for warning in report.warnings:
        notes.setdefault(warning["index"], []).append(warning["reason"])
    return TaxiiStatus.objects.create(
        agency=agency,
        created_by=actor,
        collection_id=collection_id,
        status=TaxiiStatus.State.COMPLETE,
        total_count=len(objects),
        success_count=len(report.accepted),
        failure_count=len(report.rejected),
        pending_count=0,
        successes=[_success(a, notes.get(a["index"])) for a in report.accepted],
        failures=[
            {
                "id": r["id"] or f"object {r['index']}",
                "version": _taxii_version(r["version"]) or "",
                "message": f"object {r['index']}: {r['reason']}",
            }
            for r in report.rejected
        ],
    )


@transaction.atomic
def taxii_object_delete(
    *, actor: Any, agency: Agency, stix_id: str, version_ids: list[int], api_key: APIKey | None
) -> int:
    """A TAXII DELETE on an agency's own object: its selected versions leave TAXII.

    The versions go from every collection (they are one table seen three ways), so partners'
    polls no longer list them either; the newest remaining version becomes the latest. An
    indicator itself stays as it is in CyberCoop (lists, correlation, shares, deliveries) —
    revoking is how an agency takes an indicator back — and a later change to it records a
    new version (``interop_backfill``, the one-off for indicators that predate interop, would
    record the current version again of one left with none). Any other STIX object, a
    pattern-only indicator too, exists only as STIX: it goes with its last version, or becomes
    its newest remaining one. Returns how many versions were deleted.
    """
    mine = ObjectVersion.objects.filter(owner=agency, stix_id=stix_id, context=False)
    doomed = mine.filter(pk__in=version_ids)
    rows = list(doomed.values_list("modified", "stix_object_id", "version"))
    deleted, _ = doomed.delete()
    newest = mine.order_by("-modified").first()
    objects = StixObject.objects.filter(
        pk__in={r[1] for r in rows if r[1] is not None}, owner=agency
    )
    if newest is not None:
        mine.exclude(pk=newest.pk).filter(is_latest=True).update(is_latest=False)
        mine.filter(pk=newest.pk, is_latest=False).update(is_latest=True)
        for stix_object in objects:
            sharing_objects.stix_object_restore(stix_object, json.loads(newest.body))
    else:
        for stix_object in objects:
            sharing_objects.stix_object_delete(stix_object)
    audit_log(
        actor=actor,
        action="taxii.object_deleted",
        agency=agency,
        object_type="interop.objectversion",
        object_id=stix_id,
        summary={
            "versions": sorted(v or sharing_stix.modified_stamp(m) for m, _, v in rows),
            "remaining": mine.count(),
            "api_key": api_key.prefix if api_key else None,
        },
    )
    return deleted
