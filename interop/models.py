"""Interop state: TAXII object versions, pattern literals and TAXII status resources."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from agencies.models import Agency
from sharing.models import Indicator, StixObject


class PatternLiteral(models.Model):
    """One literal value of a pattern-only indicator's STIX pattern (a ``sharing.StixObject``
    of type indicator), as ``sharing.stix.literal_key`` spells it (normalised when it is a
    typed value), so a search by value finds the pattern."""

    stix_object = models.ForeignKey(
        StixObject, on_delete=models.CASCADE, related_name="literals", db_index=False
    )
    value = models.TextField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["stix_object", "value"], name="one_literal_per_object")
        ]
        indexes = [models.Index(fields=["value"], name="patternliteral_value")]

    def __str__(self) -> str:
        return self.value


class ObjectVersion(models.Model):
    """One version of a STIX object as TAXII serves it, with its own ``date_added``.

    Visibility follows the object it is a version of — an indicator or a ``StixObject``, by
    sharing's permission rows — or, for ``context`` rows (the agencies' identities, the
    marking and extension definitions our objects refer to), everyone who reads a collection.
    Each agency's copy of a STIX id has its own versions. Paging orders by (``date_added``,
    ``id``).
    """

    stix_id = models.CharField(max_length=300)
    object_type = models.CharField(max_length=250, default="indicator")
    modified = models.DateTimeField()
    # The version string as the object wrote its ``modified`` (TAXII's version), so a client
    # matches it exactly; empty for rows that predate it (then ``modified`` in stix2's format).
    version = models.CharField(max_length=40, blank=True, default="", db_default="")
    date_added = models.DateTimeField(default=timezone.now)
    # No database constraints on owner and stix_object: an import's versions point to rows the
    # same transaction has just written or read, and checking 50k of them took a second of
    # its commit; deletions cascade through Django. (Indicators' versions keep theirs: a
    # worker writes them after the ingest's commit.)
    # Indexed for context rows only (objver_context_owner): every other read goes by object
    # or by STIX id, and an import's 50k versions paid an index entry each for nothing.
    owner = models.ForeignKey(
        Agency,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    # Indexed by objver_indicator (indicator, is_latest) and objver_object, each of the rows
    # that have one only: no single-column index of their own on this hot table.
    indicator = models.ForeignKey(
        Indicator, null=True, blank=True, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    stix_object = models.ForeignKey(
        StixObject,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="versions",
        db_index=False,
        db_constraint=False,
    )
    context = models.BooleanField(
        default=False,
        db_default=False,
        help_text="An identity or definition served to every collection reader",
    )
    is_latest = models.BooleanField(default=True)
    body = models.TextField(help_text="The serialised STIX object")

    class Meta:
        ordering = ["date_added", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["stix_id", "modified", "owner"],
                name="one_version_per_owner_modified",
                nulls_distinct=False,
            )
        ]
        indexes = [
            models.Index(
                fields=["date_added", "id"],
                name="objver_latest_paging",
                condition=models.Q(is_latest=True),
            ),
            models.Index(fields=["date_added", "id"], name="objver_paging"),
            models.Index(
                fields=["indicator", "is_latest"],
                name="objver_indicator",
                condition=models.Q(indicator__isnull=False),
            ),
            models.Index(
                fields=["owner"], name="objver_context_owner", condition=models.Q(context=True)
            ),
            models.Index(
                fields=["stix_object", "is_latest"],
                name="objver_object",
                condition=models.Q(stix_object__isnull=False),
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
