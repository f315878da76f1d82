"""Notification centre pages (mounted at /notifications/) and its REST API (at /api/v1/)."""

from __future__ import annotations

from django.urls import include, path

from notifications import api, views

html = [
    path("", views.notification_list, name="list"),
    path("read/", views.notifications_read_all, name="read-all"),
    path("settings/", views.digest_settings, name="settings"),
    path("<int:pk>/read/", views.notification_read, name="read"),
]

urlpatterns = [path("notifications/", include((html, "notifications")))]

api_urlpatterns = [
    path("notifications/", api.NotificationListView.as_view(), name="api_notifications"),
    path(
        "notifications/<int:pk>/read/",
        api.NotificationReadView.as_view(),
        name="api_notification_read",
    ),
]
