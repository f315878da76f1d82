"""The notice pages in the reader's language: a notice page in Spanish, the request form's
choices in Arabic (right to left), pre-check errors in French, and the same 404 for other
agencies whatever the language."""

from __future__ import annotations

import re

from notices.models import Notice
from tests.notices.test_notice_request_form import _form_post

SPANISH = {"HTTP_ACCEPT_LANGUAGE": "es"}
FRENCH = {"HTTP_ACCEPT_LANGUAGE": "fr"}
ARABIC = {"HTTP_ACCEPT_LANGUAGE": "ar"}


def test_a_notice_page_shows_spanish_labels_to_every_agency_that_sees_it(
    world, make_notice, client_for
):
    notice = make_notice("published")
    for side in (world.owner, world.partner, world.outsider):
        response = client_for(side.investigator).get(f"/notices/{notice.pk}/", **SPANISH)
        assert response.status_code == 200
        html = response.content.decode()
        assert '<html lang="es" dir="ltr">' in html
        assert "Notificación roja" in html and "Publicada" in html
        assert "<h2>Datos judiciales</h2>" in html and "<h2>Historial</h2>" in html
        assert "Buscado para su enjuiciamiento" in html  # the judicial basis, a choice label
        assert "pena máx. 120 meses" in html
        assert "Localizar a una persona y proceder a su detención provisional" in html
        assert '<span class="tlp tlp-AMBER">TLP:AMBER</span>' in html
        assert "Judicial data" not in html


def test_a_draft_is_the_same_404_for_other_agencies_in_every_language(
    world, make_notice, client_for
):
    notice = make_notice("draft")
    for headers in ({}, SPANISH, ARABIC):
        for side in (world.partner, world.outsider):
            response = client_for(side.investigator).get(f"/notices/{notice.pk}/", **headers)
            assert response.status_code == 404
            assert b"Smith" not in response.content


def test_the_request_form_offers_its_choices_in_arabic_right_to_left(world, client_for):
    html = client_for(world.owner.investigator).get("/notices/new/", **ARABIC).content.decode()
    assert '<html lang="ar" dir="rtl">' in html
    assert '<option value="RED">نشرة حمراء</option>' in html
    assert '<option value="prosecution">مطلوب للملاحقة القضائية</option>' in html
    assert '<option value="M">ذكر</option>' in html
    assert "<legend>البيانات القضائية (إلزامية للنشرة الحمراء)</legend>" in html
    assert '<option value="AMBER+STRICT">TLP:AMBER+STRICT</option>' in html  # the standard's


def test_pre_check_errors_of_a_refused_submission_read_in_french(world, client_for):
    post = _form_post(action="submit", max_penalty_months="12")
    response = client_for(world.owner.investigator).post("/notices/new/", post, **FRENCH)
    assert response.status_code == 400
    html = response.content.decode()
    block = re.search(r'id="field-max_penalty_months".*?(?=id="field-)', html, re.S).group(0)
    assert "Une notice rouge en vue de poursuites exige une peine maximale" in block
    assert "au moins 2 ans (24 mois)." in block
    assert "Ni soumise ni enregistrée" in html
    assert Notice.objects.count() == 0


def test_the_public_notices_read_in_french_for_anyone(world, make_notice, client):
    make_notice("published", public_extract_consent=True)
    html = client.get("/public/notices/", **FRENCH).content.decode()
    assert "<h1>Notices publiques</h1>" in html
    assert "contactez la police de votre lieu de résidence" in html
    assert "Pays requérant" in html and "Requesting country" not in html
    assert "Notice rouge" in html and "Masculin" in html
