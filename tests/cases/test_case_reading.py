"""Reading a case: the list's filters, the detail page and its sections, audited reads, and
the timeline, which shows only what the reader may see."""

from __future__ import annotations

import pytest
from django.urls import reverse

from agencies.models import TLP
from audit.models import AuditEvent
from cases import services
from tests.cases.conftest import api_clients

pytestmark = pytest.mark.django_db


def test_the_case_list_filters_and_searches(case_world, client):
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


def test_the_detail_page_is_audited_and_shows_every_section_on_its_tab(case_world, client):
    client.force_login(case_world.partner.investigator)
    url = case_world.case.get_absolute_url()
    body = ""
    for tab, section in (
        ("", 'id="overview"'),
        ("jit", 'id="jit"'),
        ("evidence", 'id="evidence"'),
        ("tasks", 'id="tasks"'),
        ("notes", 'id="notes"'),
        ("timeline", 'id="timeline"'),
    ):
        page = client.get(url, {"tab": tab} if tab else {}).content.decode()
        assert section in page
        body += page
    assert "JIT Botnet" in body and "Capture" in body and "Seize C2" in body and "C2 in NL" in body
    event = AuditEvent.objects.filter(action="case.viewed").last()
    assert event.actor == case_world.partner.investigator and event.object_id == str(
        case_world.case.pk
    )


def test_the_timeline_shows_only_what_the_viewer_may_see(case_world, client):
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


def test_a_read_over_the_api_is_audited_for_the_keys_agency(case_world, api_client_for):
    by_side = api_clients(case_world, api_client_for)
    by_side["partner"].get(f"/api/v1/cases/{case_world.case.pk}/")
    event = AuditEvent.objects.filter(action="case.viewed").last()
    assert event.agency_code == "NL-NHTCU"


def test_the_handling_code_and_its_restriction_read_as_one_sentence_in_the_readers_language(
    case_world, client, catalogue
):
    catalogue(
        "fr",
        {
            "handling code and its restriction\x04%(code)s: %(restriction)s": (
                "%(code)s : %(restriction)s"
            )
        },
    )
    case = services.case_open(
        actor=case_world.owner.investigator,
        lead_agency=case_world.owner.agency,
        title="Restricted",
        handling_code="H3",
        handling_text="Prosecutor's consent",
    )
    client.force_login(case_world.owner.investigator)
    english = client.get(case.get_absolute_url()).content.decode()
    assert "(see text): Prosecutor&#x27;s consent</dd>" in english
    french = client.get(case.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "(voir le texte) : Prosecutor&#x27;s consent</dd>" in french
