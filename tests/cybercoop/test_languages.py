"""The interface speaks the reader's language: the browser's Accept-Language chooses among
English, French, Spanish and Arabic, the footer's switcher overrides it with a cookie (and only
sends the reader back to a page of this site), and the API answers English to a client that asks
for no language."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.utils import formats, translation

from cases.models import Case

SIDES = ["owner", "partner", "outsider"]
H3_WITHOUT_TEXT = {"title": "x", "tlp": "AMBER", "handling_code": "H3"}


@pytest.mark.parametrize("side", SIDES)
def test_a_french_browser_gets_the_case_list_in_french(world, client_for, side):
    client = client_for(getattr(world, side).investigator)
    page = client.get("/cases/", HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9,en;q=0.5")
    text = page.content.decode()
    assert page.status_code == 200
    assert '<html lang="fr" dir="ltr">' in text
    assert "<h1>Affaires " in text and "Ouvrir une affaire" in text
    assert "Open a case" not in text and ">Cases<" not in text
    assert page["Content-Language"] == "fr"


@pytest.mark.parametrize("side", SIDES)
def test_an_arabic_browser_gets_a_right_to_left_page_in_arabic(world, client_for, side):
    page = client_for(getattr(world, side).investigator).get("/", HTTP_ACCEPT_LANGUAGE="ar")
    text = page.content.decode()
    assert page.status_code == 200
    assert '<html lang="ar" dir="rtl">' in text
    assert "أجهزتك" in text  # "Your agencies"
    assert "Your agencies" not in text


def test_a_browser_without_a_language_of_ours_gets_british_english(world, client_for):
    page = client_for(world.owner.investigator).get("/cases/", HTTP_ACCEPT_LANGUAGE="de, ja")
    assert '<html lang="en-gb" dir="ltr">' in page.content.decode()
    assert "Open a case" in page.content.decode()


def test_the_switcher_sets_the_language_cookie_and_goes_back_to_the_page(world, client_for):
    client = client_for(world.owner.investigator)
    response = client.post("/i18n/setlang/", {"language": "es", "next": "/cases/?status=open"})
    assert response.status_code == 302 and response["Location"] == "/cases/?status=open"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    # The cookie wins over the browser's Accept-Language on the next pages.
    page = client.get("/cases/", HTTP_ACCEPT_LANGUAGE="fr")
    assert '<html lang="es" dir="ltr">' in page.content.decode()
    assert "Abrir un caso" in page.content.decode()


@pytest.mark.parametrize(
    "unsafe", ["https://evil.example/cases/", "//evil.example/", "javascript:alert(1)"]
)
def test_the_switcher_never_sends_the_reader_to_another_site(world, client_for, unsafe):
    client = client_for(world.owner.investigator)
    response = client.post("/i18n/setlang/", {"language": "fr", "next": unsafe})
    assert response.status_code == 302 and response["Location"] == "/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fr"


def test_the_switcher_ignores_a_language_we_do_not_have(world, client_for):
    client = client_for(world.owner.investigator)
    response = client.post("/i18n/setlang/", {"language": "xx", "next": "/cases/"})
    assert response.status_code == 302
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_the_footer_offers_the_four_languages_each_named_in_itself(world, client_for):
    text = client_for(world.owner.investigator).get("/").content.decode()
    for code, name in [("en-gb", "British English"), ("fr", "Français"), ("es", "Español")]:
        assert f'<option value="{code}" lang="{code}"' in text and f">{name}</option>" in text
    assert '<option value="ar" lang="ar">' in text and "العربيّة</option>" in text


def test_an_api_client_that_asks_for_no_language_gets_english(world, api_client_for):
    client = api_client_for(world.owner.investigator, world.owner.agency)
    response = client.post("/api/v1/cases/", H3_WITHOUT_TEXT, format="json")
    assert response.status_code == 400
    assert response.json()["handling_text"] == ["Handling code H3 needs the restriction in words."]
    assert response["Content-Language"] == "en-gb"
    assert not Case.objects.exists()


def test_an_api_client_that_asks_for_french_gets_the_same_error_in_french(world, api_client_for):
    client = api_client_for(world.owner.investigator, world.owner.agency)
    response = client.post(
        "/api/v1/cases/", H3_WITHOUT_TEXT, format="json", HTTP_ACCEPT_LANGUAGE="fr"
    )
    assert response.status_code == 400
    assert response.json()["handling_text"] == [
        "Le code de traitement H3 exige que la restriction soit formulée en toutes lettres."
    ]
    assert not Case.objects.exists()


def test_an_arabic_date_and_time_reads_day_first_as_an_arabic_date_does():
    moment = dt.datetime(2026, 12, 4, 16, 43)
    with translation.override("ar"):
        short = formats.date_format(moment, "SHORT_DATETIME_FORMAT")
        long = formats.date_format(moment, "DATETIME_FORMAT")
        day = formats.date_format(moment, "SHORT_DATE_FORMAT")
    assert short.startswith(day) and short.replace("\u200f", "").startswith("04/12/2026")
    assert "2026" in long and "12/04" not in long
