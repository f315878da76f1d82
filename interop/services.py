"""Writes for interop: TAXII versions, STIX bundle import, TAXII submissions, correlation
matches, lookups and access requests. Indicators themselves are written by sharing."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone
from stix2patterns.validator import run_validator

from agencies.models import TLP, Agency, APIKey, HandlingCode, Membership
from agencies.selectors import is_member
from audit.services import audit_log
from common.bulk import copy_rows
from interop import stix
from interop.models import (
    AccessRequest,
    AccessRequestTarget,
    Match,
    ObjectVersion,
    PatternIndicator,
    TaxiiStatus,
)
from interop.selectors import visible_indicator_ids
from sharing import ingest as sharing_ingest
from sharing import services as sharing_services
from sharing import stix as sharing_stix
from sharing.models import PAP, Indicator
from sharing.normalize import InvalidValue, detect_type, normalize
from sharing.selectors import indicators_visible_to

DECIDERS = {Membership.Role.INVESTIGATOR, Membership.Role.AGENCY_ADMIN}
LOOKUP_MAX = 10_000
CONTEXT_TYPES = {"identity", "marking-definition", "extension-definition", "language-content"}
NOT_HOLDER = "Only investigators of the holding agency may answer this request."


# --- versions ---------------------------------------------------------------------------------


def _stamps(count: int) -> list:
    """Distinct, increasing date_added values (one microsecond apart)."""
    now = timezone.now()
    return [now + timedelta(microseconds=i) for i in range(count)]


def versions_record(indicators: Sequence[Indicator], *, fresh: bool = False) -> int:
    """Store the current STIX version of each indicator (idempotent on id + modified).

    ``fresh`` (just-created indicators: no earlier version can exist) uses COPY.
    """
    if not indicators:
        return 0
    owners = Agency.objects.in_bulk({i.owner_id for i in indicators})
    for indicator in indicators:
        if not Indicator.owner.is_cached(indicator):
            indicator.owner = owners[indicator.owner_id]  # one query, not one per indicator
    codes = {pk: agency.code for pk, agency in owners.items()}
    stamps = _stamps(len(indicators))
    if fresh:
        return copy_rows(
            ObjectVersion,
            [
                "stix_id",
                "object_type",
                "modified",
                "date_added",
                "owner",
                "indicator",
                "is_latest",
                "body",
            ],
            (
                (
                    i.stix_id,
                    "indicator",
                    i.modified,
                    stamp,
                    i.owner_id,
                    i.pk,
                    True,
                    json.dumps(stix.indicator_stix(i, codes[i.owner_id])),
                )
                for i, stamp in zip(indicators, stamps, strict=True)
            ),
        )
    rows = [
        ObjectVersion(
            stix_id=i.stix_id,
            modified=i.modified,
            date_added=stamp,
            owner_id=i.owner_id,
            indicator_id=i.pk,
            body=json.dumps(stix.indicator_stix(i, codes[i.owner_id])),
        )
        for i, stamp in zip(indicators, stamps, strict=True)
    ]
    ObjectVersion.objects.bulk_create(rows, batch_size=5000, ignore_conflicts=True)
    _mark_latest(Q(indicator_id__in=[i.pk for i in indicators]), Indicator, "indicator_id")
    return len(rows)


def _mark_latest(scope: Q, model: type, fk: str) -> None:
    current = model.objects.filter(pk=OuterRef(fk)).values("modified")[:1]
    ObjectVersion.objects.filter(scope, is_latest=True).filter(
        modified__lt=Subquery(current)
    ).update(is_latest=False)


def versions_republish(indicators: Sequence[Indicator]) -> None:
    """A share widened who sees these: their latest versions count as newly added."""
    ids = [i.pk for i in indicators]
    if connection.vendor == "postgresql":
        table = ObjectVersion._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} v SET date_added = %s + r.rn * interval '1 microsecond' "
                f"FROM (SELECT id, row_number() OVER (ORDER BY id) AS rn FROM {table} "
                "WHERE is_latest AND indicator_id = ANY(%s)) r WHERE v.id = r.id",
                [timezone.now(), ids],
            )
        return
    latest = list(ObjectVersion.objects.filter(indicator_id__in=ids, is_latest=True).order_by("pk"))
    for version, stamp in zip(latest, _stamps(len(latest)), strict=True):
        version.date_added = stamp
    ObjectVersion.objects.bulk_update(latest, ["date_added"], batch_size=5000)


def versions_backfill() -> int:
    """Versions for indicators that predate interop (or were written around sharing)."""
    missing = Indicator.objects.exclude(
        pk__in=ObjectVersion.objects.filter(indicator__isnull=False).values("indicator_id")
    ).order_by("pk")
    total, last = 0, 0
    while batch := list(missing.filter(pk__gt=last).select_related("owner")[:5000]):
        total += versions_record(batch)
        last = batch[-1].pk
    return total


# --- correlation ----------------------------------------------------------------------------


def _same_value(pairs: set[tuple[str, str]]) -> Q:
    """(type, normalized) IN pairs, one branch per type so the lookup index is used."""
    by_type: dict[str, list[str]] = defaultdict(list)
    for type_, value in pairs:
        by_type[type_].append(value)
    query = Q(pk__in=[])
    for type_, values in by_type.items():
        query |= Q(type=type_, normalized__in=values)
    return query


def matches_find(indicators: Sequence[Indicator]) -> list[Match]:
    """Record exact matches of newly added indicators with other agencies' live indicators."""
    live = [i for i in indicators if not i.revoked]
    if not live:
        return []
    by_pair: dict[tuple[str, str], list[Indicator]] = defaultdict(list)
    for indicator in live:
        by_pair[(indicator.type, indicator.normalized)].append(indicator)
    found: list[Match] = []
    pairs = list(by_pair)
    for start in range(0, len(pairs), 5000):
        others = Indicator.objects.filter(
            _same_value(set(pairs[start : start + 5000])), revoked=False
        )
        for other_id, type_, value, owner_id in others.values_list(
            "pk", "type", "normalized", "owner_id"
        ):
            found += [
                Match(indicator_id=mine.pk, other_id=other_id)
                for mine in by_pair[(type_, value)]
                if mine.owner_id != owner_id
            ]
    if found:
        Match.objects.bulk_create(found, batch_size=5000, ignore_conflicts=True)
        audit_log(
            actor=None,
            action="correlation.matches_found",
            object_type="sharing.indicator",
            summary={
                "indicators": sorted({m.indicator_id for m in found})[:100],
                "matches": len(found),
            },
        )
    return found


