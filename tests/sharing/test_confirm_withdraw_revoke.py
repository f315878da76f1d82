"""Revoking an indicator, withdrawing a share and declining an access request ask first: the
GET shows what the action does, in numbers, and changes nothing; the POST acts and redirects.
Owner, partner and outsider each get what they may see: an outsider 404s on the confirmation
page exactly as on the object."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import translation

from sharing import access_requests, selectors, services
from sharing.models import AccessRequestTarget, Delivery, DeliveryItem, Share
from tests.sharing.conftest import add


@pytest.fixture
def two_endpoints(world):
    """Two partner endpoints (never reached: deliveries wait in the outbox)."""
    return [
        services.endpoint_create(
            actor=world.partner.admin,
            agency=world.partner.agency,
            name=f"NL SOC {n}",
            url=f"http://127.0.0.1:9/hook{n}",
        )[0]
        for n in (1, 2)
    ]


@pytest.fixture
def shared_ind(world, eu_agreement, two_endpoints):
    """An owner indicator shared with the partner, delivered to both partner endpoints."""
    (ind,) = add(world.owner, ("ipv4", "192.0.2.140"))
    share = services.indicator_share(
        actor=world.owner.investigator,
        indicators=[ind],
        spec=services.ShareSpec(agencies=[world.partner.agency]),
    )
    Delivery.objects.filter(items__indicator=ind).update(
        status=Delivery.Status.DELIVERED, attempts=1
    )
    return ind, share


def _text(response) -> str:
    return response.content.decode()


def test_revoke_asks_first_naming_the_endpoints_and_agencies_it_reaches(
    world, shared_ind, client_for
):
    ind, _ = shared_ind
    url = reverse("indicator_revoke", args=[ind.pk])
    response = client_for(world.owner.investigator).get(url)
    assert response.status_code == 200
    page = _text(response)
    assert "This sends a revocation to 2 partner endpoints." in page
    assert "1 partner agency loses access (NL-NHTCU); 1 active share ends." in page
    assert 'method="post"' in page and f'href="{ind.get_absolute_url()}"' in page  # Cancel
    ind.refresh_from_db()
    assert not ind.revoked
    assert not DeliveryItem.objects.filter(indicator=ind, tombstone=True).exists()


def test_revoke_of_an_indicator_not_delivered_yet_says_its_deliveries_are_cancelled(
    world, eu_agreement, two_endpoints, client_for
):
    (ind,) = add(world.owner, ("ipv4", "192.0.2.142"))
    services.indicator_share(
        actor=world.owner.investigator,
        indicators=[ind],
        spec=services.ShareSpec(agencies=[world.partner.agency]),
    )
    page = _text(
        client_for(world.owner.investigator).get(reverse("indicator_revoke", args=[ind.pk]))
    )
    assert "This sends a revocation to 0 partner endpoints." in page
    assert "The deliveries to 2 partner endpoints that have not left yet are cancelled." in page


def test_confirmed_revoke_acts_redirects_with_a_message_and_a_second_post_sends_nothing_more(
    world, shared_ind, client_for
):
    ind, _ = shared_ind
    client = client_for(world.owner.investigator)
    url = reverse("indicator_revoke", args=[ind.pk])
    response = client.post(url)
    assert response.status_code == 302 and response["Location"] == ind.get_absolute_url()
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Indicator revoked; tombstones are queued to every endpoint that got it."
    ]
    ind.refresh_from_db()
    assert ind.revoked
    tombstones = DeliveryItem.objects.filter(indicator=ind, tombstone=True).count()
    assert tombstones == 2
    # A replayed POST (a reload of a page that posted) revokes nothing twice.
    assert client.post(url).status_code == 302
    assert DeliveryItem.objects.filter(indicator=ind, tombstone=True).count() == tombstones
    # The page after the redirect no longer offers the action.
    assert "Revoke…" not in _text(client.get(ind.get_absolute_url()))


def test_the_revoke_confirmation_is_403_for_a_recipient_and_404_for_an_outsider(
    world, shared_ind, client_for
):
    ind, _ = shared_ind
    url = reverse("indicator_revoke", args=[ind.pk])
    assert client_for(world.partner.investigator).get(url).status_code == 403
    outsider = client_for(world.outsider.investigator)
    missing = reverse("indicator_revoke", args=[ind.pk + 10_000])
    assert outsider.get(url).status_code == 404
    assert outsider.get(missing).status_code == 404  # the same answer: no oracle
    assert outsider.post(url).status_code == 404
    ind.refresh_from_db()
    assert not ind.revoked


def test_withdraw_asks_first_naming_the_recipients_and_endpoints(world, shared_ind, client_for):
    ind, share = shared_ind
    url = reverse("share_withdraw", args=[ind.pk, share.pk])
    client = client_for(world.owner.investigator)
    detail = _text(client.get(ind.get_absolute_url()))
    assert f'href="{url}"' in detail  # the page's Withdraw leads to the confirmation
    page = _text(client.get(url))
    assert "1 recipient loses access at once: NL-NHTCU." in page
    assert "This sends a revocation to up to 2 partner endpoints" in page
    share.refresh_from_db()
    assert share.withdrawn_at is None
    response = client.post(url)
    assert response.status_code == 302 and response["Location"] == ind.get_absolute_url()
    share.refresh_from_db()
    assert share.withdrawn_at is not None
    assert DeliveryItem.objects.filter(indicator=ind, tombstone=True).count() == 2


def test_the_withdraw_confirmation_is_403_for_a_recipient_and_404_for_an_outsider(
    world, shared_ind, client_for
):
    ind, share = shared_ind
    url = reverse("share_withdraw", args=[ind.pk, share.pk])
    assert client_for(world.partner.investigator).get(url).status_code == 403
    assert client_for(world.outsider.investigator).get(url).status_code == 404
    # A share of another indicator is not reachable through this one's address.
    (other,) = add(world.owner, ("ipv4", "192.0.2.141"))
    wrong = reverse("share_withdraw", args=[other.pk, share.pk])
    assert client_for(world.owner.investigator).get(wrong).status_code == 404
    assert Share.objects.get(pk=share.pk).withdrawn_at is None


@pytest.fixture
def pending_request(world):
    """The partner holds a match of an owner indicator and asks the owner to share it."""
    add(world.owner, ("domain", "c2.confirm.example"))
    (theirs,) = add(world.partner, ("domain", "c2.confirm.example"))
    request = access_requests.access_request_create(
        actor=world.partner.investigator,
        indicator=theirs,
        reason="Seen in our botnet case",
        legal_basis="EU 2023/977",
        handling_code="H1",
    )
    return AccessRequestTarget.objects.get(request=request)


def test_decline_asks_first_and_a_confirmed_decline_with_a_reason_redirects(
    world, pending_request, client_for
):
    target = pending_request
    url = reverse("access_inbox_decline", args=[target.pk])
    client = client_for(world.owner.investigator)
    page = _text(client.get(url))
    assert "NL-NHTCU is told the request is declined" in page
    assert 'name="reason"' in page
    target.refresh_from_db()
    assert target.status == AccessRequestTarget.Status.PENDING
    # No reason: the confirmation again, 400, naming the field; nothing changes.
    refused = client.post(url, {"reason": ""})
    assert refused.status_code == 400 and 'name="reason"' in _text(refused)
    target.refresh_from_db()
    assert target.status == AccessRequestTarget.Status.PENDING
    response = client.post(url, {"reason": "Not yours to see"})
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.status == AccessRequestTarget.Status.DECLINED


def test_the_decline_confirmation_is_404_for_the_requester_and_an_outsider(
    world, pending_request, client_for
):
    url = reverse("access_inbox_decline", args=[pending_request.pk])
    assert client_for(world.partner.investigator).get(url).status_code == 404
    assert client_for(world.outsider.investigator).get(url).status_code == 404


def test_the_recipients_a_withdrawal_or_a_revocation_names_are_joined_by_the_readers_separator(
    monkeypatch, catalogue
):
    catalogue("ar", {"list separator\x04, ": "، "})
    reach = {
        "agencies": ["FR-OCLCTIC", "NL-NHTCU"],
        "jurisdictions": [],
        "jit": "",
        "community": False,
        "users": 0,
        "revocations": None,
        "withdrawals": None,
        "unsent": 0,
        "endpoints": 0,
        "shares": 2,
    }
    monkeypatch.setattr(selectors, "share_reach", lambda share: reach)
    monkeypatch.setattr(selectors, "revocation_reach", lambda indicator: reach)
    for language, joined in (("ar", "FR-OCLCTIC، NL-NHTCU"), ("en", "FR-OCLCTIC, NL-NHTCU")):
        with translation.override(language):
            withdrawal = selectors.share_withdraw_effects(share=None)
            revocation = selectors.indicator_revoke_effects(indicator=None)
        assert joined in withdrawal[0]
        assert f"({joined})" in revocation[1]


def test_the_shares_tables_when_column_has_its_own_words_as_a_column_header(
    world, shared_ind, client_for, catalogue
):
    catalogue("fr", {"column\x04When": "Date"})
    ind, _ = shared_ind
    client = client_for(world.owner.investigator)
    page = _text(client.get(ind.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="fr"))
    head = page[page.index('<table id="shares">') :].split("</thead>")[0]
    assert "<th>Date</th>" in head and "Quand" not in head
