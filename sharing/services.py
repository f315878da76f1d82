"""Writes for sharing: ingest, shares, revocation, partner endpoints, and the outbox.

Every share/withdraw/revoke writes, in one transaction, the permission rows
(``sync_indicator_permissions``), the ``Delivery`` outbox rows for entitled partner
endpoints, and its audit event; ``transaction.on_commit`` enqueues the deliveries.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from agencies.access import replace_many_object_permissions, replace_object_permissions
from agencies.models import TLP, Agency, APIKey, HandlingCode, Jurisdiction, PartnerEndpoint
from agencies.selectors import is_member
from audit.services import audit_log
from common.bulk import copy_instances, copy_rows
from sharing import legal, signals, ssrf, stix
from sharing.conf import setting
from sharing.models import (
    PAP,
    TLP_RANK,
    Delivery,
    DeliveryItem,
    Indicator,
    IndicatorGroupObjectPermission,
    IndicatorType,
    IndicatorUserObjectPermission,
    Share,
)
from sharing.normalize import InvalidValue, normalize
from sharing.webhooks import new_secret

NOT_OWNER = "Only the owning agency may share, widen or revoke this indicator."
STRICT_STAYS = "TLP:AMBER+STRICT indicators cannot leave the owning agency ({codes})."
RED_NAMED_ONLY = (
    "TLP:RED indicators go only to named users: name users, not agencies, jurisdictions, "
    "a JIT or the community ({codes})."
)
NAMED_USERS_RED_ONLY = "Named users are for TLP:RED indicators only ({codes})."
NO_RECIPIENTS = (
    "Name at least one recipient: agencies, jurisdictions, a JIT, the community or users."
)


# --- permissions -----------------------------------------------------------------------------


def _share_groups(share: Share, community_cache: dict[int, set[int]]) -> set[int]:
    """Group ids a (non-RED) share grants to."""
    groups = {a.group_id for a in share.agencies.all()}
    groups |= {j.group_id for j in share.jurisdictions.all()}
    agency_ids: set[int] = set()
    if share.jit_id and not share.jit.is_closed:
        from cases.selectors import jit_accepted_agencies

        agency_ids |= set(jit_accepted_agencies(share.jit).values_list("pk", flat=True))
        agency_ids.add(share.jit.leader_id)
    if share.community:
        if share.owner_id not in community_cache:
            community_cache[share.owner_id] = legal.community_agency_ids(share.owner)
        agency_ids |= community_cache[share.owner_id]
    if agency_ids:
        groups |= set(Agency.objects.filter(pk__in=agency_ids).values_list("group_id", flat=True))
    return groups


def _active_shares(indicator_ids: Iterable[int]) -> dict[int, list[Share]]:
    through = Share.indicators.through
    rows = through.objects.filter(
        indicator_id__in=list(indicator_ids), share__withdrawn_at__isnull=True
    ).values_list("indicator_id", "share_id")
    share_ids = {s for _, s in rows}
    shares = {
        s.pk: s
        for s in Share.objects.filter(pk__in=share_ids)
        .select_related("owner__country", "jit")
        .prefetch_related("agencies", "jurisdictions", "users")
    }
    by_indicator: dict[int, list[Share]] = defaultdict(list)
    for indicator_id, share_id in rows:
        by_indicator[indicator_id].append(shares[share_id])
    return by_indicator


def indicator_grants(
    indicator: Indicator, shares: Sequence[Share], community_cache: dict[int, set[int]]
) -> tuple[set[int], set[int]]:
    """(group ids, user ids) that may view the indicator, from TLP, revocation and shares.

    The owning agency always sees its indicator. AMBER+STRICT never leaves it; RED goes
    only to the named users of active shares; a revoked indicator goes back to the owner.
    """
    groups = {indicator.owner.group_id}
    users: set[int] = set()
    if indicator.revoked or indicator.tlp == TLP.AMBER_STRICT:
        return groups, users
    for share in shares:
        if indicator.tlp == TLP.RED:
            users |= {u.pk for u in share.users.all()}
        else:
            groups |= _share_groups(share, community_cache)
    return groups, users


def sync_indicator_permissions(indicator: Indicator) -> None:
    """Recompute the indicator's guardian rows from its own state."""
    groups, users = indicator_grants(indicator, _active_shares([indicator.pk])[indicator.pk], {})
    replace_object_permissions(
        indicator,
        group_model=IndicatorGroupObjectPermission,
        user_model=IndicatorUserObjectPermission,
        groups={"view_indicator": Group.objects.filter(pk__in=groups)},
        users={"view_indicator": _users(users)},
    )