@dataclass
class LookupResult:
    type: str
    value: str
    normalized: str
    result: str  # visible | hit | none
    ids: list[int] = field(default_factory=list)


class LookupErrors(ValidationError):
    """Per-index errors of a lookup: ``{"values": {"3": ["..."]}}``."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("Some values are invalid.")
        self.item_errors = errors


def _lookup_items(values: Any) -> list[tuple[str, str, str]]:
    if not isinstance(values, list) or not values:
        raise ValidationError({"values": "A non-empty list of values is required."})
    if len(values) > LOOKUP_MAX:
        raise ValidationError({"values": f"At most {LOOKUP_MAX} values per request."})
    items, errors = [], {}
    for index, raw in enumerate(values):
        type_, value = (None, raw) if isinstance(raw, str) else (None, None)
        if isinstance(raw, dict):
            type_, value = raw.get("type"), raw.get("value")
        if not isinstance(value, str):
            errors[str(index)] = ['Expected a string or {"type": ..., "value": ...}.']
            continue
        type_ = type_ or detect_type(value)
        if not type_:
            errors[str(index)] = [f"Cannot tell the type of {value[:80]!r}; name it."]
            continue
        try:
            items.append((type_, value, normalize(type_, value)))
        except InvalidValue as exc:
            errors[str(index)] = [str(exc)]
    if errors:
        raise LookupErrors(errors)
    return items


def correlation_lookup(*, actor: Any, agency: Agency | None, values: Any) -> list[LookupResult]:
    """Each value: ``visible`` (ids the caller may see), ``hit`` (held elsewhere) or ``none``.

    Three queries for any number of values; nothing about a hit's holder is returned.
    """
    items = _lookup_items(values)
    pairs = {(t, n) for t, _, n in items}
    holders: dict[tuple[str, str], list[int]] = defaultdict(list)
    candidate_ids: list[int] = []
    matching = Indicator.objects.filter(_same_value(pairs), revoked=False).order_by()
    for pk, type_, value in matching.values_list("pk", "type", "normalized"):
        holders[(type_, value)].append(pk)
        candidate_ids.append(pk)
    visible = visible_indicator_ids(user=actor, agency=agency, ids=candidate_ids)
    results = []
    for type_, value, normalized in items:
        ids = holders.get((type_, normalized), [])
        mine = sorted(pk for pk in ids if pk in visible)
        if mine:
            results.append(LookupResult(type_, value, normalized, "visible", mine))
        elif ids:
            results.append(LookupResult(type_, value, normalized, "hit"))
        else:
            results.append(LookupResult(type_, value, normalized, "none"))
    audit_log(
        actor=actor,
        action="correlation.lookup",
        agency=agency,
        summary={
            "values": len(results),
            "visible": sum(r.result == "visible" for r in results),
            "hits": sum(r.result == "hit" for r in results),
        },
    )
    return results


def hidden_matches(*, user: Any, agency: Agency | None, indicator: Indicator) -> list[Indicator]:
    """Other agencies' live indicators with the same value that the user may not see."""
    others = Indicator.objects.filter(
        type=indicator.type, normalized=indicator.normalized, revoked=False
    ).exclude(owner_id=indicator.owner_id)
    visible = indicators_visible_to(user=user, agency=agency).filter(
        type=indicator.type, normalized=indicator.normalized
    )
    return list(others.exclude(pk__in=visible.values("pk")))


