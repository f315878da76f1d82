"""Deactivating a partner endpoint asks first, like the other irreversible actions: the GET
shows what it does (with the deliveries it holds back), its form POSTs it, Cancel changes
nothing; only the endpoint's own agency admins reach it."""

from __future__ import annotations

import pytest

from sharing import services
from sharing.models import Delivery, PartnerEndpoint

pytestmark = pytest.mark.django_db


@pytest.fixture
def endpoint(world):
    made, _ = services.endpoint_create(
        actor=world.partner.admin,
        agency=world.partner.agency,
        name="NL SOC",
        url="http://127.0.0.1:9/hook",
    )
    Delivery.objects.create(endpoint=made, status=Delivery.Status.PENDING)
    Delivery.objects.create(endpoint=made, status=Delivery.Status.FAILING)
    Delivery.objects.create(endpoint=made, status=Delivery.Status.DELIVERED)
    return made


def _url(world, endpoint) -> str:
    return f"/agencies/{world.partner.agency.code}/endpoints/{endpoint.pk}/active/"


def test_the_endpoints_page_links_deactivate_to_its_confirmation(world, endpoint, client_for):
    html = client_for(world.partner.admin).get(f"/agencies/{world.partner.agency.code}/endpoints/")
    assert f'href="{_url(world, endpoint)}?active=0">Deactivate…</a>' in html.content.decode()


def test_the_confirmation_says_what_deactivating_does_and_changes_nothing(
    world, endpoint, client_for
):
    client = client_for(world.partner.admin)
    response = client.get(_url(world, endpoint), {"active": "0"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Deactivate NL SOC?" in html
    assert "Nothing is sent to NL SOC while it is inactive." in html
    assert "2 deliveries waiting for it stay queued" in html
    assert f'href="/agencies/{world.partner.agency.code}/endpoints/" class="cancel"' in html
    assert PartnerEndpoint.objects.get(pk=endpoint.pk).active


def test_the_confirmation_form_deactivates_and_activating_needs_no_confirmation(
    world, endpoint, client_for
):
    client = client_for(world.partner.admin)
    form = client.get(_url(world, endpoint), {"active": "0"}).context["form"]
    data = {name: field.initial for name, field in form.fields.items()}
    response = client.post(_url(world, endpoint) + "?active=0", data, follow=True)
    assert "NL SOC is now inactive." in response.content.decode()
    assert not PartnerEndpoint.objects.get(pk=endpoint.pk).active
    assert client.get(_url(world, endpoint), {"active": "1"}).status_code == 405
    client.post(_url(world, endpoint), {"active": "1"})
    assert PartnerEndpoint.objects.get(pk=endpoint.pk).active


def test_other_agencies_and_non_admins_get_404_and_nothing_changes(world, endpoint, client_for):
    for user in (world.owner.admin, world.outsider.admin, world.partner.investigator):
        client = client_for(user)
        response = client.get(_url(world, endpoint), {"active": "0"})
        assert response.status_code == 404 and b"NL SOC" not in response.content
        assert client.post(_url(world, endpoint), {"active": "0"}).status_code == 404
    assert PartnerEndpoint.objects.get(pk=endpoint.pk).active