def _users(ids: set[int]):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(pk__in=ids)


def sync_indicators_permissions(indicators: Sequence[Indicator]) -> None:
    """The bulk form of ``sync_indicator_permissions``: a few queries for any number."""
    if len(indicators) == 1:
        sync_indicator_permissions(indicators[0])
        return
    shares = _active_shares([i.pk for i in indicators])
    cache: dict[int, set[int]] = {}
    replace_many_object_permissions(
        {i.pk: indicator_grants(i, shares.get(i.pk, []), cache) for i in indicators},
        codename="view_indicator",
        group_model=IndicatorGroupObjectPermission,
        user_model=IndicatorUserObjectPermission,
    )


def resync_jit_shares(*, jit: Any, **kwargs: Any) -> None:
    """Receiver of ``cases.signals.jit_circle_changed``: JIT shares follow the JIT's members.

    Access is re-derived at once; endpoints of agencies that joined since the share get
    what they have not received yet (``_fan_out`` skips what was already delivered).
    """
    from cases.selectors import jit_accepted_agencies

    shares = list(
        Share.objects.filter(jit=jit, withdrawn_at__isnull=True).prefetch_related(
            Prefetch("indicators", queryset=Indicator.objects.select_related("owner"))
        )
    )
    indicators = list({i.pk: i for share in shares for i in share.indicators.all()}.values())
    if not indicators:
        return
    sync_indicators_permissions(indicators)
    signals.indicators_changed.send(Indicator, indicators=indicators, action="shared")
    members = set(jit_accepted_agencies(jit).values_list("pk", flat=True))
    delivery_ids: list[int] = []
    for share in shares:
        live = [
            i
            for i in share.indicators.all()
            if not i.revoked and i.tlp not in (TLP.AMBER_STRICT, TLP.RED)
        ]
        delivery_ids += _fan_out(share, live, members)
    enqueue_on_commit(delivery_ids)


# --- ingest ----------------------------------------------------------------------------------


@dataclass
class IngestReport:
    created: list[Indicator] = field(default_factory=list)
    updated: list[Indicator] = field(default_factory=list)
    unchanged: list[Indicator] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    # index -> (status, indicator) for per-item reports
    items: dict[int, tuple[str, Indicator]] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        return {
            "created": len(self.created),
            "updated": len(self.updated),
            "unchanged": len(self.unchanged),
            "rejected": len(self.errors),
        }


_CHOICES = {
    "tlp": set(TLP.values),
    "pap": set(PAP.values),
    "handling_code": set(HandlingCode.values),
}
_DATES = ("first_seen", "last_seen", "valid_until", "created", "modified")
# Computed once: ``IndicatorType.values`` builds a new list on every access.
_TYPES = frozenset(IndicatorType.values)
_TYPE_NAMES = ", ".join(IndicatorType.values)


class _ItemError(Exception):
    def __init__(self, field_name: str, reason: str) -> None:
        super().__init__(reason)
        self.field, self.reason = field_name, reason


def _date(name: str, value: Any) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = parse_datetime(value.replace("Z", "+00:00") if value.endswith("Z") else value)
        except ValueError:
            parsed = None
    else:
        parsed = None
    if parsed is None:
        raise _ItemError(name, f"{value!r} is not an ISO 8601 date-time.")
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, timezone.utc)
    return parsed


