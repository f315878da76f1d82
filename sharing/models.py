"""Indicators, shares, the delivery outbox (deliveries, their items and attempts), correlation
matches and access requests ("another agency holds a match")."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.validators import MaxValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from agencies.models import TLP, Agency, APIKey, HandlingCode, Jurisdiction, PartnerEndpoint
from audit.models import SignedCheckpoint
from sharing import legal_words

TLP_RANK: dict[str, int] = {
    TLP.CLEAR: 0,
    TLP.GREEN: 1,
    TLP.AMBER: 2,
    TLP.AMBER_STRICT: 3,
    TLP.RED: 4,
}


class IndicatorType(models.TextChoices):
    IPV4 = "ipv4", _("IPv4 address")
    IPV6 = "ipv6", _("IPv6 address")
    CIDR = "cidr", _("IP network (CIDR)")
    DOMAIN = "domain", _("Domain name")
    URL = "url", _("URL")
    EMAIL = "email", _("E-mail address")
    MD5 = "md5", _("MD5 hash")
    SHA1 = "sha1", _("SHA-1 hash")
    SHA256 = "sha256", _("SHA-256 hash")
    ASN = "asn", _("Autonomous system")
    BTC = "btc", _("Bitcoin wallet")
    ETH = "eth", _("Ethereum wallet")


class PAP(models.TextChoices):
    """Permissible Actions Protocol."""

    CLEAR = "CLEAR", "PAP:CLEAR"
    GREEN = "GREEN", "PAP:GREEN"
    AMBER = "AMBER", "PAP:AMBER"
    RED = "RED", "PAP:RED"


class Indicator(models.Model):
    # Unique per owner (one_stix_id_per_owner): two agencies fed by one source hold two copies.
    stix_uuid = models.UUIDField(default=uuid.uuid4, editable=False)
    type = models.CharField(max_length=8, choices=IndicatorType.choices)
    value = models.TextField(help_text="As submitted")
    normalized = models.TextField(help_text="Canonical form used for lookup")
    # No index of its own: one_indicator_per_owner_value (owner, type, normalized) leads with it.
    # No database constraint on owner, created_by or source_api_key (issue 13 §4): an ingest of
    # 100k rows spent 0.5–0.8 s of its commit on each one's deferred check, for rows whose
    # targets the request has just authenticated; deletions go through Django, which applies
    # PROTECT and SET_NULL itself (tests/sharing/test_indicator_integrity.py).
    owner = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        related_name="indicators",
        db_index=False,
        db_constraint=False,
    )
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="indicators"
    )
    description = models.TextField(blank=True)
    labels = models.JSONField(default=list, blank=True)
    confidence = models.PositiveSmallIntegerField(default=50, validators=[MaxValueValidator(100)])
    tlp = models.CharField(_("TLP"), max_length=16, choices=TLP.choices, default=TLP.AMBER)
    pap = models.CharField(_("PAP"), max_length=8, choices=PAP.choices, default=PAP.AMBER)
    handling_code = models.CharField(
        max_length=2, choices=HandlingCode.choices, default=HandlingCode.H0
    )
    first_seen = models.DateTimeField(null=True, blank=True)
    last_seen = models.DateTimeField(null=True, blank=True)
    valid_until = models.DateTimeField(null=True, blank=True)
    revoked = models.BooleanField(default=False)
    revoked_at = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(default=timezone.now)
    modified = models.DateTimeField(default=timezone.now)
    # ``modified`` as the STIX object that set it spelt it, so its TAXII version string is
    # the one the partner sent (``sharing.stix.stix_modified``); stale once ``modified`` moves.
    stix_modified = models.CharField(max_length=40, blank=True, default="", db_default="")
    # What the STIX object that set it held besides these fields (its name, kill chain phases,
    # external references, creator, the pattern as written, …), served back with it.
    stix_extra = models.JSONField(null=True, blank=True, default=None)
    # Provenance: who put it here, through which key (inbound partner systems). Never queried
    # by these: no index (only deleting a user or a key looks them up).
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    source_api_key = models.ForeignKey(
        APIKey,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )

    class Meta:
        ordering = ["-created", "-id"]
        # Covering (PostgreSQL INCLUDE): a correlation lookup reads (type, normalized) → id,
        # owner, revoked from the index alone, without visiting the table.
        indexes = [
            models.Index(
                fields=["type", "normalized"],
                include=["id", "owner", "revoked"],
                name="indicator_lookup_covering",
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "type", "normalized"], name="one_indicator_per_owner_value"
            ),
            models.UniqueConstraint(fields=["stix_uuid", "owner"], name="one_stix_id_per_owner"),
        ]

    def __str__(self) -> str:
        return f"{self.type}:{self.normalized}"

    def get_absolute_url(self) -> str:
        return reverse("indicator_detail", args=[self.pk])

    @property
    def stix_id(self) -> str:
        return f"indicator--{self.stix_uuid}"


class IndicatorGroupObjectPermission(GroupObjectPermissionBase):
    """The owning agency's ``view_indicator`` row: one per indicator, written at ingest.
    What a share lets others see is on the share (``ShareGroupObjectPermission``)."""

    # Written only by sync_indicators_permissions, for indicators and the owner's group in
    # hand, so without database constraints (each one's deferred check cost 0.5–0.8 s of a
    # 100k ingest's commit); deleting an indicator, a group or a permission cascades in Django.
    # No index on group (guardian's unique (group, permission, content_object) leads with it)
    # nor on permission (no query asks by permission alone).
    content_object = models.ForeignKey(Indicator, on_delete=models.CASCADE, db_constraint=False)
    group = models.ForeignKey(Group, on_delete=models.CASCADE, db_index=False, db_constraint=False)
    permission = models.ForeignKey(
        Permission, on_delete=models.CASCADE, db_index=False, db_constraint=False
    )

    class Meta(GroupObjectPermissionBase.Meta):
        # guardian's unique_together (group, permission, content_object) is the index the
        # selectors' subquery uses; a second identical index would only slow bulk shares.
        abstract = False


class StixObject(models.Model):
    """Any STIX 2.1 object an agency holds that is not an indicator with one typed value: SDOs
    (malware, threat actors, reports, …), SROs (relationships, sightings), cyber observables,
    identities, marking and extension definitions, language content, and indicators kept
    pattern-only (a complex STIX pattern, Sigma, YARA, Snort, Suricata, PCRE) or stored under
    a second id for a value the agency already holds.

    One row per (owning agency, STIX id) — the agency's own copy, whatever others hold under
    that id — carrying its newest version; every version is an ``interop.ObjectVersion``.
    Visible like an indicator: the owner's row on the object, and the audiences of the shares
    that link it (``Share.stix_objects``).
    """

    # No database constraints on owner, created_by (nor on the rows below that point here): an
    # import of 100k objects spent a second of its commit checking them, for rows whose
    # targets the request has just read; deletions go through Django (PROTECT, CASCADE).
    owner = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        related_name="stix_objects",
        db_index=False,  # stixobject_owner_type (owner, type, id) leads with it
        db_constraint=False,
    )
    stix_id = models.CharField("STIX id", max_length=300)
    type = models.CharField(max_length=250)
    name = models.CharField(max_length=250, blank=True, help_text="What lists show")
    pattern_type = models.CharField(max_length=32, blank=True, help_text="Indicators only")
    tlp = models.CharField(_("TLP"), max_length=16, choices=TLP.choices, default=TLP.AMBER)
    pap = models.CharField(_("PAP"), max_length=8, choices=PAP.choices, default=PAP.AMBER)
    handling_code = models.CharField(
        max_length=2, choices=HandlingCode.choices, default=HandlingCode.H0
    )
    created = models.DateTimeField(default=timezone.now)
    # A cyber observable has no ``modified`` (nor versions): when it was first stored.
    modified = models.DateTimeField(default=timezone.now)
    revoked = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    body = models.JSONField(help_text="The newest version, as received (markings as ours)")

    class Meta:
        ordering = ["-id"]
        # One index on the random STIX ids, not two: (stix_id, owner) serves the lookups by id
        # alone (references, search) as well as an agency's own copies (``owner = … AND
        # stix_id = ANY(…)``). Copying an import's 50k rows took 3.3–4.1 s with three such
        # indexes, 1.1–1.6 s with none (under load): each random-key index costs the import.
        constraints = [
            models.UniqueConstraint(fields=["stix_id", "owner"], name="one_stix_copy_per_owner")
        ]
        indexes = [models.Index(fields=["owner", "type", "id"], name="stixobject_owner_type")]

    def __str__(self) -> str:
        return self.stix_id

    def get_absolute_url(self) -> str:
        return reverse("stix_object_detail", args=[self.pk])


class StixObjectGroupObjectPermission(GroupObjectPermissionBase):
    """The owning agency's ``view_stixobject`` row: one per object (not per version); written
    only by ``sync_stix_objects_permissions``, without database constraints (as the
    indicators' rows)."""

    content_object = models.ForeignKey(StixObject, on_delete=models.CASCADE, db_constraint=False)
    group = models.ForeignKey(Group, on_delete=models.CASCADE, db_index=False, db_constraint=False)
    permission = models.ForeignKey(
        Permission, on_delete=models.CASCADE, db_index=False, db_constraint=False
    )

    class Meta(GroupObjectPermissionBase.Meta):
        abstract = False


class StixReference(models.Model):
    """One reference of a STIX object to another by id (``created_by_ref``, a relationship's
    ``source_ref`` / ``target_ref``, a report's ``object_refs``, …). Kept by id, so it holds
    when the target arrives later and resolves to whatever copy the reader may see."""

    source = models.ForeignKey(
        StixObject,
        on_delete=models.CASCADE,
        related_name="references",
        db_index=False,  # one_reference_per_property (source, property, target) leads with it
        db_constraint=False,
    )
    target = models.CharField(max_length=300)
    property = models.CharField(max_length=100)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source", "property", "target"], name="one_reference_per_property"
            )
        ]
        indexes = [models.Index(fields=["target"], name="stixreference_target")]

    def __str__(self) -> str:
        return f"{self.source_id} {self.property} {self.target}"


