"""Reading indicators: list, search and detail, over the API and in the browser, for the
owner, the partner, the outsider and the anonymous."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.sharing.conftest import add, shared_with_partner


def test_list_and_detail_follow_visibility(world, clients, eu_agreement):
    ind = shared_with_partner(world)
    (private,) = add(world.owner, ("ipv4", "192.0.2.83"))
    listed = {
        k: [i["id"] for i in c.get("/api/v1/indicators/").json().get("results", [])]
        for k, c in clients.items()
        if k != "anonymous"
    }
    assert set(listed["owner"]) == {ind.pk, private.pk}
    assert listed["partner"] == [ind.pk]
    assert listed["outsider"] == []
    assert clients["anonymous"].get("/api/v1/indicators/").status_code == 401
    assert clients["partner"].get(f"/api/v1/indicators/{ind.pk}/").status_code == 200
    assert clients["partner"].get(f"/api/v1/indicators/{private.pk}/").status_code == 404
    assert clients["outsider"].get(f"/api/v1/indicators/{ind.pk}/").status_code == 404
    assert clients["outsider"].get("/api/v1/indicators/999999/").status_code == 404
    assert clients["anonymous"].get(f"/api/v1/indicators/{ind.pk}/").status_code == 401


def test_search_finds_the_exact_normalised_value(world, clients):
    add(world.owner, ("domain", "xn--bcher-kva.example"), ("domain", "other.example"))
    found = clients["owner"].get("/api/v1/indicators/", {"q": "BÜCHER.example"}).json()["results"]
    assert [i["normalized"] for i in found] == ["xn--bcher-kva.example"]


def test_the_list_query_count_does_not_grow_with_page_size(world, clients):
    add(world.owner, *[("ipv4", f"198.51.100.{n}") for n in range(30)])
    clients["owner"].get("/api/v1/indicators/")  # the key records its first use
    counts = []
    for limit in (2, 30):
        with CaptureQueriesContext(connection) as ctx:
            assert clients["owner"].get("/api/v1/indicators/", {"limit": limit}).status_code == 200
        counts.append(len(ctx))
    assert counts[0] == counts[1]


def test_the_list_shows_what_each_side_may_see(world, shared, client_for, client):
    assert client.get("/indicators/").status_code == 302  # anonymous: to the login page
    owner = client_for(world.owner.analyst).get("/indicators/")
    assert "192.0.2.90" in owner.content.decode() and "evil.example" in owner.content.decode()
    partner = client_for(world.partner.analyst).get("/indicators/").content.decode()
    assert "192.0.2.90" in partner and "evil.example" not in partner
    outsider = client_for(world.outsider.analyst).get("/indicators/?q=192.0.2.90")
    assert list(outsider.context["page"]) == []
    assert "No indicators found" in outsider.content.decode()


def test_detail_page_is_404_for_those_who_cannot_see(world, shared, client_for, client):
    url = f"/indicators/{shared[0].pk}/"
    assert client.get(url).status_code == 302
    assert "Withdraw" in client_for(world.owner.investigator).get(url).content.decode()
    partner_page = client_for(world.partner.investigator).get(url)
    assert partner_page.status_code == 200 and "Withdraw" not in partner_page.content.decode()
    assert (
        client_for(world.partner.investigator).get(f"/indicators/{shared[1].pk}/").status_code
        == 404
    )
    assert client_for(world.outsider.investigator).get(url).status_code == 404
