"""Assistance request lists page by keyset: the API newest first, the inbox soonest due first
(requests without a deadline last), each visible request exactly once, filters kept."""

from __future__ import annotations

import pytest

from assistance.models import AssistanceRequest
from tests.assistance.conftest import draft, sent
from tests.common.test_keyset import TAMPERED
from tests.paging import walk_api, walk_html

pytestmark = pytest.mark.django_db


@pytest.fixture
def requests(aw):
    """Four requests sent to the provider, one without a deadline; one draft."""
    made = [sent(aw) for _ in range(4)]
    AssistanceRequest.objects.filter(pk=made[1].pk).update(due_at=None)
    draft(aw)
    return made


def test_the_api_request_list_walks_every_visible_request_once(aw, requests, api_client_for):
    owner = api_client_for(aw.owner.investigator, aw.owner.agency)
    everything = sorted(AssistanceRequest.objects.values_list("pk", flat=True), reverse=True)
    assert walk_api(owner, "/api/v1/assistance-requests/", limit=2) == everything
    liaison = api_client_for(aw.liaison, aw.provider)
    expected = sorted((r.pk for r in requests), reverse=True)
    assert walk_api(liaison, "/api/v1/assistance-requests/?status=sent", limit=1) == expected
    outsider = api_client_for(aw.outsider.investigator, aw.outsider.agency)
    assert walk_api(outsider, "/api/v1/assistance-requests/") == []


def test_the_inbox_pages_soonest_due_first_and_undated_last(aw, requests, client_for, monkeypatch):
    monkeypatch.setattr("assistance.views.PAGE_SIZE", 1)
    listed = walk_html(client_for(aw.liaison), "/assistance/?status=sent")
    dated = sorted((r for r in requests if r.pk != requests[1].pk), key=lambda r: (r.due_at, r.pk))
    assert [r.pk for r in listed] == [r.pk for r in dated] + [requests[1].pk]


@pytest.mark.parametrize("cursor", TAMPERED)
def test_a_tampered_cursor_on_the_inbox_shows_the_first_page(aw, requests, client_for, cursor):
    response = client_for(aw.liaison).get("/assistance/", {"cursor": cursor})
    assert response.status_code == 200 and response.context["page"].is_first