class Share(models.Model):
    """One decision by the owning agency to let recipients see some of its indicators."""

    owner = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="shares_made")
    indicators = models.ManyToManyField(Indicator, related_name="shares")
    stix_objects = models.ManyToManyField(StixObject, blank=True, related_name="shares")
    agencies = models.ManyToManyField(Agency, blank=True, related_name="shares_received")
    jurisdictions = models.ManyToManyField(Jurisdiction, blank=True, related_name="+")
    jit = models.ForeignKey(
        "cases.JointInvestigationTeam",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="indicator_shares",
    )
    community = models.BooleanField(
        default=False, help_text="Every agency holding a sharing agreement with the owner"
    )
    users = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", help_text="TLP:RED recipients"
    )
    legal_basis = models.JSONField(
        default=list, blank=True, help_text="Per recipient: the basis relied on (as previewed)"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Share #{self.pk} by {self.owner_id}"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None

    @property
    def legal_basis_words(self) -> list[dict[str, str]]:
        """Each recipient's basis in the reader's words (``legal_basis`` keeps the record's)."""
        return [legal_words.shown(entry) for entry in self.legal_basis]


class ShareGroupObjectPermission(GroupObjectPermissionBase):
    """A share's audience: ``view_share`` for each recipient group of an active share.

    With the link table ``Share.indicators`` it decides what recipients see, so sharing N
    indicators with R groups writes N link rows and R of these, not N × R.
    """

    content_object = models.ForeignKey(Share, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        # guardian's unique_together (group, permission, content_object) is the index the
        # selectors start from: the caller's groups -> their shares -> the links.
        abstract = False


class ShareUserObjectPermission(UserObjectPermissionBase):
    """A TLP:RED share's audience: ``view_share`` for each named user of an active share."""

    content_object = models.ForeignKey(Share, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        abstract = False


class NamedRecipient(models.Model):
    """A user named in a TLP:RED share, and the agency they receive it through (the first of
    their agencies with a legal basis): an API key of another of their agencies does not see it."""

    share = models.ForeignKey(Share, on_delete=models.CASCADE, related_name="named")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["share", "user"], name="named_recipient_once"),
        ]
        indexes = [models.Index(fields=["user", "agency"], name="named_recipient_user_agency")]

    def __str__(self) -> str:
        return f"{self.user} through {self.agency} in share {self.share_id}"


class Delivery(models.Model):
    """One webhook message (the outbox row): up to a batch of objects for one endpoint, or
    one signed checkpoint of the audit log (``checkpoint``, then no items).

    ``webhook_id`` is fixed when the row is written, so every retry carries the same id
    and the receiver can drop duplicates. The message itself is not stored: the worker
    rebuilds it from the items (or the checkpoint) at each attempt.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        FAILING = "failing", _("Failing (will retry)")
        DELIVERED = "delivered", _("Delivered")
        DEAD = "dead", _("Dead")

    webhook_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    endpoint = models.ForeignKey(
        PartnerEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    share = models.ForeignKey(
        Share, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries"
    )
    checkpoint = models.ForeignKey(
        SignedCheckpoint,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="deliveries",
        help_text="The signed checkpoint this message carries (instead of indicators)",
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    lease_until = models.DateTimeField(null=True, blank=True)
    claim = models.UUIDField(null=True, blank=True, editable=False)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "deliveries"
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="delivery_due"),
            models.Index(fields=["endpoint", "status"], name="delivery_endpoint_status"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "checkpoint"],
                condition=models.Q(checkpoint__isnull=False),
                name="one_checkpoint_per_endpoint",
            )
        ]

    def __str__(self) -> str:
        return f"msg_{self.webhook_id.hex} → {self.endpoint_id} ({self.status})"

    @property
    def message_id(self) -> str:
        return f"msg_{self.webhook_id.hex}"


class DeliveryItem(models.Model):
    """One indicator or STIX object (or its tombstone) inside a delivery; at most once per
    endpoint. Exactly one of ``indicator`` and ``stix_object`` is set.

    A fan-out writes one item per (indicator, endpoint) — 200,000 for 10k indicators to 20
    endpoints — so the three foreign keys have no database constraint: their deferred checks
    were a third of the outbox's write time (bench/README.md, outbox constraints). The rows
    they point to are written (the delivery) or read (endpoint, indicator) in the same
    transaction, ``Delivery.endpoint`` keeps its constraint, and Django still cascades on
    deletion; a message skips an indicator deleted meanwhile."""

    delivery = models.ForeignKey(
        Delivery, on_delete=models.CASCADE, related_name="items", db_constraint=False
    )
    # Both are covered by the composite indexes below (leading column); fewer indexes,
    # faster fan-out writes.
    endpoint = models.ForeignKey(
        PartnerEndpoint,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    indicator = models.ForeignKey(
        Indicator,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    # Covered by item_stix_object (partial: indicator items, the many, do not pay for it).
    stix_object = models.ForeignKey(
        StixObject,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    tombstone = models.BooleanField(default=False)

    class Meta:
        constraints = [
            # An object item has no indicator: NULLs are distinct, so this holds for indicators.
            models.UniqueConstraint(
                fields=["endpoint", "indicator", "tombstone"], name="one_item_per_endpoint"
            ),
            models.UniqueConstraint(
                fields=["endpoint", "stix_object", "tombstone"],
                condition=models.Q(stix_object__isnull=False),
                name="one_object_item_per_endpoint",
            ),
            models.CheckConstraint(
                condition=models.Q(indicator__isnull=False, stix_object__isnull=True)
                | models.Q(indicator__isnull=True, stix_object__isnull=False),
                name="item_indicator_or_object",
            ),
        ]
        indexes = [
            models.Index(fields=["indicator", "tombstone"], name="item_indicator"),
            models.Index(
                fields=["stix_object", "tombstone"],
                condition=models.Q(stix_object__isnull=False),
                name="item_stix_object",
            ),
        ]

    def __str__(self) -> str:
        kind = "tombstone" if self.tombstone else "indicator"
        if self.stix_object_id is not None:
            return f"{kind} of object {self.stix_object_id} → endpoint {self.endpoint_id}"
        return f"{kind} {self.indicator_id} → endpoint {self.endpoint_id}"


class OutboxFill(models.Model):
    """The rest of a large share's outbox. The share commits its audience and the deliveries
    of its first ``SHARING_OUTBOX_CHUNK`` items (indicators by id, then STIX objects by id), so
    the first pushes leave at once; a task then writes the deliveries of the next chunks, each
    chunk and the cursors in one transaction, so a crash redoes at most one chunk (the sweeper
    re-enqueues a fill left idle past ``SHARING_SWEEP_GRACE``)."""

    share = models.ForeignKey(Share, on_delete=models.CASCADE, related_name="outbox_fills")
    agency_ids = models.JSONField(default=list, help_text="The entitled agencies at sharing")
    after_indicator = models.BigIntegerField(help_text="The share's indicators above this id")
    # Once no indicator is left above ``after_indicator``.
    after_object = models.BigIntegerField(
        default=0, db_default=0, help_text=_("Then the share's STIX objects above this id")
    )
    done = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["done", "updated_at"], name="outbox_fill_due")]

    def __str__(self) -> str:
        return f"fill of share {self.share_id} after indicator {self.after_indicator}"


class PendingAnnouncement(models.Model):
    """A chunk of a large ingest's indicators whose ``indicators_changed`` listeners (TAXII
    versions, correlation matches) have not run yet (``sharing/announce.py``). Written with the
    indicators; deleted in the transaction that announces them."""

    class Action(models.TextChoices):
        CREATED = "created", "Created"
        UPDATED = "updated", "Updated"

    action = models.CharField(max_length=10, choices=Action.choices)
    indicator_ids = models.JSONField(help_text="The chunk's indicator ids")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.action}: {len(self.indicator_ids)} indicators"


class DeliveryAttempt(models.Model):
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveIntegerField()
    started_at = models.DateTimeField(default=timezone.now)
    duration_ms = models.PositiveIntegerField(default=0)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["delivery", "number"]

    def __str__(self) -> str:
        return f"{self.delivery_id}#{self.number}: {self.status_code or self.error[:40]}"


# --- correlation and access requests (sharing/correlation.py, sharing/access_requests.py) ------
# Moved from interop in migration 0003 (tables renamed from interop_* to sharing_*).


class Match(models.Model):
    """Found when ``indicator`` was added: ``other`` (another agency's) has the same value."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="+")
    other = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="+")
    found_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-found_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "other"], name="one_match_per_pair")
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} ~ {self.other_id}"


class AccessRequest(models.Model):
    """A request to the (unnamed) holders of a match to share their indicator."""

    requester = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="+", help_text="The requester's own"
    )
    reason = models.TextField()
    legal_basis = models.CharField(max_length=300)
    handling_code = models.CharField(max_length=2, choices=HandlingCode.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Access request #{self.pk} by {self.requester_id}"


class AccessRequestTarget(models.Model):
    """One holder indicator an access request reached; decided by the holder agency."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        GRANTED = "granted", _("Shared")
        DECLINED = "declined", _("Declined")

    request = models.ForeignKey(AccessRequest, on_delete=models.CASCADE, related_name="targets")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="+")
    holder = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    share = models.ForeignKey(
        Share, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-request__created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "indicator"], name="one_target_per_indicator"
            )
        ]
        indexes = [models.Index(fields=["holder", "status"], name="accessreq_inbox")]

    def __str__(self) -> str:
        return f"{self.request_id} → {self.indicator_id} ({self.status})"