def _clean_item(raw: Any, defaults: dict[str, Any]) -> dict[str, Any]:
    """Validated model fields for one inbound item (simple JSON or a STIX indicator)."""
    if not isinstance(raw, dict):
        raise _ItemError("non_field_errors", "Each item must be a JSON object.")
    if raw.get("type") == "indicator":
        try:
            data = stix.fields_from_stix(raw)
        except ValueError as exc:
            name, _, reason = str(exc).partition(": ")
            raise _ItemError(name, reason) from None
    else:
        data = dict(raw)
        if "id" in data:
            try:
                data["stix_uuid"] = stix.parse_id(data.pop("id"))
            except ValueError as exc:
                raise _ItemError("id", str(exc).partition(": ")[2]) from None
    type_ = data.get("type")
    if not isinstance(type_, str) or type_ not in _TYPES:
        raise _ItemError("type", f"{type_!r} is not an indicator type; choose from {_TYPE_NAMES}.")
    value = data.get("value")
    if not isinstance(value, str):
        raise _ItemError("value", "A value (string) is required.")
    try:
        normalized = normalize(type_, value)
    except InvalidValue as exc:
        raise _ItemError("value", str(exc)) from None
    fields = {**defaults, "type": type_, "value": value[:2000], "normalized": normalized}
    if "stix_uuid" in data:
        fields["stix_uuid"] = data["stix_uuid"]
    for name in _DATES:
        if name in data:
            fields[name] = _date(name, data[name])
    if "confidence" in data:
        confidence = data["confidence"]
        if (
            not isinstance(confidence, int)
            or isinstance(confidence, bool)
            or not 0 <= confidence <= 100
        ):
            raise _ItemError("confidence", "An integer from 0 to 100 is required.")
        fields["confidence"] = confidence
    for name, allowed in _CHOICES.items():
        if name in data:
            choice = str(data[name]).upper()
            if choice not in allowed:
                raise _ItemError(
                    name, f"{data[name]!r} is not one of {', '.join(sorted(allowed))}."
                )
            fields[name] = choice
    if "description" in data:
        if not isinstance(data["description"], str):
            raise _ItemError("description", "A string is required.")
        fields["description"] = data["description"][:10000]
    if "labels" in data:
        labels = data["labels"]
        if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
            raise _ItemError("labels", "A list of strings is required.")
        fields["labels"] = labels[:50]
    if "revoked" in data and data["revoked"] is True:
        fields["revoked"] = True
    if "case" in data and data["case"] is not None:
        fields["case_id"] = data["case"]
    if (
        fields.get("first_seen")
        and fields.get("last_seen")
        and fields["last_seen"] < fields["first_seen"]
    ):
        raise _ItemError("last_seen", "last_seen is before first_seen.")
    return fields


_INDICATOR_FIELDS = Indicator._meta.concrete_fields
_INDICATOR_ATTNAMES = frozenset(f.attname for f in _INDICATOR_FIELDS)


def _new_indicator(fields: dict[str, Any]) -> Indicator:
    """``Indicator(**fields)``, built by position (Django's fast path, about twice as fast)."""
    if not fields.keys() <= _INDICATOR_ATTNAMES:
        return Indicator(**fields)  # a key that is not a column: let Django handle it
    return Indicator(
        *[fields[f.attname] if f.attname in fields else f.get_default() for f in _INDICATOR_FIELDS]
    )


_UPDATABLE = [
    "value",
    "description",
    "labels",
    "confidence",
    "tlp",
    "pap",
    "handling_code",
    "first_seen",
    "last_seen",
    "valid_until",
    "modified",
    "revoked",
    "revoked_at",
]


def _check_cases(
    items: list[tuple[int, dict]], *, actor: Any, agency: Agency | None, report: IngestReport
):
    """Drop items whose case is not one the actor can see (reported, not raised)."""
    case_ids = {f["case_id"] for _, f in items if "case_id" in f}
    if not case_ids:
        return items
    from cases.selectors import cases_visible_to

    visible = set(
        cases_visible_to(user=actor, agency=agency)
        .filter(pk__in=[c for c in case_ids if isinstance(c, int)])
        .values_list("pk", flat=True)
    )
    kept = []
    for index, fields in items:
        if "case_id" in fields and fields["case_id"] not in visible:
            report.errors.append({"index": index, "field": "case", "reason": "No such case."})
        else:
            kept.append((index, fields))
    return kept


