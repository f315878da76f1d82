"""Agencies, jurisdictions, memberships, invitations, API keys, partner endpoints and the
witnesses that cosign the audit log's checkpoints: who acts for whom."""

from __future__ import annotations

import ipaddress
from datetime import UTC, datetime

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from audit.models import SignedCheckpoint
from common.dates import utc_moment

COUNTRY_CODE = "A country code is ISO 3166-1 alpha-2, e.g. DE."


class TLP(models.TextChoices):
    """Traffic Light Protocol 2.0."""

    CLEAR = "CLEAR", _("TLP:CLEAR")
    GREEN = "GREEN", _("TLP:GREEN")
    AMBER = "AMBER", _("TLP:AMBER")
    AMBER_STRICT = "AMBER+STRICT", _("TLP:AMBER+STRICT")
    RED = "RED", _("TLP:RED")


class HandlingCode(models.TextChoices):
    """Europol-style handling codes."""

    H0 = "H0", _("H0 – for police and judicial use only")
    H1 = "H1", _("H1 – not to be used as evidence in court without originator's permission")
    H2 = "H2", _("H2 – not to be disseminated without originator's permission")
    H3 = "H3", _("H3 – other restrictions (see text)")


class Jurisdiction(models.Model):
    class Kind(models.TextChoices):
        COUNTRY = "country", _("Country")
        REGIME = "regime", _("Legal regime")

    code = models.CharField(
        max_length=16,
        unique=True,
        validators=[RegexValidator(r"^[A-Z][A-Z0-9_]{1,15}$", "Upper-case letters, digits, _")],
        help_text=_(
            "ISO 3166-1 alpha-2 for a country (DE), a short name for a regime (EU, BUDAPEST)"
        ),
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

    def save(self, *args, **kwargs) -> None:
        if not self.group_id:
            self.group, _created = Group.objects.get_or_create(name=f"jurisdiction:{self.code}")
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if self.kind == self.Kind.COUNTRY and not (len(self.code) == 2 and self.code.isalpha()):
            raise ValidationError({"code": COUNTRY_CODE})


class Agency(models.Model):
    class Kind(models.TextChoices):
        POLICE = "police", _("Police")
        NCB = "ncb", _("INTERPOL National Central Bureau")
        CERT = "cert", _("CERT / CSIRT")
        PROSECUTOR = "prosecutor", _("Prosecutor")
        INTERNATIONAL = "international", _("International organisation")
        SECRETARIAT = "secretariat", _("Secretariat")
        SERVICE_PROVIDER = "provider", _("Service provider")

    code = models.CharField(
        max_length=32,
        unique=True,
        validators=[RegexValidator(r"^[A-Z0-9][A-Z0-9-]{1,31}$", "Upper-case letters, digits, -")],
        help_text=_("Short code used in URLs, e.g. DE-BKA"),
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
    central_authority = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_(
            "The agency that receives mutual legal assistance requests for this one "
            "(Budapest Convention Art. 27); empty: this agency itself"
        ),
    )
    active = models.BooleanField(default=True)
    require_second_factor = models.BooleanField(
        default=False,
        help_text=_("Every member signs in with a second factor (admins and reviewers always do)."),
    )
    group = models.OneToOneField(Group, on_delete=models.PROTECT, editable=False, related_name="+")

    class Meta:
        ordering = ["code"]
        verbose_name_plural = _("agencies")

    def __str__(self) -> str:
        return self.code

    def save(self, *args, **kwargs) -> None:
        if not self.group_id:
            self.group, _created = Group.objects.get_or_create(name=f"agency:{self.code}")
        super().save(*args, **kwargs)

    @property
    def is_secretariat(self) -> bool:
        return self.kind == self.Kind.SECRETARIAT

    @property
    def is_service_provider(self) -> bool:
        return self.kind == self.Kind.SERVICE_PROVIDER

    @property
    def reviewer_group_name(self) -> str:
        """The group of a secretariat's active reviewers (notices under review go to it)."""
        return f"reviewers:{self.code}"

    def jurisdictions(self) -> list[Jurisdiction]:
        """The agency's country and every regime that country belongs to."""
        return [self.country, *self.country.regimes.all()]

    def principal_jurisdictions(self) -> list[Jurisdiction]:
        """The jurisdictions whose groups the agency's members are in: none for a service
        provider, so nothing granted to a country, a regime or every member agency reaches it."""
        return [] if self.is_service_provider else self.jurisdictions()

    def jurisdiction_codes(self) -> set[str]:
        return {j.code for j in self.jurisdictions()}


class Membership(models.Model):
    class Role(models.TextChoices):
        INVESTIGATOR = "investigator", _("Investigator")
        ANALYST = "analyst", _("Analyst")
        AGENCY_ADMIN = "agency_admin", _("Agency admin")
        REVIEWER = "reviewer", _("Reviewer (secretariat)")
        PROVIDER_LIAISON = "provider_liaison", _("Provider liaison (service provider)")

    class Status(models.TextChoices):
        INVITED = "invited", _("Invited")
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.INVESTIGATOR)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    seconded = models.BooleanField(default=False, help_text=_("Seconded to this agency"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["agency__code", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["user", "agency"], name="one_membership_per_agency")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.agency} ({self.role}, {self.status})"

    def clean(self) -> None:
        from agencies.providers import check_role  # cycle: providers imports these models

        if self.role == self.Role.REVIEWER and not self.agency.is_secretariat:
            raise ValidationError({"role": _("Only secretariat agencies have reviewers.")})
        check_role(self.agency, self.role)

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
            self.accepted_at is None
            and self.revoked_at is None
            and self.expires_at > timezone.now()
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

    @property
    def state_label(self) -> str:
        """The state in words, in the reader's language."""
        labels = {
            "accepted": _("accepted"),
            "revoked": _("revoked"),
            "expired": _("expired"),
            "open": _("open"),
        }
        return str(labels[self.state])


class APIKey(models.Model):
    """A key for one user acting for one agency, limited to scopes and, optionally, to client
    networks. Only its SHA-256 is stored."""

    class Scope(models.TextChoices):
        READ = "read", _("Read: what the agency may see, over REST")
        WRITE = "write", _("Write: cases, evidence, notices, shares, over REST")
        TAXII = "taxii", _("TAXII 2.1: its collections (posting needs ingest too)")
        INGEST = "ingest", _("Ingest: submit indicators and STIX bundles")
        WITNESS = "witness", _("Witness: post cosignatures of the log's checkpoints")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_keys"
    )
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
    scopes = models.JSONField(default=list, help_text=_("What the key may do (Scope values)."))
    allowed_networks = models.JSONField(
        default=list,
        blank=True,
        help_text=_("Client networks (CIDR) the key may be used from; empty: anywhere."),
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API key")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_usable(self) -> bool:
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > timezone.now()

    def allows_address(self, address: str | None) -> bool:
        if not self.allowed_networks:
            return True
        try:
            ip = ipaddress.ip_address(address or "")
        except ValueError:
            return False
        return any(ip in ipaddress.ip_network(network) for network in self.allowed_networks)


class SharingAgreement(models.Model):
    """A legal basis on record for sharing between agencies and/or jurisdictions.

    Parties are the named agencies plus every agency in a named jurisdiction (a country,
    or a regime such as EU or BUDAPEST: then every agency of a member country).
    """

    class Basis(models.TextChoices):
        EU = "eu", _("EU law (Europol Regulation / Directive 2016/680 / Prüm)")
        BUDAPEST = "budapest", _("Budapest Convention on Cybercrime (ETS 185), Art. 25–35")
        E_EVIDENCE = (
            "e_evidence",
            _(
                "Regulation (EU) 2023/1543 on European Production and Preservation Orders "
                "(e-Evidence)"
            ),
        )
        BILATERAL = "bilateral", _("Bilateral agreement or MoU")
        MLAT = "mlat", _("Mutual legal assistance treaty")
        INTERPOL = "interpol", _("INTERPOL Rules on the Processing of Data")
        OTHER = "other", _("Other (see reference)")

    class DataCategory(models.TextChoices):
        INDICATORS = "indicators", _("Technical indicators")
        CASE_DATA = "case_data", _("Case data")
        PERSONAL_DATA = "personal_data", _("Personal data")

    name = models.CharField(max_length=200)
    basis = models.CharField(max_length=16, choices=Basis.choices)
    reference = models.CharField(
        max_length=300, blank=True, help_text=_("Treaty / article / MoU id")
    )
    agencies = models.ManyToManyField(Agency, blank=True, related_name="sharing_agreements")
    jurisdictions = models.ManyToManyField(
        Jurisdiction, blank=True, related_name="sharing_agreements"
    )
    data_categories = models.JSONField(default=list, help_text=_("DataCategory values covered"))
    valid_from = models.DateField(default=timezone.localdate)
    valid_until = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_basis_display()})"

    def clean(self) -> None:
        if self.valid_until and self.valid_until < self.valid_from:
            raise ValidationError({"valid_until": _("The agreement cannot end before it starts.")})
        unknown = set(self.data_categories or []) - set(self.DataCategory.values)
        if unknown or not self.data_categories:
            raise ValidationError(
                {
                    "data_categories": _("Choose from %(choices)s.")
                    % {"choices": ", ".join(self.DataCategory.values)}
                }
            )

    def is_valid_on(self, day) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)


