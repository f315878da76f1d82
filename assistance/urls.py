"""Assistance request pages (mounted at /assistance/) and the REST API (at /api/v1/)."""

from __future__ import annotations

from django.urls import include, path

from assistance import api, views

html = [
    path("", views.inbox, name="inbox"),
    path("notifications/read/", views.notifications_read, name="notifications-read"),
    path("cases/<int:pk>/", views.case_requests, name="case"),
    path("cases/<int:pk>/new/", views.request_create, name="create"),
    path("<int:pk>/", views.request_detail, name="detail"),
    path("<int:pk>/<str:action>/", views.request_action, name="action"),
    path(
        "<int:pk>/responses/<int:rid>/download/",
        views.response_download,
        name="response-download",
    ),
    path(
        "<int:pk>/attachments/<int:aid>/download/",
        views.attachment_download,
        name="attachment-download",
    ),
]

urlpatterns = [path("assistance/", include((html, "assistance")))]

ACTIONS: dict[str, type[api.APIView]] = {
    "send": api.SendView,
    "acknowledge": api.AcknowledgeView,
    "start": api.StartView,
    "preserve": api.PreserveView,
    "extend": api.ExtendView,
    "respond": api.RespondView,
    "refuse": api.RefuseView,
    "withdraw": api.WithdrawView,
    "release": api.ReleaseView,
    "no-grounds": api.NoGroundsView,
}

api_urlpatterns = [
    path("assistance-requests/", api.RequestListView.as_view(), name="api_assistance_requests"),
    path(
        "assistance-requests/<int:pk>/",
        api.RequestDetailView.as_view(),
        name="api_assistance_request",
    ),
    *(
        path(
            f"assistance-requests/<int:pk>/{action}/",
            view.as_view(),
            name=f"api_assistance_request_{action.replace('-', '_')}",
        )
        for action, view in ACTIONS.items()
    ),
    path(
        "assistance-requests/<int:pk>/attachments/",
        api.AttachmentView.as_view(),
        name="api_assistance_request_attachments",
    ),
    path(
        "assistance-requests/<int:pk>/attachments/<int:aid>/download/",
        api.AttachmentDownloadView.as_view(),
        name="api_assistance_attachment_download",
    ),
    path(
        "assistance-requests/<int:pk>/responses/<int:rid>/download/",
        api.ResponseDownloadView.as_view(),
        name="api_assistance_response_download",
    ),
]