@transaction.atomic
def indicators_ingest(
    *,
    actor: Any,
    agency: Agency,
    items: list[Any],
    api_key: APIKey | None = None,
    defaults: dict[str, Any] | None = None,
    source: str = "api",
) -> IngestReport:
    """Store valid items for ``agency`` (bulk), report the rest by index, field and reason.

    Idempotent on STIX id + ``modified``: an item whose id exists with the same or a newer
    ``modified`` is unchanged; a newer one updates the stored indicator.
    """
    if not is_member(user=actor, of=agency):
        raise PermissionDenied(f"{actor} is not an active member of {agency.code}.")
    report = IngestReport()
    now = timezone.now()
    base = {
        "owner_id": agency.pk,
        "created_by_id": actor.pk,
        "source_api_key_id": api_key.pk if api_key else None,
        **(defaults or {}),
    }
    cleaned: list[tuple[int, dict]] = []
    seen_ids: dict[Any, int] = {}
    seen_values: dict[tuple[str, str], int] = {}
    for index, raw in enumerate(items):
        try:
            fields = _clean_item(raw, base)
        except _ItemError as exc:
            report.errors.append({"index": index, "field": exc.field, "reason": exc.reason})
            continue
        key = (fields["type"], fields["normalized"])
        dup = seen_values.get(key)
        if dup is None and "stix_uuid" in fields:
            dup = seen_ids.get(fields["stix_uuid"])
        if dup is not None:
            report.errors.append(
                {
                    "index": index,
                    "field": "value",
                    "reason": f"Duplicate of item {dup} in this request.",
                }
            )
            continue
        seen_values[key] = index
        if "stix_uuid" in fields:
            seen_ids[fields["stix_uuid"]] = index
        cleaned.append((index, fields))
    cleaned = _check_cases(cleaned, actor=actor, agency=agency, report=report)

    by_uuid = {
        i.stix_uuid: i
        for i in Indicator.objects.filter(
            stix_uuid__in=[f["stix_uuid"] for _, f in cleaned if "stix_uuid" in f]
        )
    }
    by_value: dict[tuple[str, str], Indicator] = {}
    values_by_type: dict[str, list[str]] = defaultdict(list)
    for _, f in cleaned:
        values_by_type[f["type"]].append(f["normalized"])
    for type_, values in values_by_type.items():  # (owner, type, normalized): the unique index
        for start in range(0, len(values), 10000):
            for ind in Indicator.objects.filter(
                owner=agency, type=type_, normalized__in=values[start : start + 10000]
            ):
                by_value[(ind.type, ind.normalized)] = ind
    new: list[tuple[int, Indicator]] = []
    changed: list[Indicator] = []
    for index, fields in cleaned:
        existing = by_uuid.get(fields.get("stix_uuid")) or by_value.get(
            (fields["type"], fields["normalized"])
        )
        if existing is not None:
            if existing.owner_id != agency.pk:
                report.errors.append(
                    {
                        "index": index,
                        "field": "id",
                        "reason": "This STIX id belongs to another agency.",
                    }
                )
                continue
            incoming = fields.get("modified")
            if incoming is None or incoming <= existing.modified:
                report.unchanged.append(existing)
                report.items[index] = ("unchanged", existing)
                continue
            if (fields["type"], fields["normalized"]) != (existing.type, existing.normalized):
                report.errors.append(
                    {
                        "index": index,
                        "field": "pattern",
                        "reason": "An update cannot change the value.",
                    }
                )
                continue
            for name in _UPDATABLE:
                if name in fields:
                    setattr(existing, name, fields[name])
            if existing.revoked and not existing.revoked_at:
                existing.revoked_at = now
            changed.append(existing)
            report.updated.append(existing)
            report.items[index] = ("updated", existing)
            continue
        fields.setdefault("created", now)
        fields.setdefault("modified", fields["created"])
        if fields.get("revoked"):
            fields["revoked_at"] = now
        indicator = _new_indicator(fields)
        new.append((index, indicator))
    if new:
        copy_instances(Indicator, [i for _, i in new])
        replace_many_object_permissions(
            {i.pk: ({agency.group_id}, ()) for _, i in new},
            codename="view_indicator",
            group_model=IndicatorGroupObjectPermission,
            fresh=True,
        )
        for index, indicator in new:
            indicator.owner = agency
            report.created.append(indicator)
            report.items[index] = ("created", indicator)
        signals.indicators_changed.send(Indicator, indicators=report.created, action="created")
    if changed:
        Indicator.objects.bulk_update(changed, _UPDATABLE, batch_size=2000)
        signals.indicators_changed.send(Indicator, indicators=changed, action="updated")
        sync_indicators_permissions(changed)
        revoked = [i for i in changed if i.revoked]
        if revoked:
            _tombstones(revoked, keep_entitled=False)
    if report.created or report.updated:
        audit_log(
            actor=actor,
            action="indicator.ingested",
            agency=agency,
            object_type="sharing.indicator",
            summary={
                **report.counts(),
                "source": source,
                "api_key": api_key.prefix if api_key else None,
            },
        )
    return report


