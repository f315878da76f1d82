"""Browser pages: owner / partner / former member / outsider / anonymous for every view."""

from __future__ import annotations

import pytest
from django.urls import reverse

from agencies.models import TLP
from audit.models import AuditEvent
from cases import jits, services
from cases.models import Case, JITMembership

pytestmark = pytest.mark.django_db

# expected status per side for GET pages: owner, partner, former, outsider
READ_PAGES = [
    ("cases:detail", "case", (200, 200, 404, 404)),
    ("cases:timeline", "case", (200, 200, 404, 404)),
    ("cases:edit", "case", (200, 403, 404, 404)),
    ("cases:evidence-detail", "evidence", (200, 200, 404, 404)),
    ("cases:evidence-download", "evidence", (200, 200, 404, 404)),
    ("cases:jit-detail", "jit", (200, 200, 404, 404)),
    ("cases:jit-edit", "jit", (200, 403, 404, 404)),
]


def sides(cw):
    return [cw.owner, cw.partner, cw.former, cw.outsider]


@pytest.mark.parametrize(("name", "attr", "expected"), READ_PAGES)
def test_read_pages_answer_each_side(case_world, client, name, attr, expected):
    url = reverse(name, args=[getattr(case_world, attr).pk])
    for side, status in zip(sides(case_world), expected, strict=True):
        client.force_login(side.investigator)
        assert client.get(url).status_code == status, (name, side.agency.code)


@pytest.mark.parametrize(("name", "attr", "expected"), READ_PAGES)
def test_anonymous_is_sent_to_login(case_world, client, name, attr, expected):
    response = client.get(reverse(name, args=[getattr(case_world, attr).pk]))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_missing_case_is_404_like_hidden(case_world, client):
    client.force_login(case_world.owner.investigator)
    assert client.get(reverse("cases:detail", args=[999999])).status_code == 404


def test_case_list_shows_only_visible_cases(case_world, client):
    hidden = services.case_open(
        actor=case_world.outsider.investigator,
        lead_agency=case_world.outsider.agency,
        title="Outsider only",
    )
    for side, sees in (
        (case_world.owner, True),
        (case_world.partner, True),
        (case_world.former, False),
        (case_world.outsider, False),
    ):
        client.force_login(side.investigator)
        body = client.get(reverse("cases:list")).content.decode()
        assert (case_world.case.reference in body) is sees, side.agency.code
        assert (hidden.reference in body) is (side is case_world.outsider)


def test_case_list_filters_and_searches(case_world, client):
    services.case_open(
        actor=case_world.owner.investigator,
        lead_agency=case_world.owner.agency,
        title="Ransomware wave",
        tags=["ransomware"],
        offence_categories=["data_interference"],
    )
    client.force_login(case_world.owner.investigator)
    url = reverse("cases:list")
    body = client.get(url, {"q": "ransom"}).content.decode()
    assert "Ransomware wave" in body and "Botnet takedown" not in body
    body = client.get(url, {"category": "illegal_access"}).content.decode()
    assert "Botnet takedown" in body and "Ransomware wave" not in body
    body = client.get(url, {"tag": "ransomware"}).content.decode()
    assert "Ransomware wave" in body and "Botnet takedown" not in body


def test_case_detail_is_audited_and_shows_sections(case_world, client):
    client.force_login(case_world.partner.investigator)
    response = client.get(case_world.case.get_absolute_url())
    body = response.content.decode()
    for section in (
        'id="overview"',
        'id="jit"',
        'id="evidence"',
        'id="tasks"',
        'id="notes"',
        'id="timeline"',
    ):
        assert section in body
    assert "JIT Botnet" in body and "Capture" in body and "Seize C2" in body and "C2 in NL" in body
    event = AuditEvent.objects.filter(action="case.viewed").last()
    assert event.actor == case_world.partner.investigator and event.object_id == str(
        case_world.case.pk
    )


def test_create_case_in_browser(world, client):
    client.force_login(world.owner.investigator)
    response = client.post(
        reverse("cases:create"),
        {
            "lead_agency": world.owner.agency.pk,
            "title": "Phishing kit",
            "status": "open",
            "tlp": "GREEN",
            "handling_code": "H0",
            "offence_categories": ["computer_fraud"],
            "tags": "phishing, kit",
        },
    )
    case = Case.objects.get(title="Phishing kit")
    assert response.status_code == 302 and case.tags == ["phishing", "kit"]
    assert case.reference.startswith("DE-BKA-")