@transaction.atomic
def access_request_create(
    *,
    actor: Any,
    indicator: Indicator,
    reason: str,
    legal_basis: str,
    handling_code: str,
    agency: Agency | None = None,
) -> AccessRequest:
    """Ask the unnamed holders of a hidden match to share it."""
    if not is_member(user=actor, of=indicator.owner, agency=agency):
        raise PermissionDenied("Only members of the agency holding this indicator may ask.")
    errors = {}
    if not (reason or "").strip():
        errors["reason"] = "Say why you need the matching indicator."
    if not (legal_basis or "").strip():
        errors["legal_basis"] = "Name the legal basis of the request."
    if handling_code not in HandlingCode.values:
        errors["handling_code"] = f"Choose one of {', '.join(HandlingCode.values)}."
    if errors:
        raise ValidationError(errors)
    hidden = hidden_matches(user=actor, agency=indicator.owner, indicator=indicator)
    if not hidden:
        raise ValidationError({"indicator": "No other agency holds a match hidden from you."})
    request = AccessRequest.objects.create(
        requester=indicator.owner,
        requested_by=actor,
        indicator=indicator,
        reason=reason.strip(),
        legal_basis=legal_basis.strip()[:300],
        handling_code=handling_code,
    )
    AccessRequestTarget.objects.bulk_create(
        [AccessRequestTarget(request=request, indicator=h, holder_id=h.owner_id) for h in hidden]
    )
    audit_log(
        actor=actor,
        action="correlation.access_requested",
        obj=request,
        agency=indicator.owner,
        summary={
            "indicator": indicator.pk,
            "legal_basis": request.legal_basis,
            "handling_code": handling_code,
            "targets": [t.pk for t in request.targets.all()],
        },
    )
    return request


def _check_decider(actor: Any, target: AccessRequestTarget, agency: Agency | None) -> None:
    if not is_member(user=actor, of=target.holder, roles=DECIDERS, agency=agency):
        raise PermissionDenied(NOT_HOLDER)
    if target.status != AccessRequestTarget.Status.PENDING:
        raise ValidationError({"status": "This request was already answered."})


