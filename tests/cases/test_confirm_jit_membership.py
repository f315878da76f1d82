"""Leaving, removing from and declining a JIT ask first: the GET names what the agency stops
seeing, in numbers, and changes nothing; the POST acts and redirects. An agency outside the JIT
gets a 404 on the confirmation page as on the JIT."""

from __future__ import annotations

from django.urls import reverse

from cases import jits
from cases.models import JITMembership


def _url(cw, code: str, action: str) -> str:
    return reverse("cases:jit-member-action", args=[cw.jit.pk, code, action])


def _status(cw, code: str) -> str:
    return JITMembership.objects.get(jit=cw.jit, agency__code=code).status


def test_leaving_asks_first_naming_what_the_agency_stops_seeing(case_world, client):
    cw = case_world
    client.force_login(cw.partner.admin)
    response = client.get(_url(cw, "NL-NHTCU", "leave"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Leave: NL-NHTCU in JIT Botnet?" in page
    assert (
        f"NL-NHTCU loses access at once to case {cw.case.reference} (evidence items: 1, "
        "tasks: 1, notes: 1)" in page
    )
    assert "1 other member agency stays in the JIT." in page
    assert f'href="{cw.jit.get_absolute_url()}"' in page  # Cancel
    assert _status(cw, "NL-NHTCU") == JITMembership.Status.ACCEPTED
    jit_page = client.get(cw.jit.get_absolute_url()).content.decode()
    assert f'href="{_url(cw, "NL-NHTCU", "leave")}"' in jit_page


def test_a_confirmed_leave_acts_and_redirects(case_world, client):
    cw = case_world
    client.force_login(cw.partner.admin)
    response = client.post(_url(cw, "NL-NHTCU", "leave"))
    assert response.status_code == 302
    assert _status(cw, "NL-NHTCU") == JITMembership.Status.LEFT
    client.force_login(cw.partner.investigator)
    assert client.get(cw.case.get_absolute_url()).status_code == 404


def test_the_lead_agency_sees_remove_and_an_outsider_gets_404(case_world, client):
    cw = case_world
    client.force_login(cw.owner.investigator)
    page = client.get(_url(cw, "NL-NHTCU", "leave")).content.decode()
    assert "Remove: NL-NHTCU in JIT Botnet?" in page
    client.force_login(cw.outsider.admin)
    assert client.get(_url(cw, "NL-NHTCU", "leave")).status_code == 404
    assert client.get(_url(cw, "IN-CBI", "leave")).status_code == 404
    assert client.post(_url(cw, "NL-NHTCU", "leave")).status_code == 404
    assert _status(cw, "NL-NHTCU") == JITMembership.Status.ACCEPTED


def test_declining_an_invitation_asks_first(case_world, client):
    cw = case_world
    jits.jit_invite(actor=cw.owner.investigator, jit=cw.jit, agency=cw.former.agency)
    client.force_login(cw.former.admin)
    response = client.get(_url(cw, "FR-OFAC", "decline"))
    assert response.status_code == 200
    assert "FR-OFAC does not join JIT Botnet" in response.content.decode()
    assert _status(cw, "FR-OFAC") == JITMembership.Status.INVITED
    inbox = client.get(reverse("cases:inbox")).content.decode()
    assert f'href="{_url(cw, "FR-OFAC", "decline")}"' in inbox
    assert client.post(_url(cw, "FR-OFAC", "decline")).status_code == 302
    assert _status(cw, "FR-OFAC") == JITMembership.Status.DECLINED


def test_accepting_is_not_confirmed_and_refuses_a_get(case_world, client):
    cw = case_world
    jits.jit_invite(actor=cw.owner.investigator, jit=cw.jit, agency=cw.former.agency)
    client.force_login(cw.former.admin)
    assert client.get(_url(cw, "FR-OFAC", "accept")).status_code == 405
    assert _status(cw, "FR-OFAC") == JITMembership.Status.INVITED


def _agreement(**extra: str) -> dict[str, str]:
    return {
        "name": "JIT Botnet",
        "purpose": "p",
        "legal_basis": "eu_jit",
        "period_start": "2026-01-01",
        "period_end": "2026-12-31",
        **extra,
    }


def test_closing_a_jit_asks_first_naming_the_members_that_lose_the_case(case_world, client):
    cw = case_world
    url = reverse("cases:jit-edit", args=[cw.jit.pk])
    client.force_login(cw.owner.investigator)
    response = client.post(url, _agreement(status="closed"))
    assert response.status_code == 200
    page = response.content.decode()
    assert f"1 member agency loses access at once to case {cw.case.reference} (NL-NHTCU)" in page
    assert 'name="confirmed" value="1"' in page and 'name="status" value="closed"' in page
    cw.jit.refresh_from_db()
    assert cw.jit.status != "closed"
    # The confirmation's form posts the same values again, confirmed.
    confirmed = client.post(url, _agreement(status="closed", confirmed="1"))
    assert confirmed.status_code == 302
    cw.jit.refresh_from_db()
    assert cw.jit.status == "closed"
    client.force_login(cw.partner.investigator)
    assert client.get(cw.case.get_absolute_url()).status_code == 404


def test_other_agreement_changes_need_no_confirmation_and_outsiders_get_404(case_world, client):
    cw = case_world
    url = reverse("cases:jit-edit", args=[cw.jit.pk])
    client.force_login(cw.outsider.investigator)
    assert client.post(url, _agreement(status="closed")).status_code == 404
    client.force_login(cw.owner.investigator)
    assert client.post(url, _agreement(purpose="changed")).status_code == 302
    cw.jit.refresh_from_db()
    assert cw.jit.purpose == "changed" and cw.jit.status != "closed"
