"""Notifications about notices (now in the notification centre) are their recipient's own and
follow notice visibility: an API key acting for one agency does not read notifications about
another agency's notices, and nobody reads them once they lose the notice. The notices' old
addresses keep working: the API list in its old shape, the page redirected to the centre."""

from __future__ import annotations

import pytest

from agencies import services as agency_services
from agencies.models import Membership
from notices import review, services
from notifications.models import Notification
from tests.notices.conftest import RED_DATA


@pytest.fixture
def dual(world):
    """The owner's investigator, also an investigator of the partner agency."""
    user = world.owner.investigator
    agency_services.membership_set(
        actor=None, agency=world.partner.agency, user=user, role=Membership.Role.INVESTIGATOR
    )
    return user


def _partner_notice(world, user):
    notice = services.notice_create(
        actor=user, agency=world.partner.agency, notice_type="RED", data=RED_DATA
    )
    services.notify(
        notice, Notification.Kind.NOTICE_REVIEW, variant="refused", reasons="NL notice refused"
    )
    return notice


REFUSED = "Your Red notice was refused: NL notice refused"


def _about(notice) -> Notification:
    return Notification.objects.get(object_type="notices.notice", object_id=notice.pk)


def _messages(api) -> list[str]:
    response = api.get("/api/v1/notices/notifications/")
    assert response.status_code == 200
    return [item["message"] for item in response.json()["results"]]


def _html(client) -> str:
    return client.get("/notifications/").content.decode()


def test_key_reads_only_its_agency_notifications(world, dual, api_client_for):
    _partner_notice(world, dual)
    assert _messages(api_client_for(dual, world.partner.agency)) == [REFUSED]
    assert _messages(api_client_for(dual, world.owner.agency)) == []


def test_browser_sees_notifications_of_every_agency(world, dual, client_for):
    _partner_notice(world, dual)
    assert "NL notice refused" in _html(client_for(dual))


def test_the_old_notifications_page_leads_to_the_centre(world, client_for):
    response = client_for(world.owner.investigator).get("/notices/notifications/")
    assert response.status_code == 302 and response.url == "/notifications/"


def test_former_member_no_longer_reads_the_notification(world, dual, client_for, api_client_for):
    notice = _partner_notice(world, dual)
    membership = Membership.objects.get(user=dual, agency=world.partner.agency)
    agency_services.membership_update(
        actor=world.partner.admin, membership=membership, status=Membership.Status.SUSPENDED
    )
    assert "NL notice refused" not in _html(client_for(dual))
    assert _messages(api_client_for(dual, world.owner.agency)) == []
    note = _about(notice)
    assert client_for(dual).post(f"/notices/notifications/{note.pk}/read/").status_code == 404
    assert client_for(dual).post(f"/notifications/{note.pk}/read/").status_code == 404
    note.refresh_from_db()
    assert note.read_at is None


def test_outsiders_and_anonymous_visitors_read_no_notification(world, api_client_for, client):
    _partner_notice(world, world.partner.investigator)
    assert _messages(api_client_for(world.outsider.investigator, world.outsider.agency)) == []
    assert client.get("/api/v1/notices/notifications/").status_code in (401, 403)


def test_notifications_list_only_your_own(world, make_notice, client_for):
    notice = make_notice("submitted")
    review.notice_review(
        actor=world.reviewer, notice=notice, decision="request_info", reasons="Add a photo"
    )
    html = client_for(world.owner.investigator).get("/notifications/").content.decode()
    assert "The reviewer asks for more information: Add a photo" in html
    html = client_for(world.partner.investigator).get("/notifications/").content.decode()
    assert "Add a photo" not in html
    item = _about(notice)
    assert (
        client_for(world.partner.investigator)
        .post(f"/notices/notifications/{item.pk}/read/")
        .status_code
        == 404
    )
    client_for(world.owner.investigator).post(f"/notices/notifications/{item.pk}/read/")
    item.refresh_from_db()
    assert item.read_at is not None
