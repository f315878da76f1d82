"""DRF serializers for assistance requests (shapes of the public API contract)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from agencies.models import TLP, Agency, HandlingCode
from assistance.models import (
    AssistanceRequest,
    DataCategory,
    Instrument,
    Kind,
    RefusalGrounds,
    RequestAttachment,
    RequestEvent,
    RequestResponse,
    Urgency,
)
from assistance.selectors import is_requester_side, responses_visible

FILE_HELP = f"Streamed to storage; at most EVIDENCE_MAX_BYTES ({settings.EVIDENCE_MAX_BYTES})"


class RequestEventSerializer(serializers.ModelSerializer):
    actor: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )
    agency: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )

    class Meta:
        model = RequestEvent
        fields = ["at", "actor", "agency", "from_status", "to_status", "note"]


class RequestAttachmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = RequestAttachment
        fields = ["id", "kind", "language", "original_name", "size", "sha256", "created_at"]


class RequestResponseSerializer(serializers.ModelSerializer):
    agency: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    evidence = serializers.SerializerMethodField(
        help_text="The evidence id in the case (requesting agency only)"
    )

    class Meta:
        model = RequestResponse
        fields = [
            "id",
            "agency",
            "original_name",
            "size",
            "sha256",
            "note",
            "complete",
            "evidence",
            "created_at",
        ]

    def get_evidence(self, response: RequestResponse) -> int | None:
        mine = self.context.get("agency_ids", set())
        return response.evidence_id if is_requester_side(response.request, mine) else None


class AssistanceRequestSerializer(serializers.ModelSerializer):
    """A request as either side sees it; writes go through the services."""

    case = serializers.IntegerField(
        source="case_id",
        min_value=1,
        max_value=2**31 - 1,
        help_text="Id of a case you take part in",
    )
    kind = serializers.ChoiceField(choices=Kind.choices)
    addressee: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Agency.objects.filter(active=True),
        help_text="Agency code: its 24/7 point, its central authority (MLA) or a service provider",
    )
    requesting_agency: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    instrument = serializers.ChoiceField(
        choices=Instrument.choices,
        required=False,
        allow_blank=True,
        help_text=AssistanceRequest._meta.get_field("instrument").help_text,
    )
    jit = serializers.IntegerField(
        source="jit_id",
        min_value=1,
        max_value=2**31 - 1,
        required=False,
        allow_null=True,
        help_text="Id of a JIT of the case (legal basis 'jit')",
    )
    follow_up_of = serializers.IntegerField(
        min_value=1,
        max_value=2**31 - 1,
        required=False,
        allow_null=True,
        write_only=True,
        help_text="Id of the preservation request of the case this request follows up",
    )
    urgency = serializers.ChoiceField(choices=Urgency.choices, required=False)
    identifiers = serializers.JSONField(
        required=False, help_text=AssistanceRequest._meta.get_field("identifiers").help_text
    )
    data_categories = serializers.ListField(
        child=serializers.ChoiceField(choices=DataCategory.choices), required=False
    )
    tlp = serializers.ChoiceField(choices=TLP.choices, required=False)
    handling_code = serializers.ChoiceField(choices=HandlingCode.choices, required=False)
    overdue = serializers.BooleanField(read_only=True, source="is_overdue")
    events = serializers.SerializerMethodField(
        help_text="The timeline: the requester sees its drafting too, others the request as "
        "sent and after"
    )
    attachments = RequestAttachmentSerializer(many=True, read_only=True)
    responses = serializers.SerializerMethodField(
        help_text="Produced data: for the requester, the addressee and (if shared) the JIT"
    )
    follow_up = serializers.SerializerMethodField(
        help_text="Id of the request following up this preservation (for the requester, and "
        "for an addressee of both)"
    )
    follows_up = serializers.SerializerMethodField(
        help_text="Id of the preservation this request follows up (same visibility)"
    )
    case_reference = serializers.CharField(source="case.reference", read_only=True)
    enforcing_authority: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Agency.objects.filter(active=True),
        required=False,
        allow_null=True,
        help_text=AssistanceRequest._meta.get_field("enforcing_authority").help_text,
    )
    enforcing_window_ends = serializers.DateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = AssistanceRequest
        fields = [
            "id",
            "case",
            "case_reference",
            "kind",
            "requesting_agency",
            "addressee",
            "addressee_role",
            "instrument",
            "agreement",
            "jit",
            "treaty",
            "urgency",
            "emergency_justification",
            "summary",
            "identifiers",
            "data_categories",
            "period_start",
            "period_end",
            "tlp",
            "handling_code",
            "handling_text",
            "shared_with_jit",
            "status",
            "due_at",
            "overdue",
            "sent_at",
            "closed_at",
            "preservation_reference",
            "preserved_at",
            "preserved_until",
            "extensions",
            "follow_up",
            "follows_up",
            "follow_up_of",
            "enforcing_authority",
            "enforcing_exempt",
            "enforcing_notified_at",
            "enforcing_decision",
            "enforcing_decided_at",
            "enforcing_window_ends",
            "refusal_grounds",
            "refusal_text",
            "created_at",
            "events",
            "attachments",
            "responses",
        ]
        read_only_fields = [
            "addressee_role",
            "agreement",
            "status",
            "due_at",
            "sent_at",
            "closed_at",
            "preservation_reference",
            "preserved_at",
            "preserved_until",
            "extensions",
            "enforcing_notified_at",
            "enforcing_decision",
            "enforcing_decided_at",
            "refusal_grounds",
            "refusal_text",
            "created_at",
        ]

    def _requester_side(self, request: AssistanceRequest) -> bool:
        return is_requester_side(request, self.context.get("agency_ids", set()))

    @extend_schema_field(RequestEventSerializer(many=True))
    def get_events(self, request: AssistanceRequest) -> list[dict]:
        sent_at = request.sent_at
        events = [
            e
            for e in request.events.all()
            if self._requester_side(request) or sent_at is None or e.at >= sent_at
        ]
        return RequestEventSerializer(events, many=True).data  # type: ignore[return-value]

    @extend_schema_field(RequestResponseSerializer(many=True))
    def get_responses(self, request: AssistanceRequest) -> list[dict]:
        if not responses_visible(request, self.context.get("agency_ids", set())):
            return []
        return RequestResponseSerializer(
            request.responses.all(), many=True, context=self.context
        ).data  # type: ignore[return-value]

    @extend_schema_field(OpenApiTypes.INT)
    def get_follow_up(self, request: AssistanceRequest) -> int | None:
        visible = request.follow_up_link_visible(self.context.get("agency_ids", set()))
        return request.follow_up_id if visible else None

    @extend_schema_field(OpenApiTypes.INT)
    def get_follows_up(self, request: AssistanceRequest) -> int | None:
        mine = self.context.get("agency_ids", set())
        for preservation in request.preservations.all():
            if preservation.follow_up_link_visible(mine):
                return preservation.pk
        return None


class AssistanceRequestUpdateSerializer(AssistanceRequestSerializer):
    """A draft's fields; the case and the preservation it follows up do not change."""

    class Meta(AssistanceRequestSerializer.Meta):
        read_only_fields = [*AssistanceRequestSerializer.Meta.read_only_fields, "case"]
        fields = [f for f in AssistanceRequestSerializer.Meta.fields if f != "follow_up_of"]


class RequestFilterSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Kind.choices, required=False)
    status = serializers.ChoiceField(choices=AssistanceRequest.Status.choices, required=False)
    overdue = serializers.BooleanField(required=False, allow_null=True, default=None)
    case = serializers.IntegerField(min_value=1, max_value=2**31 - 1, required=False)


class PreserveSerializer(serializers.Serializer):
    reference = serializers.CharField(
        max_length=120, help_text="Your reference for the preserved data"
    )


class RefuseSerializer(serializers.Serializer):
    grounds = serializers.ChoiceField(choices=RefusalGrounds.choices)
    text = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class WithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class RespondSerializer(serializers.Serializer):
    file = serializers.FileField(help_text=FILE_HELP)
    complete = serializers.BooleanField(
        default=True, help_text="This answers the request fully (else: partially)"
    )
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class AttachmentUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text=FILE_HELP)
    kind = serializers.ChoiceField(choices=RequestAttachment.Kind.choices)
    language = serializers.CharField(required=False, allow_blank=True, default="", max_length=8)
