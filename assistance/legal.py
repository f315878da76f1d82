"""The legal basis of an assistance request: which instruments fit its kind, and whether the
chosen one holds between the requesting agency and the addressee — or what is missing.

Built on the primitives shares use (``agencies/legal.py``): an instrument holds across a border
when an agreement of its kind is in force and covers both agencies (named, by country, or by
a regime such as the parties to the Budapest Convention or the EU); a JIT agreement when both
are accepted members of a JIT of the case whose agreement is in force.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext, gettext_noop

from agencies.legal import agreement_basis, agreements_in_force, covers, party, same_jurisdiction
from agencies.models import Agency, SharingAgreement
from assistance.models import Instrument, Kind
from cases.models import Case, JointInvestigationTeam
from cases.selectors import jit_accepted_agencies

Basis = SharingAgreement.Basis
BUDAPEST_FAMILY = (
    Instrument.BUDAPEST_29,
    Instrument.BUDAPEST_30,
    Instrument.BUDAPEST_31,
    Instrument.BUDAPEST_33_34,
    Instrument.PROTOCOL_6,
    Instrument.PROTOCOL_7,
    Instrument.PROTOCOL_8,
    Instrument.PROTOCOL_9,
    Instrument.PROTOCOL_10,
)
# The kinds of agreement on record that bring each instrument into force between two parties.
AGREEMENT_KINDS: dict[str, tuple[str, ...]] = {
    **{instrument: (Basis.BUDAPEST,) for instrument in BUDAPEST_FAMILY},
    # The Regulation binds the Member States that take part in it (not Denmark, recital 95)
    # from 18 August 2026 (Art. 34): an agreement of its own kind records where it applies.
    Instrument.EPOC: (Basis.E_EVIDENCE,),
    Instrument.EPOC_PR: (Basis.E_EVIDENCE,),
    Instrument.BILATERAL: (Basis.MLAT, Basis.BILATERAL),
}
ANY = (Instrument.BILATERAL, Instrument.JIT)
INSTRUMENTS_FOR_KIND: dict[str, tuple[str, ...]] = {
    Kind.PRESERVATION: (Instrument.BUDAPEST_29, Instrument.EPOC_PR, *ANY),
    Kind.EXPEDITED_DISCLOSURE: (Instrument.BUDAPEST_30, *ANY),
    Kind.PRODUCTION: (Instrument.BUDAPEST_31, Instrument.PROTOCOL_8, Instrument.EPOC, *ANY),
    Kind.SUBSCRIBER: (
        Instrument.PROTOCOL_7,
        Instrument.PROTOCOL_8,
        Instrument.BUDAPEST_31,
        Instrument.EPOC,
        *ANY,
    ),
    Kind.DOMAIN_REGISTRATION: (Instrument.PROTOCOL_6, Instrument.EPOC, *ANY),
    Kind.TRAFFIC: (
        Instrument.BUDAPEST_30,
        Instrument.BUDAPEST_31,
        Instrument.BUDAPEST_33_34,
        Instrument.PROTOCOL_8,
        Instrument.EPOC,
        *ANY,
    ),
    Kind.EMERGENCY_DISCLOSURE: (
        Instrument.PROTOCOL_9,
        Instrument.PROTOCOL_10,
        Instrument.EPOC,
        *ANY,
    ),
    Kind.OTHER: tuple(Instrument.values),
}

CHOOSE_INSTRUMENT = gettext_noop("Choose the legal basis of the request: one of {choices}.")
DOES_NOT_FIT = gettext_noop(
    "'{instrument}' is not a legal basis for a request of kind '{kind}': choose {choices}."
)
NO_AGREEMENT = gettext_noop(
    "No legal basis on record for a request from {requester} ({ours}) to {addressee} ({theirs}) "
    "under '{instrument}': record an agreement in force of kind {kinds} covering both agencies "
    "or their jurisdictions, or choose another basis."
)
NO_JIT = gettext_noop(
    "The case has no JIT with an agreement in force (legal basis, active) of which both "
    "{requester} and {addressee} are accepted members."
)
PROVIDERS_ONLY = gettext_noop(
    "'{instrument}' is an order to a service provider (Regulation (EU) 2023/1543 Art. 7): "
    "{addressee} is not one."
)
VALID_ONES = gettext_noop("Valid between them today: {choices}.")
NONE_VALID = gettext_noop("No basis is valid between them today.")


def either(labels: list[str]) -> str:
    """ "a, b or c" in the reader's language."""
    if len(labels) == 1:
        return labels[0]
    return gettext("%(some)s or %(last)s") % {"some": ", ".join(labels[:-1]), "last": labels[-1]}


