"""An indicator shared with a partner does not reveal the case it belongs to unless the
partner may see that case: no case reference in HTML, no case id over REST."""

from __future__ import annotations

import pytest

from cases import services as case_services
from sharing import services
from tests.sharing.conftest import add


@pytest.fixture
def linked(world, eu_agreement):
    case = case_services.case_open(
        actor=world.owner.investigator, lead_agency=world.owner.agency, title="Operation Kestrel"
    )
    (indicator,) = add(world.owner, ("ipv4", "203.0.113.50"))
    indicator.case = case
    indicator.save(update_fields=["case"])
    services.indicator_share(
        actor=world.owner.investigator,
        indicators=[indicator],
        spec=services.ShareSpec(agencies=[world.partner.agency]),
    )
    return case, indicator


def test_owner_sees_the_case_link(world, linked, client_for, api_client_for):
    case, indicator = linked
    body = client_for(world.owner.investigator).get(f"/indicators/{indicator.pk}/").content
    assert case.reference in body.decode()
    api = api_client_for(world.owner.investigator, world.owner.agency)
    assert api.get(f"/api/v1/indicators/{indicator.pk}/").json()["case"] == case.pk
    listed = api.get("/api/v1/indicators/").json()["results"]
    assert [row["case"] for row in listed] == [case.pk]


def test_partner_sees_the_indicator_but_not_the_case(world, linked, client_for, api_client_for):
    case, indicator = linked
    response = client_for(world.partner.investigator).get(f"/indicators/{indicator.pk}/")
    assert response.status_code == 200
    assert case.reference not in response.content.decode()
    api = api_client_for(world.partner.investigator, world.partner.agency)
    assert api.get(f"/api/v1/indicators/{indicator.pk}/").json()["case"] is None
    listed = api.get("/api/v1/indicators/").json()["results"]
    assert [row["case"] for row in listed] == [None]


def test_outsider_gets_404(world, linked, client_for, api_client_for):
    _, indicator = linked
    assert (
        client_for(world.outsider.investigator).get(f"/indicators/{indicator.pk}/").status_code
        == 404
    )
    api = api_client_for(world.outsider.investigator, world.outsider.agency)
    assert api.get(f"/api/v1/indicators/{indicator.pk}/").status_code == 404


def test_stix_export_case_filter_only_matches_cases_the_caller_sees(world, linked, api_client_for):
    case, indicator = linked
    owner = api_client_for(world.owner.investigator, world.owner.agency)
    body = owner.get("/api/v1/stix/export/", {"case": case.pk}).json()
    assert [o["id"] for o in body["objects"] if o["type"] == "indicator"] == [indicator.stix_id]
    partner = api_client_for(world.partner.investigator, world.partner.agency)
    everything = partner.get("/api/v1/stix/export/").json()
    assert indicator.stix_id in [o["id"] for o in everything["objects"]]
    by_case = partner.get("/api/v1/stix/export/", {"case": case.pk}).json()
    assert indicator.stix_id not in [o["id"] for o in by_case.get("objects", [])]
