"""Changing a case, its tasks and notes: the lead agency edits the case, every agency in the
case adds tasks and notes, the owning agency changes a task's status."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.cases.conftest import api_clients

pytestmark = pytest.mark.django_db


def test_only_the_lead_agency_edits_a_case_in_the_browser(case_world, client):
    url = reverse("cases:edit", args=[case_world.case.pk])
    data = {
        "title": "Renamed",
        "summary": "",
        "status": "active",
        "tlp": "AMBER",
        "handling_code": "H0",
    }
    client.force_login(case_world.partner.investigator)
    assert client.post(url, data).status_code == 403
    client.force_login(case_world.outsider.investigator)
    assert client.post(url, data).status_code == 404
    client.force_login(case_world.owner.investigator)
    assert client.post(url, data).status_code == 302
    case_world.case.refresh_from_db()
    assert case_world.case.title == "Renamed" and case_world.case.status == "active"


def test_only_the_lead_agency_patches_a_case(case_world, api_client_for):
    by_side = api_clients(case_world, api_client_for)
    url = f"/api/v1/cases/{case_world.case.pk}/"
    assert by_side["partner"].patch(url, {"status": "active"}, format="json").status_code == 403
    assert by_side["outsider"].patch(url, {"status": "active"}, format="json").status_code == 404
    assert by_side["former"].patch(url, {"status": "active"}, format="json").status_code == 404
    response = by_side["owner"].patch(url, {"status": "active"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "active"
    assert by_side["owner"].patch(url, {"status": "dormant"}, format="json").json().keys() == {
        "status"
    }


def test_a_partner_adds_notes_and_tasks_and_an_outsider_gets_404(case_world, client):
    cw = case_world
    client.force_login(cw.partner.investigator)
    assert (
        client.post(
            reverse("cases:note-add", args=[cw.case.pk]), {"body": "NL view", "tlp": "AMBER"}
        ).status_code
        == 302
    )
    assert (
        client.post(
            reverse("cases:task-create", args=[cw.case.pk]),
            {"title": "Image server", "tlp": "GREEN"},
        ).status_code
        == 302
    )
    assert cw.case.notes.filter(agency=cw.partner.agency).exists()
    client.force_login(cw.outsider.investigator)
    assert (
        client.post(
            reverse("cases:note-add", args=[cw.case.pk]), {"body": "x", "tlp": "AMBER"}
        ).status_code
        == 404
    )
    client.force_login(cw.former.investigator)
    assert (
        client.post(
            reverse("cases:task-create", args=[cw.case.pk]), {"title": "x", "tlp": "AMBER"}
        ).status_code
        == 404
    )


def test_an_empty_note_is_400(case_world, client):
    client.force_login(case_world.owner.investigator)
    response = client.post(
        reverse("cases:note-add", args=[case_world.case.pk]), {"body": "", "tlp": "AMBER"}
    )
    assert response.status_code == 400 and "body" in response.context["note_form"].errors


def test_only_the_owning_agency_changes_a_task_status(case_world, client):
    url = reverse("cases:task-status", args=[case_world.task.pk])
    client.force_login(case_world.partner.investigator)
    assert client.post(url, {"status": "done"}).status_code == 403
    client.force_login(case_world.outsider.investigator)
    assert client.post(url, {"status": "done"}).status_code == 404
    client.force_login(case_world.owner.investigator)
    response = client.post(url, {"status": "finished"})
    assert response.status_code == 400 and b"status" in response.content
    assert client.post(url, {"status": "done"}).status_code == 302
    case_world.task.refresh_from_db()
    assert case_world.task.status == "done"