def test_create_case_bad_input_is_400_naming_field(world, client):
    client.force_login(world.owner.investigator)
    response = client.post(
        reverse("cases:create"),
        {
            "lead_agency": world.owner.agency.pk,
            "title": "",
            "status": "open",
            "tlp": "GREEN",
            "handling_code": "H3",
            "handling_text": "",
        },
    )
    assert response.status_code == 400
    assert "title" in response.context["form"].errors
    response = client.post(
        reverse("cases:create"),
        {
            "lead_agency": world.owner.agency.pk,
            "title": "x",
            "status": "open",
            "tlp": "GREEN",
            "handling_code": "H3",
            "handling_text": "",
        },
    )
    assert response.status_code == 400 and "handling_text" in response.context["form"].errors
    assert not Case.objects.exists()


def test_cannot_open_case_for_another_agency(world, client):
    client.force_login(world.owner.investigator)
    response = client.post(
        reverse("cases:create"),
        {
            "lead_agency": world.partner.agency.pk,
            "title": "x",
            "status": "open",
            "tlp": "GREEN",
            "handling_code": "H0",
        },
    )
    assert response.status_code == 400 and "lead_agency" in response.context["form"].errors


def test_edit_case_owner_ok_partner_403(case_world, client):
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


def test_partner_adds_note_and_task_outsider_404(case_world, client):
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


def test_note_bad_input_is_400(case_world, client):
    client.force_login(case_world.owner.investigator)
    response = client.post(
        reverse("cases:note-add", args=[case_world.case.pk]), {"body": "", "tlp": "AMBER"}
    )
    assert response.status_code == 400 and "body" in response.context["note_form"].errors


def test_task_status_owner_changes_partner_403(case_world, client):
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


def test_verify_and_custody_pages(case_world, client):
    cw = case_world
    client.force_login(cw.partner.investigator)
    assert client.post(reverse("cases:evidence-verify", args=[cw.evidence.pk])).status_code == 302
    assert (
        client.post(
            reverse("cases:evidence-custody", args=[cw.evidence.pk]),
            {"kind": "checked_out", "purpose": "x"},
        ).status_code
        == 403
    )
    client.force_login(cw.outsider.investigator)
    assert client.post(reverse("cases:evidence-verify", args=[cw.evidence.pk])).status_code == 404
    client.force_login(cw.owner.investigator)
    response = client.post(
        reverse("cases:evidence-custody", args=[cw.evidence.pk]),
        {"kind": "checked_out", "purpose": ""},
    )
    assert response.status_code == 400 and "purpose" in response.context["custody_form"].errors
    response = client.post(
        reverse("cases:evidence-custody", args=[cw.evidence.pk]),
        {"kind": "transferred", "to_agency": "NL-NHTCU"},
    )
    assert response.status_code == 302
    cw.evidence.refresh_from_db()
    assert cw.evidence.custodian == cw.partner.agency
    kinds = list(cw.evidence.custody_events.values_list("kind", flat=True))
    assert kinds == ["collected", "verified", "transferred"]


def test_timeline_shows_only_what_viewer_may_see(case_world, client):
    cw = case_world
    secret = services.note_add(
        actor=cw.owner.investigator,
        case=cw.case,
        agency=cw.owner.agency,
        body="strict",
        tlp=TLP.AMBER_STRICT,
    )
    client.force_login(cw.partner.investigator)
    events = list(client.get(reverse("cases:timeline", args=[cw.case.pk])).context["page"])
    shown = {(e.object_type, e.object_id) for e in events}
    assert ("cases.note", str(cw.note.pk)) in shown
    assert ("cases.note", str(secret.pk)) not in shown
    assert ("cases.case", str(cw.case.pk)) in shown
    client.force_login(cw.owner.investigator)
    events = list(client.get(reverse("cases:timeline", args=[cw.case.pk])).context["page"])
    assert ("cases.note", str(secret.pk)) in {(e.object_type, e.object_id) for e in events}


def test_jit_create_in_browser_owner_only(case_world, client):
    url = reverse("cases:jit-create", args=[case_world.case.pk])
    data = {"name": "JIT 2", "legal_basis": "budapest", "status": "active"}
    client.force_login(case_world.partner.investigator)
    assert client.post(url, data).status_code == 403
    client.force_login(case_world.owner.investigator)
    assert client.post(url, data).status_code == 302
    response = client.post(url, {"name": "JIT 3", "legal_basis": "other", "legal_basis_text": ""})
    assert response.status_code == 400 and "legal_basis_text" in response.context["jit_form"].errors