@transaction.atomic
def access_request_grant(
    *,
    actor: Any,
    target: AccessRequestTarget,
    legal_basis: int | None = None,
    agency: Agency | None = None,
) -> AccessRequestTarget:
    """Share the matched indicator with the requester through sharing's normal share."""
    target = (
        AccessRequestTarget.objects.select_for_update()
        .select_related(
            "request__requester__country", "request__requested_by", "indicator__owner", "holder"
        )
        .get(pk=target.pk)
    )
    _check_decider(actor, target, agency)
    request = target.request
    red = target.indicator.tlp == TLP.RED
    share = sharing_services.indicator_share(
        actor=actor,
        indicators=[target.indicator],
        spec=sharing_services.ShareSpec(
            agencies=[] if red else [request.requester],
            users=[request.requested_by] if red else [],
            legal_basis=legal_basis,
        ),
        agency=agency,
    )
    target.status = AccessRequestTarget.Status.GRANTED
    target.decided_by, target.decided_at, target.share = actor, timezone.now(), share
    target.save(update_fields=["status", "decided_by", "decided_at", "share"])
    audit_log(
        actor=actor,
        action="correlation.access_granted",
        obj=target,
        agency=target.holder,
        summary={"request": request.pk, "indicator": target.indicator_id, "share": share.pk},
    )
    return target


@transaction.atomic
def access_request_decline(
    *, actor: Any, target: AccessRequestTarget, reason: str, agency: Agency | None = None
) -> AccessRequestTarget:
    target = (
        AccessRequestTarget.objects.select_for_update().select_related("holder").get(pk=target.pk)
    )
    _check_decider(actor, target, agency)
    if not (reason or "").strip():
        raise ValidationError({"reason": "Give the requester a reason for declining."})
    target.status = AccessRequestTarget.Status.DECLINED
    target.decided_by, target.decided_at = actor, timezone.now()
    target.decision_reason = reason.strip()
    target.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    audit_log(
        actor=actor,
        action="correlation.access_declined",
        obj=target,
        agency=target.holder,
        summary={"request": target.request_id, "reason": target.decision_reason[:500]},
    )
    return target


# --- STIX import ------------------------------------------------------------------------------


@dataclass
class ImportReport:
    counts: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(
            ("created", "updated", "unchanged", "revoked", "pattern_only", "skipped", "rejected"),
            0,
        )
    )
    rejected: list[dict[str, Any]] = field(default_factory=list)
    accepted: list[dict[str, Any]] = field(default_factory=list)  # {"index","id","version"}

    def reject(self, index: int, obj: Any, reason: str) -> None:
        stix_id = obj.get("id") if isinstance(obj, dict) else None
        version = obj.get("modified", obj.get("created")) if isinstance(obj, dict) else None
        self.rejected.append({"index": index, "id": stix_id, "reason": reason, "version": version})
        self.counts["rejected"] += 1

    def as_dict(self) -> dict[str, Any]:
        rejected = [{k: r[k] for k in ("index", "id", "reason")} for r in self.rejected]
        return {"counts": self.counts, "rejected": rejected}


def _bundle_tlps(objects: list[Any]) -> dict[str, str]:
    """TLP of marking definitions defined in the bundle itself (TLP 1 style or TLP 2.0)."""
    names = {v: k for k, v in stix.TLP2_NAMES.items()} | {"white": TLP.CLEAR}
    found = {}
    for obj in objects:
        if not isinstance(obj, dict) or obj.get("type") != "marking-definition":
            continue
        level = None
        if obj.get("definition_type") == "tlp" and isinstance(obj.get("definition"), dict):
            level = obj["definition"].get("tlp")
        ext = (obj.get("extensions") or {}).get(stix.TLP2_EXTENSION_ID)
        if isinstance(ext, dict):
            level = ext.get("tlp_2_0")
        if isinstance(level, str) and level.lower() in names and isinstance(obj.get("id"), str):
            found[obj["id"]] = names[level.lower()]
    return found


