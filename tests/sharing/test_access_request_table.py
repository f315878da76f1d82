"""The access requests page as two tables: each sorts and pages on its own parameters, the
inbox filters by status, totals count only the caller's own requests, for every side."""

from __future__ import annotations

import pytest

from sharing.access_requests import access_request_create, access_request_decline
from sharing.models import AccessRequestTarget

URL = "/correlations/requests/"


@pytest.fixture
def asked(world, add_indicators):
    """Three values both hold; the partner asks DE-BKA about each; DE-BKA declines one."""
    values = [{"type": "ipv4", "value": f"203.0.113.{n}"} for n in range(3)]
    add_indicators(world.owner, values)
    theirs = add_indicators(world.partner, values)
    made = [
        access_request_create(
            actor=world.partner.investigator,
            indicator=indicator,
            reason=f"Operation TULIP {n}",
            legal_basis="EU 2023/977",
            handling_code="H1",
        )
        for n, indicator in enumerate(theirs)
    ]
    target = AccessRequestTarget.objects.get(request=made[0])
    access_request_decline(actor=world.owner.investigator, target=target, reason="Not now")
    return made


def test_each_side_sees_only_its_own_requests_and_totals(world, asked, client_for):
    seen = {}
    for name in ("owner", "partner", "outsider"):
        response = client_for(getattr(world, name).investigator).get(URL)
        seen[name] = (
            len(response.context["inbox"]),
            response.context["inbox_table"].total,
            len(response.context["sent"]),
            response.context["sent_table"].total,
        )
    assert seen == {"owner": (3, 3, 0, 0), "partner": (0, 0, 3, 3), "outsider": (0, 0, 0, 0)}


def test_the_inbox_sorts_by_status_and_by_date_both_ways(world, asked, client_for):
    client = client_for(world.owner.investigator)
    by_status = [t.status for t in client.get(URL, {"inbox_sort": "status"}).context["inbox"]]
    assert by_status == ["declined", "pending", "pending"]
    reverse = [t.status for t in client.get(URL, {"inbox_sort": "-status"}).context["inbox"]]
    assert reverse == ["pending", "pending", "declined"]
    newest = [t.pk for t in client.get(URL).context["inbox"]]
    oldest = [t.pk for t in client.get(URL, {"inbox_sort": "received"}).context["inbox"]]
    assert oldest == list(reversed(newest)) and newest == sorted(newest, reverse=True)


def test_the_sent_list_sorts_by_date_without_touching_the_inbox_order(world, asked, client_for):
    client = client_for(world.partner.investigator)
    oldest = client.get(URL, {"sent_sort": "sent"})
    assert [r.pk for r in oldest.context["sent"]] == [r.pk for r in asked]
    assert 'aria-sort="ascending"' in oldest.content.decode()


def test_the_inbox_filters_by_status_and_names_an_unknown_one(world, asked, client_for):
    client = client_for(world.owner.investigator)
    declined = client.get(URL, {"status": "declined"})
    assert [t.status for t in declined.context["inbox"]] == ["declined"]
    assert declined.context["inbox_table"].total == 1
    bad = client.get(URL, {"status": "<script>"})
    assert bad.status_code == 400
    assert "Status: “&lt;script&gt;” is not one of the choices" in bad.content.decode()
    assert len(bad.context["inbox"]) == 3


def test_the_outsider_sees_empty_lists_with_what_to_do(world, asked, client_for):
    html = client_for(world.outsider.investigator).get(URL).content.decode()
    assert "No requests." in html and "No requests sent." in html
    assert "203.0.113" not in html


def test_both_lists_keep_agency_codes_whole_and_isolated(world, asked, client_for):
    inbox = client_for(world.owner.investigator).get(URL).content.decode()
    sent = client_for(world.partner.investigator).get(URL).content.decode()
    for code in (world.owner.agency.code, world.partner.agency.code):
        assert f'<bdi class="code">{code}</bdi>' in inbox
    assert f'<bdi class="code">{world.partner.agency.code}</bdi>' in sent
