from __future__ import annotations

from django.urls import path

from notices import api, views

urlpatterns = [
    path("notices/", views.notice_list, name="notice_list"),
    path("notices/new/", views.notice_new, name="notice_new"),
    path("notices/review/", views.review_queue, name="notice_review_queue"),
    path("notices/notifications/", views.notifications, name="notice_notifications"),
    path(
        "notices/notifications/<int:pk>/read/",
        views.notification_read,
        name="notice_notification_read",
    ),
    path("notices/<int:pk>/", views.notice_detail, name="notice_detail"),
    path("notices/<int:pk>/edit/", views.notice_edit, name="notice_edit"),
    path("notices/<int:pk>/submit/", views.notice_submit, name="notice_submit"),
    path("notices/<int:pk>/cancel/", views.notice_cancel, name="notice_cancel"),
    path("notices/<int:pk>/renew/", views.notice_renew, name="notice_renew"),
    path("notices/<int:pk>/review/start/", views.notice_review_start, name="notice_review_start"),
    path("notices/<int:pk>/review/", views.notice_review, name="notice_review"),
    path("notices/<int:pk>/withdraw/", views.notice_withdraw, name="notice_withdraw"),
    path("notices/<int:pk>/photos/<int:photo_pk>/", views.notice_photo, name="notice_photo"),
    path("public/notices/", views.public_list, name="public_notices"),
]

api_urlpatterns = [
    path("notices/", api.NoticeListView.as_view(), name="api_notices"),
    path(
        "notices/notifications/",
        api.NotificationListView.as_view(),
        name="api_notice_notifications",
    ),
    path("notices/<int:pk>/", api.NoticeDetailView.as_view(), name="api_notice"),
    path("notices/<int:pk>/submit/", api.NoticeSubmitView.as_view(), name="api_notice_submit"),
    path("notices/<int:pk>/review/", api.NoticeReviewView.as_view(), name="api_notice_review"),
    path("notices/<int:pk>/cancel/", api.NoticeCancelView.as_view(), name="api_notice_cancel"),
    path(
        "notices/<int:pk>/withdraw/", api.NoticeWithdrawView.as_view(), name="api_notice_withdraw"
    ),
    path("notices/<int:pk>/renew/", api.NoticeRenewView.as_view(), name="api_notice_renew"),
    path("public/notices/", api.PublicNoticeListView.as_view(), name="api_public_notices"),
]