def _pattern_fields(obj: dict[str, Any]) -> dict[str, Any]:
    def date(name: str, default: Any = None) -> Any:
        value = obj.get(name, default)
        parsed = sharing_ingest._date(name, value) if value is not None else None
        return parsed

    try:
        fields = {
            "created": date("created"),
            "modified": date("modified") or date("created"),
            "valid_from": date("valid_from") or date("created"),
            "valid_until": date("valid_until"),
        }
    except sharing_ingest._ItemError as exc:
        raise ValueError(f"{exc.field}: {exc.reason}") from None
    now = timezone.now()
    fields["created"] = fields["created"] or now
    fields["modified"] = fields["modified"] or fields["created"]
    fields["valid_from"] = fields["valid_from"] or fields["created"]
    tlp = next(
        (
            sharing_stix.TLP_BY_MARKING[r]
            for r in obj.get("object_marking_refs") or []
            if r in sharing_stix.TLP_BY_MARKING
        ),
        TLP.AMBER,
    )
    confidence = obj.get("confidence", 50)
    if not isinstance(confidence, int) or not 0 <= confidence <= 100:
        raise ValueError("confidence: an integer from 0 to 100 is required")
    labels = obj.get("labels") or []
    if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
        raise ValueError("labels: a list of strings is required")
    pap = str(obj.get("x_cybercoop_pap", PAP.AMBER)).upper()
    handling = str(obj.get("x_cybercoop_handling_code", HandlingCode.H0)).upper()
    if pap not in PAP.values:
        raise ValueError(f"x_cybercoop_pap: {pap!r} is not one of {', '.join(PAP.values)}")
    if handling not in HandlingCode.values:
        raise ValueError(f"x_cybercoop_handling_code: {handling!r} is not a handling code")
    return {
        **fields,
        "pattern": obj["pattern"],
        "name": str(obj.get("name", ""))[:250],
        "description": str(obj.get("description", ""))[:10000],
        "labels": labels[:50],
        "confidence": confidence,
        "tlp": tlp,
        "pap": pap,
        "handling_code": handling,
        "revoked": obj.get("revoked") is True,
    }


