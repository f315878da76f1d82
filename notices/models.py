"""Notices and diffusions, their reviews, photos and permission rows."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.validators import FileExtensionValidator, MaxValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase

from agencies.models import TLP, Agency, Jurisdiction

# Purpose of each notice type (shown as help text in the form and the API schema). English in
# the API; the pages show it translated (purpose_display).
TYPE_PURPOSES = {
    "RED": gettext_noop(
        "Locate and provisionally arrest a person pending extradition, surrender or similar "
        "legal action (prosecution or serving a sentence)."
    ),
    "YELLOW": gettext_noop(
        "Help locate a missing person, often a minor, or identify a person unable to "
        "identify themselves."
    ),
    "BLUE": gettext_noop(
        "Collect additional information about a person's identity, location or activities "
        "in relation to a crime."
    ),
    "BLACK": gettext_noop("Seek information on unidentified bodies."),
    "GREEN": gettext_noop(
        "Warn about a person's criminal activities where the person is considered a "
        "possible threat to public safety."
    ),
    "ORANGE": gettext_noop(
        "Warn of an event, a person, an object or a process representing a serious and "
        "imminent threat to public safety."
    ),
    "PURPLE": gettext_noop(
        "Seek or provide information on the modus operandi, objects, devices and "
        "concealment methods used by criminals."
    ),
    "SILVER": gettext_noop(
        "Trace and identify criminal assets (property, vehicles, accounts, businesses) "
        "for seizure, freezing or confiscation."
    ),
    "UN_SPECIAL": gettext_noop(
        "Individuals and entities subject to sanctions of the UN Security Council."
    ),
    "DIFFUSION": gettext_noop(
        "A request for cooperation sent directly by one agency to chosen agencies or "
        "jurisdictions; circulated at once and reviewed afterwards."
    ),
}

RED_VALIDITY = timedelta(days=5 * 365 + 1)  # five years, leap day included
REMINDER_BEFORE = timedelta(days=183)  # six months


class NoticeType(models.TextChoices):
    RED = "RED", _("Red notice")
    YELLOW = "YELLOW", _("Yellow notice")
    BLUE = "BLUE", _("Blue notice")
    BLACK = "BLACK", _("Black notice")
    GREEN = "GREEN", _("Green notice")
    ORANGE = "ORANGE", _("Orange notice")
    PURPLE = "PURPLE", _("Purple notice")
    SILVER = "SILVER", _("Silver notice")
    UN_SPECIAL = "UN_SPECIAL", _("INTERPOL–UN Security Council Special Notice")
    DIFFUSION = "DIFFUSION", _("Diffusion")


PUBLIC_TYPES = {NoticeType.RED, NoticeType.YELLOW, NoticeType.UN_SPECIAL}


class Language(models.TextChoices):
    EN = "EN", _("English")
    FR = "FR", _("French")
    ES = "ES", _("Spanish")
    AR = "AR", _("Arabic")


class Notice(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        UNDER_REVIEW = "under_review", _("Under review")
        INFO_REQUESTED = "info_requested", _("Information requested")
        PUBLISHED = "published", _("Published")
        REFUSED = "refused", _("Refused")
        CANCELLED = "cancelled", _("Cancelled")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        EXPIRED = "expired", _("Expired")

    class Sex(models.TextChoices):
        MALE = "M", _("Male")
        FEMALE = "F", _("Female")
        UNKNOWN = "U", _("Unknown")

    class OffenceCategory(models.TextChoices):
        CRIMINAL = "criminal", _("Ordinary-law criminal offence")
        PRIVATE = "private", _("Private matter (excluded)")
        FAMILY = "family", _("Family matter (excluded)")
        ADMINISTRATIVE = "administrative", _("Administrative matter (excluded)")

    class JudicialBasis(models.TextChoices):
        PROSECUTION = "prosecution", _("Wanted for prosecution")
        SENTENCE = "sentence", _("Wanted to serve a sentence")

    # General
    notice_type = models.CharField(
        _("type"),
        max_length=16,
        choices=NoticeType.choices,
        help_text=" ".join(f"{key}: {value}" for key, value in TYPE_PURPOSES.items()),
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    requesting_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="notices")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    case = models.ForeignKey(
        "cases.Case",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notices",
        help_text=_("Optional linked case (the requester must be able to see it)"),
    )
    languages = models.JSONField(
        default=list, blank=True, help_text=_("Working languages of the notice: EN, FR, ES, AR")
    )
    tlp = models.CharField(_("TLP"), max_length=16, choices=TLP.choices, default=TLP.AMBER)
    title = models.CharField(max_length=200, blank=True, help_text=_("Short internal label"))

    # Person subject
    family_name = models.CharField(max_length=120, blank=True)
    forenames = models.CharField(max_length=200, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=1, choices=Sex.choices, blank=True)
    nationalities = models.JSONField(
        default=list, blank=True, help_text=_('ISO 3166-1 alpha-2 codes, e.g. ["DE", "FR"]')
    )
    place_of_birth = models.CharField(max_length=120, blank=True)
    country_of_birth = models.CharField(
        max_length=2,
        blank=True,
        validators=[RegexValidator(r"^[A-Z]{2}$", _("ISO alpha-2, e.g. DE"))],
    )
    height_cm = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(300)]
    )
    weight_kg = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(500)]
    )
    eye_colour = models.CharField(max_length=40, blank=True)
    hair_colour = models.CharField(max_length=40, blank=True)
    distinguishing_marks = models.TextField(blank=True)
    languages_spoken = models.CharField(max_length=200, blank=True)

    # Non-person subject (PURPLE, ORANGE, GREEN, SILVER)
    subject_description = models.TextField(
        blank=True,
        help_text=_("Modus operandi (PURPLE), threat (ORANGE, GREEN) or assets (SILVER)"),
    )

    # Judicial data (required for RED)
    offence_category = models.CharField(max_length=16, choices=OffenceCategory.choices, blank=True)
    facts_summary = models.TextField(_("summary of facts"), blank=True)
    facts_date = models.DateField(_("date of the facts"), null=True, blank=True)
    facts_place = models.CharField(_("place of the facts"), max_length=200, blank=True)
    charges = models.TextField(blank=True)
    law = models.TextField(_("law covering the charges"), blank=True)
    judicial_basis = models.CharField(max_length=16, choices=JudicialBasis.choices, blank=True)
    max_penalty_months = models.PositiveIntegerField(
        _("maximum penalty (months)"), null=True, blank=True
    )
    sentence_remaining_months = models.PositiveIntegerField(
        _("sentence remaining (months)"), null=True, blank=True
    )
    warrant_reference = models.CharField(
        _("arrest warrant / judicial decision reference"), max_length=120, blank=True
    )
    warrant_authority = models.CharField(_("issuing authority"), max_length=200, blank=True)
    warrant_date = models.DateField(_("date of issue"), null=True, blank=True)

    # Distribution
    recipient_agencies = models.ManyToManyField(
        Agency, blank=True, related_name="+", help_text=_("Diffusion recipients")
    )
    recipient_jurisdictions = models.ManyToManyField(
        Jurisdiction,
        blank=True,
        related_name="+",
        help_text=_("Diffusion recipients; for a notice, restricts it to these jurisdictions"),
    )
    public_extract_consent = models.BooleanField(
        default=False, help_text=_("The requesting agency consents to a public extract")
    )

    # Lifecycle
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    is_renewal = models.BooleanField(default=False)

    class Meta:
        ordering = ["-updated_at", "-id"]
        permissions = [("review_notice", "Can review notice")]
        indexes = [
            models.Index(fields=["status", "expires_at"]),
            models.Index(fields=["notice_type", "status"]),
            models.Index(fields=["date_of_birth"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_notice_type_display()} #{self.pk} {self.subject_label}"

    def get_absolute_url(self) -> str:
        return reverse("notice_detail", args=[self.pk])

    @property
    def subject_label(self) -> str:
        name = " ".join(p for p in (self.forenames, self.family_name.upper()) if p)
        return (
            name
            or self.title
            or (self.subject_description[:60] if self.subject_description else "")
        )

    @property
    def is_diffusion(self) -> bool:
        return self.notice_type == NoticeType.DIFFUSION

    @property
    def is_editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.INFO_REQUESTED)

    @property
    def is_public(self) -> bool:
        return (
            self.status == self.Status.PUBLISHED
            and self.public_extract_consent
            and self.notice_type in PUBLIC_TYPES
            and (self.expires_at is None or self.expires_at > timezone.now())
        )

    @property
    def purpose(self) -> str:
        return TYPE_PURPOSES.get(self.notice_type, "")

    @property
    def purpose_display(self) -> str:
        """The purpose in the reader's language (the API keeps ``purpose`` in English)."""
        return gettext(self.purpose) if self.purpose else ""


