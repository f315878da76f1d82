"""Routes of the correlation and access-request pages and API (paths kept from interop)."""

from __future__ import annotations

from django.urls import path

from sharing import correlation_api as api
from sharing import correlation_views as views

urlpatterns = [
    path("correlations/", views.correlations, name="correlations"),
    path("correlations/requests/", views.requests_page, name="access_requests"),
    path(
        "correlations/indicators/<int:pk>/request/",
        views.request_access,
        name="access_request_new",
    ),
    path("correlations/inbox/<int:pk>/", views.inbox_detail, name="access_inbox_detail"),
    path("correlations/inbox/<int:pk>/share/", views.inbox_share, name="access_inbox_share"),
    path("correlations/inbox/<int:pk>/decline/", views.inbox_decline, name="access_inbox_decline"),
]

api_urlpatterns = [
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
