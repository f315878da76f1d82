"""The notice page: its history, 404 for those who may not see it, and the reviewer's queue
and decision."""

from __future__ import annotations

import pytest

from notices.models import Notice


def test_the_detail_page_shows_the_history(world, make_notice, client_for):
    notice = make_notice("published")
    html = client_for(world.owner.investigator).get(f"/notices/{notice.pk}/").content.decode()
    history = html[html.index('id="history"') :]
    actor, reviewer = world.owner.investigator.username, world.reviewer.username
    for sentence in (
        f"{actor} created the notice",
        f"{actor} submitted the notice for review",
        f"{reviewer} started the review",
        f"{reviewer} published the notice",
    ):
        assert sentence in history
    assert "Submitted → Under review" in history
    # Words, not the log's codes.
    for code in ("notice.created", "notice.published", "under_review", "{&#x27;"):
        assert code not in history
    for side in (world.partner, world.outsider):
        assert client_for(side.investigator).get(f"/notices/{notice.pk}/").status_code == 200


@pytest.mark.parametrize("who", ["partner", "outsider"])
def test_the_detail_page_of_a_draft_is_404_for_other_agencies(world, make_notice, client_for, who):
    notice = make_notice("draft")
    user = getattr(world, who).investigator
    assert client_for(user).get(f"/notices/{notice.pk}/").status_code == 404
    assert client_for(user).get(f"/notices/{notice.pk}/edit/").status_code == 404
    assert client_for(user).post(f"/notices/{notice.pk}/submit/").status_code == 404


def test_the_reviewer_queue_is_for_reviewers(world, make_notice, client_for, client):
    notice = make_notice("submitted")
    html = client_for(world.reviewer).get("/notices/review/").content.decode()
    assert f'href="/notices/{notice.pk}/"' in html
    for side in (world.owner, world.partner, world.outsider):
        assert client_for(side.investigator).get("/notices/review/").status_code == 403
    client.logout()
    assert client.get("/notices/review/").status_code == 302


def test_a_reviewer_decides_from_the_detail_page(world, make_notice, client_for):
    notice = make_notice("submitted")
    client = client_for(world.reviewer)
    assert client.post(f"/notices/{notice.pk}/review/start/").status_code == 302
    response = client.post(
        f"/notices/{notice.pk}/review/",
        {
            "decision": "publish",
            "art3_neutrality": "on",
            "art2_human_rights": "on",
            "minimum_data": "on",
            "reasons": "Fine",
        },
    )
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.status == Notice.Status.PUBLISHED
    owner = client_for(world.owner.investigator)
    assert owner.post(f"/notices/{notice.pk}/withdraw/", {"reasons": "x"}).status_code == 403


def test_a_refused_decision_names_the_checks_by_title_not_by_code(world, make_notice, client_for):
    notice = make_notice("submitted")
    client = client_for(world.reviewer)
    client.post(f"/notices/{notice.pk}/review/start/")
    response = client.post(
        f"/notices/{notice.pk}/review/", {"decision": "publish", "minimum_data": "on"}, follow=True
    )
    html = response.content.decode()
    assert "Art. 3 neutrality: This check must be confirmed to publish." in html
    assert "Art. 2 human rights: This check must be confirmed to publish." in html
    assert "art3_neutrality:" not in html and "art2_human_rights:" not in html
    notice.refresh_from_db()
    assert notice.status == Notice.Status.UNDER_REVIEW


def test_notifications_name_their_notice_not_its_number(world, make_notice, client_for):
    notice = make_notice("submitted", family_name="Nachtigall")
    client = client_for(world.reviewer)
    client.post(f"/notices/{notice.pk}/review/start/")
    client.post(f"/notices/{notice.pk}/review/", {"decision": "refuse", "reasons": "Too thin"})
    # The old address leads to the notification centre, which names the notice.
    response = client_for(world.owner.investigator).get("/notices/notifications/", follow=True)
    html = response.content.decode()
    assert response.redirect_chain and "NACHTIGALL" in html
    assert f">#{notice.pk}<" not in html
