"""Correlation pages: lookup with own matches, access-request form, requests and holder inbox."""

from __future__ import annotations

import pytest

from sharing.models import AccessRequest, AccessRequestTarget

pytestmark = pytest.mark.django_db


@pytest.fixture
def held(world, add_indicators):
    (mine,) = add_indicators(world.owner, [{"type": "domain", "value": "c2.evil.example"}])
    (theirs,) = add_indicators(world.partner, [{"type": "domain", "value": "C2.Evil.Example"}])
    return mine, theirs


def test_lookup_page_shows_hit_without_holder(world, held, client_for):
    client = client_for(world.partner.investigator)
    page = client.get("/correlations/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Another agency holds a match." in text and "DE-BKA" not in text
    response = client.post("/correlations/", {"values": "c2.evil.example\nipv4 192.0.2.55"})
    text = response.content.decode()
    # The match is named by its holder and linked, not "#<id>".
    assert f'href="/indicators/{held[1].pk}/"' in text and "No match" in text
    assert f"#{held[1].pk}" not in text
    bad = client.post("/correlations/", {"values": "ipv4 999.0.0.1"})
    assert "Line 1:" in bad.content.decode()


def test_request_form_then_holder_inbox_decline(world, held, client_for):
    mine, theirs = held
    client = client_for(world.partner.investigator)
    url = f"/correlations/indicators/{theirs.pk}/request/"
    assert client.get(url).status_code == 200
    missing = client.post(url, {"reason": "", "legal_basis": "", "handling_code": "H0"})
    assert missing.status_code == 200 and "This field is required" in missing.content.decode()
    done = client.post(
        url, {"reason": "Op TULIP", "legal_basis": "EU 2023/977", "handling_code": "H1"}
    )
    assert done.status_code == 302
    assert AccessRequest.objects.get().requested_by == world.partner.investigator
    sent = client.get("/correlations/requests/").content.decode()
    assert "Op TULIP" in sent and "pending" in sent and "DE-BKA" not in sent

    holder = client_for(world.owner.investigator)
    inbox = holder.get("/correlations/requests/").content.decode()
    assert "Op TULIP" in inbox and "partner_investigator" in inbox and "NL-NHTCU" in inbox
    target = AccessRequestTarget.objects.get()
    detail = holder.get(f"/correlations/inbox/{target.pk}/")
    assert detail.status_code == 200 and "EU 2023/977" in detail.content.decode()
    assert (
        holder.post(f"/correlations/inbox/{target.pk}/decline/", {"reason": ""}).status_code == 400
    )
    response = holder.post(f"/correlations/inbox/{target.pk}/decline/", {"reason": "Not now"})
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.status == "declined"


def test_holder_shares_from_the_page(world, held, eu_agreement, client_for):
    mine, theirs = held
    client_for(world.partner.investigator).post(
        f"/correlations/indicators/{theirs.pk}/request/",
        {"reason": "Op TULIP", "legal_basis": "EU 2023/977", "handling_code": "H1"},
    )
    target = AccessRequestTarget.objects.get()
    holder = client_for(world.owner.investigator)
    assert holder.post(f"/correlations/inbox/{target.pk}/share/", {}).status_code == 302
    target.refresh_from_db()
    assert target.status == "granted" and target.share is not None


def test_outsider_and_analyst_get_404_and_anonymous_is_sent_to_login(
    world, held, client_for, client
):
    mine, theirs = held
    client_for(world.partner.investigator).post(
        f"/correlations/indicators/{theirs.pk}/request/",
        {"reason": "Op TULIP", "legal_basis": "EU 2023/977", "handling_code": "H1"},
    )
    target = AccessRequestTarget.objects.get()
    outsider = client_for(world.outsider.investigator)
    assert outsider.get(f"/correlations/inbox/{target.pk}/").status_code == 404
    assert outsider.post(f"/correlations/inbox/{target.pk}/share/").status_code == 404
    assert outsider.get(f"/correlations/indicators/{mine.pk}/request/").status_code == 404
    assert (
        client_for(world.owner.analyst).get(f"/correlations/inbox/{target.pk}/").status_code == 404
    )
    client.logout()
    for url in ("/correlations/", "/correlations/requests/", f"/correlations/inbox/{target.pk}/"):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]
