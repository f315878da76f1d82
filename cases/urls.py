"""Case pages (mounted at /) and the case REST API (mounted at /api/v1/)."""

from __future__ import annotations

from django.urls import include, path

from cases import api, views

app_name_html = "cases"

html = [
    path("", views.case_list, name="list"),
    path("new/", views.case_create, name="create"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/edit/", views.case_edit, name="edit"),
    path("<int:pk>/timeline/", views.case_timeline, name="timeline"),
    path("<int:pk>/evidence/new/", views.evidence_upload, name="evidence-upload"),
    path("<int:pk>/tasks/new/", views.task_create, name="task-create"),
    path("<int:pk>/notes/new/", views.note_add, name="note-add"),
    path("<int:pk>/jits/new/", views.jit_create, name="jit-create"),
    path("evidence/<int:pk>/", views.evidence_detail, name="evidence-detail"),
    path("evidence/<int:pk>/download/", views.evidence_download, name="evidence-download"),
    path("evidence/<int:pk>/verify/", views.evidence_verify, name="evidence-verify"),
    path("evidence/<int:pk>/custody/", views.evidence_custody, name="evidence-custody"),
    path("evidence/<int:pk>/receipt.json", views.evidence_receipt, name="evidence-receipt"),
    path(
        "evidence/<int:pk>/custody/<int:event_pk>/receipt.json",
        views.custody_event_receipt,
        name="custody-event-receipt",
    ),
    path("tasks/<int:pk>/status/", views.task_status, name="task-status"),
    path("jits/<int:pk>/", views.jit_detail, name="jit-detail"),
    path("jits/<int:pk>/edit/", views.jit_edit, name="jit-edit"),
    path("jits/<int:pk>/invite/", views.jit_invite, name="jit-invite"),
    path(
        "jits/<int:pk>/members/<str:code>/<str:action>/",
        views.jit_member_action,
        name="jit-member-action",
    ),
    path("jit-invitations/", views.invitation_inbox, name="inbox"),
]

urlpatterns = [path("cases/", include((html, "cases")))]

api_urlpatterns = [
    path("cases/", api.CaseListView.as_view(), name="api_cases"),
    path("cases/<int:pk>/", api.CaseDetailView.as_view(), name="api_case"),
    path("cases/<int:pk>/evidence/", api.CaseEvidenceView.as_view(), name="api_case_evidence"),
    path("evidence/<int:pk>/", api.EvidenceDetailView.as_view(), name="api_evidence"),
    path(
        "evidence/<int:pk>/download/",
        api.EvidenceDownloadView.as_view(),
        name="api_evidence_download",
    ),
    path("evidence/<int:pk>/verify/", api.EvidenceVerifyView.as_view(), name="api_evidence_verify"),
    path(
        "evidence/<int:pk>/receipt", api.EvidenceReceiptView.as_view(), name="api_evidence_receipt"
    ),
    path(
        "evidence/<int:pk>/custody/<int:event_pk>/receipt",
        api.CustodyEventReceiptView.as_view(),
        name="api_custody_event_receipt",
    ),
    path("jits/", api.JITListView.as_view(), name="api_jits"),
    path("jits/<int:pk>/", api.JITDetailView.as_view(), name="api_jit"),
    path("jits/<int:pk>/members/", api.JITMembersView.as_view(), name="api_jit_members"),
    path(
        "jits/<int:pk>/members/<str:code>/accept/",
        api.JITMemberActionView.as_view(action="accept"),
        name="api_jit_member_accept",
    ),
    path(
        "jits/<int:pk>/members/<str:code>/decline/",
        api.JITMemberActionView.as_view(action="decline"),
        name="api_jit_member_decline",
    ),
    path(
        "jits/<int:pk>/members/<str:code>/leave/",
        api.JITMemberActionView.as_view(action="leave"),
        name="api_jit_member_leave",
    ),
]
