"""Admin: agreements are recorded here (by the platform operator); the rest is read-mostly."""

from __future__ import annotations

from django.contrib import admin

from agencies.models import PartnerEndpoint, SharingAgreement
from sharing.models import Delivery, DeliveryAttempt, Indicator, Share


@admin.register(SharingAgreement)
class SharingAgreementAdmin(admin.ModelAdmin):
    list_display = ["name", "basis", "valid_from", "valid_until"]
    filter_horizontal = ["agencies", "jurisdictions"]


@admin.register(PartnerEndpoint)
class PartnerEndpointAdmin(admin.ModelAdmin):
    # The signing secret is not editable, so it never appears here.
    list_display = [
        "name",
        "agency",
        "url",
        "active",
        "max_tlp",
        "min_confidence",
        "receives_checkpoints",
    ]
    list_filter = ["active", "receives_checkpoints"]


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["type", "normalized", "owner", "tlp", "pap", "confidence", "revoked"]
    list_filter = ["type", "tlp", "revoked"]
    search_fields = ["normalized"]
    readonly_fields = ["owner", "source_api_key", "created_by"]  # changes go through services


@admin.register(Share)
class ShareAdmin(admin.ModelAdmin):
    list_display = ["pk", "owner", "created_at", "withdrawn_at"]
    readonly_fields = ["indicators"]


class AttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["webhook_id", "endpoint", "checkpoint", "status", "attempts", "next_attempt_at"]
    list_filter = ["status"]
    inlines = [AttemptInline]
    readonly_fields = ["checkpoint"]  # one of thousands; written by the outbox only
