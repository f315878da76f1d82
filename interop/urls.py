from __future__ import annotations

from django.urls import path

from interop import api, taxii, views

urlpatterns = [
    path("taxii2/", taxii.discovery, name="taxii_discovery"),
    path(f"taxii2/{taxii.API_ROOT}/", taxii.api_root, name="taxii_api_root"),
    path(f"taxii2/{taxii.API_ROOT}/status/<str:status_id>/", taxii.status, name="taxii_status"),
    path(f"taxii2/{taxii.API_ROOT}/collections/", taxii.collections, name="taxii_collections"),
    path(
        f"taxii2/{taxii.API_ROOT}/collections/<str:collection_id>/",
        taxii.collection,
        name="taxii_collection",
    ),
    path(
        f"taxii2/{taxii.API_ROOT}/collections/<str:collection_id>/objects/",
        taxii.objects,
        name="taxii_objects",
    ),
    path(
        f"taxii2/{taxii.API_ROOT}/collections/<str:collection_id>/objects/<str:object_id>/",
        taxii.object_detail,
        name="taxii_object",
    ),
    path(
        f"taxii2/{taxii.API_ROOT}/collections/<str:collection_id>/objects/<str:object_id>/versions/",
        taxii.object_versions,
        name="taxii_object_versions",
    ),
    path(
        f"taxii2/{taxii.API_ROOT}/collections/<str:collection_id>/manifest/",
        taxii.manifest,
        name="taxii_manifest",
    ),
    path("correlations/", views.correlations, name="interop_correlations"),
    path("correlations/requests/", views.access_requests, name="interop_requests"),
    path(
        "correlations/indicators/<int:pk>/request/",
        views.request_access,
        name="interop_request_access",
    ),
    path("correlations/inbox/<int:pk>/", views.inbox_detail, name="interop_inbox_detail"),
    path("correlations/inbox/<int:pk>/share/", views.inbox_share, name="interop_inbox_share"),
    path("correlations/inbox/<int:pk>/decline/", views.inbox_decline, name="interop_inbox_decline"),
]

api_urlpatterns = [
    path("stix/export/", api.StixExportView.as_view(), name="api_stix_export"),
    path("stix/bundles/", api.StixImportView.as_view(), name="api_stix_bundles"),
    path("correlations/lookup/", api.LookupView.as_view(), name="api_correlation_lookup"),
    path(
        "correlations/indicators/<int:pk>/",
        api.IndicatorCorrelationView.as_view(),
        name="api_indicator_correlations",
    ),
    path("access-requests/", api.AccessRequestListCreateView.as_view(), name="api_access_requests"),
    path(
        "access-requests/<int:pk>/",
        api.AccessRequestDetailView.as_view(),
        name="api_access_request",
    ),
    path("access-requests/inbox/", api.InboxView.as_view(), name="api_access_inbox"),
    path(
        "access-requests/inbox/<int:pk>/",
        api.InboxDetailView.as_view(),
        name="api_access_inbox_item",
    ),
    path(
        "access-requests/inbox/<int:pk>/share/",
        api.InboxShareView.as_view(),
        name="api_access_inbox_share",
    ),
    path(
        "access-requests/inbox/<int:pk>/decline/",
        api.InboxDeclineView.as_view(),
        name="api_access_inbox_decline",
    ),
]
