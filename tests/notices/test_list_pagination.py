"""Notice lists page by keyset: newest first, or best match first after a name search (ties
by id), each visible notice exactly once, search kept across pages, no count."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from notices.models import Notice
from notifications.models import Notification
from tests.common.test_keyset import TAMPERED
from tests.paging import walk_api, walk_html

pytestmark = pytest.mark.django_db


@pytest.fixture
def notices(world, make_notice):
    """Three Smiths (one an EU-only diffusion the outsider cannot see), a Schmidt, a draft and
    two published with a public extract."""
    eu = world.owner.agency.country.regimes.get(code="EU")
    return {
        "smiths": [
            make_notice("published", family_name="Smith", forenames="John"),
            make_notice("published", family_name="Smith", forenames="John"),
            make_notice(
                "published", family_name="Smith", forenames="John", recipient_jurisdictions=[eu]
            ),
        ],
        "schmidt": make_notice("published", family_name="Schmidt", forenames="Johan"),
        "draft": make_notice("draft", family_name="Draftus"),
        "public": [
            make_notice("published", public_extract_consent=True, family_name=f"Publicus{n}")
            for n in range(3)
        ],
    }


def _newest_first(objs) -> list[int]:
    return sorted((o.pk for o in objs), reverse=True)


def test_the_api_notice_list_walks_every_visible_notice_once(world, notices, api_client_for):
    owner = api_client_for(world.owner.investigator, world.owner.agency)
    assert walk_api(owner, "/api/v1/notices/") == _newest_first(Notice.objects.all())
    outsider = api_client_for(world.outsider.investigator, world.outsider.agency)
    hidden = {notices["smiths"][2].pk, notices["draft"].pk}
    visible = walk_api(outsider, "/api/v1/notices/", limit=1)
    assert visible == _newest_first(n for n in Notice.objects.all() if n.pk not in hidden)


def test_a_name_search_pages_best_match_first_and_ties_by_newest(world, notices, api_client_for):
    owner = api_client_for(world.owner.investigator, world.owner.agency)
    first = owner.get("/api/v1/notices/?name=John Smith").json()["results"]
    for limit in (1, 2):
        assert walk_api(owner, "/api/v1/notices/?name=John Smith", limit=limit) == [
            n["id"] for n in first
        ]
    smiths = _newest_first(notices["smiths"])
    assert [n["id"] for n in first][:3] == smiths
    outsider = api_client_for(world.outsider.investigator, world.outsider.agency)
    assert notices["smiths"][2].pk not in walk_api(outsider, "/api/v1/notices/?name=John Smith")


def test_public_extracts_and_notifications_walk_once_each(world, notices, api_client_for):
    assert walk_api(APIClient(), "/api/v1/public/notices/", limit=1) == _newest_first(
        notices["public"]
    )
    owner = api_client_for(world.owner.investigator, world.owner.agency)
    mine = Notification.objects.filter(user=world.owner.investigator)
    assert mine.count() == 7  # one per published notice
    assert walk_api(owner, "/api/v1/notices/notifications/", limit=3) == _newest_first(mine)


def test_the_notice_pages_walk_every_visible_notice_once_with_the_search(
    world, notices, client_for, monkeypatch
):
    monkeypatch.setattr("notices.views.PAGE_SIZE", 2)
    owner = client_for(world.owner.investigator)
    assert [n.pk for n in walk_html(owner, "/notices/")] == _newest_first(Notice.objects.all())
    found = walk_html(owner, "/notices/?name=John+Smith")
    assert [n.pk for n in found][:3] == _newest_first(notices["smiths"])
    notifications = walk_html(owner, "/notifications/")
    assert len(notifications) == Notification.objects.filter(user=world.owner.investigator).count()
    public = walk_html(client_for(world.outsider.investigator), "/public/notices/")
    assert [n.pk for n in public] == _newest_first(notices["public"])


def test_the_review_queue_pages_oldest_submission_first(
    world, make_notice, client_for, monkeypatch
):
    monkeypatch.setattr("notices.views.PAGE_SIZE", 2)
    waiting = [make_notice("submitted", family_name=f"Waiting{n}") for n in range(5)]
    queue = walk_html(client_for(world.reviewer), "/notices/review/")
    assert [n.pk for n in queue] == [n.pk for n in waiting]


@pytest.mark.parametrize("cursor", TAMPERED)
def test_a_tampered_cursor_on_the_notice_list_shows_the_first_page(
    world, notices, client_for, cursor
):
    response = client_for(world.owner.investigator).get("/notices/", {"cursor": cursor})
    assert response.status_code == 200 and response.context["page"].is_first
