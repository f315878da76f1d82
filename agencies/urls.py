from __future__ import annotations

from django.urls import path, re_path

from agencies import api, views

urlpatterns = [
    path("agencies/<str:code>/members/", views.members, name="agency_members"),
    path("agencies/<str:code>/details/", views.agency_details, name="agency_details"),
    path("agencies/<str:code>/members/invite/", views.invite, name="agency_invite"),
    path(
        "agencies/<str:code>/members/<int:pk>/role/", views.member_role, name="agency_member_role"
    ),
    path(
        "agencies/<str:code>/members/<int:pk>/unlock/",
        views.member_unlock,
        name="agency_member_unlock",
    ),
    re_path(
        r"^agencies/(?P<code>[^/]+)/members/(?P<pk>[0-9]+)/(?P<status>active|suspended)/$",
        views.member_status,
        name="agency_member_status",
    ),
    path(
        "agencies/<str:code>/invitations/<int:pk>/revoke/",
        views.invitation_revoke,
        name="agency_invitation_revoke",
    ),
    path(
        "agencies/<str:code>/second-factor/",
        views.second_factor_policy,
        name="agency_second_factor_policy",
    ),
    path("agencies/<str:code>/api-keys/", views.api_keys, name="agency_api_keys"),
    path(
        "agencies/<str:code>/api-keys/<int:pk>/revoke/",
        views.api_key_revoke,
        name="agency_api_key_revoke",
    ),
    path("agencies/<str:code>/witnesses/", views.witnesses_page, name="agency_witnesses"),
    path(
        "agencies/<str:code>/witnesses/<int:pk>/retire/",
        views.witness_retire,
        name="agency_witness_retire",
    ),
    path("transparency/", views.transparency, name="transparency"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("api-keys/", views.my_api_keys, name="my_api_keys"),
    path("api-keys/<int:pk>/revoke/", views.my_api_key_revoke, name="my_api_key_revoke"),
]

api_urlpatterns = [
    path("me/", api.MeView.as_view(), name="api_me"),
    path("agencies/", api.AgencyDirectoryView.as_view(), name="api_agencies"),
    path(
        "agencies/<str:code>/members/", api.AgencyMembersView.as_view(), name="api_agency_members"
    ),
    path("transparency/checkpoint", api.CheckpointView.as_view(), name="api_log_checkpoint"),
    path("transparency/checkpoints", api.CheckpointListView.as_view(), name="api_log_checkpoints"),
    path("transparency/cosignatures", api.CosignatureView.as_view(), name="api_log_cosignatures"),
]