# --- shares ----------------------------------------------------------------------------------


def _check_owner(*, actor: Any, indicators: Sequence[Indicator], agency: Agency | None) -> Agency:
    owners = {i.owner_id for i in indicators}
    if len(owners) != 1:
        raise ValidationError({"indicators": "Share indicators of one owning agency at a time."})
    owner = indicators[0].owner
    if not is_member(user=actor, of=owner, agency=agency):
        raise PermissionDenied(NOT_OWNER)
    return owner


def _check_tlp(indicators: Sequence[Indicator], *, to_groups: bool, users: Sequence[Any]) -> None:
    def codes(items: list[Indicator]) -> str:
        return ", ".join(i.normalized for i in items[:5]) + (" …" if len(items) > 5 else "")

    strict = [i for i in indicators if i.tlp == TLP.AMBER_STRICT]
    if strict:
        raise ValidationError({"indicators": STRICT_STAYS.format(codes=codes(strict))})
    red = [i for i in indicators if i.tlp == TLP.RED]
    if red and to_groups:
        raise ValidationError({"indicators": RED_NAMED_ONLY.format(codes=codes(red))})
    not_red = [i for i in indicators if i.tlp != TLP.RED]
    if users and not_red:
        raise ValidationError({"users": NAMED_USERS_RED_ONLY.format(codes=codes(not_red))})
    revoked = [i for i in indicators if i.revoked]
    if revoked:
        raise ValidationError(
            {"indicators": f"Revoked indicators cannot be shared ({codes(revoked)})."}
        )


def share_preview(
    *,
    actor: Any,
    indicators: Sequence[Indicator],
    agencies: Sequence[Agency] = (),
    jurisdictions: Sequence[Jurisdiction] = (),
    jit: Any = None,
    community: bool = False,
    users: Sequence[Any] = (),
    legal_basis: int | None = None,
    agency: Agency | None = None,
) -> legal.Resolution:
    """Validate a share and say who receives it under which basis (raises what is missing)."""
    if not indicators:
        raise ValidationError({"indicators": "Choose at least one indicator."})
    owner = _check_owner(actor=actor, indicators=indicators, agency=agency)
    to_groups = bool(agencies or jurisdictions or jit or community)
    if not to_groups and not users:
        raise ValidationError({"agencies": NO_RECIPIENTS})
    _check_tlp(indicators, to_groups=to_groups, users=users)
    resolution = legal.resolve(
        owner=owner,
        agencies=agencies,
        jurisdictions=jurisdictions,
        jit=jit,
        community=community,
        users=users,
        agreement_id=legal_basis,
    )
    if resolution.missing:
        raise ValidationError({"legal_basis": resolution.missing})
    return resolution


@transaction.atomic
def indicator_share(
    *,
    actor: Any,
    indicators: Sequence[Indicator],
    agencies: Sequence[Agency] = (),
    jurisdictions: Sequence[Jurisdiction] = (),
    jit: Any = None,
    community: bool = False,
    users: Sequence[Any] = (),
    legal_basis: int | None = None,
    agency: Agency | None = None,
) -> Share:
    """Share indicators: permission rows, outbox deliveries and the audit event, atomically."""
    resolution = share_preview(
        actor=actor,
        indicators=indicators,
        agencies=agencies,
        jurisdictions=jurisdictions,
        jit=jit,
        community=community,
        users=users,
        legal_basis=legal_basis,
        agency=agency,
    )
    owner = indicators[0].owner
    share = Share.objects.create(
        owner=owner,
        jit=jit,
        community=community,
        created_by=actor,
        legal_basis=resolution.as_json(),
    )
    share.agencies.set(agencies)
    share.jurisdictions.set(jurisdictions)
    share.users.set(users)
    copy_rows(
        Share.indicators.through, ["share", "indicator"], ((share.pk, i.pk) for i in indicators)
    )
    sync_indicators_permissions(list(indicators))
    signals.indicators_changed.send(Indicator, indicators=list(indicators), action="shared")
    delivery_ids = _fan_out(share, indicators, resolution.agency_ids)
    audit_log(
        actor=actor,
        action="indicator.shared",
        obj=share,
        agency=owner,
        summary={
            "indicators": len(indicators),
            "agencies": [a.code for a in agencies],
            "jurisdictions": [j.code for j in jurisdictions],
            "jit": jit.pk if jit else None,
            "community": community,
            "users": [u.username for u in users],
            "legal_basis": resolution.as_json()[:50],
            "deliveries": len(delivery_ids),
        },
    )
    enqueue_on_commit(delivery_ids)
    return share


