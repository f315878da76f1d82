"""Interop state: TAXII object versions, pattern-only indicators and TAXII status resources."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone

from agencies.models import TLP, Agency, HandlingCode
from sharing.models import PAP, Indicator


class PatternIndicator(models.Model):
    """A STIX indicator whose pattern has no single typed value (kept pattern-only): a complex
    STIX pattern, or a Sigma, YARA, Snort, Suricata or PCRE rule.

    Visible to its owning agency only: it cannot be correlated or shared value-wise, but a
    STIX pattern's literal values are kept (``PatternLiteral``) so a search finds it.
    """

    class PatternType(models.TextChoices):
        STIX = "stix", "STIX"
        SIGMA = "sigma", "Sigma"
        YARA = "yara", "YARA"
        SNORT = "snort", "Snort"
        SURICATA = "suricata", "Suricata"
        PCRE = "pcre", "PCRE"

    stix_uuid = models.UUIDField(unique=True)
    owner = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    pattern = models.TextField()
    pattern_type = models.CharField(
        max_length=16, choices=PatternType.choices, default=PatternType.STIX
    )
    name = models.CharField(max_length=250, blank=True)
    description = models.TextField(blank=True)
    labels = models.JSONField(default=list, blank=True)
    confidence = models.PositiveSmallIntegerField(default=50, validators=[MaxValueValidator(100)])
    tlp = models.CharField("TLP", max_length=16, choices=TLP.choices, default=TLP.AMBER)
    pap = models.CharField("PAP", max_length=8, choices=PAP.choices, default=PAP.AMBER)
    handling_code = models.CharField(
        max_length=2, choices=HandlingCode.choices, default=HandlingCode.H0
    )
    valid_from = models.DateTimeField()
    valid_until = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField()
    modified = models.DateTimeField()
    revoked = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.JSONField(help_text="The STIX object as received")

    class Meta:
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return f"indicator--{self.stix_uuid}"

    @property
    def stix_id(self) -> str:
        return f"indicator--{self.stix_uuid}"


class PatternLiteral(models.Model):
    """One literal value of a pattern-only indicator's STIX pattern, as
    ``sharing.stix.literal_key`` spells it (normalised when it is a typed value)."""

    pattern_indicator = models.ForeignKey(
        PatternIndicator, on_delete=models.CASCADE, related_name="literals", db_index=False
    )
    value = models.TextField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["pattern_indicator", "value"], name="one_literal_per_pattern"
            )
        ]
        indexes = [models.Index(fields=["value"], name="patternliteral_value")]

    def __str__(self) -> str:
        return self.value


class ObjectVersion(models.Model):
    """One version of a STIX object as TAXII serves it, with its own ``date_added``.

    Visibility follows the indicator (sharing's permission rows) or, for pattern-only
    indicators, the owning agency; paging orders by (``date_added``, ``id``).
    """

    stix_id = models.CharField(max_length=100)
    object_type = models.CharField(max_length=40, default="indicator")
    modified = models.DateTimeField()
    date_added = models.DateTimeField(default=timezone.now)
    owner = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    # Indexed by objver_indicator (indicator, is_latest) and objver_pattern (non-null only):
    # no single-column index of their own on this hot table.
    indicator = models.ForeignKey(
        Indicator, null=True, blank=True, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    pattern_indicator = models.ForeignKey(
        PatternIndicator,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="versions",
        db_index=False,
    )
    is_latest = models.BooleanField(default=True)
    body = models.TextField(help_text="The serialised STIX object")

    class Meta:
        ordering = ["date_added", "id"]
        constraints = [
            models.UniqueConstraint(fields=["stix_id", "modified"], name="one_version_per_modified")
        ]
        indexes = [
            models.Index(
                fields=["date_added", "id"],
                name="objver_latest_paging",
                condition=models.Q(is_latest=True),
            ),
            models.Index(fields=["date_added", "id"], name="objver_paging"),
            models.Index(fields=["indicator", "is_latest"], name="objver_indicator"),
            models.Index(
                fields=["pattern_indicator"],
                name="objver_pattern",
                condition=models.Q(pattern_indicator__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.stix_id}@{self.modified.isoformat()}"


class TaxiiStatus(models.Model):
    """The TAXII status resource of one POST to a collection; seen by its agency only."""

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        COMPLETE = "complete", "Complete"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    collection_id = models.CharField(max_length=64)
    status = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    request_timestamp = models.DateTimeField(default=timezone.now)
    total_count = models.PositiveIntegerField(default=0)
    success_count = models.PositiveIntegerField(default=0)
    failure_count = models.PositiveIntegerField(default=0)
    pending_count = models.PositiveIntegerField(default=0)
    successes = models.JSONField(default=list, blank=True)
    failures = models.JSONField(default=list, blank=True)
    pendings = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name_plural = "TAXII statuses"

    def __str__(self) -> str:
        return f"status {self.uuid} ({self.status})"
