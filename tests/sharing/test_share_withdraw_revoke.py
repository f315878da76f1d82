"""Withdrawing a share and revoking an indicator: access goes at once, as a service, over
the API and with the page's buttons."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import PermissionDenied

from sharing import selectors, services
from sharing.models import Indicator, Share
from tests.sharing.conftest import add, shared_with_partner


def visible(user, indicator) -> bool:
    return selectors.indicators_visible_to(user=user).filter(pk=indicator.pk).exists()


def test_withdrawing_a_share_removes_access_at_once(world, eu_agreement):
    (ind,) = add(world.owner, ("ipv4", "192.0.2.20"))
    share = services.indicator_share(
        actor=world.owner.investigator,
        indicators=[ind],
        spec=services.ShareSpec(agencies=[world.partner.agency]),
    )
    services.share_withdraw(actor=world.owner.investigator, share=share)
    assert not visible(world.partner.investigator, ind)
    assert visible(world.owner.investigator, ind)


def test_access_survives_withdrawal_when_another_share_still_grants_it(world, eu_agreement):
    (ind,) = add(world.owner, ("ipv4", "192.0.2.21"))
    first = services.indicator_share(
        actor=world.owner.investigator,
        indicators=[ind],
        spec=services.ShareSpec(agencies=[world.partner.agency]),
    )
    services.indicator_share(
        actor=world.owner.investigator,
        indicators=[ind],
        spec=services.ShareSpec(jurisdictions=[world.partner.agency.country]),
    )
    services.share_withdraw(actor=world.owner.investigator, share=first)
    assert visible(world.partner.investigator, ind)


def test_revoking_removes_access_of_every_recipient(world, eu_agreement):
    (ind,) = add(world.owner, ("ipv4", "192.0.2.22"))
    services.indicator_share(
        actor=world.owner.investigator,
        indicators=[ind],
        spec=services.ShareSpec(agencies=[world.partner.agency]),
    )
    services.indicator_revoke(actor=world.owner.investigator, indicator=ind)
    assert not visible(world.partner.investigator, ind)
    with pytest.raises(PermissionDenied, match=re.escape(services.NOT_OWNER)):
        services.indicator_revoke(actor=world.partner.admin, indicator=ind)


def test_withdraw_and_revoke(world, clients, eu_agreement):
    ind = shared_with_partner(world)
    share = ind.shares.get()
    withdraw = f"/api/v1/indicators/{ind.pk}/shares/{share.pk}/withdraw/"
    assert clients["outsider"].post(withdraw).status_code == 404
    assert clients["partner"].post(withdraw).status_code == 403
    assert clients["anonymous"].post(withdraw).status_code == 401
    assert clients["owner"].post(withdraw).json()["withdrawn_at"]
    assert clients["partner"].get(f"/api/v1/indicators/{ind.pk}/").status_code == 404
    revoke = f"/api/v1/indicators/{ind.pk}/revoke/"
    assert clients["outsider"].post(revoke).status_code == 404
    assert clients["anonymous"].post(revoke).status_code == 401
    assert clients["owner"].post(revoke).json()["revoked"] is True
    assert clients["owner"].post(revoke).status_code == 400


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
