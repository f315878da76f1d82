"""DRF serializers for correlation lookups and access requests (sent and inbox)."""

from __future__ import annotations

from rest_framework import serializers

from agencies.models import HandlingCode
from sharing.access_requests import request_outcome
from sharing.models import AccessRequest, AccessRequestTarget

LOOKUP_RESULTS = [("visible", "visible"), ("hit", "hit"), ("none", "none")]


class LookupInSerializer(serializers.Serializer):
    values = serializers.ListField(
        child=serializers.JSONField(),
        help_text='Up to 10,000 values: "1.2.3.4" or {"type": "ipv4", "value": "1.2.3.4"}',
    )


class LookupResultSerializer(serializers.Serializer):
    type = serializers.CharField()
    value = serializers.CharField()
    normalized = serializers.CharField()
    result = serializers.ChoiceField(choices=LOOKUP_RESULTS)
    ids = serializers.ListField(child=serializers.IntegerField())


class AccessRequestInSerializer(serializers.Serializer):
    indicator = serializers.IntegerField(help_text="Your own indicator that has a hidden match")
    reason = serializers.CharField()
    legal_basis = serializers.CharField(max_length=300)
    handling_code = serializers.ChoiceField(choices=HandlingCode.choices)


class AccessRequestSerializer(serializers.ModelSerializer):
    requester = serializers.CharField(source="requester.code")
    requested_by = serializers.CharField(source="requested_by.username")
    outcome = serializers.SerializerMethodField()

    class Meta:
        model = AccessRequest
        fields = [
            "id",
            "requester",
            "requested_by",
            "indicator",
            "reason",
            "legal_basis",
            "handling_code",
            "created_at",
            "outcome",
        ]

    def get_outcome(self, obj: AccessRequest) -> dict:
        return request_outcome(obj)


class InboxItemSerializer(serializers.ModelSerializer):
    """What a holder sees: its matched indicator, who asked and why."""

    requester = serializers.CharField(source="request.requester.code")
    requested_by = serializers.CharField(source="request.requested_by.username")
    reason = serializers.CharField(source="request.reason")
    legal_basis = serializers.CharField(source="request.legal_basis")
    handling_code = serializers.CharField(source="request.handling_code")
    requested_at = serializers.DateTimeField(source="request.created_at")
    indicator_value = serializers.CharField(source="indicator.normalized")
    indicator_type = serializers.CharField(source="indicator.type")

    class Meta:
        model = AccessRequestTarget
        fields = [
            "id",
            "indicator",
            "indicator_type",
            "indicator_value",
            "requester",
            "requested_by",
            "reason",
            "legal_basis",
            "handling_code",
            "requested_at",
            "status",
            "decided_at",
            "decision_reason",
            "share",
        ]


class GrantSerializer(serializers.Serializer):
    legal_basis = serializers.IntegerField(
        required=False, allow_null=True, help_text="Sharing agreement id (else found)"
    )


class DeclineSerializer(serializers.Serializer):
    reason = serializers.CharField()
