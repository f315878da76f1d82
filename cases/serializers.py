"""DRF serializers for cases, evidence and JITs (shapes of the public API contract)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from rest_framework import serializers

from agencies.models import TLP, Agency, HandlingCode, Jurisdiction
from cases.models import (
    Case,
    CustodyEvent,
    Evidence,
    JITAmendment,
    JITMembership,
    JointInvestigationTeam,
    OffenceCategory,
)

User = get_user_model()


class UsernameField(serializers.SlugRelatedField):
    def __init__(self, **kwargs):
        super().__init__(
            slug_field="username", queryset=User.objects.filter(is_active=True), **kwargs
        )


class CaseSerializer(serializers.ModelSerializer):
    lead_agency = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Agency.objects.filter(active=True),
        required=False,
        help_text="Lead agency code; defaults to the API key's agency. Cannot be changed.",
    )
    offence_categories = serializers.ListField(
        child=serializers.ChoiceField(choices=OffenceCategory.choices), required=False
    )
    tags = serializers.ListField(child=serializers.CharField(max_length=50), required=False)
    named_users = UsernameField(many=True, required=False, help_text="TLP:RED recipients")
    tlp = serializers.ChoiceField(choices=TLP.choices, required=False)
    handling_code = serializers.ChoiceField(choices=HandlingCode.choices, required=False)

    class Meta:
        model = Case
        fields = [
            "id",
            "reference",
            "title",
            "summary",
            "lead_agency",
            "status",
            "tlp",
            "handling_code",
            "handling_text",
            "offence_categories",
            "tags",
            "named_users",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "reference", "created_at", "updated_at"]


class CustodyEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", default=None, read_only=True)
    agency = serializers.CharField(source="agency.code", default=None, read_only=True)
    to_agency = serializers.CharField(
        source="to_agency.code", default=None, allow_null=True, read_only=True
    )

    class Meta:
        model = CustodyEvent
        fields = ["id", "kind", "at", "actor", "agency", "to_agency", "purpose", "result", "sha256"]


class EvidenceSerializer(serializers.ModelSerializer):
    case_reference = serializers.CharField(source="case.reference", read_only=True)
    agency = serializers.CharField(source="agency.code", read_only=True)
    custodian = serializers.CharField(source="custodian.code", read_only=True)
    custody_events = CustodyEventSerializer(many=True, read_only=True)

    class Meta:
        model = Evidence
        fields = [
            "id",
            "case",
            "case_reference",
            "title",
            "description",
            "original_name",
            "content_type",
            "size",
            "sha256",
            "collected_by",
            "collected_at",
            "collected_where",
            "tlp",
            "handling_code",
            "handling_text",
            "agency",
            "custodian",
            "disposed_at",
            "created_at",
            "custody_events",
        ]
        read_only_fields = fields


class EvidenceUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text=f"Streamed to storage; at most EVIDENCE_MAX_BYTES ({settings.EVIDENCE_MAX_BYTES})"
    )
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    collected_by = serializers.CharField(max_length=200)
    collected_at = serializers.DateTimeField()
    collected_where = serializers.CharField(max_length=300)
    tlp = serializers.ChoiceField(choices=TLP.choices, default=TLP.AMBER)
    handling_code = serializers.ChoiceField(choices=HandlingCode.choices, default=HandlingCode.H0)
    handling_text = serializers.CharField(required=False, allow_blank=True, default="")
    named_users = UsernameField(many=True, required=False)


class ReceiptEntrySerializer(serializers.Serializer):
    leaf_index = serializers.IntegerField()
    leaf = serializers.CharField(help_text="The audit event's canonical JSON: the log leaf")
    inclusion_proof = serializers.ListField(
        child=serializers.CharField(), help_text="RFC 9162 audit path, base64 hashes"
    )


class ReceiptWitnessSerializer(serializers.Serializer):
    agency = serializers.CharField()
    name = serializers.CharField()
    verifier_key = serializers.CharField()
    timestamp = serializers.IntegerField(help_text="When it cosigned (POSIX seconds)")


class ReceiptSerializer(serializers.Serializer):
    """Documents a cybercoop-receipt/v1 (the response is built by ``cases.receipts``)."""

    format = serializers.CharField()
    origin = serializers.CharField()
    checkpoint = serializers.CharField(help_text="Signed note, with the cosignature lines")
    entries = ReceiptEntrySerializer(many=True)
    witnesses = ReceiptWitnessSerializer(many=True)


class VerifyResultSerializer(serializers.Serializer):
    result = serializers.ChoiceField(choices=CustodyEvent.Result.choices)
    sha256 = serializers.CharField()
    expected = serializers.CharField()


class JITMemberSerializer(serializers.ModelSerializer):
    agency = serializers.CharField(source="agency.code", read_only=True)
    agency_name = serializers.CharField(source="agency.name", read_only=True)
    seconded_members: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", many=True, read_only=True
    )

    class Meta:
        model = JITMembership
        fields = [
            "agency",
            "agency_name",
            "role",
            "status",
            "seconded_members",
            "invited_at",
            "responded_at",
        ]
        read_only_fields = fields


class JITMemberInviteSerializer(serializers.Serializer):
    agency = serializers.SlugRelatedField(
        slug_field="code", queryset=Agency.objects.filter(active=True), help_text="Agency code"
    )
    role = serializers.ChoiceField(choices=JITMembership.Role.choices, default="party")
    seconded_members = UsernameField(many=True, required=False)


class JITAmendmentSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", default=None, read_only=True)
    agency = serializers.CharField(source="agency.code", default=None, read_only=True)

    class Meta:
        model = JITAmendment
        fields = [
            "kind",
            "effective_date",
            "created_at",
            "actor",
            "agency",
            "description",
            "changes",
        ]
        read_only_fields = fields


class JITSerializer(serializers.ModelSerializer):
    case_reference = serializers.CharField(source="case.reference", read_only=True)
    leader = serializers.CharField(source="leader.code", read_only=True)
    states_of_operation = serializers.SlugRelatedField(
        slug_field="code",
        many=True,
        required=False,
        queryset=Jurisdiction.objects.filter(kind=Jurisdiction.Kind.COUNTRY),
    )
    legal_basis = serializers.ChoiceField(
        choices=JointInvestigationTeam.LegalBasis.choices, required=False, allow_blank=True
    )
    memberships = JITMemberSerializer(many=True, read_only=True)
    amendments = JITAmendmentSerializer(many=True, read_only=True)

    class Meta:
        model = JointInvestigationTeam
        fields = [
            "id",
            "case",
            "case_reference",
            "name",
            "purpose",
            "legal_basis",
            "legal_basis_text",
            "period_start",
            "period_end",
            "states_of_operation",
            "leader",
            "status",
            "memberships",
            "amendments",
            "created_at",
        ]
        read_only_fields = ["id", "leader", "created_at"]
        extra_kwargs = {"case": {"queryset": Case.objects.none()}}

    def get_fields(self):
        fields = super().get_fields()
        # Only cases the caller sees: an invisible case reads exactly like a missing one.
        cases = self.context.get("visible_cases")
        case = fields["case"]
        assert isinstance(case, serializers.RelatedField)
        if cases is not None:
            case.queryset = cases
        if self.instance is not None:
            case.read_only = True
        return fields
