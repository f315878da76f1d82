"""The share dialog page: preview recipients and basis, then share; the owner's alone; bad
ids answer 4xx, never 500."""

from __future__ import annotations

import pytest

from sharing.models import Share
from tests.sharing.conftest import add


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


@pytest.mark.parametrize("ids", ["²", "١٢", "𝟙"])
def test_share_dialog_non_ascii_digit_ids_count_as_nothing_selected(world, client_for, ids):
    add(world.owner, ("ipv4", "203.0.113.7"))
    response = client_for(world.owner.investigator).get("/indicators/share/", {"ids": ids})
    assert response.status_code == 302 and response.url == "/indicators/"


def test_share_dialog_ignores_a_non_ascii_digit_next_to_a_real_id(world, client_for):
    (indicator,) = add(world.owner, ("ipv4", "203.0.113.7"))
    response = client_for(world.owner.investigator).get(
        "/indicators/share/", {"ids": [str(indicator.pk), "²"]}
    )
    assert response.status_code == 200


def test_share_dialog_owner_partner_outsider(world, client_for):
    (indicator,) = add(world.owner, ("ipv4", "203.0.113.7"))
    assert (
        client_for(world.owner.investigator)
        .get("/indicators/share/", {"ids": indicator.pk})
        .status_code
        == 200
    )
    for side in (world.partner, world.outsider):
        response = client_for(side.investigator).get("/indicators/share/", {"ids": indicator.pk})
        assert response.status_code == 404
