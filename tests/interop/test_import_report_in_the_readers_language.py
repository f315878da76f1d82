"""An import's refusals in the reader's language: a worker writes the report, so the job's
page and CSV translate each reason when read, and the REST report follows the client's
``Accept-Language``."""

from __future__ import annotations

import csv
import io

import pytest

from sharing import ingest
from tests.interop.test_browser_import import start
from tests.stix_objects import stix_bundle, stix_indicator

pytestmark = pytest.mark.django_db
FRENCH = {"HTTP_ACCEPT_LANGUAGE": "fr"}
IN_FRENCH = "confidence : Un entier de 0 à 100 est requis."


@pytest.fixture
def french(catalogue):
    catalogue(
        "fr",
        {
            "%(field)s: %(reason)s": "%(field)s : %(reason)s",
            str(ingest.CONFIDENCE): "Un entier de 0 à 100 est requis.",
            str(ingest.VALID_UNTIL_NOT_LATER): "valid_until doit suivre valid_from.",
        },
    )


def overconfident() -> dict:
    return stix_bundle(stix_indicator("[domain-name:value = 'sure.example']", confidence=101))


def test_a_french_reader_reads_an_imports_validity_window_refusal_in_french(
    world, client_for, django_capture_on_commit_callbacks, french
):
    late = stix_indicator(
        "[domain-name:value = 'late.example']",
        valid_from="2026-02-01T00:00:00Z",
        valid_until="2026-01-01T00:00:00Z",
    )
    client = client_for(world.owner.investigator)
    url = start(client, world.owner.agency, stix_bundle(late), django_capture_on_commit_callbacks)
    assert "valid_until : valid_until doit suivre valid_from." in client.get(url, **FRENCH).text


def test_a_french_reader_reads_an_import_jobs_reasons_in_french(
    world, client_for, django_capture_on_commit_callbacks, french
):
    client = client_for(world.owner.investigator)
    url = start(client, world.owner.agency, overconfident(), django_capture_on_commit_callbacks)
    assert "confidence: An integer from 0 to 100 is required." in client.get(url).text
    assert IN_FRENCH in client.get(url, **FRENCH).text
    report = client.get(url + "report.csv", **FRENCH).content.decode()
    assert list(csv.reader(io.StringIO(report)))[1][-1] == IN_FRENCH


def test_the_rest_import_report_follows_the_clients_language(world, api_client_for, french):
    client = api_client_for(world.owner.investigator, world.owner.agency)
    response = client.post("/api/v1/stix/bundles/", overconfident(), format="json", **FRENCH)
    assert response.status_code == 200, response.content
    assert [r["reason"] for r in response.json()["rejected"]] == [IN_FRENCH]
