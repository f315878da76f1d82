"""An endpoint that answered 410 Gone turned itself off: its pages say so in the reader's
language and date format (the stored reason stays as written, for the record)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation
from django.utils.formats import date_format

from agencies.models import PartnerEndpoint
from sharing import services

pytestmark = pytest.mark.django_db
GONE_AT = dt.datetime(2026, 3, 14, 9, 5, tzinfo=dt.UTC)


@pytest.fixture
def gone(world) -> PartnerEndpoint:
    endpoint, _ = services.endpoint_create(
        actor=world.partner.admin, agency=world.partner.agency, name="x", url="http://127.0.0.1:9/"
    )
    PartnerEndpoint.objects.filter(pk=endpoint.pk).update(
        active=False,
        gone_at=GONE_AT,
        disabled_reason="Disabled at 2026-03-14 09:05 UTC: it answered 410 Gone.",
    )
    return endpoint


@pytest.mark.parametrize("page", ["endpoints", "deliveries"])
def test_a_french_admin_reads_when_the_endpoint_went_in_french(
    world, client_for, gone, catalogue, page
):
    catalogue(
        "fr",
        {"Disabled at %(when)s: it answered 410 Gone.": "Désactivé le %(when)s : 410 Gone."},
    )
    with translation.override("fr"):
        when = date_format(GONE_AT, "SHORT_DATETIME_FORMAT")
    client = client_for(world.partner.admin)
    text = client.get(f"/agencies/NL-NHTCU/{page}/", HTTP_ACCEPT_LANGUAGE="fr").text
    assert f"Désactivé le {when} UTC : 410 Gone." in text
    assert "2026-03-14" not in text


def test_reactivating_an_endpoint_forgets_when_it_went(world, gone):
    endpoint = services.endpoint_update(actor=world.partner.admin, endpoint=gone, active=True)
    assert (endpoint.active, endpoint.gone_at, endpoint.disabled_reason) == (True, None, "")
