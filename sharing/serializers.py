"""DRF serializers for indicators, shares, partner endpoints and deliveries."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from agencies.models import TLP, Agency, Jurisdiction, PartnerEndpoint
from sharing.models import PAP, Delivery, DeliveryAttempt, Indicator, IndicatorType, Share


class IndicatorSerializer(serializers.ModelSerializer):
    """``context["visible_case_ids"]``: the linked cases the caller may see; others read null."""

    stix_id = serializers.CharField(read_only=True)
    owner = serializers.CharField(source="owner.code", read_only=True)
    case = serializers.SerializerMethodField()

    class Meta:
        model = Indicator
        fields = [
            "id",
            "stix_id",
            "type",
            "value",
            "normalized",
            "owner",
            "case",
            "description",
            "labels",
            "confidence",
            "tlp",
            "pap",
            "handling_code",
            "first_seen",
            "last_seen",
            "valid_until",
            "revoked",
            "revoked_at",
            "created",
            "modified",
        ]
        read_only_fields = fields

    def get_case(self, indicator: Indicator) -> int | None:
        visible = self.context.get("visible_case_ids", set())
        return indicator.case_id if indicator.case_id in visible else None


class IndicatorInSerializer(serializers.Serializer):
    """One inbound indicator (documentation of the simple form; STIX indicators work too)."""

    id = serializers.CharField(
        required=False, help_text="indicator--<uuid>; makes ingest idempotent"
    )
    type = serializers.ChoiceField(choices=IndicatorType.choices)
    value = serializers.CharField()
    modified = serializers.DateTimeField(required=False)
    confidence = serializers.IntegerField(min_value=0, max_value=100, required=False)
    tlp = serializers.ChoiceField(choices=TLP.choices, required=False)
    pap = serializers.ChoiceField(choices=PAP.choices, required=False)
    handling_code = serializers.CharField(required=False)
    description = serializers.CharField(required=False)
    labels = serializers.ListField(child=serializers.CharField(), required=False)
    first_seen = serializers.DateTimeField(required=False)
    last_seen = serializers.DateTimeField(required=False)
    valid_until = serializers.DateTimeField(required=False)
    case = serializers.IntegerField(required=False)


class IngestErrorSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    field = serializers.CharField()
    reason = serializers.CharField()


class IngestReportSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    rejected = serializers.IntegerField()
    # A field named like ``Serializer.errors``: this serializer only documents the schema.
    errors = IngestErrorSerializer(many=True)  # type: ignore[assignment]


class ShareCreateSerializer(serializers.Serializer):
    agencies = serializers.SlugRelatedField(
        slug_field="code", queryset=Agency.objects.filter(active=True), many=True, required=False
    )
    jurisdictions = serializers.SlugRelatedField(
        slug_field="code", queryset=Jurisdiction.objects.all(), many=True, required=False
    )
    jit = serializers.IntegerField(required=False, allow_null=True)
    community = serializers.BooleanField(required=False, default=False)
    users = serializers.SlugRelatedField(
        slug_field="username",
        queryset=get_user_model().objects.filter(is_active=True),
        many=True,
        required=False,
        help_text="Named recipients (TLP:RED only)",
    )
    legal_basis = serializers.IntegerField(
        required=False, allow_null=True, help_text="Id of the sharing agreement to rely on"
    )


class BulkShareCreateSerializer(ShareCreateSerializer):
    indicators = serializers.ListField(child=serializers.IntegerField(), allow_empty=False)


class ShareSerializer(serializers.ModelSerializer):
    agencies: serializers.SlugRelatedField[Agency] = serializers.SlugRelatedField(
        slug_field="code", many=True, read_only=True
    )
    jurisdictions: serializers.SlugRelatedField[Jurisdiction] = serializers.SlugRelatedField(
        slug_field="code", many=True, read_only=True
    )
    users: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", many=True, read_only=True
    )
    owner = serializers.CharField(source="owner.code", read_only=True)
    indicators = serializers.SerializerMethodField()
    objects = serializers.SerializerMethodField(help_text="STIX objects of other kinds")

    class Meta:
        model = Share
        fields = [
            "id",
            "owner",
            "indicators",
            "objects",
            "agencies",
            "jurisdictions",
            "jit",
            "community",
            "users",
            "legal_basis",
            "created_at",
            "withdrawn_at",
        ]
        read_only_fields = fields

    def get_indicators(self, share: Share) -> int:
        return share.indicators.count()

    def get_objects(self, share: Share) -> int:
        return share.stix_objects.count()


class PartnerEndpointSerializer(serializers.ModelSerializer):
    agency = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Agency.objects.all(),
        required=False,
        help_text="Needed only when you administer several agencies",
    )
    types = serializers.ListField(
        child=serializers.ChoiceField(choices=IndicatorType.choices),
        required=False,
        help_text="Indicator types; empty = all",
    )
    object_types = serializers.ListField(
        child=serializers.CharField(max_length=250),
        required=False,
        help_text=_(
            "STIX types of the shared objects pushed besides indicators (malware, report, "
            "relationship, x-… custom types); empty = all. The indicator types and minimum "
            "confidence apply to indicators only."
        ),
    )

    class Meta:
        model = PartnerEndpoint
        fields = [
            "id",
            "agency",
            "name",
            "url",
            "types",
            "object_types",
            "min_confidence",
            "max_tlp",
            "receives_checkpoints",
            "active",
            "disabled_reason",
            "created_at",
        ]
        read_only_fields = ["id", "disabled_reason", "created_at"]
        extra_kwargs = {"min_confidence": {"min_value": 0, "max_value": 100}}


class PartnerEndpointCreatedSerializer(PartnerEndpointSerializer):
    secret = serializers.CharField(
        read_only=True, help_text="whsec_… signing secret; returned only in this response"
    )

    class Meta(PartnerEndpointSerializer.Meta):
        fields = [*PartnerEndpointSerializer.Meta.fields, "secret"]


class DeliveryAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = DeliveryAttempt
        fields = ["number", "started_at", "duration_ms", "status_code", "error"]


class DeliverySerializer(serializers.ModelSerializer):
    webhook_id = serializers.CharField(source="message_id", read_only=True)
    objects = serializers.IntegerField(read_only=True)
    checkpoint_tree_size = serializers.IntegerField(
        source="checkpoint.tree_size",
        read_only=True,
        allow_null=True,
        help_text="A checkpoint delivery: the tree size of the signed checkpoint it carries",
    )

    class Meta:
        model = Delivery
        fields = [
            "id",
            "webhook_id",
            "endpoint",
            "share",
            "status",
            "objects",
            "checkpoint_tree_size",
            "attempts",
            "next_attempt_at",
            "last_status_code",
            "last_error",
            "created_at",
            "delivered_at",
        ]
        read_only_fields = fields


class DeliveryItemSerializer(serializers.Serializer):
    """One item of a delivery (``selectors.DeliveryItemInWords``)."""

    kind = serializers.ChoiceField(
        choices=[("indicator", _("Indicator")), ("stix_object", _("STIX object"))]
    )
    type = serializers.CharField(help_text=_("Indicator type, or STIX type of the object"))
    type_label = serializers.CharField(help_text=_("The type in words"))
    name = serializers.CharField()
    stix_id = serializers.CharField()
    tombstone = serializers.BooleanField(
        help_text=_(
            "A tombstone: its revoked version, or the withdrawal of an object without versions"
        )
    )
    withdrawal = serializers.BooleanField(
        help_text=_("A tombstone of an object STIX gives no versions: a withdrawal of its id")
    )


class DeliveryDetailSerializer(DeliverySerializer):
    attempt_log = DeliveryAttemptSerializer(many=True, read_only=True)
    items = serializers.SerializerMethodField()

    class Meta(DeliverySerializer.Meta):
        fields = [*DeliverySerializer.Meta.fields, "items", "attempt_log"]
        read_only_fields = fields

    @extend_schema_field(DeliveryItemSerializer(many=True))
    def get_items(self, delivery: Delivery) -> Any:
        """What the message carries, in order: indicators and STIX objects, or revocations
        (``context["items"]``, read by the view)."""
        return DeliveryItemSerializer(self.context.get("items", []), many=True).data
