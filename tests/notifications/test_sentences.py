"""A notification is stored as its kind and parameters and written when read: in the reader's
language (labels translated then), dates in the reader's time zone, never a repr or a code."""

from __future__ import annotations

import pytest
from django.utils import timezone, translation

from notifications import sentences
from notifications.models import Notification

Kind = Notification.Kind


def test_every_kind_has_a_sentence():
    written = {kind for kind, _variant in sentences.SENTENCES}
    assert written == set(Kind.values)


def test_labels_are_translated_when_read_not_when_stored(monkeypatch):
    french = {"Red notice": "Notice rouge", "Acknowledged": "Accusée"}
    monkeypatch.setattr(sentences, "gettext", lambda text: french.get(text, text))
    params = {"variant": "published", "type_label": "Red notice", "notice": 3, "name": "X"}
    assert sentences.sentence(Kind.NOTICE_REVIEW, params) == "Your Notice rouge was published."
    status = {"request": 5, "addressee": "NL-HOST", "status_label": "Acknowledged"}
    assert sentences.sentence(Kind.ASSISTANCE_STATUS, status) == (
        "Request #5 to NL-HOST is now accusée."
    )


def test_a_label_is_stored_as_written_in_the_code_whatever_language_is_active():
    label = Notification.Kind.JIT_INVITATION.label
    with translation.override("fr"):
        assert sentences.source_label(label) == "JIT invitation"


def test_dates_are_shown_in_the_readers_time_zone_and_format():
    params = {"request": 5, "due_at": "2026-12-03T10:00:00+00:00"}
    with timezone.override("Europe/Berlin"):
        english = sentences.sentence(Kind.ASSISTANCE_DEADLINE, params)
        with translation.override("fr"):
            french = sentences.sentence(Kind.ASSISTANCE_DEADLINE, params)
    assert english == "Request #5 is due 03/12/2026 11 a.m. CET."
    assert "03/12/2026 11:00 CET" in french and "2026-12-03" not in french


def test_a_day_is_shown_in_the_readers_format():
    params = {"type_label": "Red notice", "notice": 3, "name": "X", "expires_on": "2026-12-31"}
    with translation.override("ar"):
        arabic = sentences.sentence(Kind.NOTICE_EXPIRY_REMINDER, params)
    assert "31\u200f/12\u200f/2026" in arabic and "2026-12-31" not in arabic


@pytest.mark.parametrize("params", [{}, {"variant": "unknown"}, {"variant": []}, {"due": 1}])
def test_a_sentence_that_cannot_be_written_falls_back_to_the_kinds_label(params):
    label = Kind.ASSISTANCE_OVERDUE.label
    assert sentences.sentence(Kind.ASSISTANCE_OVERDUE, params, fallback=label) == label


def test_rows_from_before_the_centre_keep_their_text():
    row = Notification(kind=Kind.NOTICE_REVIEW, params={"message": "NL notice refused"})
    assert row.sentence == "NL notice refused"


def test_in_arabic_each_value_keeps_its_own_order_inside_the_sentence():
    params = {"type_label": "Red notice", "notice": 6, "name": "Petra NOVAK", "expires_on": ""}
    with translation.override("ar"):
        text = sentences.sentence(Kind.NOTICE_EXPIRY_REMINDER, params)
    assert "\u2068Petra NOVAK\u2069" in text and "\u20686\u2069" in text
    with translation.override("fr"):
        text = sentences.sentence(Kind.NOTICE_EXPIRY_REMINDER, params)
    assert "\u2068" not in text and "Petra NOVAK" in text
