"""URLs of the sharing pages and of its REST API (mounted under /api/v1/)."""

from __future__ import annotations

from django.urls import path

from sharing import api, bulk_views, correlation_urls, views

urlpatterns = [
    path("indicators/", views.indicator_list, name="indicator_list"),
    path("indicators/add/", views.indicator_add, name="indicator_add"),
    path("indicators/add/jobs/<str:job_id>/", bulk_views.bulk_job, name="bulk_job"),
    path(
        "indicators/add/jobs/<str:job_id>/retry/",
        bulk_views.bulk_job_retry,
        name="bulk_job_retry",
    ),
    path(
        "indicators/add/jobs/<str:job_id>/progress/",
        bulk_views.bulk_job_progress,
        name="bulk_job_progress",
    ),
    path(
        "indicators/add/jobs/<str:job_id>/report.csv",
        bulk_views.bulk_job_csv,
        name="bulk_job_csv",
    ),
    path("indicators/share/", views.indicator_share, name="indicator_share"),
    path("indicators/<int:pk>/", views.indicator_detail, name="indicator_detail"),
    path("indicators/<int:pk>/revoke/", views.indicator_revoke, name="indicator_revoke"),
    path(
        "indicators/<int:pk>/shares/<int:share_pk>/withdraw/",
        views.share_withdraw,
        name="share_withdraw",
    ),
    path("agencies/<str:code>/endpoints/", views.endpoints, name="sharing_endpoints"),
    path(
        "agencies/<str:code>/endpoints/<int:pk>/active/",
        views.endpoint_active,
        name="sharing_endpoint_active",
    ),
    path(
        "agencies/<str:code>/endpoints/<int:pk>/retry/",
        views.endpoint_retry,
        name="sharing_endpoint_retry",
    ),
    path("agencies/<str:code>/deliveries/", views.dashboard, name="sharing_dashboard"),
]

api_urlpatterns = [
    path("indicators/", api.IndicatorListCreateView.as_view(), name="api_indicators"),
    path("indicators/<int:pk>/", api.IndicatorDetailView.as_view(), name="api_indicator"),
    path(
        "indicators/<int:pk>/shares/",
        api.IndicatorSharesView.as_view(),
        name="api_indicator_shares",
    ),
    path(
        "indicators/<int:pk>/shares/<int:share_pk>/withdraw/",
        api.ShareWithdrawView.as_view(),
        name="api_share_withdraw",
    ),
    path(
        "indicators/<int:pk>/revoke/",
        api.IndicatorRevokeView.as_view(),
        name="api_indicator_revoke",
    ),
    path("shares/", api.BulkShareView.as_view(), name="api_shares"),
    path(
        "partner-endpoints/",
        api.PartnerEndpointListCreateView.as_view(),
        name="api_partner_endpoints",
    ),
    path(
        "partner-endpoints/<int:pk>/",
        api.PartnerEndpointDetailView.as_view(),
        name="api_partner_endpoint",
    ),
    path(
        "partner-endpoints/<int:pk>/retry/",
        api.PartnerEndpointRetryView.as_view(),
        name="api_partner_endpoint_retry",
    ),
    path("deliveries/", api.DeliveryListView.as_view(), name="api_deliveries"),
    path("deliveries/<int:pk>/", api.DeliveryDetailView.as_view(), name="api_delivery"),
]

# Correlation and access requests keep their own routes module (their paths predate the move).
urlpatterns += correlation_urls.urlpatterns
api_urlpatterns += correlation_urls.api_urlpatterns
