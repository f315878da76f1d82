"""Cancelling a notice (its requester) and withdrawing one (the secretariat) ask first: the GET
names how many agencies stop seeing it and asks for the reason; the POST acts and redirects.
Those who do not see the notice get a 404 on the confirmation page as on the notice."""

from __future__ import annotations

from django.urls import reverse

from notices.models import Notice


def _text(response) -> str:
    return response.content.decode()


def test_cancel_asks_first_naming_the_agencies_that_stop_seeing_it(world, make_notice, client_for):
    notice = make_notice("published")
    client = client_for(world.owner.investigator)
    url = reverse("notice_cancel", args=[notice.pk])
    assert f'href="{url}"' in _text(client.get(notice.get_absolute_url()))
    response = client.get(url)
    assert response.status_code == 200
    page = _text(response)
    # Published to every member country: the partner and outsider agencies and the secretariat.
    assert "3 agencies that receive this notice stop seeing it." in page
    assert 'name="reasons"' in page
    notice.refresh_from_db()
    assert notice.status == Notice.Status.PUBLISHED
    done = client.post(url, {"reasons": "Arrested"})
    assert done.status_code == 302 and done["Location"] == notice.get_absolute_url()
    notice.refresh_from_db()
    assert notice.status == Notice.Status.CANCELLED
    # A second POST (a replayed form) changes nothing more.
    client.post(url, {"reasons": "Arrested"})
    notice.refresh_from_db()
    assert notice.status == Notice.Status.CANCELLED


def test_the_cancel_confirmation_is_403_for_a_recipient_and_404_for_one_who_does_not_see_it(
    world, make_notice, client_for
):
    draft = make_notice("draft")
    published = make_notice("published")
    assert (
        client_for(world.partner.investigator)
        .get(reverse("notice_cancel", args=[published.pk]))
        .status_code
        == 403
    )
    for user in (world.partner.investigator, world.outsider.investigator):
        client = client_for(user)
        assert client.get(reverse("notice_cancel", args=[draft.pk])).status_code == 404
        assert client.post(reverse("notice_cancel", args=[draft.pk])).status_code == 404
    draft.refresh_from_db()
    assert draft.status == Notice.Status.DRAFT


def test_withdraw_asks_the_reviewer_first_then_withdraws(world, make_notice, client_for):
    notice = make_notice("published")
    client = client_for(world.reviewer)
    url = reverse("notice_withdraw", args=[notice.pk])
    assert f'href="{url}"' in _text(client.get(notice.get_absolute_url()))
    page = _text(client.get(url))
    assert "Withdraw notice" in page and "stop seeing it" in page
    notice.refresh_from_db()
    assert notice.status == Notice.Status.PUBLISHED
    assert client_for(world.owner.investigator).get(url).status_code == 403
    response = client_for(world.reviewer).post(url, {"reasons": "Political character"})
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.status == Notice.Status.WITHDRAWN
