"""Bodies that are not JSON objects (null, true, 1, "x", a list) answer 400 naming what came,
never 500, on every sharing endpoint that takes a body; ingest takes lists, not the rest."""

from __future__ import annotations

import json

import pytest

from common.parsers import NOT_AN_OBJECT
from sharing import services
from sharing.api import NOT_INGESTIBLE
from sharing.models import Indicator, Share
from tests.sharing.conftest import add, shared_with_partner

NOT_OBJECTS = [(None, "null"), (True, "a boolean"), (1, "a number"), ("x", "a string")]
NOT_OBJECTS_OR_LISTS = [*NOT_OBJECTS, ([], "a list"), ([{"agencies": ["NL-NHTCU"]}], "a list")]


def _post(client, url, body, method="post"):
    return getattr(client, method)(url, data=json.dumps(body), content_type="application/json")


@pytest.mark.parametrize("body,kind", NOT_OBJECTS)
def test_ingest_refuses_a_body_that_is_neither_an_object_nor_a_list(world, clients, body, kind):
    response = _post(clients["owner"], "/api/v1/indicators/", body)
    assert response.status_code == 400
    assert response.json() == {"detail": NOT_INGESTIBLE.format(kind=kind)}
    assert not Indicator.objects.exists()


@pytest.mark.parametrize("body,kind", NOT_OBJECTS_OR_LISTS)
def test_a_share_needs_an_object_body(world, clients, eu_agreement, body, kind):
    (ind,) = add(world.owner, ("ipv4", "192.0.2.60"))
    response = _post(clients["owner"], f"/api/v1/indicators/{ind.pk}/shares/", body)
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": [NOT_AN_OBJECT.format(kind=kind)]}
    assert not Share.objects.exists()


@pytest.mark.parametrize("body,kind", NOT_OBJECTS_OR_LISTS)
def test_a_bulk_share_needs_an_object_body(world, clients, eu_agreement, body, kind):
    response = _post(clients["owner"], "/api/v1/shares/", body)
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": [NOT_AN_OBJECT.format(kind=kind)]}


@pytest.mark.parametrize("body,kind", NOT_OBJECTS_OR_LISTS)
def test_withdraw_and_revoke_refuse_a_body_that_is_not_an_object(
    world, clients, eu_agreement, body, kind
):
    ind = shared_with_partner(world)
    share = ind.shares.get()
    for url in (
        f"/api/v1/indicators/{ind.pk}/shares/{share.pk}/withdraw/",
        f"/api/v1/indicators/{ind.pk}/revoke/",
    ):
        response = _post(clients["owner"], url, body)
        assert response.status_code == 400, url
        assert response.json() == {"non_field_errors": [NOT_AN_OBJECT.format(kind=kind)]}
    share.refresh_from_db()
    ind.refresh_from_db()
    assert share.withdrawn_at is None and not ind.revoked


@pytest.mark.parametrize("body,kind", NOT_OBJECTS_OR_LISTS)
def test_partner_endpoint_writes_need_an_object_body(world, api_client_for, body, kind):
    admin = api_client_for(world.partner.admin, world.partner.agency)
    endpoint, _ = services.endpoint_create(
        actor=world.partner.admin, agency=world.partner.agency, name="x", url="http://127.0.0.1:9/"
    )
    expected = {"non_field_errors": [NOT_AN_OBJECT.format(kind=kind)]}
    for method, url in (
        ("post", "/api/v1/partner-endpoints/"),
        ("patch", f"/api/v1/partner-endpoints/{endpoint.pk}/"),
        ("post", f"/api/v1/partner-endpoints/{endpoint.pk}/retry/"),
    ):
        response = _post(admin, url, body, method=method)
        assert response.status_code == 400, url
        assert response.json() == expected
    assert world.partner.agency.partner_endpoints.count() == 1


def test_an_empty_body_is_still_fine_where_none_is_needed(world, clients, eu_agreement):
    ind = shared_with_partner(world)
    assert clients["owner"].post(f"/api/v1/indicators/{ind.pk}/revoke/").status_code == 200
