"""JSON shapes of notices, reviews, notifications and public extracts."""

from __future__ import annotations

from typing import Any

from django.core.validators import RegexValidator
from django.db.models import QuerySet
from rest_framework import serializers

from agencies.models import Agency, Jurisdiction
from cases.models import Case
from notices.models import (
    TYPE_PURPOSES,
    Language,
    Notice,
    NoticePhoto,
    NoticeReview,
    NoticeType,
)
from notices.services import EDITABLE_FIELDS
from notifications.models import Notification

COUNTRY_CODE = RegexValidator(r"^[A-Z]{2}$", "Give an ISO 3166-1 alpha-2 code, e.g. DE.")


class NoticeReviewSerializer(serializers.ModelSerializer):
    reviewer = serializers.CharField(source="reviewer.username", read_only=True)

    class Meta:
        model = NoticeReview
        fields = [
            "decision",
            "art3_neutrality",
            "art2_human_rights",
            "minimum_data",
            "reasons",
            "reviewer",
            "created_at",
        ]


class NoticePhotoSerializer(serializers.ModelSerializer):
    class Meta:
        model = NoticePhoto
        fields = ["id", "image", "caption", "uploaded_at"]


class NoticeSerializer(serializers.ModelSerializer):
    """A notice as the requester writes it; lifecycle fields are read-only."""

    notice_type = serializers.ChoiceField(
        choices=NoticeType.choices,
        help_text=" ".join(f"{k}: {v}" for k, v in TYPE_PURPOSES.items()),
    )
    requesting_agency = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Agency.objects.filter(active=True),
        required=False,
        help_text="Defaults to the API key's agency, or your only agency",
    )
    case = serializers.PrimaryKeyRelatedField(
        queryset=Case.objects.none(),
        required=False,
        allow_null=True,
        help_text="Id of a case your agency can see",
    )
    languages = serializers.ListField(
        child=serializers.ChoiceField(choices=Language.choices), required=False
    )
    nationalities = serializers.ListField(
        child=serializers.CharField(max_length=2, validators=[COUNTRY_CODE]), required=False
    )
    recipient_agencies = serializers.SlugRelatedField(
        slug_field="code", many=True, queryset=Agency.objects.filter(active=True), required=False
    )
    recipient_jurisdictions = serializers.SlugRelatedField(
        slug_field="code", many=True, queryset=Jurisdiction.objects.all(), required=False
    )
    purpose = serializers.CharField(read_only=True)
    photos = NoticePhotoSerializer(many=True, read_only=True)
    reviews = NoticeReviewSerializer(many=True, read_only=True)
    is_public = serializers.BooleanField(read_only=True)

    class Meta:
        model = Notice
        fields = [
            "id",
            "notice_type",
            "purpose",
            "status",
            "requesting_agency",
            *EDITABLE_FIELDS,
            "recipient_agencies",
            "recipient_jurisdictions",
            "photos",
            "reviews",
            "is_public",
            "is_renewal",
            "created_at",
            "updated_at",
            "submitted_at",
            "published_at",
            "expires_at",
            "closed_at",
        ]
        read_only_fields = [
            "status",
            "is_renewal",
            "created_at",
            "updated_at",
            "submitted_at",
            "published_at",
            "expires_at",
            "closed_at",
        ]

    def __init__(self, *args: Any, visible_cases: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._case_visible: dict[int, bool] = {}
        self._visible_cases: QuerySet[Case] = (
            visible_cases if visible_cases is not None else Case.objects.none()
        )
        case = self.fields["case"]
        assert isinstance(case, serializers.RelatedField)
        case.queryset = self._visible_cases
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            # The type and the requester are fixed once the notice exists.
            self.fields["notice_type"].read_only = True
            self.fields["requesting_agency"].read_only = True

    def to_representation(self, instance: Any) -> dict[str, Any]:
        """The linked case reads null unless it is one of ``visible_cases`` (none by default)."""
        data = super().to_representation(instance)
        case_id = instance.case_id
        if case_id is not None:
            if case_id not in self._case_visible:
                visible = self._visible_cases.filter(pk=case_id).exists()
                self._case_visible[case_id] = visible
            if not self._case_visible[case_id]:
                data["case"] = None
        return data

    def split(self) -> dict[str, Any]:
        """Service keyword arguments from the validated data."""
        data = dict(self.validated_data)
        kwargs: dict[str, Any] = {
            "recipient_agencies": data.pop("recipient_agencies", None),
            "recipient_jurisdictions": data.pop("recipient_jurisdictions", None),
        }
        kwargs["data"] = {k: v for k, v in data.items() if k in EDITABLE_FIELDS}
        return kwargs


class ReviewRequestSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=NoticeReview.Decision.choices)
    reasons = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Required to refuse or ask for info"
    )
    art3_neutrality = serializers.BooleanField(
        default=False, help_text="Art. 3: no political, military, religious or racial character"
    )
    art2_human_rights = serializers.BooleanField(
        default=False,
        help_text="Art. 2: in the spirit of the Universal Declaration of Human Rights",
    )
    minimum_data = serializers.BooleanField(
        default=False, help_text="The minimum data for the type is present"
    )


class ReasonSerializer(serializers.Serializer):
    reasons = serializers.CharField(required=False, allow_blank=True, default="")


class NoticeNotificationSerializer(serializers.ModelSerializer):
    """A notification of the centre about a notice, in the shape this list had before the
    centre: ``message`` is its sentence in the caller's language."""

    notice = serializers.IntegerField(source="object_id", read_only=True)
    message = serializers.CharField(source="sentence", read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "notice", "kind", "message", "created_at", "read_at"]
        read_only_fields = fields


class PublicNoticeSerializer(serializers.ModelSerializer):
    """The public extract: identity and, for a Red notice, the charges. Nothing else."""

    requesting_country = serializers.CharField(source="requesting_agency.country.code")
    charges = serializers.SerializerMethodField()

    class Meta:
        model = Notice
        fields = [
            "id",
            "notice_type",
            "family_name",
            "forenames",
            "date_of_birth",
            "sex",
            "nationalities",
            "charges",
            "requesting_country",
            "published_at",
        ]

    def get_charges(self, notice: Notice) -> str:
        return notice.charges if notice.notice_type == NoticeType.RED else ""