class PartnerEndpoint(models.Model):
    """A partner agency's system that receives signed webhook pushes of shared indicators."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="partner_endpoints")
    name = models.CharField(max_length=100)
    url = models.URLField(max_length=500)
    # Standard Webhooks secret (whsec_ + base64). Stored because the worker must sign with it;
    # returned once at creation, never logged, never serialised again.
    secret = models.CharField(max_length=80, editable=False)
    types = models.JSONField(default=list, blank=True, help_text=_("Indicator types; empty = all"))
    # Shared STIX objects other than typed indicators; validated by sharing, which knows the types.
    object_types = models.JSONField(
        _("STIX object types"),
        default=list,
        blank=True,
        help_text=_("STIX object types pushed (malware, report, relationship, …); empty = all"),
    )
    min_confidence = models.PositiveSmallIntegerField(default=0)
    max_tlp = models.CharField("highest TLP", max_length=16, choices=TLP.choices, default=TLP.AMBER)
    receives_checkpoints = models.BooleanField(
        default=False, help_text=_("Also push the audit log's signed checkpoints to this endpoint")
    )
    active = models.BooleanField(default=True)
    disabled_reason = models.CharField(max_length=300, blank=True)  # as written, for the record
    # When a push was answered 410 Gone and the endpoint turned itself off (else null).
    gone_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["agency__code", "name"]
        indexes = [models.Index(fields=["agency", "active"])]

    def __str__(self) -> str:
        return f"{self.agency_id}:{self.name}"

    def disabled_words(self) -> str:
        """Why it is inactive, in the reader's language and date format."""
        if self.gone_at is None:
            return self.disabled_reason
        return gettext("Disabled at %(when)s: it answered 410 Gone.") % {
            "when": utc_moment(self.gone_at)
        }


