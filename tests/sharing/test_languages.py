"""The sharing pages in the reader's language: labels, choices and delivery errors follow
Accept-Language (Spanish, Arabic), TLP labels stay as the standard writes them, what another
agency holds stays a 404 in every language, and an API client that names no language gets
English."""

from __future__ import annotations

from django.utils import translation

from sharing import services
from sharing.delivery import error_in_words
from tests.sharing.conftest import add
from tests.sharing.test_delivery_errors_in_words import _closed_port, _deliver_once

SPANISH = {"HTTP_ACCEPT_LANGUAGE": "es"}
ARABIC = {"HTTP_ACCEPT_LANGUAGE": "ar"}


def test_the_indicator_list_speaks_spanish_and_keeps_the_tlp_label_as_the_standard_writes_it(
    world, shared, client_for
):
    owner = client_for(world.owner.analyst).get("/indicators/", **SPANISH).content.decode()
    assert '<html lang="es" dir="ltr">' in owner
    assert "<h1>Indicadores</h1>" in owner
    assert "Propietario" in owner and "Dirección IPv4" in owner and "Nombre de dominio" in owner
    assert "TLP:AMBER" in owner and "Owner" not in owner
    partner = client_for(world.partner.analyst).get("/indicators/", **SPANISH).content.decode()
    assert "Dirección IPv4" in partner and "evil.example" not in partner
    outsider = client_for(world.outsider.analyst).get("/indicators/", **SPANISH)
    assert "No se ha encontrado ningún indicador." in outsider.content.decode()


def test_an_indicator_hidden_from_the_reader_is_the_same_404_in_every_language(
    world, shared, client_for
):
    url = f"/indicators/{shared[1].pk}/"  # the owner's private domain
    for headers in ({}, SPANISH, ARABIC):
        for user in (world.partner.analyst, world.outsider.analyst):
            response = client_for(user).get(url, **headers)
            assert response.status_code == 404
            assert b"evil.example" not in response.content


def test_choice_labels_are_translated_in_the_options_of_a_form(world, client_for):
    html = client_for(world.owner.investigator).get("/indicators/add/", **SPANISH)
    page = html.content.decode()
    assert '<option value="ipv4">Dirección IPv4</option>' in page
    assert '<option value="" selected>Detectar en cada línea</option>' in page
    assert '<option value="AMBER+STRICT">TLP:AMBER+STRICT</option>' in page  # the standard's words
    assert '<option value="RED">PAP:RED</option>' in page


def test_a_delivery_error_reads_in_arabic_on_the_deliveries_page(world, eu_agreement, client_for):
    sent = _deliver_once(world, f"http://127.0.0.1:{_closed_port()}/", "192.0.2.140")
    with translation.override("ar"):
        assert error_in_words(sent.last_error) == "رفض الشريك الاتصال"
    url = f"/agencies/{world.partner.agency.code}/deliveries/"
    html = client_for(world.partner.admin).get(url, **ARABIC).content.decode()
    assert '<html lang="ar" dir="rtl">' in html
    latest = html[html.index('id="latest-errors"') :]
    assert "رفض الشريك الاتصال" in latest and "Connection refused by partner" not in latest
    for user in (world.owner.admin, world.outsider.admin):
        response = client_for(user).get(url, **ARABIC)
        assert response.status_code == 404
        assert "رفض الشريك الاتصال".encode() not in response.content


def test_a_share_refused_in_the_dialog_says_why_in_spanish(world, client_for):
    (indicator,) = add(world.owner, ("ipv4", "192.0.2.141"), tlp="AMBER+STRICT")
    response = client_for(world.owner.investigator).post(
        f"/indicators/share/?ids={indicator.pk}",
        {"ids": [indicator.pk], "agencies": [world.partner.agency.pk], "action": "preview"},
        **SPANISH,
    )
    assert response.status_code == 400
    assert "no pueden salir de la agencia propietaria" in response.content.decode()


def test_an_api_client_that_names_no_language_gets_english(world, api_client_for):
    (indicator,) = add(world.owner, ("ipv4", "192.0.2.142"), tlp="AMBER+STRICT")
    api = api_client_for(world.owner.investigator, world.owner.agency)
    url = f"/api/v1/indicators/{indicator.pk}/shares/"
    body = {"agencies": [world.partner.agency.code]}
    english = api.post(url, body, format="json")
    assert english.status_code == 400
    expected = services.STRICT_STAYS.format(codes="192.0.2.142")
    assert expected in str(english.json())
    spanish = api.post(url, body, format="json", HTTP_ACCEPT_LANGUAGE="es")
    assert spanish.status_code == 400 and "TLP:AMBER+STRICT" in str(spanish.json())
    assert "no pueden salir de la agencia propietaria" in str(spanish.json())