def endpoint_accepts(endpoint: PartnerEndpoint, indicator: Indicator) -> bool:
    return (
        (not endpoint.types or indicator.type in endpoint.types)
        and indicator.confidence >= endpoint.min_confidence
        and TLP_RANK[indicator.tlp] <= TLP_RANK[endpoint.max_tlp]
        and indicator.tlp not in (TLP.RED, TLP.AMBER_STRICT)
        and not indicator.revoked
    )


def _fan_out(share: Share, indicators: Sequence[Indicator], agency_ids: set[int]) -> list[int]:
    """Outbox rows: one Delivery per entitled endpoint (per batch), items not sent before."""
    endpoints = list(
        PartnerEndpoint.objects.filter(agency_id__in=agency_ids, active=True).exclude(
            agency_id=share.owner_id
        )
    )
    if not endpoints:
        return []
    already = set(
        DeliveryItem.objects.filter(
            endpoint__in=endpoints, indicator__in=[i.pk for i in indicators], tombstone=False
        ).values_list("endpoint_id", "indicator_id")
    )
    plan = {
        endpoint: [
            i
            for i in indicators
            if endpoint_accepts(endpoint, i) and (endpoint.pk, i.pk) not in already
        ]
        for endpoint in endpoints
    }
    return _write_outbox(plan, share=share, tombstone=False)


def _write_outbox(
    plan: dict[PartnerEndpoint, list[Indicator]], *, share: Share | None, tombstone: bool
) -> list[int]:
    batch = max(1, int(setting("SHARING_DELIVERY_BATCH_SIZE")))
    deliveries: list[Delivery] = []
    chunks: list[list[Indicator]] = []
    for endpoint, items in plan.items():
        for start in range(0, len(items), batch):
            deliveries.append(Delivery(endpoint=endpoint, share=share))
            chunks.append(items[start : start + batch])
    if not deliveries:
        return []
    Delivery.objects.bulk_create(deliveries, batch_size=2000)
    copy_rows(
        DeliveryItem,
        ["delivery", "endpoint", "indicator", "tombstone"],
        (
            (d.pk, d.endpoint_id, i.pk, tombstone)
            for d, chunk in zip(deliveries, chunks, strict=True)
            for i in chunk
        ),
    )
    return [d.pk for d in deliveries]


def enqueue_on_commit(delivery_ids: list[int]) -> None:
    if delivery_ids:
        from sharing.tasks import enqueue_deliveries

        transaction.on_commit(lambda: enqueue_deliveries(delivery_ids))


def _entitled_agency_ids(indicator: Indicator, shares: Sequence[Share], cache) -> set[int]:
    groups, _ = indicator_grants(indicator, shares, cache)
    return set(
        Agency.objects.filter(
            Q(group_id__in=groups)
            | Q(country__group_id__in=groups)
            | Q(country__regimes__group_id__in=groups)
        ).values_list("pk", flat=True)
    )


