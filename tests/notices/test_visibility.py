"""Who sees a notice, in HTML and over the API: requester, other member, diffusion
non-recipient, jurisdiction restriction, anonymous on the public pages."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from agencies import services as agency_services
from agencies.models import Jurisdiction, Membership
from agencies.services import membership_update
from notices import review, services
from notices.models import Notice, NoticeGroupObjectPermission
from notices.selectors import notices_visible_to
from tests.factories import AgencyFactory, JurisdictionFactory, make_member


def _sees(client, notice: Notice) -> bool:
    status = client.get(f"/api/v1/notices/{notice.pk}/").status_code
    assert status in (200, 404)
    return status == 200


def _sees_html(client_for, user, notice: Notice) -> bool:
    status = client_for(user).get(f"/notices/{notice.pk}/").status_code
    assert status in (200, 404)
    return status == 200


@pytest.fixture
def clients(world, api_client_for):
    return {
        "owner": api_client_for(world.owner.investigator, world.owner.agency),
        "partner": api_client_for(world.partner.investigator, world.partner.agency),
        "outsider": api_client_for(world.outsider.investigator, world.outsider.agency),
        "reviewer": api_client_for(world.reviewer, world.secretariat),
    }


def _matrix(clients, notice):
    return {name: _sees(client, notice) for name, client in clients.items()}


@pytest.mark.parametrize("state", ["draft", "submitted"])
def test_drafts_and_notices_under_review_are_seen_by_requester_and_reviewers_only(
    world, clients, make_notice, client_for, state
):
    notice = make_notice(state)
    assert _matrix(clients, notice) == {
        "owner": True,
        "partner": False,
        "outsider": False,
        "reviewer": True,
    }
    assert _sees_html(client_for, world.owner.investigator, notice)
    assert not _sees_html(client_for, world.partner.investigator, notice)
    assert not _sees_html(client_for, world.outsider.investigator, notice)


def test_a_secretariat_member_who_is_not_a_reviewer_does_not_see_notices_under_review(
    world, make_notice, client_for
):

    admin = make_member(world.secretariat, "sg_admin", Membership.Role.AGENCY_ADMIN)
    analyst = make_member(world.secretariat, "sg_analyst", Membership.Role.ANALYST)
    notice = make_notice("submitted")
    assert not _sees_html(client_for, admin, notice)
    assert not _sees_html(client_for, analyst, notice)
    assert _sees_html(client_for, world.reviewer, notice)

    membership_update(
        actor=admin,
        membership=Membership.objects.get(user=analyst),
        role=Membership.Role.REVIEWER,
    )
    assert _sees_html(client_for, analyst, notice)


def test_a_published_notice_is_seen_by_every_member_agency(world, clients, make_notice, client_for):
    notice = make_notice("published")
    assert all(_matrix(clients, notice).values())
    assert _sees_html(client_for, world.outsider.investigator, notice)
    listed = clients["outsider"].get("/api/v1/notices/").json()["results"]
    assert [n["id"] for n in listed] == [notice.pk]


def test_a_jurisdiction_restricted_notice_reaches_only_those_jurisdictions(
    world, clients, make_notice, client_for
):
    eu = Jurisdiction.objects.get(code="EU")
    notice = make_notice("published", recipient_jurisdictions=[eu])
    assert _matrix(clients, notice) == {
        "owner": True,
        "partner": True,
        "outsider": False,
        "reviewer": True,
    }
    assert not _sees_html(client_for, world.outsider.investigator, notice)
    assert clients["outsider"].get("/api/v1/notices/").json()["results"] == []


def test_a_diffusion_reaches_its_recipients_at_once_and_review_can_withdraw_it(
    world, clients, make_notice, api_client_for
):
    diffusion = make_notice(
        "draft",
        notice_type="DIFFUSION",
        recipient_agencies=[world.partner.agency],
        languages=["EN"],
        family_name="Doe",
        offence_category="criminal",
        facts_summary="Phishing kit operator",
        charges="Fraud",
    )
    assert not _sees(clients["partner"], diffusion)
    services.notice_submit(actor=world.owner.investigator, notice=diffusion)
    assert _matrix(clients, diffusion) == {
        "owner": True,
        "partner": True,
        "outsider": False,
        "reviewer": True,
    }
    # Another member of the same non-recipient agency: still nothing.
    assert not _sees(api_client_for(world.outsider.admin, world.outsider.agency), diffusion)

    response = clients["reviewer"].post(
        f"/api/v1/notices/{diffusion.pk}/review/",
        {"decision": "refuse", "reasons": "Debt collection: a private matter"},
        format="json",
    )
    assert response.json()["status"] == "withdrawn"
    assert _matrix(clients, diffusion) == {
        "owner": True,
        "partner": False,
        "outsider": False,
        "reviewer": True,
    }


def test_a_diffusion_to_a_jurisdiction_reaches_its_agencies(world, clients, make_notice):
    nl = Jurisdiction.objects.get(code="NL")
    diffusion = make_notice(
        "submitted",
        notice_type="DIFFUSION",
        recipient_jurisdictions=[nl],
        languages=["EN"],
        family_name="Doe",
        offence_category="criminal",
        facts_summary="Phishing kit operator",
        charges="Fraud",
    )
    assert _matrix(clients, diffusion)["partner"] is True
    assert _matrix(clients, diffusion)["outsider"] is False


@pytest.mark.parametrize("end", ["cancel", "withdraw"])
def test_a_closed_notice_goes_back_to_requester_and_reviewers(world, clients, make_notice, end):
    notice = make_notice("published")
    if end == "cancel":
        services.notice_cancel(actor=world.owner.investigator, notice=notice)
    else:
        review.notice_withdraw(actor=world.reviewer, notice=notice, reasons="Art. 3")
    assert _matrix(clients, notice) == {
        "owner": True,
        "partner": False,
        "outsider": False,
        "reviewer": True,
    }


def test_an_api_key_sees_only_what_its_agency_sees(world, make_notice, api_client_for):

    double = make_member(world.owner.agency, "double_agent")

    agency_services.membership_set(
        actor=None, agency=world.outsider.agency, user=double, role="investigator"
    )
    eu = Jurisdiction.objects.get(code="EU")
    notice = make_notice("published", recipient_jurisdictions=[eu])
    assert _sees(api_client_for(double, world.owner.agency), notice)
    assert not _sees(api_client_for(double, world.outsider.agency), notice)


def test_anonymous_users_get_no_notice(world, make_notice, client):
    notice = make_notice("published")

    assert APIClient().get(f"/api/v1/notices/{notice.pk}/").status_code in (401, 403)
    assert APIClient().get("/api/v1/notices/").status_code in (401, 403)
    response = client.get(f"/notices/{notice.pk}/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_permission_rows_are_written_only_for_the_current_state(world, make_notice):
    notice = make_notice("draft")
    groups = set(
        NoticeGroupObjectPermission.objects.filter(
            content_object=notice, permission__codename="view_notice"
        ).values_list("group__name", flat=True)
    )
    assert groups == {"agency:DE-BKA", "reviewers:INT-SG"}


def test_anonymous_visitors_see_public_extracts_only_with_consent(world, make_notice, client):
    consented = make_notice("published", public_extract_consent=True, family_name="Publicus")
    make_notice("published", family_name="Secretus")
    make_notice("submitted", public_extract_consent=True, family_name="Pendingus")
    html = client.get("/public/notices/").content.decode()
    assert "PUBLICUS" in html
    assert "SECRETUS" not in html and "PENDINGUS" not in html

    body = APIClient().get("/api/v1/public/notices/").json()
    assert [n["id"] for n in body["results"]] == [consented.pk]
    extract = body["results"][0]
    assert set(extract) == {
        "id",
        "notice_type",
        "family_name",
        "forenames",
        "date_of_birth",
        "sex",
        "nationalities",
        "charges",
        "requesting_country",
        "published_at",
    }
    assert "facts_summary" not in extract and "warrant_reference" not in extract


@pytest.mark.parametrize("end", ["cancel", "withdraw", "expire"])
def test_a_public_extract_disappears_at_once_when_the_notice_ends(world, make_notice, client, end):

    notice = make_notice("published", public_extract_consent=True, family_name="Publicus")
    assert "PUBLICUS" in client.get("/public/notices/").content.decode()
    if end == "cancel":
        services.notice_cancel(actor=world.owner.investigator, notice=notice)
    elif end == "withdraw":
        review.notice_withdraw(actor=world.reviewer, notice=notice, reasons="Art. 2")
    else:
        # Past its expiry the extract is gone even before the beat task has run.
        Notice.objects.filter(pk=notice.pk).update(expires_at=notice.published_at - timedelta(1))
    assert "PUBLICUS" not in client.get("/public/notices/").content.decode()
    assert client.get("/api/v1/public/notices/").json()["results"] == []


def test_a_country_added_later_sees_published_notices_after_a_resync(world, make_notice):

    notice = make_notice("published")
    newcomer = AgencyFactory(code="BR-PF", country=JurisdictionFactory(code="BR"))
    user = make_member(newcomer, "newcomer")

    assert not notices_visible_to(user=user).filter(pk=notice.pk).exists()
    call_command("resync_notice_permissions", stdout=io.StringIO())
    assert notices_visible_to(user=user).filter(pk=notice.pk).exists()


def test_the_public_page_needs_no_login(world, client):
    assert client.get("/public/notices/").status_code == 200
