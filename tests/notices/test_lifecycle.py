"""The full lifecycle over the API: draft -> submitted -> under review <-> info requested ->
published -> cancelled, every transition audited."""

from __future__ import annotations

from datetime import timedelta

import yaml

from audit.models import AuditEvent
from notices.models import Notice
from notifications.models import Notification
from tests.notices.conftest import red_payload


def test_a_red_notice_goes_through_review_with_an_info_request_and_is_published(
    world, api_client_for
):
    requester = api_client_for(world.owner.investigator, world.owner.agency)
    reviewer = api_client_for(world.reviewer, world.secretariat)

    response = requester.post("/api/v1/notices/", red_payload(warrant_authority=""), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    pk = body["id"]
    assert body["status"] == "draft"
    assert body["requesting_agency"] == "DE-BKA"
    assert "extradition" in body["purpose"]

    # Pre-checks refuse the incomplete notice and name the field.
    response = requester.post(f"/api/v1/notices/{pk}/submit/")
    assert response.status_code == 400
    assert list(response.json()) == ["warrant_authority"]

    assert (
        requester.patch(
            f"/api/v1/notices/{pk}/", {"warrant_authority": "Amtsgericht Wiesbaden"}, format="json"
        ).status_code
        == 200
    )
    response = requester.post(f"/api/v1/notices/{pk}/submit/")
    assert response.status_code == 200
    assert response.json()["status"] == "submitted"

    response = reviewer.post(
        f"/api/v1/notices/{pk}/review/",
        {"decision": "request_info", "reasons": "Add the distinguishing marks."},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "info_requested"
    assert Notification.objects.filter(user=world.owner.investigator, object_id=pk).exists()

    # The reviewer cannot decide while waiting for the requester.
    response = reviewer.post(
        f"/api/v1/notices/{pk}/review/", {"decision": "publish"}, format="json"
    )
    assert response.status_code == 409

    response = requester.patch(
        f"/api/v1/notices/{pk}/", {"distinguishing_marks": "Scar on left hand"}, format="json"
    )
    assert response.status_code == 200
    response = requester.post(f"/api/v1/notices/{pk}/submit/")
    assert response.json()["status"] == "under_review"

    # Publishing needs every checklist item confirmed.
    response = reviewer.post(
        f"/api/v1/notices/{pk}/review/",
        {"decision": "publish", "art3_neutrality": True, "minimum_data": True},
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["art2_human_rights"]

    response = reviewer.post(
        f"/api/v1/notices/{pk}/review/",
        {
            "decision": "publish",
            "reasons": "Ordinary-law crime, complete data.",
            "art3_neutrality": True,
            "art2_human_rights": True,
            "minimum_data": True,
        },
        format="json",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "published"
    notice = Notice.objects.get(pk=pk)
    assert notice.expires_at - notice.published_at >= timedelta(days=5 * 365)
    assert [r["decision"] for r in body["reviews"]] == ["publish", "request_info"]

    # Published: no more edits.
    response = requester.patch(f"/api/v1/notices/{pk}/", {"forenames": "Jon"}, format="json")
    assert response.status_code == 409
    assert "draft" in response.json()["detail"]

    # The partner agency sees the published notice.
    partner = api_client_for(world.partner.investigator, world.partner.agency)
    assert partner.get(f"/api/v1/notices/{pk}/").status_code == 200

    response = requester.post(
        f"/api/v1/notices/{pk}/cancel/", {"reasons": "Arrested"}, format="json"
    )
    assert response.json()["status"] == "cancelled"
    assert partner.get(f"/api/v1/notices/{pk}/").status_code == 404

    actions = list(
        AuditEvent.objects.filter(object_type="notices.notice", object_id=str(pk)).values_list(
            "action", flat=True
        )
    )
    assert actions == [
        "notice.created",
        "notice.updated",
        "notice.submitted",
        "notice.review_started",
        "notice.info_requested",
        "notice.updated",
        "notice.resubmitted",
        "notice.published",
        "notice.cancelled",
    ]


def test_only_reviewers_review_others_who_see_get_403_and_outsiders_404(
    world, api_client_for, make_notice
):
    notice = make_notice("submitted")
    url = f"/api/v1/notices/{notice.pk}/review/"
    body = {"decision": "refuse", "reasons": "Political character"}
    owner = api_client_for(world.owner.investigator, world.owner.agency)
    assert owner.post(url, body, format="json").status_code == 403
    for side in (world.partner, world.outsider):
        client = api_client_for(side.investigator, side.agency)
        assert client.post(url, body, format="json").status_code == 404
    reviewer = api_client_for(world.reviewer, world.secretariat)
    response = reviewer.post(url, body, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "refused"


def test_refusing_needs_reasons(world, api_client_for, make_notice):
    notice = make_notice("submitted")
    reviewer = api_client_for(world.reviewer, world.secretariat)
    response = reviewer.post(
        f"/api/v1/notices/{notice.pk}/review/", {"decision": "refuse"}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["reasons"]
    response = reviewer.post(
        f"/api/v1/notices/{notice.pk}/review/", {"decision": "bogus"}, format="json"
    )
    assert response.status_code == 400
    assert "decision" in response.json()


def test_only_the_requesting_agency_edits_submits_and_cancels(world, api_client_for, make_notice):
    notice = make_notice("draft")
    reviewer = api_client_for(world.reviewer, world.secretariat)
    assert reviewer.get(f"/api/v1/notices/{notice.pk}/").status_code == 200
    for verb in ("submit", "cancel", "renew"):
        assert reviewer.post(f"/api/v1/notices/{notice.pk}/{verb}/").status_code == 403
    assert (
        reviewer.patch(
            f"/api/v1/notices/{notice.pk}/", {"forenames": "X"}, format="json"
        ).status_code
        == 403
    )
    partner = api_client_for(world.partner.investigator, world.partner.agency)
    assert (
        partner.patch(
            f"/api/v1/notices/{notice.pk}/", {"forenames": "X"}, format="json"
        ).status_code
        == 404
    )


def test_a_patch_with_bad_values_names_the_field(world, api_client_for, make_notice):
    notice = make_notice("draft")
    client = api_client_for(world.owner.investigator, world.owner.agency)
    response = client.patch(
        f"/api/v1/notices/{notice.pk}/",
        {"nationalities": ["Germany"], "languages": ["DE"], "height_cm": 900},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"nationalities", "languages", "height_cm"}


def test_the_secretariat_withdraws_a_published_notice(world, api_client_for, make_notice):
    notice = make_notice("published")
    partner = api_client_for(world.partner.investigator, world.partner.agency)
    assert partner.get(f"/api/v1/notices/{notice.pk}/").status_code == 200
    reviewer = api_client_for(world.reviewer, world.secretariat)
    response = reviewer.post(
        f"/api/v1/notices/{notice.pk}/withdraw/", {"reasons": "Art. 3"}, format="json"
    )
    assert response.json()["status"] == "withdrawn"
    assert partner.get(f"/api/v1/notices/{notice.pk}/").status_code == 404
    owner = api_client_for(world.owner.investigator, world.owner.agency)
    assert owner.get(f"/api/v1/notices/{notice.pk}/").status_code == 200
    assert owner.post(f"/api/v1/notices/{notice.pk}/withdraw/", {"reasons": "x"}).status_code == 403


def test_the_api_schema_documents_every_notice_endpoint(db, client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    paths = response.json()["paths"] if "json" in response["Content-Type"] else None
    if paths is None:
        paths = yaml.safe_load(response.content)["paths"]
    for path in (
        "/api/v1/notices/",
        "/api/v1/notices/{id}/",
        "/api/v1/notices/{id}/submit/",
        "/api/v1/notices/{id}/review/",
        "/api/v1/notices/{id}/cancel/",
        "/api/v1/notices/{id}/renew/",
        "/api/v1/notices/{id}/withdraw/",
        "/api/v1/public/notices/",
    ):
        assert path in paths, path
    assert set(paths["/api/v1/notices/"]) >= {"get", "post"}
    assert "patch" in paths["/api/v1/notices/{id}/"]
