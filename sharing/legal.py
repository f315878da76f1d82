"""Legal basis for sharing indicators: which agreement (or JIT, or shared jurisdiction)
lets the owner give each recipient access, and what is missing when nothing does."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext, gettext_noop

from agencies.legal import (
    Party,
    Recipient,
    agreement_terms,
    basis_between,
    covers,
    covers_jurisdiction,
    party,
    same_jurisdiction_terms,
)
from agencies.legal import agreements_in_force as shared_agreements_in_force
from agencies.models import Agency, Jurisdiction, SharingAgreement
from agencies.providers import PROVIDER_NOT_RECIPIENT, partner_agencies
from cases.models import JointInvestigationTeam
from cases.selectors import jit_accepted_agencies
from sharing import legal_words

CATEGORY = SharingAgreement.DataCategory.INDICATORS
NO_BASIS = gettext_noop(
    "No legal basis on record for sharing indicators from {owner} ({country}) with {target}: "
    "record a sharing agreement covering 'indicators' between them or their jurisdictions "
    "(valid today), or share through a JIT both belong to."
)


@dataclass(frozen=True)
class ShareSpec:
    """Who a share goes to, and the agreement it relies on (``None``: any agreement in force)."""

    agencies: Sequence[Agency] = ()
    jurisdictions: Sequence[Jurisdiction] = ()
    jit: JointInvestigationTeam | None = None
    community: bool = False
    users: Sequence[Any] = ()
    legal_basis: int | None = None

    @property
    def to_groups(self) -> bool:
        """Recipients other than named users (TLP:RED allows named users only)."""
        return bool(self.agencies or self.jurisdictions or self.jit or self.community)


@dataclass
class Resolution:
    recipients: list[Recipient] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    agency_ids: set[int] = field(default_factory=set)
    # Named users (TLP:RED) and the agency each receives through.
    named: list[tuple[Any, Agency]] = field(default_factory=list)

    def as_json(self) -> list[dict[str, Any]]:
        """What the share stores (``legal_words.record``)."""
        return [legal_words.record(r) for r in self.recipients]

    def words(self) -> list[dict[str, str]]:
        """Each recipient and its basis in the reader's words (the preview)."""
        return [legal_words.words(r.kind, r.name, r.terms) for r in self.recipients]


def agreements_in_force(agreement_id: int | None = None) -> list[SharingAgreement]:
    """Agreements in force today that cover indicators."""
    return shared_agreements_in_force(agreement_id, category=CATEGORY)


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
    return set(partner_agencies().filter(query).exclude(pk=owner.pk).values_list("pk", flat=True))


def _missing(owner: Agency, target: str) -> str:
    return gettext(NO_BASIS).format(owner=owner.code, country=owner.country.code, target=target)


def _to_agencies(
    result: Resolution,
    owner: Agency,
    agencies: Iterable[Agency],
    agreements: list[SharingAgreement],
) -> None:
    for agency in agencies:
        if agency.is_service_provider:
            result.missing.append(PROVIDER_NOT_RECIPIENT.format(agency=agency.code, what="shares"))
            continue
        recipient = basis_between(owner, agency, agreements)
        if recipient.terms:
            result.recipients.append(recipient)
            result.agency_ids.add(agency.pk)
        else:
            result.missing.append(_missing(owner, f"{agency.code} ({agency.country.code})"))


def _jurisdiction_basis(
    me: Party, jurisdiction: Jurisdiction, agreements: list[SharingAgreement]
) -> Recipient:
    recipient = Recipient("jurisdiction", jurisdiction.code)
    if jurisdiction.pk in me.jurisdiction_ids and jurisdiction.kind == Jurisdiction.Kind.COUNTRY:
        recipient.terms = same_jurisdiction_terms(jurisdiction)
        return recipient
    for agreement in agreements:
        if covers(agreement, me) and covers_jurisdiction(agreement, jurisdiction):
            recipient.terms = agreement_terms(agreement)
            recipient.agreement_id = agreement.pk
            break
    return recipient


def _to_jurisdictions(
    result: Resolution,
    owner: Agency,
    jurisdictions: Iterable[Jurisdiction],
    agreements: list[SharingAgreement],
) -> None:
    me = party(owner)
    for jurisdiction in jurisdictions:
        recipient = _jurisdiction_basis(me, jurisdiction, agreements)
        if recipient.terms:
            result.recipients.append(recipient)
            result.agency_ids |= set(
                partner_agencies()
                .filter(Q(country=jurisdiction) | Q(country__regimes=jurisdiction))
                .values_list("pk", flat=True)
            )
        else:
            target = legal_words.label("jurisdiction", jurisdiction.code)
            result.missing.append(_missing(owner, target))


def _to_jit(result: Resolution, owner: Agency, jit: JointInvestigationTeam) -> None:
    members = set(jit_accepted_agencies(jit).values_list("pk", flat=True)) | {jit.leader_id}
    if owner.pk not in members:
        result.missing.append(
            gettext("%(agency)s is not an accepted member of the JIT %(jit)s.")
            % {"agency": owner.code, "jit": jit.name}
        )
    elif not jit.legal_basis or jit.status not in ("active", "extended"):
        result.missing.append(
            gettext(
                "The JIT %(jit)s has no JIT agreement in force (legal basis and active status)."
            )
            % {"jit": jit.name}
        )
    else:
        terms = {"kind": "jit_agreement", "basis": jit.legal_basis}
        result.recipients.append(Recipient("jit", jit.name, terms))
        result.agency_ids |= members


def _to_community(result: Resolution, owner: Agency, agreements: list[SharingAgreement]) -> None:
    ids = community_agency_ids(owner, agreements)
    if ids:
        result.recipients.append(Recipient("community", terms={"kind": "community"}))
        result.agency_ids |= ids
    else:
        result.missing.append(
            gettext("%(agency)s holds no sharing agreement: it has no community.")
            % {"agency": owner.code}
        )


def _to_users(
    result: Resolution, owner: Agency, users: Iterable[Any], agreements: list[SharingAgreement]
) -> None:
    """A named user receives through the first of their agencies with a basis."""
    for user in users:
        agencies_of_user = list(
            partner_agencies()
            .filter(memberships__user=user, memberships__status="active")
            .select_related("country")
        )
        for agency in agencies_of_user:
            recipient = basis_between(owner, agency, agreements)
            if recipient.terms:
                name = f"{user.username} ({agency.code})"
                result.recipients.append(
                    Recipient("user", name, recipient.terms, recipient.agreement_id)
                )
                result.named.append((user, agency))
                break
        else:
            codes = ", ".join(a.code for a in agencies_of_user) or gettext("no agency")
            target = legal_words.label("user", f"{user.username} ({codes})")
            result.missing.append(_missing(owner, target))


def resolve(*, owner: Agency, spec: ShareSpec) -> Resolution:
    """The basis for each recipient, the agencies that will receive, and what is missing."""
    agreements = agreements_in_force(spec.legal_basis)
    result = Resolution()
    if spec.legal_basis is not None and not agreements:
        result.missing.append(
            gettext("Agreement %(id)s is not an agreement covering indicators in force today.")
            % {"id": spec.legal_basis}
        )
        return result
    _to_agencies(result, owner, spec.agencies, agreements)
    _to_jurisdictions(result, owner, spec.jurisdictions, agreements)
    if spec.jit is not None:
        _to_jit(result, owner, spec.jit)
    if spec.community:
        _to_community(result, owner, agreements)
    _to_users(result, owner, spec.users, agreements)
    result.agency_ids.discard(owner.pk)
    return result