def _tombstones(indicators: Sequence[Indicator], *, keep_entitled: bool) -> list[int]:
    """Cancel unsent items and queue tombstones to endpoints that got the object.

    With ``keep_entitled`` (a share withdrawn) endpoints still entitled through another
    share keep the indicator; revocation (``keep_entitled=False``) tombstones everywhere.
    """
    ids = [i.pk for i in indicators]
    items = list(
        DeliveryItem.objects.filter(indicator_id__in=ids, tombstone=False).select_related(
            "delivery", "endpoint"
        )
    )
    if not items:
        return []
    tombstoned = set(
        DeliveryItem.objects.filter(indicator_id__in=ids, tombstone=True).values_list(
            "endpoint_id", "indicator_id"
        )
    )
    shares = _active_shares(ids) if keep_entitled else {}
    cache: dict[int, set[int]] = {}
    entitled: dict[int, set[int]] = {}
    by_pk = {i.pk: i for i in indicators}
    # Lock the deliveries involved so a worker cannot freeze a payload under us.
    locked = {
        d.pk: d
        for d in Delivery.objects.select_for_update().filter(
            pk__in={it.delivery_id for it in items}
        )
    }
    plan: dict[PartnerEndpoint, list[Indicator]] = defaultdict(list)
    cancel: list[int] = []
    for item in items:
        indicator = by_pk[item.indicator_id]
        if keep_entitled:
            if indicator.pk not in entitled:
                entitled[indicator.pk] = _entitled_agency_ids(
                    indicator, shares.get(indicator.pk, []), cache
                )
            if item.endpoint.agency_id in entitled[indicator.pk] and endpoint_accepts(
                item.endpoint, indicator
            ):
                continue
        if (item.endpoint_id, indicator.pk) in tombstoned:
            continue
        delivery = locked[item.delivery_id]
        if (
            delivery.status == Delivery.Status.PENDING
            and delivery.attempts == 0
            and not delivery.payload
        ):
            cancel.append(item.pk)  # never left the building: no tombstone needed
        else:
            plan[item.endpoint].append(indicator)
    if cancel:
        DeliveryItem.objects.filter(pk__in=cancel).delete()
        Delivery.objects.filter(pk__in=locked.keys(), items__isnull=True).delete()
    return _write_outbox(dict(plan), share=None, tombstone=True)


@transaction.atomic
def share_withdraw(*, actor: Any, share: Share, agency: Agency | None = None) -> Share:
    """Withdraw a share: permissions go at once; tombstones go to endpoints that lose access."""
    share = Share.objects.select_for_update().get(pk=share.pk)
    if not is_member(user=actor, of=share.owner, agency=agency):
        raise PermissionDenied(NOT_OWNER)
    if share.withdrawn_at is not None:
        raise ValidationError({"share": "This share is already withdrawn."})
    share.withdrawn_at, share.withdrawn_by = timezone.now(), actor
    share.save(update_fields=["withdrawn_at", "withdrawn_by"])
    indicators = list(share.indicators.select_related("owner"))
    sync_indicators_permissions(indicators)
    delivery_ids = _tombstones(indicators, keep_entitled=True)
    audit_log(
        actor=actor,
        action="indicator.share_withdrawn",
        obj=share,
        agency=share.owner,
        summary={"indicators": len(indicators), "tombstones": len(delivery_ids)},
    )
    enqueue_on_commit(delivery_ids)
    return share


@transaction.atomic
def indicator_revoke(
    *, actor: Any, indicator: Indicator, agency: Agency | None = None
) -> Indicator:
    """Revoke: recipients lose access at once and every endpoint that got it gets a tombstone."""
    indicator = Indicator.objects.select_for_update().select_related("owner").get(pk=indicator.pk)
    _check_owner(actor=actor, indicators=[indicator], agency=agency)
    if indicator.revoked:
        raise ValidationError({"indicator": "This indicator is already revoked."})
    now = timezone.now()
    indicator.revoked, indicator.revoked_at, indicator.modified = True, now, now
    indicator.save(update_fields=["revoked", "revoked_at", "modified"])
    sync_indicator_permissions(indicator)
    signals.indicators_changed.send(Indicator, indicators=[indicator], action="revoked")
    delivery_ids = _tombstones([indicator], keep_entitled=False)
    audit_log(
        actor=actor,
        action="indicator.revoked",
        obj=indicator,
        agency=indicator.owner,
        summary={"stix_id": indicator.stix_id, "tombstones": len(delivery_ids)},
    )
    enqueue_on_commit(delivery_ids)
    return indicator


# --- partner endpoints -----------------------------------------------------------------------


def _endpoint_fields(data: dict[str, Any]) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    if "url" in data:
        try:
            ssrf.check_url(data["url"])
        except ssrf.UnsafeURL as exc:
            raise ValidationError({"url": str(exc)}) from None
        fields["url"] = data["url"]
    if "types" in data:
        unknown = set(data["types"] or []) - set(IndicatorType.values)
        if unknown:
            raise ValidationError(
                {"types": f"Unknown indicator types: {', '.join(sorted(unknown))}."}
            )
        fields["types"] = list(data["types"] or [])
    for name in ("name", "min_confidence", "max_tlp", "active"):
        if name in data:
            fields[name] = data[name]
    return fields


