"""Partner endpoints and their deliveries: registration (the secret shown once), admins only,
the SSRF guard on the URL, the delivery list and the dashboard, over the API and in pages."""

from __future__ import annotations

import json

from agencies.models import PartnerEndpoint
from sharing import services
from sharing.models import Delivery
from tests.sharing.conftest import shared_with_partner


def test_an_agency_admin_registers_an_endpoint_and_sees_the_secret_once(world, api_client_for):
    admin = api_client_for(world.partner.admin, world.partner.agency)
    response = admin.post(
        "/api/v1/partner-endpoints/",
        {"url": "http://127.0.0.1:8765/hook", "name": "SOC", "types": ["ipv4"], "max_tlp": "GREEN"},
        format="json",
    )
    assert response.status_code == 201, response.content
    secret = response.json()["secret"]
    assert secret.startswith("whsec_") and len(__import__("base64").b64decode(secret[6:])) == 32
    pk = response.json()["id"]
    assert "secret" not in admin.get(f"/api/v1/partner-endpoints/{pk}/").json()
    listed = admin.get("/api/v1/partner-endpoints/").json()["results"]
    assert [e["id"] for e in listed] == [pk] and all("secret" not in e for e in listed)
    assert secret not in json.dumps(admin.get("/api/v1/partner-endpoints/").json())
    assert PartnerEndpoint.objects.get(pk=pk).secret == secret
    patched = admin.patch(f"/api/v1/partner-endpoints/{pk}/", {"active": False}, format="json")
    assert patched.json()["active"] is False


def test_endpoints_are_for_their_agency_admins_only(world, api_client_for, clients):
    endpoint, _ = services.endpoint_create(
        actor=world.partner.admin, agency=world.partner.agency, name="x", url="http://127.0.0.1:9/"
    )
    url = f"/api/v1/partner-endpoints/{endpoint.pk}/"
    outsider_admin = api_client_for(world.outsider.admin, world.outsider.agency)
    assert outsider_admin.get(url).status_code == 404
    assert api_client_for(world.owner.admin, world.owner.agency).get(url).status_code == 404
    assert clients["partner"].get(url).status_code == 404  # a non-admin member
    assert (
        clients["partner"]
        .post(
            "/api/v1/partner-endpoints/", {"url": "http://127.0.0.1:9/", "name": "y"}, format="json"
        )
        .status_code
        == 403
    )
    assert clients["anonymous"].get("/api/v1/partner-endpoints/").status_code == 401


def test_an_unsafe_endpoint_url_is_a_400_on_url(world, api_client_for, settings):
    settings.SHARING_ENDPOINT_ALLOWED_NETWORKS = []
    admin = api_client_for(world.partner.admin, world.partner.agency)
    response = admin.post(
        "/api/v1/partner-endpoints/", {"url": "http://169.254.169.254/", "name": "x"}, format="json"
    )
    assert response.status_code == 400 and "metadata" in response.json()["url"][0]


def test_an_endpoint_url_with_credentials_is_a_400_on_url_and_nothing_is_stored(
    world, api_client_for
):
    admin = api_client_for(world.partner.admin, world.partner.agency)
    response = admin.post(
        "/api/v1/partner-endpoints/",
        {"url": "http://user:hunter2@127.0.0.1:9/", "name": "x"},
        format="json",
    )
    assert response.status_code == 400 and "credentials" in response.json()["url"][0]
    assert not world.partner.agency.partner_endpoints.exists()
    assert "hunter2" not in response.content.decode()


def test_deliveries_are_listed_for_the_receiving_agency_admins(
    world, api_client_for, eu_agreement, partner_endpoint, clients
):
    shared_with_partner(world)
    delivery = Delivery.objects.get()
    partner_admin = api_client_for(world.partner.admin, world.partner.agency)
    listed = partner_admin.get("/api/v1/deliveries/").json()["results"]
    assert [d["id"] for d in listed] == [delivery.pk] and listed[0]["objects"] == 1
    assert listed[0]["webhook_id"] == delivery.message_id
    detail = partner_admin.get(f"/api/v1/deliveries/{delivery.pk}/").json()
    assert detail["attempt_log"] == []
    owner_admin = api_client_for(world.owner.admin, world.owner.agency)
    assert owner_admin.get(f"/api/v1/deliveries/{delivery.pk}/").status_code == 404
    assert owner_admin.get("/api/v1/deliveries/").json()["results"] == []
    assert clients["anonymous"].get("/api/v1/deliveries/").status_code == 401
    retry = partner_admin.post(f"/api/v1/partner-endpoints/{partner_endpoint.pk}/retry/")
    assert retry.json() == {"deliveries": 1}
    assert (
        owner_admin.post(f"/api/v1/partner-endpoints/{partner_endpoint.pk}/retry/").status_code
        == 404
    )


def test_endpoint_management_shows_the_secret_once(world, client_for, client):
    url = f"/agencies/{world.partner.agency.code}/endpoints/"
    assert client.get(url).status_code == 302
    admin = client_for(world.partner.admin)
    response = admin.post(
        url,
        {"name": "SOC", "url": "http://127.0.0.1:8765/", "min_confidence": 0, "max_tlp": "AMBER"},
    )
    secret = PartnerEndpoint.objects.get().secret
    # Post/redirect/get: the secret is on the page the POST redirects to, that once.
    assert response.status_code == 302 and response["Location"] == url
    assert secret in admin.get(url).content.decode()
    assert secret not in admin.get(url).content.decode()
    assert PartnerEndpoint.objects.count() == 1
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
