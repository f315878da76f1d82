"""JSON shape of a notification: its kind, its sentence in the caller's language, its link."""

from __future__ import annotations

from rest_framework import serializers

from notifications.models import Notification


class NotificationSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    sentence = serializers.CharField(read_only=True, help_text="In the caller's language")

    class Meta:
        model = Notification
        fields = [
            "id",
            "kind",
            "kind_label",
            "subject",
            "sentence",
            "params",
            "link",
            "created_at",
            "read_at",
        ]
        read_only_fields = fields
