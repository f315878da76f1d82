from __future__ import annotations

from rest_framework import serializers

from agencies.models import Agency, Cosignature, Membership
from audit.models import SignedCheckpoint


class AgencySerializer(serializers.ModelSerializer):
    country = serializers.CharField(source="country.code")

    class Meta:
        model = Agency
        fields = [
            "code",
            "name",
            "country",
            "kind",
            "contact_name",
            "contact_phone",
            "contact_email",
        ]


class MembershipSerializer(serializers.ModelSerializer):
    agency = serializers.CharField(source="agency.code")
    agency_name = serializers.CharField(source="agency.name")

    class Meta:
        model = Membership
        fields = ["agency", "agency_name", "role", "status", "seconded"]


class MemberSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(source="user.username")
    email = serializers.EmailField(source="user.email")

    class Meta:
        model = Membership
        fields = ["id", "username", "email", "role", "status", "seconded", "created_at"]


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    email = serializers.EmailField()
    acting_agency = serializers.CharField(allow_null=True)
    memberships = MembershipSerializer(many=True)


class CosignatureSerializer(serializers.ModelSerializer):
    agency = serializers.CharField(source="witness.agency.code")
    agency_name = serializers.CharField(source="witness.agency.name")
    name = serializers.CharField(source="witness.name")
    timestamp = serializers.IntegerField(help_text="When the witness cosigned (POSIX seconds)")

    class Meta:
        model = Cosignature
        fields = ["agency", "agency_name", "name", "timestamp"]


class SignedCheckpointSerializer(serializers.ModelSerializer):
    # DRF's metaclass takes declared fields off the class: this does not hide Field.root.
    root = serializers.CharField(  # type: ignore[assignment]
        source="root_base64", help_text="The root hash, base64"
    )
    witnesses = CosignatureSerializer(source="cosignatures", many=True)

    class Meta:
        model = SignedCheckpoint
        fields = ["tree_size", "root", "signed_at", "witnesses"]


class CosignatureRequestSerializer(serializers.Serializer):
    note = serializers.CharField(
        max_length=20_000,
        trim_whitespace=False,
        help_text="The log's signed checkpoint note with the witness's cosignature line(s) "
        "appended (C2SP tlog-cosignature v1), as a witness holds it",
    )


class CosignedSerializer(serializers.Serializer):
    tree_size = serializers.IntegerField()
    witnesses = serializers.ListField(
        child=serializers.CharField(), help_text="The witnesses whose cosignature is on record"
    )