class Witness(models.Model):
    """A partner agency's cosigner (C2SP tlog-cosignature v1, Ed25519): it checks that each
    checkpoint extends the last one it saw and posts its cosignature back. Retired, not
    deleted, so the cosignatures it made stay attributable."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="witnesses")
    name = models.CharField(max_length=200, help_text=_("The cosigner's key name"))
    verifier_key = models.CharField(
        max_length=300, unique=True, help_text=_("<name>+<hex key id>+<base64 key>, type 0x04")
    )
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["agency__code", "name"]
        verbose_name_plural = _("witnesses")

    def __str__(self) -> str:
        return f"{self.agency_id}:{self.name}"


class Cosignature(models.Model):
    """A witness's cosignature of one signed checkpoint, verified when it was received."""

    checkpoint = models.ForeignKey(
        SignedCheckpoint, on_delete=models.CASCADE, related_name="cosignatures"
    )
    witness = models.ForeignKey(Witness, on_delete=models.PROTECT, related_name="cosignatures")
    timestamp = models.BigIntegerField(help_text=_("When the witness cosigned (POSIX seconds)"))
    line = models.CharField(
        max_length=400, help_text=_("The signature line, as the note carries it")
    )
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["checkpoint", "witness"]
        constraints = [
            models.UniqueConstraint(fields=["checkpoint", "witness"], name="one_cosignature"),
        ]

    def __str__(self) -> str:
        return f"{self.witness} cosigned {self.checkpoint}"

    @property
    def cosigned_at(self) -> datetime:
        return datetime.fromtimestamp(self.timestamp, tz=UTC)
