"""Cases, joint investigation teams (agreement, membership, amendments), evidence with
chain of custody, tasks and notes, and their guardian permission rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from agencies.models import TLP, Agency, HandlingCode, Jurisdiction
from audit.models import AuditEvent
from common.tables import listed


class OffenceCategory(models.TextChoices):
    """Budapest Convention (ETS 185) offence categories."""

    ILLEGAL_ACCESS = "illegal_access", _("Illegal access (Art. 2)")
    ILLEGAL_INTERCEPTION = "illegal_interception", _("Illegal interception (Art. 3)")
    DATA_INTERFERENCE = "data_interference", _("Data interference (Art. 4)")
    SYSTEM_INTERFERENCE = "system_interference", _("System interference (Art. 5)")
    MISUSE_OF_DEVICES = "misuse_of_devices", _("Misuse of devices (Art. 6)")
    COMPUTER_FORGERY = "computer_forgery", _("Computer-related forgery (Art. 7)")
    COMPUTER_FRAUD = "computer_fraud", _("Computer-related fraud (Art. 8)")
    CSAM = "csam", _("Child sexual abuse material (Art. 9)")
    COPYRIGHT = "copyright", _("Copyright and related rights (Art. 10)")


class CaseCounter(models.Model):
    """Last allocated case number per lead agency and year (locked with SELECT FOR UPDATE)."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "year"], name="one_case_counter_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.agency_id}/{self.year}: {self.last}"


class Case(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        CLOSED = "closed", _("Closed")

    reference = models.CharField(max_length=64, unique=True, editable=False)
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    lead_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="led_cases")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    tlp = models.CharField("TLP", max_length=16, choices=TLP.choices, default=TLP.AMBER)
    handling_code = models.CharField(
        max_length=2, choices=HandlingCode.choices, default=HandlingCode.H0
    )
    handling_text = models.CharField(
        max_length=500, blank=True, help_text=_("Required with H3: the restriction in words")
    )
    offence_categories = models.JSONField(default=list, blank=True)
    tags = models.JSONField(default=list, blank=True)
    named_users = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", help_text=_("TLP:RED recipients")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["lead_agency", "status"])]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("cases:detail", args=[self.pk])

    @property
    def owner_agency_id(self) -> int:
        return self.lead_agency_id


class JointInvestigationTeam(models.Model):
    class LegalBasis(models.TextChoices):
        NONE = "", _("None yet")
        EU_JIT = "eu_jit", _("EU JIT – 2000 MLA Convention Art. 13 / FD 2002/465/JHA")
        BUDAPEST = "budapest", _("Budapest Convention on Cybercrime")
        BILATERAL_MLA = "bilateral_mla", _("Bilateral MLA treaty")
        OTHER = "other", _("Other (see text)")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        EXTENDED = "extended", _("Extended")
        CLOSED = "closed", _("Closed")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="jits")
    name = models.CharField(max_length=200)
    purpose = models.TextField(blank=True)
    legal_basis = models.CharField(
        max_length=16, choices=LegalBasis.choices, default=LegalBasis.NONE, blank=True
    )
    legal_basis_text = models.TextField(
        blank=True, help_text=_("Treaty name / reference; required for bilateral and other")
    )
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)
    states_of_operation = models.ManyToManyField(
        Jurisdiction, blank=True, related_name="+", limit_choices_to={"kind": "country"}
    )
    leader = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="led_jits")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("joint investigation team")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("cases:jit-detail", args=[self.pk])

    def clean(self) -> None:
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValidationError({"period_end": _("The period cannot end before it starts.")})
        if (
            self.legal_basis in (self.LegalBasis.BILATERAL_MLA, self.LegalBasis.OTHER)
            and not self.legal_basis_text.strip()
        ):
            raise ValidationError(
                {"legal_basis_text": _("Name the treaty or instrument for this legal basis.")}
            )

    @property
    def has_legal_basis(self) -> bool:
        return bool(self.legal_basis)

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED


