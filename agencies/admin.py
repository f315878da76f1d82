from __future__ import annotations

from django.contrib import admin

from agencies.models import Agency, APIKey, Invitation, Jurisdiction, Membership


@admin.register(Jurisdiction)
class JurisdictionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind"]


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "country", "kind", "active"]
    list_filter = ["kind", "active"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "agency", "role", "status", "seconded"]
    list_filter = ["role", "status"]
    readonly_fields = [
        "user",
        "agency",
    ]  # changes go through the agency admin pages (groups follow)


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "agency", "role", "expires_at", "accepted_at", "revoked_at"]


@admin.register(APIKey)
class APIKeyAdmin(admin.ModelAdmin):
    list_display = ["name", "prefix", "user", "agency", "expires_at", "revoked_at", "last_used_at"]
    readonly_fields = ["prefix", "key_hash", "last_used_at"]
