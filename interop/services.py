"""Writes for interop: STIX bundle import and TAXII submissions. Indicators themselves are
written by sharing's ingest; complex patterns are kept here, pattern-only."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from stix2patterns.validator import run_validator

from agencies.models import TLP, Agency, APIKey, HandlingCode
from audit.services import audit_log
from common.dates import parse_iso_datetime
from interop.models import ObjectVersion, PatternIndicator, PatternLiteral, TaxiiStatus
from interop.versions import pattern_versions_record
from sharing import ingest as sharing_ingest
from sharing import stix as sharing_stix
from sharing.models import PAP

CONTEXT_TYPES = {"identity", "marking-definition", "extension-definition", "language-content"}
NOT_A_LIST = "A list of STIX objects is required."
RULE_PATTERN_TYPES = frozenset(PatternIndicator.PatternType.values) - {"stix"}
PATTERN_TYPE_NAMES = ", ".join(PatternIndicator.PatternType.values)
MAX_LITERAL = 1000  # longer literals are not indexed (a btree row has a size limit)
OUTCOMES = ("created", "updated", "unchanged", "revoked", "pattern_only", "skipped", "rejected")

Item = tuple[int, dict[str, Any]]  # (index in the bundle, STIX object)


@dataclass
class ImportReport:
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OUTCOMES, 0))
    rejected: list[dict[str, Any]] = field(default_factory=list)
    accepted: list[dict[str, Any]] = field(default_factory=list)  # {"index","id","version"}
    warnings: list[dict[str, Any]] = field(default_factory=list)  # {"index","id","reason"}

    def accept(self, index: int, stix_id: Any, version: Any) -> None:
        self.accepted.append({"index": index, "id": stix_id, "version": version})

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


# --- sorting a bundle's objects -----------------------------------------------------------------


def unknown_marking(ref: str, tlp: str) -> str:
    return f"object_marking_refs: unknown marking {ref}; the object is kept at TLP:{tlp}."


def _markings(
    index: int, obj: dict[str, Any], defined: sharing_stix.Defined, report: ImportReport
) -> dict[str, Any]:
    """The object with its markings as ours: one TLP (the most restrictive it carries;
    TLP:RED when it carries only markings we do not know) and its PAP, each unknown marking
    reported by id."""
    markings = sharing_stix.markings_read(obj.get("object_marking_refs"), defined)
    refs = [sharing_stix.TLP_MARKING_IDS[markings.tlp]] if markings.tlp else []
    obj = {**obj, "object_marking_refs": refs}
    if markings.pap:
        stated = str(sharing_stix.extension_properties(obj).get("pap", "")).upper()
        pap = max(markings.pap, stated, key=lambda p: sharing_stix.PAP_RANK.get(p, -1))
        obj = sharing_stix.with_extension(obj, {"pap": pap})
    for ref in markings.unknown:
        report.warn(index, obj, unknown_marking(ref, markings.tlp or TLP.RED))
    return obj


def _indicator(obj: dict[str, Any]) -> bool:
    """Whether the indicator's pattern is a simple one (one typed value);
    ValueError("field: reason") if it cannot be imported."""
    kind = obj.get("type")
    if kind != "indicator":
        raise ValueError(f"type: {kind!r} objects are not imported (indicators only)")
    sharing_stix.parse_id(obj.get("id"))
    if obj.get("spec_version", "2.1") != "2.1":
        raise ValueError("spec_version: only STIX 2.1 is supported")
    pattern, pattern_type = obj.get("pattern"), obj.get("pattern_type")
    if not isinstance(pattern, str) or not pattern.strip():
        raise ValueError("pattern: a pattern is required")
    if pattern_type in RULE_PATTERN_TYPES:
        return False  # kept as received: not a STIX pattern, so not validated as one
    if pattern_type != "stix":
        raise ValueError(f"pattern_type: {pattern_type!r} is not one of {PATTERN_TYPE_NAMES}")
    try:
        hint = sharing_stix.extension_properties(obj).get("indicator_type")
        sharing_stix.parse_pattern(pattern, hint)
    except ValueError:
        errors = run_validator(pattern, stix_version="2.1")
        if errors:
            raise ValueError(f"pattern: {errors[0]}") from None
        return False
    return True


def _sort(objects: list[Any], report: ImportReport) -> tuple[list[Item], list[Item]]:
    """(simple, pattern-only) indicators; context objects are skipped, the rest rejected."""
    defined = sharing_stix.bundle_markings(objects)
    simple: list[Item] = []
    pattern_only: list[Item] = []
    for index, obj in enumerate(objects):
        if not isinstance(obj, dict):
            report.reject(index, obj, "not a JSON object")
            continue
        if obj.get("type") in CONTEXT_TYPES:
            report.counts["skipped"] += 1
            report.accept(index, obj.get("id"), obj.get("modified", obj.get("created")))
            continue
        try:
            is_simple = _indicator(obj)
        except ValueError as exc:
            report.reject(index, obj, str(exc))
            continue
        indicator = _markings(index, obj, defined, report)
        (simple if is_simple else pattern_only).append((index, indicator))
    return simple, pattern_only


# --- simple patterns: sharing's ingest ----------------------------------------------------------


def _import_simple(
    *,
    actor: Any,
    agency: Agency,
    items: list[Item],
    api_key: APIKey | None,
    source: str,
    report: ImportReport,
) -> None:
    ingest = sharing_ingest.indicators_ingest(
        actor=actor, agency=agency, items=[o for _, o in items], api_key=api_key, source=source
    )
    for position, (status, indicator) in ingest.items.items():
        index, obj = items[position]
        report.counts[status] += 1
        if status != "unchanged" and indicator.revoked:
            report.counts["revoked"] += 1
        report.accept(index, obj["id"], indicator.modified)
    for error in ingest.errors:
        index, obj = items[error["index"]]
        report.reject(index, obj, f"{error['field']}: {error['reason']}")


# --- complex patterns: kept pattern-only ---------------------------------------------------------


def _dates(obj: dict[str, Any]) -> dict[str, Any]:
    """created / modified / valid_from / valid_until, defaulting as STIX reads them."""
    parsed = {}
    for name in ("created", "modified", "valid_from", "valid_until"):
        try:
            parsed[name] = parse_iso_datetime(obj.get(name))
        except ValueError as exc:
            raise ValueError(f"{name}: {exc}") from None
    parsed["created"] = parsed["created"] or timezone.now()
    parsed["modified"] = parsed["modified"] or parsed["created"]
    parsed["valid_from"] = parsed["valid_from"] or parsed["created"]
    valid_from, valid_until = parsed["valid_from"], parsed["valid_until"]
    if valid_from and valid_until and valid_until <= valid_from:
        raise ValueError(f"valid_until: {sharing_ingest.VALID_UNTIL_NOT_LATER}")
    return parsed


def _pattern_fields(obj: dict[str, Any]) -> dict[str, Any]:
    """PatternIndicator fields of a STIX indicator; ValueError("field: reason")."""
    dates = _dates(obj)
    tlp = sharing_stix.markings_read(obj.get("object_marking_refs")).tlp or TLP.AMBER
    confidence = obj.get("confidence", 50)
    if not isinstance(confidence, int) or not 0 <= confidence <= 100:
        raise ValueError("confidence: an integer from 0 to 100 is required")
    labels = obj.get("labels") or []
    if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
        raise ValueError("labels: a list of strings is required")
    ours = sharing_stix.extension_properties(obj)
    pap = str(ours.get("pap", PAP.AMBER)).upper()
    handling = str(ours.get("handling_code", HandlingCode.H0)).upper()
    if pap not in PAP.values:
        raise ValueError(f"pap: {pap!r} is not one of {', '.join(PAP.values)}")
    if handling not in HandlingCode.values:
        raise ValueError(f"handling_code: {handling!r} is not a handling code")
    return {
        **dates,
        "pattern": obj["pattern"],
        "pattern_type": obj["pattern_type"],
        "name": str(obj.get("name", ""))[:250],
        "description": str(obj.get("description", ""))[:10000],
        "labels": labels[:50],
        "confidence": confidence,
        "tlp": tlp,
        "pap": pap,
        "handling_code": handling,
        "revoked": obj.get("revoked") is True,
    }


def _stix_uuid(obj: dict[str, Any]) -> uuid.UUID:
    return uuid.UUID(obj["id"].removeprefix("indicator--"))


def _save_pattern(
    *,
    actor: Any,
    agency: Agency,
    obj: dict[str, Any],
    current: PatternIndicator | None,
    report: ImportReport,
) -> PatternIndicator:
    """Create, update or leave one pattern-only indicator; ValueError if it is not ours."""
    fields = _pattern_fields(obj)
    body = {k: v for k, v in obj.items() if k not in ("object_marking_refs", "created_by_ref")}
    if current is None:
        report.counts["pattern_only"] += 1
        return PatternIndicator.objects.create(
            stix_uuid=_stix_uuid(obj), owner=agency, created_by=actor, body=body, **fields
        )
    if current.owner_id != agency.pk:
        raise ValueError(f"id: {sharing_ingest.ID_NOT_USABLE}")
    if fields["modified"] <= current.modified:
        report.counts["unchanged"] += 1
        return current
    for name, value in fields.items():
        if name != "created":
            setattr(current, name, value)
    current.body = body
    current.save()
    report.counts["updated"] += 1
    report.counts["revoked"] += int(current.revoked)
    return current


def _import_pattern_only(
    *, actor: Any, agency: Agency, items: list[Item], report: ImportReport
) -> None:
    existing = {
        p.stix_uuid: p
        for p in PatternIndicator.objects.filter(stix_uuid__in=[_stix_uuid(o) for _, o in items])
    }
    touched: list[PatternIndicator] = []
    for index, obj in items:
        try:
            saved = _save_pattern(
                actor=actor,
                agency=agency,
                obj=obj,
                current=existing.get(_stix_uuid(obj)),
                report=report,
            )
        except ValueError as exc:
            report.reject(index, obj, str(exc))
            continue
        existing[saved.stix_uuid] = saved
        touched.append(saved)
        report.accept(index, obj["id"], saved.modified)
    if touched:
        _literals_replace(touched)
        pattern_versions_record(touched, owner_code=agency.code)


def _literals_replace(patterns: list[PatternIndicator]) -> None:
    """The literal values of each STIX pattern, written afresh (a rule has none)."""
    PatternLiteral.objects.filter(pattern_indicator__in=patterns).delete()
    PatternLiteral.objects.bulk_create(
        [
            PatternLiteral(pattern_indicator=p, value=value)
            for p in patterns
            if p.pattern_type == PatternIndicator.PatternType.STIX
            for value in sharing_stix.pattern_literals(p.pattern)
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
    """Ingest the indicators of a STIX bundle (or TAXII envelope) as ``agency``'s.

    Simple patterns go through sharing's ingest (typed values; idempotent on id +
    modified; revoked revokes); valid complex patterns are kept pattern-only; anything
    else is reported by index, id and reason.
    """
    if not isinstance(objects, list):
        raise ValidationError({"objects": NOT_A_LIST})
    report = ImportReport()
    simple, pattern_only = _sort(objects, report)
    if simple:
        _import_simple(
            actor=actor,
            agency=agency,
            items=simple,
            api_key=api_key,
            source=source,
            report=report,
        )
    if pattern_only:
        _import_pattern_only(actor=actor, agency=agency, items=pattern_only, report=report)
    report.rejected.sort(key=lambda r: r["index"])
    audit_log(
        actor=actor,
        action="stix.bundle_imported",
        agency=agency,
        object_type="sharing.indicator",
        summary={**report.counts, "source": source, "api_key": api_key.prefix if api_key else None},
    )
    return report


def _taxii_version(value: Any) -> Any:
    return value.isoformat().replace("+00:00", "Z") if hasattr(value, "isoformat") else value


def _success(accepted: dict[str, Any], notes: list[str] | None) -> dict[str, Any]:
    """A TAXII status-details entry; the import's warnings go in its optional ``message``."""
    entry = {"id": accepted["id"], "version": _taxii_version(accepted["version"])}
    if notes:
        entry["message"] = " ".join(notes)
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
    polls no longer list them either; the newest remaining version becomes the latest. The
    indicator itself stays as it is in CyberCoop (lists, correlation, shares, deliveries) —
    revoking is how an agency takes an indicator back — and a later change to it records a
    new version. A pattern-only indicator exists only as STIX, so it goes with its last
    version. (``interop_backfill``, the one-off for indicators that predate interop, would
    record the current version again of an indicator left with none.) Returns how many
    versions were deleted.
    """
    doomed = ObjectVersion.objects.filter(pk__in=version_ids, owner=agency, stix_id=stix_id)
    rows = list(doomed.values_list("modified", "pattern_indicator_id"))
    deleted, _ = doomed.delete()
    remaining = ObjectVersion.objects.filter(stix_id=stix_id)
    newest = remaining.order_by("-modified").values_list("pk", flat=True).first()
    if newest is not None:
        remaining.exclude(pk=newest).filter(is_latest=True).update(is_latest=False)
        remaining.filter(pk=newest, is_latest=False).update(is_latest=True)
    else:
        patterns = {pattern for _, pattern in rows if pattern is not None}
        PatternIndicator.objects.filter(pk__in=patterns, owner=agency).delete()
    audit_log(
        actor=actor,
        action="taxii.object_deleted",
        agency=agency,
        object_type="interop.objectversion",
        object_id=stix_id,
        summary={
            "versions": sorted(_taxii_version(modified) for modified, _ in rows),
            "remaining": 0 if newest is None else remaining.count(),
            "api_key": api_key.prefix if api_key else None,
        },
    )
    return deleted