def _photo_path(instance: NoticePhoto, filename: str) -> str:
    return f"notices/{instance.notice_id}/{filename}"


class NoticePhoto(models.Model):
    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(
        upload_to=_photo_path,
        validators=[FileExtensionValidator(["jpg", "jpeg", "png", "webp"])],
    )
    caption = models.CharField(max_length=200, blank=True)
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return f"Photo of notice {self.notice_id}"


class NoticeReview(models.Model):
    """One secretariat decision with its compliance checklist."""

    class Decision(models.TextChoices):
        PUBLISH = "publish", _("Publish")
        REFUSE = "refuse", _("Refuse")
        REQUEST_INFO = "request_info", _("Request information")

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decision = models.CharField(max_length=16, choices=Decision.choices)
    art3_neutrality = models.BooleanField(
        _("Art. 3 neutrality"),
        default=False,
        help_text=_("No political, military, religious or racial character"),
    )
    art2_human_rights = models.BooleanField(
        _("Art. 2 human rights"),
        default=False,
        help_text=_("Respects the Universal Declaration"),
    )
    minimum_data = models.BooleanField(
        _("minimum data"),
        default=False,
        help_text=_("The minimum data for the type is present"),
    )
    reasons = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.decision} on notice {self.notice_id}"


class NoticeGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Notice, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        indexes = [models.Index(fields=["group", "permission", "content_object"])]