@transaction.atomic
def endpoint_create(*, actor: Any, agency: Agency, **data: Any) -> tuple[PartnerEndpoint, str]:
    """Register an endpoint; returns it and its signing secret (shown this once)."""
    secret = new_secret()
    endpoint = PartnerEndpoint(
        agency=agency, created_by=actor, secret=secret, **_endpoint_fields(data)
    )
    endpoint.full_clean()
    endpoint.save()
    audit_log(
        actor=actor,
        action="partner_endpoint.created",
        obj=endpoint,
        agency=agency,
        summary={
            "name": endpoint.name,
            "url": endpoint.url,
            "types": endpoint.types,
            "min_confidence": endpoint.min_confidence,
            "max_tlp": endpoint.max_tlp,
        },
    )
    return endpoint, secret


@transaction.atomic
def endpoint_update(*, actor: Any, endpoint: PartnerEndpoint, **data: Any) -> PartnerEndpoint:
    endpoint = PartnerEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    fields = _endpoint_fields(data)
    for name, value in fields.items():
        setattr(endpoint, name, value)
    if fields.get("active"):
        endpoint.disabled_reason = ""
    endpoint.full_clean()
    endpoint.save()
    resumed = []
    if fields.get("active"):
        resumed = list(
            endpoint.deliveries.filter(
                status__in=[Delivery.Status.PENDING, Delivery.Status.FAILING]
            ).values_list("pk", flat=True)
        )
    audit_log(
        actor=actor,
        action="partner_endpoint.updated",
        obj=endpoint,
        agency=endpoint.agency,
        summary={k: v for k, v in fields.items()},
    )
    enqueue_on_commit(resumed)
    return endpoint


@transaction.atomic
def endpoint_retry_now(*, actor: Any, endpoint: PartnerEndpoint) -> int:
    """Make failing and dead deliveries due now (dead ones get a fresh set of attempts)."""
    now = timezone.now()
    retry = Delivery.objects.filter(
        endpoint=endpoint,
        status__in=[Delivery.Status.PENDING, Delivery.Status.FAILING, Delivery.Status.DEAD],
    )
    ids = list(retry.values_list("pk", flat=True))
    retry.filter(status=Delivery.Status.DEAD).update(status=Delivery.Status.FAILING, attempts=0)
    Delivery.objects.filter(pk__in=ids).update(next_attempt_at=now)
    audit_log(
        actor=actor,
        action="partner_endpoint.retry_now",
        obj=endpoint,
        agency=endpoint.agency,
        summary={"deliveries": len(ids)},
    )
    enqueue_on_commit(ids)
    return len(ids)


@transaction.atomic
def agreement_record(
    *,
    actor: Any,
    name: str,
    basis: str,
    agencies: Iterable[Agency] = (),
    jurisdictions: Iterable[Jurisdiction] = (),
    data_categories: list[str] | None = None,
    reference: str = "",
    valid_from: Any = None,
    valid_until: Any = None,
):
    """Record a sharing agreement (the legal basis shares rely on)."""
    from agencies.models import SharingAgreement

    agreement = SharingAgreement(
        name=name,
        basis=basis,
        reference=reference,
        data_categories=data_categories or [SharingAgreement.DataCategory.INDICATORS],
        valid_from=valid_from or timezone.localdate(),
        valid_until=valid_until,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    agreement.full_clean()
    agreement.save()
    agreement.agencies.set(agencies)
    agreement.jurisdictions.set(jurisdictions)
    if not agreement.agencies.exists() and not agreement.jurisdictions.exists():
        raise ValidationError(
            {"agencies": "An agreement needs parties: agencies or jurisdictions."}
        )
    audit_log(
        actor=actor,
        action="sharing_agreement.recorded",
        obj=agreement,
        summary={
            "name": name,
            "basis": basis,
            "agencies": [a.code for a in agreement.agencies.all()],
            "jurisdictions": [j.code for j in agreement.jurisdictions.all()],
            "data_categories": agreement.data_categories,
            "valid_from": agreement.valid_from,
            "valid_until": agreement.valid_until,
        },
    )
    return agreement
