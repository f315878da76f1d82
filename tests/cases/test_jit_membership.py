"""JIT membership: invitations, the invited agency's answer (its admins only), leaving and
removal; the inbox; an invited agency sees the agreement but not the case."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from cases import jits
from cases.jits import LEAVE_NOT_ALLOWED
from cases.models import JITMembership

pytestmark = pytest.mark.django_db


def test_invite_accept_decline_and_leave_over_the_api(case_world, api_client_for, world):
    cw = case_world
    owner = api_client_for(cw.owner.investigator, cw.owner.agency)
    members_url = f"/api/v1/jits/{cw.jit.pk}/members/"
    response = owner.post(members_url, {"agency": "FR-OFAC", "role": "party"}, format="json")
    assert response.status_code == 201 and response.json()["status"] == "invited"
    # the partner cannot invite; the outsider cannot even see the JIT
    partner = api_client_for(cw.partner.investigator, cw.partner.agency)
    assert partner.post(members_url, {"agency": "FR-OFAC"}, format="json").status_code == 403
    outsider = api_client_for(cw.outsider.admin, cw.outsider.agency)
    assert outsider.post(members_url, {"agency": "FR-OFAC"}, format="json").status_code == 404
    assert owner.post(members_url, {"agency": "XX-NONE"}, format="json").json().keys() == {"agency"}
    assert owner.post(members_url, {"agency": "FR-OFAC"}, format="json").json().keys() == {"agency"}
    accept = f"/api/v1/jits/{cw.jit.pk}/members/FR-OFAC/accept/"
    former_investigator = api_client_for(cw.former.investigator, cw.former.agency)
    assert former_investigator.post(accept).status_code == 403
    assert outsider.post(accept).status_code == 404
    assert owner.post(accept).status_code == 403
    former_admin = api_client_for(cw.former.admin, cw.former.agency)
    response = former_admin.post(accept)
    assert response.status_code == 200 and response.json()["status"] == "accepted"
    assert former_investigator.get(f"/api/v1/cases/{cw.case.pk}/").status_code == 200
    assert former_admin.post(accept).status_code == 400  # no longer invited
    leave = f"/api/v1/jits/{cw.jit.pk}/members/FR-OFAC/leave/"
    response = former_admin.post(leave)
    assert response.status_code == 200 and response.json()["status"] == "left"
    assert former_investigator.get(f"/api/v1/cases/{cw.case.pk}/").status_code == 404
    assert former_investigator.get(f"/api/v1/evidence/{cw.evidence.pk}/").status_code == 404
    # re-invite and decline
    owner.post(members_url, {"agency": "FR-OFAC"}, format="json")
    response = former_admin.post(f"/api/v1/jits/{cw.jit.pk}/members/FR-OFAC/decline/")
    assert response.status_code == 200 and response.json()["status"] == "declined"
    assert former_investigator.get(f"/api/v1/cases/{cw.case.pk}/").status_code == 404
    # the lead can remove a member; the leader cannot leave
    response = owner.post(f"/api/v1/jits/{cw.jit.pk}/members/NL-NHTCU/leave/")
    assert response.status_code == 200
    assert partner.get(f"/api/v1/cases/{cw.case.pk}/").status_code == 404
    assert owner.post(f"/api/v1/jits/{cw.jit.pk}/members/DE-BKA/leave/").status_code == 400
    assert JITMembership.objects.get(jit=cw.jit, agency=cw.partner.agency).status == "left"


def test_an_invited_agency_reads_the_jit_but_not_the_case_over_the_api(case_world, api_client_for):
    cw = case_world
    owner = api_client_for(cw.owner.investigator, cw.owner.agency)
    owner.post(f"/api/v1/jits/{cw.jit.pk}/members/", {"agency": "FR-OFAC"}, format="json")
    former = api_client_for(cw.former.admin, cw.former.agency)
    assert former.get(f"/api/v1/jits/{cw.jit.pk}/").status_code == 200
    assert former.get(f"/api/v1/cases/{cw.case.pk}/").status_code == 404
    assert [j["id"] for j in former.get("/api/v1/jits/").json()["results"]] == [cw.jit.pk]


def test_an_admin_accepts_from_the_inbox(case_world, client):
    cw = case_world
    membership = jits.jit_invite(actor=cw.owner.investigator, jit=cw.jit, agency=cw.former.agency)
    client.force_login(cw.former.admin)
    body = client.get(reverse("cases:inbox")).content.decode()
    assert "JIT Botnet" in body
    client.force_login(cw.former.investigator)  # not an admin: nothing in the inbox, cannot accept
    assert "JIT Botnet" not in client.get(reverse("cases:inbox")).content.decode().split("<h2>")[0]
    url = reverse("cases:jit-member-action", args=[cw.jit.pk, "FR-OFAC", "accept"])
    assert client.post(url).status_code == 403
    client.force_login(cw.outsider.admin)
    assert client.post(url).status_code == 404
    client.force_login(cw.former.admin)
    assert client.post(url).status_code == 302
    membership.refresh_from_db()
    assert membership.status == JITMembership.Status.ACCEPTED
    client.force_login(cw.former.investigator)
    assert client.get(cw.case.get_absolute_url()).status_code == 200


def test_the_inbox_shows_only_invitations_to_the_admins_agency(case_world, client):
    jits.jit_invite(
        actor=case_world.owner.investigator, jit=case_world.jit, agency=case_world.former.agency
    )
    assert client.get(reverse("cases:inbox")).status_code == 302
    for side, shows in (
        (case_world.owner, False),
        (case_world.partner, False),
        (case_world.former, True),
        (case_world.outsider, False),
    ):
        client.force_login(side.admin)
        body = client.get(reverse("cases:inbox")).content.decode()
        assert (f'data-jit="{case_world.jit.pk}"' in body) is shows, side.agency.code


def test_an_invited_agency_sees_the_agreement_page_but_not_the_case(case_world, client):
    jits.jit_invite(
        actor=case_world.owner.investigator, jit=case_world.jit, agency=case_world.former.agency
    )
    client.force_login(case_world.former.admin)
    body = client.get(reverse("cases:jit-detail", args=[case_world.jit.pk])).content.decode()
    assert "Accept" in body and case_world.case.get_absolute_url() not in body
    assert client.get(case_world.case.get_absolute_url()).status_code == 404


def test_only_the_members_admins_or_the_lead_agency_may_end_a_membership(case_world):
    cw = case_world
    membership = cw.jit.memberships.get(agency=cw.partner.agency)
    for intruder in (cw.partner.investigator, cw.outsider.admin):
        with pytest.raises(PermissionDenied, match=re.escape(LEAVE_NOT_ALLOWED)):
            jits.jit_leave(actor=intruder, membership=membership)
    jits.jit_leave(actor=cw.owner.investigator, membership=membership)
    membership.refresh_from_db()
    assert membership.status == "left"
