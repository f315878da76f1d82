"""DRF serializers for interop's REST endpoints (STIX export filters, import reports)."""

from __future__ import annotations

from rest_framework import serializers

from sharing.models import IndicatorType


class ExportQuerySerializer(serializers.Serializer):
    type = serializers.RegexField(
        r"^[a-z0-9][a-z0-9-]{1,248}[a-z0-9]$",
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