def _import_pattern_only(
    *, actor: Any, agency: Agency, items: list[tuple[int, dict]], report: ImportReport
) -> None:
    import uuid

    existing = {
        p.stix_uuid: p
        for p in PatternIndicator.objects.filter(
            stix_uuid__in=[uuid.UUID(o["id"].removeprefix("indicator--")) for _, o in items]
        )
    }
    touched: list[PatternIndicator] = []
    for index, obj in items:
        try:
            fields = _pattern_fields(obj)
        except ValueError as exc:
            report.reject(index, obj, str(exc))
            continue
        stix_uuid = uuid.UUID(obj["id"].removeprefix("indicator--"))
        current = existing.get(stix_uuid)
        body = {k: v for k, v in obj.items() if k not in ("object_marking_refs", "created_by_ref")}
        if current is None:
            current = PatternIndicator.objects.create(
                stix_uuid=stix_uuid, owner=agency, created_by=actor, body=body, **fields
            )
            existing[stix_uuid] = current
            report.counts["pattern_only"] += 1
        elif current.owner_id != agency.pk:
            report.reject(index, obj, "id: this STIX id belongs to another agency")
            continue
        elif fields["modified"] <= current.modified:
            report.counts["unchanged"] += 1
        else:
            for name, value in fields.items():
                if name != "created":
                    setattr(current, name, value)
            current.body = body
            current.save()
            report.counts["updated"] += 1
            report.counts["revoked"] += int(current.revoked)
        touched.append(current)
        report.accepted.append({"index": index, "id": obj["id"], "version": current.modified})
    if touched:
        rows = [
            ObjectVersion(
                stix_id=p.stix_id,
                modified=p.modified,
                date_added=stamp,
                owner_id=p.owner_id,
                pattern_indicator=p,
                body=json.dumps(stix.pattern_indicator_stix(p, agency.code), default=str),
            )
            for p, stamp in zip(touched, _stamps(len(touched)), strict=True)
        ]
        ObjectVersion.objects.bulk_create(rows, ignore_conflicts=True)
        _mark_latest(
            Q(pattern_indicator_id__in=[p.pk for p in touched]),
            PatternIndicator,
            "pattern_indicator_id",
        )


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
        raise ValidationError({"objects": "A list of STIX objects is required."})
    report = ImportReport()
    tlps = _bundle_tlps(objects)
    simple: list[tuple[int, dict]] = []
    pattern_only: list[tuple[int, dict]] = []
    for index, obj in enumerate(objects):
        if not isinstance(obj, dict):
            report.reject(index, obj, "not a JSON object")
            continue
        kind = obj.get("type")
        if kind in CONTEXT_TYPES:
            report.counts["skipped"] += 1
            report.accepted.append(
                {
                    "index": index,
                    "id": obj.get("id"),
                    "version": obj.get("modified", obj.get("created")),
                }
            )
            continue
        if kind != "indicator":
            report.reject(index, obj, f"type: {kind!r} objects are not imported (indicators only)")
            continue
        stix_id = obj.get("id")
        if not isinstance(stix_id, str) or not stix_id.startswith("indicator--"):
            report.reject(index, obj, "id: expected indicator--<uuid>")
            continue
        try:
            sharing_stix.fields_from_stix(
                {"id": stix_id, "pattern": "[ipv4-addr:value = '0.0.0.0']"}
            )
        except ValueError as exc:
            report.reject(index, obj, str(exc))
            continue
        if obj.get("spec_version", "2.1") != "2.1":
            report.reject(index, obj, "spec_version: only STIX 2.1 is supported")
            continue
        pattern = obj.get("pattern")
        if obj.get("pattern_type") != "stix" or not isinstance(pattern, str):
            report.reject(index, obj, "pattern: a pattern with pattern_type 'stix' is required")
            continue
        obj = {
            **obj,
            "object_marking_refs": [
                sharing_stix.TLP_MARKING_IDS[tlps[r]] if r in tlps else r
                for r in obj.get("object_marking_refs") or []
            ],
        }
        try:
            sharing_stix.parse_pattern(pattern, obj.get("x_cybercoop_type"))
            simple.append((index, obj))
        except ValueError:
            errors = run_validator(pattern, stix_version="2.1")
            if errors:
                report.reject(index, obj, f"pattern: {errors[0]}")
            else:
                pattern_only.append((index, obj))
    if simple:
        ingest = sharing_ingest.indicators_ingest(
            actor=actor,
            agency=agency,
            items=[o for _, o in simple],
            api_key=api_key,
            source=source,
        )
        for position, (status, indicator) in ingest.items.items():
            index, obj = simple[position]
            report.counts[status] += 1
            if status != "unchanged" and indicator.revoked:
                report.counts["revoked"] += 1
            report.accepted.append({"index": index, "id": obj["id"], "version": indicator.modified})
        for error in ingest.errors:
            index, obj = simple[error["index"]]
            report.reject(index, obj, f"{error['field']}: {error['reason']}")
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


@transaction.atomic
def taxii_objects_add(
    *, actor: Any, agency: Agency, collection_id: str, objects: Any, api_key: APIKey | None
) -> TaxiiStatus:
    """A TAXII POST to an agency's submissions collection: import, record the status."""
    report = bundle_import(
        actor=actor, agency=agency, objects=objects, api_key=api_key, source="taxii"
    )

    def version(value: Any) -> Any:
        return value.isoformat().replace("+00:00", "Z") if hasattr(value, "isoformat") else value

    return TaxiiStatus.objects.create(
        agency=agency,
        created_by=actor,
        collection_id=collection_id,
        status=TaxiiStatus.State.COMPLETE,
        total_count=len(objects),
        success_count=len(report.accepted),
        failure_count=len(report.rejected),
        pending_count=0,
        successes=[{"id": a["id"], "version": version(a["version"])} for a in report.accepted],
        failures=[
            {
                "id": r["id"] or f"object {r['index']}",
                "version": version(r["version"]) or "",
                "message": f"object {r['index']}: {r['reason']}",
            }
            for r in report.rejected
        ],
    )
