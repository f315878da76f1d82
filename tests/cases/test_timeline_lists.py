"""The case timeline names a share's recipients as one list, joined by the reader's list
separator (Arabic's "، "), not a fixed ASCII comma."""

from __future__ import annotations

from django.utils import translation

from audit.models import AuditEvent
from cases import timeline
from cases.models import Case


def _recipients(summary: dict) -> str:
    event = AuditEvent(object_type="sharing.share", action="indicator.shared", summary=summary)
    names = timeline._Names(case=Case(pk=1, reference="C-1"), jits={}, evidence={}, tasks={})
    return str(timeline._places(event, names)["agency"])


def test_a_shares_recipients_are_joined_by_the_readers_list_separator(catalogue):
    catalogue("ar", {"list separator\x04, ": "، "})
    summary = {"agencies": ["FR-OCLCTIC", "NL-NHTCU"], "jurisdictions": ["DE"]}
    with translation.override("ar"):
        assert _recipients(summary) == "<strong>FR-OCLCTIC، NL-NHTCU، DE</strong>"
    with translation.override("en"):
        assert _recipients(summary) == "<strong>FR-OCLCTIC, NL-NHTCU, DE</strong>"
