"""A request across a border needs a legal basis valid between the two jurisdictions; the
refusal says what is missing and which bases would hold."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from assistance import services
from assistance.legal import valid_bases
from assistance.models import AddresseeRole, Instrument, Kind
from tests.assistance.conftest import add_jit, draft, sent
from tests.cases.conftest import open_case
from tests.factories import AgencyFactory


def test_de_to_nl_preservation_under_budapest_art_29_is_accepted_when_both_are_parties(aw):
    request = sent(aw, addressee=aw.partner.agency)
    assert request.status == "sent"
    assert request.agreement == aw.budapest
    assert request.addressee_role == AddresseeRole.POINT_OF_CONTACT


def test_de_to_nl_production_under_the_eu_e_evidence_regulation_is_accepted(aw):
    request = sent(aw, kind=Kind.PRODUCTION, instrument=Instrument.EPOC)
    assert request.agreement == aw.eu
    assert request.addressee_role == AddresseeRole.SERVICE_PROVIDER


def test_an_eu_exchange_agreement_alone_is_no_basis_for_a_european_production_order(
    aw, eu_agreement
):
    aw.eu.delete()
    request = draft(aw, kind=Kind.PRODUCTION, instrument=Instrument.EPOC)
    with pytest.raises(
        ValidationError,
        match=r"under 'Regulation \(EU\) 2023/1543 – European Production Order \(EPOC\)': "
        r"record an agreement in force of kind Regulation \(EU\) 2023/1543 on European "
        r"Production and Preservation Orders \(e-Evidence\)",
    ):
        services.request_send(actor=aw.owner.investigator, request=request)


def test_a_european_order_goes_to_a_service_provider_only(aw):
    request = draft(
        aw, kind=Kind.PRODUCTION, instrument=Instrument.EPOC, addressee=aw.partner.agency
    )
    with pytest.raises(ValidationError, match=r"is an order to a service provider .* NL-NHTCU is"):
        services.request_send(actor=aw.owner.investigator, request=request)
    offered = valid_bases(
        case=aw.case, kind=Kind.PRODUCTION, requester=aw.owner.agency, addressee=aw.partner.agency
    )
    assert Instrument.EPOC not in {b.instrument for b in offered}
    assert Instrument.BUDAPEST_31 in {b.instrument for b in offered}


def test_in_cbi_to_de_is_refused_naming_what_is_missing(aw):
    case = open_case(aw.outsider)
    request = services.request_create(
        actor=aw.outsider.investigator,
        case=case,
        kind=Kind.PRESERVATION,
        addressee=aw.owner.agency,
        instrument=Instrument.BUDAPEST_29,
    )
    with pytest.raises(
        ValidationError,
        match=r"No legal basis on record for a request from IN-CBI \(IN\) to DE-BKA \(DE\) under "
        r"'Budapest Convention Art. 29.*Budapest Convention.*No basis is valid between them",
    ):
        services.request_send(actor=aw.outsider.investigator, request=request)
    request.refresh_from_db()
    assert request.status == "draft"


def test_an_instrument_that_does_not_fit_the_kind_is_refused_with_the_ones_that_do(aw):
    request = draft(aw, instrument=Instrument.EPOC)
    with pytest.raises(ValidationError, match="'epoc' is not a legal basis for a request of kind"):
        services.request_send(actor=aw.owner.investigator, request=request)


def test_a_request_without_a_basis_is_refused_naming_the_choices(aw):
    request = draft(aw, instrument="")
    with pytest.raises(ValidationError, match="Choose the legal basis of the request: one of"):
        services.request_send(actor=aw.owner.investigator, request=request)


def test_the_refusal_names_the_bases_that_would_hold(aw):
    request = draft(aw, kind=Kind.PRODUCTION, instrument=Instrument.BILATERAL, treaty="DE-NL 1979")
    with pytest.raises(ValidationError, match="Valid between them today: .*European Production"):
        services.request_send(actor=aw.owner.investigator, request=request)


def test_the_case_jit_agreement_is_a_basis_between_its_members(aw):
    jit = add_jit(aw)
    request = sent(aw, addressee=aw.partner.agency, instrument=Instrument.JIT)
    assert request.jit == jit


def test_the_jit_agreement_is_no_basis_towards_an_agency_outside_the_jit(aw):
    add_jit(aw)
    request = draft(aw, instrument=Instrument.JIT)
    with pytest.raises(ValidationError, match="The case has no JIT with an agreement in force"):
        services.request_send(actor=aw.owner.investigator, request=request)


def test_valid_bases_lists_only_the_instruments_that_hold_for_the_addressee(aw):
    bases = valid_bases(
        case=aw.case, kind=Kind.PRESERVATION, requester=aw.owner.agency, addressee=aw.provider
    )
    assert [b.instrument for b in bases] == [Instrument.BUDAPEST_29, Instrument.EPOC_PR]
    none = valid_bases(
        case=aw.case,
        kind=Kind.PRESERVATION,
        requester=aw.owner.agency,
        addressee=aw.outsider.agency,
    )
    assert none == []


def test_mla_goes_to_the_central_authority_the_addressee_names(aw):
    central = AgencyFactory(code="NL-OM", country=aw.partner.agency.country)
    aw.partner.agency.central_authority = central
    aw.partner.agency.save()
    request = sent(
        aw, kind=Kind.PRODUCTION, instrument=Instrument.BUDAPEST_31, addressee=aw.partner.agency
    )
    assert request.addressee == central
    assert request.addressee_role == AddresseeRole.CENTRAL_AUTHORITY


def test_preservation_stays_with_the_24_7_point_even_if_a_central_authority_is_named(aw):
    central = AgencyFactory(code="NL-OM", country=aw.partner.agency.country)
    aw.partner.agency.central_authority = central
    aw.partner.agency.save()
    request = sent(aw, addressee=aw.partner.agency)
    assert request.addressee == aw.partner.agency
    assert request.addressee_role == AddresseeRole.POINT_OF_CONTACT
