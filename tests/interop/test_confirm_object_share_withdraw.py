"""Withdrawing a share of a STIX object asks first: the GET names the recipients who lose
access and changes nothing; the POST withdraws it. A recipient gets 403, an outsider 404."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sharing.models import Share
from tests.interop.object_graph import build, share_with_partner


@pytest.fixture
def graph(world, eu_agreement):
    return build(world)


def test_withdrawing_an_object_share_asks_first_then_withdraws(world, graph, client_for):
    share_with_partner(world, graph.malware)
    share = Share.objects.get(stix_objects=graph.malware)
    url = reverse("stix_object_share_withdraw", args=[graph.malware.pk, share.pk])
    client = client_for(world.owner.investigator)
    detail = reverse("stix_object_detail", args=[graph.malware.pk])
    assert f'href="{url}"' in client.get(detail).content.decode()
    page = client.get(url).content.decode()
    assert "1 recipient loses access at once: NL-NHTCU." in page
    share.refresh_from_db()
    assert share.withdrawn_at is None
    assert client_for(world.partner.investigator).get(url).status_code == 403
    assert client_for(world.outsider.investigator).get(url).status_code == 404
    assert client_for(world.outsider.investigator).post(url).status_code == 404
    share.refresh_from_db()
    assert share.withdrawn_at is None
    response = client_for(world.owner.investigator).post(url)
    assert response.status_code == 302 and response["Location"] == detail
    share.refresh_from_db()
    assert share.withdrawn_at is not None
