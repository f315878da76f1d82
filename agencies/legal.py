"""Legal-basis primitives every app that crosses a border uses: which agreements are in force,
whom an agreement covers, and the basis (if any) between two agencies.

Shares of indicators (``sharing/legal.py``) and assistance requests (``assistance/legal.py``)
both build on these; neither copies them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from agencies.models import Agency, Jurisdiction, SharingAgreement


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


def agreements_in_force(
    agreement_id: int | None = None,
    *,
    category: str | None = None,
    bases: Iterable[str] | None = None,
) -> list[SharingAgreement]:
    """Agreements valid today; with ``category``, only those covering that data category; with
    ``bases``, only those of these kinds (e.g. Budapest Convention)."""
    today = timezone.localdate()
    qs = (
        SharingAgreement.objects.filter(valid_from__lte=today)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
        .prefetch_related("agencies", "jurisdictions")
    )
    if agreement_id is not None:
        qs = qs.filter(pk=agreement_id)
    if bases is not None:
        qs = qs.filter(basis__in=list(bases))
    return [a for a in qs if category is None or category in (a.data_categories or [])]


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


def agreement_basis(agreement: SharingAgreement) -> str:
    """How a basis reads to people: "EU exchange (EU law …), ref"."""
    text = f"{agreement.name} ({agreement.get_basis_display()})"
    return f"{text}, {agreement.reference}" if agreement.reference else text


def same_jurisdiction(one: Agency, other: Agency) -> bool:
    return other.pk == one.pk or other.country_id == one.country_id


def basis_between(
    owner: Agency, other: Agency, agreements: Iterable[SharingAgreement]
) -> Recipient:
    """The first agreement covering both agencies (none needed inside one country)."""
    recipient = Recipient(other.code)
    if same_jurisdiction(owner, other):
        recipient.basis = f"same jurisdiction ({owner.country.code})"
        return recipient
    me, them = party(owner), party(other)
    for agreement in agreements:
        if covers(agreement, me) and covers(agreement, them):
            recipient.basis, recipient.agreement_id = agreement_basis(agreement), agreement.pk
            return recipient
    return recipient
