"""The enforcing authority's window and a preservation's end in the reader's language and
date format (never ``2026-03-14``): the refusals name the moment in UTC, the follow-up choice
names the day the data are preserved until."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone, translation
from django.utils.formats import date_format

from assistance import forms, services
from assistance.models import AssistanceRequest, Instrument, RefusalGrounds
from common.errors import StateConflict
from tests.assistance.conftest import produce, sent
from tests.assistance.test_request_enforcing_authority import notified

pytestmark = pytest.mark.django_db


def in_french(moment: dt.datetime, format: str) -> str:
    with translation.override("fr"):
        return date_format(moment, format)


def test_a_french_provider_waiting_for_the_authority_reads_the_end_in_french(aw, catalogue):
    catalogue("fr", {services.ENFORCING_PENDING: "{agency} peut refuser jusqu'au {end}."})
    order = notified(aw)
    end = order.enforcing_window_ends.astimezone(dt.UTC)
    expected = f"NL-NHTCU peut refuser jusqu'au {in_french(end, 'SHORT_DATETIME_FORMAT')} UTC."
    with translation.override("fr"), pytest.raises(StateConflict, match=re.escape(expected)):
        produce(aw, order)


def test_a_french_authority_too_late_reads_the_end_in_french(aw, catalogue):
    catalogue("fr", {services.ENFORCING_WINDOW_OVER: "Le délai a pris fin le {end}."})
    order = notified(aw)
    AssistanceRequest.objects.filter(pk=order.pk).update(
        enforcing_notified_at=timezone.now() - dt.timedelta(days=10, minutes=1)
    )
    order.refresh_from_db()
    end = order.enforcing_window_ends.astimezone(dt.UTC)
    expected = f"Le délai a pris fin le {in_french(end, 'SHORT_DATETIME_FORMAT')} UTC."
    with translation.override("fr"), pytest.raises(StateConflict, match=re.escape(expected)):
        services.request_refuse(
            actor=aw.partner.investigator, request=order, grounds=RefusalGrounds.NE_BIS_IN_IDEM
        )


def test_a_french_requester_chooses_a_preservation_by_its_french_end(aw, catalogue):
    catalogue(
        "fr",
        {
            "#%(number)s to %(addressee)s (%(status)s, preserved until %(until)s)": (
                "n° %(number)s à %(addressee)s (%(status)s, conservé jusqu'au %(until)s)"
            )
        },
    )
    preservation = services.request_preserve(
        actor=aw.liaison, request=sent(aw, instrument=Instrument.EPOC_PR), reference="HB-1"
    )
    form = forms.RequestForm(
        bases=[], preservations=AssistanceRequest.objects.filter(pk=preservation.pk)
    )
    with translation.override("fr"):
        (label,) = [str(label) for value, label in form.fields["follow_up_of"].choices if value]
        status = preservation.get_status_display()
    until = in_french(timezone.localtime(preservation.preserved_until), "SHORT_DATE_FORMAT")
    assert label == (
        f"n° {preservation.pk} à {preservation.addressee.code} ({status}, "
        f"conservé jusqu'au {until})"
    )
