"""Append-only audit events: each is a leaf of the transparency log's Merkle tree (RFC 9162),
whose complete subtrees are stored as ``LogNode`` rows. (The hash chain that came before is
gone: the stored nodes catch what it caught, signed checkpoints what it could not.)"""

from __future__ import annotations

import base64
import json

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    created_at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    agency_code = models.CharField(max_length=32, blank=True, help_text=_("Acting agency"))
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    summary = models.JSONField(default=dict, encoder=DjangoJSONEncoder)
    # Position in the log (0-based, no gaps: ids may skip, leaves may not).
    leaf_index = models.BigIntegerField(unique=True, editable=False)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["object_type", "object_id", "id"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.action} {self.object_type}:{self.object_id}"

    def canonical(self) -> str:
        """Canonical JSON of the event's content: sorted keys, no whitespace."""
        payload = {
            "created_at": self.created_at.isoformat(),
            "actor": self.actor_id,
            "agency": self.agency_code,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": str(self.object_id),
            "summary": self.summary,
        }
        return json.dumps(payload, sort_keys=True, separators=(",", ":"), cls=DjangoJSONEncoder)

    def leaf(self) -> bytes:
        """The log leaf: the canonical JSON above, UTF-8 (its RFC 9162 leaf hash is
        SHA-256(0x00 || leaf))."""
        return self.canonical().encode()


class PendingAuditEvent(models.Model):
    """An event recorded without taking the log's lock (high-rate reads such as correlation
    lookups), committed with its transaction and appended to the log, in ``id`` order, by
    ``audit.services.sequence_pending`` moments later. Its content is final: the leaf keeps
    its ``created_at``."""

    created_at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    agency_code = models.CharField(max_length=32, blank=True)
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    summary = models.JSONField(default=dict, encoder=DjangoJSONEncoder)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"pending {self.action} #{self.pk}"


class LogNode(models.Model):
    """The hash of a complete subtree of the log: leaves [index * 2^level, (index+1) * 2^level).
    Level 0 holds leaf hashes. Appending a leaf writes O(log n) of these; proofs read them."""

    level = models.PositiveSmallIntegerField()
    index = models.BigIntegerField()
    hash = models.BinaryField(max_length=32)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["level", "index"], name="log_node_position"),
        ]

    def __str__(self) -> str:
        return f"node {self.level}/{self.index}"


class SignedCheckpoint(models.Model):
    """A checkpoint the server signed (C2SP tlog-checkpoint in a signed note), kept so that
    partners can fetch it and their cosignatures can be stored beside it."""

    tree_size = models.BigIntegerField(unique=True)
    root_hash = models.BinaryField(max_length=32)
    note = models.TextField()
    signed_at = models.DateTimeField()

    class Meta:
        ordering = ["-tree_size"]

    def __str__(self) -> str:
        return f"checkpoint at {self.tree_size}"

    @property
    def root_base64(self) -> str:
        return base64.b64encode(bytes(self.root_hash)).decode()
