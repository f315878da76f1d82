"""Agencies, jurisdictions, memberships, invitations and API keys: who acts for whom."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone


class TLP(models.TextChoices):
    """Traffic Light Protocol 2.0."""

    CLEAR = "CLEAR", "TLP:CLEAR"
    GREEN = "GREEN", "TLP:GREEN"
    AMBER = "AMBER", "TLP:AMBER"
    AMBER_STRICT = "AMBER+STRICT", "TLP:AMBER+STRICT"
    RED = "RED", "TLP:RED"


class HandlingCode(models.TextChoices):
    """Europol-style handling codes."""

    H0 = "H0", "H0 – for police and judicial use only"
    H1 = "H1", "H1 – not to be used as evidence in court without originator's permission"
    H2 = "H2", "H2 – not to be disseminated without originator's permission"
    H3 = "H3", "H3 – other restrictions (see text)"


class Jurisdiction(models.Model):
    class Kind(models.TextChoices):
        COUNTRY = "country", "Country"
        REGIME = "regime", "Legal regime"

    code = models.CharField(
        max_length=16,
        unique=True,
        validators=[RegexValidator(r"^[A-Z][A-Z0-9_]{1,15}$", "Upper-case letters, digits, _")],
        help_text="ISO 3166-1 alpha-2 for a country (DE), a short name for a regime (EU, BUDAPEST)",
    )
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    regimes = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="member_countries",
        limit_choices_to={"kind": Kind.REGIME},
    )
    group = models.OneToOneField(Group, on_delete=models.PROTECT, editable=False, related_name="+")

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code

    def clean(self) -> None:
        if self.kind == self.Kind.COUNTRY and not (len(self.code) == 2 and self.code.isalpha()):
            raise ValidationError({"code": "A country code is ISO 3166-1 alpha-2, e.g. DE."})

    def save(self, *args, **kwargs) -> None:
        if not self.group_id:
            self.group, _ = Group.objects.get_or_create(name=f"jurisdiction:{self.code}")
        super().save(*args, **kwargs)


class Agency(models.Model):
    class Kind(models.TextChoices):
        POLICE = "police", "Police"
        NCB = "ncb", "INTERPOL National Central Bureau"
        CERT = "cert", "CERT / CSIRT"
        PROSECUTOR = "prosecutor", "Prosecutor"
        INTERNATIONAL = "international", "International organisation"
        SECRETARIAT = "secretariat", "Secretariat"

    code = models.CharField(
        max_length=32,
        unique=True,
        validators=[RegexValidator(r"^[A-Z0-9][A-Z0-9-]{1,31}$", "Upper-case letters, digits, -")],
        help_text="Short code used in URLs, e.g. DE-BKA",
    )
    name = models.CharField(max_length=200)
    country = models.ForeignKey(
        Jurisdiction,
        on_delete=models.PROTECT,
        related_name="agencies",
        limit_choices_to={"kind": Jurisdiction.Kind.COUNTRY},
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    contact_name = models.CharField("24/7 contact point", max_length=200, blank=True)
    contact_phone = models.CharField("24/7 phone", max_length=64, blank=True)
    contact_email = models.EmailField("24/7 e-mail", blank=True)
    active = models.BooleanField(default=True)
    group = models.OneToOneField(Group, on_delete=models.PROTECT, editable=False, related_name="+")

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.code

    def save(self, *args, **kwargs) -> None:
        if not self.group_id:
            self.group, _ = Group.objects.get_or_create(name=f"agency:{self.code}")
        super().save(*args, **kwargs)

    @property
    def is_secretariat(self) -> bool:
        return self.kind == self.Kind.SECRETARIAT

    def jurisdictions(self) -> list[Jurisdiction]:
        """The agency's country and every regime that country belongs to."""
        return [self.country, *self.country.regimes.all()]

    def jurisdiction_codes(self) -> set[str]:
        return {j.code for j in self.jurisdictions()}


class Membership(models.Model):
    class Role(models.TextChoices):
        INVESTIGATOR = "investigator", "Investigator"
        ANALYST = "analyst", "Analyst"
        AGENCY_ADMIN = "agency_admin", "Agency admin"
        REVIEWER = "reviewer", "Reviewer (secretariat)"

    class Status(models.TextChoices):
        INVITED = "invited", "Invited"
        ACTIVE = "active", "Active"
        SUSPENDED = "suspended", "Suspended"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.INVESTIGATOR)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    seconded = models.BooleanField(default=False, help_text="Seconded to this agency")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["agency__code", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["user", "agency"], name="one_membership_per_agency")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.agency} ({self.role}, {self.status})"

    def clean(self) -> None:
        if self.role == self.Role.REVIEWER and not self.agency.is_secretariat:
            raise ValidationError({"role": "Only secretariat agencies have reviewers."})

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE and self.agency.active


class Invitation(models.Model):
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=16, choices=Membership.Role.choices)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation of {self.email} to {self.agency}"

    @property
    def is_open(self) -> bool:
        return (
            self.accepted_at is None and self.revoked_at is None and self.expires_at > timezone.now()
        )

    @property
    def state(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "open"


class APIKey(models.Model):
    """A key for one user acting for one agency. Only its SHA-256 is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_keys")
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API key"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_usable(self) -> bool:
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > timezone.now()
