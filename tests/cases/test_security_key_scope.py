"""An API key acts for one agency, named-user (TLP:RED) grants included: a key of agency A
does not read agency B's RED case or evidence, even when its user is named on them."""

from __future__ import annotations

import pytest

from agencies import services as agency_services
from agencies.models import TLP, Membership
from tests.cases.conftest import add_evidence, open_case


@pytest.fixture
def dual(case_world):
    """The owner's investigator, also an investigator of the partner agency."""
    world = case_world.world
    user = world.owner.investigator
    agency_services.membership_set(
        actor=None, agency=world.partner.agency, user=user, role=Membership.Role.INVESTIGATOR
    )
    return user


@pytest.fixture
def red_partner_case(case_world, dual):
    partner = case_world.world.partner
    case = open_case(partner, title="NL red", tlp=TLP.RED, named_users=[partner.investigator, dual])
    evidence = add_evidence(case, partner, tlp=TLP.RED, named_users=[partner.investigator, dual])
    return case, evidence


def _status(api, url: str) -> int:
    return api.get(url).status_code


def test_other_agency_key_does_not_read_red_items_naming_its_user(
    case_world, dual, red_partner_case, api_client_for
):
    case, evidence = red_partner_case
    world = case_world.world
    own_key = api_client_for(dual, world.owner.agency)
    assert _status(own_key, f"/api/v1/cases/{case.pk}/") == 404
    assert _status(own_key, f"/api/v1/evidence/{evidence.pk}/") == 404
    listed = [c["id"] for c in own_key.get("/api/v1/cases/").json()["results"]]
    assert case.pk not in listed
    partner_key = api_client_for(dual, world.partner.agency)
    assert _status(partner_key, f"/api/v1/cases/{case.pk}/") == 200
    assert _status(partner_key, f"/api/v1/evidence/{evidence.pk}/") == 200


def test_browser_reads_red_items_naming_the_user(case_world, dual, red_partner_case, client_for):
    case, evidence = red_partner_case
    client = client_for(dual)
    assert client.get(f"/cases/{case.pk}/").status_code == 200
    assert client.get(f"/cases/evidence/{evidence.pk}/").status_code == 200


def test_own_agency_red_case_still_reads_with_its_key(case_world, dual, api_client_for):
    owner = case_world.world.owner
    case = open_case(owner, title="DE red", tlp=TLP.RED, named_users=[dual])
    assert _status(api_client_for(dual, owner.agency), f"/api/v1/cases/{case.pk}/") == 200
    outsider = case_world.world.outsider
    key = api_client_for(outsider.investigator, outsider.agency)
    assert _status(key, f"/api/v1/cases/{case.pk}/") == 404
