"""Who reaches a case and what is in it: owner, partner, former JIT member, outsider and
anonymous on every page and endpoint (invisible answers 404, like missing)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from agencies.services import membership_set
from cases import services
from tests.cases.conftest import api_clients

pytestmark = pytest.mark.django_db


# expected status per side for GET pages: owner, partner, former, outsider
READ_PAGES = [
    ("cases:detail", "case", (200, 200, 404, 404)),
    ("cases:timeline", "case", (200, 200, 404, 404)),
    ("cases:edit", "case", (200, 403, 404, 404)),
    ("cases:evidence-detail", "evidence", (200, 200, 404, 404)),
    ("cases:evidence-download", "evidence", (200, 200, 404, 404)),
    ("cases:jit-detail", "jit", (200, 200, 404, 404)),
    ("cases:jit-edit", "jit", (200, 403, 404, 404)),
]


def sides(cw):
    return [cw.owner, cw.partner, cw.former, cw.outsider]


@pytest.mark.parametrize(("name", "attr", "expected"), READ_PAGES)
def test_every_page_answers_each_side(case_world, client, name, attr, expected):
    url = reverse(name, args=[getattr(case_world, attr).pk])
    for side, status in zip(sides(case_world), expected, strict=True):
        client.force_login(side.investigator)
        assert client.get(url).status_code == status, (name, side.agency.code)


@pytest.mark.parametrize(("name", "attr", "expected"), READ_PAGES)
def test_anonymous_is_sent_to_login(case_world, client, name, attr, expected):
    response = client.get(reverse(name, args=[getattr(case_world, attr).pk]))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_missing_case_is_404_like_hidden(case_world, client):
    client.force_login(case_world.owner.investigator)
    assert client.get(reverse("cases:detail", args=[999999])).status_code == 404


POSTS = [
    ("cases:evidence-upload", "case", {}),
    ("cases:task-create", "case", {"title": "x", "tlp": "AMBER"}),
    ("cases:note-add", "case", {"body": "x", "tlp": "AMBER"}),
    ("cases:jit-create", "case", {"name": "x"}),
    ("cases:jit-invite", "jit", {"agency": "IN-CBI", "role": "observer"}),
    ("cases:evidence-verify", "evidence", {}),
    ("cases:evidence-custody", "evidence", {"kind": "checked_out", "purpose": "x"}),
    ("cases:task-status", "task", {"status": "done"}),
]


@pytest.mark.parametrize(("name", "attr", "data"), POSTS)
def test_writes_hide_from_former_members_and_outsiders_and_need_a_login(
    case_world, client, name, attr, data
):
    url = reverse(name, args=[getattr(case_world, attr).pk])
    response = client.post(url, data)
    assert response.status_code == 302 and "/login/" in response["Location"]
    for side in (case_world.former, case_world.outsider):
        client.force_login(side.admin)
        assert client.post(url, data).status_code == 404, (name, side.agency.code)


def test_the_case_list_page_shows_only_visible_cases(case_world, client):
    hidden = services.case_open(
        actor=case_world.outsider.investigator,
        lead_agency=case_world.outsider.agency,
        title="Outsider only",
    )
    for side, sees in (
        (case_world.owner, True),
        (case_world.partner, True),
        (case_world.former, False),
        (case_world.outsider, False),
    ):
        client.force_login(side.investigator)
        body = client.get(reverse("cases:list")).content.decode()
        assert (case_world.case.reference in body) is sees, side.agency.code
        assert (hidden.reference in body) is (side is case_world.outsider)


GETS = [
    ("/api/v1/cases/{case}/", (200, 200, 404, 404)),
    ("/api/v1/cases/{case}/evidence/", (200, 200, 404, 404)),
    ("/api/v1/evidence/{evidence}/", (200, 200, 404, 404)),
    ("/api/v1/evidence/{evidence}/download/", (200, 200, 404, 404)),
    ("/api/v1/jits/{jit}/", (200, 200, 404, 404)),
    ("/api/v1/jits/{jit}/members/", (200, 200, 404, 404)),
]


def fmt(url, cw):
    return url.format(case=cw.case.pk, evidence=cw.evidence.pk, jit=cw.jit.pk)


@pytest.mark.parametrize(("url", "expected"), GETS)
def test_every_endpoint_answers_each_side(case_world, api_client_for, url, expected):
    by_side = api_clients(case_world, api_client_for)
    for (name, client), status in zip(by_side.items(), expected, strict=True):
        assert client.get(fmt(url, case_world)).status_code == status, (url, name)
    assert APIClient().get(fmt(url, case_world)).status_code in (401, 403)


def test_the_case_list_endpoint_holds_what_each_side_may_see(case_world, api_client_for):
    for name, client in api_clients(case_world, api_client_for).items():
        refs = [c["reference"] for c in client.get("/api/v1/cases/").json()["results"]]
        assert (case_world.case.reference in refs) is (name in ("owner", "partner")), name


def test_an_api_key_sees_only_what_its_agency_sees(case_world, api_client_for, world):
    # The partner's investigator is also a member of the outsider agency; a key for the
    # outsider agency must not see what the partner agency sees.
    membership_set(
        actor=None,
        agency=world.outsider.agency,
        user=world.partner.investigator,
        role="investigator",
    )
    client = api_client_for(world.partner.investigator, world.outsider.agency)
    assert client.get(f"/api/v1/cases/{case_world.case.pk}/").status_code == 404
