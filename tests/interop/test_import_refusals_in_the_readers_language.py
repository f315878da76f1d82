"""The STIX checks' refusals, the unknown-marking warning and MISP's conversion lines in the
reader's language: the import job's page and CSV translate them when read, the REST report
follows the client's ``Accept-Language``; the property they name stays as STIX spells it."""

from __future__ import annotations

import csv
import io
import uuid

import pytest

from interop import misp, services
from sharing import objects, stix
from sharing.normalize import FIELD_REASON
from tests.interop.misp_data import event
from tests.interop.test_browser_import import start
from tests.stix_objects import stix_bundle, stix_indicator

pytestmark = pytest.mark.django_db
FRENCH = {"HTTP_ACCEPT_LANGUAGE": "fr"}
UNKNOWN = f"marking-definition--{uuid.uuid4()}"
BAD_ID = "id : 'not-a-uuid' ne ressemble pas à un UUID"
NO_PATTERN = "pattern : un motif est requis"
MARKING = f"object_marking_refs : marquage inconnu {UNKNOWN}, gardé en TLP:GREEN"
UNMAPPED = "MISP attribut (text) : sans équivalent STIX 2.1, envoyé comme x-misp-attribute"


@pytest.fixture
def french(catalogue):
    catalogue(
        "fr",
        {
            str(FIELD_REASON): "%(field)s : %(reason)s",
            str(objects.NOT_A_UUID): "%(value)s ne ressemble pas à un UUID",
            str(services.PATTERN_REQUIRED): "un motif est requis",
            str(services.UNKNOWN_MARKING): "marquage inconnu %(ref)s, gardé en TLP:%(tlp)s",
            str(misp.MISP_LINE): "MISP %(item)s : %(reason)s",
            str(misp.ATTRIBUTE): "attribut (%(type)s)",
            str(misp.NO_EQUIVALENT): "sans équivalent STIX 2.1, envoyé comme %(type)s",
        },
    )


def refused_bundle() -> dict:
    """An invalid id, a blank pattern, then an accepted indicator with an unknown marking."""
    return stix_bundle(
        stix_indicator("[domain-name:value = 'id.example']", id="indicator--not-a-uuid"),
        stix_indicator(" "),
        stix_indicator(
            "[domain-name:value = 'marked.example']",
            object_marking_refs=[UNKNOWN, stix.TLP_MARKING_IDS["GREEN"]],
        ),
    )


def reasons(report: bytes) -> list[str]:
    return [row[-1] for row in list(csv.reader(io.StringIO(report.decode())))[1:]]


def test_a_french_reader_reads_an_import_jobs_stix_refusals_and_warning_in_french(
    world, client_for, django_capture_on_commit_callbacks, french
):
    client = client_for(world.owner.investigator)
    url = start(client, world.owner.agency, refused_bundle(), django_capture_on_commit_callbacks)
    english = client.get(url).text
    assert "pattern: a pattern is required" in english
    assert f"object_marking_refs: unknown marking {UNKNOWN}" in english
    page = client.get(url, **FRENCH).text
    assert BAD_ID.replace("'", "&#x27;") in page
    assert NO_PATTERN in page and MARKING in page
    report = client.get(url + "report.csv", **FRENCH).content
    assert reasons(report) == [BAD_ID, NO_PATTERN, MARKING]


def test_a_french_reader_reads_a_misp_imports_unmapped_lines_in_french(
    world, client_for, django_capture_on_commit_callbacks, french
):
    client = client_for(world.owner.investigator)
    url = start(
        client, world.owner.agency, event(), django_capture_on_commit_callbacks, "misp.json"
    )
    english = reasons(client.get(url + "report.csv").content)
    assert "MISP attribute (text): no STIX 2.1 equivalent, sent as x-misp-attribute" in english
    assert UNMAPPED in reasons(client.get(url + "report.csv", **FRENCH).content)


def test_a_french_api_client_reads_a_bad_bundles_reasons_in_french(world, api_client_for, french):
    client = api_client_for(world.owner.investigator, world.owner.agency)
    response = client.post("/api/v1/stix/bundles/", refused_bundle(), format="json", **FRENCH)
    assert response.status_code == 200, response.content
    report = response.json()
    assert [r["reason"] for r in report["rejected"]] == [BAD_ID, NO_PATTERN]
    assert [w["reason"] for w in report["warnings"]] == [MARKING]


def test_an_english_api_client_still_reads_the_reasons_in_english(world, api_client_for, french):
    client = api_client_for(world.owner.investigator, world.owner.agency)
    report = client.post("/api/v1/stix/bundles/", refused_bundle(), format="json").json()
    assert [r["reason"] for r in report["rejected"]] == [
        "id: 'not-a-uuid' is not a UUID",
        "pattern: a pattern is required",
    ]
    assert [w["reason"] for w in report["warnings"]] == [
        f"object_marking_refs: unknown marking {UNKNOWN}; the object is kept at TLP:GREEN."
    ]
