from __future__ import annotations

from rest_framework import serializers

from agencies.models import Agency, Membership


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
