"""A notice's history names the changed fields as one list, joined by the reader's list
separator (Arabic's "، "), not a fixed ASCII comma."""

from __future__ import annotations

from django.utils import translation

from notices import history


def test_the_changed_fields_are_joined_by_the_readers_list_separator(catalogue):
    catalogue("ar", {"list separator\x04, ": "، "})
    summary = {"fields": ["unknown_one", "unknown_two"]}
    with translation.override("ar"):
        (line,) = history._details(summary)
    assert "Unknown one، Unknown two" in line
    with translation.override("en"):
        assert history._details(summary) == ["Changed: Unknown one, Unknown two"]
