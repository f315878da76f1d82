"""One notification centre: what is addressed to a user, stored as a kind and its parameters
(the sentence is written at display time, in the reader's language), and the e-mail digest
preference."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from notifications.sentences import sentence


class Notification(models.Model):
    """Something addressed to ``user`` about one object (``object_type``, ``object_id``), shown
    only while the user may still see that object (``notifications.access``)."""

    class Kind(models.TextChoices):
        NOTICE_EXPIRY_REMINDER = "notice_expiry_reminder", _("Notice expiry reminder")
        NOTICE_EXPIRED = "notice_expired", _("Notice expired")
        NOTICE_REVIEW = "notice_review", _("Notice review decision")
        ASSISTANCE_NEW = "assistance_new", _("New assistance request")
        ASSISTANCE_STATUS = "assistance_status", _("Assistance request status change")
        ASSISTANCE_DEADLINE = "assistance_deadline", _("Assistance deadline approaching")
        ASSISTANCE_OVERDUE = "assistance_overdue", _("Assistance request overdue")
        JIT_INVITATION = "jit_invitation", _("JIT invitation")
        ACCESS_REQUEST = "access_request", _("Access request")
        ACCESS_DECISION = "access_decision", _("Access request decision")
        DELIVERY_FAILING = "delivery_failing", _("Deliveries failing")
        DELIVERY_DEAD = "delivery_dead", _("Delivery dead")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    subject = models.CharField(_("subject"), max_length=200, help_text=_("What it is about"))
    link = models.CharField(_("link"), max_length=300, help_text=_("A page of this site"))
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    # The object it is about, as the audit log names objects (``app_label.model``, id).
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    digested_at = models.DateTimeField(null=True, blank=True, editable=False)

    # Kinds of which a user holds at most one unread per object: repeating them says nothing.
    # Each kind on its own: an unread "failing" does not hold back the graver "dead".
    ONCE_WHILE_UNREAD = (Kind.DELIVERY_FAILING, Kind.DELIVERY_DEAD)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["user", "read_at", "id"], name="notification_user_read_idx"),
            models.Index(fields=["object_type", "object_id"], name="notification_object_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "object_type", "object_id"],
                condition=Q(read_at__isnull=True, kind__in=["delivery_failing", "delivery_dead"]),
                name="notification_once_while_unread",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.user_id}: {self.subject}"

    def get_absolute_url(self) -> str:
        return self.link

    @property
    def sentence(self) -> str:
        """What it says, in the active language (written now from its parameters)."""
        return sentence(self.kind, self.params, fallback=self.get_kind_display())


class DigestPreference(models.Model):
    """Whether (and in which language) a user gets their unread notifications by e-mail."""

    class Frequency(models.TextChoices):
        NONE = "none", _("No e-mail")
        DAILY = "daily", _("One e-mail a day")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_digest"
    )
    frequency = models.CharField(
        _("e-mail digest"), max_length=8, choices=Frequency.choices, default=Frequency.NONE
    )
    language = models.CharField(_("language"), max_length=16, blank=True)
    last_sent_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("notification digest preference")
        verbose_name_plural = _("notification digest preferences")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.frequency}"
