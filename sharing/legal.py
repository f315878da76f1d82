"""Legal basis for sharing indicators: which agreement (or JIT, or shared jurisdiction)
lets the owner give each recipient access, and what is missing when nothing does."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils import timezone

from agencies.models import Agency, Jurisdiction, SharingAgreement

CATEGORY = SharingAgreement.DataCategory.INDICATORS


@dataclass
class Party:
    """An agency's identity for agreement matching."""

    agency_id: int
    jurisdiction_ids: set[int]


@dataclass
class Recipient:
    label: str  # "NL-NHTCU", "jurisdiction EU", "JIT …", "user alice (NL-NHTCU)"
    basis: str = ""
    agreement_id: int | None = None


@dataclass
class Resolution:
    recipients: list[Recipient] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    agency_ids: set[int] = field(default_factory=set)

    def as_json(self) -> list[dict[str, Any]]:
        return [
            {"recipient": r.label, "basis": r.basis, "agreement": r.agreement_id}
            for r in self.recipients
        ]


def agreements_in_force(agreement_id: int | None = None) -> list[SharingAgreement]:
    today = timezone.localdate()
    qs = (
        SharingAgreement.objects.filter(valid_from__lte=today)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
        .prefetch_related("agencies", "jurisdictions")
    )
    if agreement_id is not None:
        qs = qs.filter(pk=agreement_id)
    return [a for a in qs if CATEGORY in (a.data_categories or [])]


def party(agency: Agency) -> Party:
    return Party(agency.pk, {j.pk for j in agency.jurisdictions()})


def covers(agreement: SharingAgreement, who: Party) -> bool:
    agency_ids = {a.pk for a in agreement.agencies.all()}
    jurisdiction_ids = {j.pk for j in agreement.jurisdictions.all()}
    return who.agency_id in agency_ids or bool(who.jurisdiction_ids & jurisdiction_ids)


def covers_jurisdiction(agreement: SharingAgreement, jurisdiction: Jurisdiction) -> bool:
    """Every agency of ``jurisdiction`` is a party: named, or a country in a named regime."""
    named = {j.pk for j in agreement.jurisdictions.all()}
    if jurisdiction.pk in named:
        return True
    if jurisdiction.kind == Jurisdiction.Kind.COUNTRY:
        return bool({r.pk for r in jurisdiction.regimes.all()} & named)
    return False


def _agreement_basis(agreement: SharingAgreement) -> str:
    text = f"{agreement.name} ({agreement.get_basis_display()})"
    return f"{text}, {agreement.reference}" if agreement.reference else text


def basis_between(
    owner: Agency, other: Agency, agreements: Iterable[SharingAgreement]
) -> Recipient:
    recipient = Recipient(other.code)
    if other.pk == owner.pk or other.country_id == owner.country_id:
        recipient.basis = f"same jurisdiction ({owner.country.code})"
        return recipient
    me, them = party(owner), party(other)
    for agreement in agreements:
        if covers(agreement, me) and covers(agreement, them):
            recipient.basis, recipient.agreement_id = _agreement_basis(agreement), agreement.pk
            return recipient
    return recipient


def community_agency_ids(
    owner: Agency, agreements: Iterable[SharingAgreement] | None = None
) -> set[int]:
    """Every other active agency holding an agreement (covering indicators) with the owner."""
    me = party(owner)
    relevant = [a for a in (agreements or agreements_in_force()) if covers(a, me)]
    if not relevant:
        return set()
    query = Q()
    for agreement in relevant:
        query |= Q(pk__in=[a.pk for a in agreement.agencies.all()])
        named = [j.pk for j in agreement.jurisdictions.all()]
        query |= Q(country__in=named) | Q(country__regimes__in=named)
    return set(
        Agency.objects.filter(query, active=True).exclude(pk=owner.pk).values_list("pk", flat=True)
    )


def _missing(owner: Agency, target: str) -> str:
    return (
        f"No legal basis on record for sharing indicators from {owner.code} "
        f"({owner.country.code}) with {target}: record a sharing agreement covering "
        f"'indicators' between them or their jurisdictions (valid today), or share through "
        f"a JIT both belong to."
    )


def resolve(
    *,
    owner: Agency,
    agencies: Iterable[Agency] = (),
    jurisdictions: Iterable[Jurisdiction] = (),
    jit: Any = None,
    community: bool = False,
    users: Iterable[Any] = (),
    agreement_id: int | None = None,
) -> Resolution:
    """The basis for each recipient, the agencies that will receive, and what is missing."""
    agreements = agreements_in_force(agreement_id)
    result = Resolution()
    if agreement_id is not None and not agreements:
        result.missing.append(
            f"Agreement {agreement_id} is not an agreement covering indicators in force today."
        )
        return result
    for agency in agencies:
        recipient = basis_between(owner, agency, agreements)
        if recipient.basis:
            result.recipients.append(recipient)
            result.agency_ids.add(agency.pk)
        else:
            result.missing.append(_missing(owner, f"{agency.code} ({agency.country.code})"))
    me = party(owner)
    for jurisdiction in jurisdictions:
        recipient = Recipient(f"jurisdiction {jurisdiction.code}")
        if (
            jurisdiction.pk in me.jurisdiction_ids
            and jurisdiction.kind == Jurisdiction.Kind.COUNTRY
        ):
            recipient.basis = f"same jurisdiction ({jurisdiction.code})"
        else:
            for agreement in agreements:
                if covers(agreement, me) and covers_jurisdiction(agreement, jurisdiction):
                    recipient.basis = _agreement_basis(agreement)
                    recipient.agreement_id = agreement.pk
                    break
        if recipient.basis:
            result.recipients.append(recipient)
            result.agency_ids |= set(
                Agency.objects.filter(
                    Q(country=jurisdiction) | Q(country__regimes=jurisdiction), active=True
                ).values_list("pk", flat=True)
            )
        else:
            result.missing.append(_missing(owner, f"jurisdiction {jurisdiction.code}"))
    if jit is not None:
        from cases.selectors import jit_accepted_agencies

        members = set(jit_accepted_agencies(jit).values_list("pk", flat=True)) | {jit.leader_id}
        recipient = Recipient(f"JIT {jit.name}")
        if owner.pk not in members:
            result.missing.append(f"{owner.code} is not an accepted member of the JIT {jit.name}.")
        elif not jit.legal_basis or jit.status not in ("active", "extended"):
            result.missing.append(
                f"The JIT {jit.name} has no JIT agreement in force (legal basis and active status)."
            )
        else:
            recipient.basis = f"JIT agreement: {jit.get_legal_basis_display()}"
            result.recipients.append(recipient)
            result.agency_ids |= members
    if community:
        ids = community_agency_ids(owner, agreements)
        if ids:
            result.recipients.append(
                Recipient("community", "the sharing agreements each member holds with the owner")
            )
            result.agency_ids |= ids
        else:
            result.missing.append(f"{owner.code} holds no sharing agreement: it has no community.")
    for user in users:
        agencies_of_user = list(
            Agency.objects.filter(
                memberships__user=user, memberships__status="active", active=True
            ).select_related("country")
        )
        label = f"user {user.username}"
        for agency in agencies_of_user:
            recipient = basis_between(owner, agency, agreements)
            if recipient.basis:
                result.recipients.append(
                    Recipient(f"{label} ({agency.code})", recipient.basis, recipient.agreement_id)
                )
                break
        else:
            codes = ", ".join(a.code for a in agencies_of_user) or "no agency"
            result.missing.append(_missing(owner, f"{label} ({codes})"))
    result.agency_ids.discard(owner.pk)
    return result
