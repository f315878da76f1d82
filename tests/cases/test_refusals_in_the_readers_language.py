"""The case API's refusals in the client's language (``Accept-Language``): the lead agency's
rules and the upload limit (also on assistance uploads), with the limit in the reader's
digits."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.cases.conftest import api_clients

pytestmark = pytest.mark.django_db
FRENCH = {"HTTP_ACCEPT_LANGUAGE": "fr"}


@pytest.fixture
def french(catalogue):
    catalogue(
        "fr",
        {
            "The lead agency cannot change.": "L'agence pilote ne peut pas changer.",
            "Only the lead agency forms a JIT for its case.": "Seule l'agence pilote forme l'ECE.",
            "Only the lead agency changes the JIT agreement.": "Seule l'agence pilote modifie.",
            "Only the lead agency invites to its JIT.": "Seule l'agence pilote invite.",
            "The file is larger than the limit of %(limit)s bytes.": "Fichier > %(limit)s octets.",
        },
    )


def test_a_french_partner_is_told_in_french_that_only_the_lead_agency_acts(
    case_world, api_client_for, french
):
    partner = api_clients(case_world, api_client_for)["partner"]
    jit = f"/api/v1/jits/{case_world.jit.pk}/"
    formed = partner.post(
        "/api/v1/jits/",
        {"case": case_world.case.pk, "name": "JIT 2", "legal_basis": "budapest"},
        format="json",
        **FRENCH,
    )
    changed = partner.patch(jit, {"purpose": "x"}, format="json", **FRENCH)
    invited = partner.post(f"{jit}members/", {"agency": "FR-OFAC"}, format="json", **FRENCH)
    assert [(r.status_code, r.json()) for r in (formed, changed, invited)] == [
        (403, {"detail": "Seule l'agence pilote forme l'ECE."}),
        (403, {"detail": "Seule l'agence pilote modifie."}),
        (403, {"detail": "Seule l'agence pilote invite."}),
    ]


def test_a_french_lead_is_told_in_french_that_the_lead_agency_cannot_change(
    case_world, api_client_for, french
):
    owner = api_clients(case_world, api_client_for)["owner"]
    response = owner.patch(
        f"/api/v1/cases/{case_world.case.pk}/",
        {"lead_agency": case_world.partner.agency.code},
        format="json",
        **FRENCH,
    )
    assert response.status_code == 400
    assert response.json() == {"lead_agency": "L'agence pilote ne peut pas changer."}


def test_a_french_uploader_is_told_the_limit_in_french_digits(
    case_world, api_client_for, settings, french
):
    settings.EVIDENCE_MAX_BYTES = 1024 * 1024
    owner = api_clients(case_world, api_client_for)["owner"]
    response = owner.post(
        f"/api/v1/cases/{case_world.case.pk}/evidence/",
        {"title": "x", "file": SimpleUploadedFile("x.bin", b"x" * (2 * 1024 * 1024))},
        format="multipart",
        **FRENCH,
    )
    assert response.status_code == 400
    assert response.json() == {"file": ["Fichier > 1\xa0048\xa0576 octets."]}
