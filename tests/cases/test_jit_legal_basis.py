"""Inviting an agency of another jurisdiction needs a legal basis on the JIT that covers it."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cases import jits
from cases.jits import BASIS_DOES_NOT_COVER, NO_LEGAL_BASIS
from tests.factories import AgencyFactory, make_member

pytestmark = pytest.mark.django_db


def test_an_invitation_across_jurisdictions_needs_a_legal_basis(case_world):
    cw = case_world
    jit = jits.jit_create(actor=cw.owner.investigator, case=cw.case, name="bare")
    no_basis = NO_LEGAL_BASIS.format(agency="NL-NHTCU", theirs="NL", leader="DE-BKA", ours="DE")
    with pytest.raises(ValidationError, match=re.escape(no_basis)) as excinfo:
        jits.jit_invite(actor=cw.owner.investigator, jit=jit, agency=cw.partner.agency)
    message = excinfo.value.message_dict["legal_basis"][0]
    assert "NL-NHTCU" in message and "no legal basis" in message
    assert not jit.memberships.filter(agency=cw.partner.agency).exists()
    assert not jit.amendments.filter(kind="member_invited").exists()


def test_an_eu_jit_basis_does_not_cover_a_party_outside_the_eu(case_world):
    cw = case_world
    not_covered = BASIS_DOES_NOT_COVER.format(
        basis=cw.jit.get_legal_basis_display(), agency="IN-CBI", theirs="IN", regime="EU"
    )
    with pytest.raises(ValidationError, match=re.escape(not_covered)) as excinfo:
        jits.jit_invite(actor=cw.owner.investigator, jit=cw.jit, agency=cw.outsider.agency)
    assert "not in EU" in excinfo.value.message_dict["agency"][0]


def test_an_agency_of_the_same_country_needs_no_legal_basis(case_world):
    cw = case_world
    lka = AgencyFactory(code="DE-LKA-BW", country=cw.owner.agency.country)
    make_member(lka, "lka_admin", "agency_admin")
    jit = jits.jit_create(actor=cw.owner.investigator, case=cw.case, name="domestic")
    membership = jits.jit_invite(actor=cw.owner.investigator, jit=jit, agency=lka)
    assert membership.status == "invited"


def test_the_api_names_what_is_missing(case_world, api_client_for):
    owner = api_client_for(case_world.owner.investigator, case_world.owner.agency)
    jit = owner.post(
        "/api/v1/jits/", {"case": case_world.case.pk, "name": "bare"}, format="json"
    ).json()
    response = owner.post(
        f"/api/v1/jits/{jit['id']}/members/", {"agency": "NL-NHTCU"}, format="json"
    )
    assert response.status_code == 400
    message = response.json()["legal_basis"][0]
    assert (
        "no legal basis" in message and "NL-NHTCU" in message and "another jurisdiction" in message
    )


def test_the_browser_refuses_the_invitation_too(case_world, client):
    cw = case_world
    jit = jits.jit_create(actor=cw.owner.investigator, case=cw.case, name="No basis")
    client.force_login(cw.owner.investigator)
    response = client.post(
        reverse("cases:jit-invite", args=[jit.pk]), {"agency": "NL-NHTCU", "role": "party"}
    )
    assert response.status_code == 400
    assert "no legal basis" in response.content.decode()
    assert not jit.memberships.filter(agency=cw.partner.agency).exists()
