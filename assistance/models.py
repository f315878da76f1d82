"""Assistance requests between agencies and to service providers, their attachments, responses
and timeline (Budapest Convention ETS 185 Art. 29–35, its Second Additional Protocol CETS 224
Art. 6–10, Regulation (EU) 2023/1543, bilateral MLA treaties, JIT agreements)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase

from agencies.models import TLP, Agency, HandlingCode, SharingAgreement
from assistance.identifiers import validate_identifiers
from cases.models import Case, Evidence, JointInvestigationTeam

EMERGENCY_NEEDS_JUSTIFICATION = _(
    "An emergency request states the threat to the life or safety of a person "
    "(CETS 224 Art. 9/10; Regulation (EU) 2023/1543 Art. 10(4))."
)
UNKNOWN_CATEGORIES = _("Choose data categories among: subscriber, identifying, traffic, content.")
PERIOD_ORDER = _("The period of interest ends after it starts.")
BILATERAL_NEEDS_TREATY = _(
    "Name the bilateral treaty (title, date, article) the request relies on."
)


class Kind(models.TextChoices):
    PRESERVATION = "preservation", _("Expedited preservation of stored data")
    EXPEDITED_DISCLOSURE = (
        "expedited_disclosure",
        _("Expedited disclosure of preserved traffic data"),
    )
    PRODUCTION = "production", _("Production order / mutual legal assistance")
    SUBSCRIBER = "subscriber", _("Subscriber information")
    DOMAIN_REGISTRATION = "domain_registration", _("Domain name registration information")
    TRAFFIC = "traffic", _("Traffic data")
    EMERGENCY_DISCLOSURE = "emergency_disclosure", _("Emergency disclosure")
    OTHER = "other", _("Other")


class Instrument(models.TextChoices):
    BUDAPEST_29 = "budapest_29", _("Budapest Convention Art. 29 – expedited preservation")
    BUDAPEST_30 = (
        "budapest_30",
        _("Budapest Convention Art. 30 – expedited disclosure of traffic data"),
    )
    BUDAPEST_31 = "budapest_31", _("Budapest Convention Art. 31 – access to stored computer data")
    BUDAPEST_33_34 = "budapest_33_34", _("Budapest Convention Art. 33/34 – real-time collection")
    PROTOCOL_6 = "protocol_6", _("Second Protocol (CETS 224) Art. 6 – domain registration data")
    PROTOCOL_7 = "protocol_7", _("Second Protocol (CETS 224) Art. 7 – subscriber information")
    PROTOCOL_8 = "protocol_8", _("Second Protocol (CETS 224) Art. 8 – giving effect to orders")
    PROTOCOL_9 = "protocol_9", _("Second Protocol (CETS 224) Art. 9 – emergency disclosure")
    PROTOCOL_10 = "protocol_10", _("Second Protocol (CETS 224) Art. 10 – emergency MLA")
    EPOC = "epoc", _("Regulation (EU) 2023/1543 – European Production Order (EPOC)")
    EPOC_PR = "epoc_pr", _("Regulation (EU) 2023/1543 – European Preservation Order (EPOC-PR)")
    BILATERAL = "bilateral", _("Bilateral mutual legal assistance treaty")
    JIT = "jit", _("The case's joint investigation team agreement")


class Urgency(models.TextChoices):
    ROUTINE = "routine", _("Routine")
    URGENT = "urgent", _("Urgent")
    EMERGENCY = "emergency", _("Emergency (threat to life or safety)")


class AddresseeRole(models.TextChoices):
    POINT_OF_CONTACT = "24_7", _("24/7 point of contact (Budapest Convention Art. 35)")
    CENTRAL_AUTHORITY = "central_authority", _("Central authority for MLA (Budapest Art. 27)")
    SERVICE_PROVIDER = "service_provider", _("Service provider (CETS 224 Art. 6/7; EU 2023/1543)")


class DataCategory(models.TextChoices):
    SUBSCRIBER = "subscriber", _("Subscriber data")
    IDENTIFYING = (
        "identifying",
        _(
            "Data requested only to identify the user (an IP address at a time; Reg. 2023/1543 "
            "Art. 3(10))"
        ),
    )
    TRAFFIC = "traffic", _("Traffic data")
    CONTENT = "content", _("Content data")


# A European Production Order for these is notified to the enforcing authority (Reg. 2023/1543
# Art. 8(1)).
NOTIFIED_CATEGORIES = (DataCategory.TRAFFIC, DataCategory.CONTENT)


class EnforcingDecision(models.TextChoices):
    PENDING = "", _("Pending")
    NO_GROUNDS = "no_grounds", _("No ground for refusal (Reg. 2023/1543 Art. 10(2))")
    REFUSED = "refused", _("Ground for refusal raised (Reg. 2023/1543 Art. 12)")


class RefusalGrounds(models.TextChoices):
    DUAL_CRIMINALITY = "dual_criminality", _("No dual criminality (Budapest Art. 29(4))")
    POLITICAL_OFFENCE = "political_offence", _("Political offence (Budapest Art. 27(4)(a))")
    IMMUNITY = (
        "immunity",
        _("Immunities, privileges or freedom of the press (Reg. 2023/1543 Art. 12(1)(a))"),
    )
    FUNDAMENTAL_RIGHTS = (
        "fundamental_rights",
        _("Manifest breach of a fundamental right (Reg. 2023/1543 Art. 12(1)(b))"),
    )
    NE_BIS_IN_IDEM = "ne_bis_in_idem", _("Ne bis in idem (Reg. 2023/1543 Art. 12(1)(c))")
    DATA_UNAVAILABLE = "data_unavailable", _("Data no longer available")
    INSUFFICIENT_DETAIL = "insufficient_detail", _("Insufficient detail to execute")
    OTHER = "other", _("Other (see text)")


def validate_categories(value: object) -> None:
    if not isinstance(value, list) or any(v not in DataCategory.values for v in value):
        raise ValidationError(UNKNOWN_CATEGORIES)


def overdue_q() -> Q:
    """Past its deadline and still waiting for someone."""
    return Q(due_at__lt=timezone.now(), status__in=AssistanceRequest.WAITING)


def with_overdue(requests: models.QuerySet) -> models.QuerySet:
    """Annotate ``overdue`` (a boolean column, filterable and sortable)."""
    return requests.annotate(
        overdue=models.ExpressionWrapper(overdue_q(), output_field=models.BooleanField())
    )


class AssistanceRequest(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENT = "sent", _("Sent")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        IN_PROGRESS = "in_progress", _("In progress")
        PRESERVED = "preserved", _("Preserved")
        EXTENDED = "extended", _("Preservation extended")
        ANSWERED_PARTIALLY = "answered_partially", _("Answered partially")
        ANSWERED_FULLY = "answered_fully", _("Answered fully")
        REFUSED = "refused", _("Refused")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        RELEASED = "released", _("Preservation released")
        EXPIRED = "expired", _("Preservation expired")

    # Someone still has to act before ``due_at``: the addressee, or (preserved) the requester's
    # follow-up request.
    WAITING = (
        Status.SENT,
        Status.ACKNOWLEDGED,
        Status.IN_PROGRESS,
        Status.PRESERVED,
        Status.EXTENDED,
        Status.ANSWERED_PARTIALLY,
    )
    # A preservation that holds (or is about to hold) the data: a follow-up may still be sent.
    PRESERVING = (
        Status.SENT,
        Status.ACKNOWLEDGED,
        Status.IN_PROGRESS,
        Status.PRESERVED,
        Status.EXTENDED,
    )
    # A preservation a new request may name as the one it follows up.
    FOLLOWABLE = (Status.DRAFT, *PRESERVING)

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assistance_requests")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    requesting_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    addressee = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_(
            "The agency asked; on sending, MLA goes to its central authority if it names "
            "one, preservation and emergencies to its 24/7 point (Budapest Art. 35)."
        ),
    )
    addressee_role = models.CharField(
        max_length=20, choices=AddresseeRole.choices, blank=True, help_text=_("Set on sending.")
    )
    instrument = models.CharField(
        "legal basis",
        max_length=16,
        choices=Instrument.choices,
        blank=True,
        help_text=_(
            "Budapest Convention (ETS 185) Art. 29 preservation, Art. 30 disclosure of "
            "traffic data, Art. 31 stored data, Art. 33/34 real-time collection; Second Protocol "
            "(CETS 224) Art. 6 domain registration, Art. 7 subscriber information, Art. 8 orders, "
            "Art. 9/10 emergencies; Regulation (EU) 2023/1543 EPOC (Art. 10) / EPOC-PR (Art. 11); "
            "a bilateral MLA treaty; the case's JIT agreement."
        ),
    )
    agreement = models.ForeignKey(
        SharingAgreement,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The agreement on record the basis relies on (set on sending)."),
    )
    jit = models.ForeignKey(
        JointInvestigationTeam,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The JIT whose agreement is the basis (instrument 'jit')."),
    )
    treaty = models.CharField(
        max_length=300, blank=True, help_text=_("Bilateral treaty: title, date and article.")
    )
    urgency = models.CharField(max_length=12, choices=Urgency.choices, default=Urgency.ROUTINE)
    emergency_justification = models.TextField(
        blank=True,
        help_text=_(
            "Required in an emergency: the significant and imminent risk to the life or "
            "safety of a person (CETS 224 Art. 3(2)(c), 9, 10; Reg. 2023/1543 Art. 3(18))."
        ),
    )
    summary = models.TextField(blank=True, help_text=_("Facts, offence and why the data matters."))
    identifiers = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_identifiers],
        help_text=_(
            'Items {"type": ip|account|domain|email|phone|other, "value": ...}; an IP '
            'also has "timestamp" (ISO 8601 with time zone) and may have "port".'
        ),
    )
    data_categories = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_categories],
        help_text=_("subscriber, traffic, content"),
    )
    period_start = models.DateTimeField(null=True, blank=True)
    period_end = models.DateTimeField(null=True, blank=True)
    tlp = models.CharField("TLP", max_length=16, choices=TLP.choices, default=TLP.AMBER)
    handling_code = models.CharField(
        max_length=2, choices=HandlingCode.choices, default=HandlingCode.H0
    )
    handling_text = models.CharField(max_length=300, blank=True)
    shared_with_jit = models.BooleanField(
        default=False, help_text=_("The case's JIT members see this request and its responses.")
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    refusal_grounds = models.CharField(max_length=24, choices=RefusalGrounds.choices, blank=True)
    refusal_text = models.TextField(blank=True)
    preservation_reference = models.CharField(
        max_length=120, blank=True, help_text=_("The addressee's reference for the preserved data.")
    )
    preserved_at = models.DateTimeField(null=True, blank=True)
    preserved_until = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_(
            "At least 60 days (Budapest Art. 29(7); Reg. 2023/1543 Art. 11(1)), "
            "extended on request (EPOC-PR: by 30 days)."
        ),
    )
    extensions = models.PositiveSmallIntegerField(default=0)
    follow_up = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="preservations",
        help_text=_(
            "The production / MLA request that follows this preservation (Budapest "
            "Art. 29(3)): it must be sent before the preservation ends."
        ),
    )
    enforcing_authority = models.ForeignKey(
        Agency,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_(
            "European Production Order for traffic or content data: the authority of the "
            "provider's Member State, notified with the order (Reg. 2023/1543 Art. 8(1)); it may "
            "raise a ground for refusal within 10 days, 96 hours in an emergency (Art. 10, 12)."
        ),
    )
    enforcing_exempt = models.BooleanField(
        "no notification (Art. 8(2))",
        default=False,
        help_text=_(
            "The offence was, is or is likely to be committed in the issuing State and "
            "the person whose data are sought lives there (Reg. 2023/1543 Art. 8(2))."
        ),
    )
    enforcing_notified_at = models.DateTimeField(null=True, blank=True)
    enforcing_decision = models.CharField(
        max_length=12, choices=EnforcingDecision.choices, blank=True
    )
    enforcing_decided_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    # The beat task's reminders, once each per deadline (cleared when the deadline moves).
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    overdue_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "due_at"], name="assistance_due_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.requesting_agency} → {self.addressee} #{self.pk}"

    def clean(self) -> None:
        errors: dict[str, Promise] = {}
        if self.urgency == Urgency.EMERGENCY and not self.emergency_justification.strip():
            errors["emergency_justification"] = EMERGENCY_NEEDS_JUSTIFICATION
        if self.period_start and self.period_end and self.period_end < self.period_start:
            errors["period_end"] = PERIOD_ORDER
        if self.instrument == Instrument.BILATERAL and not self.treaty.strip():
            errors["treaty"] = BILATERAL_NEEDS_TREATY
        if errors:
            raise ValidationError(errors)

    @property
    def is_overdue(self) -> bool:
        return bool(self.due_at and self.due_at < timezone.now() and self.status in self.WAITING)

    @property
    def data_category_labels(self) -> list[str]:
        return [str(DataCategory(c).label) for c in self.data_categories or []]

    @property
    def needs_enforcing_notification(self) -> bool:
        """A European Production Order for traffic or content data (Reg. 2023/1543 Art. 8)."""
        return (
            self.instrument == Instrument.EPOC
            and not self.enforcing_exempt
            and bool(set(self.data_categories or []) & set(NOTIFIED_CATEGORIES))
        )

    @property
    def awaits_enforcing_authority(self) -> bool:
        """Outside emergencies a notified order's data wait for the enforcing authority's ten
        days or its confirmation (Reg. 2023/1543 Art. 10(2)); an emergency's go within eight
        hours (Art. 10(4))."""
        end = self.enforcing_window_ends
        return (
            end is not None
            and self.urgency != Urgency.EMERGENCY
            and self.enforcing_decision != EnforcingDecision.NO_GROUNDS
            and end > timezone.now()
        )

    @property
    def enforcing_may_decide(self) -> bool:
        """The notified enforcing authority has not decided and its window is still open."""
        end = self.enforcing_window_ends
        return end is not None and not self.enforcing_decision and end > timezone.now()

    def follow_up_link_visible(self, agency_ids: set[int]) -> bool:
        """The link between this preservation and its follow-up shows to the requester, and to
        an addressee of both (the provider finds the preserved data by it) — not to a notified
        enforcing authority, which sees the order only."""
        if self.follow_up is None:
            return False
        if self.requesting_agency_id in agency_ids:
            return True
        return self.addressee_id in agency_ids and self.follow_up.addressee_id == self.addressee_id

    @property
    def enforcing_window_ends(self) -> dt.datetime | None:
        """When the enforcing authority can no longer raise a ground for refusal."""
        if self.enforcing_notified_at is None:
            return None
        hours = 96 if self.urgency == Urgency.EMERGENCY else 240
        return self.enforcing_notified_at + dt.timedelta(hours=hours)


class RequestEvent(models.Model):
    """One step of the request's timeline (a status change and who made it)."""

    request = models.ForeignKey(AssistanceRequest, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    agency = models.ForeignKey(Agency, null=True, on_delete=models.PROTECT, related_name="+")
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_label or '—'} → {self.to_label}"

    @property
    def from_label(self) -> str:
        return _status_label(self.from_status)

    @property
    def to_label(self) -> str:
        return _status_label(self.to_status)


