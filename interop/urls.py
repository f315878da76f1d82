"""Routes of the TAXII 2.1 server, the STIX object pages and the STIX and object APIs."""

from __future__ import annotations

from django.urls import path, re_path

from interop import api, import_views, misp_api, taxii, views

urlpatterns = [
    path("objects/", views.stix_object_list, name="stix_object_list"),
    path("objects/import/", import_views.import_new, name="stix_import"),
    path("objects/import/<str:job_id>/", import_views.import_job, name="stix_import_job"),
    path(
        "objects/import/<str:job_id>/progress/",
        import_views.import_job_progress,
        name="stix_import_job_progress",
    ),
    path(
        "objects/import/<str:job_id>/report.csv",
        import_views.import_job_csv,
        name="stix_import_job_csv",
    ),
    path("objects/<int:pk>/", views.stix_object_detail, name="stix_object_detail"),
    path("objects/<int:pk>/revoke/", views.stix_object_revoke, name="stix_object_revoke"),
    path(
        "objects/<int:pk>/shares/<int:share_pk>/withdraw/",
        views.stix_object_share_withdraw,
        name="stix_object_share_withdraw",
    ),
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
    # Last: every other path under /taxii2/ answers a TAXII error object, not Django's page.
    re_path(r"^taxii2/(?P<path>.*)$", taxii.not_found, name="taxii_not_found"),
]

api_urlpatterns = [
    path("stix/export/", api.StixExportView.as_view(), name="api_stix_export"),
    path("stix/bundles/", api.StixImportView.as_view(), name="api_stix_bundles"),
    path(
        "stix/extension-schema/",
        api.StixExtensionSchemaView.as_view(),
        name="api_stix_extension_schema",
    ),
    path("misp/events/", misp_api.MispEventsImportView.as_view(), name="api_misp_events"),
    path(
        "misp/feed/manifest.json",
        misp_api.MispFeedManifestView.as_view(),
        name="api_misp_feed_manifest",
    ),
    path(
        "misp/feed/hashes.csv", misp_api.MispFeedHashesView.as_view(), name="api_misp_feed_hashes"
    ),
    path(
        "misp/feed/<uuid:event_uuid>.json",
        misp_api.MispFeedEventView.as_view(),
        name="api_misp_feed_event",
    ),
    path("objects/", api.StixObjectListView.as_view(), name="api_stix_objects"),
    path("objects/<int:pk>/", api.StixObjectDetailView.as_view(), name="api_stix_object"),
    path(
        "objects/<int:pk>/shares/",
        api.StixObjectSharesView.as_view(),
        name="api_stix_object_shares",
    ),
    path(
        "objects/<int:pk>/shares/<int:share_pk>/withdraw/",
        api.StixObjectShareWithdrawView.as_view(),
        name="api_stix_object_share_withdraw",
    ),
    path(
        "objects/<int:pk>/revoke/",
        api.StixObjectRevokeView.as_view(),
        name="api_stix_object_revoke",
    ),
]
