"""Browser pages: owner / partner / outsider / anonymous for each."""

from __future__ import annotations

import pytest

from agencies.models import PartnerEndpoint
from sharing import services
from sharing.models import Delivery, Indicator, Share
from tests.sharing.conftest import add


@pytest.fixture
def shared(world, eu_agreement):
    inds = add(world.owner, ("ipv4", "192.0.2.90"), ("domain", "evil.example"))
    services.indicator_share(
        actor=world.owner.investigator,
        indicators=inds[:1],
        spec=services.ShareSpec(agencies=[world.partner.agency]),
    )
    return inds


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


def test_bulk_paste_reports_line_by_line(world, client_for):
    client = client_for(world.owner.investigator)
    response = client.post(
        "/indicators/add/",
        {
            "agency": world.owner.agency.pk,
            "type": "",
            "tlp": "GREEN",
            "pap": "GREEN",
            "handling_code": "H0",
            "confidence": 70,
            "values": "192.0.2.91\nsha256 abc\n\nhttps://Evil.example:443/x\n???\n192.0.2.91",
        },
    )
    assert response.status_code == 400  # some lines were invalid
    rows = response.context["report"]
    assert [(r["line"], r["status"]) for r in rows] == [
        (1, "added"),
        (2, "invalid"),
        (4, "added"),
        (5, "invalid"),
        (6, "invalid"),
    ]
    assert "64 hexadecimal digits" in rows[1]["reason"]
    assert Indicator.objects.filter(owner=world.owner.agency, tlp="GREEN").count() == 2


def test_adding_one_indicator(world, client_for, client):
    assert client.get("/indicators/add/").status_code == 302
    response = client_for(world.partner.investigator).post(
        "/indicators/add/",
        {
            "agency": world.partner.agency.pk,
            "type": "asn",
            "tlp": "AMBER",
            "pap": "AMBER",
            "handling_code": "H1",
            "confidence": 50,
            "values": "as64501",
        },
    )
    assert response.status_code == 200
    assert Indicator.objects.get().normalized == "AS64501"
    # one cannot add for an agency one does not belong to
    response = client_for(world.outsider.investigator).post(
        "/indicators/add/",
        {
            "agency": world.owner.agency.pk,
            "type": "",
            "tlp": "AMBER",
            "pap": "AMBER",
            "handling_code": "H0",
            "confidence": 50,
            "values": "192.0.2.1",
        },
    )
    assert response.status_code == 400 and Indicator.objects.count() == 1


def test_the_share_dialog_previews_recipients_and_legal_basis_then_shares(
    world, shared, client_for
):
    client = client_for(world.owner.investigator)
    url = f"/indicators/share/?ids={shared[1].pk}"
    assert client.get(url).status_code == 200
    preview = client.post(url, {"agencies": [world.partner.agency.pk], "action": "preview"})
    assert preview.status_code == 200
    text = preview.content.decode()
    assert "NL-NHTCU" in text and "EU law enforcement exchange" in text
    assert not Share.objects.filter(indicators=shared[1]).exists()
    refused = client.post(url, {"agencies": [world.outsider.agency.pk], "action": "preview"})
    assert refused.status_code == 400 and "No legal basis on record" in refused.content.decode()
    done = client.post(url, {"agencies": [world.partner.agency.pk], "action": "share"})
    assert done.status_code == 302
    assert Share.objects.filter(indicators=shared[1]).exists()


def test_the_share_dialog_is_the_owners_alone(world, shared, client_for, client):
    url = f"/indicators/share/?ids={shared[0].pk}"
    assert client.get(url).status_code == 302
    assert client_for(world.partner.investigator).get(url).status_code == 403
    assert client_for(world.outsider.investigator).get(url).status_code == 404


def test_withdraw_and_revoke_buttons(world, shared, client_for, client):
    share = Share.objects.get()
    withdraw = f"/indicators/{shared[0].pk}/shares/{share.pk}/withdraw/"
    assert client.post(withdraw).status_code == 302 and Share.objects.get().withdrawn_at is None
    assert client_for(world.outsider.investigator).post(withdraw).status_code == 404
    assert client_for(world.partner.investigator).post(withdraw).status_code == 403
    assert client_for(world.owner.investigator).post(withdraw).status_code == 302
    assert Share.objects.get().withdrawn_at is not None
    revoke = f"/indicators/{shared[0].pk}/revoke/"
    assert (
        client_for(world.partner.investigator).post(revoke).status_code == 404
    )  # no longer visible
    assert client_for(world.owner.investigator).post(revoke).status_code == 302
    assert Indicator.objects.get(pk=shared[0].pk).revoked


def test_endpoint_management_shows_the_secret_once(world, client_for, client):
    url = f"/agencies/{world.partner.agency.code}/endpoints/"
    assert client.get(url).status_code == 302
    admin = client_for(world.partner.admin)
    response = admin.post(
        url,
        {"name": "SOC", "url": "http://127.0.0.1:8765/", "min_confidence": 0, "max_tlp": "AMBER"},
    )
    secret = PartnerEndpoint.objects.get().secret
    assert response.status_code == 200 and secret in response.content.decode()
    assert secret not in admin.get(url).content.decode()
    endpoint = PartnerEndpoint.objects.get()
    admin.post(f"{url}{endpoint.pk}/active/", {"active": "0"})
    assert not PartnerEndpoint.objects.get().active
    assert client_for(world.partner.investigator).get(url).status_code == 404
    assert client_for(world.owner.admin).get(url).status_code == 404
    assert (
        client_for(world.outsider.admin)
        .post(f"{url}{endpoint.pk}/active/", {"active": "1"})
        .status_code
        == 404
    )


def test_the_dashboard_counts_deliveries_per_endpoint_and_retries_now(
    world, shared, client_for, client, partner_endpoint
):
    services.indicator_share(
        actor=world.owner.investigator,
        indicators=shared[:1],
        spec=services.ShareSpec(jurisdictions=[world.partner.agency.country]),
    )
    services.indicator_share(
        actor=world.owner.investigator,
        indicators=shared[1:],
        spec=services.ShareSpec(agencies=[world.partner.agency]),
    )
    Delivery.objects.filter(pk=Delivery.objects.first().pk).update(
        status="dead", last_error="HTTP 500 Internal Server Error", attempts=3
    )
    url = f"/agencies/{world.partner.agency.code}/deliveries/"
    assert client.get(url).status_code == 302
    response = client_for(world.partner.admin).get(url)
    row = response.context["rows"][0]["endpoint"]
    assert (row.pending, row.delivered, row.failing, row.dead) == (1, 0, 0, 1)
    assert "HTTP 500" in response.content.decode()
    retry = f"/agencies/{world.partner.agency.code}/endpoints/{partner_endpoint.pk}/retry/"
    assert client_for(world.outsider.admin).post(retry).status_code == 404
    assert client_for(world.owner.admin).get(url).status_code == 404
    assert client_for(world.partner.admin).post(retry).status_code == 302
    assert not Delivery.objects.filter(status="dead").exists()