class JITMembership(models.Model):
    class Role(models.TextChoices):
        PARTY = "party", _("Party")
        PARTICIPANT = "participant", _("Participant (e.g. Europol, Eurojust)")
        OBSERVER = "observer", _("Observer")

    class Status(models.TextChoices):
        INVITED = "invited", _("Invited")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        LEFT = "left", _("Left")

    jit = models.ForeignKey(
        JointInvestigationTeam, on_delete=models.CASCADE, related_name="memberships"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="jit_memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.PARTY)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.INVITED)
    seconded_members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="+",
        help_text=_("Named seconded members"),
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    invited_at = models.DateTimeField(default=timezone.now)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["jit_id", "agency__code"]
        constraints = [
            models.UniqueConstraint(fields=["jit", "agency"], name="one_jit_membership_per_agency")
        ]
        indexes = [models.Index(fields=["agency", "status"])]

    def __str__(self) -> str:
        return f"{self.agency} in {self.jit} ({self.role}, {self.status})"


class JITAmendment(models.Model):
    """Dated history of the agreement: creation, extensions, changes, membership changes."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Agreement created")
        CHANGED = "changed", _("Agreement changed")
        EXTENDED = "extended", _("Extended")
        CLOSED = "closed", _("Closed")
        MEMBER_INVITED = "member_invited", _("Member invited")
        MEMBER_ACCEPTED = "member_accepted", _("Member accepted")
        MEMBER_DECLINED = "member_declined", _("Member declined")
        MEMBER_LEFT = "member_left", _("Member left")
        MEMBER_CHANGED = "member_changed", _("Membership changed")

    jit = models.ForeignKey(
        JointInvestigationTeam, on_delete=models.CASCADE, related_name="amendments"
    )
    kind = models.CharField(max_length=24, choices=Kind.choices)
    effective_date = models.DateField(default=timezone.localdate)
    created_at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    description = models.TextField(blank=True)
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.jit}: {self.get_kind_display()} {self.effective_date}"

    @property
    def changes_in_words(self) -> list[str]:
        """Each change as "Legal basis: — → EU JIT – …" (field labels, choice labels, "—" for
        nothing), never the stored codes; a membership's role and seconded members likewise."""
        lines = []
        for name, change in (self.changes or {}).items():
            label, shown = _amendment_field(name)
            if isinstance(change, list) and len(change) == 2 and name not in _LISTS:
                before, after = change
                lines.append(
                    f"{label}: {_amendment_value(before, shown)} → {_amendment_value(after, shown)}"
                )
            else:
                lines.append(f"{label}: {_amendment_value(change, shown)}")
        return lines


# Amendment fields whose value is itself a list (not a [before, after] pair).
_LISTS = {"seconded_members"}


def _amendment_field(name: str) -> tuple[str, Callable[[Any], str]]:
    """An amendment's field: its label and how one of its stored values reads (a choice by its
    label, an ISO date in the reader's format)."""
    for model in (JointInvestigationTeam, JITMembership):
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        break
    else:
        return capfirst(name.replace("_", " ")), str
    label = capfirst(str(getattr(field, "verbose_name", name)))
    if isinstance(field, models.DateField):
        return label, _date_in_words
    labels = {str(k): str(v) for k, v in getattr(field, "flatchoices", None) or []}
    return label, lambda value: labels.get(str(value), str(value))


def _date_in_words(value: Any) -> str:
    try:
        return date_format(dt.date.fromisoformat(str(value)), "SHORT_DATE_FORMAT")
    except ValueError:
        return str(value)


def _amendment_value(value: Any, shown: Callable[[Any], str]) -> str:
    if value in (None, "", []):
        return "—"
    if isinstance(value, list):
        return listed(shown(v) for v in value)
    return shown(value)


class CaseChild(models.Model):
    """Fields shared by evidence, tasks and notes: the owning agency and TLP."""

    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="+", help_text=_("Owning agency")
    )
    tlp = models.CharField("TLP", max_length=16, choices=TLP.choices, default=TLP.AMBER)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True

    @property
    def owner_agency_id(self) -> int:
        return self.agency_id


