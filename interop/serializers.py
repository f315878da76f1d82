"""DRF serializers for interop's REST endpoints (STIX export filters, import reports, STIX
objects)."""

from __future__ import annotations

from rest_framework import serializers

from interop.stix import stix_object_stix
from sharing.models import IndicatorType, StixObject

STIX_TYPE = r"^[a-z0-9][a-z0-9-]{1,248}[a-z0-9]$"


class ExportQuerySerializer(serializers.Serializer):
    type = serializers.RegexField(
        STIX_TYPE,
        required=False,
        allow_blank=True,
        help_text=f"An indicator type ({', '.join(IndicatorType.values)}), 'pattern' "
        "(pattern-only indicators), or a STIX type (malware, relationship, …)",
    )

    case = serializers.IntegerField(required=False, min_value=1)
    since = serializers.DateTimeField(required=False)
    until = serializers.DateTimeField(required=False)
    value = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class ImportReportSerializer(serializers.Serializer):
    counts = serializers.DictField(child=serializers.IntegerField())
    rejected = serializers.ListField(child=serializers.DictField())
    warnings = serializers.ListField(
        child=serializers.DictField(),
        help_text="Imported objects with something to know (index, id, reason), e.g. a "
        "marking this server does not know.",
    )


class MispEventReportSerializer(ImportReportSerializer):
    uuid = serializers.UUIDField()
    info = serializers.CharField()


class MispImportReportSerializer(serializers.Serializer):
    counts = serializers.DictField(child=serializers.IntegerField())
    events = MispEventReportSerializer(many=True)


class ObjectQuerySerializer(serializers.Serializer):
    type = serializers.RegexField(
        STIX_TYPE,
        required=False,
        allow_blank=True,
        help_text="A STIX type (malware, relationship, …)",
    )
    q = serializers.CharField(
        required=False, allow_blank=True, max_length=300, help_text="Name contains, or a STIX id"
    )


class StixObjectSerializer(serializers.ModelSerializer):
    owner = serializers.CharField(source="owner.code", read_only=True)

    class Meta:
        model = StixObject
        fields = [
            "id",
            "stix_id",
            "type",
            "name",
            "owner",
            "pattern_type",
            "tlp",
            "pap",
            "handling_code",
            "created",
            "modified",
            "revoked",
        ]
        read_only_fields = fields


class StixObjectDetailSerializer(StixObjectSerializer):
    stix = serializers.SerializerMethodField(help_text="The STIX 2.1 object as TAXII serves it")

    class Meta(StixObjectSerializer.Meta):
        fields = [*StixObjectSerializer.Meta.fields, "stix"]
        read_only_fields = fields

    def get_stix(self, stix_object: StixObject) -> dict:
        return stix_object_stix(stix_object, stix_object.owner.code)
