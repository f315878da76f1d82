"""A published notice does not reveal the case it is linked to to agencies that may not
see that case: no case id over REST, no "linked case" in HTML."""

from __future__ import annotations

import pytest

from cases import services as case_services


@pytest.fixture
def linked(world, make_notice):
    case = case_services.case_open(
        actor=world.owner.investigator, lead_agency=world.owner.agency, title="Operation Kestrel"
    )
    return case, make_notice("published", case=case)


def test_requester_sees_the_case_link(world, linked, api_client_for, client_for):
    case, notice = linked
    api = api_client_for(world.owner.investigator, world.owner.agency)
    assert api.get(f"/api/v1/notices/{notice.pk}/").json()["case"] == case.pk
    listed = api.get("/api/v1/notices/").json()["results"]
    assert [n["case"] for n in listed] == [case.pk]
    body = client_for(world.owner.investigator).get(f"/notices/{notice.pk}/").content.decode()
    assert f'linked case <a href="{case.get_absolute_url()}">{case.reference}</a>' in body
    assert f"#{case.pk}" not in body


def test_partner_sees_the_notice_but_not_the_case(world, linked, api_client_for, client_for):
    case, notice = linked
    api = api_client_for(world.partner.investigator, world.partner.agency)
    response = api.get(f"/api/v1/notices/{notice.pk}/")
    assert response.status_code == 200
    assert response.json()["case"] is None
    listed = api.get("/api/v1/notices/").json()["results"]
    assert [n["case"] for n in listed] == [None]
    page = client_for(world.partner.investigator).get(f"/notices/{notice.pk}/")
    assert page.status_code == 200
    assert "linked case" not in page.content.decode()


def test_reviewer_response_after_a_review_hides_the_case(world, make_notice, api_client_for):
    case = case_services.case_open(
        actor=world.owner.investigator, lead_agency=world.owner.agency, title="Operation Heron"
    )
    notice = make_notice("submitted", case=case)
    api = api_client_for(world.reviewer, world.secretariat)
    response = api.post(f"/api/v1/notices/{notice.pk}/cancel/", {"reasons": "x"}, format="json")
    assert response.status_code == 403
    assert api.get(f"/api/v1/notices/{notice.pk}/").json()["case"] is None