@dataclass
class LegalBasis:
    instrument: str
    text: str = ""
    agreement: SharingAgreement | None = None
    jit: JointInvestigationTeam | None = None
    missing: str = ""

    @property
    def instrument_label(self) -> str:
        return _label(self.instrument)


def _label(instrument: str) -> str:
    return str(Instrument(instrument).label)


def _jit_between(
    case: Case, requester: Agency, addressee: Agency, jit: JointInvestigationTeam | None
) -> JointInvestigationTeam | None:
    jits = case.jits.filter(
        status__in=[JointInvestigationTeam.Status.ACTIVE, JointInvestigationTeam.Status.EXTENDED]
    ).exclude(legal_basis="")
    if jit is not None:
        jits = jits.filter(pk=jit.pk)
    for candidate in jits.order_by("pk"):
        members = set(jit_accepted_agencies(candidate).values_list("pk", flat=True))
        if {requester.pk, addressee.pk} <= members | {candidate.leader_id}:
            return candidate
    return None


def _holds(
    instrument: str,
    *,
    case: Case,
    requester: Agency,
    addressee: Agency,
    jit: JointInvestigationTeam | None = None,
) -> LegalBasis:
    """The basis ``instrument`` gives between the two, with ``missing`` empty when it holds."""
    basis = LegalBasis(instrument)
    if instrument in (Instrument.EPOC, Instrument.EPOC_PR) and not addressee.is_service_provider:
        basis.missing = gettext(PROVIDERS_ONLY).format(
            instrument=_label(instrument), addressee=addressee.code
        )
        return basis
    if instrument == Instrument.JIT:
        found = _jit_between(case, requester, addressee, jit)
        if found is None:
            basis.missing = gettext(NO_JIT).format(
                requester=requester.code, addressee=addressee.code
            )
        else:
            basis.jit, basis.text = found, f"JIT agreement: {found.name}"
        return basis
    if same_jurisdiction(requester, addressee):
        basis.text = f"same jurisdiction ({requester.country.code})"
        return basis
    kinds = AGREEMENT_KINDS[instrument]
    me, them = party(requester), party(addressee)
    for agreement in agreements_in_force(bases=kinds):
        if covers(agreement, me) and covers(agreement, them):
            basis.agreement, basis.text = agreement, agreement_basis(agreement)
            return basis
    basis.missing = gettext(NO_AGREEMENT).format(
        requester=requester.code,
        ours=requester.country.code,
        addressee=addressee.code,
        theirs=addressee.country.code,
        instrument=_label(instrument),
        kinds=either([str(Basis(k).label) for k in kinds]),
    )
    return basis


def valid_bases(*, case: Case, kind: str, requester: Agency, addressee: Agency) -> list[LegalBasis]:
    """The instruments fitting ``kind`` that hold between the two today (for forms and errors)."""
    found = []
    for instrument in INSTRUMENTS_FOR_KIND.get(kind, ()):
        if instrument == Instrument.BILATERAL:
            continue  # a treaty is named by the requester: valid only once one is on record
        basis = _holds(instrument, case=case, requester=requester, addressee=addressee)
        if not basis.missing:
            found.append(basis)
    bilateral = _holds(Instrument.BILATERAL, case=case, requester=requester, addressee=addressee)
    if not bilateral.missing and kind in INSTRUMENTS_FOR_KIND:
        found.append(bilateral)
    return found


def _valid_sentence(bases: list[LegalBasis]) -> str:
    if not bases:
        return gettext(NONE_VALID)
    return gettext(VALID_ONES).format(choices=", ".join(f"'{_label(b.instrument)}'" for b in bases))


def resolve_basis(
    *,
    case: Case,
    kind: str,
    instrument: str,
    requester: Agency,
    addressee: Agency,
    jit: JointInvestigationTeam | None = None,
) -> LegalBasis:
    """The basis the request relies on, or (``missing``) what is missing, in words."""
    fitting = INSTRUMENTS_FOR_KIND.get(kind, ())
    choices = ", ".join(f"'{i}'" for i in fitting)
    if not instrument:
        return LegalBasis(instrument, missing=gettext(CHOOSE_INSTRUMENT).format(choices=choices))
    if instrument not in fitting:
        return LegalBasis(
            instrument,
            missing=gettext(DOES_NOT_FIT).format(instrument=instrument, kind=kind, choices=choices),
        )
    basis = _holds(instrument, case=case, requester=requester, addressee=addressee, jit=jit)
    if basis.missing:
        valid = valid_bases(case=case, kind=kind, requester=requester, addressee=addressee)
        basis.missing = f"{basis.missing.rstrip()} {_valid_sentence(valid)}"
    return basis
