"""Indicator, delivery and access-request lists page by keyset, newest first: each visible row
exactly once, search kept across pages, no count, the same queries on every page."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sharing import services
from sharing.access_requests import access_request_create
from sharing.models import AccessRequest, AccessRequestTarget, Indicator, Share
from tests.common.test_keyset import TAMPERED
from tests.paging import walk_api, walk_html
from tests.sharing.conftest import add

pytestmark = pytest.mark.django_db


@pytest.fixture
def indicators(world, eu_agreement):
    """Nine owner indicators, the first five shared with the partner; two of the outsider's."""
    made = add(world.owner, *[("ipv4", f"198.51.100.{n}") for n in range(7)])
    made += add(world.owner, ("domain", "a.example"), ("domain", "b.example"))
    services.indicator_share(
        actor=world.owner.investigator,
        indicators=made[:5],
        spec=services.ShareSpec(agencies=[world.partner.agency]),
    )
    add(world.outsider, ("ipv4", "198.51.100.200"), ("domain", "c.example"))
    return made


def _newest_first(objs) -> list[int]:
    return sorted((o.pk for o in objs), reverse=True)


def test_the_api_indicator_list_walks_every_visible_indicator_once(world, indicators, clients):
    assert walk_api(clients["owner"], "/api/v1/indicators/") == _newest_first(indicators)
    assert walk_api(clients["partner"], "/api/v1/indicators/", limit=1) == _newest_first(
        indicators[:5]
    )
    assert walk_api(clients["outsider"], "/api/v1/indicators/?owner=DE-BKA") == []


def test_the_api_indicator_search_keeps_its_terms_across_pages(world, indicators, clients):
    ipv4 = [i for i in indicators if i.type == "ipv4"]
    assert walk_api(clients["owner"], "/api/v1/indicators/?type=ipv4&q=198.51") == _newest_first(
        ipv4
    )


def test_the_indicator_page_walks_every_visible_indicator_once_with_its_search(
    world, indicators, client_for, monkeypatch
):
    monkeypatch.setattr("sharing.views.PAGE_SIZE", 2)
    owner = client_for(world.owner.analyst)
    assert [i.pk for i in walk_html(owner, "/indicators/")] == _newest_first(indicators)
    domains = [i for i in indicators if i.type == "domain"]
    found = walk_html(owner, "/indicators/?type=domain&q=example")
    assert [i.pk for i in found] == _newest_first(domains)
    partner = client_for(world.partner.analyst)
    assert [i.pk for i in walk_html(partner, "/indicators/")] == _newest_first(indicators[:5])


def test_the_indicator_page_lists_newest_first_by_id_not_by_created(world, indicators, client_for):
    # The key is the id (the primary key's index), as in the API: an indicator whose
    # ``created`` lies in the past is still listed by when it was stored.
    Indicator.objects.filter(pk=indicators[-1].pk).update(created="2001-01-01T00:00:00Z")
    page = client_for(world.owner.analyst).get("/indicators/").context["page"]
    assert page.object_list[0] == indicators[-1]


@pytest.mark.parametrize("cursor", TAMPERED)
def test_a_tampered_cursor_on_the_indicator_page_shows_the_first_page(
    world, indicators, client_for, cursor
):
    response = client_for(world.owner.analyst).get("/indicators/", {"cursor": cursor})
    assert response.status_code == 200 and response.context["page"].is_first


def _queries(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def test_first_and_later_indicator_pages_cost_the_same_queries(
    world, indicators, clients, client_for, monkeypatch, django_assert_num_queries
):
    monkeypatch.setattr("sharing.views.PAGE_SIZE", 2)
    owner = client_for(world.owner.analyst)
    first = owner.get("/indicators/")
    few = _queries(lambda: owner.get("/indicators/"))
    with django_assert_num_queries(few):
        owner.get("/indicators/" + first.context["page"].links.next)
    api = clients["owner"]
    api.get("/api/v1/me/")  # a key's first use records last_used_at
    page = api.get("/api/v1/indicators/?limit=2").json()
    few = _queries(lambda: api.get("/api/v1/indicators/?limit=2"))
    with django_assert_num_queries(few):
        api.get(page["next"])


@pytest.fixture
def requests_sent(world, add_indicators):
    """Five values both hold; the partner asks (unnamed) DE-BKA for each of them."""
    values = [{"type": "ipv4", "value": f"203.0.113.{n}"} for n in range(5)]
    add_indicators(world.owner, values)
    theirs = add_indicators(world.partner, values)
    return [
        access_request_create(
            actor=world.partner.investigator,
            indicator=indicator,
            reason="Operation TULIP",
            legal_basis="EU 2023/977",
            handling_code="H1",
        )
        for indicator in theirs
    ]


def test_access_requests_and_the_inbox_walk_once_each(world, requests_sent, api_client_for):
    partner = api_client_for(world.partner.investigator, world.partner.agency)
    assert walk_api(partner, "/api/v1/access-requests/") == _newest_first(requests_sent)
    holder = api_client_for(world.owner.investigator, world.owner.agency)
    targets = AccessRequestTarget.objects.filter(holder=world.owner.agency)
    assert walk_api(holder, "/api/v1/access-requests/inbox/") == _newest_first(targets)
    outsider = api_client_for(world.outsider.investigator, world.outsider.agency)
    assert walk_api(outsider, "/api/v1/access-requests/inbox/") == []


def test_the_requests_page_pages_its_two_lists_apart(world, requests_sent, client_for, monkeypatch):
    monkeypatch.setattr("sharing.correlation_views.PAGE_SIZE", 2)
    partner = client_for(world.partner.investigator)
    sent = walk_html(partner, "/correlations/requests/", page="sent")
    assert [r.pk for r in sent] == _newest_first(AccessRequest.objects.all())
    holder = client_for(world.owner.investigator)
    first = holder.get("/correlations/requests/")
    inbox = walk_html(holder, "/correlations/requests/", page="inbox")
    assert [t.pk for t in inbox] == _newest_first(AccessRequestTarget.objects.all())
    later = holder.get("/correlations/requests/" + first.context["inbox"].links.next)
    assert later.context["sent"].is_first and not later.context["inbox"].is_first


def test_an_indicators_shares_and_an_agencys_endpoints_walk_once_each(
    world, indicators, api_client_for
):
    for _ in range(2):  # three shares of the first indicator in all
        services.indicator_share(
            actor=world.owner.investigator,
            indicators=indicators[:1],
            spec=services.ShareSpec(agencies=[world.partner.agency]),
        )
    owner = api_client_for(world.owner.investigator, world.owner.agency)
    shares = Share.objects.filter(indicators=indicators[0]).order_by("-pk")
    assert len(shares) == 3
    url = f"/api/v1/indicators/{indicators[0].pk}/shares/"
    assert walk_api(owner, url, limit=1) == [s.pk for s in shares]
    admin = api_client_for(world.partner.admin, world.partner.agency)
    made = [
        admin.post(
            "/api/v1/partner-endpoints/",
            {"url": f"http://127.0.0.1:8765/{n}", "name": f"SOC {n}"},
            format="json",
        ).json()["id"]
        for n in range(3)
    ]
    assert walk_api(admin, "/api/v1/partner-endpoints/", limit=2) == sorted(made, reverse=True)
