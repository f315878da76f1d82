"""Legal-basis primitives every app that crosses a border uses: which agreements are in force,
whom an agreement covers, and the basis (if any) between two agencies.

Shares of indicators (``sharing/legal.py``) and assistance requests (``assistance/legal.py``)
both build on these; neither copies them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

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
    """A recipient and the basis it receives under, as codes (``sharing/legal_words.py`` says
    them in words): ``kind`` is "agency", "jurisdiction", "jit", "community" or "user";
    ``name`` a code, a JIT's name or "alice (NL-NHTCU)"; ``terms`` the basis, e.g.
    ``{"kind": "same_jurisdiction", "country": "DE"}`` or an agreement's (``agreement_terms``),
    empty while there is none."""

    kind: str
    name: str = ""
    terms: dict[str, str] = field(default_factory=dict)
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


def agreement_terms(agreement: SharingAgreement) -> dict[str, str]:
    """The agreement as a basis, in codes and its own words (name, reference), as relied on."""
    return {
        "kind": "agreement",
        "name": agreement.name,
        "basis": agreement.basis,
        "reference": agreement.reference,
    }


def same_jurisdiction_terms(country: Jurisdiction) -> dict[str, str]:
    return {"kind": "same_jurisdiction", "country": country.code}


def same_jurisdiction(one: Agency, other: Agency) -> bool:
    return other.pk == one.pk or other.country_id == one.country_id


def basis_between(
    owner: Agency, other: Agency, agreements: Iterable[SharingAgreement]
) -> Recipient:
    """The first agreement covering both agencies (none needed inside one country)."""
    recipient = Recipient("agency", other.code)
    if same_jurisdiction(owner, other):
        recipient.terms = same_jurisdiction_terms(owner.country)
        return recipient
    me, them = party(owner), party(other)
    for agreement in agreements:
        if covers(agreement, me) and covers(agreement, them):
            recipient.terms, recipient.agreement_id = agreement_terms(agreement), agreement.pk
            return recipient
    return recipient
