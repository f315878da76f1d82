"""The deliveries page's "Recent deliveries" as a table: endpoint names, times and outcomes in
words (never a webhook id), sorted, filtered by endpoint and outcome, paged, with a capped total;
only the agency's own admins see it, and a filter cannot name another agency's endpoint."""

from __future__ import annotations

import pytest

from sharing import services
from sharing.models import Delivery
from tests.paging_queries import count_queries

pytestmark = pytest.mark.django_db


def _url(side) -> str:
    return f"/agencies/{side.agency.code}/deliveries/"


@pytest.fixture
def deliveries(world):
    """The partner's two endpoints with three deliveries (delivered, dead, pending); one of the
    outsider's endpoint."""
    soc, _ = services.endpoint_create(
        actor=world.partner.admin,
        agency=world.partner.agency,
        name="NL SOC",
        url="http://127.0.0.1:9/soc",
    )
    cert, _ = services.endpoint_create(
        actor=world.partner.admin,
        agency=world.partner.agency,
        name="NL CERT",
        url="http://127.0.0.1:9/cert",
    )
    theirs, _ = services.endpoint_create(
        actor=world.outsider.admin,
        agency=world.outsider.agency,
        name="Outsider SOC",
        url="http://127.0.0.1:9/out",
    )
    made = [
        Delivery.objects.create(endpoint=soc, status=Delivery.Status.DELIVERED, attempts=1),
        Delivery.objects.create(
            endpoint=soc,
            status=Delivery.Status.DEAD,
            attempts=8,
            last_status_code=503,
            last_error="HTTP 503 Service Unavailable",
        ),
        Delivery.objects.create(endpoint=cert, status=Delivery.Status.PENDING),
    ]
    Delivery.objects.create(endpoint=theirs, status=Delivery.Status.DEAD)
    return {"soc": soc, "cert": cert, "theirs": theirs, "made": made}


def test_the_admin_sees_endpoint_names_and_outcomes_in_words_and_no_webhook_ids(
    world, deliveries, client_for
):
    response = client_for(world.partner.admin).get(_url(world.partner))
    assert response.status_code == 200
    html = response.content.decode()
    recent = html[html.index('id="recent"') :]
    assert "NL SOC" in recent and "NL CERT" in recent
    assert "Dead: HTTP 503 from partner" in recent and "Delivered" in recent
    for d in deliveries["made"]:
        assert d.message_id not in html and str(d.webhook_id) not in html
    assert [d.pk for d in response.context["page"]] == [d.pk for d in reversed(deliveries["made"])]
    assert response.context["recent"].total == 3
    assert "Outsider SOC" not in html
    options = html[html.index('id="delivery-filters"') : html.index('id="id_status"')]
    assert f'<option value="{deliveries["soc"].pk}">NL SOC</option>' in options


def test_the_table_sorts_by_outcome_and_by_time_both_ways(world, deliveries, client_for):
    client = client_for(world.partner.admin)
    by_status = client.get(_url(world.partner), {"sort": "status"}).context["page"]
    assert [d.status for d in by_status] == ["dead", "delivered", "pending"]
    oldest = client.get(_url(world.partner), {"sort": "queued"})
    assert [d.pk for d in oldest.context["page"]] == [d.pk for d in deliveries["made"]]
    assert 'aria-sort="ascending"' in oldest.content.decode()


def test_the_table_filters_by_endpoint_and_outcome(world, deliveries, client_for):
    client = client_for(world.partner.admin)
    soc = client.get(_url(world.partner), {"endpoint": deliveries["soc"].pk})
    assert {d.endpoint_id for d in soc.context["page"]} == {deliveries["soc"].pk}
    assert soc.context["recent"].total == 2
    dead = client.get(_url(world.partner), {"status": "dead"})
    assert [d.pk for d in dead.context["page"]] == [deliveries["made"][1].pk]
    assert "Clear the filters" in dead.content.decode()


def test_another_agencys_endpoint_is_not_a_choice_and_reveals_nothing(
    world, deliveries, client_for
):
    client = client_for(world.partner.admin)
    response = client.get(_url(world.partner), {"endpoint": deliveries["theirs"].pk})
    assert response.status_code == 400
    html = response.content.decode()
    assert f"Endpoint: “{deliveries['theirs'].pk}” is not one of the choices" in html
    assert "Outsider SOC" not in html
    assert len(response.context["page"]) == 3  # the bad filter is left out, nothing added
    unknown = client.get(_url(world.partner), {"status": "<b>"})
    assert unknown.status_code == 400
    assert "Outcome: “&lt;b&gt;” is not one of the choices" in unknown.content.decode()


def test_the_table_pages_with_first_previous_next_last_and_a_page_size(
    world, deliveries, client_for, monkeypatch
):
    monkeypatch.setattr("sharing.views.DELIVERY_PAGE_SIZE", 25)
    cert = deliveries["cert"]
    Delivery.objects.bulk_create([Delivery(endpoint=cert) for _ in range(30)])
    client = client_for(world.partner.admin)
    first = client.get(_url(world.partner))
    table = first.context["recent"]
    assert len(table.page) == 25 and table.total == 33
    assert table.links["next"] and table.links["last"] and not table.links["first"]
    last = client.get(_url(world.partner) + table.links["last"])
    assert [d.pk for d in last.context["page"]][-1] == deliveries["made"][0].pk
    assert last.context["recent"].links["first"]
    bigger = client.get(_url(world.partner), {"per_page": 50}).context["page"]
    assert len(bigger) == 33


def test_an_agency_without_deliveries_is_told_what_to_do(world, client_for):
    response = client_for(world.owner.admin).get(_url(world.owner))
    html = response.content.decode()
    assert "No deliveries yet" in html and "Check your endpoints" in html


def test_other_agencies_and_members_who_are_not_admins_get_404(world, deliveries, client_for):
    for user in (world.owner.admin, world.outsider.admin, world.partner.investigator):
        response = client_for(user).get(_url(world.partner))
        assert response.status_code == 404
        assert b"NL SOC" not in response.content


def test_the_page_reads_no_query_per_delivery(world, deliveries, client_for):
    client = client_for(world.partner.admin)
    one = count_queries(client, _url(world.partner))
    Delivery.objects.bulk_create([Delivery(endpoint=deliveries["cert"]) for _ in range(5)])
    assert count_queries(client, _url(world.partner)) == one
