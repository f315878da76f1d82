"""URLs of the transparency log's proofs (its checkpoints and HTML page: ``agencies.urls``)."""

from __future__ import annotations

from django.urls import URLPattern, path

from audit import api

urlpatterns: list[URLPattern] = []

api_urlpatterns = [
    path(
        "transparency/proof/inclusion",
        api.InclusionProofView.as_view(),
        name="api_log_inclusion",
    ),
    path(
        "transparency/proof/consistency",
        api.ConsistencyProofView.as_view(),
        name="api_log_consistency",
    ),
    path("transparency/entries", api.EntriesView.as_view(), name="api_log_entries"),
    path("transparency/entries/<int:index>", api.EntryView.as_view(), name="api_log_entry"),
]