def _status_label(status: str) -> str:
    return str(AssistanceRequest.Status(status).label) if status else ""


def attachment_upload_to(instance: RequestAttachment, filename: str) -> str:
    return f"assistance/{instance.request_id}/{timezone.now():%Y%m%d%H%M%S}-{filename}"


class RequestAttachment(models.Model):
    class Kind(models.TextChoices):
        SIGNED_ORDER = "signed_order", _("Signed order / certificate (EPOC, EPOC-PR, MLA request)")
        TRANSLATION = "translation", _("Translation")
        OTHER = "other", _("Other")

    request = models.ForeignKey(
        AssistanceRequest, on_delete=models.CASCADE, related_name="attachments"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    language = models.CharField(max_length=8, blank=True, help_text=_("ISO 639-1, e.g. nl"))
    file = models.FileField(upload_to=attachment_upload_to, max_length=500)
    original_name = models.CharField(max_length=200)
    size = models.BigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.original_name}"


def response_upload_to(instance: RequestResponse, filename: str) -> str:
    return f"assistance/{instance.request_id}/responses/{timezone.now():%Y%m%d%H%M%S}-{filename}"


class RequestResponse(models.Model):
    """Data produced by the addressee; the same stored file is evidence in the case."""

    request = models.ForeignKey(
        AssistanceRequest, on_delete=models.CASCADE, related_name="responses"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    file = models.FileField(upload_to=response_upload_to, max_length=500)
    original_name = models.CharField(max_length=200)
    size = models.BigIntegerField()
    sha256 = models.CharField(max_length=64)
    note = models.TextField(blank=True)
    complete = models.BooleanField(default=True, help_text=_("Answers the request fully."))
    evidence = models.OneToOneField(
        Evidence, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    produced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.sha256[:12]})"


class AssistanceRequestGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(AssistanceRequest, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        indexes = [
            models.Index(
                fields=["group", "permission", "content_object"], name="assistance_gperm_idx"
            )
        ]
