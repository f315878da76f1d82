"""Writes for sharing: shares (preview, share, withdraw, revoke), partner endpoints, agreements;
each with its permission rows, outbox rows and audit event in one transaction."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext as _

from agencies.models import TLP, Agency, Jurisdiction, PartnerEndpoint, SharingAgreement
from agencies.selectors import is_member
from audit.services import audit_log
from cases.models import JointInvestigationTeam
from cases.selectors import jit_accepted_agencies
from common.bulk import copy_rows
from sharing import legal, signals, ssrf
from sharing.legal import ShareSpec  # callers may take it from here, next to indicator_share
from sharing.models import Delivery, Indicator, IndicatorType, NamedRecipient, Share, StixObject
from sharing.objects import unknown_types
from sharing.outbox import enqueue_on_commit, fan_out_first, tombstones
from sharing.permissions import (
    passes_to_groups,
    sync_indicator_permissions,
    sync_share_permissions,
    sync_shares_permissions,
    sync_stix_objects_permissions,
)
from sharing.stix import OBSERVABLE_TYPES, has_versions, modified_stamp
from sharing.webhooks import new_secret

NOT_OWNER = gettext_noop("Only the owning agency may share, widen or revoke this indicator.")
STRICT_STAYS = gettext_noop("TLP:AMBER+STRICT indicators cannot leave the owning agency ({codes}).")
RED_NAMED_ONLY = gettext_noop(
    "TLP:RED indicators go only to named users: name users, not agencies, jurisdictions, "
    "a JIT or the community ({codes})."
)
NAMED_USERS_RED_ONLY = gettext_noop("Named users are for TLP:RED indicators only ({codes}).")
NO_RECIPIENTS = gettext_noop(
    "Name at least one recipient: agencies, jurisdictions, a JIT, the community or users."
)
NO_INDICATORS = gettext_noop("Choose at least one indicator.")
NO_OBJECTS = gettext_noop("Choose at least one STIX object.")
ONE_OWNER = gettext_noop("Share indicators of one owning agency at a time.")
REVOKED_STAY = gettext_noop("Revoked indicators cannot be shared ({codes}).")
ALREADY_WITHDRAWN = gettext_noop("This share is already withdrawn.")
ALREADY_REVOKED = gettext_noop("This indicator is already revoked.")
OBJECT_ALREADY_REVOKED = gettext_noop("This STIX object is already revoked.")
NO_PARTIES = gettext_noop("An agreement needs parties: agencies or jurisdictions.")


# --- shares ----------------------------------------------------------------------------------


Shareable = Indicator | StixObject


def _label(item: Shareable) -> str:
    if isinstance(item, Indicator):
        return item.normalized
    return item.name or item.stix_id


def _check_owner(
    *, actor: Any, items: Sequence[Shareable], agency: Agency | None, field: str = "indicators"
) -> Agency:
    owners = {i.owner_id for i in items}
    if len(owners) != 1:
        raise ValidationError({field: gettext(ONE_OWNER)})
    owner = items[0].owner
    if not is_member(user=actor, of=owner, agency=agency):
        raise PermissionDenied(gettext(NOT_OWNER))
    return owner


def _check_tlp(
    items: Sequence[Shareable], *, to_groups: bool, users: Sequence[Any], field: str = "indicators"
) -> None:
    """The TLP rules of a share, for indicators and STIX objects alike (``field`` names the
    list in errors)."""

    def codes(found: list[Shareable]) -> str:
        return ", ".join(_label(i) for i in found[:5]) + (" …" if len(found) > 5 else "")

    strict = [i for i in items if i.tlp == TLP.AMBER_STRICT]
    if strict:
        raise ValidationError({field: gettext(STRICT_STAYS).format(codes=codes(strict))})
    red = [i for i in items if i.tlp == TLP.RED]
    if red and to_groups:
        raise ValidationError({field: gettext(RED_NAMED_ONLY).format(codes=codes(red))})
    not_red = [i for i in items if i.tlp != TLP.RED]
    if users and not_red:
        raise ValidationError({"users": gettext(NAMED_USERS_RED_ONLY).format(codes=codes(not_red))})
    revoked = [i for i in items if i.revoked]
    if revoked:
        raise ValidationError({field: gettext(REVOKED_STAY).format(codes=codes(revoked))})


def share_preview(
    *,
    actor: Any,
    indicators: Sequence[Indicator] = (),
    objects: Sequence[StixObject] = (),
    spec: ShareSpec,
    agency: Agency | None = None,
) -> legal.Resolution:
    """Validate a share of indicators and/or STIX objects and say who receives it under which
    basis (raises what is missing)."""
    field = "indicators" if indicators or not objects else "objects"
    items: list[Shareable] = [*indicators, *objects]
    if not items:
        raise ValidationError(
            {field: gettext(NO_INDICATORS) if field == "indicators" else gettext(NO_OBJECTS)}
        )
    owner = _check_owner(actor=actor, items=items, agency=agency, field=field)
    if not spec.to_groups and not spec.users:
        raise ValidationError({"agencies": gettext(NO_RECIPIENTS)})
    _check_tlp(items, to_groups=spec.to_groups, users=spec.users, field=field)
    resolution = legal.resolve(owner=owner, spec=spec)
    if resolution.missing:
        raise ValidationError({"legal_basis": resolution.missing})
    return resolution


def _share_create(
    *,
    actor: Any,
    indicators: Sequence[Indicator],
    objects: Sequence[StixObject],
    spec: ShareSpec,
    agency: Agency | None,
) -> Share:
    """One share of indicators and STIX objects: its audience rows, its links, the outbox
    deliveries of its items (indicators, then objects) and the audit event."""
    resolution = share_preview(
        actor=actor, indicators=indicators, objects=objects, spec=spec, agency=agency
    )
    owner = (indicators or objects)[0].owner
    share = Share.objects.create(
        owner=owner,
        jit=spec.jit,
        community=spec.community,
        created_by=actor,
        legal_basis=resolution.as_json(),
    )
    share.agencies.set(spec.agencies)
    share.jurisdictions.set(spec.jurisdictions)
    share.users.set(spec.users)
    NamedRecipient.objects.bulk_create(
        NamedRecipient(share=share, user=user, agency=through) for user, through in resolution.named
    )
    copy_rows(
        Share.indicators.through, ["share", "indicator"], ((share.pk, i.pk) for i in indicators)
    )
    copy_rows(
        Share.stix_objects.through, ["share", "stixobject"], ((share.pk, o.pk) for o in objects)
    )
    sync_share_permissions(share)
    if indicators:
        signals.indicators_changed.send(Indicator, indicators=list(indicators), action="shared")
    if objects:
        signals.stix_objects_changed.send(StixObject, objects=list(objects), action="shared")
    delivery_ids = fan_out_first(share, indicators, resolution.agency_ids, objects)
    summary: dict[str, Any] = {"indicators": len(indicators)}
    if objects:
        summary["objects"] = len(objects)
    audit_log(
        actor=actor,
        action="indicator.shared" if indicators else "stix_object.shared",
        obj=share,
        agency=owner,
        summary={
            **summary,
            "agencies": [a.code for a in spec.agencies],
            "jurisdictions": [j.code for j in spec.jurisdictions],
            "jit": spec.jit.pk if spec.jit else None,
            "community": spec.community,
            "users": [u.username for u in spec.users],
            "legal_basis": resolution.as_json()[:50],
            "deliveries": len(delivery_ids),
        },
    )
    enqueue_on_commit(delivery_ids)
    return share


@transaction.atomic
def indicator_share(
    *,
    actor: Any,
    indicators: Sequence[Indicator],
    spec: ShareSpec,
    agency: Agency | None = None,
    objects: Sequence[StixObject] = (),
) -> Share:
    """Share indicators (and STIX objects with them): permission rows, outbox deliveries and
    the audit event, atomically."""
    return _share_create(
        actor=actor, indicators=indicators, objects=objects, spec=spec, agency=agency
    )


@transaction.atomic
def stix_objects_share(
    *,
    actor: Any,
    objects: Sequence[StixObject],
    spec: ShareSpec,
    agency: Agency | None = None,
) -> Share:
    """Share STIX objects of any type, under the rules of an indicator share (legal basis,
    TLP, audiences): TAXII serves them to the share's audience and the entitled partner
    endpoints that take their types receive them as pushes."""
    return _share_create(actor=actor, indicators=(), objects=objects, spec=spec, agency=agency)


@transaction.atomic
def share_withdraw(*, actor: Any, share: Share, agency: Agency | None = None) -> Share:
    """Withdraw a share: permissions go at once; tombstones go to endpoints that lose access."""
    share = Share.objects.select_for_update().get(pk=share.pk)
    if not is_member(user=actor, of=share.owner, agency=agency):
        raise PermissionDenied(gettext(NOT_OWNER))
    if share.withdrawn_at is not None:
        raise ValidationError({"share": gettext(ALREADY_WITHDRAWN)})
    share.withdrawn_at, share.withdrawn_by = timezone.now(), actor
    share.save(update_fields=["withdrawn_at", "withdrawn_by"])
    sync_share_permissions(share)  # its audience only: the indicators' rows do not change
    indicators = list(share.indicators.select_related("owner"))
    objects = list(share.stix_objects.select_related("owner"))
    delivery_ids = tombstones(indicators, keep_entitled=True, objects=objects)
    summary: dict[str, Any] = {"indicators": len(indicators), "tombstones": len(delivery_ids)}
    if objects:
        summary["objects"] = len(objects)
    audit_log(
        actor=actor,
        action="indicator.share_withdrawn",
        obj=share,
        agency=share.owner,
        summary=summary,
    )
    enqueue_on_commit(delivery_ids)
    return share


@transaction.atomic
def indicator_revoke(
    *, actor: Any, indicator: Indicator, agency: Agency | None = None
) -> Indicator:
    """Revoke: recipients lose access at once and every endpoint that got it gets a tombstone."""
    indicator = Indicator.objects.select_for_update().select_related("owner").get(pk=indicator.pk)
    _check_owner(actor=actor, items=[indicator], agency=agency)
    if indicator.revoked:
        raise ValidationError({"indicator": gettext(ALREADY_REVOKED)})
    now = timezone.now()
    indicator.revoked, indicator.revoked_at, indicator.modified = True, now, now
    indicator.save(update_fields=["revoked", "revoked_at", "modified"])
    sync_indicator_permissions(indicator)
    signals.indicators_changed.send(Indicator, indicators=[indicator], action="revoked")
    delivery_ids = tombstones([indicator], keep_entitled=False)
    audit_log(
        actor=actor,
        action="indicator.revoked",
        obj=indicator,
        agency=indicator.owner,
        summary={"stix_id": indicator.stix_id, "tombstones": len(delivery_ids)},
    )
    enqueue_on_commit(delivery_ids)
    return indicator


def no_versions(stix_object: StixObject) -> str:
    """Why an object STIX 2.1 does not version cannot be revoked, and what to do instead
    (the API's refusal and the object page's message)."""
    if stix_object.type in OBSERVABLE_TYPES:
        return _("A cyber observable has no versions: withdraw its shares instead.")
    if stix_object.type == "marking-definition":
        return _("A marking definition has no versions: withdraw its shares instead.")
    return _("This STIX object has no versions: withdraw its shares instead.")


@transaction.atomic
def stix_object_revoke(
    *, actor: Any, stix_object: StixObject, agency: Agency | None = None
) -> StixObject:
    """Revoke a STIX object: a new version with ``revoked: true`` (recorded for TAXII, where
    the audiences of its active shares still see it, revoked, and pushed to every endpoint
    that received the object); it leaves every other list of recipients at once. Cyber
    observables and marking definitions have no versions."""
    stix_object = (
        StixObject.objects.select_for_update().select_related("owner").get(pk=stix_object.pk)
    )
    _check_owner(actor=actor, items=[stix_object], agency=agency, field="objects")
    if stix_object.revoked:
        raise ValidationError({"stix_object": gettext(OBJECT_ALREADY_REVOKED)})
    if not has_versions(stix_object.body):
        raise ValidationError({"stix_object": no_versions(stix_object)})
    # Strictly newer than the current version, even one whose modified lies ahead of our clock.
    now = max(timezone.now(), stix_object.modified + timedelta(milliseconds=1))
    stamp = modified_stamp(now)
    stix_object.revoked, stix_object.modified = True, now
    stix_object.body = {**stix_object.body, "revoked": True, "modified": stamp}
    stix_object.save(update_fields=["revoked", "modified", "body"])
    sync_stix_objects_permissions([stix_object])
    signals.stix_objects_changed.send(StixObject, objects=[stix_object], action="revoked")
    delivery_ids = tombstones([], keep_entitled=False, objects=[stix_object])
    audit_log(
        actor=actor,
        action="stix_object.revoked",
        obj=stix_object,
        agency=stix_object.owner,
        summary={
            "stix_id": stix_object.stix_id,
            "type": stix_object.type,
            "modified": stamp,
            "tombstones": len(delivery_ids),
        },
    )
    enqueue_on_commit(delivery_ids)
    return stix_object


def resync_jit_shares(*, jit: JointInvestigationTeam, **kwargs: Any) -> None:
    """Receiver of ``cases.signals.jit_circle_changed``: JIT shares follow the JIT's members.

    Access is re-derived at once by rewriting the shares' audiences (one row per recipient,
    whatever the number of indicators); endpoints of agencies that joined since the share get
    what they have not received yet (``outbox.fan_out`` skips what was already delivered).
    """
    shares = list(
        Share.objects.filter(jit=jit, withdrawn_at__isnull=True)
        .select_related("owner__country", "jit")
        .prefetch_related(
            "agencies",
            "jurisdictions",
            "users",
            Prefetch("indicators", queryset=Indicator.objects.select_related("owner")),
            Prefetch("stix_objects", queryset=StixObject.objects.select_related("owner")),
        )
    )
    sync_shares_permissions(shares)
    objects = list(StixObject.objects.filter(shares__in=shares).distinct())
    if objects:
        signals.stix_objects_changed.send(StixObject, objects=objects, action="shared")
    indicators = list({i.pk: i for share in shares for i in share.indicators.all()}.values())
    if not indicators and not objects:
        return
    if indicators:
        signals.indicators_changed.send(Indicator, indicators=indicators, action="shared")
    members = set(jit_accepted_agencies(jit).values_list("pk", flat=True))
    delivery_ids: list[int] = []
    for share in shares:
        live = [i for i in share.indicators.all() if passes_to_groups(i)]
        live_objects = [o for o in share.stix_objects.all() if passes_to_groups(o)]
        delivery_ids += fan_out_first(share, live, members, live_objects)
    enqueue_on_commit(delivery_ids)


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
    if "object_types" in data:
        unknown_kinds = unknown_types(list(data["object_types"] or []))
        if unknown_kinds:
            raise ValidationError(
                {
                    "object_types": _("Unknown STIX object types: %(types)s.")
                    % {"types": ", ".join(unknown_kinds)}
                }
            )
        fields["object_types"] = list(data["object_types"] or [])
    for name in ("name", "min_confidence", "max_tlp", "receives_checkpoints", "active"):
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
            "object_types": endpoint.object_types,
            "min_confidence": endpoint.min_confidence,
            "max_tlp": endpoint.max_tlp,
            "receives_checkpoints": endpoint.receives_checkpoints,
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
        endpoint.disabled_reason, endpoint.gone_at = "", None
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
        raise ValidationError({"agencies": gettext(NO_PARTIES)})
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