def test_jit_edit_extension_is_recorded(case_world, client):
    client.force_login(case_world.owner.investigator)
    url = reverse("cases:jit-edit", args=[case_world.jit.pk])
    response = client.post(
        url,
        {
            "name": "JIT Botnet",
            "purpose": "p",
            "legal_basis": "eu_jit",
            "period_start": "2026-01-01",
            "period_end": "2027-06-30",
        },
    )
    assert response.status_code == 302
    case_world.jit.refresh_from_db()
    assert case_world.jit.status == "extended"
    assert case_world.jit.amendments.filter(kind="extended").exists()
    client.force_login(case_world.partner.investigator)
    assert client.post(url, {"name": "x"}).status_code == 403


def test_inbox_accept_in_browser(case_world, client):
    cw = case_world
    membership = jits.jit_invite(actor=cw.owner.investigator, jit=cw.jit, agency=cw.former.agency)
    client.force_login(cw.former.admin)
    body = client.get(reverse("cases:inbox")).content.decode()
    assert "JIT Botnet" in body
    client.force_login(cw.former.investigator)  # not an admin: nothing in the inbox, cannot accept
    assert "JIT Botnet" not in client.get(reverse("cases:inbox")).content.decode().split("<h2>")[0]
    url = reverse("cases:jit-member-action", args=[cw.jit.pk, "FR-OFAC", "accept"])
    assert client.post(url).status_code == 403
    client.force_login(cw.outsider.admin)
    assert client.post(url).status_code == 404
    client.force_login(cw.former.admin)
    assert client.post(url).status_code == 302
    membership.refresh_from_db()
    assert membership.status == JITMembership.Status.ACCEPTED
    client.force_login(cw.former.investigator)
    assert client.get(cw.case.get_absolute_url()).status_code == 200


def test_invite_without_legal_basis_is_refused_in_browser(case_world, client):
    cw = case_world
    jit = jits.jit_create(actor=cw.owner.investigator, case=cw.case, name="No basis")
    client.force_login(cw.owner.investigator)
    response = client.post(
        reverse("cases:jit-invite", args=[jit.pk]), {"agency": "NL-NHTCU", "role": "party"}
    )
    assert response.status_code == 400
    assert "no legal basis" in response.content.decode()
    assert not jit.memberships.filter(agency=cw.partner.agency).exists()


POSTS = [
    ("cases:evidence-upload", "case", {}),
    ("cases:task-create", "case", {"title": "x", "tlp": "AMBER"}),
    ("cases:note-add", "case", {"body": "x", "tlp": "AMBER"}),
    ("cases:jit-create", "case", {"name": "x"}),
    ("cases:jit-invite", "jit", {"agency": "IN-CBI", "role": "observer"}),
    ("cases:evidence-verify", "evidence", {}),
    ("cases:evidence-custody", "evidence", {"kind": "checked_out", "purpose": "x"}),
    ("cases:task-status", "task", {"status": "done"}),
]


@pytest.mark.parametrize(("name", "attr", "data"), POSTS)
def test_posts_hide_from_former_and_outsider_and_need_login(case_world, client, name, attr, data):
    url = reverse(name, args=[getattr(case_world, attr).pk])
    response = client.post(url, data)
    assert response.status_code == 302 and "/login/" in response["Location"]
    for side in (case_world.former, case_world.outsider):
        client.force_login(side.admin)
        assert client.post(url, data).status_code == 404, (name, side.agency.code)


def test_inbox_per_side(case_world, client):
    jits.jit_invite(
        actor=case_world.owner.investigator, jit=case_world.jit, agency=case_world.former.agency
    )
    assert client.get(reverse("cases:inbox")).status_code == 302
    for side, shows in (
        (case_world.owner, False),
        (case_world.partner, False),
        (case_world.former, True),
        (case_world.outsider, False),
    ):
        client.force_login(side.admin)
        body = client.get(reverse("cases:inbox")).content.decode()
        assert (f'data-jit="{case_world.jit.pk}"' in body) is shows, side.agency.code


def test_invited_agency_sees_agreement_but_not_case(case_world, client):
    jits.jit_invite(
        actor=case_world.owner.investigator, jit=case_world.jit, agency=case_world.former.agency
    )
    client.force_login(case_world.former.admin)
    body = client.get(reverse("cases:jit-detail", args=[case_world.jit.pk])).content.decode()
    assert "Accept" in body and case_world.case.get_absolute_url() not in body
    assert client.get(case_world.case.get_absolute_url()).status_code == 404