def evidence_upload_to(instance: Evidence, filename: str) -> str:
    return f"evidence/{instance.case_id}/{timezone.now():%Y%m%d%H%M%S}-{filename}"


class Evidence(CaseChild):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="evidence")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    file = models.FileField(upload_to=evidence_upload_to, max_length=500)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.BigIntegerField()
    sha256 = models.CharField("SHA-256", max_length=64)
    collected_by = models.CharField(max_length=200, help_text=_("Who collected it"))
    collected_at = models.DateTimeField(help_text=_("When it was collected"))
    collected_where = models.CharField(max_length=300, help_text=_("Where it was collected"))
    handling_code = models.CharField(
        max_length=2, choices=HandlingCode.choices, default=HandlingCode.H0
    )
    handling_text = models.CharField(max_length=500, blank=True)
    custodian = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="+", help_text=_("Agency holding it now")
    )
    checked_out_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    disposed_at = models.DateTimeField(null=True, blank=True)
    named_users = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = _("evidence")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("cases:evidence-detail", args=[self.pk])


class CustodyEvent(models.Model):
    class Kind(models.TextChoices):
        COLLECTED = "collected", _("Collected")
        TRANSFERRED = "transferred", _("Transferred")
        CHECKED_OUT = "checked_out", _("Checked out")
        CHECKED_IN = "checked_in", _("Checked in")
        VERIFIED = "verified", _("Verified")
        DOWNLOADED = "downloaded", _("Downloaded")
        DISPOSED = "disposed", _("Disposed")

    class Result(models.TextChoices):
        NONE = "", "—"
        MATCH = "match", _("Match")
        MISMATCH = "mismatch", _("Mismatch")

    evidence = models.ForeignKey(Evidence, on_delete=models.CASCADE, related_name="custody_events")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    agency = models.ForeignKey(Agency, null=True, on_delete=models.PROTECT, related_name="+")
    to_agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Text: intake writes "Collected by <200 chars> at <300 chars>"; a member's stated purpose
    # is bounded by evidence_custody.
    purpose = models.TextField(blank=True)
    result = models.CharField(max_length=8, choices=Result.choices, blank=True, default="")
    sha256 = models.CharField(max_length=64, blank=True)
    # The audit event (log leaf) written with it: collection's is the evidence's registration.
    audit_event = models.OneToOneField(
        AuditEvent,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.evidence_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"


class Task(CaseChild):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    due_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    named_users = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["status", "due_date", "id"]

    def __str__(self) -> str:
        return self.title


class Note(CaseChild):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    body = models.TextField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    named_users = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.body[:60]


# guardian direct foreign-key permission rows ---------------------------------------------


class CaseGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        indexes = [
            models.Index(fields=["group", "permission", "content_object"], name="case_gperm_idx")
        ]


class CaseUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        indexes = [
            models.Index(fields=["user", "permission", "content_object"], name="case_uperm_idx")
        ]


class EvidenceGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Evidence, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        indexes = [
            models.Index(
                fields=["group", "permission", "content_object"], name="evidence_gperm_idx"
            )
        ]


class EvidenceUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Evidence, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        indexes = [
            models.Index(fields=["user", "permission", "content_object"], name="evidence_uperm_idx")
        ]


class TaskGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Task, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        indexes = [
            models.Index(fields=["group", "permission", "content_object"], name="task_gperm_idx")
        ]


class TaskUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Task, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        indexes = [
            models.Index(fields=["user", "permission", "content_object"], name="task_uperm_idx")
        ]


class NoteGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Note, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        indexes = [
            models.Index(fields=["group", "permission", "content_object"], name="note_gperm_idx")
        ]


class NoteUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Note, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        indexes = [
            models.Index(fields=["user", "permission", "content_object"], name="note_uperm_idx")
        ]
